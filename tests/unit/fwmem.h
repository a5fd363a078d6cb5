/* An in-memory firewall behind the dlo_fw_backend interface, for host tests of the reconcile
 * engine: it keeps rules by ID as Windows does (names need not be unique), counts calls, and
 * can fail chosen writes. */
#ifndef DLO_TEST_FWMEM_H
#define DLO_TEST_FWMEM_H

#include "dlo/fwbackend.h"
#include "dlo/rule.h"

typedef struct fwmem {
    dlo_rule_list rules; /* the firewall's rules; handle = the rule's ID */
    unsigned long next_id;
    dlo_fw_state state;
    /* counters */
    unsigned enumerations, writes, adds, updates, removes;
    /* faults: the write numbered fail_at (1-based, 0 = never) fails, and with fail_from every
     * write from that number on */
    unsigned fail_at, fail_from;
    dlo_status fail_status;
} fwmem;

void fwmem_init(fwmem *m);
void fwmem_free(fwmem *m);
/* A backend over m. */
dlo_fw_backend fwmem_backend(fwmem *m);
/* Adds a rule directly, as another program would. */
void fwmem_plant(fwmem *m, const dlo_rule *r);
void fwmem_reset_counters(fwmem *m);
/* Number of rules with this grouping (NULL: all). */
size_t fwmem_count(const fwmem *m, const char *grouping);
/* The rule with that name and grouping, or NULL. */
const dlo_rule *fwmem_find(const fwmem *m, const char *name, const char *grouping);

#endif
