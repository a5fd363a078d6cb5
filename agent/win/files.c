#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win/files.h"
#include "win/winutil.h"

dlo_status win_load_embedded(void *ctx, const char *name, dlo_buf *out, dlo_error *err)
{
    wchar_t *wname = win_utf8_to_utf16(name, strlen(name));
    HRSRC res;
    HGLOBAL mem;
    const void *data;
    DWORD size;
    dlo_status st;

    (void)ctx;
    if (!wname)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    res = FindResourceW(NULL, wname, MAKEINTRESOURCEW(10) /* RT_RCDATA */);
    free(wname);
    if (!res)
        return dlo_error_set(err, DLO_E_NOTFOUND, "no embedded data named %s", name);
    mem = LoadResource(NULL, res);
    size = SizeofResource(NULL, res);
    data = mem ? LockResource(mem) : NULL;
    if (!data)
        return dlo_error_set(err, DLO_E_IO, "embedded data %s cannot be loaded", name);
    dlo_buf_append(out, data, size);
    st = dlo_buf_status(out);
    return st ? dlo_error_set(err, st, "out of memory") : DLO_OK;
}

/* The file open at h, a regular file of at most max bytes, into out; nothing is read from
 * anything else. */
static dlo_status read_open_file(HANDLE h, const char *path, size_t max, dlo_buf *out,
                                 dlo_error *err)
{
    LARGE_INTEGER size;
    char *data;
    DWORD got;
    char why[600];
    dlo_status st;

    snprintf(why, sizeof(why), "cannot read %s", path);
    if (GetFileType(h) != FILE_TYPE_DISK)
        return dlo_error_set(err, DLO_E_IO,
                             "%s is not a regular file (a device, a pipe or a console); expected "
                             "a data file",
                             path);
    if (!GetFileSizeEx(h, &size))
        return win_error_set(err, GetLastError(), why);
    if ((unsigned long long)size.QuadPart > max)
        return dlo_error_set(err, DLO_E_IO, "%s is %lld bytes; expected at most %zu", path,
                             (long long)size.QuadPart, max);
    /* One byte more than the size: a file that grew since is refused, not read on. */
    data = malloc((size_t)size.QuadPart + 1);
    if (!data)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    if (!ReadFile(h, data, (DWORD)size.QuadPart + 1, &got, NULL))
        st = win_error_set(err, GetLastError(), why);
    else if (got > (DWORD)size.QuadPart)
        st = dlo_error_set(err, DLO_E_IO, "%s grew while it was read; expected a file at rest",
                           path);
    else
        st = DLO_OK;
    if (!st) {
        dlo_buf_append(out, data, got);
        if (dlo_buf_status(out))
            st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    }
    free(data);
    return st;
}

dlo_status win_read_file(void *ctx, const char *path, size_t max, dlo_buf *out, dlo_error *err)
{
    wchar_t *wpath = win_utf8_to_utf16(path, strlen(path));
    HANDLE h;
    char why[600];
    dlo_status st;

    (void)ctx;
    if (!wpath)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    h = CreateFileW(wpath, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                    FILE_ATTRIBUTE_NORMAL, NULL);
    free(wpath);
    if (h == INVALID_HANDLE_VALUE) {
        snprintf(why, sizeof(why), "cannot open %s", path);
        return win_error_set(err, GetLastError(), why);
    }
    st = read_open_file(h, path, max, out, err);
    CloseHandle(h);
    return st;
}
