#include "dlo/target.h"

#include "dlo/binding.h"
#include "dlo/drift.h"
#include "dlo/effective.h"
#include "dlo/log.h"
#include "dlo/netprofiles.h"
#include "dlo/reconcile.h"
#include "dlo/service.h"
#include "dlo/state.h"
#include "dlo/version.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Where this run's item (PolicyFile, DetectionFile) was configured, for messages. */
static const char *file_origin(const dlo_config *cfg, dlo_config_item item)
{
    return cfg->source[item] == DLO_SOURCE_POLICY ? "the policy key" : "the installer key";
}

/* The replacement file of item that this run reads, or NULL for the embedded data.
 *
 * A file from a key is what the service reads as LocalSystem, pass after pass: it is believed
 * only if nobody but SYSTEM, Administrators and TrustedInstaller can change it or any folder
 * above it (dlo/trust.h), else a user who can write there would choose which ports open. The
 * commands are held to the same check, so that /plan shows what the service would do.
 *
 * A file named on the command line (/policy:, /detection:) is not checked. It is read once, by
 * the process of the person who typed it, with that person's own rights, and never by the
 * service: it grants nothing its caller does not already hold (/apply and /remove need an
 * elevated administrator, who may change any firewall rule directly). Holding it to the check
 * would forbid an administrator to try a file from a working folder before deploying it. */
static dlo_status data_file(const dlo_platform *plat, const dlo_config *cfg, dlo_config_item item,
                            const char **path, dlo_error *err)
{
    const char *file = item == DLO_CFG_POLICY_FILE ? cfg->policy_file : cfg->detection_file;
    dlo_status st;

    *path = file;
    if (!file || cfg->source[item] == DLO_SOURCE_COMMAND_LINE)
        return DLO_OK;
    st = dlo_trust_file(plat->fs_security, file, err);
    if (st == DLO_E_NOMEM)
        return st;
    if (st) {
        dlo_error_prefix(err, "%s %s in %s is not used: ", dlo_config_item_name(item), file,
                         file_origin(cfg, item));
        st = err->status = DLO_E_CONFIG;
    }
    return st;
}

/* A configured file that cannot be read or parsed is a configuration error (the service's
 * event 1200; exit 2): the rules stay as they are, and the message says where it was set. */
static dlo_status file_failed(const dlo_config *cfg, dlo_config_item item, dlo_status st,
                              dlo_error *err)
{
    if (!st || st == DLO_E_NOMEM || cfg->source[item] == DLO_SOURCE_COMMAND_LINE ||
        cfg->source[item] == DLO_SOURCE_DEFAULT)
        return st;
    if (st != DLO_E_PARSE && st != DLO_E_CONFIG && st != DLO_E_USAGE)
        return st;
    dlo_error_prefix(err, "%s (set in %s): ", dlo_config_item_name(item), file_origin(cfg, item));
    return err->status = DLO_E_CONFIG;
}

static dlo_status load_policy_file(const dlo_platform *plat, const char *path,
                                   bool from_command_line, dlo_policy *pol, dlo_error *err)
{
    dlo_buf text;
    dlo_status st;

    dlo_buf_init(&text);
    if (path) {
        st = plat->read_file ? plat->read_file(plat->ctx, path, DLO_POLICY_MAX_BYTES, &text, err)
                             : dlo_error_set(err, DLO_E_IO, "cannot read files here");
        /* A file the administrator named that cannot be read is a usage error (exit 2). */
        if (st == DLO_E_IO || st == DLO_E_NOTFOUND || st == DLO_E_ACCESS) {
            if (from_command_line)
                dlo_error_prefix(err, "/policy: ");
            st = err->status = DLO_E_USAGE;
        }
    } else {
        st = plat->load_embedded ? plat->load_embedded(plat->ctx, "PORTMATRIX", &text, err)
                                 : dlo_error_set(err, DLO_E_NOTFOUND, "no embedded policy");
        if (st == DLO_E_NOTFOUND)
            st = dlo_error_set(err, DLO_E_INTERNAL,
                               "the built-in port matrix is missing from this executable; "
                               "give one with /policy:FILE");
    }
    if (!st)
        st = dlo_policy_parse(dlo_buf_str(&text), text.len, path ? path : DLO_EMBEDDED_PORTMATRIX,
                              pol, err);
    dlo_buf_free(&text);
    return st;
}

