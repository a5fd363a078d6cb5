/* What this machine's firewall should hold, worked out the same way by the commands and the
 * service: the configuration decides the mode, the scopes and whether roles come from the
 * configuration or from detection; detection also gives the SQL Server port; the port matrix
 * (embedded, or a file) turns roles and mode into the plan. */
#ifndef DLO_TARGET_H
#define DLO_TARGET_H

#include "dlo/platform.h"
#include "dlo/config.h"
#include "dlo/detect.h"
#include "dlo/names.h"
#include "dlo/plan.h"
#include "dlo/policy.h"
#include "dlo/service.h"
#include "dlo/status.h"

#include <stdbool.h>

typedef struct dlo_target {
    bool detected; /* detection ran: det is valid */
    dlo_detect_result det;
    dlo_policy pol;
    dlo_plan plan;
    /* Detection could not read everything, so a role may be missing from the plan, or the SQL
     * Server port fell back to the default: the reconcile is cautious (it adds and widens, never
     * narrows or removes: dlo_reconcile_apply_opts). */
    bool keep_unplanned;
    /* The SQL Server port fell back to the default, and the plan uses kept_sql_port instead. */
    bool sql_port_fell_back;
    bool sql_port_kept;
    char roles_source[64];
    /* The host names of the scopes, resolved before the plan was built with their addresses
     * (plan.names points here). */
    dlo_names names;
} dlo_target;

/* Builds the plan for cfg. The host names of its scopes are resolved first (plat->resolver,
 * last known addresses from plat->registry): a name that never resolved, or resolves to what no
 * rule may hold, is DLO_E_CONFIG before anything else is read. Its PolicyFile and DetectionFile
 * (when set) replace the embedded data: from a key only if dlo_trust_file accepts the file, from
 * the command line as they are. Errors: DLO_E_CONFIG for a configured file that is not trusted,
 * unreadable or invalid, and when detection is needed but impossible here; DLO_E_USAGE/DLO_E_PARSE
 * for a bad file named on the command line; DLO_E_NOMEM. On failure nothing needs freeing. */
dlo_status dlo_target_build(const dlo_platform *plat, const dlo_config *cfg, dlo_target *t,
                            dlo_error *err);
/* The same; when detection can only give the SQL Server port's default, the plan uses
 * kept_sql_port (a port read before; NULL or "": none). */
dlo_status dlo_target_build_kept(const dlo_platform *plat, const dlo_config *cfg,
                                 const char *kept_sql_port, dlo_target *t, dlo_error *err);
void dlo_target_free(dlo_target *t);

/* The port matrix of cfg's PolicyFile (checked and reported as dlo_target_build does) or, when
 * none is set, the one embedded in the executable. */
dlo_status dlo_target_load_policy(const dlo_platform *plat, const dlo_config *cfg, dlo_policy *pol,
                                  dlo_error *err);

/* Component detection with cfg's DetectionFile (checked likewise) and SqlInstance. out is
 * initialised either way; free it on success. */
dlo_status dlo_target_detect(const dlo_platform *plat, const dlo_config *cfg,
                             dlo_detect_result *out, dlo_error *err);

/* One service pass: plan for cfg, reconcile the firewall, and report through dlo_log_event
 * what changed (rules applied, drift repaired, unchanged, components appeared or disappeared,
 * Group Policy override, networks on none of a class's profiles). `why` holds DLO_WAKE_* bits;
 * mem is the service loop's memory (the roles of the last pass, what was reported). A
 * dlo_service_ops.reconcile. */
dlo_status dlo_agent_reconcile(const dlo_platform *plat, const dlo_config *cfg,
                               dlo_service_loop *mem, unsigned why, dlo_error *err);

#endif
