#include <windows.h>

#include <stdlib.h>

#include "win/console.h"
#include "win/winutil.h"

/* A console gets UTF-16 through WriteConsoleW, so names with non-ASCII characters show right
 * whatever the code page; a pipe or file gets the UTF-8 bytes unchanged, which is what scripts
 * and compliance tools parsing /json expect. */
static void console_write(DWORD which, const char *utf8, size_t n)
{
    HANDLE h = GetStdHandle(which);
    DWORD mode, done;

    if (h == NULL || h == INVALID_HANDLE_VALUE)
        return;
    if (GetConsoleMode(h, &mode)) {
        wchar_t *w = win_utf8_to_utf16(utf8, n);
        if (w) {
            WriteConsoleW(h, w, (DWORD)wcslen(w), &done, NULL);
            free(w);
        }
        return;
    }
    while (n > 0) {
        DWORD chunk = n > 0x10000000 ? 0x10000000 : (DWORD)n;
        if (!WriteFile(h, utf8, chunk, &done, NULL) || done == 0)
            return;
        utf8 += done;
        n -= done;
    }
}

void win_console_out(void *ctx, const char *utf8, size_t n)
{
    (void)ctx;
    console_write(STD_OUTPUT_HANDLE, utf8, n);
}

void win_console_err(void *ctx, const char *utf8, size_t n)
{
    (void)ctx;
    console_write(STD_ERROR_HANDLE, utf8, n);
}

void win_write_stderr(const char *utf8, size_t n)
{
    console_write(STD_ERROR_HANDLE, utf8, n);
}
