/* The lock that keeps two processes of the agent from writing the firewall at once: the
 * service's pass, a hand-run /apply or /remove, the compliance remediation script (which runs
 * /apply). Each reads the rules, works out the difference and writes it; two doing so at once
 * would each write from a reading the other has made stale.
 *
 * A named mutex in the Global namespace (one for all sessions), created with a DACL that lets
 * only SYSTEM and Administrators open it, so no other account can hold it and stall the
 * service. An abandoned mutex (its holder ended mid-run) is taken over: the next run completes
 * a half-done one (README "/apply, /verify, /remove"). */
#ifndef DLO_WIN_FWLOCK_H
#define DLO_WIN_FWLOCK_H

#include "dlo/status.h"

#define WIN_FWLOCK_NAME L"Global\\dloagent-firewall-writes"
/* How long a run waits for another to finish before it gives up with an error. */
#define WIN_FWLOCK_WAIT_MS 120000u

/* dlo_platform.lock_firewall and unlock_firewall. */
dlo_status win_fwlock_take(void *ctx, dlo_error *err);
void win_fwlock_release(void *ctx);

#endif
