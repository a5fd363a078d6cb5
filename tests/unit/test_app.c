/* The dispatcher end to end with a fake platform that captures both output streams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dlo/app.h"
#include "dlo/buf.h"
#include "dlo/config.h"
#include "dlo/portset.h"
#include "dlo/probe.h"
#include "dlo/version.h"
#include "fwmem.h"
#include "testutil.h"
#include "fake_registry.h"
#include "fake_sql.h"

typedef struct capture {
    dlo_buf out, err;
    fwmem *fw; /* the firewall the commands see, or NULL for none */
    bool elevated;
    /* The State key records written (dlo/state.h), and the Compliant value of the last. */
    unsigned state_writes;
    long compliant_written;
} capture;

static dlo_status cap_embedded(void *ctx, const char *name, dlo_buf *out, dlo_error *err)
{
    (void)ctx;
    if (strcmp(name, "PORTMATRIX") != 0)
        return dlo_error_set(err, DLO_E_NOTFOUND, "no %s", name);
    test_read_source_file("policies/dlo-10.0.ports", out);
    return DLO_OK;
}

static dlo_status cap_open_firewall(void *ctx, dlo_fw_backend *out, dlo_error *err)
{
    capture *c = ctx;
    if (!c->fw)
        return dlo_error_set(err, DLO_E_FIREWALL, "the firewall service is not running");
    *out = fwmem_backend(c->fw);
    return DLO_OK;
}

static void cap_close_firewall(void *ctx, dlo_fw_backend *fw)
{
    (void)ctx;
    memset(fw, 0, sizeof(*fw));
}

static bool cap_elevated(void *ctx)
{
    return ((capture *)ctx)->elevated;
}

/* What the platform says the Windows build is (0: not known). */
static unsigned long os_build;

static unsigned long cap_os_build(void *ctx)
{
    (void)ctx;
    return os_build;
}

static dlo_status cap_write_values(void *ctx, const char *key, const dlo_reg_write *values,
                                   size_t n, bool replace, dlo_error *err)
{
    capture *c = ctx;
    size_t i;
    (void)key;
    (void)replace;
    (void)err;
    c->state_writes++;
    for (i = 0; i < n; i++)
        if (strcmp(values[i].name, "Compliant") == 0)
            c->compliant_written = (long)values[i].number;
    return DLO_OK;
}

static void cap_out(void *ctx, const char *s, size_t n)
{
    dlo_buf_append(&((capture *)ctx)->out, s, n);
}

static void cap_err(void *ctx, const char *s, size_t n)
{
    dlo_buf_append(&((capture *)ctx)->err, s, n);
}

static const dlo_registry *registry;
static const dlo_probe_os *probe_os;

static int run(capture *c, char **argv)
{
    dlo_platform plat = {.ctx = c,
                         .write_out = cap_out,
                         .write_err = cap_err,
                         .load_embedded = cap_embedded,
                         .open_firewall = cap_open_firewall,
                         .close_firewall = cap_close_firewall,
                         .is_elevated = cap_elevated,
                         .os_build = cap_os_build,
                         .write_values = cap_write_values,
                         .registry = registry,
                         .probe_os = probe_os};
    int argc = 0;
    dlo_buf_init(&c->out);
    dlo_buf_init(&c->err);
    while (argv[argc])
        argc++;
    return dlo_app_run(&plat, argc, argv);
}

#define RUN(c, ...) run((c), (char *[]){"dloagent.exe", __VA_ARGS__, NULL})

static void capture_free(capture *c);

