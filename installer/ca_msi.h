/* What the custom actions use of Windows Installer (msi.dll), and the logging and property
 * helpers over it.
 *
 * msi.dll is not a Known DLL (tests/known-dlls.txt): imported statically, it would be looked
 * for first in the folder the loading process started from. The custom action server that
 * loads this DLL already has System32's msi.dll, but the rule is the same for every shipped
 * binary: the functions are taken from System32 at run time (win_system_proc), and each
 * exported action calls ca_msi_load first. */
#ifndef DLO_CA_MSI_H
#define DLO_CA_MSI_H

#include <windows.h>
#include <msi.h>
#include <msiquery.h>

#include <stdbool.h>

#include "dlo/status.h"

typedef struct ca_msi_api {
    UINT(WINAPI *get_property)(MSIHANDLE, LPCWSTR, LPWSTR, LPDWORD);
    UINT(WINAPI *set_property)(MSIHANDLE, LPCWSTR, LPCWSTR);
    MSIHANDLE(WINAPI *create_record)(UINT);
    UINT(WINAPI *record_set_string)(MSIHANDLE, UINT, LPCWSTR);
    UINT(WINAPI *record_get_string)(MSIHANDLE, UINT, LPWSTR, LPDWORD);
    INT(WINAPI *process_message)(MSIHANDLE, INSTALLMESSAGE, MSIHANDLE);
    UINT(WINAPI *close_handle)(MSIHANDLE);
    UINT(WINAPI *get_component_state)(MSIHANDLE, LPCWSTR, INSTALLSTATE *, INSTALLSTATE *);
    MSIHANDLE(WINAPI *get_active_database)(MSIHANDLE);
    UINT(WINAPI *database_open_view)(MSIHANDLE, LPCWSTR, MSIHANDLE *);
    UINT(WINAPI *view_execute)(MSIHANDLE, MSIHANDLE);
    UINT(WINAPI *view_fetch)(MSIHANDLE, MSIHANDLE *);
    UINT(WINAPI *enum_clients)(LPCWSTR, DWORD, LPWSTR);
} ca_msi_api;

/* The functions, once ca_msi_load returned true. */
extern ca_msi_api ca_msi;

/* Loads msi.dll's functions from System32; false when one is missing (nothing can be logged
 * then: the action fails). */
bool ca_msi_load(void);

/* One line in the MSI log (and, for INSTALLMESSAGE_ERROR, in the error dialog of a UI
 * install). */
void ca_log(MSIHANDLE install, INSTALLMESSAGE kind, const char *utf8);
void ca_logf(MSIHANDLE install, INSTALLMESSAGE kind, const char *fmt, ...) DLO_PRINTF(3, 4);

/* A property's value in UTF-8 (free()); "" when it is not set, NULL when out of memory. */
char *ca_get_property(MSIHANDLE install, const wchar_t *name);
/* Sets a property ("" removes it); false on failure. */
bool ca_set_property(MSIHANDLE install, const wchar_t *name, const char *utf8);

/* The first column of the first row of a query of the package's own tables, in UTF-8 (free());
 * NULL when there is no such row. The tables say what the package is, whatever properties the
 * command line set. */
char *ca_query_one(MSIHANDLE install, const wchar_t *sql);

#endif
