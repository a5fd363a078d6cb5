/* The Windows service host: /install, /uninstall, /run, /service, and the one loop they run. */
#ifndef DLO_WIN_SERVICE_H
#define DLO_WIN_SERVICE_H

#include <windows.h>

#include <stdbool.h>

#include "dlo/buf.h"
#include "dlo/cli.h"
#include "dlo/platform.h"
#include "dlo/registry.h"
#include "dlo/service.h"
#include "dlo/status.h"

#define WIN_SERVICE_NAME    L"dloagent"
#define WIN_SERVICE_DISPLAY L"Arctera DLO Firewall Agent"
/* The package's ServiceInstall row says the same (installer/dloagent.wxs; installer.tables
 * compares them). */
#define WIN_SERVICE_DESCRIPTION                                                                    \
    L"Keeps the Windows Firewall rules that the Arctera Desktop and Laptop Option components of "  \
    L"this machine need, in the configured BOI mode. Stopping it leaves the rules as they are."

/* Burst coalescing: a pass runs this long after the last change of a burst, and at the latest
 * this long after its first change. */
#define WIN_DEBOUNCE_MS     2000u
#define WIN_DEBOUNCE_MAX_MS 10000u
/* After a failed pass, the first retry, doubling up to the drift-repair interval. */
#define WIN_RETRY_FIRST_MS 30000u
/* Where the Service Control Manager cannot notify service creation and deletion (Wine), the
 * service list is compared with the last one this often instead. */
#define WIN_SERVICE_POLL_MS 5000u
/* How long /uninstall waits for the service to stop. */
#define WIN_STOP_WAIT_MS 30000u

/* dlo_platform.service_command: the passes of /run and /service plan and reconcile on plat. */
dlo_status win_service_command(const dlo_platform *plat, const dlo_cli *cli, dlo_buf *out,
                               dlo_error *err);

/* The loop shared by the service and /run. */
typedef struct win_loop {
    HANDLE stop; /* manual-reset event: set to stop between passes */
    const dlo_registry *registry;
    const dlo_config_overrides *overrides; /* the switches of /run, or NULL */
    dlo_service_ops ops;
} win_loop;

/* Runs until loop->stop is set. Fails only if it cannot run at all (ops->start failed, no
 * timer can be made); everything that goes wrong while running is logged and retried. */
dlo_status win_loop_run(win_loop *loop, dlo_error *err);

#endif