static void test_apply_verify_remove(void **state)
{
    capture c;
    fwmem m;
    (void)state;
    memset(&c, 0, sizeof(c));
    fwmem_init(&m);
    c.fw = &m;

    /* Not elevated: nothing is read or written. */
    assert_int_equal(RUN(&c, "/apply", "/roles:edge-server", "/mode:exclusive"), 3);
    assert_non_null(strstr(dlo_buf_str(&c.err), "/apply changes the firewall and needs "
                                                "administrator rights"));
    assert_int_equal(m.enumerations + m.writes, 0);
    capture_free(&c);
    assert_int_equal(RUN(&c, "/remove"), 3);
    assert_int_equal(m.enumerations + m.writes, 0);
    capture_free(&c);

    c.elevated = true;
    assert_int_equal(RUN(&c, "/verify", "/roles:edge-server", "/mode:exclusive"), 1);
    assert_non_null(strstr(dlo_buf_str(&c.out), "NOT COMPLIANT: 0 of 8 planned rules right; 8 "
                                                "missing"));
    capture_free(&c);

    assert_int_equal(RUN(&c, "/apply", "/roles:edge-server", "/mode:exclusive"), 0);
    assert_non_null(strstr(dlo_buf_str(&c.out), "8 added, 0 updated, 0 removed"));
    assert_non_null(strstr(dlo_buf_str(&c.out), "  added    Arctera DLO - Edge Server HTTPS "
                                                "(TCP-In)\n"));
    capture_free(&c);
    assert_int_equal(fwmem_count(&m, "Arctera DLO Firewall Agent"), 8);

    /* Compliant, and the rules left open to any address beyond the Domain profile are said. */
    assert_int_equal(RUN(&c, "/verify", "/roles:edge-server", "/mode:exclusive"), 0);
    assert_non_null(strstr(dlo_buf_str(&c.out),
                           "COMPLIANT: all 8 planned rules are present and as planned.\n"
                           "  warning  unscoped: 'Arctera DLO - Edge Server HTTPS (TCP-In)'"));
    capture_free(&c);

    assert_int_equal(RUN(&c, "/verify", "/json", "/roles:edge-server", "/mode:exclusive"), 0);
    assert_non_null(strstr(dlo_buf_str(&c.out), "{\"compliant\": true, \"planned\": 8"));
    capture_free(&c);

    /* Another configuration (the modes differ in no profile now): the JSON of /apply says what
     * changed. */
    assert_int_equal(RUN(&c, "/apply", "/json", "/roles:edge-server", "/mode:exclusive",
                         "/corporateprofiles:domain,private"),
                     0);
    assert_non_null(strstr(dlo_buf_str(&c.out),
                           "{\"ok\": true, \"added\": [], \"updated\": "
                           "[{\"name\": \"Arctera DLO - Dedupe Server AJP "
                           "(TCP-Out)\", \"differences\": [{\"property\": "
                           "\"profiles\", \"expected\": \"Domain,Private\", \"actual\": "
                           "\"Domain\"}]}"));
    capture_free(&c);
    assert_int_equal(RUN(&c, "/verify", "/json", "/roles:edge-server", "/mode:exclusive"), 1);
    assert_non_null(strstr(dlo_buf_str(&c.out), "\"compliant\": false"));
    capture_free(&c);

    /* A failing write: exit 3, the error on stderr, the JSON report on stdout. */
    m.fail_at = m.writes + 1;
    assert_int_equal(RUN(&c, "/apply", "/json", "/roles:client", "/mode:nonboi"), 3);
    assert_non_null(strstr(dlo_buf_str(&c.out), "\"ok\": false"));
    assert_non_null(strstr(dlo_buf_str(&c.out), "\"rolled_back\": true"));
    assert_non_null(strstr(dlo_buf_str(&c.err), "dloagent: /apply: "));
    assert_non_null(strstr(dlo_buf_str(&c.err), "put back as they were"));
    capture_free(&c);
    m.fail_at = 0;
    assert_int_equal(fwmem_count(&m, "Arctera DLO Firewall Agent"), 8);

    assert_int_equal(RUN(&c, "/remove"), 0);
    assert_non_null(strstr(dlo_buf_str(&c.out), "0 added, 0 updated, 8 removed"));
    capture_free(&c);
    assert_int_equal(fwmem_count(&m, NULL), 0);

    /* No firewall to talk to: exit 3 with the reason. */
    c.fw = NULL;
    assert_int_equal(RUN(&c, "/verify", "/roles:client", "/mode:nonboi"), 3);
    assert_non_null(strstr(dlo_buf_str(&c.err), "the firewall service is not running"));
    capture_free(&c);
    fwmem_free(&m);
}

