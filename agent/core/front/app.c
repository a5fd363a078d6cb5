#include "dlo/app.h"

#include "dlo/buf.h"
#include "dlo/cli.h"
#include "dlo/compare.h"
#include "dlo/config.h"
#include "dlo/detect.h"
#include "dlo/drift.h"
#include "dlo/effective.h"
#include "dlo/export.h"
#include "dlo/exposure.h"
#include "dlo/netprofiles.h"
#include "dlo/plan.h"
#include "dlo/planfile.h"
#include "dlo/policy.h"
#include "dlo/portset.h"
#include "dlo/str.h"
#include "dlo/probe.h"
#include "dlo/reconcile.h"
#include "dlo/names.h"
#include "dlo/report.h"
#include "dlo/roles.h"
#include "dlo/state.h"
#include "dlo/target.h"
#include "dlo/status.h"
#include "dlo/version.h"

#include <stdlib.h>
#include <string.h>

/* Where there is no registry (the Linux build), every configuration value is absent. */
static dlo_status no_registry_read(void *ctx, dlo_reg_view view, const char *key, const char *name,
                                   dlo_reg_value *out, dlo_error *err)
{
    (void)ctx;
    (void)view;
    (void)key;
    (void)name;
    (void)out;
    (void)err;
    return DLO_E_NOTFOUND;
}

static dlo_status no_registry_subkeys(void *ctx, dlo_reg_view view, const char *key,
                                      dlo_strlist *out, dlo_error *err)
{
    (void)ctx;
    (void)view;
    (void)key;
    (void)out;
    (void)err;
    return DLO_E_NOTFOUND;
}

static const dlo_registry no_registry = {NULL, no_registry_read, no_registry_subkeys, NULL};

/* The configuration of this run: the registry, overridden by the command line, for the
 * firewall of this machine's Windows build. */
static void run_overrides(const dlo_platform *plat, const dlo_cli *cli,
                          dlo_config_overrides *overrides)
{
    dlo_cli_config_overrides(cli, overrides);
    overrides->os_build = plat->os_build ? plat->os_build(plat->ctx) : 0;
}

static dlo_status load_config(const dlo_platform *plat, const dlo_cli *cli, dlo_config *cfg,
                              dlo_error *err)
{
    dlo_config_overrides overrides;
    run_overrides(plat, cli, &overrides);
    return dlo_config_load(cfg, plat->registry ? plat->registry : &no_registry, &overrides, err);
}

/* The plan of this run: the configuration, roles from it or from detection, the port matrix
 * from PolicyFile (or /policy) or the exe. A bad configuration value is DLO_E_CONFIG (exit 2)
 * before anything is read from or written to the firewall. */
static dlo_status build_target_cfg(const dlo_platform *plat, const dlo_cli *cli, dlo_config *cfg,
                                   dlo_target *t, dlo_error *err)
{
    dlo_status st = load_config(plat, cli, cfg, err);
    if (!st)
        st = dlo_target_build(plat, cfg, t, err);
    /* What reads the scopes after the plan (exposure, /probe, the exports) reads the addresses
     * the rules hold, not the names. */
    if (!st && (st = dlo_names_apply(&t->names, cfg)) != DLO_OK) {
        dlo_target_free(t);
        st = dlo_error_set(err, st, "out of memory");
    }
    return st;
}

static dlo_status build_target(const dlo_platform *plat, const dlo_cli *cli, dlo_target *t,
                               dlo_error *err)
{
    dlo_config cfg;
    dlo_status st = build_target_cfg(plat, cli, &cfg, t, err);
    dlo_config_free(&cfg);
    return st;
}

/* The file /compare: names, capped as every data file is. One that cannot be read is a usage
 * error (exit 2), before anything else is worked out. */
static dlo_status read_compare_file(const dlo_platform *plat, const char *path, size_t max,
                                    dlo_buf *text, dlo_error *err)
{
    dlo_status st = plat->read_file ? plat->read_file(plat->ctx, path, max, text, err)
                                    : dlo_error_set(err, DLO_E_IO, "cannot read files here");
    if (st == DLO_E_IO || st == DLO_E_NOTFOUND || st == DLO_E_ACCESS) {
        dlo_error_prefix(err, "/compare: ");
        st = err->status = DLO_E_USAGE;
    }
    return st;
}

/* /plan /compare:FILE: FILE is the earlier plan, this run's the later; exit 1 when they
 * differ (a property FILE does not state counts: nothing can be said to be the same). */
