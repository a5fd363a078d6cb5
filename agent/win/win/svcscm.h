/* /service: how the Service Control Manager starts the agent. */
#ifndef DLO_WIN_SVCSCM_H
#define DLO_WIN_SVCSCM_H

#include "dlo/platform.h"
#include "dlo/status.h"

/* Connects to the Service Control Manager and runs the loop as the service dloagent, with plat,
 * until it is stopped. DLO_E_USAGE when not started by the Service Control Manager. */
dlo_status win_svcscm_run(const dlo_platform *plat, dlo_error *err);

#endif
