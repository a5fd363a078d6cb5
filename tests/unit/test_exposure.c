/* Which inbound rules are open to anyone beyond the corporate network, and which scope values
 * would narrow them (dlo_exposure_unscoped). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dlo/config.h"
#include "dlo/exposure.h"
#include "dlo/plan.h"
#include "dlo/policy.h"
#include "dlo/rule.h"
#include "testutil.h"

/* An enabled inbound Allow rule on tcp 443 from `remote` on `profiles` for `peers`. */
static void inbound(dlo_rule *r, const char *remote, unsigned profiles, dlo_role_set peers)
{
    dlo_rule_init(r);
    r->direction = DLO_DIR_IN;
    r->protocol = DLO_PROTO_TCP;
    r->action = DLO_ACTION_ALLOW;
    r->enabled = true;
    r->profiles = profiles;
    r->peers = peers;
    assert_int_equal(dlo_rule_set(&r->local_ports, "443"), DLO_OK);
    assert_int_equal(dlo_rule_set(&r->remote_addresses, remote), DLO_OK);
}

static void assert_values(const dlo_unscoped *u, const char *const *names, size_t n)
{
    size_t i;
    assert_int_equal(u->n_values, n);
    for (i = 0; i < n; i++)
        assert_string_equal(dlo_config_item_name(u->values[i]), names[i]);
}

static void test_any_on_private_or_public_is_unscoped(void **state)
{
    static const char *const clients[] = {"ClientNetworks"};
    const char *const anys[] = {"*", "Any", "", NULL};
    dlo_rule r;
    dlo_unscoped u;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(anys) / sizeof(anys[0]); i++) {
        inbound(&r, anys[i], DLO_PROFILE_ALL, DLO_ROLE_BIT(DLO_ROLE_CLIENT));
        assert_true(dlo_exposure_unscoped(&r, NULL, &u));
        assert_int_equal(u.profiles, DLO_PROFILE_PRIVATE | DLO_PROFILE_PUBLIC);
        assert_values(&u, clients, 1);
        dlo_rule_free(&r);
    }
    /* Only the profiles concerned are named; Windows' "all profiles" bits read as the three. */
    inbound(&r, "*", DLO_PROFILE_DOMAIN | DLO_PROFILE_PUBLIC, DLO_ROLE_BIT(DLO_ROLE_CLIENT));
    assert_true(dlo_exposure_unscoped(&r, NULL, &u));
    assert_int_equal(u.profiles, DLO_PROFILE_PUBLIC);
    r.profiles = DLO_PROFILE_PRIVATE;
    assert_true(dlo_exposure_unscoped(&r, NULL, &u));
    assert_int_equal(u.profiles, DLO_PROFILE_PRIVATE);
    r.profiles = 0x7fffffffu;
    assert_true(dlo_exposure_unscoped(&r, NULL, &u));
    assert_int_equal(u.profiles, DLO_PROFILE_PRIVATE | DLO_PROFILE_PUBLIC);
    dlo_rule_free(&r);
}

static void test_domain_only_outbound_or_blocking_is_not(void **state)
{
    dlo_rule r;
    dlo_unscoped u;
    (void)state;
    inbound(&r, "*", DLO_PROFILE_DOMAIN, DLO_ROLE_BIT(DLO_ROLE_CLIENT));
    assert_false(dlo_exposure_unscoped(&r, NULL, &u));
    r.profiles = DLO_PROFILE_ALL;
    r.direction = DLO_DIR_OUT;
    assert_false(dlo_exposure_unscoped(&r, NULL, &u));
    r.direction = DLO_DIR_IN;
    r.action = DLO_ACTION_BLOCK;
    assert_false(dlo_exposure_unscoped(&r, NULL, &u));
    r.action = DLO_ACTION_ALLOW;
    r.enabled = false;
    assert_false(dlo_exposure_unscoped(&r, NULL, &u));
    r.enabled = true;
    assert_true(dlo_exposure_unscoped(&r, NULL, &u));
    dlo_rule_free(&r);
}

static void test_scoped_rule_is_not(void **state)
{
    dlo_rule r;
    dlo_unscoped u;
    (void)state;
    inbound(&r, "10.8.0.0/16,LocalSubnet", DLO_PROFILE_ALL, DLO_ROLE_BIT(DLO_ROLE_CLIENT));
    assert_false(dlo_exposure_unscoped(&r, NULL, &u));
    assert_int_equal(u.n_values, 0);
    dlo_rule_free(&r);
}

/* A scope that covers every address of a family, however spelled, is as open as `*`: the rule
 * is unscoped, and a peer whose configured scope is such a list is named among the values. */