dlo_status dlo_target_load_policy(const dlo_platform *plat, const dlo_config *cfg, dlo_policy *pol,
                                  dlo_error *err)
{
    const char *path;
    dlo_status st = data_file(plat, cfg, DLO_CFG_POLICY_FILE, &path, err);

    if (!st)
        st = file_failed(
            cfg, DLO_CFG_POLICY_FILE,
            load_policy_file(plat, path,
                             cfg->source[DLO_CFG_POLICY_FILE] == DLO_SOURCE_COMMAND_LINE, pol, err),
            err);
    return st;
}

dlo_status dlo_target_detect(const dlo_platform *plat, const dlo_config *cfg,
                             dlo_detect_result *out, dlo_error *err)
{
    dlo_detect_params params = {cfg->sql_instance, NULL};
    const char *path;
    dlo_status st;

    dlo_detect_result_init(out);
    st = data_file(plat, cfg, DLO_CFG_DETECTION_FILE, &path, err);
    if (!st)
        st = file_failed(cfg, DLO_CFG_DETECTION_FILE,
                         dlo_detect_machine(plat, path, &params, out, err), err);
    return st;
}

static void describe_roles_source(dlo_target *t, const dlo_config *cfg)
{
    const char *base =
        cfg->roles_set ? dlo_config_source_name(cfg->source[DLO_CFG_ROLES]) : "detected";
    snprintf(t->roles_source, sizeof(t->roles_source), "%s%s%s", base,
             cfg->add_roles ? ", + AddRoles" : "", cfg->exclude_roles ? ", - ExcludeRoles" : "");
}

/* A DLO SQL Server instance is here, and its port could not be read. */
static bool sql_port_fell_back(const dlo_target *t)
{
    return t->detected && t->det.sql.instance && t->det.sql.port_source == DLO_SQL_PORT_DEFAULT;
}

/* Binds the plan's inbound rules to their programs where the machine shows them
 * (dlo/binding.h): detection's SQL Server, the registry, the listeners table. */
static dlo_status bind_plan(const dlo_platform *plat, const dlo_config *cfg, dlo_target *t,
                            dlo_error *err)
{
    dlo_binding_env env;
    env.enabled = cfg->bind_to_services;
    env.registry = plat->registry;
    env.probe_os = plat->probe_os;
    env.detect_os = plat->detect_os;
    env.det = t->detected ? &t->det : NULL;
    return dlo_binding_apply(&env, &t->pol, &t->plan.rules, err);
}

/* PushInstallPorts and ClosePushPortsWhenInstalled. Detection is evidence only when it decided
 * the roles: with Roles configured it runs at most for the SQL Server port. */
static void push_settings(dlo_plan_settings *s, const dlo_config *cfg, const dlo_target *t)
{
    s->rpc_keywords = cfg->push_install_ports == DLO_PUSH_PORTS_RPC;
    s->close_when_detected = cfg->close_push_ports;
    if (cfg->roles_set || !t->detected)
        s->evidence = DLO_EVIDENCE_NONE;
    else
        s->evidence = t->det.partial ? DLO_EVIDENCE_PARTIAL : DLO_EVIDENCE_COMPLETE;
    s->detected = s->evidence == DLO_EVIDENCE_NONE ? 0 : t->det.roles;
}

dlo_status dlo_target_build(const dlo_platform *plat, const dlo_config *cfg, dlo_target *t,
                            dlo_error *err)
{
    return dlo_target_build_kept(plat, cfg, NULL, t, err);
}

