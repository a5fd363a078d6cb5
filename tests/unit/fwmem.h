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
    /* How addresses read back (FWMEM_READBACK_* bits; 0: as written), for the forms Windows
     * returns (../shared facts: community.windows issue 440, WindowsFirewallHelper issue 64). */
    unsigned readback;
} fwmem;

/* Reordered: keywords, then IPv4 sorted by number, then IPv6 as written; every entry in the
 * firewall's spelling (IPv4 with a dotted mask, 10.1.2.3 as 10.1.2.3/255.255.255.255). */
#define FWMEM_READBACK_SORTED 1u
/* An entry inside another entry of the list left out. */
#define FWMEM_READBACK_DROP_CONTAINED 2u

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
