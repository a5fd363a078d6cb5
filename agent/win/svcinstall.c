/* /install and /uninstall: the dloagent service and its Event Log source registered as the
 * package's ServiceInstall table registers them (installer/dloagent.wxs), and removed. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win/eventlog.h"
#include "win/svcinstall.h"
#include "win/svcrecovery.h"
#include "win/winutil.h"

/* The full path of this executable, however long; free() it. */
static wchar_t *exe_path(void)
{
    DWORD cap = MAX_PATH;
    for (;;) {
        wchar_t *p = malloc(cap * sizeof(wchar_t));
        DWORD n;
        if (!p)
            return NULL;
        n = GetModuleFileNameW(NULL, p, cap);
        if (n > 0 && n < cap)
            return p;
        free(p);
        if (n == 0 || cap >= 32768)
            return NULL;
        cap *= 2;
    }
}

/* Its description and recovery actions (win/svcrecovery.h, which the package's custom action
 * shares). */
static dlo_status svc_configure(SC_HANDLE svc, dlo_buf *out, dlo_error *err)
{
    SERVICE_DESCRIPTIONW desc;
    bool non_crash = false;
    dlo_status st;

    desc.lpDescription = WIN_SERVICE_DESCRIPTION;
    if (!ChangeServiceConfig2W(svc, SERVICE_CONFIG_DESCRIPTION, &desc))
        return win_last_error(err, "cannot set the service description");
    st = win_service_set_recovery(svc, &non_crash, err);
    if (!st && !non_crash)
        dlo_buf_printf(out, "Note: recovery after non-crash failures is not available here; "
                            "recovery after crashes is set.\n");
    return st;
}

/* Creates the service, or on a second install (an upgrade) updates its registration in place;
 * *svc is open on it. */
static dlo_status register_service(SC_HANDLE scm, const wchar_t *bin, SC_HANDLE *svc,
                                   bool *fw_dependency, dlo_error *err)
{
    const wchar_t *deps = NULL;
    SC_HANDLE fw;

    /* The firewall's own service must run before rules can be changed. Wine has none, and a
     * dependency on a missing service would keep the agent from starting at all. */
    fw = OpenServiceW(scm, L"MpsSvc", SERVICE_QUERY_STATUS);
    if (fw) {
        deps = L"MpsSvc\0";
        CloseServiceHandle(fw);
    }
    *fw_dependency = deps != NULL;
    *svc = CreateServiceW(scm, WIN_SERVICE_NAME, WIN_SERVICE_DISPLAY, SERVICE_ALL_ACCESS,
                          SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_ERROR_NORMAL, bin,
                          NULL, NULL, deps, NULL /* LocalSystem */, NULL);
    if (*svc)
        return DLO_OK;
    if (GetLastError() != ERROR_SERVICE_EXISTS)
        return win_last_error(err, "cannot create the dloagent service");
    *svc = OpenServiceW(scm, WIN_SERVICE_NAME, SERVICE_ALL_ACCESS);
    if (!*svc)
        return win_last_error(err, "cannot create the dloagent service");
    if (!ChangeServiceConfigW(*svc, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                              SERVICE_ERROR_NORMAL, bin, NULL, NULL, deps ? deps : L"\0", NULL,
                              NULL, WIN_SERVICE_DISPLAY))
        return win_last_error(err, "cannot update the dloagent service");
    return DLO_OK;
}

