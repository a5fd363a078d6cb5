#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win/files.h"
#include "win/winutil.h"

/* Data files larger than this are refused: the port matrix and detection table are a few KiB,
 * and a policy path pointing at a huge file is a mistake to report, not to load. */
#define WIN_MAX_DATA_FILE (16u * 1024u * 1024u)

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

dlo_status win_read_file(void *ctx, const char *path, dlo_buf *out, dlo_error *err)
{
    wchar_t *wpath = win_utf8_to_utf16(path, strlen(path));
    HANDLE h;
    LARGE_INTEGER size;
    char *data = NULL;
    DWORD got;
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
    if (!GetFileSizeEx(h, &size)) {
        snprintf(why, sizeof(why), "cannot read %s", path);
        st = win_error_set(err, GetLastError(), why);
        goto cleanup_handle;
    }
    if (size.QuadPart > WIN_MAX_DATA_FILE) {
        st = dlo_error_set(err, DLO_E_IO, "%s is %lld bytes; expected a data file under %u bytes",
                           path, (long long)size.QuadPart, WIN_MAX_DATA_FILE);
        goto cleanup_handle;
    }
    data = malloc((size_t)size.QuadPart + 1);
    if (!data) {
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
        goto cleanup_handle;
    }
    if (!ReadFile(h, data, (DWORD)size.QuadPart, &got, NULL) || got != (DWORD)size.QuadPart) {
        snprintf(why, sizeof(why), "cannot read %s", path);
        st = win_error_set(err, GetLastError(), why);
        goto cleanup_data;
    }
    dlo_buf_append(out, data, got);
    st = dlo_buf_status(out);
    if (st)
        dlo_error_set(err, st, "out of memory");
cleanup_data:
    free(data);
cleanup_handle:
    CloseHandle(h);
    return st;
}
