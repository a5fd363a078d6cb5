/* The configuration against an in-memory registry: every value valid, invalid, missing, of the
 * wrong type, in both keys (policy wins value by value), and overridden on the command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/addr.h"
#include "dlo/cli.h"
#include "dlo/config.h"
#include "dlo/log.h"
#include "dlo/report.h"
#include "dlo/str.h"
#include "fake_registry.h"
#include "log_capture.h"

#define INST DLO_CONFIG_KEY_INSTALLER
#define POL  DLO_CONFIG_KEY_POLICY

/* How to write one valid or invalid value of an item. */
typedef struct sample {
    int dword; /* 1: REG_DWORD `num`; 0: REG_SZ `sz` */
    const char *sz;
    uint32_t num;
    const char *text; /* the expected value text (valid samples) or message part (invalid) */
} sample;

typedef struct item_case {
    dlo_config_item item;
    const char *name;
    const char *default_text;
    sample valid, other, bad, bad2;
    sample wrong_type;
    const char *cli, *cli_text; /* NULL: no switch */
} item_case;

#define SZ(s, t)                                                                                   \
    {                                                                                              \
        0, s, 0, t                                                                                 \
    }
#define DW(n, t)                                                                                   \
    {                                                                                              \
        1, NULL, n, t                                                                              \
    }
#define ADDR_CASE(r)                                                                               \
    {                                                                                              \
        DLO_CFG_SCOPE_FIRST + (r), NULL, "*",                                                      \
            SZ("10.0.0.0/8, 192.168.1.7", "10.0.0.0/255.0.0.0,192.168.1.7/255.255.255.255"),       \
            SZ("DLO-Admin.corp.example, localsubnet", "LocalSubnet,dlo-admin.corp.example"),       \
            SZ("10.0.0.300", "'10.0.0.300' is not a valid address"),                               \
            SZ("10.0.0.0/33", "prefix length over 32"),                                            \
            DW(1,                                                                                  \
               "the type REG_DWORD is wrong; expected REG_SZ (comma-separated) or REG_MULTI_SZ"),  \
            "fe80::/64", "fe80::/64"                                                               \
    }

#define SCOPE_CASE(id, name, title, scope, msi, sw, peers) ADDR_CASE(DLO_ROLE_##id),

