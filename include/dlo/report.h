/* The reports the commands print, in text and JSON, kept apart from the modules that compute
 * what they show: detection and configuration return data, and only this module decides how
 * it reads. Each function appends to a buffer and prints nothing itself. Detection and
 * configuration print in report.c, the plan and the reconcile report in report_rules.c, /probe
 * in report_probe.c. */
#ifndef DLO_REPORT_H
#define DLO_REPORT_H

#include "dlo/buf.h"
#include "dlo/compare.h"
#include "dlo/config.h"
#include "dlo/detect.h"
#include "dlo/policy.h"
#include "dlo/plan.h"
#include "dlo/reconcile.h"
#include "dlo/planfile.h"
#include "dlo/probe.h"

#include <stdbool.h>

struct dlo_names;

/* /detect: each role found with its evidence, each role looked for and not found with what was
 * looked for, the roles no table entry detects, the SQL Server and the warnings. The JSON form
 * is one object, newline-terminated. */
void dlo_report_detect_text(dlo_buf *b, const dlo_detect_result *r);
void dlo_report_detect_json(dlo_buf *b, const dlo_detect_result *r);

/* The effective value of one configuration item as text ("occasional", "client,io-server",
 * "(detected)"). */
void dlo_report_config_value(dlo_buf *out, const dlo_config *cfg, dlo_config_item item);

/* /config: the keys read, then one line per value with its source; or the JSON document
 * {"keys": {...}, "values": {"BOIMode": {"value": ..., "source": ...}, ...},
 * "effectiveIntervalSeconds": N}. */
void dlo_report_config_text(dlo_buf *out, const dlo_config *cfg);
void dlo_report_config_json(dlo_buf *out, const dlo_config *cfg);

/* The configuration in one line, for the Event Log: "BOIMode=occasional (policy); Roles=...",
 * the scopes left at their default in one closing remark. */
void dlo_report_config_summary(dlo_buf *out, const dlo_config *cfg);

/* /matrix: the port matrix as the agent understands it (report_matrix.c); the JSON document
 * {"release", "profiles", "rows": [...]}. */
void dlo_report_matrix_text(dlo_buf *b, const dlo_policy *pol);
void dlo_report_matrix_json(dlo_buf *b, const dlo_policy *pol);

/* /probe: a header with the counts, then one line per inbound port (range) with its listeners
 * and per outbound address and port with the outcome and the time taken; or the JSON document
 * {"ok", "mode", "roles", "probed", "failed", "attempts", "not_listed", "inbound": [...],
 * "outbound": [...]}. */
void dlo_report_probe_text(dlo_buf *b, const dlo_plan *plan, const dlo_probe_result *r);
void dlo_report_probe_json(dlo_buf *b, const dlo_plan *plan, const dlo_probe_result *r);

/* /plan output: the rules, then the exposure of the inbound ones (profiles, remote addresses,
 * the program they are bound to) and the unscoped findings (dlo/exposure.h) for cfg's scopes
 * (NULL: the defaults). JSON: {"mode", ..., "rules", "exposure", "warnings"}. */
void dlo_report_plan_text(dlo_buf *b, const dlo_plan *plan, const dlo_config *cfg);
void dlo_report_plan_json(dlo_buf *b, const dlo_plan *plan, const dlo_config *cfg);

/* The host names of the scopes and what each resolved to (dlo/names.h): a section of /plan's and
 * /config's text, and a `, "names": [{"name", "values", "state", "addresses", "ttl",
 * "reason"}]` member of their JSON; nothing when no scope names a host. */
void dlo_report_names_text(dlo_buf *b, const struct dlo_names *names);
void dlo_report_names_json(dlo_buf *b, const struct dlo_names *names);
/* /config /json with the names (NULL: none) before "effectiveIntervalSeconds". */
void dlo_report_config_json_names(dlo_buf *out, const dlo_config *cfg,
                                  const struct dlo_names *names);
/* /plan /compare:FILE and /matrix /compare:FILE (agent/core/front/report_compare.c): a header
 * naming both sides, the counts, then one line per difference ("opens", "closes", "widens",
 * "narrows", "changes") and, for a saved plan, one per property it does not state; or the JSON
 * document {"compare", "differs", ..., "changes": [...]} ({"groups": [{"mode", "role",
 * "changes"}]} for the matrix). `was` is the earlier side: FILE for a plan, the matrix in use
 * for /matrix. */
void dlo_report_compare_plan_text(dlo_buf *b, const char *file, const dlo_saved_plan *was,
                                  const dlo_plan *now, const dlo_comparison *c);
void dlo_report_compare_plan_json(dlo_buf *b, const char *file, const dlo_saved_plan *was,
                                  const dlo_plan *now, const dlo_comparison *c);
void dlo_report_compare_matrix_text(dlo_buf *b, const char *file, const dlo_policy *was,
                                    const dlo_policy *now, const dlo_matrix_comparison *m);
void dlo_report_compare_matrix_json(dlo_buf *b, const char *file, const dlo_policy *was,
                                    const dlo_policy *now, const dlo_matrix_comparison *m);

/* Output for people and for compliance tools. */
void dlo_report_apply_text(dlo_buf *b, const dlo_reconcile_report *rep);
void dlo_report_apply_json(dlo_buf *b, const dlo_reconcile_report *rep, const char *error);
void dlo_report_verify_text(dlo_buf *b, const dlo_reconcile_report *rep, bool compliant);
void dlo_report_verify_json(dlo_buf *b, const dlo_reconcile_report *rep, bool compliant);

#endif
