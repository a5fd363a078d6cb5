/* Host names in scope values: their syntax, their resolution with a time bound, the checks their
 * addresses get, and the last known addresses a name keeps when it stops resolving. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/addr.h"
#include "dlo/hostname.h"
#include "dlo/names.h"
#include "dlo/str.h"
#include "fake_registry.h"
#include "fake_resolver.h"

#define NAMES_KEY DLO_CONFIG_KEY_NAMES

static void expect_scope(const char *in, const char *want)
{
    dlo_buf out;
    dlo_error err;
    dlo_buf_init(&out);
    dlo_error_clear(&err);
    if (dlo_addr_normalize_scope(&in, 1, DLO_OS_BUILD_UNKNOWN, &out, &err) != DLO_OK)
        fail_msg("'%s' refused: %s", in, err.msg);
    assert_string_equal(dlo_buf_str(&out), want);
    dlo_buf_free(&out);
}

static void expect_scope_refused(const char *in, const char *needle)
{
    dlo_buf out;
    dlo_error err;
    dlo_buf_init(&out);
    dlo_error_clear(&err);
    assert_int_equal(dlo_addr_normalize_scope(&in, 1, DLO_OS_BUILD_UNKNOWN, &out, &err),
                     DLO_E_CONFIG);
    if (!strstr(err.msg, needle))
        fail_msg("'%s': message '%s' lacks '%s'", in, err.msg, needle);
    assert_int_equal(out.len, 0);
    dlo_buf_free(&out);
}

static void test_names_beside_addresses(void **state)
{
    (void)state;
    expect_scope("DLO-Admin.Corp.Example, 10.20.0.0/16",
                 "10.20.0.0/255.255.0.0,dlo-admin.corp.example");
    expect_scope("a.example,A.EXAMPLE,b.example", "a.example,b.example");
    expect_scope("xn--bcher-kva.example,edge1.dmz.example",
                 "xn--bcher-kva.example,edge1.dmz.example");
    expect_scope("dns,a1.b2c", "DNS,a1.b2c");
    /* A name never makes a rule's list: the firewall holds no names. */
    {
        dlo_buf out;
        const char *list = "dlo-admin.corp.example";
        dlo_buf_init(&out);
        assert_int_equal(dlo_addr_normalize(&list, 1, DLO_OS_BUILD_UNKNOWN, &out, NULL),
                         DLO_E_CONFIG);
        dlo_buf_free(&out);
    }
}

static void test_hostile_names_refused(void **state)
{
    char long_label[80], long_name[300];
    size_t i;
    (void)state;
    memset(long_label, 'a', 64);
    strcpy(long_label + 64, ".example");
    for (i = 0; i < 254; i++)
        long_name[i] = (i % 10 == 9) ? '.' : 'a';
    strcpy(long_name + 254, "b.example");
    expect_scope_refused(long_label, "a label longer than 63 characters");
    expect_scope_refused(long_name, "longer than 253 characters");
    expect_scope_refused("dlo-admin.corp.example.", "ends with a dot");
    expect_scope_refused("dlo..corp.example", "empty label");
    expect_scope_refused("-dlo.corp.example", "starts or ends with a hyphen");
    expect_scope_refused("dlo-.corp.example", "starts or ends with a hyphen");
    expect_scope_refused("dlo_admin.corp.example", "holds '_'");
    expect_scope_refused("dlo%2eadmin.example", "holds '%'");
    expect_scope_refused("dlo\\.admin.example", "holds '\\'");
    expect_scope_refused("b\xc3\xbc"
                         "cher.example",
                         "not ASCII: write an internationalised name "
                         "as its xn-- A-label");
    expect_scope_refused("dloadmin", "single label");
    expect_scope_refused("localhost", "single label");
    expect_scope_refused("admin.corp.123", "last label is all digits");
    expect_scope_refused("10.0.0.x", "reads as a mistyped IPv4 address");
    /* Meant as an address, it stays an address's error. */
    expect_scope_refused("10.0.0.300", "'10.0.0.300' is not a valid address");
    expect_scope_refused("fe80::1%3", "zone index");
    expect_scope_refused("*,dlo-admin.corp.example", "'*' (any address) is combined");
    /* Every refusal says what was expected. */
    expect_scope_refused("dlo_admin.corp.example", "expected a host name of two or more labels");
}

