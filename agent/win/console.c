#include <windows.h>

#include <stdlib.h>

#include "win/console.h"
#include "win/detect_os.h"
#include "win/files.h"
#include "win/fwcom.h"
#include "win/registry.h"
#include "win/service.h"

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

static void console_out(void *ctx, const char *utf8, size_t n)
{
    (void)ctx;
    console_write(STD_OUTPUT_HANDLE, utf8, n);
}

static void console_err(void *ctx, const char *utf8, size_t n)
{
    (void)ctx;
    console_write(STD_ERROR_HANDLE, utf8, n);
}

void win_write_stderr(const char *utf8, size_t n)
{
    console_write(STD_ERROR_HANDLE, utf8, n);
}

static bool console_is_elevated(void *ctx)
{
    (void)ctx;
    return win_is_elevated();
}

const dlo_platform *win_console_platform(void)
{
    static dlo_platform plat = {
        .write_out = console_out,
        .write_err = console_err,
        .load_embedded = win_load_embedded,
        .read_file = win_read_file,
        .open_firewall = fwcom_open,
        .close_firewall = fwcom_close,
        .is_elevated = console_is_elevated,
        .detect_os = &win_detect_os,
        .service_command = win_service_command,
    };
    plat.registry = win_registry();
    return &plat;
}
