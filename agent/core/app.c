#include "dlo/app.h"

#include "dlo/buf.h"
#include "dlo/cli.h"
#include "dlo/config.h"
#include "dlo/detect.h"
#include "dlo/plan.h"
#include "dlo/policy.h"
#include "dlo/reconcile.h"
#include "dlo/roles.h"
#include "dlo/status.h"
#include "dlo/version.h"

#include <stdlib.h>
#include <string.h>

/* The port matrix: the file named by /policy, else the one embedded in the executable. */
static dlo_status load_policy(const dlo_platform *plat, const dlo_cli *cli, dlo_policy *pol,
                              dlo_error *err)
{
    const char *file = cli->values[DLO_OPT_POLICY];
    dlo_buf text;
    dlo_status st;

    dlo_buf_init(&text);
    if (file) {
        st = plat->read_file ? plat->read_file(plat->ctx, file, &text, err)
                             : dlo_error_set(err, DLO_E_IO, "cannot read files here");
        /* A file the administrator named that cannot be read is a usage error (exit 2). */
        if (st == DLO_E_IO || st == DLO_E_NOTFOUND) {
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
        st = dlo_policy_parse(dlo_buf_str(&text), text.len, file ? file : "built-in policy", pol,
                              err);
    dlo_buf_free(&text);
    return st;
}

/* Parses a TCP/UDP port number given as text: 1-65535, digits only. */
static dlo_status parse_port(const char *s, const char *what, unsigned *out, dlo_error *err)
{
    unsigned long v = 0;
    const char *p = s;
    if (!*p)
        goto bad;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || p - s >= 5)
            goto bad;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v < 1 || v > 65535)
        goto bad;
    *out = (unsigned)v;
    return DLO_OK;
bad:
    return dlo_error_set(err, DLO_E_USAGE,
                         "%s: '%.40s' is not a port; expected a number from 1 to 65535", what, s);
}

/* Roles, mode and settings of this run. */
static dlo_status resolve_target(const dlo_cli *cli, dlo_role_set *roles, dlo_mode *mode,
                                 dlo_plan_settings *settings, dlo_error *err)
{
    dlo_status st;

    memset(settings, 0, sizeof(*settings));
    if (!cli->values[DLO_OPT_ROLES])
        return dlo_error_set(err, DLO_E_USAGE,
                             "no roles given: name this machine's DLO roles with /roles:ROLE,... "
                             "(see /help for the role names)");
    st = dlo_roles_parse(cli->values[DLO_OPT_ROLES], "/roles", roles, err);
    if (st)
        return st;
    if (!cli->values[DLO_OPT_MODE])
        return dlo_error_set(err, DLO_E_USAGE,
                             "no BOI mode given: use /mode:nonboi, /mode:exclusive or "
                             "/mode:occasional");
    st = dlo_mode_parse(cli->values[DLO_OPT_MODE], "/mode", mode, err);
    if (st)
        return st;
    if (cli->values[DLO_OPT_SQLPORT])
        return parse_port(cli->values[DLO_OPT_SQLPORT], "/sqlport", &settings->sql_port, err);
    return DLO_OK;
}

/* The plan of this run: roles, mode and settings from the command line, the port matrix from
 * the exe or /policy. */
static dlo_status build_plan(const dlo_platform *plat, const dlo_cli *cli, dlo_plan *plan,
                             dlo_policy *pol, dlo_error *err)
{
    dlo_plan_settings settings;
    dlo_role_set roles;
    dlo_mode mode;
    dlo_status st;

    st = resolve_target(cli, &roles, &mode, &settings, err);
    if (st)
        return st;
    st = load_policy(plat, cli, pol, err);
    if (st)
        return st;
    st = dlo_plan_build(pol, roles, mode, &settings, plan, err);
    if (st)
        dlo_policy_free(pol);
    return st;
}

static void free_plan(dlo_plan *plan, dlo_policy *pol)
{
    dlo_plan_free(plan);
    dlo_policy_free(pol);
}