dlo_status dlo_target_build_kept(const dlo_platform *plat, const dlo_config *cfg,
                                 const char *kept_sql_port, dlo_target *t, dlo_error *err)
{
    dlo_plan_settings settings;
    dlo_role_set detected = 0;
    char sql_port[16];
    int r;
    dlo_status st;

    memset(t, 0, sizeof(*t));
    memset(&settings, 0, sizeof(settings));
    st = dlo_names_resolve(plat->resolver, plat->registry, cfg, &t->names, err);
    if (st) {
        dlo_names_free(&t->names);
        return st;
    }
    /* With the roles configured, detection still runs for the port of a configured SQL Server
     * instance, unless SqlPort gives it. */
    if (!cfg->roles_set || (cfg->sql_instance && !cfg->sql_port && plat->detect_os)) {
        if (!plat->detect_os)
            return dlo_error_set(err, DLO_E_CONFIG,
                                 "no roles configured and component detection is not available "
                                 "here: name the roles with /roles:ROLE,... (see /help)");
        st = dlo_target_detect(plat, cfg, &t->det, err);
        if (st) {
            dlo_names_free(&t->names);
            return st;
        }
        t->detected = true;
        detected = t->det.roles;
        t->keep_unplanned = !cfg->roles_set && t->det.partial;
    }
    st = dlo_target_load_policy(plat, cfg, &t->pol, err);
    if (st)
        goto cleanup_detect;

    if (cfg->sql_port) {
        snprintf(sql_port, sizeof(sql_port), "%u", cfg->sql_port);
        settings.sql_ports = sql_port;
    } else if (t->detected) {
        settings.sql_ports = t->det.sql.tcp_ports;
        t->sql_port_fell_back = sql_port_fell_back(t);
        t->sql_port_kept = t->sql_port_fell_back && kept_sql_port && *kept_sql_port;
        if (t->sql_port_kept)
            settings.sql_ports = kept_sql_port;
        /* A port that fell back to the default may be wrong: the rules it would narrow stay. */
        t->keep_unplanned = t->keep_unplanned || t->sql_port_fell_back;
    }
    for (r = 0; r < DLO_ROLE_COUNT; r++)
        settings.scopes[r] = dlo_names_scope(&t->names, cfg, r);
    push_settings(&settings, cfg, t);
    settings.profiles[DLO_NET_CORPORATE] = cfg->corporate_profiles;
    settings.profiles[DLO_NET_INTERNET] = cfg->internet_profiles;
    st = dlo_plan_build(&t->pol, dlo_config_roles(cfg, detected), cfg->mode, &settings, &t->plan,
                        err);
    if (st)
        goto cleanup_policy;
    st = bind_plan(plat, cfg, t, err);
    if (st) {
        dlo_plan_free(&t->plan);
        goto cleanup_policy;
    }
    describe_roles_source(t, cfg);
    t->plan.roles_source = t->roles_source;
    t->plan.mode_source = dlo_config_source_name(cfg->source[DLO_CFG_BOI_MODE]);
    t->plan.names = &t->names;
    return DLO_OK;

cleanup_policy:
    dlo_policy_free(&t->pol);
cleanup_detect:
    if (t->detected)
        dlo_detect_result_free(&t->det);
    dlo_names_free(&t->names);
    memset(t, 0, sizeof(*t));
    return st;
}

void dlo_target_free(dlo_target *t)
{
    dlo_names_free(&t->names);
    dlo_plan_free(&t->plan);
    dlo_policy_free(&t->pol);
    if (t->detected)
        dlo_detect_result_free(&t->det);
    memset(t, 0, sizeof(*t));
}

/* ---- the service's pass ---- */

/* With DriftAction report (`report`) nothing is added or removed: the events say so. */
static void report_components(const dlo_service_loop *mem, dlo_role_set now, bool report)
{
    const char *added = report ? "its firewall rules are planned (DriftAction is report: not added)"
                               : "its firewall rules are added";
    const char *removed = report ? "its firewall rules are no longer planned (DriftAction is "
                                   "report: not removed)"
                                 : "its firewall rules are removed";
    int r;
    if (!mem->have_roles)
        return;
    for (r = 0; r < DLO_ROLE_COUNT; r++) {
        dlo_role_set bit = DLO_ROLE_BIT(r);
        if ((now & bit) && !(mem->roles & bit))
            dlo_log_event(DLO_EV_COMPONENT_APPEARED, DLO_LOG_INFO,
                          "DLO role %s appeared on this machine: %s", dlo_role_name((dlo_role)r),
                          added);
        else if (!(now & bit) && (mem->roles & bit))
            dlo_log_event(DLO_EV_COMPONENT_DISAPPEARED, DLO_LOG_INFO,
                          "DLO role %s is no longer on this machine: %s",
                          dlo_role_name((dlo_role)r), removed);
    }
}

static bool closed_rule(const dlo_plan_window *w, const char *name)
{
    size_t i;
    for (i = 0; i < w->names.count; i++)
        if (strcmp(w->names.items[i], name) == 0)
            return true;
    return false;
}

/* ClosePushPortsWhenInstalled: the pass that removed a window's rules says so, once per window
 * (a later pass finds them gone and says nothing). */
