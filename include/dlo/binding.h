/* Binding inbound rules to the program that serves them, on evidence (the port matrix's
 * `served-by`, policies/README.md).
 *
 * A planned inbound rule gets ApplicationName (the program's image path) and, where that is
 * safe, ServiceName (the service's short name) only when the machine shows it:
 *   - sql-server, sql-browser: the SQL Server instance detection found (or SQLBrowser), and the
 *     program in its service's ImagePath (HKLM\SYSTEM\CurrentControlSet\Services\NAME);
 *   - service, service-display: the listeners table shows that service's process, and no other,
 *     listening on every port of the rule, with a known image path.
 * ServiceName is set only when the service's ServiceSidType is 1 or 3 (it has a service SID,
 * which is what the firewall matches a service rule on); otherwise the rule names the program
 * alone.
 *
 * Only positive evidence changes a binding. Evidence that is missing, unreadable or adverse
 * (nothing listens, another process or a second service on the port, a listener whose owner
 * cannot be read, the listeners table or the registry unreadable) settles nothing: the rule
 * keeps the binding it has in the firewall (dlo_rule.keep_binding), so a stopped service or a
 * standard user's program listening on the port never unbinds a rule, and a rule the firewall
 * has unbound is never bound by a guess, which could cut a DLO component off. The firewall is
 * the memory, pass after pass and across restarts; a new rule starts unbound. A rule is unbound
 * outright only by configuration: BindToServices 0, or a row that names no program. (A cautious
 * pass adds new rules bound as the evidence says, and changes the binding of no rule there is:
 * dlo_prop_union.) Every rule gets its evidence in dlo_rule.binding: "bound: ...", "not
 * bound: ..." or "kept as it stands in the firewall: ...". */
#ifndef DLO_BINDING_H
#define DLO_BINDING_H

#include "dlo/detect.h"
#include "dlo/policy.h"
#include "dlo/probe.h"
#include "dlo/registry.h"
#include "dlo/rule.h"
#include "dlo/status.h"

#include <stdbool.h>

/* The service keys whose ImagePath and ServiceSidType are read. */
#define DLO_SERVICES_KEY "SYSTEM\\CurrentControlSet\\Services"
/* SQL Server Browser's service, Microsoft's name. */
#define DLO_SQL_BROWSER_SERVICE "SQLBrowser"
/* More ports than this in one rule are not checked one by one for a listener: unbound. */
#define DLO_BINDING_MAX_PORTS 16

typedef struct dlo_binding_env {
    bool enabled;                   /* BindToServices; false: every rule unbound */
    const dlo_registry *registry;   /* NULL: none here (the host build) */
    const dlo_probe_os *probe_os;   /* the listeners table; NULL: none here */
    const dlo_detect_os *detect_os; /* services' display names; NULL: none here */
    const dlo_detect_result *det;   /* NULL: detection did not run */
} dlo_binding_env;

/* Binds the rules of a plan built from pol (each rule's first row says its served-by). Sets
 * application, service, keep_binding and binding on every rule. Fails only for DLO_E_NOMEM. */
dlo_status dlo_binding_apply(const dlo_binding_env *env, const dlo_policy *pol,
                             dlo_rule_list *rules, dlo_error *err);

/* The program of a service's ImagePath: the quoted path, or the unquoted one up to ".exe", with
 * its arguments left off. Only an absolute path (X:\... or \\server\...) is a program;
 * anything else (a driver's system32\..., a leftover %VARIABLE%) is refused. Returns a new
 * string, or NULL with *why saying what is wrong (why may be NULL; NULL with *why NULL: out of
 * memory). */
char *dlo_binding_image_path(const char *image_path, const char **why);

#endif