static const item_case cases[] = {
    {DLO_CFG_BOI_MODE, "BOIMode", "nonboi", SZ("Occasional", "occasional"),
     SZ("exclusive-boi", "exclusive"), SZ("turbo", "unknown BOI mode 'turbo'"), SZ("", "unused"),
     DW(2, "the type REG_DWORD is wrong; expected REG_SZ holding a BOI mode"), "exclusive",
     "exclusive"},
    {DLO_CFG_ROLES, "Roles", "(detected)", SZ("client, io-server", "io-server,client"),
     SZ("edge-server", "edge-server"), SZ("client,toaster", "unknown role 'toaster'"),
     SZ("client,,io-server", "empty role name"),
     DW(7, "the type REG_DWORD is wrong; expected REG_SZ (comma-separated) or REG_MULTI_SZ"),
     "admin-server", "admin-server"},
    {DLO_CFG_ADD_ROLES, "AddRoles", "(none)", SZ("sql-server", "sql-server"),
     SZ("storage;web-restore", "storage,web-restore"), SZ("sql", "unknown role 'sql'"),
     SZ("storage,", "empty role name"),
     DW(7, "the type REG_DWORD is wrong; expected REG_SZ (comma-separated) or REG_MULTI_SZ"),
     "dedupe-storage", "dedupe-storage"},
    {DLO_CFG_EXCLUDE_ROLES, "ExcludeRoles", "(none)", SZ("admin-console", "admin-console"),
     SZ("maintenance-server", "maintenance-server"), SZ("console", "unknown role 'console'"),
     SZ(",", "empty role name"),
     DW(7, "the type REG_DWORD is wrong; expected REG_SZ (comma-separated) or REG_MULTI_SZ"),
     "dedupe-server", "dedupe-server"},
    {DLO_CFG_SQL_PORT,
     "SqlPort",
     "(detected)",
     DW(1433, "1433"),
     SZ(" 14330 ", "14330"),
     DW(70000, "out of range; expected REG_DWORD or REG_SZ holding a TCP port number from 1 to "
               "65535"),
     SZ("14x", "not a port number"),
     {2, NULL, 0, "the type REG_BINARY is wrong; expected REG_DWORD or REG_SZ"},
     "1434",
     "1434"},
    /* MSSQL$NAME is the instance's service: it names instance NAME. */
    {DLO_CFG_SQL_INSTANCE, "SqlInstance", "(detected)", SZ("DLO", "DLO"),
     SZ(" mssql$Finance_2 ", "Finance_2"),
     SZ("DLO-1", "'DLO-1' is not a SQL Server instance name: '-' is not allowed"),
     SZ("ABCDEFGHIJKLMNOPQ", "longer than 16 characters"),
     DW(1, "the type REG_DWORD is wrong; expected REG_SZ holding a SQL Server instance name"),
     "mssqlserver", "MSSQLSERVER"},
    /* The scope of every role, from the role rows: a role added there is tested here. */
    DLO_ROLE_ROWS(SCOPE_CASE)
    /* Profiles: names in any case, blanks around them ignored; "All" when all three. */
    {DLO_CFG_CORPORATE_PROFILES, "CorporateProfiles", "(port matrix)",
     SZ("Domain, private", "Domain,Private"), SZ("public", "Public"),
     SZ("domain,home", "'home' is not a firewall profile; expected domain, private or public"),
     SZ("domain;private", "'domain;private' is not a firewall profile"),
     DW(1, "the type REG_DWORD is wrong; expected REG_SZ (comma-separated) or REG_MULTI_SZ "
           "holding firewall profiles"),
     "domain,private,public", "All"},
    {DLO_CFG_INTERNET_PROFILES, "InternetProfiles", "(port matrix)", SZ("domain", "Domain"),
     SZ("PRIVATE,public", "Private,Public"), SZ("internet", "'internet' is not a firewall profile"),
     SZ("domain,,public", "'' is not a firewall profile"),
     DW(7, "the type REG_DWORD is wrong; expected REG_SZ (comma-separated) or REG_MULTI_SZ"),
     "private", "Private"},
    {DLO_CFG_BIND_TO_SERVICES, "BindToServices", "1 (on)", DW(0, "0 (off)"), DW(1, "1 (on)"),
     DW(2, "out of range; expected REG_DWORD holding 0 (off) or 1 (on)"),
     DW(4294967295u, "out of range"),
     SZ("1", "the type REG_SZ is wrong; expected REG_DWORD holding 0 (off) or 1 (on)"), "0",
     "0 (off)"},
    {DLO_CFG_PUSH_INSTALL_PORTS, "PushInstallPorts", "vendor", SZ("rpc", "rpc"),
     SZ(" Vendor ", "vendor"),
     SZ("dynamic", "not a push-installation port choice; expected vendor (the port matrix as "
                   "written) or rpc"),
     SZ("rpc,vendor", "not a push-installation port choice"),
     DW(1, "the type REG_DWORD is wrong; expected REG_SZ holding vendor"), "RPC", "rpc"},
    {DLO_CFG_CLOSE_PUSH_PORTS, "ClosePushPortsWhenInstalled", "0 (off)", DW(1, "1 (on)"),
     DW(0, "0 (off)"), DW(2, "out of range; expected REG_DWORD holding 0 (off) or 1 (on)"),
     DW(10, "out of range"), SZ("yes", "the type REG_SZ is wrong; expected REG_DWORD"), "1",
     "1 (on)"},
    {DLO_CFG_INTERVAL, "ReconcileIntervalMinutes", "60", DW(30, "30"), DW(1440, "1440"),
     DW(0, "out of range; expected REG_DWORD holding a number of minutes from 1 to 1440"),
     DW(1441, "out of range"),
     SZ("30", "the type REG_SZ is wrong; expected REG_DWORD holding a number of minutes"), NULL,
     NULL},
    {DLO_CFG_NAME_REFRESH, "NameRefreshMinutes", "15", DW(5, "5"), DW(1440, "1440"),
     DW(0, "out of range; expected REG_DWORD holding a number of minutes from 1 to 1440"),
     DW(1441, "out of range"),
     SZ("30", "the type REG_SZ is wrong; expected REG_DWORD holding a number of minutes"), " 30 ",
     "30"},
    {DLO_CFG_DRIFT_ACTION, "DriftAction", "repair", SZ("report", "report"),
     SZ(" Repair ", "repair"),
     SZ("ignore", "not a drift action; expected repair (put the rules back) or report"),
     SZ("repair,report", "not a drift action"),
     DW(1, "the type REG_DWORD is wrong; expected REG_SZ holding repair"), "REPORT", "report"},
    /* From a key, a file on a local drive by its absolute path; on the command line, as typed. */
    {DLO_CFG_POLICY_FILE, "PolicyFile", "(built-in)",
     SZ("C:\\ProgramData\\Arctera\\dlo.ports", "C:\\ProgramData\\Arctera\\dlo.ports"),
     SZ(" d:\\data\\x.ports ", "d:\\data\\x.ports"),
     SZ("dlo.ports", "not an absolute path on a local drive; expected REG_SZ holding the absolute "
                     "path of a file on a local drive"),
     SZ("\\\\server\\share\\x.ports", "not an absolute path on a local drive"),
     DW(1, "the type REG_DWORD is wrong; expected REG_SZ holding the absolute path"), "x.ports",
     "x.ports"},
    {DLO_CFG_DETECTION_FILE, "DetectionFile", "(built-in)",
     SZ("C:\\ProgramData\\Arctera\\site.detect", "C:\\ProgramData\\Arctera\\site.detect"),
     SZ("E:\\t.detect", "E:\\t.detect"), SZ("C:", "not an absolute path on a local drive"),
     SZ("/etc/t.detect", "not an absolute path on a local drive"),
     DW(3, "the type REG_DWORD is wrong; expected REG_SZ holding the absolute path"),
     "..\\site.detect", "..\\site.detect"},
    {DLO_CFG_TEST_INTERVAL, "TestReconcileIntervalSeconds", "(not set)", DW(5, "5"),
     DW(86400, "86400"),
     DW(86401, "out of range; expected REG_DWORD holding a number of seconds from 1 to 86400"),
     DW(0, "out of range"), SZ("5", "the type REG_SZ is wrong; expected REG_DWORD"), NULL, NULL},
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

static const char *case_name(const item_case *c)
{
    return c->name ? c->name : dlo_config_item_name(c->item);
}

static void put(fake_registry *f, const char *key, const item_case *c, const sample *s)
{
    if (s->dword == 1)
        fake_reg_dword(f, key, case_name(c), s->num);
    else if (s->dword == 2)
        fake_reg_typed(f, key, case_name(c), DLO_REG_BINARY, 0, 4);
    else
        fake_reg_sz(f, key, case_name(c), s->sz);
}

static void check_value(const dlo_config *cfg, dlo_config_item item, const char *text,
                        dlo_config_source src)
{
    dlo_buf b;
    dlo_buf_init(&b);
    dlo_report_config_value(&b, cfg, item);
    if (strcmp(dlo_buf_str(&b), text) != 0)
        fail_msg("%s is '%s', expected '%s'", dlo_config_item_name(item), dlo_buf_str(&b), text);
    if (cfg->source[item] != src)
        fail_msg("%s comes from %s, expected %s", dlo_config_item_name(item),
                 dlo_config_source_name(cfg->source[item]), dlo_config_source_name(src));
    dlo_buf_free(&b);
}

static void expect_refused(fake_registry *f, const dlo_cli *cli, const char *needle1,
                           const char *needle2)
{
    dlo_config cfg;
    dlo_config_overrides ov;
    dlo_error err;
    dlo_status st;

    dlo_error_clear(&err);
    dlo_cli_config_overrides(cli, &ov);
    st = dlo_config_load(&cfg, &f->reg, &ov, &err);
    if (st != DLO_E_CONFIG)
        fail_msg("load returned %d (%s), expected DLO_E_CONFIG for '%s'", st, err.msg, needle1);
    assert_int_equal(dlo_status_exit_code(st), DLO_EXIT_USAGE);
    assert_int_equal(err.status, DLO_E_CONFIG);
    if (!strstr(err.msg, needle1))
        fail_msg("message '%s' lacks '%s'", err.msg, needle1);
    if (needle2 && !strstr(err.msg, needle2))
        fail_msg("message '%s' lacks '%s'", err.msg, needle2);
    /* A failed load leaves the defaults, never half a configuration. */
    assert_int_equal(cfg.mode, DLO_MODE_NONBOI);
    assert_false(cfg.roles_set);
    assert_string_equal(cfg.scopes[DLO_ROLE_EDGE_SERVER], "*");
    dlo_config_free(&cfg);
}

static dlo_status load(fake_registry *f, const dlo_cli *cli, dlo_config *cfg)
{
    dlo_config_overrides ov;
    dlo_error err;
    dlo_status st;
    dlo_error_clear(&err);
    dlo_cli_config_overrides(cli, &ov);
    st = dlo_config_load(cfg, &f->reg, &ov, &err);
    if (st)
        fail_msg("load failed: %s", err.msg);
    return st;
}

/* The "every value" tests below walk `cases`: a row of dlo_config_rows with no case there
 * would go untested, so a row without exactly one case fails here, by name. */
static void test_every_row_has_a_case(void **state)
{
    int item;
    size_t i, found;
    (void)state;

    for (item = 0; item < DLO_CFG_COUNT; item++) {
        for (i = 0, found = 0; i < N_CASES; i++)
            found += cases[i].item == (dlo_config_item)item;
        if (found != 1)
            fail_msg("configuration row %s has %u cases in test_config.c's table, expected 1",
                     dlo_config_item_name((dlo_config_item)item), (unsigned)found);
    }
    assert_int_equal(N_CASES, DLO_CFG_COUNT);
}

/* What each row must say for the code it drives: a name and MSI property of its own, a switch
 * with its help, bounds around a number's default, names for a choice, a text for "not
 * configured" where the type has that state. */
static void test_every_row_is_complete(void **state)
{
    int item, other;
    (void)state;

    for (item = 0; item < DLO_CFG_COUNT; item++) {
        const dlo_config_row *r = dlo_config_row_of((dlo_config_item)item);
        bool can_be_unset = r->type == DLO_CT_PORT || r->type == DLO_CT_INSTANCE ||
                            r->type == DLO_CT_NUMBER || r->type == DLO_CT_PATH ||
                            r->type == DLO_CT_PROFILES || r->tracks_set;
        char upper[64];
        size_t k;

        assert_non_null(r->name);
        for (k = 0; r->name[k] && k + 1 < sizeof(upper); k++)
            upper[k] =
                (char)(r->name[k] >= 'a' && r->name[k] <= 'z' ? r->name[k] - 32 : r->name[k]);
        upper[k] = '\0';
        if (r->installer_only ? r->msi != NULL : !r->msi || strcmp(r->msi, upper) != 0)
            fail_msg("%s: MSI property %s, expected %s", r->name, r->msi ? r->msi : "none",
                     r->installer_only ? "none (installer key only)" : upper);
        if (r->sw && (!r->sw_value || !r->sw_help))
            fail_msg("%s: switch /%s without its value name and help", r->name, r->sw);
        if (can_be_unset && !r->unset)
            fail_msg("%s: no text for \"not configured\"", r->name);
        if (r->type == DLO_CT_NUMBER &&
            (!r->unit || r->min > r->max || (r->def && (r->def < r->min || r->def > r->max))))
            fail_msg("%s: a number needs a unit and a default within %u..%u", r->name, r->min,
                     r->max);
        /* The code reads and writes a mode or choice as an int: its enum must be one. */
        if ((r->type == DLO_CT_MODE || r->type == DLO_CT_CHOICE) && r->size != sizeof(int))
            fail_msg("%s: its enum is %u bytes, not an int", r->name, (unsigned)r->size);
        if (r->type == DLO_CT_FLAG && (r->min != 0 || r->max != 1 || r->def > 1))
            fail_msg("%s: an on/off value is 0 or 1", r->name);
        if (r->type == DLO_CT_CHOICE &&
            (!r->choices || r->n_choices < 2 || !r->what || r->def >= r->n_choices))
            fail_msg("%s: a choice needs two names or more, what it is and a default among them",
                     r->name);
        for (other = 0; other < item; other++) {
            const dlo_config_row *o = dlo_config_row_of((dlo_config_item)other);
            if (dlo_str_equal_ci(o->name, r->name) ||
                (o->sw && r->sw && dlo_str_equal_ci(o->sw, r->sw)) || o->field == r->field)
                fail_msg("%s and %s share a name, a switch or a field", o->name, r->name);
        }
    }
    assert_null(dlo_config_row_of(DLO_CFG_COUNT));
}

static void test_missing_everything_gives_defaults(void **state)
{
    fake_registry f;
    dlo_config cfg;
    size_t i;
    (void)state;

    fake_reg_init(&f);
    load(&f, NULL, &cfg);
    for (i = 0; i < N_CASES; i++)
        check_value(&cfg, cases[i].item, cases[i].default_text, DLO_SOURCE_DEFAULT);
    assert_int_equal(cfg.interval_seconds, 3600);
    assert_int_equal(cfg.sql_port, 0);
    dlo_config_free(&cfg);
    fake_reg_free(&f);
}

static void test_every_value_valid_in_either_key(void **state)
{
    size_t i;
    (void)state;

    for (i = 0; i < N_CASES; i++) {
        const item_case *c = &cases[i];
        fake_registry f;
        dlo_config cfg;

        fake_reg_init(&f);
        put(&f, INST, c, &c->valid);
        load(&f, NULL, &cfg);
        check_value(&cfg, c->item, c->valid.text, DLO_SOURCE_INSTALLER);
        dlo_config_free(&cfg);

        if (c->item != DLO_CFG_TEST_INTERVAL) {
            fake_reg_free(&f);
            put(&f, POL, c, &c->other);
            load(&f, NULL, &cfg);
            check_value(&cfg, c->item, c->other.text, DLO_SOURCE_POLICY);
            dlo_config_free(&cfg);
        }
        fake_reg_free(&f);
    }
}

static void test_policy_wins_value_by_value(void **state)
{
    size_t i, j;
    (void)state;

    for (i = 0; i < N_CASES; i++) {
        const item_case *c = &cases[i];
        fake_registry f;
        dlo_config cfg;

        if (c->item == DLO_CFG_TEST_INTERVAL)
            continue;
        /* Every value in the installer key; only this one also in the policy key. */
        fake_reg_init(&f);
        for (j = 0; j < N_CASES; j++)
            put(&f, INST, &cases[j], &cases[j].valid);
        put(&f, POL, c, &c->other);
        load(&f, NULL, &cfg);
        for (j = 0; j < N_CASES; j++) {
            if (j == i)
                check_value(&cfg, c->item, c->other.text, DLO_SOURCE_POLICY);
            else
                check_value(&cfg, cases[j].item, cases[j].valid.text, DLO_SOURCE_INSTALLER);
        }
        dlo_config_free(&cfg);
        fake_reg_free(&f);
    }
}

static void test_test_interval_is_read_from_the_installer_key_only(void **state)
{
    fake_registry f;
    dlo_config cfg;
    (void)state;

    fake_reg_init(&f);
    fake_reg_dword(&f, POL, "TestReconcileIntervalSeconds", 5);
    fake_reg_dword(&f, POL, "ReconcileIntervalMinutes", 2);
    load(&f, NULL, &cfg);
    check_value(&cfg, DLO_CFG_TEST_INTERVAL, "(not set)", DLO_SOURCE_DEFAULT);
    assert_int_equal(cfg.interval_seconds, 120);
    dlo_config_free(&cfg);

    fake_reg_dword(&f, INST, "TestReconcileIntervalSeconds", 5);
    load(&f, NULL, &cfg);
    assert_int_equal(cfg.interval_seconds, 5);
    dlo_config_free(&cfg);
    fake_reg_free(&f);
}

static void test_command_line_wins(void **state)
{
    size_t i;
    (void)state;

    for (i = 0; i < N_CASES; i++) {
        const item_case *c = &cases[i];
        const char *sw = dlo_config_item_switch(c->item);
        fake_registry f;
        dlo_config cfg;
        dlo_cli cli;
        char arg[128];
        char *argv[] = {"dloagent.exe", "/config", arg, NULL};
        dlo_error err;

        if (!c->cli) {
            assert_null(sw);
            continue;
        }
        assert_non_null(sw);
        snprintf(arg, sizeof(arg), "/%s:%s", sw, c->cli);
        assert_int_equal(dlo_cli_parse(3, argv, &cli, &err), DLO_OK);
        fake_reg_init(&f);
        put(&f, INST, c, &c->valid);
        put(&f, POL, c, &c->other);
        load(&f, &cli, &cfg);
        check_value(&cfg, c->item, c->cli_text, DLO_SOURCE_COMMAND_LINE);
        dlo_config_free(&cfg);

        /* A file named on the command line is read as typed, relative paths included: the
         * file itself is what can be wrong (tests/unit/test_datafiles.c). */
        if (c->item == DLO_CFG_POLICY_FILE || c->item == DLO_CFG_DETECTION_FILE) {
            fake_reg_free(&f);
            continue;
        }
        /* A bad switch value is refused like a bad registry value. */
        snprintf(arg, sizeof(arg), "/%s:%s", sw, c->bad.dword ? "70000" : c->bad.sz);
        assert_int_equal(dlo_cli_parse(3, argv, &cli, &err), DLO_OK);
        snprintf(arg, sizeof(arg), "/%s:\"", sw);
        expect_refused(&f, &cli, arg, NULL);
        fake_reg_free(&f);
    }
}

static void test_every_value_invalid(void **state)
{
    size_t i;
    (void)state;

    for (i = 0; i < N_CASES; i++) {
        const item_case *c = &cases[i];
        const sample *bads[2] = {&c->bad, &c->bad2};
        size_t k;

        for (k = 0; k < 2; k++) {
            fake_registry f;
            char where[200];

            if (!bads[k]->dword && !bads[k]->sz[0])
                continue;
            fake_reg_init(&f);
            put(&f, INST, c, bads[k]);
            snprintf(where, sizeof(where), "HKLM\\%s value %s holds %s", INST, case_name(c),
                     bads[k]->dword ? "REG_DWORD" : "REG_SZ");
            expect_refused(&f, NULL, where, bads[k]->text);
            fake_reg_free(&f);

            /* The same in the policy key names the policy key. */
            if (c->item != DLO_CFG_TEST_INTERVAL) {
                fake_reg_init(&f);
                put(&f, POL, c, bads[k]);
                snprintf(where, sizeof(where), "HKLM\\%s value %s holds", POL, case_name(c));
                expect_refused(&f, NULL, where, bads[k]->text);
                fake_reg_free(&f);
            }
        }
    }
}

static void test_bad_value_is_quoted(void **state)
{
    fake_registry f;
    (void)state;

    fake_reg_init(&f);
    fake_reg_sz(&f, INST, "BOIMode", "turbo");
    expect_refused(&f, NULL, "value BOIMode holds REG_SZ \"turbo\": ",
                   "valid modes are: nonboi (non-boi), exclusive (exclusive-boi), occasional");
    fake_reg_sz(&f, INST, "BOIMode", "tur\"bo\x01");
    expect_refused(&f, NULL, "holds REG_SZ \"tur\\\"bo\\x01\"", NULL);
    fake_reg_free(&f);
}

static void test_every_value_wrong_type(void **state)
{
    size_t i;
    (void)state;

    for (i = 0; i < N_CASES; i++) {
        const item_case *c = &cases[i];
        fake_registry f;

        fake_reg_init(&f);
        put(&f, INST, c, &c->wrong_type);
        expect_refused(&f, NULL, case_name(c), c->wrong_type.text);
        /* Types no value takes. */
        fake_reg_typed(&f, INST, case_name(c), DLO_REG_QWORD, 5, 8);
        expect_refused(&f, NULL, "holds REG_QWORD 5: the type REG_QWORD is wrong", NULL);
        fake_reg_typed(&f, INST, case_name(c), DLO_REG_BINARY, 0, 3);
        expect_refused(&f, NULL, "holds REG_BINARY of 3 bytes: the type REG_BINARY is wrong", NULL);
        fake_reg_typed(&f, INST, case_name(c), 42, 0, 3);
        expect_refused(&f, NULL, "the type type 42 is wrong", NULL);
        fake_reg_free(&f);
    }
    /* REG_EXPAND_SZ is not REG_SZ. */
    {
        fake_registry f;
        fake_reg_init(&f);
        fake_reg_sz(&f, INST, "BOIMode", "occasional");
        f.entries[0].type = DLO_REG_EXPAND_SZ;
        expect_refused(&f, NULL, "holds REG_EXPAND_SZ \"occasional\"", "expected REG_SZ");
        fake_reg_free(&f);
    }
}

static void test_invalid_policy_value_does_not_fall_back(void **state)
{
    fake_registry f;
    (void)state;

    fake_reg_init(&f);
    fake_reg_sz(&f, INST, "BOIMode", "occasional");
    fake_reg_sz(&f, POL, "BOIMode", "sometimes");
    expect_refused(&f, NULL, "HKLM\\" POL " value BOIMode", "'sometimes'");
    fake_reg_free(&f);
}

static void test_invalid_value_that_does_not_take_effect_is_a_warning(void **state)
{
    fake_registry f;
    dlo_config cfg;
    (void)state;

    fake_reg_init(&f);
    fake_reg_sz(&f, INST, "EdgeServers", "10.0.0.999");
    fake_reg_sz(&f, POL, "EdgeServers", "10.0.0.9");
    log_capture_reset();
    load(&f, NULL, &cfg);
    check_value(&cfg, DLO_CFG_SCOPE_FIRST + DLO_ROLE_EDGE_SERVER, "10.0.0.9/255.255.255.255",
                DLO_SOURCE_POLICY);
    assert_true(log_has("1201 1 HKLM\\" INST " value EdgeServers"));
    assert_true(log_has("not in effect: the policy value"));
    dlo_config_free(&cfg);
    fake_reg_free(&f);
}

static void test_empty_value_counts_as_absent(void **state)
{
    fake_registry f;
    dlo_config cfg;
    const char *empties[] = {"", " "};
    (void)state;

    fake_reg_init(&f);
    fake_reg_sz(&f, INST, "BOIMode", "exclusive");
    fake_reg_sz(&f, POL, "BOIMode", "  ");
    fake_reg_multi(&f, POL, "Roles", empties, 2);
    fake_reg_sz(&f, INST, "Roles", "client");
    load(&f, NULL, &cfg);
    check_value(&cfg, DLO_CFG_BOI_MODE, "exclusive", DLO_SOURCE_INSTALLER);
    check_value(&cfg, DLO_CFG_ROLES, "client", DLO_SOURCE_INSTALLER);
    dlo_config_free(&cfg);
    fake_reg_free(&f);
}

static void test_multi_sz_lists(void **state)
{
    fake_registry f;
    dlo_config cfg;
    const char *roles[] = {"client", "", "io-server,sql-server"};
    const char *addrs[] = {"10.0.0.1", "LocalSubnet, fe80::1", ""};
    const char *bad[] = {"10.0.0.1", "10.0.0.x"};
    (void)state;

    fake_reg_init(&f);
    fake_reg_multi(&f, INST, "Roles", roles, 3);
    fake_reg_multi(&f, INST, "IoServers", addrs, 3);
    load(&f, NULL, &cfg);
    check_value(&cfg, DLO_CFG_ROLES, "io-server,client,sql-server", DLO_SOURCE_INSTALLER);
    check_value(&cfg, DLO_CFG_SCOPE_FIRST + DLO_ROLE_IO_SERVER,
                "10.0.0.1/255.255.255.255,LocalSubnet,fe80::1/128", DLO_SOURCE_INSTALLER);
    dlo_config_free(&cfg);
    fake_reg_multi(&f, INST, "IoServers", bad, 2);
    expect_refused(&f, NULL,
                   "value IoServers holds REG_MULTI_SZ of 2 strings \"10.0.0.1\", "
                   "\"10.0.0.x\": '10.0.0.x' is not",
                   NULL);
    fake_reg_free(&f);
}

static void test_absurd_lengths(void **state)
{
    fake_registry f;
    char *big = malloc(5001);
    const char **many = malloc(1001 * sizeof(*many));
    size_t i;
    (void)state;

    assert_non_null(big);
    assert_non_null(many);
    fake_reg_init(&f);
    memset(big, 'a', 5000);
    big[5000] = '\0';
    fake_reg_sz(&f, INST, "Roles", big);
    expect_refused(&f, NULL, "value Roles holds REG_SZ of 5000 characters \"aaaa",
                   "...\": too long (5000 characters); expected at most 4096");
    fake_reg_remove(&f, INST, "Roles");

    for (i = 0; i < 1001; i++)
        many[i] = "*";
    fake_reg_multi(&f, INST, "ClientNetworks", many, 1001);
    expect_refused(&f, NULL, "value ClientNetworks holds REG_MULTI_SZ of 1001 strings",
                   "too many strings (1001); expected at most 1000");
    fake_reg_remove(&f, INST, "ClientNetworks");

    /* 1001 entries in one string. */
    for (i = 0; i < 1001; i++)
        memcpy(big + 2 * i, "c,", 2);
    big[2001] = '\0';
    fake_reg_sz(&f, INST, "AddRoles", big);
    expect_refused(&f, NULL, "value AddRoles", "too many entries (1001)");
    fake_reg_remove(&f, INST, "AddRoles");

    fake_reg_oversize(&f, INST, "SqlServers", DLO_REG_SZ, 300000);
    expect_refused(&f, NULL, "value SqlServers holds REG_SZ of 300000 bytes: far too long", NULL);
    fake_reg_free(&f);
    free(big);
    free(many);
}

static void test_unreadable_key_fails_the_load(void **state)
{
    fake_registry f;
    dlo_config cfg;
    dlo_error err;
    (void)state;

    fake_reg_init(&f);
    fake_reg_fail(&f, POL, "SqlPort", DLO_E_ACCESS);
    dlo_error_clear(&err);
    assert_int_equal(dlo_config_load(&cfg, &f.reg, NULL, &err), DLO_E_ACCESS);
    assert_non_null(strstr(err.msg, "value SqlPort cannot be read"));
    dlo_config_free(&cfg);
    fake_reg_free(&f);
}

static void test_several_problems_are_all_named(void **state)
{
    fake_registry f;
    (void)state;

    fake_reg_init(&f);
    fake_reg_sz(&f, INST, "BOIMode", "turbo");
    fake_reg_dword(&f, POL, "SqlPort", 0);
    fake_reg_sz(&f, INST, "EdgeServers", "x");
    expect_refused(&f, NULL, "unknown BOI mode 'turbo'", "(also invalid: SqlPort, EdgeServers)");
    fake_reg_free(&f);
}

static void test_add_and_exclude_the_same_role(void **state)
{
    fake_registry f;
    (void)state;

    fake_reg_init(&f);
    fake_reg_sz(&f, POL, "AddRoles", "client,storage");
    fake_reg_sz(&f, INST, "ExcludeRoles", "storage");
    expect_refused(&f, NULL, "AddRoles (policy) and ExcludeRoles (installer) both name storage",
                   NULL);
    fake_reg_free(&f);
}

static void test_effective_roles(void **state)
{
    fake_registry f;
    dlo_config cfg;
    dlo_role_set detected = DLO_ROLE_BIT(DLO_ROLE_CLIENT) | DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER);
    (void)state;

    fake_reg_init(&f);
    load(&f, NULL, &cfg);
    assert_int_equal(dlo_config_roles(&cfg, detected), detected);
    dlo_config_free(&cfg);

    fake_reg_sz(&f, INST, "AddRoles", "storage");
    fake_reg_sz(&f, INST, "ExcludeRoles", "sql-server");
    load(&f, NULL, &cfg);
    assert_int_equal(dlo_config_roles(&cfg, detected),
                     DLO_ROLE_BIT(DLO_ROLE_CLIENT) | DLO_ROLE_BIT(DLO_ROLE_STORAGE));
    dlo_config_free(&cfg);

    /* Roles replaces detection; Add and Exclude still apply. */
    fake_reg_sz(&f, POL, "Roles", "edge-server,sql-server");
    load(&f, NULL, &cfg);
    assert_int_equal(dlo_config_roles(&cfg, detected),
                     DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER) | DLO_ROLE_BIT(DLO_ROLE_STORAGE));
    dlo_config_free(&cfg);
    fake_reg_free(&f);
}

