/* The dlo_platform of dloagent.exe: the one place that puts the Windows layer's parts
 * together. Nothing else in the layer includes it, so no feature file depends on another. */
#ifndef DLO_WIN_WINPLATFORM_H
#define DLO_WIN_WINPLATFORM_H

#include "dlo/platform.h"

/* Console output, embedded data and files, the COM firewall, elevation, detection over the SCM
 * and the file system, the registry, and the service host. */
const dlo_platform *win_platform(void);

#endif
