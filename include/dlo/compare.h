/* What one set of rules opens, closes, widens and narrows against another: `/plan /compare:FILE`
 * (a saved plan against the current one) and `/matrix /compare:FILE` (the plans of every role
 * and mode under the port matrix in use against those under FILE's).
 *
 * Rules are paired by name, which a plan gives each rule once. Each property that limits what a
 * rule lets through is compared as a typed value: port lists as sets of ranges and keywords
 * (dlo_portset_minus), address lists as sets (dlo_prop_within over dlo_addrset), profiles as
 * bits, the program and service as names. A property the earlier side does not state (a plan
 * saved by an older version) is not compared and is said as such: never wider, never
 * narrower. */
#ifndef DLO_COMPARE_H
#define DLO_COMPARE_H

#include "dlo/plan.h"
#include "dlo/policy.h"
#include "dlo/portset.h"
#include "dlo/rule.h"
#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum dlo_cmp_kind {
    DLO_CMP_OPENS,      /* a rule only the later side has */
    DLO_CMP_CLOSES,     /* a rule only the earlier side has */
    DLO_CMP_WIDENS,     /* a property lets more through (added: what more) */
    DLO_CMP_NARROWS,    /* a property lets less through (added: what less, in `delta`) */
    DLO_CMP_CHANGES,    /* neither: the other direction or protocol, another program */
    DLO_CMP_NOT_STATED, /* the earlier side does not state the property: not compared */
} dlo_cmp_kind;

typedef struct dlo_cmp_item {
    dlo_cmp_kind kind;
    const dlo_rule *was;  /* borrowed; NULL for OPENS */
    const dlo_rule *now;  /* borrowed; NULL for CLOSES */
    const dlo_prop *prop; /* NULL for OPENS and CLOSES */
    /* Ports: what the later side lets through and the earlier not (WIDENS), or the reverse
     * (NARROWS); empty for other properties. Profiles: the bits added or dropped. */
    dlo_portset delta;
    unsigned bits;
} dlo_cmp_item;

typedef struct dlo_comparison {
    dlo_cmp_item *items;
    size_t count, cap;
} dlo_comparison;

void dlo_comparison_init(dlo_comparison *c);
void dlo_comparison_free(dlo_comparison *c);

/* Appends to out what `now` changes against `was`: the rules only now has (in its order), those
 * only was has, and for each pair the properties that differ, in the order of dlo_props.
 * was_stated[i] holds the DLO_PROP_* bits was's rule i states (NULL: every one); a property a
 * pair's earlier rule does not state is one NOT_STATED item. The rule lists must outlive out. */
dlo_status dlo_compare_rules(const dlo_rule_list *was, const unsigned *was_stated,
                             const dlo_rule_list *now, dlo_comparison *out);

/* The comparison of one role in one mode, for /matrix /compare. */
typedef struct dlo_matrix_diff {
    dlo_mode mode;
    dlo_role role;
    dlo_plan was, now;
    dlo_comparison cmp;
} dlo_matrix_diff;

typedef struct dlo_matrix_comparison {
    dlo_matrix_diff *groups; /* only the role and mode pairs with a difference */
    size_t count, cap;
} dlo_matrix_comparison;

/* For every mode and every role alone, the plan under `was` against the plan under `now`, with
 * the settings of no configuration (no scopes, the matrix's profiles, SQL Server on 1433): what
 * a new port matrix changes for a machine of that role. *out is initialised here. */
dlo_status dlo_compare_policies(const dlo_policy *was, const dlo_policy *now,
                                dlo_matrix_comparison *out, dlo_error *err);
void dlo_matrix_comparison_free(dlo_matrix_comparison *m);

/* The number of items of a kind, over a comparison. */
size_t dlo_comparison_count(const dlo_comparison *c, dlo_cmp_kind kind);

#endif