static dlo_status plan_compare(const dlo_platform *plat, const dlo_cli *cli, dlo_buf *out,
                               bool *same, dlo_error *err)
{
    const char *path = cli->values[DLO_OPT_COMPARE];
    dlo_saved_plan was;
    dlo_comparison cmp;
    dlo_config cfg;
    dlo_target t;
    dlo_buf text;
    dlo_status st;

    dlo_buf_init(&text);
    st = read_compare_file(plat, path, DLO_PLANFILE_MAX_BYTES, &text, err);
    if (!st && (st = dlo_planfile_parse(dlo_buf_str(&text), text.len, &was, err)) != 0)
        dlo_error_prefix(err, "/compare: %s: ", path);
    dlo_buf_free(&text);
    if (st)
        return st;
    dlo_comparison_init(&cmp);
    st = build_target_cfg(plat, cli, &cfg, &t, err);
    if (!st) {
        st = dlo_compare_rules(&was.rules, was.stated, &t.plan.rules, &cmp);
        if (!st && dlo_cli_flag(cli, DLO_OPT_JSON))
            dlo_report_compare_plan_json(out, path, &was, &t.plan, &cmp);
        else if (!st)
            dlo_report_compare_plan_text(out, path, &was, &t.plan, &cmp);
        *same = cmp.count == 0;
        dlo_target_free(&t);
    }
    dlo_config_free(&cfg);
    dlo_comparison_free(&cmp);
    dlo_saved_plan_free(&was);
    return st == DLO_E_NOMEM ? dlo_error_set(err, st, "out of memory comparing the plans") : st;
}

static dlo_status cmd_plan(const dlo_platform *plat, const dlo_cli *cli, dlo_buf *out,
                           dlo_error *err)
{
    dlo_config cfg;
    dlo_target t;
    dlo_status st = build_target_cfg(plat, cli, &cfg, &t, err);
    if (!st) {
        if (dlo_cli_flag(cli, DLO_OPT_JSON))
            dlo_report_plan_json(out, &t.plan, &cfg);
        else
            dlo_report_plan_text(out, &t.plan, &cfg);
        dlo_target_free(&t);
    }
    dlo_config_free(&cfg);
    return st;
}

/* The switches only /probe reads, checked before anything is probed. */
static dlo_status probe_params(const dlo_cli *cli, dlo_probe_params *pp, dlo_portset *extra,
                               dlo_error *err)
{
    const char *timeout = cli->values[DLO_OPT_TIMEOUT], *to = cli->values[DLO_OPT_TO];
    const char *role = cli->values[DLO_OPT_ROLE], *ports = cli->values[DLO_OPT_PORTS];
    dlo_role r;

    memset(pp, 0, sizeof(*pp));
    dlo_portset_init(extra);
    if (timeout) {
        unsigned long ms;
        const char *why =
            dlo_decimal_parse(timeout, strlen(timeout), 1, DLO_PROBE_MAX_TIMEOUT_MS, &ms);
        if (why)
            return dlo_error_set(err, DLO_E_USAGE,
                                 "/timeout:%s is not a time in milliseconds (it %s): expected "
                                 "1-%d",
                                 timeout, why, DLO_PROBE_MAX_TIMEOUT_MS);
        pp->timeout_ms = (unsigned)ms;
    }
    if (ports && dlo_portset_parse(ports, DLO_PORTS_BLANKS, extra, err)) {
        dlo_error_prefix(err, "/ports:%s: ", ports);
        err->status = DLO_E_USAGE;
        return DLO_E_USAGE;
    }
    pp->extra_ports = ports ? extra : NULL;
    if (!to != !role)
        return dlo_error_set(err, DLO_E_USAGE,
                             "/to:HOST and /role:ROLE go together: /probe /to:HOST /role:ROLE");
    if (role && !dlo_role_from_name(role, strlen(role), &r))
        return dlo_error_set(err, DLO_E_USAGE, "/role:%s is not a role: see /help for the roles",
                             role);
    if (to && strlen(to) >= sizeof(((dlo_probe_item *)0)->target))
        return dlo_error_set(err, DLO_E_USAGE, "/to:%s is too long for a host name", to);
    pp->to_host = to;
    pp->to_role = role ? (int)r : -1;
    return DLO_OK;
}

