#include "dlo/cli.h"

#include "dlo/roles.h"
#include "dlo/str.h"

#include <stdio.h>
#include <string.h>

typedef enum switch_kind { SW_COMMAND, SW_FLAG, SW_VALUE } switch_kind;

typedef struct cli_switch {
    const char *name;
    switch_kind kind;
    int id;                 /* a dlo_command for SW_COMMAND, else a dlo_option */
    const char *value_name; /* SW_VALUE: what the value is, for help and errors */
    const char *help;
} cli_switch;

/* The single description of the command line: parsing, errors and /help all read it. */
static const cli_switch switches[] = {
    {"help", SW_COMMAND, DLO_CMD_HELP, NULL, "Show this help."},
    {"?", SW_COMMAND, DLO_CMD_HELP, NULL, "Same as /help."},
    {"version", SW_COMMAND, DLO_CMD_VERSION, NULL, "Show the version."},
    {"plan", SW_COMMAND, DLO_CMD_PLAN, NULL,
     "Show the firewall rules the roles and mode need; change nothing."},
    {"apply", SW_COMMAND, DLO_CMD_APPLY, NULL,
     "Make the agent's firewall rules exactly the plan; print what changed. Needs elevation."},
    {"verify", SW_COMMAND, DLO_CMD_VERIFY, NULL,
     "Check the firewall against the plan; change nothing. Exit 0 compliant, 1 not."},
    {"export", SW_COMMAND, DLO_CMD_EXPORT, "FORMAT",
     "Print the plan for delivery and review: powershell (a script for a GPO or the local "
     "store), netsh, intune (settings catalog bodies), intune-omauri (Firewall CSP rows), "
     "json; change nothing."},
    {"remove", SW_COMMAND, DLO_CMD_REMOVE, NULL,
     "Delete every rule the agent owns, nothing else. Needs elevation."},
    {"detect", SW_COMMAND, DLO_CMD_DETECT, NULL,
     "Show which DLO roles this machine has, and the evidence."},
    {"matrix", SW_COMMAND, DLO_CMD_MATRIX, NULL,
     "Show the port matrix in use (built-in, or /policy:FILE)."},
    {"json", SW_FLAG, DLO_OPT_JSON, NULL, "Print machine-readable JSON instead of text."},
    {"strict", SW_FLAG, DLO_OPT_STRICT, NULL,
     "With /verify: any warning (such as an overexposed port) makes it exit 1."},
    {"policy", SW_VALUE, DLO_OPT_POLICY, "FILE",
     "Read the port matrix from FILE, not the built-in one."},
    {"detection", SW_VALUE, DLO_OPT_DETECTION, "FILE",
     "Read the detection table from FILE instead of the built-in one."},
    {"compare", SW_VALUE, DLO_OPT_COMPARE, "FILE",
     "/plan, /matrix: what this plan (matrix) opens, closes, widens and narrows against FILE's "
     "(a saved /plan /json; a port matrix file). Exit 0 the same, 1 it differs."},
    {"config", SW_COMMAND, DLO_CMD_CONFIG, NULL,
     "Show the effective configuration and where each value comes from."},
    {"install", SW_COMMAND, DLO_CMD_INSTALL, NULL,
     "Register the dloagent service and its Event Log source (elevated)."},
    {"uninstall", SW_COMMAND, DLO_CMD_UNINSTALL, NULL,
     "Stop and remove the service and its Event Log source (elevated)."},
    {"run", SW_COMMAND, DLO_CMD_RUN, NULL,
     "Run the service loop in this console until Ctrl+C (elevated)."},
    {"service", SW_COMMAND, DLO_CMD_SERVICE, NULL,
     "How the Service Control Manager starts the service; not for interactive use."},
    {"mode", SW_VALUE, DLO_OPT_MODE, "MODE",
     "BOI mode for this run: nonboi, exclusive, occasional."},
    {"roles", SW_VALUE, DLO_OPT_ROLES, "ROLES", "Roles of this machine, instead of detection."},
    {"addroles", SW_VALUE, DLO_OPT_ADDROLES, "ROLES", "Roles to add to the detected ones."},
    {"excluderoles", SW_VALUE, DLO_OPT_EXCLUDEROLES, "ROLES", "Roles to leave out."},
    {"sqlport", SW_VALUE, DLO_OPT_SQLPORT, "PORT", "TCP port of the DLO SQL Server instance."},
    {"sqlinstance", SW_VALUE, DLO_OPT_SQLINSTANCE, "NAME",
     "DLO's SQL Server instance: MSSQLSERVER or the NAME of MSSQL$NAME."},
    {"adminservers", SW_VALUE, DLO_OPT_ADMINSERVERS, "ADDRESSES",
     "Remote addresses of the Administration Servers."},
    {"adminconsoles", SW_VALUE, DLO_OPT_ADMINCONSOLES, "ADDRESSES",
     "Remote addresses of the Administration Consoles."},
    {"dedupeservers", SW_VALUE, DLO_OPT_DEDUPESERVERS, "ADDRESSES",
     "Remote addresses of the Dedupe Servers."},
    {"maintenanceservers", SW_VALUE, DLO_OPT_MAINTENANCESERVERS, "ADDRESSES",
     "Remote addresses of the Maintenance Servers."},
    {"edgeservers", SW_VALUE, DLO_OPT_EDGESERVERS, "ADDRESSES",
     "Remote addresses of the Edge Servers."},
    {"ioservers", SW_VALUE, DLO_OPT_IOSERVERS, "ADDRESSES", "Remote addresses of the IO Servers."},
    {"clientnetworks", SW_VALUE, DLO_OPT_CLIENTNETWORKS, "ADDRESSES",
     "Remote addresses of the DLO clients."},
    {"sqlservers", SW_VALUE, DLO_OPT_SQLSERVERS, "ADDRESSES",
     "Remote addresses of the SQL Servers."},
    {"storageservers", SW_VALUE, DLO_OPT_STORAGESERVERS, "ADDRESSES",
     "Remote addresses of the storage locations."},
    {"dedupestorageservers", SW_VALUE, DLO_OPT_DEDUPESTORAGESERVERS, "ADDRESSES",
     "Remote addresses of the dedupe storage locations."},
    {"webrestoremachines", SW_VALUE, DLO_OPT_WEBRESTOREMACHINES, "ADDRESSES",
     "Remote addresses of the Web Restore machines."},
    {"corporateprofiles", SW_VALUE, DLO_OPT_CORPORATEPROFILES, "PROFILES",
     "Firewall profiles of the corporate-only paths: domain, private, public."},
    {"internetprofiles", SW_VALUE, DLO_OPT_INTERNETPROFILES, "PROFILES",
     "Firewall profiles of the paths to the Edge Server: domain, private, public."},
    {"bindtoservices", SW_VALUE, DLO_OPT_BINDTOSERVICES, "0|1",
     "Bind inbound rules to the service that listens, on evidence (default 1)."},
    {"pushinstallports", SW_VALUE, DLO_OPT_PUSHINSTALLPORTS, "vendor|rpc",
     "Push installation's dynamic range as written (vendor) or Windows' RPC keywords (rpc)."},
    {"closepushportswheninstalled", SW_VALUE, DLO_OPT_CLOSEPUSHPORTS, "0|1",
     "Close a client's push-installation ports once the DLO agent is detected (default 0)."},
    {"probe", SW_COMMAND, DLO_CMD_PROBE, NULL,
     "Check the planned paths: who listens here, which peers answer; change nothing."},
    {"timeout", SW_VALUE, DLO_OPT_TIMEOUT, "MS",
     "/probe: give up a connection after MS milliseconds (default 2000)."},
    {"ports", SW_VALUE, DLO_OPT_PORTS, "PORTS",
     "/probe: ports of planned ranges to try besides each range's first."},
    {"to", SW_VALUE, DLO_OPT_TO, "HOST", "/probe: only this peer (address or name), with /role."},
    {"role", SW_VALUE, DLO_OPT_ROLE, "ROLE", "/probe /to: the role of that peer."},
};

