/* Who may change the configuration through the MSI, judged on what the package will do to the
 * key (each value's component action state): a run by anyone but an elevated administrator or
 * SYSTEM on an installed agent may neither change a byte of the key nor remove the agent; the
 * deferred action judges the same plan, handed over as text, against the key as it is then. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dlo/config.h"
#include "dlo/msipolicy.h"

#include "fake_registry.h"

#define KEY DLO_CONFIG_KEY_INSTALLER

static void write_sz(dlo_msi_plan *p, const char *prop, const char *value, const char *text)
{
    assert_int_equal(dlo_msi_plan_add(p, prop, value, DLO_MSI_WRITE, DLO_REG_SZ, text, 0, NULL),
                     DLO_OK);
}

static void write_dword(dlo_msi_plan *p, const char *prop, const char *value, uint32_t n)
{
    assert_int_equal(dlo_msi_plan_add(p, prop, value, DLO_MSI_WRITE, DLO_REG_DWORD, NULL, n, NULL),
                     DLO_OK);
}

static void other(dlo_msi_plan *p, dlo_msi_action a, const char *prop, const char *value)
{
    assert_int_equal(dlo_msi_plan_add(p, prop, value, a, 0, NULL, 0, NULL), DLO_OK);
}

/* A key as an earlier install and an administrator left it. */
static void installed_key(fake_registry *f)
{
    static const char *const roles[] = {"storage", "dedupe-storage"};
    fake_reg_init(f);
    fake_reg_sz(f, KEY, "BOIMode", "exclusive");
    fake_reg_sz(f, KEY, "ClientNetworks", "10.0.0.0/8");
    fake_reg_dword(f, KEY, "SqlPort", 1433);
    fake_reg_multi(f, KEY, "ExcludeRoles", roles, 2);
}

/* A run by a user without elevation on the installed agent. */
static void users_run(dlo_msi_plan *p)
{
    dlo_msi_plan_init(p);
    p->client = DLO_MSI_CLIENT_USER;
    p->maintenance = true;
}

static dlo_status judge(const dlo_msi_plan *p, fake_registry *f, dlo_error *err)
{
    dlo_error_clear(err);
    return dlo_msi_policy_check(p, &f->reg, err);
}

/* The finding: REMOVE=ALL REINSTALL=ALL ADDROLES=... reinstalls every component, so each
 * value is written from its property. */
static void test_a_users_run_may_not_write_a_new_value(void **state)
{
    fake_registry f;
    dlo_msi_plan p;
    dlo_error err;
    (void)state;

    installed_key(&f);
    users_run(&p);
    write_sz(&p, "ADDROLES", "AddRoles", "storage,sql-server");
    write_sz(&p, "BOIMODE", "BOIMode", "exclusive");
    other(&p, DLO_MSI_KEEP, "SQLPORT", "SqlPort");
    assert_int_equal(judge(&p, &f, &err), DLO_E_ACCESS);
    assert_non_null(strstr(err.msg, "would change the configuration: ADDROLES=\"storage,"
                                    "sql-server\" (now unset);"));
    assert_non_null(strstr(err.msg, "only an elevated administrator, a first install or a Group "
                                    "Policy assignment may change the configuration"));
    assert_null(strstr(err.msg, "BOIMODE"));
    assert_null(strstr(err.msg, "SQLPORT"));
    dlo_msi_plan_free(&p);
    fake_reg_free(&f);
}

static void test_each_change_is_named_with_what_the_key_holds(void **state)
{
    fake_registry f;
    dlo_msi_plan p;
    dlo_error err;
    (void)state;

    installed_key(&f);
    users_run(&p);
    write_sz(&p, "BOIMODE", "BOIMode", "nonboi");
    write_dword(&p, "SQLPORT", "SqlPort", 1);
    other(&p, DLO_MSI_REMOVE, "CLIENTNETWORKS", "ClientNetworks");
    /* Written back with the same meaning but as another type: still another byte. */
    write_sz(&p, "EXCLUDEROLES", "ExcludeRoles", "storage,dedupe-storage");
    assert_int_equal(judge(&p, &f, &err), DLO_E_ACCESS);
    assert_non_null(strstr(err.msg, "BOIMODE=\"nonboi\" (now \"exclusive\"), SQLPORT=1 (now 1433), "
                                    "CLIENTNETWORKS removed (now \"10.0.0.0/8\"), "
                                    "EXCLUDEROLES=\"storage,dedupe-storage\" as REG_SZ (now "
                                    "REG_MULTI_SZ \"storage,dedupe-storage\");"));
    dlo_msi_plan_free(&p);
    fake_reg_free(&f);
}