/* Exit 0 when every probe that ran found its path open or listening, 1 otherwise. */
static dlo_status cmd_probe(const dlo_platform *plat, const dlo_cli *cli, dlo_buf *out, bool *good,
                            dlo_error *err)
{
    dlo_probe_params pp;
    dlo_portset extra;
    dlo_probe_result res;
    dlo_config cfg;
    dlo_target t;
    dlo_status st = probe_params(cli, &pp, &extra, err);

    if (st) {
        dlo_portset_free(&extra);
        return st;
    }
    st = build_target_cfg(plat, cli, &cfg, &t, err);
    if (!st) {
        st = dlo_probe_run(plat->probe_os, &t.plan, &cfg, &pp, &res, err);
        if (!st && dlo_cli_flag(cli, DLO_OPT_JSON))
            dlo_report_probe_json(out, &t.plan, &res);
        else if (!st)
            dlo_report_probe_text(out, &t.plan, &res);
        *good = st || dlo_probe_all_good(&res);
        if (!st)
            dlo_probe_result_free(&res);
        dlo_target_free(&t);
    }
    if (st)
        dlo_error_prefix(err, "/probe: ");
    dlo_config_free(&cfg);
    dlo_portset_free(&extra);
    return st;
}

static dlo_status cmd_export(const dlo_platform *plat, const dlo_cli *cli, dlo_buf *out,
                             dlo_error *err)
{
    dlo_config cfg;
    dlo_target t;
    dlo_status st = build_target_cfg(plat, cli, &cfg, &t, err);
    if (!st) {
        st = dlo_export(out, &t.plan, &cfg, cli->values[DLO_OPT_EXPORT], err);
        dlo_target_free(&t);
    }
    dlo_config_free(&cfg);
    return st;
}

static dlo_status open_firewall(const dlo_platform *plat, dlo_fw_backend *fw, dlo_error *err)
{
    dlo_status st;
    memset(fw, 0, sizeof(*fw));
    if (!plat->open_firewall)
        return dlo_error_set(err, DLO_E_FIREWALL, "this build has no firewall to work on");
    st = plat->open_firewall(plat->ctx, fw, err);
    if (st)
        dlo_error_prefix(err, "cannot open the Windows Firewall: ");
    return st;
}

/* Checked before anything is read or written, so a command run without elevation does nothing
 * at all rather than half of its work. */
static dlo_status require_elevation(const dlo_platform *plat, const char *command, dlo_error *err)
{
    if (plat->is_elevated && plat->is_elevated(plat->ctx))
        return DLO_OK;
    return dlo_error_set(err, DLO_E_ACCESS,
                         "%s changes the firewall and needs administrator rights: run it from an "
                         "elevated prompt (Run as administrator) or as the service",
                         command);
}

/* The State key records this machine's plan only: a run with any switch but /json (a mode or
 * roles of its own, /policy, /detection) checks a plan of its own and records nothing. */
static bool machine_plan(const dlo_cli *cli)
{
    int opt;
    for (opt = 0; opt < DLO_OPT_COUNT_; opt++)
        if (opt != DLO_OPT_JSON && cli->values[opt])
            return false;
    for (opt = 0; opt < DLO_CFG_COUNT; opt++)
        if (cli->config[opt])
            return false;
    return true;
}

static void note_failure(const dlo_platform *plat, const dlo_cli *cli, const dlo_error *err)
{
    if (machine_plan(cli))
        dlo_state_note_failure(plat, err->msg);
}

static dlo_status run_reconcile(const dlo_platform *plat, const dlo_cli *cli, const dlo_target *t,
                                const char *command, dlo_buf *out, dlo_error *err)
{
    dlo_fw_backend fw;
    dlo_reconcile_report rep;
    dlo_status st;

    st = open_firewall(plat, &fw, err);
    if (st) {
        if (t)
            note_failure(plat, cli, err);
        return st;
    }
    memset(&rep, 0, sizeof(rep));
    /* Read and written under the lock, so the service's pass never writes in between. */
    st = dlo_platform_lock(plat, err);
    if (!st) {
        st = t ? dlo_reconcile_apply_opts(&fw, &t->plan.rules, t->keep_unplanned, &rep, err)
               : dlo_reconcile_remove(&fw, &rep, err);
        if (t && st)
            note_failure(plat, cli, err);
        else if (t && machine_plan(cli))
            dlo_state_note_apply(plat, &fw, &t->plan, &rep, t->keep_unplanned);
        else if (!t && !st)
            dlo_state_note_removed(plat);
        dlo_platform_unlock(plat);
    } else if (t) {
        note_failure(plat, cli, err);
    }
    if (dlo_cli_flag(cli, DLO_OPT_JSON))
        dlo_report_apply_json(out, &rep, st ? err->msg : NULL);
    else if (!st)
        dlo_report_apply_text(out, &rep);
    if (st)
        dlo_error_prefix(err, "%s: ", command);
    dlo_reconcile_report_free(&fw, &rep);
    plat->close_firewall(plat->ctx, &fw);
    return st;
}

