/* The firewall as it really acts: INetFwPolicy2 enumerates the local rule store only, while
 * Group Policy's rules and per-profile settings (which win over the local ones, and can make
 * local rules inert) sit in the registry as rule strings (dlo/rulestr.h) and REG_DWORDs. This
 * module reads both rule stores and the settings through the registry seam and judges, per
 * profile of the plan, whether the planned rules take effect and where from; /verify and the
 * service's pass report what it finds. */
#ifndef DLO_EFFECTIVE_H
#define DLO_EFFECTIVE_H

#include "dlo/fwbackend.h"
#include "dlo/reconcile.h"
#include "dlo/registry.h"
#include "dlo/rule.h"
#include "dlo/rulestr.h"
#include "dlo/status.h"

#include <stdbool.h>
#include <stddef.h>

/* A setting Group Policy leaves alone, so the local one holds. */
#define DLO_GP_UNSET (-1)

/* The per-profile settings of one store: 1, 0 or DLO_GP_UNSET. */
typedef struct dlo_profile_settings {
    int enable_firewall;   /* EnableFirewall */
    int inbound_block;     /* DefaultInboundAction (1 = Block) */
    int outbound_block;    /* DefaultOutboundAction (1 = Block) */
    int local_merge;       /* AllowLocalPolicyMerge (0 = local rules do not apply) */
    int block_all_inbound; /* DoNotAllowExceptions ("block all connections") */
} dlo_profile_settings;

typedef struct dlo_rule_store {
    dlo_profile_settings profiles[3]; /* [0] domain, [1] private, [2] public */
    dlo_rule_list rules;              /* every rule of the store, foreign ones included */
    bool rules_read;                  /* false: the account may not list the store */
    size_t skipped; /* values that are no string at all (not REG_SZ or REG_EXPAND_SZ) */
} dlo_rule_store;

typedef struct dlo_effective {
    dlo_rule_store gp;    /* HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall */
    dlo_rule_store local; /* HKLM\SYSTEM\...\SharedAccess\Parameters\FirewallPolicy */
} dlo_effective;

void dlo_effective_init(dlo_effective *e);
void dlo_effective_free(dlo_effective *e);

/* Reads the rule strings of HKLM\`key` (a FirewallRules key) into out. DLO_E_NOTFOUND: no
 * such key; DLO_E_ACCESS and other failures name the key. */
dlo_status dlo_rule_store_read(const dlo_registry *reg, const char *key, dlo_rule_list *out,
                               size_t *skipped, dlo_error *err);

/* Both stores and their settings. A store the account may not read is left empty with
 * rules_read false (the analysis then says what it could not see); a registry without a
 * values enumerator reads as no Group Policy at all. */
dlo_status dlo_effective_read(const dlo_registry *reg, dlo_effective *out, dlo_error *err);

/* Adds to rep, the report of dlo_reconcile_verify over the same plan, what the effective
 * policy changes: Group Policy's settings per planned profile (firewall off, inbound blocked,
 * outbound Block), local rules that do not apply and whether Group Policy delivers the agent's
 * rules instead (then those rules count as right and rep->note says so; else the gp-override
 * problem names what Group Policy lacks), Block rules of the Group Policy store, and Allow
 * rules of others that open a planned port wider than the plan (warnings), both judged by the
 * matching model (dlo/match.h) on the machine of state->os: a rule that may apply is a
 * may-block or may-overexpose warning. Where the local
 * store was read (e->local.rules_read), rep->firewall is that store as read, every property of
 * every rule (dlo_effective_verify makes it so); COM's enumeration is not, so others' Allow rules
 * of the local store are judged only then. Sets rep->sources and recomputes *compliant. */
dlo_status dlo_effective_judge(const dlo_effective *e, const dlo_fw_state *state,
                               const dlo_rule_list *plan, dlo_reconcile_report *rep,
                               bool *compliant, dlo_error *err);

/* For the service's pass event: one sentence on the effective policy of the plan, appended to
 * out ("local rules take effect on every planned profile", or where they do not, why, and
 * whether Group Policy supplies the agent's rules there). Returns true when local rules do not
 * take effect on a planned profile; *supplied says whether Group Policy delivers them all. */
bool dlo_effective_summary(const dlo_effective *e, const dlo_fw_state *state,
                           const dlo_rule_list *plan, bool *supplied, dlo_buf *out);

/* The stores read, dlo_reconcile_verify over the local store as read (COM enumerates it where
 * the account may not read it), then judged. */
dlo_status dlo_effective_verify(const dlo_fw_backend *fw, const dlo_registry *reg,
                                const dlo_rule_list *plan, dlo_reconcile_report *rep,
                                bool *compliant, dlo_error *err);

#endif