static void test_a_users_run_that_leaves_every_byte_goes_on(void **state)
{
    fake_registry f;
    dlo_msi_plan p;
    dlo_error err;
    (void)state;

    installed_key(&f);
    users_run(&p);
    write_sz(&p, "BOIMODE", "BOIMode", "exclusive");
    write_sz(&p, "CLIENTNETWORKS", "ClientNetworks", "10.0.0.0/8");
    write_dword(&p, "SQLPORT", "SqlPort", 1433);
    other(&p, DLO_MSI_REMOVE, "ROLES", "Roles"); /* not there */
    other(&p, DLO_MSI_KEEP, "EXCLUDEROLES", "ExcludeRoles");
    assert_int_equal(judge(&p, &f, &err), DLO_OK);
    dlo_msi_plan_free(&p);
    users_run(&p);
    assert_int_equal(judge(&p, &f, &err), DLO_OK);
    fake_reg_free(&f);
}

/* A user's run that writes BOIMode back as "exclusive" over the key f: refused, the message
 * holding needle. */
static void users_rewrite_refused(fake_registry *f, const char *needle)
{
    dlo_msi_plan p;
    dlo_error err;

    users_run(&p);
    write_sz(&p, "BOIMODE", "BOIMode", "exclusive");
    assert_int_equal(judge(&p, f, &err), DLO_E_ACCESS);
    assert_non_null(strstr(err.msg, needle));
    dlo_msi_plan_free(&p);
    fake_reg_free(f);
}

/* The same text, but the key's data has other bytes (no terminator, or data after it). */
static void test_the_same_text_in_other_bytes_is_a_change(void **state)
{
    fake_registry f;
    (void)state;

    installed_key(&f);
    f.entries[0].size -= 2; /* BOIMode without its terminator */
    users_rewrite_refused(&f, "BOIMODE=\"exclusive\" (now \"exclusive\" in 18 bytes)");
}

static void test_a_value_that_cannot_be_read_counts_as_a_change(void **state)
{
    fake_registry f;
    (void)state;

    installed_key(&f);
    fake_reg_fail(&f, KEY, "BOIMode", DLO_E_ACCESS);
    users_rewrite_refused(&f, "BOIMODE (cannot be read");
}

static void test_a_user_may_not_remove_the_agent(void **state)
{
    fake_registry f;
    dlo_msi_plan p;
    dlo_error err;
    (void)state;

    fake_reg_init(&f);
    users_run(&p);
    p.uninstall = true;
    other(&p, DLO_MSI_REMOVE, "BOIMODE", "BOIMode");
    assert_int_equal(judge(&p, &f, &err), DLO_E_ACCESS);
    assert_non_null(strstr(err.msg, "would remove the agent; it was not started by an elevated"));
    installed_key(&f);
    assert_int_equal(judge(&p, &f, &err), DLO_E_ACCESS);
    assert_non_null(strstr(err.msg, "would remove the agent and change the configuration: BOIMODE "
                                    "removed (now \"exclusive\");"));
    p.client = DLO_MSI_CLIENT_ADMIN;
    assert_int_equal(judge(&p, &f, &err), DLO_OK);
    dlo_msi_plan_free(&p);
    fake_reg_free(&f);
}