static dlo_status cmd_apply(const dlo_platform *plat, const dlo_cli *cli, dlo_buf *out,
                            dlo_error *err)
{
    dlo_target t;
    dlo_status st = require_elevation(plat, "/apply", err);
    if (st)
        return st;
    st = build_target(plat, cli, &t, err);
    if (st) {
        note_failure(plat, cli, err);
        return st;
    }
    st = run_reconcile(plat, cli, &t, "/apply", out, err);
    dlo_target_free(&t);
    return st;
}

static dlo_status cmd_remove(const dlo_platform *plat, const dlo_cli *cli, dlo_buf *out,
                             dlo_error *err)
{
    dlo_status st = require_elevation(plat, "/remove", err);
    if (st)
        return st;
    return run_reconcile(plat, cli, NULL, "/remove", out, err);
}

static dlo_status cmd_verify(const dlo_platform *plat, const dlo_cli *cli, dlo_buf *out,
                             bool *compliant, dlo_error *err)
{
    dlo_config cfg;
    dlo_target t;
    dlo_fw_backend fw;
    dlo_reconcile_report rep;
    dlo_status st = build_target_cfg(plat, cli, &cfg, &t, err);
    if (st) {
        note_failure(plat, cli, err);
        goto cleanup_config;
    }
    st = open_firewall(plat, &fw, err);
    if (st) {
        note_failure(plat, cli, err);
        goto cleanup_target;
    }
    st = dlo_effective_verify(&fw, plat->registry, &t.plan.rules, &rep, compliant, err);
    if (!st && dlo_cli_flag(cli, DLO_OPT_JSON))
        st = dlo_drift_for_verify(plat, &rep, err);
    if (!st)
        st = dlo_exposure_add_unscoped(&rep, &t.plan.rules, &cfg, err);
    if (!st)
        st = dlo_profile_mismatch_verify(rep.fw_state_read ? &rep.fw_state : NULL, &t.plan, &rep,
                                         err);
    if (!st && rep.n_warnings && dlo_cli_flag(cli, DLO_OPT_STRICT))
        *compliant = false;
    if (st)
        note_failure(plat, cli, err);
    else if (machine_plan(cli))
        dlo_state_note_verify(plat, &t.plan, &rep, *compliant);
    if (!st) {
        if (dlo_cli_flag(cli, DLO_OPT_JSON))
            dlo_report_verify_json(out, &rep, *compliant);
        else
            dlo_report_verify_text(out, &rep, *compliant);
    } else {
        dlo_error_prefix(err, "/verify could not check the firewall: ");
    }
    dlo_reconcile_report_free(&fw, &rep);
    plat->close_firewall(plat->ctx, &fw);
cleanup_target:
    dlo_target_free(&t);
cleanup_config:
    dlo_config_free(&cfg);
    return st;
}

/* Text for people goes out with every character that could make it lie shown escaped
 * (dlo_buf_put_shown): names and paths come from the registry, the firewall, the listeners
 * table and files, some of them a standard user's. JSON escapes them itself; an export is a
 * script for its interpreter, written as it is. */
static void app_write(const dlo_platform *plat, const dlo_buf *b, int to_err, bool for_people)
{
    dlo_buf shown;
    const dlo_buf *text = b;

    if (b->len == 0)
        return;
    dlo_buf_init(&shown);
    if (for_people) {
        dlo_buf_put_shown(&shown, b->data, b->len, true);
        if (!dlo_buf_status(&shown))
            text = &shown;
    }
    if (to_err)
        plat->write_err(plat->ctx, text->data, text->len);
    else
        plat->write_out(plat->ctx, text->data, text->len);
    dlo_buf_free(&shown);
}

/* stdout is text for people, not JSON or an export script. */
static bool out_for_people(const dlo_cli *cli)
{
    return !dlo_cli_flag(cli, DLO_OPT_JSON) && cli->command != DLO_CMD_EXPORT;
}