static void report_windows_closed(const dlo_plan *plan, const dlo_reconcile_report *rep)
{
    size_t w, i;
    for (w = 0; w < plan->n_windows; w++) {
        const dlo_plan_window *win = &plan->windows[w];
        dlo_buf names;
        size_t n = 0;
        if (!win->closed)
            continue;
        dlo_buf_init(&names);
        for (i = 0; i < rep->applied; i++) {
            const dlo_change *c = &rep->diff.items[i];
            if (c->kind != DLO_CHANGE_REMOVE || !closed_rule(win, dlo_str(c->have->name)))
                continue;
            dlo_buf_printf(&names, "%s%s", n++ ? ", " : "", dlo_str(c->have->name));
        }
        if (n)
            dlo_log_event(DLO_EV_PUSH_PORTS_CLOSED, DLO_LOG_INFO,
                          "DLO role %s is detected on this machine and "
                          "ClosePushPortsWhenInstalled is on: %zu rule%s of row %s, which serve "
                          "only its first installation, removed: %s",
                          dlo_role_name(win->role), n, n == 1 ? "" : "s", win->row,
                          dlo_buf_str(&names));
        dlo_buf_free(&names);
    }
}

static size_t count_changes(const dlo_reconcile_report *rep, dlo_change_kind kind)
{
    size_t i, n = 0;
    for (i = 0; i < rep->applied; i++)
        if (rep->diff.items[i].kind == kind)
            n++;
    return n;
}

/* What a successful pass did, as one event: nothing to do, drift repaired, or rules applied. */
/* What a cautious pass says after its event text: the port it kept, and that nothing was
 * narrowed. Empty for an ordinary pass. */
static void caution_note(dlo_buf *b, const dlo_target *t, const dlo_service_loop *mem,
                         const dlo_reconcile_report *rep)
{
    if (t->sql_port_kept)
        dlo_buf_printf(b, "; kept SQL Server port %s read at the last pass: %s", mem->sql_port,
                       dlo_str(t->det.sql.port_origin));
    if (rep->cautious)
        dlo_buf_printf(b,
                       "; %s, so no rule was narrowed or removed (%zu kept wider than planned, "
                       "%zu removals withheld)",
                       t->det.partial ? "component detection could not read everything"
                                      : "the SQL Server port fell back to the default",
                       rep->widened, rep->withheld);
}

/* A pass that looks for drift rather than for a new plan: nothing about the plan changed. */
static bool drift_pass(unsigned why)
{
    return (why & DLO_WAKE_DRIFT) &&
           !(why & (DLO_WAKE_START | DLO_WAKE_CONFIG | DLO_WAKE_SERVICES));
}

static void log_pass(const dlo_target *t, const dlo_config *cfg, const dlo_service_loop *mem,
                     const dlo_reconcile_report *rep, unsigned why, const char *effective,
                     const char *who, bool renamed)
{
    size_t added = count_changes(rep, DLO_CHANGE_ADD),
           updated = count_changes(rep, DLO_CHANGE_UPDATE),
           removed = count_changes(rep, DLO_CHANGE_REMOVE);
    dlo_buf pass, roles, note;

    dlo_buf_init(&pass);
    dlo_buf_init(&roles);
    dlo_buf_init(&note);
    caution_note(&note, t, mem, rep);
    dlo_buf_puts(&pass, "pass (");
    dlo_wake_text(&pass, why);
    dlo_buf_puts(&pass, ")");
    if (t->plan.roles)
        dlo_roles_format(&roles, t->plan.roles);
    else
        dlo_buf_puts(&roles, "(none)");
    if (rep->writes == 0)
        dlo_log_event(DLO_EV_RULES_UNCHANGED, DLO_LOG_INFO,
                      "%s: all %zu firewall rules for mode %s, roles %s (%s) are as planned; %s%s",
                      dlo_buf_str(&pass), rep->planned, dlo_mode_name(cfg->mode),
                      dlo_buf_str(&roles), t->roles_source, effective, dlo_buf_str(&note));
    else if (drift_pass(why) && !renamed)
        dlo_log_event(DLO_EV_DRIFT_REPAIRED, DLO_LOG_WARN,
                      "%s: firewall rules changed by someone else were put back for mode "
                      "%s: %zu added, %zu updated, %zu removed; %s%s%s",
                      dlo_buf_str(&pass), dlo_mode_name(cfg->mode), added, updated, removed,
                      effective, dlo_buf_str(&note), who);
    else
        dlo_log_event(DLO_EV_RULES_APPLIED, DLO_LOG_INFO,
                      "%s: firewall rules applied for mode %s, roles %s (%s)%s: %zu added, %zu "
                      "updated, %zu removed, %zu unchanged; %s%s",
                      dlo_buf_str(&pass), dlo_mode_name(cfg->mode), dlo_buf_str(&roles),
                      t->roles_source, renamed ? ", host names resolved to other addresses" : "",
                      added, updated, removed, rep->diff.compliant, effective, dlo_buf_str(&note));
    dlo_buf_free(&note);
    dlo_buf_free(&roles);
    dlo_buf_free(&pass);
}