static void capture_free(capture *c)
{
    dlo_buf_free(&c->out);
    dlo_buf_free(&c->err);
}

/* A DMZ Edge Server on a Public network: its corporate rules are exactly as planned and take no
 * effect there. A warning, naming the value that fixes it: /verify stays compliant, /verify
 * /strict does not. */
static void test_verify_profile_mismatch_is_a_warning(void **state)
{
    capture c;
    fwmem m;
    (void)state;
    memset(&c, 0, sizeof(c));
    fwmem_init(&m);
    c.fw = &m;
    c.elevated = true;
    assert_int_equal(RUN(&c, "/apply", "/roles:edge-server", "/mode:exclusive"), 0);
    capture_free(&c);
    m.state.current_profiles = DLO_PROFILE_PUBLIC;

    assert_int_equal(RUN(&c, "/verify", "/roles:edge-server", "/mode:exclusive"), 0);
    assert_non_null(strstr(dlo_buf_str(&c.out), "COMPLIANT: all 8 planned rules"));
    assert_non_null(strstr(dlo_buf_str(&c.out), "\n  warning  profile-mismatch: the corporate "
                                                "rules (paths that exist only inside the corporate "
                                                "network) apply to the Domain profile"));
    assert_non_null(strstr(dlo_buf_str(&c.out), "set CorporateProfiles to domain,public\n"));
    capture_free(&c);
    assert_int_equal(RUN(&c, "/verify", "/strict", "/roles:edge-server", "/mode:exclusive"), 1);
    capture_free(&c);
    assert_int_equal(RUN(&c, "/verify", "/json", "/roles:edge-server", "/mode:exclusive"), 0);
    assert_non_null(strstr(dlo_buf_str(&c.out), "{\"kind\": \"profile-mismatch\", \"message\": "
                                                "\"the corporate rules"));
    /* Tools get the value to set without reading the sentence. */
    assert_non_null(strstr(dlo_buf_str(&c.out), "to domain,public\", \"settings\": "
                                                "[\"CorporateProfiles\"]}"));
    capture_free(&c);

    /* Set as it says, the value ends the warning. */
    assert_int_equal(RUN(&c, "/apply", "/roles:edge-server", "/mode:exclusive",
                         "/corporateprofiles:domain,public"),
                     0);
    capture_free(&c);
    assert_int_equal(RUN(&c, "/verify", "/roles:edge-server", "/mode:exclusive",
                         "/corporateprofiles:domain,public"),
                     0);
    assert_null(strstr(dlo_buf_str(&c.out), "profile-mismatch"));
    capture_free(&c);
    fwmem_free(&m);
}

/* /apply whose detection fell back to SQL Server's default port narrows nothing, and says so. */
static void test_apply_with_a_fallen_back_port_narrows_nothing(void **state)
{
    fake_sql m;
    const dlo_rule *r;
    (void)state;
    fake_sql_init(&m, "14331");
    assert_int_equal(dlo_app_run(&m.plat, 2, (char *[]){"dloagent.exe", "/apply", NULL}), 0);
    r = fwmem_find(&m.fw, "Arctera DLO - SQL Server (TCP-In)", DLO_RULE_GROUPING);
    assert_non_null(r);
    assert_string_equal(r->local_ports, "14331");

    fake_sql_break_port(&m);
    dlo_buf_reset(&m.out);
    assert_int_equal(dlo_app_run(&m.plat, 2, (char *[]){"dloagent.exe", "/apply", NULL}), 0);
    assert_non_null(strstr(dlo_buf_str(&m.out), "no rule was narrowed or removed (2 kept wider "
                                                "than planned, 0 removals withheld)"));
    r = fwmem_find(&m.fw, "Arctera DLO - SQL Server (TCP-In)", DLO_RULE_GROUPING);
    assert_true(dlo_ports_same(r->local_ports, "1433,14331"));
    fake_sql_free(&m);
}

