#include "dlo/exposure.h"

#include "dlo/addr.h"
#include "dlo/str.h"

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

void dlo_exposure_text(dlo_buf *b, const dlo_rule *r, const dlo_unscoped *u)
{
    size_t i;
    dlo_buf_printf(b, "'%s' (%s %s %s) is open to ", dlo_str(r->name),
                   dlo_direction_name(r->direction), dlo_protocol_name(r->protocol),
                   dlo_str(r->local_ports));
    if (dlo_list_is_any(r->remote_addresses)) {
        dlo_buf_puts(b, "any remote address");
    } else {
        size_t n = strlen(r->remote_addresses), shown = dlo_utf8_cut(r->remote_addresses, n, 100);
        dlo_addr_coverage_text(b, u->coverage);
        dlo_buf_printf(b, " (remote addresses %.*s%s)", (int)shown, r->remote_addresses,
                       shown < n ? "..." : "");
    }
    dlo_buf_puts(b, " on the ");
    dlo_profiles_text(b, u->profiles);
    dlo_buf_puts(b, u->profiles == DLO_EXPOSURE_PROFILES ? " profiles" : " profile");
    if (!u->n_values) {
        dlo_buf_puts(b, ", and it has no peer role whose scope would narrow it");
        return;
    }
    dlo_buf_puts(b, ": set ");
    for (i = 0; i < u->n_values; i++)
        dlo_buf_printf(b, "%s%s", i ? (i + 1 == u->n_values ? " and " : ", ") : "",
                       dlo_config_item_name(u->values[i]));
    dlo_buf_puts(b, " to narrow it");
}

dlo_status dlo_exposure_add_unscoped(dlo_reconcile_report *rep, const dlo_rule_list *plan,
                                     const dlo_config *cfg, dlo_error *err)
{
    dlo_status st = DLO_OK;
    size_t i, k;
    dlo_buf msg, settings;
    dlo_buf_init(&msg);
    dlo_buf_init(&settings);
    for (i = 0; i < plan->count && !st; i++) {
        dlo_unscoped u;
        if (!dlo_exposure_unscoped(&plan->items[i], cfg, &u))
            continue;
        dlo_buf_reset(&msg);
        dlo_buf_reset(&settings);
        dlo_exposure_text(&msg, &plan->items[i], &u);
        for (k = 0; k < u.n_values; k++)
            dlo_buf_printf(&settings, "%s%s", k ? "," : "", dlo_config_item_name(u.values[k]));
        st = dlo_buf_status(&msg) || dlo_buf_status(&settings)
                 ? dlo_error_set(err, DLO_E_NOMEM, "out of memory")
                 : dlo_reconcile_add_mendable(rep, true, "unscoped", dlo_buf_str(&msg),
                                              dlo_buf_str(&settings), err);
    }
    dlo_buf_free(&msg);
    dlo_buf_free(&settings);
    return st;
}
