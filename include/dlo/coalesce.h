/* When the service runs the pass that a change asks for (dlo/service.h's wake bits).
 *
 * Changes come in bursts: Group Policy rewrites every value of its keys at a refresh, an
 * administrator's script deletes and adds rules one by one, and the agent's own pass writes
 * each rule it repairs. One burst gets one pass: the pass runs a quiet time after the last
 * change, and at the latest a longest wait after the first, so a burst that never pauses is
 * still acted on. The times depend on what changed: the configuration keys keep the service's
 * 2 s and 10 s (an administrator typing values one after the other), the firewall's own keys a
 * quarter of a second and 2 s, so a deleted rule is back within a second. When both kinds are
 * pending, the slower times apply: a configuration being written is waited for.
 *
 * Pure arithmetic on a clock the caller gives (milliseconds, any origin), so the host tests
 * drive it; agent/win/svcloop.c turns its answer into a waitable timer. */
#ifndef DLO_COALESCE_H
#define DLO_COALESCE_H

#include <stdint.h>

/* The configuration keys and the service list (DLO_WAKE_CONFIG, DLO_WAKE_SERVICES). */
#define DLO_COALESCE_QUIET_MS 2000u
#define DLO_COALESCE_MAX_MS   10000u
/* The firewall's rules and settings, Group Policy's firewall key, the network category
 * (DLO_WAKE_FIREWALL, DLO_WAKE_GROUP_POLICY, DLO_WAKE_NETWORK). */
#define DLO_COALESCE_FW_QUIET_MS 250u
#define DLO_COALESCE_FW_MAX_MS   2000u

typedef struct dlo_coalesce {
    unsigned pending;  /* dlo_wake bits noted since the last take */
    uint64_t first_ms; /* the first change of the burst */
    uint64_t due_ms;   /* when its pass is due; meaningful while pending */
} dlo_coalesce;

void dlo_coalesce_init(dlo_coalesce *c);
/* Notes a change of kind `why` (dlo_wake bits) at now_ms and returns when the pass is due:
 * the quiet time after now, but no later than the longest wait after the burst's first change
 * (never before now). */
uint64_t dlo_coalesce_note(dlo_coalesce *c, unsigned why, uint64_t now_ms);
/* The bits noted, for the pass about to run; the next note starts a new burst. */
unsigned dlo_coalesce_take(dlo_coalesce *c);

#endif