static void test_help_goes_to_stdout(void **state)
{
    capture c = {0};
    (void)state;
    assert_int_equal(RUN(&c, "/help"), 0);
    assert_non_null(strstr(dlo_buf_str(&c.out), "Usage:"));
    assert_string_equal(dlo_buf_str(&c.err), "");
    capture_free(&c);
}

static void test_version_text_and_json(void **state)
{
    capture c = {0};
    (void)state;
    assert_int_equal(RUN(&c, "/version"), 0);
    assert_string_equal(dlo_buf_str(&c.out), "dloagent " DLO_VERSION_STRING "\n");
    capture_free(&c);

    assert_int_equal(RUN(&c, "/version", "/json"), 0);
    assert_string_equal(dlo_buf_str(&c.out),
                        "{\"name\": \"dloagent\", \"version\": \"" DLO_VERSION_STRING "\"}\n");
    capture_free(&c);
}

static void test_usage_error_exit_2_on_stderr_only(void **state)
{
    capture c = {0};
    (void)state;
    assert_int_equal(RUN(&c, "/nope"), 2);
    assert_string_equal(dlo_buf_str(&c.out), "");
    assert_string_equal(dlo_buf_str(&c.err),
                        "dloagent: unknown switch '/nope': see /help for the list\n");
    capture_free(&c);
}

static void test_config_prints_values_and_sources(void **state)
{
    capture c;
    fake_registry f;
    (void)state;

    fake_reg_init(&f);
    registry = &f.reg;
    fake_reg_sz(&f, DLO_CONFIG_KEY_POLICY, "BOIMode", "exclusive");
    assert_int_equal(RUN(&c, "/config", "/sqlport:1500"), 0);
    assert_non_null(strstr(dlo_buf_str(&c.out), "  BOIMode                       policy        "
                                                "exclusive\n"));
    assert_non_null(strstr(dlo_buf_str(&c.out), "  SqlPort                       command line  "
                                                "1500\n"));
    assert_string_equal(dlo_buf_str(&c.err), "");
    capture_free(&c);

    assert_int_equal(RUN(&c, "/config", "/json"), 0);
    assert_non_null(strstr(dlo_buf_str(&c.out),
                           "\"BOIMode\": {\"value\": \"exclusive\", \"source\": \"policy\"}"));
    capture_free(&c);
    fake_reg_free(&f);
    registry = NULL;
}

static void test_config_invalid_exit_2_on_stderr_only(void **state)
{
    capture c;
    fake_registry f;
    (void)state;

    fake_reg_init(&f);
    registry = &f.reg;
    fake_reg_dword(&f, DLO_CONFIG_KEY_INSTALLER, "SqlPort", 99999);
    assert_int_equal(RUN(&c, "/config"), 2);
    assert_string_equal(dlo_buf_str(&c.out), "");
    assert_string_equal(dlo_buf_str(&c.err),
                        "dloagent: HKLM\\SOFTWARE\\Arctera\\DLO\\FirewallAgent value SqlPort holds "
                        "REG_DWORD 99999: out of range; expected REG_DWORD or REG_SZ holding a "
                        "TCP port number from 1 to 65535\n");
    capture_free(&c);
    assert_int_equal(RUN(&c, "/config", "/mode:sometimes"), 2);
    assert_non_null(strstr(dlo_buf_str(&c.err), "/mode:\"sometimes\": unknown BOI mode"));
    capture_free(&c);
    fake_reg_free(&f);
    registry = NULL;
}

