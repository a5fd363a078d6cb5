#include <windows.h>
#include <shlobj.h>
#include <knownfolders.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win/detect_os.h"
#include "win/winutil.h"

static dlo_status win_list_services(void *ctx, dlo_service_list *out, dlo_error *err)
{
    SC_HANDLE scm;
    BYTE *buf = NULL;
    DWORD size = 0, needed = 0, count = 0, resume = 0, i;
    dlo_status st = DLO_OK;

    (void)ctx;
    scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ENUMERATE_SERVICE);
    if (!scm)
        return win_error_set(err, GetLastError(), "cannot open the service control manager");
    for (;;) {
        BOOL ok = EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_STATE_ALL,
                                        buf, size, &needed, &count, &resume, NULL);
        DWORD code = ok ? ERROR_SUCCESS : GetLastError();
        const ENUM_SERVICE_STATUS_PROCESSW *items = (const ENUM_SERVICE_STATUS_PROCESSW *)buf;

        if (!ok && code != ERROR_MORE_DATA) {
            st = win_error_set(err, code, "cannot list the services");
            goto cleanup_buf;
        }
        for (i = 0; i < count; i++) {
            char *name = win_utf16_to_utf8(items[i].lpServiceName);
            char *display =
                items[i].lpDisplayName ? win_utf16_to_utf8(items[i].lpDisplayName) : NULL;
            DWORD state = items[i].ServiceStatusProcess.dwCurrentState;
            dlo_service_state s = state == SERVICE_RUNNING   ? DLO_SERVICE_RUNNING
                                  : state == SERVICE_STOPPED ? DLO_SERVICE_STOPPED
                                                             : DLO_SERVICE_PENDING;
            st = name ? dlo_service_list_add(out, name, display, s) : DLO_E_NOMEM;
            free(name);
            free(display);
            if (st) {
                dlo_error_set(err, st, "out of memory");
                goto cleanup_buf;
            }
        }
        if (ok)
            break;
        /* More services than fit: the next call goes on from `resume` with a buffer as large
         * as the SCM asked for. */
        if (needed > size) {
            BYTE *bigger = realloc(buf, needed);
            if (!bigger) {
                st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
                goto cleanup_buf;
            }
            buf = bigger;
            size = needed;
        }
    }
cleanup_buf:
    free(buf);
    CloseServiceHandle(scm);
    return st;
}

static dlo_status win_file_exists(void *ctx, const char *path, dlo_error *err)
{
    wchar_t *wpath = win_utf8_to_utf16(path, strlen(path));
    DWORD attrs, code;
    char why[600];

    (void)ctx;
    if (!wpath)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    attrs = GetFileAttributesW(wpath);
    code = GetLastError();
    free(wpath);
    if (attrs != INVALID_FILE_ATTRIBUTES)
        return (attrs & FILE_ATTRIBUTE_DIRECTORY)
                   ? dlo_error_set(err, DLO_E_NOTFOUND, "%s is a folder", path)
                   : DLO_OK;
    if (code == ERROR_INVALID_NAME || code == ERROR_BAD_NETPATH || code == ERROR_BAD_PATHNAME)
        return dlo_error_set(err, DLO_E_NOTFOUND, "%s does not exist", path);
    snprintf(why, sizeof(why), "cannot check %s", path);
    return win_error_set(err, code, why);
}

static dlo_status win_known_folder(void *ctx, const char *name, dlo_buf *out, dlo_error *err)
{
    /* The names dlo_detect_known_folder lists, in the same order. */
    static const KNOWNFOLDERID *const ids[] = {
        &FOLDERID_ProgramFiles,          &FOLDERID_ProgramFilesX86, &FOLDERID_ProgramFilesCommon,
        &FOLDERID_ProgramFilesCommonX86, &FOLDERID_ProgramData,     &FOLDERID_Windows,
    };
    wchar_t *wpath = NULL;
    char *utf8;
    HRESULT hr;
    size_t i;

    (void)ctx;
    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        if (dlo_detect_known_folder(i) && strcmp(dlo_detect_known_folder(i), name) == 0)
            break;
    if (i == sizeof(ids) / sizeof(ids[0]))
        return dlo_error_set(err, DLO_E_INTERNAL, "no known folder named %s", name);
    hr = SHGetKnownFolderPath(ids[i], KF_FLAG_DEFAULT, NULL, &wpath);
    if (FAILED(hr)) {
        CoTaskMemFree(wpath);
        return dlo_error_set(err, DLO_E_NOTFOUND, "the folder %%%s%% is unknown (HRESULT 0x%08lx)",
                             name, (unsigned long)hr);
    }
    utf8 = win_utf16_to_utf8(wpath);
    CoTaskMemFree(wpath);
    if (!utf8)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    dlo_buf_puts(out, utf8);
    free(utf8);
    return dlo_buf_status(out) ? dlo_error_set(err, DLO_E_NOMEM, "out of memory") : DLO_OK;
}

const dlo_detect_os win_detect_os = {NULL, win_list_services, win_file_exists, win_known_folder};