static dlo_config config_with(int role, const char *scope)
{
    dlo_config cfg;
    dlo_buf b;
    dlo_config_init(&cfg);
    dlo_buf_init(&b);
    assert_int_equal(dlo_addr_normalize_scope(&scope, 1, DLO_OS_BUILD_UNKNOWN, &b, NULL), DLO_OK);
    free(cfg.scopes[role]);
    cfg.scopes[role] = dlo_strdup(dlo_buf_str(&b));
    dlo_buf_free(&b);
    return cfg;
}

static void test_one_and_two_addresses(void **state)
{
    fake_resolver fr;
    dlo_config cfg = config_with(DLO_ROLE_ADMIN_SERVER, "dlo-admin.corp.example,10.20.0.0/16");
    dlo_names names;
    dlo_error err;
    (void)state;
    fake_resolver_init(&fr);
    fake_resolver_set(&fr, "dlo-admin.corp.example", "10.30.0.5", 0, 10);
    assert_int_equal(dlo_names_resolve(&fr.seam, NULL, &cfg, &names, &err), DLO_OK);
    assert_int_equal(names.count, 1);
    assert_int_equal(names.items[0].state, DLO_NAME_RESOLVED);
    assert_string_equal(names.items[0].addresses, "10.30.0.5/255.255.255.255");
    assert_string_equal(names.scopes[DLO_ROLE_ADMIN_SERVER],
                        "10.20.0.0/255.255.0.0,10.30.0.5/255.255.255.255");
    assert_null(names.scopes[DLO_ROLE_EDGE_SERVER]);
    assert_int_equal(names.refresh_seconds, DLO_CONFIG_DEFAULT_NAME_REFRESH_MINUTES * 60);
    dlo_names_free(&names);

    /* IPv4 and IPv6, in any order the resolver gives them: one sorted list. */
    fake_resolver_set(&fr, "dlo-admin.corp.example", "2001:db8::5,10.30.0.6,10.30.0.5", 300, 10);
    assert_int_equal(dlo_names_resolve(&fr.seam, NULL, &cfg, &names, &err), DLO_OK);
    assert_string_equal(names.items[0].addresses,
                        "10.30.0.5/255.255.255.255,10.30.0.6/255.255.255.255,2001:db8::5/128");
    assert_int_equal(names.refresh_seconds, 300);
    dlo_names_apply(&names, &cfg);
    assert_string_equal(cfg.scopes[DLO_ROLE_ADMIN_SERVER],
                        "10.20.0.0/255.255.0.0,10.30.0.5/255.255.255.255,"
                        "10.30.0.6/255.255.255.255,2001:db8::5/128");
    dlo_names_free(&names);
    dlo_config_free(&cfg);
}

static void test_name_in_two_scopes_resolved_once(void **state)
{
    fake_resolver fr;
    dlo_config cfg = config_with(DLO_ROLE_ADMIN_SERVER, "dlo.corp.example");
    dlo_names names;
    (void)state;
    free(cfg.scopes[DLO_ROLE_ADMIN_CONSOLE]);
    cfg.scopes[DLO_ROLE_ADMIN_CONSOLE] = dlo_strdup("dlo.corp.example");
    fake_resolver_init(&fr);
    fake_resolver_set(&fr, "dlo.corp.example", "2001:db8::7", 5, 1);
    assert_int_equal(dlo_names_resolve(&fr.seam, NULL, &cfg, &names, NULL), DLO_OK);
    assert_int_equal(fr.calls, 1);
    assert_int_equal(names.items[0].roles,
                     DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER) | DLO_ROLE_BIT(DLO_ROLE_ADMIN_CONSOLE));
    assert_string_equal(names.scopes[DLO_ROLE_ADMIN_CONSOLE], "2001:db8::7/128");
    /* A TTL shorter than the floor waits the floor. */
    assert_int_equal(names.refresh_seconds, DLO_NAMES_MIN_REFRESH_SECONDS);
    dlo_names_free(&names);
    dlo_config_free(&cfg);
}

