/* The agent's configuration: the registry values the installer and Group Policy write, and the
 * command-line switches that override them for one run.
 *
 * Each value is taken, in this order of precedence, from the command line, the policy key
 * (HKLM\SOFTWARE\Policies\Arctera\DLO\FirewallAgent), the installer key
 * (HKLM\SOFTWARE\Arctera\DLO\FirewallAgent), or its default; the result records which. A value
 * present but empty (a string of blanks, a REG_MULTI_SZ with no strings) counts as absent.
 *
 * Every value that takes effect is validated; a bad one makes the load fail with DLO_E_CONFIG
 * and a message naming the key, the value, what it holds and what is expected. A caller that
 * gets DLO_E_CONFIG must leave the firewall as it is: a configuration mistake never removes
 * working rules. An invalid value that does not take effect (shadowed by the policy key or the
 * command line) is only logged as a warning (DLO_EV_CONFIG_WARNING). */
#ifndef DLO_CONFIG_H
#define DLO_CONFIG_H

#include "dlo/buf.h"
#include "dlo/registry.h"
#include "dlo/roles.h"
#include "dlo/status.h"

#include <stdbool.h>

#define DLO_CONFIG_KEY_INSTALLER "SOFTWARE\\Arctera\\DLO\\FirewallAgent"
#define DLO_CONFIG_KEY_POLICY    "SOFTWARE\\Policies\\Arctera\\DLO\\FirewallAgent"
/* The last known addresses of the host names in scopes (dlo/names.h): one REG_SZ per name. The
 * service writes it; it is believed, as the configuration keys are, only while nobody but
 * SYSTEM, Administrators and TrustedInstaller can change it (dlo_trust_key_needed). */
#define DLO_CONFIG_KEY_NAMES DLO_CONFIG_KEY_INSTALLER "\\Names"

/* Longest string value and most list entries accepted; anything beyond is a mistake. */
#define DLO_CONFIG_MAX_CHARS   4096
#define DLO_CONFIG_MAX_ENTRIES 1000

/* Longest SQL Server instance name (SQL Server's own limit). */
#define DLO_CONFIG_MAX_INSTANCE_CHARS 16

#define DLO_CONFIG_DEFAULT_INTERVAL_MINUTES     60
#define DLO_CONFIG_MIN_INTERVAL_MINUTES         1
#define DLO_CONFIG_MAX_INTERVAL_MINUTES         1440
#define DLO_CONFIG_DEFAULT_NAME_REFRESH_MINUTES 15

typedef enum dlo_config_source {
    DLO_SOURCE_DEFAULT,
    DLO_SOURCE_INSTALLER,
    DLO_SOURCE_POLICY,
    DLO_SOURCE_COMMAND_LINE,
} dlo_config_source;

/* The values, in the order /config lists them; each is one row of dlo_config_rows (below).
 * The scopes follow dlo_role's order: DLO_CFG_SCOPE_FIRST + r is the scope of peer role r. */
typedef enum dlo_config_item {
    DLO_CFG_BOI_MODE,
    DLO_CFG_ROLES,
    DLO_CFG_ADD_ROLES,
    DLO_CFG_EXCLUDE_ROLES,
    DLO_CFG_SQL_PORT,
    DLO_CFG_SQL_INSTANCE,
    DLO_CFG_SCOPE_FIRST,
    DLO_CFG_SCOPE_LAST = DLO_CFG_SCOPE_FIRST + DLO_ROLE_COUNT - 1,
    DLO_CFG_CORPORATE_PROFILES,
    DLO_CFG_INTERNET_PROFILES,
    DLO_CFG_BIND_TO_SERVICES,
    DLO_CFG_PUSH_INSTALL_PORTS,
    DLO_CFG_CLOSE_PUSH_PORTS,
    DLO_CFG_INTERVAL,
    DLO_CFG_NAME_REFRESH,
    DLO_CFG_DRIFT_ACTION,
    DLO_CFG_POLICY_FILE,
    DLO_CFG_DETECTION_FILE,
    DLO_CFG_TEST_INTERVAL,
    DLO_CFG_COUNT
} dlo_config_item;

/* PushInstallPorts. */
typedef enum dlo_push_ports {
    DLO_PUSH_PORTS_VENDOR, /* "vendor": the port matrix as written */
    DLO_PUSH_PORTS_RPC,    /* "rpc": the dynamic range as Windows' RPC and RPC-EPMap keywords */
} dlo_push_ports;

/* DriftAction: what the service does when the firewall has drifted from the plan (its pass,
 * dlo_agent_reconcile); /apply by hand applies either way. */
typedef enum dlo_drift_action {
    DLO_DRIFT_REPAIR, /* "repair": put the rules back */
    DLO_DRIFT_REPORT, /* "report": only report the drift */
} dlo_drift_action;

