#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dlo/roles.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_role_round_trips),
        cmocka_unit_test(test_mode_spellings),
        cmocka_unit_test(test_role_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