static dlo_status cmd_plan(const dlo_platform *plat, const dlo_cli *cli, dlo_buf *out,
                           dlo_error *err)
{
    dlo_policy pol;
    dlo_plan plan;
    dlo_status st = build_plan(plat, cli, &plan, &pol, err);
    if (st)
        return st;
    if (dlo_cli_flag(cli, DLO_OPT_JSON))
        dlo_plan_json(out, &plan);
    else
        dlo_plan_text(out, &plan);
    free_plan(&plan, &pol);
    return DLO_OK;
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

static dlo_status run_reconcile(const dlo_platform *plat, const dlo_cli *cli,
                                const dlo_rule_list *plan, const char *command, dlo_buf *out,
                                dlo_error *err)
{
    dlo_fw_backend fw;
    dlo_report rep;
    dlo_status st;

    st = open_firewall(plat, &fw, err);
    if (st)
        return st;
    st = plan ? dlo_reconcile_apply(&fw, plan, &rep, err) : dlo_reconcile_remove(&fw, &rep, err);
    if (dlo_cli_flag(cli, DLO_OPT_JSON))
        dlo_report_apply_json(out, &rep, st ? err->msg : NULL);
    else if (!st)
        dlo_report_apply_text(out, &rep);
    if (st)
        dlo_error_prefix(err, "%s: ", command);
    dlo_report_free(&fw, &rep);
    plat->close_firewall(plat->ctx, &fw);
    return st;
}

static dlo_status cmd_apply(const dlo_platform *plat, const dlo_cli *cli, dlo_buf *out,
                            dlo_error *err)
{
    dlo_policy pol;
    dlo_plan plan;
    dlo_status st = build_plan(plat, cli, &plan, &pol, err);
    if (st)
        return st;
    st = require_elevation(plat, "/apply", err);
    if (!st)
        st = run_reconcile(plat, cli, &plan.rules, "/apply", out, err);
    free_plan(&plan, &pol);
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
    dlo_policy pol;
    dlo_plan plan;
    dlo_fw_backend fw;
    dlo_report rep;
    dlo_status st = build_plan(plat, cli, &plan, &pol, err);
    if (st)
        return st;
    st = open_firewall(plat, &fw, err);
    if (st)
        goto cleanup_plan;
    st = dlo_reconcile_verify(&fw, &plan.rules, &rep, compliant, err);
    if (!st) {
        if (dlo_cli_flag(cli, DLO_OPT_JSON))
            dlo_report_verify_json(out, &rep, *compliant);
        else
            dlo_report_verify_text(out, &rep, *compliant);
    } else {
        dlo_error_prefix(err, "/verify could not check the firewall: ");
    }
    dlo_report_free(&fw, &rep);
    plat->close_firewall(plat->ctx, &fw);
cleanup_plan:
    free_plan(&plan, &pol);
    return st;
}

static void app_write(const dlo_platform *plat, const dlo_buf *b, int to_err)
{
    if (b->len == 0)
        return;
    if (to_err)
        plat->write_err(plat->ctx, b->data, b->len);
    else
        plat->write_out(plat->ctx, b->data, b->len);
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

static dlo_status cmd_matrix(const dlo_platform *plat, const dlo_cli *cli, dlo_buf *out,
                             dlo_error *err)
{
    dlo_policy pol;
    dlo_status st = load_policy(plat, cli, &pol, err);
    if (st)
        return st;
    if (dlo_cli_flag(cli, DLO_OPT_JSON))
        dlo_policy_json(out, &pol);
    else
        dlo_policy_text(out, &pol);
    dlo_policy_free(&pol);
    return DLO_OK;
}

static dlo_status cmd_detect(const dlo_platform *plat, const dlo_cli *cli, dlo_buf *out,
                             dlo_error *err)
{
    dlo_detect_result result;
    /* The configured SQL Server instance joins here once configuration is read. */
    dlo_detect_params params = {NULL};
    dlo_status st;

    st = dlo_detect_machine(plat, cli->values[DLO_OPT_DETECTION], &params, &result, err);
    if (st)
        return st;
    if (dlo_cli_flag(cli, DLO_OPT_JSON))
        dlo_detect_format_json(out, &result);
    else
        dlo_detect_format_text(out, &result);
    dlo_detect_result_free(&result);
    return DLO_OK;
}

static dlo_status cmd_config(const dlo_platform *plat, const dlo_cli *cli, dlo_buf *out,
                             dlo_error *err)
{
    dlo_config cfg;
    dlo_status st;

    if (!plat->registry)
        return dlo_error_set(err, DLO_E_IO, "/config: there is no registry on this platform");
    st = dlo_config_load(&cfg, plat->registry, cli, err);
    if (!st)
        dlo_config_print(out, &cfg, dlo_cli_flag(cli, DLO_OPT_JSON));
    dlo_config_free(&cfg);
    return st;
}

static dlo_status cmd_service(const dlo_platform *plat, const dlo_cli *cli, dlo_buf *out,
                              dlo_error *err)
{
    if (!plat->service_command)
        return dlo_error_set(err, DLO_E_USAGE,
                             "this command needs the Windows service host; it is not available "
                             "on this platform");
    return plat->service_command(plat->ctx, cli, out, err);
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

    switch (cli.command) {
    case DLO_CMD_HELP:
        dlo_cli_help(&out);
        break;
    case DLO_CMD_VERSION:
        st = cmd_version(&cli, &out);
        break;
    case DLO_CMD_PLAN:
        st = cmd_plan(plat, &cli, &out, &err);
        break;
    case DLO_CMD_MATRIX:
        st = cmd_matrix(plat, &cli, &out, &err);
        break;
    case DLO_CMD_APPLY:
        st = cmd_apply(plat, &cli, &out, &err);
        break;
    case DLO_CMD_REMOVE:
        st = cmd_remove(plat, &cli, &out, &err);
        break;
    case DLO_CMD_VERIFY:
        st = cmd_verify(plat, &cli, &out, &compliant, &err);
        break;
    case DLO_CMD_DETECT:
        st = cmd_detect(plat, &cli, &out, &err);
        break;
    case DLO_CMD_CONFIG:
        st = cmd_config(plat, &cli, &out, &err);
        break;
    case DLO_CMD_INSTALL:
    case DLO_CMD_UNINSTALL:
    case DLO_CMD_RUN:
    case DLO_CMD_SERVICE:
        st = cmd_service(plat, &cli, &out, &err);
        break;
    case DLO_CMD_NONE:
        st = dlo_error_set(&err, DLO_E_INTERNAL, "no command");
        break;
    }
    if (!st)
        st = dlo_buf_status(&out);
    if (!st) {
        app_write(plat, &out, 0);
        code = compliant ? DLO_EXIT_OK : DLO_EXIT_NONCOMPLIANT;
        goto cleanup_buf;
    }

report:
    /* What a failed command had to say (the /json report of a failed /apply) still goes out, so
     * a compliance tool reading stdout gets a document, and the error goes to stderr. */
    if (!dlo_buf_status(&out))
        app_write(plat, &out, 0);
    if (!err.msg[0])
        dlo_error_set(&err, st, "%s", dlo_status_name(st));
    dlo_buf_reset(&out);
    dlo_buf_printf(&out, "dloagent: %s\n", err.msg);
    app_write(plat, &out, 1);
    code = dlo_status_exit_code(st);
cleanup_buf:
    dlo_buf_free(&out);
    return code;
}
