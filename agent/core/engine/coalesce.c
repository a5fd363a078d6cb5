/* Bursts of changes to one pass (dlo/coalesce.h). */
#include "dlo/coalesce.h"

#include "dlo/service.h"

#include <string.h>

/* The kinds whose bursts are short and whose passes should come fast. */
#define FAST_KINDS (DLO_WAKE_FIREWALL | DLO_WAKE_GROUP_POLICY | DLO_WAKE_NETWORK)

void dlo_coalesce_init(dlo_coalesce *c)
{
    memset(c, 0, sizeof(*c));
}

uint64_t dlo_coalesce_note(dlo_coalesce *c, unsigned why, uint64_t now_ms)
{
    uint64_t quiet, longest, due;

    if (!c->pending)
        c->first_ms = now_ms;
    c->pending |= why;
    /* Any slow kind pending makes the whole burst wait as it would. */
    if (c->pending & ~FAST_KINDS) {
        quiet = DLO_COALESCE_QUIET_MS;
        longest = DLO_COALESCE_MAX_MS;
    } else {
        quiet = DLO_COALESCE_FW_QUIET_MS;
        longest = DLO_COALESCE_FW_MAX_MS;
    }
    due = now_ms + quiet;
    if (due > c->first_ms + longest)
        due = c->first_ms + longest;
    c->due_ms = due > now_ms ? due : now_ms;
    return c->due_ms;
}

unsigned dlo_coalesce_take(dlo_coalesce *c)
{
    unsigned why = c->pending;
    dlo_coalesce_init(c);
    return why;
}
