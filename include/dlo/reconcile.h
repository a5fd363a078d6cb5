/* Making the firewall match the plan: the diff between the rules the agent owns and the plan,
 * applying it with rollback, verifying without changing anything, and removing everything the
 * agent owns.
 *
 * Ownership: a rule is the agent's if and only if its Grouping is DLO_RULE_GROUPING. Nothing
 * else is ever changed or removed, whatever its name. Every run enumerates the firewall once;
 * a compliant firewall gets no write at all. */
#ifndef DLO_RECONCILE_H
#define DLO_RECONCILE_H

#include "dlo/buf.h"
#include "dlo/fwbackend.h"
#include "dlo/match.h"
#include "dlo/rule.h"
#include "dlo/status.h"

#include <stdbool.h>

/* Which properties (DLO_PROP_* bits of dlo/rule.h) of `have` differ from `want` by meaning
 * (dlo_prop_equal: lists as sets, "*", "Any" and unset alike, profile "all" bits, case). */
unsigned dlo_rule_differences(const dlo_rule *want, const dlo_rule *have);
/* "local_ports" and so on, for a DLO_PROP_* bit. */
const char *dlo_prop_name(unsigned bit);
/* The property's value as text, for reports. */
void dlo_prop_value(dlo_buf *b, const dlo_rule *r, unsigned bit);

typedef enum dlo_change_kind {
    DLO_CHANGE_ADD,
    DLO_CHANGE_UPDATE,
    DLO_CHANGE_REMOVE,
} dlo_change_kind;

typedef enum dlo_stale_reason {
    DLO_STALE_NOT_PLANNED, /* owned, but the plan has no rule of that name */
    DLO_STALE_DUPLICATE,   /* owned, and another owned rule already stands for that name */
} dlo_stale_reason;

typedef struct dlo_change {
    dlo_change_kind kind;
    const dlo_rule *want;    /* ADD, UPDATE: the planned rule */
    dlo_rule *have;          /* UPDATE, REMOVE: the enumerated rule */
    unsigned differences;    /* UPDATE */
    dlo_stale_reason reason; /* REMOVE */
} dlo_change;

typedef struct dlo_diff {
    dlo_change *items;
    size_t count;
    size_t owned;     /* owned rules found */
    size_t compliant; /* planned rules found exactly as planned */
} dlo_diff;

/* Compares the plan with the owned rules among `all` (the firewall's enumeration). The changes
 * point into both lists, which must outlive the diff. Updates and adds come first, removals
 * last, so a rule being replaced never leaves a gap. */
dlo_status dlo_diff_compute(const dlo_rule_list *plan, dlo_rule_list *all, dlo_diff *out,
                            dlo_error *err);
void dlo_diff_free(dlo_diff *diff);

/* What a run did or found, for the reports of /apply, /verify and /remove. */
typedef struct dlo_problem {
    char *kind;    /* "firewall-off", "gp-override", "blocked-by-rule", "outbound-blocked" */
    char *message; /* for people */
    /* The configuration values that would mend it, comma-separated ("CorporateProfiles",
     * "AdminConsoles,ClientNetworks"), for tools; NULL when no value does. */
    char *settings;
} dlo_problem;

void dlo_problem_free(dlo_problem *p);

typedef struct dlo_reconcile_report {
    dlo_diff diff;          /* the changes needed (verify) or made (apply, remove) */
    dlo_rule_list firewall; /* the enumeration the diff points into */
    size_t planned;
    size_t applied;       /* changes of the diff carried out (all of them on success) */
    size_t writes;        /* firewall writes performed, rollback included */
    bool rolled_back;     /* a write failed and the owned rules were put back */
    bool rollback_failed; /* ... and putting them back failed too */
    /* verify: the firewall's state as it was judged (dlo_fw_backend.get_state), read once for
     * every finding that depends on it */
    dlo_fw_state fw_state;
    bool fw_state_read;
    dlo_problem *problems; /* verify: what makes rules ineffective */
    size_t n_problems;
    /* verify with the effective policy (dlo/effective.h); empty otherwise */
    dlo_problem *warnings; /* what may stop or opens more than the plan: "may-block", ... */
    size_t n_warnings;
    size_t cap_problems, cap_warnings; /* allocated */
    const dlo_rule_list *plan;         /* the plan verified, which sources follows */
    const char **sources; /* per planned rule: "local", "group-policy", or NULL (neither) */
    char *note;           /* for people: where the rules that take effect come from */
    /* A cautious apply (dlo_reconcile_apply_opts): */
    bool cautious;
    size_t widened; /* updates that kept ports, addresses, profiles or no binding beyond the plan */
    size_t withheld; /* removals not made */
    dlo_rule *kept;  /* the rules those updates wrote instead of the planned ones */
    size_t n_kept;
    /* Who changed or deleted each missing or drifted rule (dlo/drift.h): per item of diff,
     * the short form of dlo_attribution_by, or NULL where nobody looked. NULL: nobody did. */
    char **changed_by;
    size_t n_changed_by;
} dlo_reconcile_report;

