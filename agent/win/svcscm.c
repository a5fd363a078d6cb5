/* /service: the loop under the Service Control Manager, which reports its state, takes stop
 * and shutdown requests, and applies the recovery actions when it stops on an error. */
#include <windows.h>

#include <string.h>

#include "dlo/log.h"
#include "dlo/version.h"
#include "win/eventlog.h"
#include "win/svcloop.h"
#include "win/svcrecovery.h"
#include "win/svcscm.h"
#include "win/winreg.h"
#include "win/winutil.h"

static struct {
    SERVICE_STATUS_HANDLE handle;
    SERVICE_STATUS status;
    CRITICAL_SECTION lock;
    HANDLE stop;
    const dlo_platform *plat;
} host;

static void svc_report(DWORD state, DWORD exit_code, DWORD service_code, DWORD wait_hint)
{
    EnterCriticalSection(&host.lock);
    host.status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    host.status.dwCurrentState = state;
    host.status.dwWin32ExitCode = exit_code;
    host.status.dwServiceSpecificExitCode = service_code;
    host.status.dwWaitHint = wait_hint;
    host.status.dwControlsAccepted =
        state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
    host.status.dwCheckPoint =
        (state == SERVICE_RUNNING || state == SERVICE_STOPPED) ? 0 : host.status.dwCheckPoint + 1;
    SetServiceStatus(host.handle, &host.status);
    LeaveCriticalSection(&host.lock);
}

static DWORD WINAPI svc_control(DWORD control, DWORD type, void *data, void *ctx)
{
    (void)type;
    (void)data;
    (void)ctx;
    switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        /* A pass in progress finishes first: allow it time. */
        svc_report(SERVICE_STOP_PENDING, NO_ERROR, 0, 30000);
        SetEvent(host.stop);
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

static void WINAPI svc_main(DWORD argc, wchar_t **argv)
{
    win_loop loop;
    dlo_config_overrides overrides;
    win_log log;
    dlo_error err;
    dlo_status st;

    (void)argc;
    (void)argv;
    host.handle = RegisterServiceCtrlHandlerExW(WIN_SERVICE_NAME, svc_control, NULL);
    if (!host.handle)
        return;
    svc_report(SERVICE_START_PENDING, NO_ERROR, 0, 5000);
    win_log_open(&log, true, false);
    host.stop = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!host.stop) {
        dlo_log_event(DLO_EV_SERVICE_PROBLEM, DLO_LOG_ERR, "cannot create the stop event");
        win_log_close(&log);
        svc_report(SERVICE_STOPPED, ERROR_SERVICE_SPECIFIC_ERROR, DLO_EXIT_FAILED, 0);
        return;
    }
    dlo_log_event(DLO_EV_SERVICE_STARTED, DLO_LOG_INFO, "dloagent %s, process %lu",
                  DLO_VERSION_STRING, GetCurrentProcessId());
    /* Running before the first pass: a slow firewall must not make the start time out. */
    svc_report(SERVICE_RUNNING, NO_ERROR, 0, 0);

    memset(&loop, 0, sizeof(loop));
    loop.stop = host.stop;
    loop.registry = win_registry();
    /* No switches, but the build the scopes are checked for. */
    memset(&overrides, 0, sizeof(overrides));
    overrides.os_build = host.plat->os_build(host.plat->ctx);
    loop.overrides = &overrides;
    loop.ops = win_loop_ops(host.plat);
    dlo_error_clear(&err);
    st = win_loop_run(&loop, &err);
    if (st)
        dlo_log_event(DLO_EV_SERVICE_STOPPED, DLO_LOG_ERR, "stopped on an error: %s", err.msg);
    else
        dlo_log_event(DLO_EV_SERVICE_STOPPED, DLO_LOG_INFO,
                      "stop requested; the firewall rules stay as they are (%lu passes; %lu "
                      "wake-ups found the firewall as the last pass read it)",
                      loop.passes, loop.unchanged);
    win_log_close(&log);
    CloseHandle(host.stop);
    /* An error exit makes the Service Control Manager apply the recovery actions. */
    svc_report(SERVICE_STOPPED, st ? ERROR_SERVICE_SPECIFIC_ERROR : NO_ERROR,
               st ? (DWORD)dlo_status_exit_code(st) : 0, 0);
}

dlo_status win_svcscm_run(const dlo_platform *plat, dlo_error *err)
{
    SERVICE_TABLE_ENTRYW table[] = {
        {(wchar_t *)WIN_SERVICE_NAME, svc_main},
        {NULL, NULL},
    };

    host.plat = plat;
    InitializeCriticalSection(&host.lock);
    if (!StartServiceCtrlDispatcherW(table)) {
        DWORD code = GetLastError();
        DeleteCriticalSection(&host.lock);
        if (code == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT)
            return dlo_error_set(err, DLO_E_USAGE,
                                 "/service is how the Service Control Manager starts the agent; "
                                 "to run the service loop in a console use /run");
        return win_error_set(err, code, "cannot connect to the Service Control Manager");
    }
    /* The Service Control Manager has been told SERVICE_STOPPED, and whoever stopped the service
     * may now delete this very file (an uninstall, an installer's rollback): a process still
     * unwinding COM and the C runtime keeps it in use, and Windows Installer then leaves it
     * behind until a reboot. Nothing is left to save, so the process ends here. */
    ExitProcess(0);
}