static void test_scope_for_several_peers(void **state)
{
    fake_registry f;
    dlo_config cfg;
    dlo_buf b;
    (void)state;

    fake_reg_init(&f);
    fake_reg_sz(&f, INST, "EdgeServers", "10.0.0.1, LocalSubnet");
    fake_reg_sz(&f, INST, "IoServers", "localsubnet,10.0.0.2");
    load(&f, NULL, &cfg);
    dlo_buf_init(&b);
    assert_int_equal(
        dlo_addr_scope_union((const char *const *)cfg.scopes,
                             DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER) | DLO_ROLE_BIT(DLO_ROLE_IO_SERVER),
                             &b, NULL),
        DLO_OK);
    assert_string_equal(dlo_buf_str(&b),
                        "10.0.0.1/255.255.255.255,LocalSubnet,10.0.0.2/255.255.255.255");
    /* A peer with no scope allows any address, so the union is "*". */
    assert_int_equal(
        dlo_addr_scope_union((const char *const *)cfg.scopes,
                             DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER) | DLO_ROLE_BIT(DLO_ROLE_CLIENT), &b,
                             NULL),
        DLO_OK);
    assert_string_equal(dlo_buf_str(&b), "*");
    assert_int_equal(dlo_addr_scope_union((const char *const *)cfg.scopes, 0, &b, NULL), DLO_OK);
    assert_string_equal(dlo_buf_str(&b), "*");
    dlo_buf_free(&b);
    dlo_config_free(&cfg);
    fake_reg_free(&f);
}

