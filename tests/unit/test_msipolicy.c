/* Who may change the configuration through the MSI: a maintenance install by anyone but an
 * elevated administrator or SYSTEM is refused when it would change a value, and only then; the
 * deferred action goes on only with the verdict the immediate action computed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dlo/msipolicy.h"

/* The repair of the finding: ADDROLES given, a value carried over, one not set at all. */
static const dlo_msi_value attack[] = {
    {"ADDROLES", "storage,sql-server", NULL},
    {"BOIMODE", NULL, "exclusive"},
    {"SQLPORT", NULL, NULL},
};

/* A plain repair: nothing given, or given as the key holds it. */
static const dlo_msi_value repair[] = {
    {"ADDROLES", NULL, "storage"},
    {"BOIMODE", "exclusive", "exclusive"},
    {"SQLPORT", NULL, NULL},
};

static void test_a_users_maintenance_install_may_not_change_values(void **state)
{
    dlo_error err;
    (void)state;

    dlo_error_clear(&err);
    assert_int_equal(dlo_msi_policy_check(true, DLO_MSI_CLIENT_USER, attack, 3, &err),
                     DLO_E_ACCESS);
    assert_non_null(strstr(err.msg, "would change the configuration: ADDROLES=\"storage,"
                                    "sql-server\" (now unset)"));
    assert_non_null(strstr(err.msg, "only an elevated administrator, a first install or a Group "
                                    "Policy assignment may change it"));
    assert_null(strstr(err.msg, "BOIMODE"));
    assert_null(strstr(err.msg, "SQLPORT"));
}

static void test_a_changed_value_is_named_with_what_it_was(void **state)
{
    const dlo_msi_value v[] = {{"EXCLUDEROLES", "client", "storage"},
                               {"SQLPORT", "1434", "1434"},
                               {"ROLES", "io-server", NULL}};
    dlo_error err;
    (void)state;

    dlo_error_clear(&err);
    assert_int_equal(dlo_msi_policy_check(true, DLO_MSI_CLIENT_USER, v, 3, &err), DLO_E_ACCESS);
    assert_non_null(strstr(err.msg, "EXCLUDEROLES=\"client\" (now \"storage\"), "
                                    "ROLES=\"io-server\" (now unset);"));
    assert_null(strstr(err.msg, "SQLPORT"));
}

static void test_who_may_change_values(void **state)
{
    dlo_error err;
    (void)state;

    dlo_error_clear(&err);
    assert_int_equal(dlo_msi_policy_check(true, DLO_MSI_CLIENT_ADMIN, attack, 3, &err), DLO_OK);
    assert_int_equal(dlo_msi_policy_check(true, DLO_MSI_CLIENT_SYSTEM, attack, 3, &err), DLO_OK);
    /* A first install: anyone Windows lets install a per-machine package. */
    assert_int_equal(dlo_msi_policy_check(false, DLO_MSI_CLIENT_USER, attack, 3, &err), DLO_OK);
}

static void test_a_plain_repair_by_a_user_goes_on(void **state)
{
    dlo_error err;
    (void)state;

    dlo_error_clear(&err);
    assert_int_equal(dlo_msi_policy_check(true, DLO_MSI_CLIENT_USER, repair, 3, &err), DLO_OK);
    assert_int_equal(dlo_msi_policy_check(true, DLO_MSI_CLIENT_USER, NULL, 0, &err), DLO_OK);
}

static void test_the_deferred_action_takes_only_the_verdict(void **state)
{
    dlo_error err;
    (void)state;

    dlo_error_clear(&err);
    assert_int_equal(dlo_msi_verdict_check(DLO_MSI_VERDICT_ALLOWED, &err), DLO_OK);
    assert_int_equal(dlo_msi_verdict_check("", &err), DLO_E_ACCESS);
    assert_non_null(strstr(err.msg, "the check of who may change them did not pass"));
    assert_int_equal(dlo_msi_verdict_check(NULL, &err), DLO_E_ACCESS);
    assert_int_equal(dlo_msi_verdict_check(DLO_MSI_VERDICT_ALLOWED " ", &err), DLO_E_ACCESS);
    assert_int_equal(dlo_msi_verdict_check("1", &err), DLO_E_ACCESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_users_maintenance_install_may_not_change_values),
        cmocka_unit_test(test_a_changed_value_is_named_with_what_it_was),
        cmocka_unit_test(test_who_may_change_values),
        cmocka_unit_test(test_a_plain_repair_by_a_user_goes_on),
        cmocka_unit_test(test_the_deferred_action_takes_only_the_verdict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