static dlo_status cmd_version(const dlo_cli *cli, dlo_buf *out)
{
    if (dlo_cli_flag(cli, DLO_OPT_JSON)) {
        dlo_buf_puts(out, "{\"name\": \"dloagent\", \"version\": ");
        dlo_buf_json_str(out, DLO_VERSION_STRING);
        dlo_buf_puts(out, "}\n");
    } else {
        dlo_buf_printf(out, "dloagent %s\n", DLO_VERSION_STRING);
    }
    return DLO_OK;
}

/* /matrix /compare:FILE: the matrix in use is the earlier side, FILE (a new release's table)
 * the later: what adopting FILE would change for each role in each mode. */
static dlo_status matrix_compare(const dlo_platform *plat, const dlo_cli *cli,
                                 const dlo_policy *in_use, dlo_buf *out, bool *same, dlo_error *err)
{
    const char *path = cli->values[DLO_OPT_COMPARE];
    dlo_matrix_comparison m;
    dlo_policy file;
    dlo_buf text;
    dlo_status st;

    dlo_buf_init(&text);
    st = read_compare_file(plat, path, DLO_POLICY_MAX_BYTES, &text, err);
    if (!st && (st = dlo_policy_parse(dlo_buf_str(&text), text.len, path, &file, err)) != 0)
        dlo_error_prefix(err, "/compare: ");
    dlo_buf_free(&text);
    if (st)
        return st;
    st = dlo_compare_policies(in_use, &file, &m, err);
    if (!st) {
        if (dlo_cli_flag(cli, DLO_OPT_JSON))
            dlo_report_compare_matrix_json(out, path, in_use, &file, &m);
        else
            dlo_report_compare_matrix_text(out, path, in_use, &file, &m);
        *same = m.count == 0;
        dlo_matrix_comparison_free(&m);
    }
    dlo_policy_free(&file);
    return st;
}

static dlo_status cmd_matrix(const dlo_platform *plat, const dlo_cli *cli, dlo_buf *out, bool *same,
                             dlo_error *err)
{
    dlo_policy pol;
    dlo_config cfg;
    dlo_status st = load_config(plat, cli, &cfg, err);
    if (!st)
        st = dlo_target_load_policy(plat, &cfg, &pol, err);
    dlo_config_free(&cfg);
    if (st)
        return st;
    if (cli->values[DLO_OPT_COMPARE])
        st = matrix_compare(plat, cli, &pol, out, same, err);
    else if (dlo_cli_flag(cli, DLO_OPT_JSON))
        dlo_report_matrix_json(out, &pol);
    else
        dlo_report_matrix_text(out, &pol);
    dlo_policy_free(&pol);
    return st;
}

static dlo_status cmd_detect(const dlo_platform *plat, const dlo_cli *cli, dlo_buf *out,
                             dlo_error *err)
{
    dlo_detect_result result;
    dlo_config cfg;
    dlo_status st;

    /* The configuration names DLO's SQL Server instance (SqlInstance); a bad configuration is
     * reported as /plan reports it, not guessed around. */
    st = load_config(plat, cli, &cfg, err);
    if (!st)
        st = dlo_target_detect(plat, &cfg, &result, err);
    dlo_config_free(&cfg);
    if (st)
        return st;
    if (dlo_cli_flag(cli, DLO_OPT_JSON))
        dlo_report_detect_json(out, &result);
    else
        dlo_report_detect_text(out, &result);
    dlo_detect_result_free(&result);
    return DLO_OK;
}

static dlo_status cmd_config(const dlo_platform *plat, const dlo_cli *cli, dlo_buf *out,
                             dlo_error *err)
{
    dlo_config cfg;
    dlo_names names;
    dlo_status st, names_st = DLO_OK;

    if (!plat->registry)
        return dlo_error_set(err, DLO_E_IO, "/config: there is no registry on this platform");
    st = load_config(plat, cli, &cfg, err);
    /* What the names resolve to is shown beside the values; one that never resolved makes the
     * configuration invalid here as in a pass (exit 2), after it is shown. */
    dlo_names_init(&names);
    if (!st && dlo_names_configured(&cfg))
        names_st = dlo_names_resolve(plat->resolver, plat->registry, &cfg, &names, err);
    if (!st && dlo_cli_flag(cli, DLO_OPT_JSON))
        dlo_report_config_json_names(out, &cfg, &names);
    else if (!st) {
        dlo_report_config_text(out, &cfg);
        dlo_report_names_text(out, &names);
    }
    dlo_names_free(&names);
    dlo_config_free(&cfg);
    return st ? st : names_st;
}

