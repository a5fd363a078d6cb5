/* What the parts of the configuration share: config.c (the table of values, loading and
 * precedence) and config_value.c (reading one value: its type, size and text, and why not in
 * words). No other module includes it. */
#ifndef DLO_CONFIG_PRIVATE_H
#define DLO_CONFIG_PRIVATE_H

#include "dlo/buf.h"
#include "dlo/config.h"
#include "dlo/registry.h"

#include <stdbool.h>

/* What a value holds, which decides its types, parser and message. */
typedef enum dlo_config_kind {
    K_MODE,
    K_ROLES,
    K_PORT,
    K_INSTANCE,
    K_SCOPE,
    K_MINUTES,
    K_SECONDS,
    K_PATH,
    K_PROFILES,
    K_BOOL,
    K_PUSH
} dlo_config_kind;

/* A value of the configuration: one row of config.c's table. */
typedef struct dlo_config_def {
    const char *name; /* registry value name */
    dlo_config_kind kind;
    const char *sw;      /* the switch that overrides it for one run ("mode"), or NULL */
    bool installer_only; /* not read from the policy key */
} dlo_config_def;

/* One candidate value: from the command line (text only) or from a registry key. */
typedef struct dlo_config_candidate {
    dlo_config_source source;
    const char *key;   /* registry key, NULL for the command line */
    const char *cli;   /* the switch's value */
    dlo_reg_value reg; /* the registry value */
    bool present;
    unsigned long os_build; /* the Windows build whose firewall the scopes are for */
} dlo_config_candidate;

/* Parsed value of one candidate. */
typedef struct dlo_config_parsed {
    dlo_mode mode;
    dlo_role_set roles;
    unsigned number;
    dlo_buf addrs;
    char instance[DLO_CONFIG_MAX_INSTANCE_CHARS + 1];
    const char *path; /* K_PATH: trimmed, in the candidate's own text */
    size_t path_len;
} dlo_config_parsed;

/* Whether a value of this kind may be a registry value of this type (DLO_REG_*). */
bool dlo_config_type_allowed(dlo_config_kind kind, unsigned long type);

/* Parses and validates candidate c of value def into p (p->addrs initialised by the caller);
 * DLO_E_CONFIG with err naming where the value is, what it holds and what was expected. */
dlo_status dlo_config_parse_candidate(const dlo_config_candidate *c, const dlo_config_def *def,
                                      dlo_config_parsed *p, dlo_error *err);

#endif
