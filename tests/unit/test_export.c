/* The export writers on plans built here: what only a hand-made plan holds (a rule named all,
 * control characters, 300 rules, a keyword no table has), beside the read-back checks of
 * tests/policy that run the real planner. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dlo/export.h"
#include "dlo/names.h"
#include "dlo/str.h"

#include <stdlib.h>

static dlo_rule *add_rule(dlo_plan *plan, const char *name, const char *remote)
{
    dlo_rule *r = dlo_rule_list_add(&plan->rules);
    assert_non_null(r);
    r->name = dlo_strdup(name);
    r->description = dlo_strdup("d");
    r->direction = DLO_DIR_IN;
    r->protocol = DLO_PROTO_TCP;
    r->local_ports = dlo_strdup("443");
    r->remote_addresses = remote ? dlo_strdup(remote) : NULL;
    return r;
}

static dlo_status export_as(const char *format, const dlo_plan *plan, dlo_buf *b, dlo_error *err)
{
    dlo_buf_reset(b);
    return dlo_export(b, plan, NULL, format, err);
}

static void test_netsh_refuses_what_cmd_or_netsh_cannot_carry(void **state)
{
    static const char *const names[] = {"all",  "ALL",  "a\nb", "a\rb",
                                        "a\tb", "a\"b", "a!b",  "caf\xc3\xa9"};
    dlo_plan plan;
    dlo_buf b;
    dlo_error err;
    size_t i;
    (void)state;
    dlo_buf_init(&b);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        memset(&plan, 0, sizeof(plan));
        add_rule(&plan, "fine %PATH%", NULL);
        add_rule(&plan, names[i], NULL);
        assert_int_equal(export_as("netsh", &plan, &b, &err), DLO_E_CONFIG);
        assert_non_null(strstr(err.msg, "/export:powershell"));
        /* The other rule is still there, % doubled; the refused one is a REM line. */
        assert_non_null(strstr(dlo_buf_str(&b), "add rule name=\"fine %%PATH%%\""));
        assert_non_null(strstr(dlo_buf_str(&b), "REM refused:"));
        assert_null(strstr(dlo_buf_str(&b), "\nnetsh advfirewall firewall delete rule name=\"all"));
        assert_null(strstr(dlo_buf_str(&b), "\nnetsh advfirewall firewall delete rule name=\"ALL"));
        dlo_plan_free(&plan);
    }
    dlo_buf_free(&b);
}

static void test_keywords_a_table_lacks_are_refused(void **state)
{
    dlo_plan plan;
    dlo_buf b;
    dlo_error err;
    dlo_rule *r;
    (void)state;
    memset(&plan, 0, sizeof(plan));
    dlo_buf_init(&b);
    r = add_rule(&plan, "r", "RmtIntranet,Ply2Renders");
    assert_int_equal(export_as("powershell", &plan, &b, &err), DLO_OK);
    assert_non_null(strstr(dlo_buf_str(&b), "@('IntranetRemoteAccess','PlayToDevice')"));
    assert_int_equal(export_as("netsh", &plan, &b, &err), DLO_E_CONFIG);
    assert_non_null(strstr(err.msg, "'RmtIntranet' in remoteip="));
    /* A keyword the plan could hold but no consumer of this format spells. */
    free(r->remote_addresses);
    r->remote_addresses = dlo_strdup("CaptivePortal");
    assert_int_equal(export_as("powershell", &plan, &b, &err), DLO_E_CONFIG);
    assert_int_equal(export_as("intune", &plan, &b, &err), DLO_E_CONFIG);
    assert_non_null(strstr(err.msg, "'CaptivePortal'"));
    /* The Firewall CSP takes port ranges only. */
    free(r->remote_addresses);
    r->remote_addresses = NULL;
    free(r->local_ports);
    r->local_ports = dlo_strdup("RPC-EPMap");
    assert_int_equal(export_as("intune-omauri", &plan, &b, &err), DLO_E_CONFIG);
    assert_int_equal(export_as("powershell", &plan, &b, &err), DLO_OK);
    assert_non_null(strstr(dlo_buf_str(&b), "@('RPCEPMap')"));
    dlo_plan_free(&plan);
    dlo_buf_free(&b);
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (; (s = strstr(s, what)) != NULL; s++)
        n++;
    return n;
}

