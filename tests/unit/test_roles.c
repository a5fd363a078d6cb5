#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dlo/config.h"
#include "dlo/roles.h"

#include <stdio.h>

static void test_every_role_round_trips(void **state)
{
    int r;
    (void)state;
    for (r = 0; r < DLO_ROLE_COUNT; r++) {
        dlo_role back;
        const char *name = dlo_role_name((dlo_role)r);
        assert_true(dlo_role_from_name(name, strlen(name), &back));
        assert_int_equal(back, r);
    }
}

static void test_mode_spellings(void **state)
{
    static const struct {
        const char *text;
        dlo_mode mode;
    } ok[] = {
        {"nonboi", DLO_MODE_NONBOI},
        {"Non-BOI", DLO_MODE_NONBOI},
        {"NONBOI", DLO_MODE_NONBOI},
        {"exclusive", DLO_MODE_EXCLUSIVE},
        {"Exclusive-BOI", DLO_MODE_EXCLUSIVE},
        {"occasional", DLO_MODE_OCCASIONAL},
        {" occasional-boi ", DLO_MODE_OCCASIONAL},
    };
    static const char *const bad[] = {"", "sometimes", "boi", "non boi", "occasional-", "nonboi2"};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        dlo_mode m;
        assert_true(dlo_mode_from_name(ok[i].text, &m));
        assert_int_equal(m, ok[i].mode);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        dlo_mode m;
        dlo_error err;
        assert_false(dlo_mode_from_name(bad[i], &m));
        assert_int_equal(dlo_mode_parse(bad[i], "/mode", &m, &err), DLO_E_USAGE);
        assert_non_null(strstr(err.msg, "/mode: unknown BOI mode"));
        assert_non_null(strstr(err.msg, "valid modes are: nonboi"));
    }
}

static void test_role_lists(void **state)
{
    dlo_role_set set;
    dlo_error err;
    dlo_buf b;
    (void)state;

    assert_int_equal(dlo_roles_parse("Edge-Server, client;SQL-SERVER", "/roles", &set, &err),
                     DLO_OK);
    assert_int_equal(set, DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER) | DLO_ROLE_BIT(DLO_ROLE_CLIENT) |
                              DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER));
    dlo_buf_init(&b);
    dlo_roles_format(&b, set);
    assert_string_equal(dlo_buf_str(&b), "edge-server,client,sql-server");
    dlo_buf_free(&b);

    assert_int_equal(dlo_roles_parse("client,client", "/roles", &set, &err), DLO_OK);
    assert_int_equal(set, DLO_ROLE_BIT(DLO_ROLE_CLIENT));

    assert_int_equal(dlo_roles_parse("client,wizard", "/roles", &set, &err), DLO_E_USAGE);
    assert_non_null(
        strstr(err.msg, "/roles: unknown role 'wizard'; valid roles are: admin-server"));
    assert_non_null(strstr(err.msg, "web-restore"));
    assert_int_equal(dlo_roles_parse("client,", "Roles", &set, &err), DLO_E_USAGE);
    assert_non_null(strstr(err.msg, "Roles: empty role name"));
    assert_int_equal(dlo_roles_parse("", "Roles", &set, &err), DLO_E_USAGE);
    assert_int_equal(dlo_roles_parse("admin", "Roles", &set, &err), DLO_E_USAGE);
}

/* The role list every script reads (/matrix /json "roles") holds each role of the table with
 * its title and the configuration value of its scope, in order, and nothing else; a scope
 * value's name, switch and MSI property are the role row's. */
static void test_role_table_json_lists_every_role(void **state)
{
    dlo_buf b;
    const char *at;
    int r;
    (void)state;

    dlo_buf_init(&b);
    dlo_roles_table_json(&b);
    at = dlo_buf_str(&b);
    for (r = 0; r < DLO_ROLE_COUNT; r++) {
        const dlo_config_row *scope = dlo_config_row_of((dlo_config_item)(DLO_CFG_SCOPE_FIRST + r));
        char want[256];
        snprintf(want, sizeof(want), "{\"name\": \"%s\", \"title\": \"%s\", \"scope\": \"%s\"}",
                 dlo_role_name((dlo_role)r), dlo_role_title((dlo_role)r), scope->name);
        at = strstr(at, want);
        if (!at)
            fail_msg("role %s is not in the role list, in order: %s", dlo_role_name((dlo_role)r),
                     dlo_buf_str(&b));
        assert_int_equal(scope->type, DLO_CT_SCOPE);
        assert_non_null(scope->sw);
        assert_non_null(scope->msi);
    }
    assert_string_equal(at + strlen(at) - 2, "}]");
    dlo_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_role_round_trips),
        cmocka_unit_test(test_mode_spellings),
        cmocka_unit_test(test_role_lists),
        cmocka_unit_test(test_role_table_json_lists_every_role),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
