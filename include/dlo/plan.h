/* The planner: from the roles on this machine, a BOI mode and a few settings, the exact set of
 * firewall rules the port matrix asks for. Pure computation, no I/O. */
#ifndef DLO_PLAN_H
#define DLO_PLAN_H

#include "dlo/buf.h"
#include "dlo/policy.h"
#include "dlo/roles.h"
#include "dlo/rule.h"
#include "dlo/status.h"
#include "dlo/str.h"

#define DLO_DEFAULT_SQL_PORTS "1433"

/* Whether detection can tell a role is installed: it did not run (Roles is configured), it ran
 * but could not read everything, or it ran completely. */
typedef enum dlo_plan_evidence {
    DLO_EVIDENCE_NONE,
    DLO_EVIDENCE_PARTIAL,
    DLO_EVIDENCE_COMPLETE,
} dlo_plan_evidence;

typedef struct dlo_plan_settings {
    /* The SQL Server instance's TCP port(s) for {sql-port}, in the firewall's syntax ("1433",
     * "49823", "1433,1500"); NULL means DLO_DEFAULT_SQL_PORTS. */
    const char *sql_ports;
    /* RemoteAddresses for rules toward or from each peer role, in the firewall's spelling;
     * NULL means any. A rule whose peers all have a scope gets their union; a rule with any
     * unscoped peer gets "*". */
    const char *scopes[DLO_ROLE_COUNT];
    /* PushInstallPorts=rpc: a row's rpc-ports become Windows' RPC keywords in its inbound rules
     * (one rule per keyword); false: the port matrix as written. */
    bool rpc_keywords;
    /* ClosePushPortsWhenInstalled: a row's until-detected roles lose its inbound rules once
     * detection shows them. `evidence` says what detection gave, `detected` its roles. */
    bool close_when_detected;
    dlo_plan_evidence evidence;
    dlo_role_set detected;
    /* DLO_PROFILE_* bits for the rules of each network class (DLO_NET_*), replacing the port
     * matrix's `profiles` line in every mode (CorporateProfiles, InternetProfiles); 0 means the
     * matrix's. */
    unsigned profiles[DLO_NET_COUNT];
} dlo_plan_settings;

/* What a row's until-detected rules were decided on, with ClosePushPortsWhenInstalled. */
typedef struct dlo_plan_window {
    const char *row; /* the row's id, borrowed from the policy */
    dlo_role role;
    bool closed;       /* its inbound rules were left out */
    char *reason;      /* for people */
    dlo_strlist names; /* closed: the rules left out */
} dlo_plan_window;

struct dlo_names;

typedef struct dlo_plan {
    dlo_mode mode;
    dlo_role_set roles;
    char *sql_ports;
    const char *release; /* the policy's, borrowed */
    const char *source;  /* where the policy was read from, borrowed: its rules' origin */
    /* Where roles and mode came from, for people ("detected", "policy"...); NULL: not said. */
    const char *roles_source;
    const char *mode_source;
    /* The profiles each network class's rules got (DLO_NET_*), and which classes the plan has
     * rules of (bit 1u << DLO_NET_*): what /verify holds against the networks the machine is on. */
    unsigned profiles[DLO_NET_COUNT];
    unsigned networks;
    dlo_rule_list rules;
    /* With ClosePushPortsWhenInstalled (close_when_detected): each until-detected row and local
     * role, closed or kept. */
    bool close_when_detected;
    dlo_plan_window *windows;
    size_t n_windows;
    /* The host names of the scopes and what each resolved to (dlo/names.h), borrowed from the
     * target; NULL or empty when no scope names a host. */
    const struct dlo_names *names;
} dlo_plan;

/* For each row that applies in the mode: a local role that is a Source gets an outbound rule to
 * the row's ports, a local role that is a Destination gets an inbound rule on them, one rule per
 * protocol. Rules from rows that share a rule name merge (see policies/dlo-10.0.ports). */
dlo_status dlo_plan_build(const dlo_policy *pol, dlo_role_set roles, dlo_mode mode,
                          const dlo_plan_settings *settings, dlo_plan *out, dlo_error *err);
void dlo_plan_free(dlo_plan *plan);

/* The firewall rule name for a row's rule text, protocol and direction:
 * "Arctera DLO - Edge Server HTTPS (TCP-In)". */
void dlo_plan_rule_name(dlo_buf *b, const char *rule, int protocol, dlo_direction dir);

#endif