static void test_every_address_by_any_spelling_is_unscoped(void **state)
{
    static const char *const clients[] = {"ClientNetworks"};
    static const char *const lists[] = {
        "0.0.0.0-255.255.255.255",
        "0.0.0.0/1,128.0.0.0/1",
        "1.0.0.0-126.255.255.255,128.0.0.0-223.255.255.255",
        "::2-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "10.0.0.0/8,Internet",
    };
    dlo_config cfg;
    dlo_rule r;
    dlo_unscoped u;
    size_t i;
    (void)state;
    assert_int_equal(dlo_config_init(&cfg), DLO_OK);
    for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        inbound(&r, lists[i], DLO_PROFILE_ALL, DLO_ROLE_BIT(DLO_ROLE_CLIENT));
        assert_int_equal(dlo_rule_set(&cfg.scopes[DLO_ROLE_CLIENT], lists[i]), DLO_OK);
        if (!dlo_exposure_unscoped(&r, &cfg, &u))
            fail_msg("'%s' draws no unscoped finding", lists[i]);
        assert_true(u.coverage != 0);
        assert_values(&u, clients, 1);
        dlo_rule_free(&r);
    }
    inbound(&r, "0.0.0.0/1", DLO_PROFILE_ALL, DLO_ROLE_BIT(DLO_ROLE_CLIENT));
    assert_false(dlo_exposure_unscoped(&r, &cfg, &u));
    dlo_rule_free(&r);
    dlo_config_free(&cfg);
}

static void test_every_unscoped_peer_is_named(void **state)
{
    static const char *const all[] = {"AdminServers", "AdminConsoles", "EdgeServers"};
    static const char *const rest[] = {"AdminConsoles", "WebRestoreMachines"};
    dlo_config cfg;
    dlo_rule r;
    dlo_unscoped u;
    (void)state;
    inbound(&r, "*", DLO_PROFILE_ALL,
            DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER) | DLO_ROLE_BIT(DLO_ROLE_ADMIN_CONSOLE) |
                DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER));
    assert_true(dlo_exposure_unscoped(&r, NULL, &u));
    assert_values(&u, all, 3);
    dlo_rule_free(&r);

    /* Only the peers still at `*` are named: the configured one already narrows its part. */
    assert_int_equal(dlo_config_init(&cfg), DLO_OK);
    assert_int_equal(dlo_rule_set(&cfg.scopes[DLO_ROLE_CLIENT], "10.8.0.0/16"), DLO_OK);
    inbound(&r, "*", DLO_PROFILE_ALL,
            DLO_ROLE_BIT(DLO_ROLE_ADMIN_CONSOLE) | DLO_ROLE_BIT(DLO_ROLE_CLIENT) |
                DLO_ROLE_BIT(DLO_ROLE_WEB_RESTORE));
    assert_true(dlo_exposure_unscoped(&r, &cfg, &u));
    assert_values(&u, rest, 2);
    dlo_rule_free(&r);

    /* A rule with no peer roles: unscoped, with nothing to set. */
    inbound(&r, "*", DLO_PROFILE_PUBLIC, 0);
    assert_true(dlo_exposure_unscoped(&r, &cfg, &u));
    assert_int_equal(u.n_values, 0);
    dlo_rule_free(&r);
    dlo_config_free(&cfg);
}

/* The real plan: with every scope configured no rule is unscoped; with the defaults every
 * inbound rule not on Domain alone is, and its peers' scopes are what it names. */
static void test_the_plan_with_and_without_scopes(void **state)
{
    dlo_policy pol;
    dlo_config cfg;
    dlo_plan_settings set;
    dlo_plan plan;
    dlo_error err;
    dlo_unscoped u;
    size_t i, found = 0;
    int role;
    (void)state;
    assert_int_equal(test_load_source_policy(&pol), 0);
    assert_int_equal(dlo_plan_build(&pol, DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER), DLO_MODE_EXCLUSIVE,
                                    NULL, &plan, &err),
                     DLO_OK);
    for (i = 0; i < plan.rules.count; i++) {
        const dlo_rule *r = &plan.rules.items[i];
        bool want = r->direction == DLO_DIR_IN && (r->profiles & DLO_EXPOSURE_PROFILES);
        assert_int_equal(dlo_exposure_unscoped(r, NULL, &u), want);
        if (want) {
            found++;
            assert_int_equal(u.n_values, (size_t)__builtin_popcount(r->peers));
        }
    }
    assert_true(found > 0);
    dlo_plan_free(&plan);

    assert_int_equal(dlo_config_init(&cfg), DLO_OK);
    memset(&set, 0, sizeof(set));
    for (role = 0; role < DLO_ROLE_COUNT; role++) {
        assert_int_equal(dlo_rule_set(&cfg.scopes[role], "10.0.0.0/8"), DLO_OK);
        set.scopes[role] = cfg.scopes[role];
    }
    assert_int_equal(dlo_plan_build(&pol, DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER), DLO_MODE_EXCLUSIVE,
                                    &set, &plan, &err),
                     DLO_OK);
    for (i = 0; i < plan.rules.count; i++)
        assert_false(dlo_exposure_unscoped(&plan.rules.items[i], &cfg, &u));
    dlo_plan_free(&plan);
    dlo_config_free(&cfg);
    dlo_policy_free(&pol);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_any_on_private_or_public_is_unscoped),
        cmocka_unit_test(test_domain_only_outbound_or_blocking_is_not),
        cmocka_unit_test(test_scoped_rule_is_not),
        cmocka_unit_test(test_every_address_by_any_spelling_is_unscoped),
        cmocka_unit_test(test_every_unscoped_peer_is_named),
        cmocka_unit_test(test_the_plan_with_and_without_scopes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