/* The configuration is checked for the build the platform reports. */
static void test_scopes_checked_for_the_platform_build(void **state)
{
    capture c;
    (void)state;
    memset(&c, 0, sizeof(c));
    os_build = 7601;
    assert_int_equal(RUN(&c, "/plan", "/roles:edge-server", "/clientnetworks:Ply2Renders"), 2);
    assert_non_null(strstr(dlo_buf_str(&c.err), "'Ply2Renders' is refused by the Windows "
                                                "Firewall of this machine (build 7601)"));
    capture_free(&c);
    os_build = 17763;
    assert_int_equal(RUN(&c, "/plan", "/roles:edge-server", "/clientnetworks:Ply2Renders"), 0);
    capture_free(&c);
    os_build = 0;
}

static void test_service_commands_need_a_service_host(void **state)
{
    capture c;
    (void)state;
    assert_int_equal(RUN(&c, "/install"), 2);
    assert_non_null(strstr(dlo_buf_str(&c.err), "needs the Windows service host"));
    capture_free(&c);
    assert_int_equal(RUN(&c, "/config"), 3);
    assert_non_null(strstr(dlo_buf_str(&c.err), "no registry on this platform"));
    capture_free(&c);
}

/* /plan ends with what each inbound rule opens, to whom, for which program, and warns of the
 * rules open to any address beyond the Domain profile, naming the values that narrow them. */
static void test_plan_exposure_text_and_json(void **state)
{
    capture c;
    (void)state;
    memset(&c, 0, sizeof(c));
    assert_int_equal(
        RUN(&c, "/plan", "/roles:edge-server", "/mode:exclusive", "/clientnetworks:10.8.0.0/16"),
        0);
    assert_non_null(strstr(dlo_buf_str(&c.out),
                           "\nExposure (inbound: profiles, remote addresses, program):\n"
                           "  tcp 443 on All from *, the program its rule names in the "
                           "firewall, else any: Arctera DLO - Edge Server HTTPS (TCP-In)\n"));
    assert_non_null(strstr(dlo_buf_str(&c.out),
                           "\nwarning unscoped: 'Arctera DLO - Edge Server HTTPS (TCP-In)' (in "
                           "tcp 443) is open to any remote address on the Private,Public "
                           "profiles: set AdminConsoles and WebRestoreMachines to narrow it\n"));
    assert_null(strstr(dlo_buf_str(&c.out), "Out)\n  tcp"));
    capture_free(&c);

    assert_int_equal(RUN(&c, "/plan", "/json", "/roles:edge-server", "/mode:exclusive",
                         "/clientnetworks:10.8.0.0/16", "/adminconsoles:10.1.0.0/16"),
                     0);
    assert_non_null(strstr(dlo_buf_str(&c.out),
                           "], \"exposure\": [\n  {\"name\": \"Arctera DLO - Edge Server HTTPS "
                           "(TCP-In)\", \"protocol\": \"tcp\", \"ports\": \"443\", "
                           "\"profiles\": [\"domain\", \"private\", \"public\"], "
                           "\"remote_addresses\": \"*\", \"application\": null, \"service\": "
                           "null},\n  {\"name\": \"Arctera DLO - Edge Server HTTP (TCP-In)\", "
                           "\"protocol\": \"tcp\", \"ports\": \"90\", \"profiles\": "
                           "[\"domain\", \"private\", \"public\"], \"remote_addresses\": "
                           "\"10.1.0.0/255.255.0.0\""));
    assert_non_null(strstr(dlo_buf_str(&c.out),
                           "], \"warnings\": [\n  {\"kind\": \"unscoped\", \"rule\": "
                           "\"Arctera DLO - Edge Server HTTPS (TCP-In)\", \"profiles\": "
                           "[\"private\", \"public\"], \"values\": [\"WebRestoreMachines\"], "
                           "\"message\": \"'Arctera DLO - Edge Server HTTPS (TCP-In)' (in tcp 443) "
                           "is open to any remote address on the Private,Public profiles: set "
                           "WebRestoreMachines to narrow it\"},\n  {\"kind\": \"unscoped\", "
                           "\"rule\": \"Arctera DLO - Dashboard and Diagnostic Utility "
                           "(TCP-In)\", \"profiles\": [\"private\", \"public\"], \"values\": "
                           "[\"AdminServers\", \"EdgeServers\"]"));
    capture_free(&c);

    /* A scope that covers every IPv4 address, spelled as halves, is no scope: the warning names
     * what it covers and the value. */
    assert_int_equal(RUN(&c, "/plan", "/roles:edge-server", "/mode:exclusive",
                         "/clientnetworks:0.0.0.0/1,128.0.0.0/1", "/adminconsoles:10.1.0.0/16",
                         "/webrestoremachines:10.2.0.0/16"),
                     0);
    assert_non_null(
        strstr(dlo_buf_str(&c.out),
               "warning unscoped: 'Arctera DLO - Edge Server HTTPS (TCP-In)' (in tcp "
               "443) is open to every IPv4 address (remote addresses "
               "0.0.0.0/128.0.0.0,128.0.0.0/128.0.0.0) on the Private,Public profiles: set "
               "ClientNetworks to narrow it\n"));
    capture_free(&c);

    /* Every peer's scope given: no warning. */
    assert_int_equal(RUN(&c, "/plan", "/json", "/roles:edge-server", "/mode:exclusive",
                         "/clientnetworks:10.8.0.0/16", "/adminconsoles:10.1.0.0/16",
                         "/adminservers:10.1.0.5", "/edgeservers:10.1.0.6",
                         "/webrestoremachines:10.1.0.7"),
                     0);
    assert_non_null(strstr(dlo_buf_str(&c.out), "], \"warnings\": []}\n"));
    capture_free(&c);
}