static void test_stops_resolving_keeps_last_known(void **state)
{
    fake_resolver fr;
    fake_registry reg;
    dlo_config cfg = config_with(DLO_ROLE_EDGE_SERVER, "edge.dmz.example");
    dlo_names names;
    dlo_error err;
    (void)state;
    fake_resolver_init(&fr);
    fake_reg_init(&reg);
    fake_reg_sz(&reg, NAMES_KEY, "edge.dmz.example", "192.0.2.8/255.255.255.255");
    assert_int_equal(dlo_names_resolve(&fr.seam, &reg.reg, &cfg, &names, &err), DLO_OK);
    assert_int_equal(names.items[0].state, DLO_NAME_KEPT);
    assert_string_equal(names.scopes[DLO_ROLE_EDGE_SERVER], "192.0.2.8/255.255.255.255");
    assert_non_null(strstr(names.items[0].why, "no such host"));
    dlo_names_free(&names);

    /* What was persisted is checked again: a list that covers everything is no last known. */
    fake_reg_sz(&reg, NAMES_KEY, "edge.dmz.example", "*");
    assert_int_equal(dlo_names_resolve(&fr.seam, &reg.reg, &cfg, &names, &err), DLO_E_CONFIG);
    assert_int_equal(names.items[0].state, DLO_NAME_FAILED);
    dlo_names_free(&names);
    fake_reg_free(&reg);
    dlo_config_free(&cfg);
}

static void test_never_resolved_is_an_error(void **state)
{
    fake_resolver fr;
    dlo_config cfg = config_with(DLO_ROLE_SQL_SERVER, "sql.corp.example,10.1.1.1");
    dlo_names names;
    dlo_error err;
    (void)state;
    fake_resolver_init(&fr);
    dlo_error_clear(&err);
    assert_int_equal(dlo_names_resolve(&fr.seam, NULL, &cfg, &names, &err), DLO_E_CONFIG);
    assert_non_null(strstr(err.msg, "SqlServers: host name 'sql.corp.example' has never "
                                    "resolved (no last known addresses): no such host"));
    assert_non_null(strstr(err.msg, "expected a host name this machine resolves"));
    assert_int_equal(names.items[0].state, DLO_NAME_FAILED);
    assert_null(names.scopes[DLO_ROLE_SQL_SERVER]);
    dlo_names_free(&names);
    /* No resolver at all: the same, never "*". */
    assert_int_equal(dlo_names_resolve(NULL, NULL, &cfg, &names, &err), DLO_E_CONFIG);
    assert_non_null(strstr(err.msg, "cannot resolve names"));
    dlo_names_free(&names);
    dlo_config_free(&cfg);
}

static void expect_refused_answer(const char *addrs, const char *needle)
{
    fake_resolver fr;
    fake_registry reg;
    dlo_config cfg = config_with(DLO_ROLE_ADMIN_SERVER, "dlo-admin.corp.example");
    dlo_names names;
    dlo_error err;
    fake_resolver_init(&fr);
    fake_reg_init(&reg);
    /* A last known list does not hide a refusal: the name resolved, to what no rule may hold. */
    fake_reg_sz(&reg, NAMES_KEY, "dlo-admin.corp.example", "10.9.9.9");
    fake_resolver_set(&fr, "dlo-admin.corp.example", addrs, 0, 1);
    dlo_error_clear(&err);
    assert_int_equal(dlo_names_resolve(&fr.seam, &reg.reg, &cfg, &names, &err), DLO_E_CONFIG);
    assert_int_equal(names.items[0].state, DLO_NAME_REFUSED);
    assert_null(names.items[0].addresses);
    if (!strstr(err.msg, needle))
        fail_msg("%s: '%s' lacks '%s'", addrs, err.msg, needle);
    assert_non_null(strstr(err.msg, "AdminServers: host name 'dlo-admin.corp.example' is refused"));
    dlo_names_free(&names);
    fake_reg_free(&reg);
    dlo_config_free(&cfg);
}