typedef struct dlo_config {
    dlo_mode mode;              /* BOIMode; default nonboi */
    bool roles_set;             /* Roles given: it replaces detection */
    dlo_role_set roles;         /* Roles */
    dlo_role_set add_roles;     /* AddRoles: added to the detected (or given) roles */
    dlo_role_set exclude_roles; /* ExcludeRoles: taken away last */
    unsigned sql_port;          /* SqlPort; 0 when not configured (detection decides) */
    /* SqlInstance: DLO's SQL Server instance, "MSSQLSERVER" or the NAME of service MSSQL$NAME
     * (a value "MSSQL$NAME" is stored as NAME); NULL when not configured (detection takes the
     * only instance beside the Administration Server). */
    char *sql_instance;
    /* RemoteAddresses of the rules toward or from each peer role, in the firewall's normal form
     * (see dlo/addr.h); "*" when not configured. Never NULL after a successful load. */
    char *scopes[DLO_ROLE_COUNT];
    /* CorporateProfiles, InternetProfiles: DLO_PROFILE_* bits (dlo/rule.h), never 0 once
     * configured; 0 when not configured (the port matrix's `profiles` line decides). */
    unsigned corporate_profiles;
    unsigned internet_profiles;
    bool bind_to_services;             /* BindToServices; default true */
    dlo_push_ports push_install_ports; /* PushInstallPorts; default vendor */
    bool close_push_ports;             /* ClosePushPortsWhenInstalled; default false */
    unsigned interval_minutes;         /* ReconcileIntervalMinutes */
    /* NameRefreshMinutes: how often the service resolves the host names of the scopes again
     * when the resolver gives no TTL, and the longest it waits when one does (dlo/names.h). */
    unsigned name_refresh_minutes;
    dlo_drift_action drift_action;  /* DriftAction; default repair */
    unsigned test_interval_seconds; /* TestReconcileIntervalSeconds; 0 when not set */
    unsigned interval_seconds;      /* the drift repair period that follows from both */
    /* PolicyFile, DetectionFile; NULL when not configured (the embedded data). From a key it is
     * an absolute path on a local drive; from the command line, the text as typed. Whether the
     * file may be believed is decided where it is read (dlo/target.h), not here. */
    char *policy_file;
    char *detection_file;
    dlo_config_source source[DLO_CFG_COUNT];
} dlo_config;

/* Defaults, with every scope "*". DLO_E_NOMEM if a scope cannot be allocated. */
dlo_status dlo_config_init(dlo_config *cfg);
void dlo_config_free(dlo_config *cfg);
/* Deep copy into an uninitialised dst. */
dlo_status dlo_config_copy(dlo_config *dst, const dlo_config *src);

/* The values given for this run only, above both keys: the text of each item as typed, NULL
 * when not given, and the OS build. The command line fills it (dlo_cli_config_overrides);
 * configuration knows nothing of how the run was started. Only items with a switch
 * (dlo_config_item_switch) can be overridden; a value for any other is ignored. */
typedef struct dlo_config_overrides {
    const char *values[DLO_CFG_COUNT];
    /* Not a value but a fact of the machine the configuration is for: its Windows build
     * (dlo_platform.os_build), which decides which address keywords its firewall takes (see
     * dlo/addr.h). DLO_OS_BUILD_UNKNOWN (0, also with no overrides at all): every keyword. */
    unsigned long os_build;
} dlo_config_overrides;

/* Loads the configuration. `overrides` (may be NULL) supplies the values of this run. On failure
 * *cfg is left initialised with the defaults (free it either way):
 *   DLO_E_CONFIG  a value that takes effect is invalid (registry or command line);
 *   DLO_E_NOMEM, or the registry's own status (DLO_E_ACCESS, DLO_E_IO) when a key could not be
 *                 read: the configuration is unknown, so callers keep the rules here too.
 * err names every invalid value: the first in full, the others by name. */
dlo_status dlo_config_load(dlo_config *cfg, const dlo_registry *reg,
                           const dlo_config_overrides *overrides, dlo_error *err);

/* ---- one row per value ----
 *
 * A value is one row of dlo_config_rows: what it is called everywhere, its type, default and
 * bounds, where it may come from, how /config shows it and where it lives in dlo_config. Loading,
 * validation, the messages, copy, free, comparison, the command-line switches, /help, /config
 * and its JSON, and the checks of the Group Policy template and the MSI (tests/policy) are all
 * driven from the rows; the type decides how a value is parsed, stored and shown. */