static dlo_status one_listener(void *ctx, dlo_listener_list *out, dlo_error *err)
{
    (void)ctx;
    (void)err;
    return dlo_listener_add(out, DLO_PROTO_TCP, 3999, 812, "C:\\DLO\\DLOAdminSvcu.exe",
                            "DLOAdminSvcu");
}

/* The plan binds a rule to the service the listeners table shows on its port, and the exposure
 * names it; BindToServices 0 (here the switch) binds nothing. */
static void test_plan_binds_to_the_listening_service(void **state)
{
    static const dlo_probe_os os = {NULL, one_listener, NULL, NULL};
    capture c;
    (void)state;
    memset(&c, 0, sizeof(c));
    probe_os = &os;
    assert_int_equal(RUN(&c, "/plan", "/roles:admin-server"), 0);
    assert_non_null(strstr(dlo_buf_str(&c.out),
                           "     bound: service DLOAdminSvcu (pid 812, C:\\DLO\\DLOAdminSvcu.exe) "
                           "listens on tcp 3999; "));
    /* Nothing on UDP 3999: the evidence settles nothing, the rule keeps what it has. */
    assert_non_null(strstr(dlo_buf_str(&c.out), "the program its rule names in the firewall, else "
                                                "any: Arctera DLO - Administration Service "
                                                "(UDP-In)\n"));
    assert_non_null(strstr(dlo_buf_str(&c.out), "program C:\\DLO\\DLOAdminSvcu.exe: Arctera DLO - "
                                                "Administration Service (TCP-In)\n"));
    capture_free(&c);
    assert_int_equal(RUN(&c, "/plan", "/json", "/roles:admin-server"), 0);
    assert_non_null(strstr(dlo_buf_str(&c.out),
                           "\"application\": \"C:\\\\DLO\\\\DLOAdminSvcu.exe\", \"service\": null, "
                           "\"binding_evidence\": \"bound: service DLOAdminSvcu"));
    capture_free(&c);
    assert_int_equal(RUN(&c, "/plan", "/json", "/roles:admin-server", "/bindtoservices:0"), 0);
    assert_null(strstr(dlo_buf_str(&c.out), "\"application\": \"C:"));
    assert_non_null(strstr(dlo_buf_str(&c.out), "\"binding_evidence\": \"not bound: "
                                                "BindToServices is 0\""));
    capture_free(&c);
    probe_os = NULL;
}