#define N_SWITCHES (sizeof(switches) / sizeof(switches[0]))

static const cli_switch *find_switch(const char *name, size_t n)
{
    size_t i;
    for (i = 0; i < N_SWITCHES; i++)
        if (dlo_equals_ci(name, n, switches[i].name))
            return &switches[i];
    return NULL;
}

static const char *command_name(dlo_command cmd)
{
    size_t i;
    for (i = 0; i < N_SWITCHES; i++)
        if (switches[i].kind == SW_COMMAND && switches[i].id == (int)cmd)
            return switches[i].name;
    return "?";
}

/* The switch name in arg ("/mode:x", "-mode=x", "--mode"), or NULL when arg is no switch. */
static const char *switch_name(const char *arg)
{
    if (arg[0] == '/')
        return arg + 1;
    if (arg[0] == '-' && arg[1] == '-')
        return arg + 2;
    if (arg[0] == '-')
        return arg + 1;
    return NULL;
}

/* Whether what sw says was said before: each switch is given at most once, in any spelling
 * (/help and /? are one command), since a repetition means the command line was built wrong
 * and, for a value, the two may differ. */
static bool given_before(const dlo_cli *out, const cli_switch *sw)
{
    if (sw->kind == SW_COMMAND)
        return out->command == (dlo_command)sw->id;
    return out->values[sw->id] != NULL;
}

