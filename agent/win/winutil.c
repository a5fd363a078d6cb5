#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win/winutil.h"

char *win_utf16_to_utf8(const wchar_t *s)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, s, -1, NULL, 0, NULL, NULL);
    char *out;

    if (n <= 0)
        return NULL;
    out = malloc((size_t)n);
    if (out && WideCharToMultiByte(CP_UTF8, 0, s, -1, out, n, NULL, NULL) != n) {
        free(out);
        out = NULL;
    }
    return out;
}

wchar_t *win_utf8_to_utf16(const char *s, size_t n)
{
    int len;
    wchar_t *out;

    if (n > INT_MAX)
        return NULL;
    len = n ? MultiByteToWideChar(CP_UTF8, 0, s, (int)n, NULL, 0) : 0;
    if (n && len <= 0)
        return NULL;
    out = malloc(((size_t)len + 1) * sizeof(wchar_t));
    if (!out)
        return NULL;
    if (len && MultiByteToWideChar(CP_UTF8, 0, s, (int)n, out, len) != len) {
        free(out);
        return NULL;
    }
    out[len] = L'\0';
    return out;
}

void win_error_text(unsigned long code, char *out, size_t size)
{
    wchar_t wbuf[512];
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code,
                             0, wbuf, sizeof(wbuf) / sizeof(wbuf[0]), NULL);
    char *utf8;

    while (n > 0 && (wbuf[n - 1] == L'\r' || wbuf[n - 1] == L'\n' || wbuf[n - 1] == L' '))
        wbuf[--n] = L'\0';
    utf8 = n ? win_utf16_to_utf8(wbuf) : NULL;
    if (utf8)
        snprintf(out, size, "%s (error %lu)", utf8, code);
    else
        snprintf(out, size, "error %lu", code);
    free(utf8);
}

dlo_status win_error_status(unsigned long code)
{
    switch (code) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
        return DLO_E_NOTFOUND;
    case ERROR_ACCESS_DENIED:
        return DLO_E_ACCESS;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        return DLO_E_NOMEM;
    default:
        return DLO_E_IO;
    }
}

dlo_status win_error_set(dlo_error *err, unsigned long code, const char *what)
{
    char why[300];
    win_error_text(code, why, sizeof(why));
    return dlo_error_set(err, win_error_status(code), "%s: %s", what, why);
}

dlo_status win_hresult_set(dlo_error *err, long hr, dlo_status other, const char *what)
{
    char text[300];
    dlo_status st = (hr == E_ACCESSDENIED || hr == HRESULT_FROM_WIN32(ERROR_ACCESS_DENIED))
                        ? DLO_E_ACCESS
                        : other;
    win_error_text((unsigned long)hr, text, sizeof(text));
    return dlo_error_set(err, st, "%s failed: 0x%08lx %s", what, (unsigned long)hr, text);
}

dlo_status win_last_error(dlo_error *err, const char *what)
{
    return win_error_set(err, GetLastError(), what);
}

bool win_is_elevated(void)
{
    HANDLE token;
    TOKEN_ELEVATION elevation;
    DWORD size = sizeof(SID) + SID_MAX_SUB_AUTHORITIES * sizeof(DWORD);
    BYTE admins[sizeof(SID) + SID_MAX_SUB_AUTHORITIES * sizeof(DWORD)];
    BOOL member = FALSE, elevated = FALSE;

    if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) {
        DWORD n;
        if (GetTokenInformation(token, TokenElevation, &elevation, sizeof(elevation), &n))
            elevated = elevation.TokenIsElevated != 0;
        CloseHandle(token);
    }
    /* Both: a token whose Administrators group is deny-only still says elevated (Wine does so
     * for a restricted token), and the group is what the Service Control Manager checks. */
    if (!CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL, admins, &size) ||
        !CheckTokenMembership(NULL, admins, &member))
        member = FALSE;
    return elevated && member;
}

typedef LONG(WINAPI *rtl_get_version_fn)(OSVERSIONINFOW *info);

/* RtlGetVersion, not GetVersionEx: it tells the truth whatever the manifest says (GetVersionEx
 * reports Windows 8 to a program whose manifest does not name Windows 10). Under Wine it is
 * the version the prefix is set to (7601, Windows 7, unless winecfg or the registry says
 * otherwise). */
bool win_os_version(unsigned *platform, unsigned *major, unsigned *minor, unsigned long *build)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    rtl_get_version_fn get_version =
        ntdll ? (rtl_get_version_fn)(void (*)(void))GetProcAddress(ntdll, "RtlGetVersion") : NULL;
    OSVERSIONINFOW info;
    memset(&info, 0, sizeof(info));
    info.dwOSVersionInfoSize = sizeof(info);
    if (!get_version || get_version(&info) != 0)
        return false;
    *platform = info.dwPlatformId;
    *major = info.dwMajorVersion;
    *minor = info.dwMinorVersion;
    *build = info.dwBuildNumber;
    return true;
}

unsigned long win_os_build(void)
{
    unsigned platform, major, minor;
    unsigned long build;
    return win_os_version(&platform, &major, &minor, &build) ? build : 0;
}

dlo_status win_need_elevation(dlo_error *err, const char *command)
{
    if (win_is_elevated())
        return DLO_OK;
    return dlo_error_set(err, DLO_E_ACCESS,
                         "/%s needs administrator rights: run it from an elevated command prompt "
                         "(Run as administrator)",
                         command);
}

bool win_is_local_system(void)
{
    HANDLE token;
    union {
        TOKEN_USER user;
        BYTE bytes[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
    } info;
    DWORD n;
    BOOL system = FALSE;

    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return false;
    if (GetTokenInformation(token, TokenUser, &info, sizeof(info), &n))
        system = IsWellKnownSid(info.user.User.Sid, WinLocalSystemSid);
    CloseHandle(token);
    return system != FALSE;
}

win_proc win_system_proc(const wchar_t *dll, const char *name, dlo_error *err)
{
    HMODULE module = LoadLibraryExW(dll, NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    char what[160];
    win_proc proc;

    snprintf(what, sizeof(what), "%ls from System32", dll);
    if (!module) {
        win_error_set(err, GetLastError(), what);
        return NULL;
    }
    proc = (win_proc)GetProcAddress(module, name);
    if (!proc) {
        snprintf(what, sizeof(what), "%s in %ls", name, dll);
        win_error_set(err, GetLastError(), what);
    }
    return proc;
}