/* The State key a plain /verify records says what it says: compliant, the unscoped rules a
 * warning. /verify /strict fails on them and, a run with a switch, records nothing; once the
 * scopes are configured it passes. */
static void test_verify_strict_and_unscoped_rules(void **state)
{
    static const char *const scopes[] = {"AdminServers", "AdminConsoles", "EdgeServers",
                                         "ClientNetworks", "WebRestoreMachines"};
    capture c;
    fwmem m;
    fake_registry f;
    unsigned writes;
    size_t i;
    (void)state;
    memset(&c, 0, sizeof(c));
    fwmem_init(&m);
    fake_reg_init(&f);
    registry = &f.reg;
    c.fw = &m;
    c.elevated = true;
    fake_reg_sz(&f, DLO_CONFIG_KEY_INSTALLER, "Roles", "edge-server");
    fake_reg_sz(&f, DLO_CONFIG_KEY_INSTALLER, "BOIMode", "exclusive");
    assert_int_equal(RUN(&c, "/apply"), 0);
    capture_free(&c);

    c.compliant_written = -1;
    assert_int_equal(RUN(&c, "/verify"), 0);
    assert_true(strncmp(dlo_buf_str(&c.out), "COMPLIANT: ", 11) == 0);
    assert_non_null(strstr(dlo_buf_str(&c.out), "  warning  unscoped: "));
    assert_int_equal(c.compliant_written, 1);
    capture_free(&c);

    writes = c.state_writes;
    assert_int_equal(RUN(&c, "/verify", "/strict"), 1);
    assert_non_null(strstr(dlo_buf_str(&c.out), "NOT COMPLIANT: 8 of 8 planned rules right; 0 "
                                                "missing, 0 drifted, 0 stale; 0 problems; with "
                                                "/strict every warning counts\n"));
    assert_non_null(strstr(dlo_buf_str(&c.out), "set AdminConsoles, ClientNetworks and "
                                                "WebRestoreMachines to narrow it\n"));
    assert_int_equal(c.state_writes, writes);
    capture_free(&c);
    assert_int_equal(RUN(&c, "/verify", "/strict", "/json"), 1);
    assert_non_null(strstr(dlo_buf_str(&c.out), "{\"compliant\": false"));
    assert_non_null(strstr(dlo_buf_str(&c.out), "\"warnings\": [{\"kind\": \"unscoped\", "
                                                "\"message\": \"'Arctera DLO - Edge Server "
                                                "HTTPS (TCP-In)'"));
    assert_non_null(strstr(dlo_buf_str(&c.out), "to narrow it\", \"settings\": [\"AdminConsoles\", "
                                                "\"ClientNetworks\", \"WebRestoreMachines\"]}"));
    capture_free(&c);

    for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
        fake_reg_sz(&f, DLO_CONFIG_KEY_POLICY, scopes[i], "10.1.0.0/16");
    assert_int_equal(RUN(&c, "/apply"), 0);
    capture_free(&c);
    assert_int_equal(RUN(&c, "/verify", "/strict"), 0);
    assert_string_equal(dlo_buf_str(&c.out),
                        "COMPLIANT: all 8 planned rules are present and as planned.\n");
    capture_free(&c);
    fake_reg_free(&f);
    registry = NULL;
    fwmem_free(&m);
}

#define RLO "\xe2\x80\xae" /* U+202E RIGHT-TO-LEFT OVERRIDE */

static dlo_status user_listener(void *ctx, dlo_listener_list *out, dlo_error *err)
{
    (void)ctx;
    (void)err;
    return dlo_listener_add(out, DLO_PROTO_TCP, 3999, 4242, "C:\\Users\\bob\\evil" RLO "txt.exe",
                            NULL);
}

