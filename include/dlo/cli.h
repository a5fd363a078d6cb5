/* Command-line parsing: Windows-style switches, in one table that also writes the help text.
 *
 * Accepted forms: /name, -name, --name; names are case-insensitive; a value follows ':' or '='
 * (/mode:occasional, -mode=occasional). Exactly one command per run; options may come in any
 * order; every switch at most once. Anything else is a usage error whose message names the
 * offending argument and what was expected. */
#ifndef DLO_CLI_H
#define DLO_CLI_H

#include "dlo/buf.h"
#include "dlo/config.h"
#include "dlo/status.h"

#include <stdbool.h>

typedef enum dlo_command {
    DLO_CMD_NONE = 0,
    DLO_CMD_HELP,
    DLO_CMD_VERSION,
    DLO_CMD_PLAN,
    DLO_CMD_MATRIX,
    DLO_CMD_APPLY,
    DLO_CMD_VERIFY,
    DLO_CMD_REMOVE,
    DLO_CMD_DETECT,
    DLO_CMD_CONFIG,
    DLO_CMD_INSTALL,
    DLO_CMD_UNINSTALL,
    DLO_CMD_RUN,
    DLO_CMD_SERVICE,
    DLO_CMD_PROBE,
    DLO_CMD_EXPORT,
} dlo_command;

typedef enum dlo_option {
    DLO_OPT_JSON,
    DLO_OPT_STRICT,
    DLO_OPT_EXPORT, /* the format of /export:FORMAT, the one command with a value */
    DLO_OPT_TIMEOUT,
    DLO_OPT_PORTS,
    DLO_OPT_TO,
    DLO_OPT_ROLE,
    DLO_OPT_COMPARE,
    DLO_OPT_COUNT_,
} dlo_option;

typedef struct dlo_cli {
    dlo_command command;
    /* NULL when the option is absent; a flag that is present reads as "". Values point into
     * argv. */
    const char *values[DLO_OPT_COUNT_];
    /* The configuration values given for this run, by item (/mode:, /edgeservers: ...): every
     * row of dlo_config_rows with a switch is one. */
    const char *config[DLO_CFG_COUNT];
} dlo_cli;

static inline bool dlo_cli_flag(const dlo_cli *cli, dlo_option opt)
{
    return cli->values[opt] != NULL;
}

dlo_status dlo_cli_parse(int argc, char **argv, dlo_cli *out, dlo_error *err);

/* The configuration values this command line gives for its run (/mode:, /edgeservers: ...).
 * cli may be NULL: nothing is overridden. The texts point into cli's argv. */
void dlo_cli_config_overrides(const dlo_cli *cli, dlo_config_overrides *out);

/* The usage text, generated from the switch table and the configuration's rows. */
void dlo_cli_help(dlo_buf *out);

#endif