/* Records switch sw, given as arg with value (NULL when none), in out. */
static dlo_status take_switch(dlo_cli *out, const cli_switch *sw, const char *arg,
                              const char *value, dlo_error *err)
{
    if (given_before(out, sw))
        return dlo_error_set(err, DLO_E_USAGE, "/%s is given twice: give each switch once",
                             sw->name);
    switch (sw->kind) {
    case SW_COMMAND:
        if (sw->value_name && (!value || !*value))
            return dlo_error_set(err, DLO_E_USAGE, "/%s needs a value: /%s:%s", sw->name, sw->name,
                                 sw->value_name);
        if (value && !sw->value_name)
            return dlo_error_set(err, DLO_E_USAGE, "/%s takes no value, got '%s'", sw->name, arg);
        if (value)
            out->values[DLO_OPT_EXPORT] = value;
        if (out->command != DLO_CMD_NONE && out->command != (dlo_command)sw->id)
            return dlo_error_set(err, DLO_E_USAGE,
                                 "/%s and /%s are both commands: give exactly one",
                                 command_name(out->command), sw->name);
        out->command = (dlo_command)sw->id;
        break;
    case SW_FLAG:
        if (value)
            return dlo_error_set(err, DLO_E_USAGE, "/%s takes no value, got '%s'", sw->name, arg);
        out->values[sw->id] = "";
        break;
    case SW_VALUE:
        if (!value || !*value)
            return dlo_error_set(err, DLO_E_USAGE, "/%s needs a value: /%s:%s", sw->name, sw->name,
                                 sw->value_name);
        out->values[sw->id] = value;
        break;
    }
    return DLO_OK;
}

dlo_status dlo_cli_parse(int argc, char **argv, dlo_cli *out, dlo_error *err)
{
    int i;

    memset(out, 0, sizeof(*out));
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *name = switch_name(arg), *value = NULL;
        const cli_switch *sw;
        dlo_status st;
        size_t n;

        if (!name)
            return dlo_error_set(err, DLO_E_USAGE,
                                 "unexpected argument '%s': expected a switch such as /help", arg);
        n = strcspn(name, ":=");
        if (name[n] != '\0')
            value = name + n + 1;
        sw = n ? find_switch(name, n) : NULL;
        if (!sw)
            return dlo_error_set(err, DLO_E_USAGE, "unknown switch '%s': see /help for the list",
                                 arg);
        st = take_switch(out, sw, arg, value, err);
        if (st)
            return st;
    }
    if (out->command == DLO_CMD_NONE)
        return dlo_error_set(err, DLO_E_USAGE, "no command given: see /help");
    return DLO_OK;
}

void dlo_cli_config_overrides(const dlo_cli *cli, dlo_config_overrides *out)
{
    int item;

    memset(out, 0, sizeof(*out));
    for (item = 0; cli && item < DLO_CFG_COUNT; item++) {
        const char *name = dlo_config_item_switch((dlo_config_item)item);
        const cli_switch *sw = name ? find_switch(name, strlen(name)) : NULL;
        if (sw && sw->kind == SW_VALUE)
            out->values[item] = cli->values[sw->id];
    }
}

void dlo_cli_help(dlo_buf *out)
{
    size_t i;
    int pass;

    dlo_buf_puts(out, "Usage: dloagent.exe COMMAND [OPTIONS]\n"
                      "Switches start with / or -, are case-insensitive, and take a value after "
                      "':' or '='.\n");
    for (pass = 0; pass < 2; pass++) {
        dlo_buf_puts(out, pass == 0 ? "\nCommands:\n" : "\nOptions:\n");
        for (i = 0; i < N_SWITCHES; i++) {
            char left[64];
            const cli_switch *sw = &switches[i];
            if ((sw->kind == SW_COMMAND) != (pass == 0))
                continue;
            if (sw->value_name)
                snprintf(left, sizeof(left), "/%s:%s", sw->name, sw->value_name);
            else
                snprintf(left, sizeof(left), "/%s", sw->name);
            dlo_buf_puts(out, "  ");
            /* A long switch gets its help on the next line, so the column stays straight. */
            if (strlen(left) >= 22) {
                dlo_buf_printf(out, "%s\n  ", left);
                left[0] = '\0';
            }
            dlo_buf_pad(out, left, 22);
            dlo_buf_printf(out, "%s\n", sw->help);
        }
    }
    dlo_buf_puts(out, "\nRoles: ");
    for (i = 0; i < DLO_ROLE_COUNT; i++)
        dlo_buf_printf(out, "%s%s", i ? ", " : "", dlo_role_name((dlo_role)i));
    dlo_buf_puts(out, "\nModes: nonboi (non-boi), exclusive (exclusive-boi), occasional "
                      "(occasional-boi)\n");
    dlo_buf_puts(out, "\nExit codes: 0 done (for /verify: compliant), 1 not compliant,\n"
                      "2 bad command line, configuration or policy, 3 could not do or check it.\n");
}
