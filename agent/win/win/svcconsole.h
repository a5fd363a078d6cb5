/* /run: the service's loop in a console. */
#ifndef DLO_WIN_SVCCONSOLE_H
#define DLO_WIN_SVCCONSOLE_H

#include "dlo/config.h"
#include "dlo/platform.h"
#include "dlo/status.h"

/* Runs the loop with plat and the command line's values until Ctrl+C, Ctrl+Break or the window
 * closes; a pass in progress finishes first. Needs elevation. */
dlo_status win_svcconsole_run(const dlo_platform *plat, const dlo_config_overrides *overrides,
                              dlo_error *err);

#endif