static void test_intune_splits_by_150_and_by_build(void **state)
{
    dlo_plan plan;
    dlo_buf b;
    dlo_error err;
    char name[32];
    int i;
    (void)state;
    memset(&plan, 0, sizeof(plan));
    dlo_buf_init(&b);
    for (i = 0; i < 301; i++) {
        snprintf(name, sizeof(name), "rule %d", i);
        add_rule(&plan, name, i % 100 == 0 ? "Internet" : "10.0.0.1");
    }
    assert_int_equal(export_as("intune", &plan, &b, &err), DLO_OK);
    /* 297 rules for every build in 2 bodies, 4 for 1809 and later in 1. */
    assert_int_equal(count(dlo_buf_str(&b), "\"templateReference\""), 3);
    assert_int_equal(count(dlo_buf_str(&b), "Windows 10 1809 and later\""), 1);
    assert_int_equal(count(dlo_buf_str(&b), "(1 of 2)"), 1);
    assert_int_equal(dlo_buf_str(&b)[0], '[');
    dlo_plan_free(&plan);
    dlo_buf_free(&b);
}

static void test_identity_depends_on_the_name_only(void **state)
{
    dlo_buf a, b;
    (void)state;
    dlo_buf_init(&a);
    dlo_buf_init(&b);
    dlo_export_rule_id(&a, "Arctera DLO - Edge Server HTTPS (TCP-In)");
    dlo_export_rule_id(&b, "Arctera DLO - Edge Server HTTPS (TCP-In)");
    assert_string_equal(dlo_buf_str(&a), dlo_buf_str(&b));
    assert_string_equal(dlo_buf_str(&a), "ArcteraDLOEdgeServerHTTPSTCPIndd4f2c86");
    dlo_buf_reset(&b);
    dlo_export_rule_id(&b, "Arctera DLO - Edge Server HTTPS (TCP-Out)");
    assert_string_not_equal(dlo_buf_str(&a), dlo_buf_str(&b));
    dlo_buf_free(&a);
    dlo_buf_free(&b);
}

/* A plan with a host name says, in every format, that the name was resolved at export time and
 * which addresses the rules hold for it. */
static void test_names_said_in_every_format(void **state)
{
    static const struct {
        const char *format, *want;
    } cases[] = {
        {"powershell", "# Host names resolved at export time; the rules hold these addresses, "
                       "not the names:\n#   dlo-admin.corp.example -> 10.20.0.5/255.255.255.255 "
                       "(resolved)\n"},
        {"netsh", "REM Host names resolved at export time; the rules hold these addresses, not "
                  "the names:\nREM   dlo-admin.corp.example -> 10.20.0.5/255.255.255.255 "
                  "(resolved)\n"},
        {"json", "\"names\": [\n  {\"name\": \"dlo-admin.corp.example\", \"values\": "
                 "[\"AdminServers\"], \"state\": \"resolved\", \"addresses\": "
                 "[\"10.20.0.5/255.255.255.255\"]"},
        {"intune", "Host names resolved at export time (the rules hold the addresses): "
                   "dlo-admin.corp.example -> 10.20.0.5/255.255.255.255."},
        {"intune-omauri", "Host names resolved at export time (the rules hold the addresses): "
                          "dlo-admin.corp.example -> 10.20.0.5/255.255.255.255."},
    };
    dlo_plan plan;
    dlo_names names;
    dlo_name nm;
    dlo_buf b;
    dlo_error err;
    size_t i;
    (void)state;
    memset(&plan, 0, sizeof(plan));
    memset(&nm, 0, sizeof(nm));
    dlo_names_init(&names);
    nm.name = "dlo-admin.corp.example";
    nm.addresses = "10.20.0.5/255.255.255.255";
    nm.roles = DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER);
    names.items = &nm;
    names.count = 1;
    plan.names = &names;
    plan.sql_ports = dlo_strdup("1433");
    add_rule(&plan, "Arctera DLO - x", "10.20.0.5/255.255.255.255");
    dlo_buf_init(&b);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(export_as(cases[i].format, &plan, &b, &err), DLO_OK);
        if (!strstr(dlo_buf_str(&b), cases[i].want))
            fail_msg("%s lacks '%s':\n%s", cases[i].format, cases[i].want, dlo_buf_str(&b));
    }
    /* No names, no such line. */
    plan.names = NULL;
    assert_int_equal(export_as("powershell", &plan, &b, &err), DLO_OK);
    assert_null(strstr(dlo_buf_str(&b), "Host names"));
    dlo_buf_free(&b);
    dlo_plan_free(&plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_netsh_refuses_what_cmd_or_netsh_cannot_carry),
        cmocka_unit_test(test_keywords_a_table_lacks_are_refused),
        cmocka_unit_test(test_intune_splits_by_150_and_by_build),
        cmocka_unit_test(test_identity_depends_on_the_name_only),
        cmocka_unit_test(test_names_said_in_every_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
