/* /run: the service's loop in a console, until Ctrl+C or the window closes. */
#include <windows.h>

#include <string.h>

#include "dlo/log.h"
#include "dlo/version.h"
#include "win/eventlog.h"
#include "win/svcconsole.h"
#include "win/svcloop.h"
#include "win/winreg.h"
#include "win/winutil.h"

static HANDLE console_stop, console_done;

static BOOL WINAPI console_ctrl(DWORD type)
{
    /* Ctrl+C, Ctrl+Break, closing the window: all mean stop after the current pass. */
    SetEvent(console_stop);
    /* Windows ends the process when this returns from a close, logoff or shutdown event: let
     * a pass in progress finish first, within the few seconds Windows allows. */
    if (type == CTRL_CLOSE_EVENT || type == CTRL_LOGOFF_EVENT || type == CTRL_SHUTDOWN_EVENT)
        WaitForSingleObject(console_done, 4500);
    return TRUE;
}

dlo_status win_svcconsole_run(const dlo_platform *plat, const dlo_config_overrides *overrides,
                              dlo_error *err)
{
    win_loop loop;
    win_log log;
    dlo_status st;

    st = win_need_elevation(err, "run");
    if (st)
        return st;
    console_stop = CreateEventW(NULL, TRUE, FALSE, NULL);
    console_done = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!console_stop || !console_done) {
        st = win_last_error(err, "cannot create the stop event");
        goto cleanup_event;
    }
    if (!SetConsoleCtrlHandler(console_ctrl, TRUE)) {
        st = win_last_error(err, "cannot catch Ctrl+C");
        goto cleanup_event;
    }
    win_log_open(&log, false, true);
    dlo_log(DLO_LOG_INFO, "dloagent %s running in the console; Ctrl+C stops it",
            DLO_VERSION_STRING);
    memset(&loop, 0, sizeof(loop));
    loop.stop = console_stop;
    loop.registry = win_registry();
    loop.overrides = overrides;
    loop.ops = win_loop_ops(plat);
    st = win_loop_run(&loop, err);
    if (!st)
        dlo_log(DLO_LOG_INFO, "stopped; the firewall rules stay as they are");
    win_log_close(&log);
    SetEvent(console_done);
    SetConsoleCtrlHandler(console_ctrl, FALSE);
cleanup_event:
    if (console_stop)
        CloseHandle(console_stop);
    if (console_done)
        CloseHandle(console_done);
    console_stop = console_done = NULL;
    return st;
}
