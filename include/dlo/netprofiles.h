/* Whether the networks the machine is on are ones its rules apply to.
 *
 * Corporate paths get the Domain profile by default (policies/dlo-10.0.ports), which is right
 * for a domain member and silently wrong for a machine that is not one: a workgroup server, or
 * a DMZ Edge Server on a Public network, would hold its corporate rules exactly as planned and
 * have none of them in effect. /verify reports it as a profile-mismatch warning and the service
 * logs it, each naming the value that fixes it (CorporateProfiles, InternetProfiles). */
#ifndef DLO_NETPROFILES_H
#define DLO_NETPROFILES_H

#include "dlo/buf.h"
#include "dlo/config.h"
#include "dlo/fwbackend.h"
#include "dlo/plan.h"
#include "dlo/reconcile.h"
#include "dlo/status.h"

#include <stddef.h>

typedef struct dlo_profile_mismatch {
    int network;      /* DLO_NET_* */
    unsigned current; /* DLO_PROFILE_* bits of the networks the machine is connected to */
    unsigned planned; /* ... that the class's rules apply to; none of them is current */
} dlo_profile_mismatch;

/* The network classes the plan has rules of whose profiles include none of `current`, in
 * DLO_NET_* order; returns how many (at most DLO_NET_COUNT). `current` 0, a firewall that does
 * not say which networks it is on, finds none: nothing is known to be wrong. */
size_t dlo_profile_mismatches(const dlo_plan *plan, unsigned current,
                              dlo_profile_mismatch out[DLO_NET_COUNT]);

/* The value that sets the profiles of a network class: CorporateProfiles, InternetProfiles. */
dlo_config_item dlo_profile_setting(int network);

/* One finding for people: the class, the current profiles, the rules' profiles, the value to
 * set and to what. */
void dlo_profile_mismatch_text(dlo_buf *b, const dlo_profile_mismatch *m);

/* Adds a profile-mismatch warning to rep for each finding, from the firewall's current
 * profiles (state->current_profiles, as /verify read them: dlo_reconcile_report.fw_state). NULL
 * state: the backend cannot say, nothing is added. */
dlo_status dlo_profile_mismatch_verify(const dlo_fw_state *state, const dlo_plan *plan,
                                       dlo_reconcile_report *rep, dlo_error *err);

#endif
