/* The configuration values, one row each (dlo/config.h says what a row holds). Adding a value is
 * a row here, its field in dlo_config and its documentation; the tests that catch a row left
 * half done are listed in docs/architecture.md ("What a change takes"). */
#include "dlo/config.h"

#include <stddef.h>

#define FIELD(f) offsetof(dlo_config, f)

/* The parts of a row most values leave at their zero. */
#define ROW(n, t, f, property, switch_name, switch_value, switch_help)                             \
    .name = n, .type = t, .field = FIELD(f), .size = sizeof(((dlo_config *)0)->f),                 \
    .msi = property, .sw = switch_name, .sw_value = switch_value, .sw_help = switch_help

/* clang-format off */
#define SCOPE_ROW(id, role, title, scope, property, switch_name, peers)                            \
    [DLO_CFG_SCOPE_FIRST + DLO_ROLE_##id] = {ROW(scope, DLO_CT_SCOPE, scopes[DLO_ROLE_##id],       \
        property, switch_name, "ADDRESSES", "Remote addresses of the " peers ".")},
/* clang-format on */

static const dlo_config_choice push_choices[] = {
    [DLO_PUSH_PORTS_VENDOR] = {"vendor", "the port matrix as written"},
    [DLO_PUSH_PORTS_RPC] = {"rpc", "Windows' RPC and RPC-EPMap keywords"},
};

static const dlo_config_choice drift_choices[] = {
    [DLO_DRIFT_REPAIR] = {"repair", "put the rules back"},
    [DLO_DRIFT_REPORT] = {"report", "only report the drift"},
};

