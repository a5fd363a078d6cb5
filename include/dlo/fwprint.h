/* What the service's firewall watches see, as one number: a hash of every value of the keys a
 * foreign change to the firewall goes through. The service keeps the number of the firewall as
 * its last pass read it; a wake-up whose number is the same (the notification of the agent's
 * own writes, or of a rewrite that changed nothing) needs no pass, so the agent never chases
 * its own writes (dlo_service_pass).
 *
 * The keys are those the Windows layer watches (agent/win/svcloop.c): the local rule store and
 * the profile settings beside it, and Group Policy's firewall key with its rule store and
 * profile settings. The network category (NetworkList\Profiles) is watched too, but not hashed:
 * it changes no rule, and a category change always gets its pass. */
#ifndef DLO_FWPRINT_H
#define DLO_FWPRINT_H

#include "dlo/registry.h"
#include "dlo/rulestr.h"
#include "dlo/status.h"

#include <stdint.h>

/* Watched with its whole subtree: the rule store FirewallRules and the profile keys. */
#define DLO_WATCH_LOCAL_KEY DLO_LOCAL_POLICY_KEY
/* Watched with its whole subtree; it may not exist (no firewall GPO applies). */
#define DLO_WATCH_GP_KEY DLO_GP_POLICY_KEY
/* Each network's Category value (0 public, 1 private, 2 domain) under Profiles\{GUID}. */
#define DLO_WATCH_NETWORK_KEY                                                                      \
    "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\NetworkList\\Profiles"

/* The hash of the values of the local store and its profile keys, and of Group Policy's
 * firewall key, its rule store and profile keys; a key that does not exist counts as empty.
 * The order in which the registry lists values does not matter. Fails when a key cannot be
 * read (the caller then runs the pass). */
dlo_status dlo_fwprint_read(const dlo_registry *reg, uint64_t *out, dlo_error *err);

#endif