static void test_equal_and_copy(void **state)
{
    fake_registry f;
    dlo_config a, b, c;
    (void)state;

    fake_reg_init(&f);
    fake_reg_sz(&f, INST, "EdgeServers", "10.0.0.1");
    load(&f, NULL, &a);
    assert_int_equal(dlo_config_copy(&c, &a), DLO_OK);
    assert_true(dlo_config_equal(&a, &c));
    /* The same value from another key is the same configuration. */
    fake_reg_remove(&f, INST, "EdgeServers");
    fake_reg_sz(&f, POL, "EdgeServers", "10.0.0.1/32");
    load(&f, NULL, &b);
    assert_true(dlo_config_equal(&a, &b));
    dlo_config_free(&b);
    fake_reg_sz(&f, POL, "EdgeServers", "10.0.0.2");
    load(&f, NULL, &b);
    assert_false(dlo_config_equal(&a, &b));
    dlo_config_free(&b);
    fake_reg_sz(&f, POL, "EdgeServers", "10.0.0.1");
    fake_reg_sz(&f, POL, "BOIMode", "occasional");
    load(&f, NULL, &b);
    assert_false(dlo_config_equal(&a, &b));
    dlo_config_free(&a);
    dlo_config_free(&b);
    dlo_config_free(&c);
    fake_reg_free(&f);
}

