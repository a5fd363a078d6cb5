/* /install and /uninstall of the dloagent service. */
#ifndef DLO_WIN_SVCINSTALL_H
#define DLO_WIN_SVCINSTALL_H

#include "dlo/buf.h"
#include "dlo/status.h"

/* How long /uninstall waits for the service to stop. */
#define WIN_STOP_WAIT_MS 30000u

/* Registers the service (automatic start, LocalSystem, after the firewall's service where there
 * is one), its description and recovery actions, and the Event Log source; a second install
 * updates the registration in place. Needs elevation. What it did goes to out. */
dlo_status win_svcinstall_install(dlo_buf *out, dlo_error *err);
/* Stops and deletes the service and removes the Event Log source; either being absent is said
 * in out, not an error. Needs elevation. */
dlo_status win_svcinstall_uninstall(dlo_buf *out, dlo_error *err);

#endif