dlo_status win_svcinstall_install(dlo_buf *out, dlo_error *err)
{
    wchar_t *exe = NULL, *bin = NULL;
    SC_HANDLE scm = NULL, svc = NULL;
    bool fw_dependency = false;
    dlo_status st;
    size_t n;
    char *exe8;

    st = win_need_elevation(err, "install");
    if (st)
        return st;
    exe = exe_path();
    if (!exe)
        return dlo_error_set(err, DLO_E_IO, "cannot find the path of dloagent.exe");
    /* Quoted, so a path with blanks cannot be taken for C:\Program.exe and friends. */
    n = wcslen(exe) + 32;
    bin = malloc(n * sizeof(wchar_t));
    if (!bin) {
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
        goto cleanup_exe;
    }
    swprintf(bin, n, L"\"%ls\" /service", exe);

    scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE);
    if (!scm) {
        st = win_last_error(err, "cannot open the Service Control Manager");
        goto cleanup_bin;
    }
    st = register_service(scm, bin, &svc, &fw_dependency, err);
    if (!st)
        st = svc_configure(svc, out, err);
    if (!st)
        st = win_eventlog_register(exe, err);
    if (!st) {
        exe8 = win_utf16_to_utf8(exe);
        dlo_buf_printf(out,
                       "Installed service dloagent (Arctera DLO Firewall Agent): \"%s\" /service, "
                       "automatic start, LocalSystem, restart on failure%s.\n"
                       "Registered Event Log source dloagent (log Application).\n"
                       "Start it now with: sc start dloagent\n",
                       exe8 ? exe8 : "?",
                       fw_dependency ? ", after the Windows Firewall service" : "");
        free(exe8);
    }
    if (svc)
        CloseServiceHandle(svc);
    CloseServiceHandle(scm);
cleanup_bin:
    free(bin);
cleanup_exe:
    free(exe);
    return st;
}

static dlo_status stop_and_wait(SC_HANDLE svc, dlo_buf *out, dlo_error *err)
{
    SERVICE_STATUS_PROCESS ssp;
    SERVICE_STATUS ss;
    DWORD n, waited = 0;

    if (!QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE *)&ssp, sizeof(ssp), &n))
        return win_last_error(err, "cannot query the dloagent service");
    if (ssp.dwCurrentState == SERVICE_STOPPED)
        return DLO_OK;
    if (!ControlService(svc, SERVICE_CONTROL_STOP, &ss) &&
        GetLastError() != ERROR_SERVICE_NOT_ACTIVE &&
        GetLastError() != ERROR_SERVICE_CANNOT_ACCEPT_CTRL)
        return win_last_error(err, "cannot stop the dloagent service");
    /* A one-off command, so a bounded poll is simpler than a notification here. */
    while (waited < WIN_STOP_WAIT_MS) {
        if (!QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE *)&ssp, sizeof(ssp), &n))
            return win_last_error(err, "cannot query the dloagent service");
        if (ssp.dwCurrentState == SERVICE_STOPPED) {
            dlo_buf_printf(out, "Stopped service dloagent.\n");
            return DLO_OK;
        }
        Sleep(200);
        waited += 200;
    }
    return dlo_error_set(err, DLO_E_IO,
                         "the dloagent service did not stop within %u seconds; it is marked for "
                         "deletion and goes when it stops",
                         WIN_STOP_WAIT_MS / 1000);
}

dlo_status win_svcinstall_uninstall(dlo_buf *out, dlo_error *err)
{
    SC_HANDLE scm, svc;
    dlo_status st, st2;

    st = win_need_elevation(err, "uninstall");
    if (st)
        return st;
    scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (!scm)
        return win_last_error(err, "cannot open the Service Control Manager");
    svc = OpenServiceW(scm, WIN_SERVICE_NAME, SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE);
    if (!svc) {
        if (GetLastError() != ERROR_SERVICE_DOES_NOT_EXIST) {
            st = win_last_error(err, "cannot open the dloagent service");
            goto cleanup_scm;
        }
        dlo_buf_puts(out, "Service dloagent is not installed.\n");
    } else {
        st = stop_and_wait(svc, out, err);
        if (!DeleteService(svc) && GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE && !st)
            st = win_last_error(err, "cannot delete the dloagent service");
        CloseServiceHandle(svc);
        if (!st)
            dlo_buf_puts(out, "Removed service dloagent.\n");
    }
    st2 = win_eventlog_unregister(st ? NULL : err);
    if (st2 == DLO_E_NOTFOUND) {
        dlo_buf_puts(out, "Event Log source dloagent is not registered.\n");
        st2 = DLO_OK;
    } else if (!st2) {
        dlo_buf_puts(out, "Removed Event Log source dloagent.\n");
    }
    if (!st)
        st = st2;
cleanup_scm:
    CloseServiceHandle(scm);
    return st;
}