/* Each difference from the plan, for the report-only pass's event. */
static void describe_differences(dlo_buf *b, const dlo_reconcile_report *rep)
{
    size_t i;
    unsigned bit;

    for (i = 0; i < rep->diff.count; i++) {
        const dlo_change *c = &rep->diff.items[i];
        const char *name = dlo_str(c->kind == DLO_CHANGE_ADD ? c->want->name : c->have->name);
        static const char *const kind[] = {"missing", "drifted", "stale"};
        dlo_buf_printf(b, "; %s '", kind[c->kind]);
        dlo_buf_put_shown(b, name, strlen(name), false);
        dlo_buf_putc(b, '\'');
        for (bit = 1; c->kind == DLO_CHANGE_UPDATE && bit && bit <= c->differences; bit <<= 1) {
            if (!(c->differences & bit))
                continue;
            dlo_buf_printf(b, ", %s is \"", dlo_prop_name(bit));
            dlo_prop_value(b, c->have, bit);
            dlo_buf_puts(b, "\", expected \"");
            dlo_prop_value(b, c->want, bit);
            dlo_buf_putc(b, '"');
        }
    }
}

static void log_report(const dlo_config *cfg, const dlo_reconcile_report *rep, unsigned why,
                       const char *effective, const char *who)
{
    dlo_buf pass, list;

    dlo_buf_init(&pass);
    dlo_buf_init(&list);
    dlo_wake_text(&pass, why);
    describe_differences(&list, rep);
    if (!rep->diff.count)
        dlo_log_event(DLO_EV_RULES_UNCHANGED, DLO_LOG_INFO,
                      "pass (%s): all %zu firewall rules for mode %s are as planned; %s",
                      dlo_buf_str(&pass), rep->planned, dlo_mode_name(cfg->mode), effective);
    else
        dlo_log_event(DLO_EV_DRIFT_REPORTED, DLO_LOG_WARN,
                      "pass (%s): DriftAction is report, so nothing was changed: %zu of %zu "
                      "planned rules right for mode %s, %zu difference%s from the plan left "
                      "standing%s%s; %s",
                      dlo_buf_str(&pass), rep->diff.compliant, rep->planned,
                      dlo_mode_name(cfg->mode), rep->diff.count, rep->diff.count == 1 ? "" : "s",
                      dlo_buf_str(&list), who, effective);
    dlo_buf_free(&list);
    dlo_buf_free(&pass);
}

/* Local rules that do not take effect (Group Policy's AllowLocalPolicyMerge, or GP_OVERRIDE)
 * make the agent's rules void unless Group Policy supplies them: said once, and again only
 * after it stopped and came back. The sentence on the effective policy goes into effective for
 * the pass event. */
static void report_gp_override(const dlo_platform *plat, const dlo_fw_state *state,
                               const dlo_rule_list *plan, dlo_service_loop *mem, dlo_buf *effective)
{
    dlo_effective e;
    bool inert, supplied;

    if (!state || dlo_effective_read(plat->registry, &e, NULL) != DLO_OK) {
        dlo_buf_puts(effective, "the effective policy could not be read");
        return;
    }
    inert = dlo_effective_summary(&e, state, plan, &supplied, effective);
    dlo_effective_free(&e);
    if (inert && !mem->gp_override_reported)
        dlo_log_event(DLO_EV_GPO_OVERRIDE, supplied ? DLO_LOG_INFO : DLO_LOG_WARN, "%s",
                      dlo_buf_str(effective));
    mem->gp_override_reported = inert;
}

/* Networks on none of the profiles a class's rules apply to (dlo/netprofiles.h): said when it
 * starts or changes, not every pass. A state that cannot be read changes nothing. */
