#include "ca_msi.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win/winutil.h"

ca_msi_api ca_msi;

/* Resolves one member of ca_msi from msi.dll as its own type. */
#define BIND(member, name)                                                                         \
    ((ca_msi.member = (__typeof__(ca_msi.member))win_system_proc(L"msi.dll", name, &err)) != NULL)

bool ca_msi_load(void)
{
    static bool loaded;
    dlo_error err;

    dlo_error_clear(&err);
    if (!loaded)
        loaded = BIND(get_property, "MsiGetPropertyW") && BIND(set_property, "MsiSetPropertyW") &&
                 BIND(create_record, "MsiCreateRecord") &&
                 BIND(record_set_string, "MsiRecordSetStringW") &&
                 BIND(record_get_string, "MsiRecordGetStringW") &&
                 BIND(process_message, "MsiProcessMessage") &&
                 BIND(close_handle, "MsiCloseHandle") &&
                 BIND(get_component_state, "MsiGetComponentStateW") &&
                 BIND(get_active_database, "MsiGetActiveDatabase") &&
                 BIND(database_open_view, "MsiDatabaseOpenViewW") &&
                 BIND(view_execute, "MsiViewExecute") && BIND(view_fetch, "MsiViewFetch") &&
                 BIND(enum_clients, "MsiEnumClientsW");
    return loaded;
}

void ca_log(MSIHANDLE install, INSTALLMESSAGE kind, const char *utf8)
{
    wchar_t *text = win_utf8_to_utf16(utf8, strlen(utf8));
    MSIHANDLE rec = ca_msi.create_record(1);

    if (text && rec) {
        /* Field 0 is a template: "[1]" prints field 1 as it is, brackets included. */
        ca_msi.record_set_string(rec, 0, L"[1]");
        ca_msi.record_set_string(rec, 1, text);
        ca_msi.process_message(install, kind, rec);
    }
    if (rec)
        ca_msi.close_handle(rec);
    free(text);
}

void ca_logf(MSIHANDLE install, INSTALLMESSAGE kind, const char *fmt, ...)
{
    char line[DLO_ERROR_MAX + 512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    ca_log(install, kind, line);
}

/* A string of get(handle, field, ...) in UTF-8: "" when empty, NULL on failure. */
static char *get_string(UINT(WINAPI *get)(MSIHANDLE, LPCWSTR, LPWSTR, LPDWORD), MSIHANDLE h,
                        const wchar_t *name)
{
    wchar_t empty[1] = L"";
    wchar_t *value;
    DWORD n = 0;
    char *utf8;

    if (get(h, name, empty, &n) != ERROR_MORE_DATA)
        return win_utf16_to_utf8(L"");
    n++;
    value = calloc(n, sizeof(*value));
    if (!value)
        return NULL;
    if (get(h, name, value, &n) != ERROR_SUCCESS)
        value[0] = L'\0';
    utf8 = win_utf16_to_utf8(value);
    free(value);
    return utf8;
}

char *ca_get_property(MSIHANDLE install, const wchar_t *name)
{
    return get_string(ca_msi.get_property, install, name);
}

bool ca_set_property(MSIHANDLE install, const wchar_t *name, const char *utf8)
{
    wchar_t *value = win_utf8_to_utf16(utf8, strlen(utf8));
    UINT rc = value ? ca_msi.set_property(install, name, value) : ERROR_OUTOFMEMORY;
    free(value);
    return rc == ERROR_SUCCESS;
}

/* Field 1 of a record, in UTF-8. */
static char *record_field(MSIHANDLE rec)
{
    wchar_t empty[1] = L"";
    wchar_t *value;
    DWORD n = 0;
    char *utf8;

    if (ca_msi.record_get_string(rec, 1, empty, &n) != ERROR_MORE_DATA)
        return NULL;
    n++;
    value = calloc(n, sizeof(*value));
    if (!value || ca_msi.record_get_string(rec, 1, value, &n) != ERROR_SUCCESS) {
        free(value);
        return NULL;
    }
    utf8 = win_utf16_to_utf8(value);
    free(value);
    return utf8;
}

char *ca_query_one(MSIHANDLE install, const wchar_t *sql)
{
    MSIHANDLE db = ca_msi.get_active_database(install), view = 0, rec = 0;
    char *out = NULL;

    if (db && ca_msi.database_open_view(db, sql, &view) == ERROR_SUCCESS &&
        ca_msi.view_execute(view, 0) == ERROR_SUCCESS &&
        ca_msi.view_fetch(view, &rec) == ERROR_SUCCESS)
        out = record_field(rec);
    if (rec)
        ca_msi.close_handle(rec);
    if (view)
        ca_msi.close_handle(view);
    if (db)
        ca_msi.close_handle(db);
    return out;
}
