#include <windows.h>
#include <shlobj.h>
#include <knownfolders.h>

#include <stdlib.h>
#include <string.h>

#include "win/console.h"
#include "win/detect_os.h"
#include "win/files.h"

static REGSAM view_flag(dlo_reg_view view)
{
    return view == DLO_REG_VIEW_32 ? KEY_WOW64_32KEY : KEY_WOW64_64KEY;
}

static const char *view_label(dlo_reg_view view)
{
    return view == DLO_REG_VIEW_32 ? "32-bit view" : "64-bit view";
}

static dlo_status win_status(DWORD code)
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

static dlo_status win_list_services(void *ctx, dlo_service_list *out, dlo_error *err)
{
    SC_HANDLE scm;
    BYTE *buf = NULL;
    DWORD size = 0, needed = 0, count = 0, resume = 0, i;
    char why[300];
    dlo_status st = DLO_OK;

    (void)ctx;
    scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ENUMERATE_SERVICE);
    if (!scm) {
        DWORD code = GetLastError();
        win_error_text(code, why, sizeof(why));
        return dlo_error_set(err, win_status(code), "cannot open the service control manager: %s",
                             why);
    }
    for (;;) {
        BOOL ok = EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_STATE_ALL,
                                        buf, size, &needed, &count, &resume, NULL);
        DWORD code = ok ? ERROR_SUCCESS : GetLastError();
        const ENUM_SERVICE_STATUS_PROCESSW *items = (const ENUM_SERVICE_STATUS_PROCESSW *)buf;

        if (!ok && code != ERROR_MORE_DATA) {
            win_error_text(code, why, sizeof(why));
            st = dlo_error_set(err, win_status(code), "cannot list the services: %s", why);
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

static dlo_status open_key(dlo_reg_view view, const char *key, REGSAM access, HKEY *out,
                           dlo_error *err)
{
    wchar_t *wkey = win_utf8_to_utf16(key, strlen(key));
    LSTATUS rc;
    char why[300];

    if (!wkey)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, wkey, 0, access | view_flag(view), out);
    free(wkey);
    if (rc == ERROR_SUCCESS)
        return DLO_OK;
    win_error_text((DWORD)rc, why, sizeof(why));
    return dlo_error_set(err, win_status((DWORD)rc), "cannot open HKLM\\%s (%s): %s", key,
                         view_label(view), why);
}

static dlo_status win_reg_read(void *ctx, dlo_reg_view view, const char *key, const char *value,
                               dlo_detect_regval *out, dlo_error *err)
{
    /* RRF_RT_REG_SZ also takes REG_EXPAND_SZ and returns it expanded. */
    const DWORD flags = RRF_RT_REG_SZ | RRF_RT_REG_DWORD;
    wchar_t *wvalue = NULL, *data = NULL;
    HKEY hkey;
    DWORD type = 0, size = 0;
    LSTATUS rc;
    char why[300];
    dlo_status st;

    (void)ctx;
    st = open_key(view, key, KEY_QUERY_VALUE, &hkey, err);
    if (st)
        return st;
    wvalue = win_utf8_to_utf16(value, strlen(value));
    if (!wvalue) {
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
        goto cleanup_key;
    }
    /* An expanded string can grow between the size query and the read: ask again until the
     * buffer holds it. */
    for (;;) {
        rc = RegGetValueW(hkey, NULL, wvalue, flags, &type, data, &size);
        if (rc == ERROR_SUCCESS && data)
            break;
        if (rc != ERROR_SUCCESS && rc != ERROR_MORE_DATA)
            break;
        free(data);
        data = malloc(size + sizeof(wchar_t));
        if (!data) {
            st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
            goto cleanup_value;
        }
    }
    if (rc == ERROR_UNSUPPORTED_TYPE) {
        st = dlo_error_set(err, DLO_E_CONFIG,
                           "HKLM\\%s value %s (%s) has a type other than REG_SZ, REG_EXPAND_SZ "
                           "and REG_DWORD",
                           key, value[0] ? value : "(default)", view_label(view));
        goto cleanup_data;
    }
    if (rc != ERROR_SUCCESS) {
        win_error_text((DWORD)rc, why, sizeof(why));
        st = dlo_error_set(err, win_status((DWORD)rc), "cannot read HKLM\\%s value %s (%s): %s",
                           key, value[0] ? value : "(default)", view_label(view), why);
        goto cleanup_data;
    }
    if (type == REG_DWORD) {
        out->type = DLO_DETECT_REG_NUMBER;
        memcpy(&out->number, data, sizeof(out->number));
    } else {
        char *utf8 = win_utf16_to_utf8(data);
        if (!utf8) {
            st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
            goto cleanup_data;
        }
        out->type = DLO_DETECT_REG_STRING;
        dlo_buf_puts(&out->str, utf8);
        free(utf8);
        st = dlo_buf_status(&out->str);
        if (st)
            dlo_error_set(err, st, "out of memory");
    }
cleanup_data:
    free(data);
cleanup_value:
    free(wvalue);
cleanup_key:
    RegCloseKey(hkey);
    return st;
}

static dlo_status win_reg_subkeys(void *ctx, dlo_reg_view view, const char *key, dlo_strlist *out,
                                  dlo_error *err)
{
    wchar_t name[256]; /* a key name has at most 255 characters */
    HKEY hkey;
    DWORD i;
    LSTATUS rc;
    char why[300];
    dlo_status st;

    (void)ctx;
    st = open_key(view, key, KEY_ENUMERATE_SUB_KEYS, &hkey, err);
    if (st)
        return st;
    for (i = 0;; i++) {
        DWORD len = sizeof(name) / sizeof(name[0]);
        char *utf8;

        rc = RegEnumKeyExW(hkey, i, name, &len, NULL, NULL, NULL, NULL);
        if (rc == ERROR_NO_MORE_ITEMS)
            break;
        if (rc != ERROR_SUCCESS) {
            win_error_text((DWORD)rc, why, sizeof(why));
            st = dlo_error_set(err, win_status((DWORD)rc), "cannot list HKLM\\%s (%s): %s", key,
                               view_label(view), why);
            break;
        }
        utf8 = win_utf16_to_utf8(name);
        st = utf8 ? dlo_strlist_add(out, utf8) : DLO_E_NOMEM;
        free(utf8);
        if (st) {
            dlo_error_set(err, st, "out of memory");
            break;
        }
    }
    RegCloseKey(hkey);
    return st;
}

static dlo_status win_file_exists(void *ctx, const char *path, dlo_error *err)
{
    wchar_t *wpath = win_utf8_to_utf16(path, strlen(path));
    DWORD attrs, code;
    char why[300];

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
    win_error_text(code, why, sizeof(why));
    return dlo_error_set(err, win_status(code), "cannot check %s: %s", path, why);
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

const dlo_detect_os win_detect_os = {
    NULL, win_list_services, win_reg_read, win_reg_subkeys, win_file_exists, win_known_folder,
};