/* A number whose data is not 4 (REG_DWORD) or 8 (REG_QWORD) bytes is garbage: the read is
 * refused, naming the key and value, before any value is taken from it. */
/* A number is written one way from every source: SqlPort "01433" as text is refused in either
 * key and on the command line, as a policy file refuses ports with a leading zero. */
static void test_numbers_with_a_leading_zero_are_refused(void **state)
{
    static const char *const bad[] = {"01433", "0", "+1433", "1433.0", "0x599"};
    fake_registry f;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char arg[32];
        char *argv[] = {"dloagent.exe", "/config", arg, NULL};
        dlo_cli cli;
        dlo_error err;
        fake_reg_init(&f);
        fake_reg_sz(&f, POL, "SqlPort", bad[i]);
        expect_refused(&f, NULL, "value SqlPort holds REG_SZ", "not a port number");
        fake_reg_free(&f);
        fake_reg_init(&f);
        fake_reg_sz(&f, INST, "SqlPort", bad[i]);
        expect_refused(&f, NULL, "value SqlPort holds REG_SZ", "not a port number");
        snprintf(arg, sizeof(arg), "/sqlport:%s", bad[i]);
        assert_int_equal(dlo_cli_parse(3, argv, &cli, &err), DLO_OK);
        fake_reg_remove(&f, INST, "SqlPort");
        expect_refused(&f, &cli, "/sqlport:", "not a port number");
        fake_reg_free(&f);
    }
    fake_reg_init(&f);
    fake_reg_sz(&f, INST, "SqlPort", "01433");
    expect_refused(&f, NULL,
                   "holds REG_SZ \"01433\": not a port number ('01433' has a leading zero)", NULL);
    fake_reg_free(&f);
}

