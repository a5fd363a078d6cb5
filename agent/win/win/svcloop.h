/* The loop the service (/service) and /run share: the waiting, around the core's passes
 * (dlo/service.h). */
#ifndef DLO_WIN_SVCLOOP_H
#define DLO_WIN_SVCLOOP_H

#include <windows.h>

#include "dlo/config.h"
#include "dlo/platform.h"
#include "dlo/registry.h"
#include "dlo/service.h"
#include "dlo/status.h"

/* After a failed pass, the first retry, doubling up to the drift-repair interval. */
#define WIN_RETRY_FIRST_MS 30000u
/* Where the Service Control Manager cannot notify service creation and deletion (Wine), the
 * service list is compared with the last one this often instead. */
#define WIN_SERVICE_POLL_MS 5000u

typedef struct win_loop {
    HANDLE stop; /* manual-reset event: set to stop between passes */
    const dlo_registry *registry;
    const dlo_config_overrides *overrides; /* the switches of /run, or NULL */
    dlo_service_ops ops;
    /* Set when it returns: the passes run, and the wake-ups that found the firewall's keys as
     * the last pass read them (dlo_service_loop), for the stop event. */
    unsigned long passes, unchanged;
} win_loop;

/* The work of each pass: the reconcile engine on plat (dlo_agent_reconcile), the configuration
 * summary of the front, failures recorded in the compliance state. */
dlo_service_ops win_loop_ops(const dlo_platform *plat);

/* Runs until loop->stop is set. Fails only if it cannot run at all (ops->start failed, no
 * timer can be made); everything that goes wrong while running is logged and retried. */
dlo_status win_loop_run(win_loop *loop, dlo_error *err);

#endif