static void report_profile_mismatch(const dlo_fw_state *state, const dlo_plan *plan,
                                    dlo_service_loop *mem)
{
    dlo_profile_mismatch found[DLO_NET_COUNT];
    dlo_buf msg;
    unsigned key = 0;
    size_t i, n;

    if (!state)
        return;
    n = dlo_profile_mismatches(plan, state->current_profiles, found);
    dlo_buf_init(&msg);
    for (i = 0; i < n; i++) {
        key |= (1u << found[i].network) | found[i].current << 2 |
               found[i].planned << (5 + 3 * found[i].network);
        dlo_buf_puts(&msg, i ? "; " : "");
        dlo_profile_mismatch_text(&msg, &found[i]);
    }
    if (key && key != mem->profile_mismatch)
        dlo_log_event(DLO_EV_PROFILE_MISMATCH, DLO_LOG_WARN, "%s", dlo_buf_str(&msg));
    mem->profile_mismatch = key;
    dlo_buf_free(&msg);
}

/* A port read from the registry (not the default) is the one a later pass keeps when it can
 * only fall back; a list too long for the memory is not kept (the last one stays). */
static void remember_sql_port(dlo_service_loop *mem, const dlo_target *t)
{
    const char *ports;
    if (!t->detected || !t->det.sql.instance || t->det.sql.port_source == DLO_SQL_PORT_DEFAULT)
        return;
    ports = dlo_str(t->det.sql.tcp_ports);
    if (strlen(ports) < sizeof(mem->sql_port))
        memcpy(mem->sql_port, ports, strlen(ports) + 1);
}

/* Problems that void planned rules (a Block rule of someone else, in either store; the
 * firewall off; outbound blocked), as /verify finds them: said when they start or change, not
 * every pass. Group Policy's override has its own event (1400). */
static void report_problems(const dlo_reconcile_report *post, dlo_service_loop *mem)
{
    dlo_buf kinds, text;
    size_t i;

    dlo_buf_init(&kinds);
    dlo_buf_init(&text);
    for (i = 0; i < post->n_problems; i++) {
        const dlo_problem *p = &post->problems[i];
        if (strcmp(p->kind, "gp-override") == 0)
            continue;
        if (!strstr(dlo_buf_str(&kinds), p->kind))
            dlo_buf_printf(&kinds, "%s%s", kinds.len ? "," : "", p->kind);
        dlo_buf_printf(&text, "%s%s: %s", text.len ? "; " : "", p->kind, p->message);
    }
    if (kinds.len && strcmp(dlo_buf_str(&kinds), mem->problems) != 0)
        dlo_log_event(DLO_EV_RULES_INEFFECTIVE, DLO_LOG_WARN,
                      "planned firewall rules do not take effect as planned: %s",
                      dlo_buf_str(&text));
    if (kinds.len < sizeof(mem->problems))
        memcpy(mem->problems, dlo_buf_str(&kinds), kinds.len + 1);
    dlo_buf_free(&text);
    dlo_buf_free(&kinds);
}

/* Who made the drift a drift pass found (first n changes of rep), into `who` for the event and
 * `by` for the State key; and the IDs of the owned rules kept for the next pass. The IDs are
 * read only when the pass found or made a change, or none are known yet. */
static void attribute_pass(const dlo_platform *plat, dlo_service_loop *mem,
                           dlo_reconcile_report *rep, size_t n, bool drift, dlo_buf *who,
                           dlo_buf *by)
{
    int64_t now = dlo_drift_ticks((int64_t)time(NULL));
    dlo_strlist ids;
    dlo_error err;
    dlo_status st = DLO_OK;

    dlo_strlist_init(&ids);
    if (n || rep->writes || !mem->owned_ids.count)
        st = dlo_drift_read_ids(plat->registry, &ids, &err);
    if (drift && n)
        st = dlo_drift_attribute(plat, rep, n, &mem->owned_ids, &ids, mem->last_write,
                                 now + 10000000ll, who, by, &err);
    if (!st && ids.count)
        st = dlo_drift_merge_ids(&mem->owned_ids, &ids, &err);
    if (st && st != DLO_E_NOTFOUND)
        dlo_log(DLO_LOG_WARN, "who changed the rules could not be looked up: %s", err.msg);
    if (rep->writes || !mem->last_write)
        mem->last_write = now;
    dlo_strlist_free(&ids);
}

/* The firewall as /verify finds it after the pass: the rules and what voids them, both stores. */
static dlo_status judge_after(const dlo_platform *plat, const dlo_fw_backend *fw,
                              const dlo_target *t, dlo_reconcile_report *post, bool *compliant,
                              dlo_error *err)
{
    dlo_status st = dlo_effective_verify(fw, plat->registry, &t->plan.rules, post, compliant, err);
    if (st)
        dlo_reconcile_report_free(fw, post);
    return st;
}