static dlo_status cmd_service(const dlo_platform *plat, const dlo_cli *cli,
                              dlo_service_command command, dlo_buf *out, dlo_error *err)
{
    dlo_config_overrides overrides;
    if (!plat->service_command)
        return dlo_error_set(err, DLO_E_USAGE,
                             "this command needs the Windows service host; it is not available "
                             "on this platform");
    run_overrides(plat, cli, &overrides);
    return plat->service_command(plat, command, &overrides, out, err);
}

/* Runs the command of cli; its output for stdout goes to out. */
static dlo_status dispatch(const dlo_platform *plat, const dlo_cli *cli, dlo_buf *out,
                           bool *compliant, dlo_error *err)
{
    if (cli->values[DLO_OPT_COMPARE] && cli->command != DLO_CMD_PLAN &&
        cli->command != DLO_CMD_MATRIX)
        return dlo_error_set(err, DLO_E_USAGE,
                             "/compare:FILE goes with /plan (a saved plan) or /matrix (a port "
                             "matrix file) only");
    switch (cli->command) {
    case DLO_CMD_HELP:
        dlo_cli_help(out);
        return DLO_OK;
    case DLO_CMD_VERSION:
        return cmd_version(cli, out);
    case DLO_CMD_PLAN:
        return cli->values[DLO_OPT_COMPARE] ? plan_compare(plat, cli, out, compliant, err)
                                            : cmd_plan(plat, cli, out, err);
    case DLO_CMD_MATRIX:
        return cmd_matrix(plat, cli, out, compliant, err);
    case DLO_CMD_EXPORT:
        return cmd_export(plat, cli, out, err);
    case DLO_CMD_APPLY:
        return cmd_apply(plat, cli, out, err);
    case DLO_CMD_REMOVE:
        return cmd_remove(plat, cli, out, err);
    case DLO_CMD_VERIFY:
        return cmd_verify(plat, cli, out, compliant, err);
    case DLO_CMD_DETECT:
        return cmd_detect(plat, cli, out, err);
    case DLO_CMD_CONFIG:
        return cmd_config(plat, cli, out, err);
    case DLO_CMD_PROBE:
        return cmd_probe(plat, cli, out, compliant, err);
    case DLO_CMD_INSTALL:
        return cmd_service(plat, cli, DLO_SERVICE_INSTALL, out, err);
    case DLO_CMD_UNINSTALL:
        return cmd_service(plat, cli, DLO_SERVICE_UNINSTALL, out, err);
    case DLO_CMD_RUN:
        return cmd_service(plat, cli, DLO_SERVICE_RUN, out, err);
    case DLO_CMD_SERVICE:
        return cmd_service(plat, cli, DLO_SERVICE_HOST, out, err);
    case DLO_CMD_NONE:
        break;
    }
    return dlo_error_set(err, DLO_E_INTERNAL, "no command");
}

int dlo_app_run(const dlo_platform *plat, int argc, char **argv)
{
    dlo_cli cli;
    dlo_error err;
    dlo_buf out;
    dlo_status st;
    bool compliant = true;
    int code;

    dlo_error_clear(&err);
    dlo_buf_init(&out);
    st = dlo_cli_parse(argc, argv, &cli, &err);
    if (st)
        goto report;
    st = dispatch(plat, &cli, &out, &compliant, &err);
    if (!st)
        st = dlo_buf_status(&out);
    if (!st) {
        app_write(plat, &out, 0, out_for_people(&cli));
        code = compliant ? DLO_EXIT_OK : DLO_EXIT_NONCOMPLIANT;
        goto cleanup_buf;
    }

report:
    /* What a failed command had to say (the /json report of a failed /apply) still goes out, so
     * a compliance tool reading stdout gets a document, and the error goes to stderr. */
    if (!dlo_buf_status(&out))
        app_write(plat, &out, 0, out_for_people(&cli));
    if (!err.msg[0])
        dlo_error_set(&err, st, "%s", dlo_status_name(st));
    dlo_buf_reset(&out);
    dlo_buf_printf(&out, "dloagent: %s\n", err.msg);
    app_write(plat, &out, 1, true);
    code = dlo_status_exit_code(st);
cleanup_buf:
    dlo_buf_free(&out);
    return code;
}
