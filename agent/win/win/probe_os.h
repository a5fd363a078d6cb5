#ifndef DLO_WIN_PROBE_OS_H
#define DLO_WIN_PROBE_OS_H

#include "dlo/probe.h"

/* /probe's view of the machine: the IP Helper listeners tables with each owner's image and
 * service, Winsock connections with a timeout, and name resolution. Read-only apart from the
 * connections /probe asks for; works unelevated (processes it may not open show no image). */
extern const dlo_probe_os win_probe_os;

#endif
