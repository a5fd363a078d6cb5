#include "dlo/app.h"

#include "dlo/buf.h"
#include "dlo/cli.h"
#include "dlo/config.h"
#include "dlo/status.h"
#include "dlo/version.h"

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
        code = DLO_EXIT_OK;
        goto cleanup_buf;
    }

report:
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