static void test_who_may_change_the_configuration(void **state)
{
    fake_registry f;
    dlo_msi_plan p;
    dlo_error err;
    (void)state;

    installed_key(&f);
    users_run(&p);
    write_sz(&p, "ADDROLES", "AddRoles", "storage,sql-server");
    other(&p, DLO_MSI_REMOVE, "BOIMODE", "BOIMode");
    p.client = DLO_MSI_CLIENT_ADMIN;
    assert_int_equal(judge(&p, &f, &err), DLO_OK);
    p.client = DLO_MSI_CLIENT_SYSTEM;
    assert_int_equal(judge(&p, &f, &err), DLO_OK);
    /* A first install: anyone Windows lets install a per-machine package (which takes an
     * administrator's consent). */
    p.client = DLO_MSI_CLIENT_USER;
    p.maintenance = false;
    assert_int_equal(judge(&p, &f, &err), DLO_OK);
    dlo_msi_plan_free(&p);
    fake_reg_free(&f);
}

/* Spaces in the line of text that starts with `start`: a value is one token of its line. */
static int spaces_in_line(const char *text, const char *start)
{
    const char *line = strstr(text, start);
    int n = 0;
    assert_non_null(line);
    for (; *line && *line != '\n'; line++)
        n += *line == ' ';
    return n;
}

/* What the deferred action receives is the plan the immediate action judged, exactly, whatever
 * the values hold. */
static void test_the_plan_survives_the_handover(void **state)
{
    dlo_msi_plan p, back;
    dlo_buf text, again;
    dlo_error err;
    size_t i;
    (void)state;

    users_run(&p);
    p.uninstall = true;
    write_sz(&p, "POLICYFILE", "PolicyFile", "C:\\a b\\100% new\n\tr\xc3\xa9gion.ports");
    write_sz(&p, "BOIMODE", "BOIMode", "");
    write_dword(&p, "RECONCILEINTERVALMINUTES", "ReconcileIntervalMinutes", 4294967295u);
    other(&p, DLO_MSI_REMOVE, "ROLES", "Roles");
    other(&p, DLO_MSI_KEEP, "SQLPORT", "SqlPort");
    dlo_buf_init(&text);
    dlo_buf_init(&again);
    dlo_msi_plan_format(&p, &text);
    assert_int_equal(spaces_in_line(dlo_buf_str(&text), "write POLICYFILE"), 4);
    dlo_error_clear(&err);
    assert_int_equal(dlo_msi_plan_parse(dlo_buf_str(&text), &back, &err), DLO_OK);
    assert_int_equal(back.client, DLO_MSI_CLIENT_USER);
    assert_true(back.maintenance && back.uninstall);
    assert_int_equal(back.n, p.n);
    for (i = 0; i < p.n; i++) {
        assert_string_equal(back.ops[i].property, p.ops[i].property);
        assert_string_equal(back.ops[i].value, p.ops[i].value);
        assert_int_equal(back.ops[i].action, p.ops[i].action);
        assert_int_equal(back.ops[i].type, p.ops[i].type);
        assert_int_equal(back.ops[i].number, p.ops[i].number);
        if (p.ops[i].text)
            assert_string_equal(back.ops[i].text, p.ops[i].text);
    }
    dlo_msi_plan_format(&back, &again);
    assert_string_equal(dlo_buf_str(&again), dlo_buf_str(&text));
    dlo_buf_free(&text);
    dlo_buf_free(&again);
    dlo_msi_plan_free(&p);
    dlo_msi_plan_free(&back);
}

/* Anything but a whole plan stops the install: the check did not run, or what reached the
 * deferred action is not what it made. */
