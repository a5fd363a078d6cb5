#include "dlo/exposure.h"

#include "dlo/addr.h"

#include <string.h>

bool dlo_exposure_unscoped(const dlo_rule *r, const dlo_config *cfg, dlo_unscoped *out)
{
    int role;
    memset(out, 0, sizeof(*out));
    if (r->direction != DLO_DIR_IN || r->action != DLO_ACTION_ALLOW || !r->enabled)
        return false;
    out->profiles = r->profiles & DLO_EXPOSURE_PROFILES;
    if (!out->profiles)
        return false;
    out->coverage = dlo_addr_coverage(r->remote_addresses);
    if (!out->coverage)
        return false;
    for (role = 0; role < DLO_ROLE_COUNT; role++) {
        if (!(r->peers & DLO_ROLE_BIT(role)))
            continue;
        /* A peer with a scope of its own does not widen the rule; the others do. */
        if (!cfg || dlo_addr_coverage(cfg->scopes[role]))
            out->values[out->n_values++] = (dlo_config_item)(DLO_CFG_SCOPE_FIRST + role);
    }
    return true;
}