static void test_number_of_the_wrong_size_is_refused(void **state)
{
    fake_registry f;
    (void)state;

    fake_reg_init(&f);
    fake_reg_typed(&f, INST, "SqlPort", DLO_REG_DWORD, 1433, 2);
    expect_refused(&f, NULL, "HKLM\\" INST " value SqlPort (64-bit view) is a REG_DWORD of 2 bytes",
                   "expected 4 bytes");
    fake_reg_typed(&f, INST, "SqlPort", DLO_REG_DWORD, 1433, 4);
    fake_reg_typed(&f, POL, "ReconcileIntervalMinutes", DLO_REG_QWORD, 5, 4);
    expect_refused(&f, NULL,
                   "value ReconcileIntervalMinutes (64-bit view) is a REG_QWORD of 4 bytes",
                   "expected 8 bytes");
    fake_reg_free(&f);
}

/* Both spellings of an instance compare equal, and /config shows it in either form. */
static void test_sql_instance_normal_form(void **state)
{
    fake_registry f;
    dlo_config a, b;
    dlo_buf out;
    (void)state;

    fake_reg_init(&f);
    fake_reg_sz(&f, INST, "SqlInstance", "MSSQL$DLO");
    load(&f, NULL, &a);
    fake_reg_sz(&f, INST, "SqlInstance", "DLO");
    load(&f, NULL, &b);
    assert_string_equal(a.sql_instance, "DLO");
    assert_true(dlo_config_equal(&a, &b));
    dlo_buf_init(&out);
    dlo_report_config_json(&out, &a);
    assert_non_null(strstr(dlo_buf_str(&out), "\"SqlInstance\": {\"value\": \"DLO\", \"source\": "
                                              "\"installer\"}"));
    dlo_buf_reset(&out);
    dlo_report_config_text(&out, &a);
    assert_non_null(
        strstr(dlo_buf_str(&out), "  SqlInstance                   installer     DLO\n"));
    dlo_buf_free(&out);
    dlo_config_free(&a);
    dlo_config_free(&b);

    fake_reg_sz(&f, INST, "SqlInstance", "MSSQL$");
    expect_refused(&f, NULL, "value SqlInstance holds REG_SZ \"MSSQL$\"", "empty");
    fake_reg_free(&f);
}

