/* The resolver the agent plans with (dlo/names.h): GetAddrInfoW from the System32 ws2_32
 * (win/netapi.h), on a worker thread the caller waits for with a bound. */
#ifndef DLO_WIN_RESOLVER_H
#define DLO_WIN_RESOLVER_H

#include <windows.h>

#include "dlo/names.h"

extern const dlo_resolver win_resolver;

/* The service's stop event: a resolution under way gives up as soon as it is set, so a pass
 * never holds up the service's stop. NULL: none (the commands). */
void win_resolver_set_stop(HANDLE stop);

#endif
