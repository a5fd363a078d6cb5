/* The plan's network classes against the networks the machine is on (dlo/netprofiles.h). */
#include "dlo/netprofiles.h"

#include "dlo/rule.h"

size_t dlo_profile_mismatches(const dlo_plan *plan, unsigned current,
                              dlo_profile_mismatch out[DLO_NET_COUNT])
{
    size_t n = 0;
    int net;

    current &= DLO_PROFILE_ALL;
    if (!current)
        return 0;
    for (net = 0; net < DLO_NET_COUNT; net++) {
        unsigned planned = plan->profiles[net] & DLO_PROFILE_ALL;
        if (!(plan->networks & (1u << net)) || (planned & current))
            continue;
        out[n].network = net;
        out[n].current = current;
        out[n].planned = planned;
        n++;
    }
    return n;
}

dlo_config_item dlo_profile_setting(int network)
{
    return network == DLO_NET_CORPORATE ? DLO_CFG_CORPORATE_PROFILES : DLO_CFG_INTERNET_PROFILES;
}

static void profiles_phrase(dlo_buf *b, unsigned profiles)
{
    dlo_buf_puts(b, "the ");
    dlo_profiles_text(b, profiles);
    dlo_buf_puts(b, dlo_bit_count(profiles) == 1 ? " profile" : " profiles");
}

void dlo_profile_mismatch_text(dlo_buf *b, const dlo_profile_mismatch *m)
{
    bool corporate = m->network == DLO_NET_CORPORATE;

    dlo_buf_puts(b, corporate ? "the corporate rules (paths that exist only inside the corporate "
                                "network) apply to "
                              : "the internet rules (paths to and from the Edge Server) apply to ");
    profiles_phrase(b, m->planned);
    dlo_buf_puts(b, ", and no network this machine is connected to is on ");
    dlo_buf_puts(b, dlo_bit_count(m->planned) == 1 ? "it" : "them");
    dlo_buf_puts(b, " (connected: ");
    dlo_profiles_text(b, m->current);
    dlo_buf_puts(b, "): they have no effect here. ");
    dlo_buf_puts(b, corporate ? "If this machine's corporate network is one of those (a machine "
                                "that is not a domain member, such as a workgroup or DMZ server), "
                              : "If the Edge Server is reached through one of those networks, ");
    dlo_buf_printf(b, "set %s to ", dlo_config_item_name(dlo_profile_setting(m->network)));
    dlo_profiles_value(b, m->planned | m->current);
}

dlo_status dlo_profile_mismatch_verify(const dlo_fw_state *state, const dlo_plan *plan,
                                       dlo_reconcile_report *rep, dlo_error *err)
{
    dlo_profile_mismatch found[DLO_NET_COUNT];
    dlo_buf msg;
    size_t i, n;
    dlo_status st = DLO_OK;

    if (!state)
        return DLO_OK;
    n = dlo_profile_mismatches(plan, state->current_profiles, found);
    dlo_buf_init(&msg);
    for (i = 0; i < n && !st; i++) {
        dlo_buf_reset(&msg);
        dlo_profile_mismatch_text(&msg, &found[i]);
        st = dlo_buf_status(&msg)
                 ? dlo_error_set(err, DLO_E_NOMEM, "out of memory")
                 : dlo_reconcile_add_mendable(
                       rep, true, "profile-mismatch", dlo_buf_str(&msg),
                       dlo_config_item_name(dlo_profile_setting(found[i].network)), err);
    }
    dlo_buf_free(&msg);
    return st;
}
