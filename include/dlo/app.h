/* The agent's command dispatcher, shared by the Windows executable and the host tests.
 * Everything the commands need from the operating system comes through dlo_platform
 * (dlo/platform.h). */
#ifndef DLO_APP_H
#define DLO_APP_H

#include "dlo/platform.h"

/* argv holds UTF-8 strings. Returns the process exit code (DLO_EXIT_*). */
int dlo_app_run(const dlo_platform *plat, int argc, char **argv);

#endif