typedef enum dlo_config_type {
    DLO_CT_MODE,     /* dlo_mode: REG_SZ nonboi, exclusive or occasional */
    DLO_CT_ROLES,    /* dlo_role_set: role names, REG_SZ (commas) or REG_MULTI_SZ */
    DLO_CT_PORT,     /* unsigned, 0 when not configured: a TCP port, REG_DWORD or REG_SZ */
    DLO_CT_INSTANCE, /* char *, NULL when not configured: a SQL Server instance name */
    DLO_CT_SCOPE,    /* char *, "*" when not configured: remote addresses in normal form */
    DLO_CT_NUMBER,   /* unsigned, 0 when not configured: REG_DWORD from min to max */
    DLO_CT_PATH,     /* char *, NULL when not configured: a file (see DLO_CFG_POLICY_FILE) */
    DLO_CT_PROFILES, /* unsigned DLO_PROFILE_* bits, 0 when not configured */
    DLO_CT_FLAG,     /* bool: REG_DWORD 0 (off) or 1 (on) */
    DLO_CT_CHOICE,   /* an enum whose values are the indexes of `choices`: REG_SZ, one name */
} dlo_config_type;

/* One name a DLO_CT_CHOICE value takes, and what it means (for messages and help). */
typedef struct dlo_config_choice {
    const char *name;
    const char *meaning;
} dlo_config_choice;

typedef struct dlo_config_row {
    /* The registry value name, which is also the Group Policy setting's name and the id of its
     * policy, element and presentation in policies/admx ("BOIMode"). */
    const char *name;
    dlo_config_type type;
    size_t field;    /* offsetof the value in dlo_config */
    size_t size;     /* sizeof the value: a mode or choice is an int-sized enum (test_config) */
    bool tracks_set; /* a bool at set_field is made true once it is configured */
    size_t set_field;
    unsigned def;      /* MODE, NUMBER, FLAG, CHOICE: the default (NUMBER: 0 is "not set") */
    unsigned min, max; /* NUMBER: the bounds, with `unit` ("minutes") for messages */
    const char *unit;
    const dlo_config_choice *choices; /* CHOICE: the names, in the enum's order */
    size_t n_choices;
    const char *what;     /* CHOICE: what a value is, for messages ("push-installation port
                           * choice") */
    const char *unset;    /* how /config shows it when not configured ("(detected)") */
    bool quiet_default;   /* left out of the service's summary line while it is the default */
    bool installer_only;  /* a diagnostic only the installer key holds; the others are read from
                           * the policy key too, and are Group Policy settings and MSI properties */
    const char *msi;      /* the MSI property that writes it (BOIMODE); NULL when installer_only */
    const char *sw;       /* its switch for one run ("mode"), or NULL */
    const char *sw_value; /* the switch's value in /help ("MODE") */
    const char *sw_help;  /* the switch's line in /help */
    /* Read, validated and shown, but nothing acts on it yet: /help adds
     * DLO_CONFIG_RESERVED_HELP to its line, /config DLO_CONFIG_RESERVED_MARK to its value (and
     * "reserved": true to its JSON), so that nobody takes the value shown for what happens. */
    bool reserved;
} dlo_config_row;

#define DLO_CONFIG_RESERVED_HELP "Reserved: the service does not act on it yet."
#define DLO_CONFIG_RESERVED_MARK "(reserved: the service does not act on it yet)"

extern const dlo_config_row dlo_config_rows[DLO_CFG_COUNT];

/* The row of an item, or NULL past the last. */
const dlo_config_row *dlo_config_row_of(dlo_config_item item);
/* The item's value in cfg, of the C type its row's type says. */
const void *dlo_config_value(const dlo_config *cfg, dlo_config_item item);
/* True for the types held as a string (char *, NULL when not configured but for a scope). */
bool dlo_config_type_is_text(dlo_config_type type);
/* The item whose switch is `name` (any case, n bytes), or DLO_CFG_COUNT. */
dlo_config_item dlo_config_item_by_switch(const char *name, size_t n);

/* The registry value name of an item ("BOIMode", "EdgeServers") and its switch ("mode",
 * "edgeservers"; NULL for values with no switch). */
const char *dlo_config_item_name(dlo_config_item item);
const char *dlo_config_item_switch(dlo_config_item item);
/* True for the settings an administrator deploys, read from both keys (the Group Policy
 * template and the installer's properties offer exactly these); false for the diagnostics only
 * the installer key holds. */
bool dlo_config_item_in_policy(dlo_config_item item);
/* The registry types the agent accepts for an item: a mask of DLO_REG_TYPE_BIT(DLO_REG_*). */
#define DLO_REG_TYPE_BIT(type) (1u << (type))
unsigned dlo_config_item_types(dlo_config_item item);
/* True for an on/off value (REG_DWORD 1 or 0): Group Policy's Enabled and Disabled states write
 * it, so the template offers it as a policy with enabledValue and disabledValue. */
bool dlo_config_item_is_flag(dlo_config_item item);
/* "default", "installer", "policy", "command line". */
const char *dlo_config_source_name(dlo_config_source src);

/* The roles to plan for: Roles if set, else the detected ones; plus AddRoles; minus
 * ExcludeRoles. */
dlo_role_set dlo_config_roles(const dlo_config *cfg, dlo_role_set detected);

/* True if both configurations have the same effective values (sources are not compared). */
bool dlo_config_equal(const dlo_config *a, const dlo_config *b);

#endif