const dlo_config_row dlo_config_rows[DLO_CFG_COUNT] = {
    [DLO_CFG_BOI_MODE] = {ROW("BOIMode", DLO_CT_MODE, mode, "BOIMODE", "mode", "MODE",
                              "BOI mode for this run: nonboi, exclusive, occasional."),
                          .def = DLO_MODE_NONBOI},
    [DLO_CFG_ROLES] = {ROW("Roles", DLO_CT_ROLES, roles, "ROLES", "roles", "ROLES",
                           "Roles of this machine, instead of detection."),
                       .tracks_set = true, .set_field = FIELD(roles_set), .unset = "(detected)"},
    [DLO_CFG_ADD_ROLES] = {ROW("AddRoles", DLO_CT_ROLES, add_roles, "ADDROLES", "addroles", "ROLES",
                               "Roles to add to the detected ones.")},
    [DLO_CFG_EXCLUDE_ROLES] = {ROW("ExcludeRoles", DLO_CT_ROLES, exclude_roles, "EXCLUDEROLES",
                                   "excluderoles", "ROLES", "Roles to leave out.")},
    [DLO_CFG_SQL_PORT] = {ROW("SqlPort", DLO_CT_PORT, sql_port, "SQLPORT", "sqlport", "PORT",
                              "TCP port of the DLO SQL Server instance."),
                          .min = 1, .max = 65535, .unset = "(detected)"},
    [DLO_CFG_SQL_INSTANCE] = {ROW("SqlInstance", DLO_CT_INSTANCE, sql_instance, "SQLINSTANCE",
                                  "sqlinstance", "NAME",
                                  "DLO's SQL Server instance: MSSQLSERVER or the NAME of "
                                  "MSSQL$NAME."),
                              .unset = "(detected)"},
    DLO_ROLE_ROWS(SCOPE_ROW)[DLO_CFG_CORPORATE_PROFILES] =
        {ROW("CorporateProfiles", DLO_CT_PROFILES, corporate_profiles, "CORPORATEPROFILES",
             "corporateprofiles", "PROFILES",
             "Firewall profiles of the corporate-only paths: domain, "
             "private, public."),
         .unset = "(port matrix)", .quiet_default = true},
    [DLO_CFG_INTERNET_PROFILES] = {ROW("InternetProfiles", DLO_CT_PROFILES, internet_profiles,
                                       "INTERNETPROFILES", "internetprofiles", "PROFILES",
                                       "Firewall profiles of the paths to the Edge Server: "
                                       "domain, private, public."),
                                   .unset = "(port matrix)", .quiet_default = true},
    [DLO_CFG_BIND_TO_SERVICES] = {ROW("BindToServices", DLO_CT_FLAG, bind_to_services,
                                      "BINDTOSERVICES", "bindtoservices", "0|1",
                                      "Bind inbound rules to the service that listens, on "
                                      "evidence (default 1)."),
                                  .def = 1, .max = 1, .quiet_default = true},
    [DLO_CFG_PUSH_INSTALL_PORTS] = {ROW("PushInstallPorts", DLO_CT_CHOICE, push_install_ports,
                                        "PUSHINSTALLPORTS", "pushinstallports", "vendor|rpc",
                                        "Push installation's dynamic range as written (vendor) "
                                        "or Windows' RPC keywords (rpc)."),
                                    .def = DLO_PUSH_PORTS_VENDOR, .choices = push_choices,
                                    .n_choices = 2, .what = "push-installation port choice",
                                    .quiet_default = true},
    [DLO_CFG_CLOSE_PUSH_PORTS] = {ROW("ClosePushPortsWhenInstalled", DLO_CT_FLAG, close_push_ports,
                                      "CLOSEPUSHPORTSWHENINSTALLED", "closepushportswheninstalled",
                                      "0|1",
                                      "Close a client's push-installation ports once the DLO "
                                      "agent is detected (default 0)."),
                                  .max = 1, .quiet_default = true},
    [DLO_CFG_INTERVAL] = {ROW("ReconcileIntervalMinutes", DLO_CT_NUMBER, interval_minutes,
                              "RECONCILEINTERVALMINUTES", NULL, NULL, NULL),
                          .def = DLO_CONFIG_DEFAULT_INTERVAL_MINUTES, .min = 1, .max = 1440,
                          .unit = "minutes", .unset = "?"},
    [DLO_CFG_NAME_REFRESH] = {ROW("NameRefreshMinutes", DLO_CT_NUMBER, name_refresh_minutes,
                                  "NAMEREFRESHMINUTES", "namerefreshminutes", "MINUTES",
                                  "Resolve the host names of the scopes again after MINUTES "
                                  "when the resolver gives no TTL (default 15)."),
                              .def = DLO_CONFIG_DEFAULT_NAME_REFRESH_MINUTES, .min = 1, .max = 1440,
                              .unit = "minutes", .unset = "?", .quiet_default = true},
    [DLO_CFG_DRIFT_ACTION] = {ROW("DriftAction", DLO_CT_CHOICE, drift_action, "DRIFTACTION",
                                  "driftaction", "repair|report",
                                  "On drift: put the rules back (repair) or only report it "
                                  "(report)."),
                              .def = DLO_DRIFT_REPAIR, .choices = drift_choices, .n_choices = 2,
                              .what = "drift action", .quiet_default = true},
    [DLO_CFG_POLICY_FILE] = {ROW("PolicyFile", DLO_CT_PATH, policy_file, "POLICYFILE", "policy",
                                 "FILE", "Read the port matrix from FILE, not the built-in one."),
                             .unset = "(built-in)", .quiet_default = true},
    [DLO_CFG_DETECTION_FILE] = {ROW("DetectionFile", DLO_CT_PATH, detection_file, "DETECTIONFILE",
                                    "detection", "FILE",
                                    "Read the detection table from FILE instead of the built-in "
                                    "one."),
                                .unset = "(built-in)", .quiet_default = true},
    /* Lets the tests see drift repair within seconds; overrides ReconcileIntervalMinutes. */
    [DLO_CFG_TEST_INTERVAL] = {ROW("TestReconcileIntervalSeconds", DLO_CT_NUMBER,
                                   test_interval_seconds, NULL, NULL, NULL, NULL),
                               .installer_only = true, .min = 1, .max = 86400, .unit = "seconds",
                               .unset = "(not set)", .quiet_default = true},
};