static void test_loopback_and_unspecified_refused(void **state)
{
    (void)state;
    expect_refused_answer("127.0.0.1", "127.0.0.1, an IPv4 loopback address");
    expect_refused_answer("10.0.0.5,127.0.1.1", "127.0.1.1, an IPv4 loopback address");
    expect_refused_answer("::1", "::1, the IPv6 loopback address");
    expect_refused_answer("::", "::, the IPv6 unspecified address");
    expect_refused_answer("0.0.0.0", "0.0.0.0, an address of 0.0.0.0/8");
    expect_refused_answer("::ffff:127.0.0.1", "an IPv4 loopback address");
}

static void test_slow_resolver_is_bounded(void **state)
{
    fake_resolver fr;
    dlo_config cfg = config_with(DLO_ROLE_CLIENT, "a.slow.example,b.slow.example,c.slow.example,"
                                                  "d.slow.example,e.slow.example");
    dlo_names names;
    dlo_error err;
    size_t i;
    (void)state;
    fake_resolver_init(&fr);
    fake_resolver_set(&fr, "a.slow.example", "10.0.0.1", 0, 60000);
    fake_resolver_set(&fr, "b.slow.example", "10.0.0.2", 0, 60000);
    fake_resolver_set(&fr, "c.slow.example", "10.0.0.3", 0, 60000);
    fake_resolver_set(&fr, "d.slow.example", "10.0.0.4", 0, 60000);
    fake_resolver_set(&fr, "e.slow.example", "10.0.0.5", 0, 60000);
    assert_int_equal(dlo_names_resolve(&fr.seam, NULL, &cfg, &names, &err), DLO_E_CONFIG);
    /* Each name gets its bound; the pass's bound stops the rest without asking. */
    assert_int_equal(fr.calls, DLO_NAMES_PASS_TIMEOUT_MS / DLO_NAMES_NAME_TIMEOUT_MS);
    assert_true(fr.now - 1000 <= DLO_NAMES_PASS_TIMEOUT_MS);
    for (i = 0; i < names.count; i++)
        assert_int_equal(names.items[i].state, DLO_NAME_FAILED);
    assert_non_null(strstr(names.items[0].why, "no answer within 5000 ms"));
    assert_non_null(strstr(names.items[4].why, "for resolving names were spent"));
    dlo_names_free(&names);
    dlo_config_free(&cfg);
}

static void test_sameness(void **state)
{
    fake_resolver fr;
    dlo_config cfg = config_with(DLO_ROLE_EDGE_SERVER, "a.example,b.example");
    dlo_names one, two;
    (void)state;
    fake_resolver_init(&fr);
    fake_resolver_set(&fr, "a.example", "10.0.0.1", 0, 1);
    fake_resolver_set(&fr, "b.example", "10.0.0.2", 0, 1);
    assert_int_equal(dlo_names_resolve(&fr.seam, NULL, &cfg, &one, NULL), DLO_OK);
    assert_int_equal(dlo_names_in_scope(cfg.scopes[DLO_ROLE_EDGE_SERVER]), 2);
    fake_resolver_set(&fr, "b.example", "10.0.0.3", 0, 1);
    assert_int_equal(dlo_names_resolve(&fr.seam, NULL, &cfg, &two, NULL), DLO_OK);
    assert_false(dlo_names_same(&one, &two));
    assert_true(dlo_names_same(&one, &one));
    dlo_names_free(&one);
    dlo_names_free(&two);
    dlo_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_beside_addresses),
        cmocka_unit_test(test_hostile_names_refused),
        cmocka_unit_test(test_one_and_two_addresses),
        cmocka_unit_test(test_name_in_two_scopes_resolved_once),
        cmocka_unit_test(test_stops_resolving_keeps_last_known),
        cmocka_unit_test(test_never_resolved_is_an_error),
        cmocka_unit_test(test_loopback_and_unspecified_refused),
        cmocka_unit_test(test_slow_resolver_is_bounded),
        cmocka_unit_test(test_sameness),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