/* The output holds the escaped form and not one raw override. */
static void assert_shown(const dlo_buf *b, const char *escaped)
{
    if (!strstr(dlo_buf_str(b), escaped))
        fail_msg("'%s' not in: %s", escaped, dlo_buf_str(b));
    assert_null(strstr(dlo_buf_str(b), RLO));
}

/* A name that holds a right-to-left override (a standard user's program file name, a foreign
 * rule's name, a configuration value) is shown escaped in every text output, and as \u202e in
 * JSON: /plan, /verify (one line each, whatever the name holds), /config and errors. */
static void test_hidden_characters_are_shown_escaped(void **state)
{
    static const dlo_probe_os os = {NULL, user_listener, NULL, NULL};
    capture c;
    fwmem m;
    fake_registry f;
    dlo_rule block;
    (void)state;
    memset(&c, 0, sizeof(c));
    probe_os = &os;
    assert_int_equal(RUN(&c, "/plan", "/roles:admin-server"), 0);
    assert_shown(&c.out, "held by pid 4242 (C:\\Users\\bob\\evil<U+202E>txt.exe), which is not "
                         "a service");
    capture_free(&c);
    assert_int_equal(RUN(&c, "/plan", "/json", "/roles:admin-server"), 0);
    assert_shown(&c.out, "evil\\u202etxt.exe");
    capture_free(&c);
    probe_os = NULL;

    assert_int_equal(RUN(&c, "/plan", "/roles:cli" RLO "ent"), 2);
    assert_shown(&c.err, "'cli<U+202E>ent'");
    capture_free(&c);

    fwmem_init(&m);
    c.fw = &m;
    c.elevated = true;
    assert_int_equal(RUN(&c, "/apply", "/roles:edge-server", "/mode:exclusive"), 0);
    capture_free(&c);
    dlo_rule_init(&block);
    block.action = DLO_ACTION_BLOCK;
    block.protocol = DLO_PROTO_TCP;
    dlo_rule_set(&block.name, "Block" RLO "\nCOMPLIANT: all is well");
    dlo_rule_set(&block.local_ports, "443");
    fwmem_plant(&m, &block);
    dlo_rule_free(&block);
    assert_int_equal(RUN(&c, "/verify", "/roles:edge-server", "/mode:exclusive"), 1);
    assert_shown(&c.out, "'Block<U+202E><U+000A>COMPLIANT: all is well'");
    assert_null(strstr(dlo_buf_str(&c.out), "\nCOMPLIANT"));
    capture_free(&c);
    fwmem_free(&m);

    fake_reg_init(&f);
    fake_reg_sz(&f, DLO_CONFIG_KEY_INSTALLER, "PolicyFile", "C:\\DLO\\site" RLO "sedoc.ports");
    registry = &f.reg;
    assert_int_equal(RUN(&c, "/config"), 0);
    assert_shown(&c.out, "C:\\DLO\\site<U+202E>sedoc.ports");
    capture_free(&c);
    registry = NULL;
    fake_reg_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_goes_to_stdout),
        cmocka_unit_test(test_version_text_and_json),
        cmocka_unit_test(test_usage_error_exit_2_on_stderr_only),
        cmocka_unit_test(test_apply_verify_remove),
        cmocka_unit_test(test_verify_profile_mismatch_is_a_warning),
        cmocka_unit_test(test_apply_with_a_fallen_back_port_narrows_nothing),
        cmocka_unit_test(test_config_prints_values_and_sources),
        cmocka_unit_test(test_config_invalid_exit_2_on_stderr_only),
        cmocka_unit_test(test_scopes_checked_for_the_platform_build),
        cmocka_unit_test(test_service_commands_need_a_service_host),
        cmocka_unit_test(test_plan_exposure_text_and_json),
        cmocka_unit_test(test_verify_strict_and_unscoped_rules),
        cmocka_unit_test(test_plan_binds_to_the_listening_service),
        cmocka_unit_test(test_hidden_characters_are_shown_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