/* What each pass reports, whatever DriftAction: components, the push window, Group Policy's
 * override, the networks; and the sentence on the effective policy for its event. */
static void report_common(const dlo_platform *plat, const dlo_fw_backend *fw, const dlo_target *t,
                          const dlo_reconcile_report *rep, dlo_service_loop *mem, bool report,
                          dlo_buf *effective)
{
    dlo_fw_state state;
    /* One read of the firewall's state for both reports; NULL when it cannot be had. */
    const dlo_fw_state *have = &state;
    memset(&state, 0, sizeof(state));
    if (!fw->get_state || fw->get_state(fw->ctx, &state, NULL) != DLO_OK)
        have = NULL;
    report_components(mem, t->plan.roles, report);
    report_windows_closed(&t->plan, rep);
    report_gp_override(plat, have, &t->plan.rules, mem, effective);
    report_profile_mismatch(have, &t->plan, mem);
}

/* DriftAction repair: the firewall made the plan, drift put back and its author named. */
static dlo_status repair_pass(const dlo_platform *plat, const dlo_config *cfg, dlo_target *t,
                              const dlo_fw_backend *fw, dlo_service_loop *mem, unsigned why,
                              bool renamed, dlo_error *err)
{
    dlo_reconcile_report rep, post;
    dlo_buf effective, who, by;
    bool compliant = false, judged;
    dlo_status st;

    if (t->keep_unplanned)
        dlo_log(DLO_LOG_WARN,
                "component detection could not read everything, or the SQL Server port fell "
                "back to the default: no rule is narrowed or removed this time");
    st = dlo_reconcile_apply_opts(fw, &t->plan.rules, t->keep_unplanned, &rep, err);
    if (st) {
        dlo_reconcile_report_free(fw, &rep);
        return st;
    }
    mem->wrote = rep.writes > 0;
    dlo_buf_init(&effective);
    dlo_buf_init(&who);
    dlo_buf_init(&by);
    report_common(plat, fw, t, &rep, mem, false, &effective);
    attribute_pass(plat, mem, &rep, rep.applied, drift_pass(why), &who, &by);
    log_pass(t, cfg, mem, &rep, why, dlo_buf_str(&effective), dlo_buf_str(&who), renamed);
    /* The state the pass left is what /verify finds now; a cautious pass kept rules /verify
     * would call drifted, so its state is worked out from its own reading instead. */
    judged = !t->keep_unplanned && judge_after(plat, fw, t, &post, &compliant, err) == DLO_OK;
    if (judged) {
        report_problems(&post, mem);
        post.writes = rep.writes;
    }
    dlo_state_note_pass(plat, fw, &t->plan, judged ? &post : &rep, t->keep_unplanned, judged,
                        compliant, by.len ? dlo_buf_str(&by) : NULL);
    if (judged)
        dlo_reconcile_report_free(fw, &post);
    dlo_buf_free(&by);
    dlo_buf_free(&who);
    dlo_buf_free(&effective);
    dlo_reconcile_report_free(fw, &rep);
    return DLO_OK;
}

/* DriftAction report: nothing written; each difference from the plan logged with who made it. */
static dlo_status report_pass(const dlo_platform *plat, const dlo_config *cfg, dlo_target *t,
                              const dlo_fw_backend *fw, dlo_service_loop *mem, unsigned why,
                              dlo_error *err)
{
    dlo_reconcile_report post;
    dlo_buf effective, who, by;
    bool compliant = false;
    size_t n;
    dlo_status st = judge_after(plat, fw, t, &post, &compliant, err);

    if (st)
        return st;
    mem->wrote = false;
    dlo_buf_init(&effective);
    dlo_buf_init(&who);
    dlo_buf_init(&by);
    report_common(plat, fw, t, &post, mem, true, &effective);
    report_problems(&post, mem);
    n = post.diff.count;
    attribute_pass(plat, mem, &post, n, drift_pass(why) && n, &who, &by);
    log_report(cfg, &post, why, dlo_buf_str(&effective), dlo_buf_str(&who));
    dlo_state_note_pass(plat, fw, &t->plan, &post, false, true, compliant,
                        by.len ? dlo_buf_str(&by) : NULL);
    dlo_buf_free(&by);
    dlo_buf_free(&who);
    dlo_buf_free(&effective);
    dlo_reconcile_report_free(fw, &post);
    return DLO_OK;
}

