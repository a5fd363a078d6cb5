/* What the plan opens to whom: the inbound rules open to any remote address on a network that
 * is not the corporate one, and the scope values that would narrow them. /plan lists them as
 * warnings and /verify among its warnings (so /verify /strict fails on them): a default scope of
 * `*` is the widest Windows allows, and a security reviewer must see where it is left. A list is
 * judged by what it covers, not by its spelling (dlo_addr_coverage): 0.0.0.0/1,128.0.0.0/1 is
 * as open as `*`. */
#ifndef DLO_EXPOSURE_H
#define DLO_EXPOSURE_H

#include "dlo/buf.h"
#include "dlo/config.h"
#include "dlo/reconcile.h"
#include "dlo/roles.h"
#include "dlo/rule.h"

#include <stdbool.h>
#include <stddef.h>

/* The profiles where `*` is a finding: on Domain the machine is behind the corporate edge. */
#define DLO_EXPOSURE_PROFILES (DLO_PROFILE_PRIVATE | DLO_PROFILE_PUBLIC)

typedef struct dlo_unscoped {
    unsigned profiles; /* the rule's DLO_EXPOSURE_PROFILES bits */
    unsigned coverage; /* what its remote addresses cover: DLO_ADDR_COVERS_* bits */
    /* The scope values (DLO_CFG_SCOPE_FIRST + peer role) of the rule's peers whose scope covers
     * every address, in role order: setting them narrows the rule. None when the rule has no
     * peers. */
    dlo_config_item values[DLO_ROLE_COUNT];
    size_t n_values;
} dlo_unscoped;

/* True when r is an enabled inbound Allow rule whose remote addresses cover every address of a
 * family (dlo_addr_coverage) on the Private or Public profile; then *out says where and what
 * narrows it. cfg NULL stands for the defaults (every scope `*`). */
bool dlo_exposure_unscoped(const dlo_rule *r, const dlo_config *cfg, dlo_unscoped *out);

/* The finding for people, the same in /plan and /verify: "'NAME' (in TCP 443) is open to any
 * remote address on the Private and Public profiles: set EdgeServers to narrow it". */
void dlo_exposure_text(dlo_buf *b, const dlo_rule *r, const dlo_unscoped *u);

/* Adds /verify's `unscoped` warnings to rep: the planned rules open to any address on Private or
 * Public for cfg's scopes, each with the values that would narrow it (dlo_problem.settings). */
dlo_status dlo_exposure_add_unscoped(dlo_reconcile_report *rep, const dlo_rule_list *plan,
                                     const dlo_config *cfg, dlo_error *err);

#endif