static void test_only_a_whole_plan_is_accepted(void **state)
{
    static const char *const bad[] = {
        "",
        "1",
        "dloagent-configuration-plan 1\n",
        "dloagent-configuration-plan 1\nclient user\nmaintenance 1\nuninstall 0\n",
        "dloagent-configuration-plan 1\nclient user\nmaintenance 1\nuninstall 0\nend",
        "dloagent-configuration-plan 1\nclient user\nmaintenance 1\nuninstall 0\nend\nx\n",
        "dloagent-configuration-plan 1\nclient root\nmaintenance 1\nuninstall 0\nend\n",
        "dloagent-configuration-plan 1\nclient user\nmaintenance 2\nuninstall 0\nend\n",
        "dloagent-configuration-plan 2\nclient user\nmaintenance 1\nuninstall 0\nend\n",
        "dloagent-configuration-plan 1\nclient user\nmaintenance 1\nuninstall 0\n"
        "write BOIMODE BOIMode\nend\n",
        "dloagent-configuration-plan 1\nclient user\nmaintenance 1\nuninstall 0\n"
        "write BOIMODE BOIMode 1 =a b\nend\n",
        "dloagent-configuration-plan 1\nclient user\nmaintenance 1\nuninstall 0\n"
        "write BOIMODE BOIMode 1 =a%00b\nend\n",
        "dloagent-configuration-plan 1\nclient user\nmaintenance 1\nuninstall 0\n"
        "write BOIMODE BOIMode 1 a\nend\n",
        "dloagent-configuration-plan 1\nclient user\nmaintenance 1\nuninstall 0\n"
        "write SQLPORT SqlPort 4 =01433\nend\n",
        "dloagent-configuration-plan 1\nclient user\nmaintenance 1\nuninstall 0\n"
        "write SQLPORT SqlPort 4 =4294967296\nend\n",
        "dloagent-configuration-plan 1\nclient user\nmaintenance 1\nuninstall 0\n"
        "write SQLPORT SqlPort 3 =12\nend\n",
        "dloagent-configuration-plan 1\nclient user\nmaintenance 1\nuninstall 0\n"
        "remove ROLES Ro-les\nend\n",
        "dloagent-configuration-plan 1\nclient user\nmaintenance 1\nuninstall 0\n"
        "remove ROLES Roles 1 =x\nend\n",
    };
    dlo_msi_plan p;
    dlo_error err;
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        dlo_error_clear(&err);
        assert_int_equal(dlo_msi_plan_parse(bad[i], &p, &err), DLO_E_ACCESS);
        assert_int_equal(p.n, 0);
        assert_non_null(strstr(err.msg, "the check of who may change them did not pass"));
    }
    assert_int_equal(dlo_msi_plan_parse(NULL, &p, &err), DLO_E_ACCESS);
}

/* The deferred action reads the key again: a value that changed since the immediate check
 * makes the user's write a change. */
static void test_the_deferred_check_sees_the_key_as_it_is_then(void **state)
{
    fake_registry f;
    dlo_msi_plan p, back;
    dlo_buf text;
    dlo_error err;
    (void)state;

    installed_key(&f);
    users_run(&p);
    write_sz(&p, "BOIMODE", "BOIMode", "exclusive");
    assert_int_equal(judge(&p, &f, &err), DLO_OK);
    dlo_buf_init(&text);
    dlo_msi_plan_format(&p, &text);
    assert_int_equal(dlo_msi_plan_parse(dlo_buf_str(&text), &back, &err), DLO_OK);
    fake_reg_sz(&f, KEY, "BOIMode", "occasional");
    assert_int_equal(judge(&back, &f, &err), DLO_E_ACCESS);
    assert_non_null(strstr(err.msg, "BOIMODE=\"exclusive\" (now \"occasional\")"));
    dlo_buf_free(&text);
    dlo_msi_plan_free(&p);
    dlo_msi_plan_free(&back);
    fake_reg_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_users_run_may_not_write_a_new_value),
        cmocka_unit_test(test_each_change_is_named_with_what_the_key_holds),
        cmocka_unit_test(test_a_users_run_that_leaves_every_byte_goes_on),
        cmocka_unit_test(test_the_same_text_in_other_bytes_is_a_change),
        cmocka_unit_test(test_a_value_that_cannot_be_read_counts_as_a_change),
        cmocka_unit_test(test_a_user_may_not_remove_the_agent),
        cmocka_unit_test(test_who_may_change_the_configuration),
        cmocka_unit_test(test_the_plan_survives_the_handover),
        cmocka_unit_test(test_only_a_whole_plan_is_accepted),
        cmocka_unit_test(test_the_deferred_check_sees_the_key_as_it_is_then),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
