#include "dlo/cli.h"

#include "dlo/roles.h"
#include "dlo/str.h"

#include <stdio.h>
#include <string.h>

/* SW_CONFIG: a configuration value's switch, from its row in dlo_config_rows. */
typedef enum switch_kind { SW_COMMAND, SW_FLAG, SW_VALUE, SW_CONFIG } switch_kind;

typedef struct cli_switch {
    const char *name;
    switch_kind kind;
    int id; /* a dlo_command for SW_COMMAND, a dlo_config_item for SW_CONFIG, else a dlo_option */
    const char *value_name; /* SW_VALUE: what the value is, for help and errors */
    const char *help;
} cli_switch;

/* The command line apart from the configuration values, whose switches are in their rows
 * (dlo_config_rows): parsing, errors and /help read both. */
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

/* The switch of a configuration value, as the table would hold it. */
static cli_switch config_switch(dlo_config_item item)
{
    const dlo_config_row *row = dlo_config_row_of(item);
    cli_switch sw = {row->sw, SW_CONFIG, (int)item, row->sw_value, row->sw_help};
    return sw;
}

/* The switch called name (n bytes), from the table or a configuration row, into *out. */
static bool find_switch(const char *name, size_t n, cli_switch *out)
{
    size_t i;
    dlo_config_item item;

    for (i = 0; i < N_SWITCHES; i++) {
        if (dlo_equals_ci(name, n, switches[i].name)) {
            *out = switches[i];
            return true;
        }
    }
    item = dlo_config_item_by_switch(name, n);
    if (item == DLO_CFG_COUNT)
        return false;
    *out = config_switch(item);
    return true;
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
    if (sw->kind == SW_CONFIG)
        return out->config[sw->id] != NULL;
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
    case SW_CONFIG:
        if (!value || !*value)
            return dlo_error_set(err, DLO_E_USAGE, "/%s needs a value: /%s:%s", sw->name, sw->name,
                                 sw->value_name);
        if (sw->kind == SW_CONFIG)
            out->config[sw->id] = value;
        else
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
        cli_switch sw;
        dlo_status st;
        size_t n;

        if (!name)
            return dlo_error_set(err, DLO_E_USAGE,
                                 "unexpected argument '%s': expected a switch such as /help", arg);
        n = strcspn(name, ":=");
        if (name[n] != '\0')
            value = name + n + 1;
        if (!n || !find_switch(name, n, &sw))
            return dlo_error_set(err, DLO_E_USAGE, "unknown switch '%s': see /help for the list",
                                 arg);
        st = take_switch(out, &sw, arg, value, err);
        if (st)
            return st;
    }
    if (out->command == DLO_CMD_NONE)
        return dlo_error_set(err, DLO_E_USAGE, "no command given: see /help");
    return DLO_OK;
}

void dlo_cli_config_overrides(const dlo_cli *cli, dlo_config_overrides *out)
{
    memset(out, 0, sizeof(*out));
    if (cli)
        memcpy(out->values, cli->config, sizeof(out->values));
}

/* One line of /help; `more` (may be NULL) follows the switch's own help. */
static void help_line(dlo_buf *out, const cli_switch *sw, const char *more)
{
    char left[64];

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
    dlo_buf_printf(out, "%s%s%s\n", sw->help, more ? " " : "", more ? more : "");
}

void dlo_cli_help(dlo_buf *out)
{
    size_t i;
    int item;

    dlo_buf_puts(out, "Usage: dloagent.exe COMMAND [OPTIONS]\n"
                      "Switches start with / or -, are case-insensitive, and take a value after "
                      "':' or '='.\n");
    /* Commands; the options of every command; the configuration values for one run; the
     * options of /probe, which come last in the table. */
    dlo_buf_puts(out, "\nCommands:\n");
    for (i = 0; i < N_SWITCHES; i++)
        if (switches[i].kind == SW_COMMAND)
            help_line(out, &switches[i], NULL);
    dlo_buf_puts(out, "\nOptions:\n");
    for (i = 0;
         i < N_SWITCHES && !(switches[i].kind == SW_VALUE && switches[i].id == DLO_OPT_TIMEOUT);
         i++)
        if (switches[i].kind != SW_COMMAND)
            help_line(out, &switches[i], NULL);
    for (item = 0; item < DLO_CFG_COUNT; item++) {
        cli_switch sw = config_switch((dlo_config_item)item);
        if (sw.name)
            help_line(out, &sw,
                      dlo_config_row_of((dlo_config_item)item)->reserved ? DLO_CONFIG_RESERVED_HELP
                                                                         : NULL);
    }
    for (; i < N_SWITCHES; i++)
        if (switches[i].kind != SW_COMMAND)
            help_line(out, &switches[i], NULL);
    dlo_buf_puts(out, "\nRoles: ");
    for (i = 0; i < DLO_ROLE_COUNT; i++)
        dlo_buf_printf(out, "%s%s", i ? ", " : "", dlo_role_name((dlo_role)i));
    dlo_buf_puts(out, "\nModes: nonboi (non-boi), exclusive (exclusive-boi), occasional "
                      "(occasional-boi)\n");
    dlo_buf_puts(out, "\nExit codes: 0 done (for /verify: compliant), 1 not compliant,\n"
                      "2 bad command line, configuration or policy, 3 could not do or check it.\n");
}