/* A name that stopped resolving is said when it starts keeping its last known addresses, not
 * at every pass it still does. */
static void report_names_kept(const dlo_names *now, const dlo_service_loop *mem)
{
    size_t i, j;
    for (i = 0; i < now->count; i++) {
        const dlo_name *nm = &now->items[i];
        bool before = false;
        if (nm->state != DLO_NAME_KEPT)
            continue;
        for (j = 0; mem->have_names && j < mem->names.count; j++)
            before = before || (strcmp(mem->names.items[j].name, nm->name) == 0 &&
                                mem->names.items[j].state == DLO_NAME_KEPT);
        if (!before)
            dlo_log_event(DLO_EV_NAME_KEPT, DLO_LOG_WARN,
                          "host name '%s' did not resolve (%s): the rules keep its last known "
                          "addresses %s until it resolves again",
                          nm->name, nm->why, nm->addresses);
    }
}

/* The last known addresses as the Names key holds them: one REG_SZ per name that has any,
 * name = addresses (strings borrowed from names). */
static void known_values(const dlo_names *names, dlo_reg_write *values, size_t max, size_t *n)
{
    size_t i;
    *n = 0;
    for (i = 0; i < names->count && *n < max; i++) {
        const dlo_name *nm = &names->items[i];
        if (!nm->addresses)
            continue;
        memset(&values[*n], 0, sizeof(values[0]));
        values[*n].name = nm->name;
        values[*n].type = DLO_REG_SZ;
        values[*n].text = nm->addresses;
        (*n)++;
    }
}

/* The last known addresses, persisted when they changed, and remembered for the next pass. */
static void keep_names(const dlo_platform *plat, dlo_service_loop *mem, dlo_target *t)
{
    dlo_reg_write values[64];
    size_t n = 0;
    dlo_error e;
    bool changed = !mem->have_names || !dlo_names_same(&mem->names, &t->names);
    known_values(&t->names, values, sizeof(values) / sizeof(values[0]), &n);
    dlo_error_clear(&e);
    if (changed && plat->write_values && (n || mem->have_names) &&
        plat->write_values(plat->ctx, DLO_CONFIG_KEY_NAMES, values, n, true, &e))
        dlo_log(DLO_LOG_WARN, "cannot record the addresses of the host names in HKLM\%s: %s",
                DLO_CONFIG_KEY_NAMES, e.msg);
    dlo_names_free(&mem->names);
    mem->names = t->names;
    mem->have_names = true;
    dlo_names_init(&t->names);
    t->plan.names = NULL;
}

dlo_status dlo_agent_reconcile(const dlo_platform *plat, const dlo_config *cfg,
                               dlo_service_loop *mem, unsigned why, dlo_error *err)
{
    dlo_target t;
    dlo_fw_backend fw;
    dlo_status st;
    bool renamed;

    mem->names_refresh_seconds = dlo_names_configured(cfg) ? cfg->name_refresh_minutes * 60u : 0;
    st = dlo_target_build_kept(plat, cfg, mem->sql_port, &t, err);
    if (st)
        return st;
    mem->names_refresh_seconds = t.names.refresh_seconds;
    renamed = mem->have_names && !dlo_names_same(&mem->names, &t.names);
    report_names_kept(&t.names, mem);
    if (!plat->open_firewall) {
        st = dlo_error_set(err, DLO_E_FIREWALL, "this build has no firewall to work on");
        goto cleanup_target;
    }
    st = plat->open_firewall(plat->ctx, &fw, err);
    if (st)
        goto cleanup_target;
    /* A hand-run /apply and this pass read and write under one lock, never interleaved. */
    if (cfg->drift_action == DLO_DRIFT_REPORT) {
        st = report_pass(plat, cfg, &t, &fw, mem, why, err);
    } else if (!(st = dlo_platform_lock(plat, err))) {
        st = repair_pass(plat, cfg, &t, &fw, mem, why, renamed, err);
        dlo_platform_unlock(plat);
    }
    if (!st) {
        mem->have_roles = true;
        mem->roles = t.plan.roles;
        remember_sql_port(mem, &t);
        keep_names(plat, mem, &t);
    }
    plat->close_firewall(plat->ctx, &fw);
cleanup_target:
    dlo_target_free(&t);
    return st;
}
