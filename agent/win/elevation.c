#include <windows.h>

#include "win/elevation.h"

bool win_is_elevated(void *ctx)
{
    HANDLE token;
    TOKEN_ELEVATION elevation = {0};
    DWORD size = sizeof(elevation);
    bool elevated = false;

    (void)ctx;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return false;
    if (GetTokenInformation(token, TokenElevation, &elevation, size, &size))
        elevated = elevation.TokenIsElevated != 0;
    CloseHandle(token);
    return elevated;
}