/* What the item table says to the installer and the Group Policy check, against what a load
 * does: a type is in the mask exactly when a value of that type is not refused for its type,
 * and an item is "in policy" exactly when the policy key's value takes effect. */
static void test_item_types_and_keys_match_the_load(void **state)
{
    static const unsigned long types[] = {DLO_REG_SZ,    DLO_REG_EXPAND_SZ, DLO_REG_BINARY,
                                          DLO_REG_DWORD, DLO_REG_MULTI_SZ,  DLO_REG_QWORD};
    static const char *const strs[] = {"x"};
    size_t i, t;
    (void)state;

    for (i = 0; i < N_CASES; i++) {
        const item_case *c = &cases[i];
        unsigned mask = dlo_config_item_types(c->item);
        fake_registry f;
        dlo_config cfg;
        dlo_error err;

        for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
            char tbuf[32], wrong[96];
            const char *tname = dlo_reg_type_name(types[t], tbuf, sizeof(tbuf));
            bool refused_for_type;

            fake_reg_init(&f);
            if (types[t] == DLO_REG_SZ || types[t] == DLO_REG_EXPAND_SZ) {
                fake_reg_sz(&f, INST, case_name(c), "x");
                f.entries[0].type = types[t];
            } else if (types[t] == DLO_REG_MULTI_SZ)
                fake_reg_multi(&f, INST, case_name(c), strs, 1);
            else if (types[t] == DLO_REG_DWORD)
                fake_reg_dword(&f, INST, case_name(c), 1);
            else
                fake_reg_typed(&f, INST, case_name(c), types[t], 1,
                               types[t] == DLO_REG_QWORD ? 8 : 4);
            dlo_error_clear(&err);
            snprintf(wrong, sizeof(wrong), "the type %s is wrong", tname);
            refused_for_type =
                dlo_config_load(&cfg, &f.reg, NULL, &err) && strstr(err.msg, wrong) != NULL;
            dlo_config_free(&cfg);
            fake_reg_free(&f);
            if (refused_for_type == !!(mask & DLO_REG_TYPE_BIT(types[t])))
                fail_msg("%s: %s is %s the mask but %s by a load (%s)", case_name(c), tname,
                         refused_for_type ? "in" : "not in",
                         refused_for_type ? "refused" : "accepted", err.msg);
        }

        fake_reg_init(&f);
        put(&f, POL, c, &c->valid);
        assert_int_equal(load(&f, NULL, &cfg), DLO_OK);
        if ((cfg.source[c->item] == DLO_SOURCE_POLICY) != dlo_config_item_in_policy(c->item))
            fail_msg("%s: read from the policy key: %s, in policy: %d", case_name(c),
                     dlo_config_source_name(cfg.source[c->item]),
                     dlo_config_item_in_policy(c->item));
        dlo_config_free(&cfg);
        fake_reg_free(&f);
    }
    assert_int_equal(dlo_config_item_types(DLO_CFG_COUNT), 0);
    assert_false(dlo_config_item_in_policy(DLO_CFG_COUNT));
}

/* How often needle occurs in s. */
static int count(const char *s, const char *needle)
{
    int n = 0;
    for (s = strstr(s, needle); s; s = strstr(s + 1, needle))
        n++;
    return n;
}

/* The rows nothing acts on yet. */
static int reserved_rows(void)
{
    int item, n = 0;
    for (item = 0; item < DLO_CFG_COUNT; item++)
        n += dlo_config_row_of((dlo_config_item)item)->reserved;
    return n;
}