void dlo_reconcile_report_free(const dlo_fw_backend *fw, dlo_reconcile_report *rep);

/* Judges the Block rules among `rules` (someone else's, from the `store` "local" or "Group
 * Policy"; a rule whose action did not read is judged too) against each planned rule by the
 * matching model (dlo/match.h) on a machine of version os: one that applies is a blocked-by-rule
 * problem per planned rule it stops, one that may apply a may-block warning naming it, its store
 * and the field. The rules that may block only because the planned rules they meet allow any
 * remote address share one may-block warning, whose settings are the peers' scope values. */
dlo_status dlo_reconcile_blocks(dlo_reconcile_report *rep, const dlo_rule_list *rules,
                                const char *store, const dlo_rule_list *plan,
                                const dlo_os_version *os, dlo_error *err);
/* Appends a problem (or, with warnings, a warning) to the report. */
dlo_status dlo_reconcile_add_problem(dlo_reconcile_report *rep, bool warning, const char *kind,
                                     const char *message, dlo_error *err);
/* The same, with the configuration values that would mend it (dlo_problem.settings). */
dlo_status dlo_reconcile_add_mendable(dlo_reconcile_report *rep, bool warning, const char *kind,
                                      const char *message, const char *settings, dlo_error *err);

/* Makes the owned rules exactly the plan, an update writing what it narrows before what it
 * widens, so no state in between lets through more than both the old and the new rule. On a
 * failed write the owned rules are put back as
 * they were before the run (a second enumeration, then the same diff toward the snapshot) and
 * the error says which write failed and whether the rollback worked. */
dlo_status dlo_reconcile_apply(const dlo_fw_backend *fw, const dlo_rule_list *plan,
                               dlo_reconcile_report *rep, dlo_error *err);

/* Changes nothing. *compliant is false when any planned rule is missing or drifted, an owned
 * rule is stale, or a problem makes the rules ineffective. */
dlo_status dlo_reconcile_verify(const dlo_fw_backend *fw, const dlo_rule_list *plan,
                                dlo_reconcile_report *rep, bool *compliant, dlo_error *err);

/* Appends to rep->problems what makes the planned rules ineffective, as /verify reports it: from
 * the firewall's state, the rules of rep->firewall and the planned rules rep->diff still needs. */
dlo_status dlo_reconcile_problems(const dlo_fw_backend *fw, const dlo_rule_list *plan,
                                  dlo_reconcile_report *rep, dlo_error *err);

/* As dlo_reconcile_apply; with keep_unplanned, a cautious pass, for when detection could not read
 * everything or a value fell back to a default (so a role may be missing, a port wrong): it adds
 * and widens, never narrows. No owned rule is removed, and an update gives ports, addresses and
 * profiles the union of what the rule has and what the plan says, and keeps a rule that names no
 * program or service unbound (binding it would narrow it). */
dlo_status dlo_reconcile_apply_opts(const dlo_fw_backend *fw, const dlo_rule_list *plan,
                                    bool keep_unplanned, dlo_reconcile_report *rep, dlo_error *err);

/* Removes every owned rule, nothing else. */
dlo_status dlo_reconcile_remove(const dlo_fw_backend *fw, dlo_reconcile_report *rep,
                                dlo_error *err);

#endif