static void test_print_text_and_json(void **state)
{
    fake_registry f;
    dlo_config cfg;
    dlo_buf b;
    (void)state;

    fake_reg_init(&f);
    fake_reg_sz(&f, POL, "BOIMode", "occasional");
    fake_reg_dword(&f, INST, "SqlPort", 1433);
    fake_reg_sz(&f, INST, "EdgeServers", "10.0.0.0/8,LocalSubnet");
    fake_reg_sz(&f, INST, "ClientNetworks", "0.0.0.0/1,128.0.0.0/1");
    fake_reg_sz(&f, POL, "DriftAction", "report");
    load(&f, NULL, &cfg);
    dlo_buf_init(&b);
    dlo_report_config_text(&b, &cfg);
    /* A scope is judged by what it covers: this one is as open as `*`, and says so. */
    assert_non_null(strstr(dlo_buf_str(&b), "  ClientNetworks                installer     "
                                            "0.0.0.0/128.0.0.0,128.0.0.0/128.0.0.0 (every IPv4 "
                                            "address: as open as *)\n"));
    assert_non_null(strstr(dlo_buf_str(&b), "policy key:    HKLM\\" POL "\n"));
    assert_non_null(strstr(dlo_buf_str(&b), "  BOIMode                       policy        "
                                            "occasional\n"));
    assert_non_null(strstr(dlo_buf_str(&b), "  SqlPort                       installer     "
                                            "1433\n"));
    assert_non_null(strstr(dlo_buf_str(&b), "  Roles                         default       "
                                            "(detected)\n"));
    assert_non_null(strstr(dlo_buf_str(&b), "  EdgeServers                   installer     "
                                            "10.0.0.0/255.0.0.0,LocalSubnet\n"));
    assert_non_null(strstr(dlo_buf_str(&b), "  ReconcileIntervalMinutes      default       60\n"));
    /* A value nothing acts on yet is shown as read, and marked so; no other value is. The
     * service acts on DriftAction: it is shown as read, unmarked. */
    assert_non_null(strstr(dlo_buf_str(&b), "  DriftAction                   policy        "
                                            "report\n"));
    assert_int_equal(count(dlo_buf_str(&b), DLO_CONFIG_RESERVED_MARK), reserved_rows());

    dlo_buf_reset(&b);
    dlo_report_config_json(&b, &cfg);
    assert_non_null(strstr(dlo_buf_str(&b), "\"policy\": \"HKLM\\\\SOFTWARE\\\\Policies\\\\"));
    assert_non_null(strstr(dlo_buf_str(&b),
                           "\"BOIMode\": {\"value\": \"occasional\", \"source\": \"policy\"}"));
    assert_non_null(
        strstr(dlo_buf_str(&b), "\"Roles\": {\"value\": null, \"source\": \"default\"}"));
    assert_non_null(
        strstr(dlo_buf_str(&b), "\"AddRoles\": {\"value\": [], \"source\": \"default\"}"));
    assert_non_null(
        strstr(dlo_buf_str(&b), "\"SqlPort\": {\"value\": 1433, \"source\": \"installer\"}"));
    assert_non_null(strstr(dlo_buf_str(&b), "\"EdgeServers\": {\"value\": [\"10.0.0.0/255.0.0.0\", "
                                            "\"LocalSubnet\"], \"source\": \"installer\"}"));
    assert_non_null(
        strstr(dlo_buf_str(&b), "\"IoServers\": {\"value\": [\"*\"], \"source\": \"default\"}"));
    assert_non_null(strstr(dlo_buf_str(&b), "\"effectiveIntervalSeconds\": 3600}"));
    assert_non_null(strstr(dlo_buf_str(&b), "\"DriftAction\": {\"value\": \"report\", "
                                            "\"source\": \"policy\"}"));
    assert_int_equal(count(dlo_buf_str(&b), "\"reserved\": true"), reserved_rows());

    dlo_buf_reset(&b);
    dlo_report_config_summary(&b, &cfg);
    assert_non_null(strstr(dlo_buf_str(&b), "BOIMode=occasional (policy)"));
    assert_non_null(
        strstr(dlo_buf_str(&b), "EdgeServers=10.0.0.0/255.0.0.0,LocalSubnet (installer)"));
    assert_null(strstr(dlo_buf_str(&b), "IoServers"));
    assert_non_null(strstr(dlo_buf_str(&b), "DriftAction=report (policy)"));
    dlo_buf_free(&b);
    dlo_config_free(&cfg);
    fake_reg_free(&f);
}

/* The scopes are checked for the firewall of the machine's build, which the caller passes. */
static void test_scope_keywords_by_os_build(void **state)
{
    fake_registry f;
    dlo_config cfg;
    dlo_config_overrides ov;
    dlo_error err;
    (void)state;

    fake_reg_init(&f);
    fake_reg_sz(&f, DLO_CONFIG_KEY_POLICY, "EdgeServers", "10.0.0.1,Intranet");
    memset(&ov, 0, sizeof(ov));
    ov.os_build = 7601;
    assert_int_equal(dlo_config_load(&cfg, &f.reg, &ov, &err), DLO_E_CONFIG);
    assert_non_null(strstr(err.msg, "value EdgeServers holds REG_SZ \"10.0.0.1,Intranet\": "
                                    "'Intranet' is refused by the Windows Firewall of this "
                                    "machine (build 7601)"));
    dlo_config_free(&cfg);
    ov.os_build = 17763;
    assert_int_equal(dlo_config_load(&cfg, &f.reg, &ov, &err), DLO_OK);
    assert_string_equal(cfg.scopes[DLO_ROLE_EDGE_SERVER], "10.0.0.1/255.255.255.255,Intranet");
    dlo_config_free(&cfg);
    assert_int_equal(dlo_config_load(&cfg, &f.reg, NULL, &err), DLO_OK);
    dlo_config_free(&cfg);
    fake_reg_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_row_has_a_case),
        cmocka_unit_test(test_every_row_is_complete),
        cmocka_unit_test(test_missing_everything_gives_defaults),
        cmocka_unit_test(test_every_value_valid_in_either_key),
        cmocka_unit_test(test_policy_wins_value_by_value),
        cmocka_unit_test(test_test_interval_is_read_from_the_installer_key_only),
        cmocka_unit_test(test_command_line_wins),
        cmocka_unit_test(test_every_value_invalid),
        cmocka_unit_test(test_bad_value_is_quoted),
        cmocka_unit_test(test_every_value_wrong_type),
        cmocka_unit_test(test_invalid_policy_value_does_not_fall_back),
        cmocka_unit_test(test_invalid_value_that_does_not_take_effect_is_a_warning),
        cmocka_unit_test(test_empty_value_counts_as_absent),
        cmocka_unit_test(test_multi_sz_lists),
        cmocka_unit_test(test_absurd_lengths),
        cmocka_unit_test(test_unreadable_key_fails_the_load),
        cmocka_unit_test(test_several_problems_are_all_named),
        cmocka_unit_test(test_add_and_exclude_the_same_role),
        cmocka_unit_test(test_effective_roles),
        cmocka_unit_test(test_scope_for_several_peers),
        cmocka_unit_test(test_equal_and_copy),
        cmocka_unit_test(test_item_types_and_keys_match_the_load),
        cmocka_unit_test(test_number_of_the_wrong_size_is_refused),
        cmocka_unit_test(test_numbers_with_a_leading_zero_are_refused),
        cmocka_unit_test(test_sql_instance_normal_form),
        cmocka_unit_test(test_print_text_and_json),
        cmocka_unit_test(test_scope_keywords_by_os_build),
    };
    return cmocka_run_group_tests(tests, log_capture_start, log_capture_stop);
}
