/* The profiles of each network class, from the configuration to the plan, and the plan against
 * the networks the machine is on: profile-mismatch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dlo/netprofiles.h"
#include "dlo/target.h"
#include "fwmem.h"
#include "testutil.h"

static dlo_status embedded(void *ctx, const char *name, dlo_buf *out, dlo_error *err)
{
    (void)ctx;
    if (strcmp(name, "PORTMATRIX") != 0)
        return dlo_error_set(err, DLO_E_NOTFOUND, "no %s", name);
    test_read_source_file("policies/dlo-10.0.ports", out);
    return DLO_OK;
}

/* The plan the commands and the service make for role in mode, with CorporateProfiles and
 * InternetProfiles (0: not configured). */
static void build(dlo_target *t, dlo_role role, dlo_mode mode, unsigned corporate,
                  unsigned internet)
{
    dlo_platform plat = {.load_embedded = embedded};
    dlo_config cfg;
    dlo_error err;
    assert_int_equal(dlo_config_init(&cfg), DLO_OK);
    cfg.roles_set = true;
    cfg.roles = DLO_ROLE_BIT(role);
    cfg.mode = mode;
    cfg.corporate_profiles = corporate;
    cfg.internet_profiles = internet;
    dlo_error_clear(&err);
    if (dlo_target_build(&plat, &cfg, t, &err) != DLO_OK)
        fail_msg("plan failed: %s", err.msg);
    dlo_config_free(&cfg);
}

static unsigned profiles_of(const dlo_target *t, const char *name)
{
    size_t i;
    for (i = 0; i < t->plan.rules.count; i++)
        if (strcmp(t->plan.rules.items[i].name, name) == 0)
            return t->plan.rules.items[i].profiles;
    fail_msg("no rule %s", name);
    return 0;
}

static void test_corporate_paths_are_domain_in_every_mode(void **state)
{
    dlo_target t;
    int mode;
    (void)state;
    for (mode = 0; mode < DLO_MODE_COUNT; mode++) {
        build(&t, DLO_ROLE_ADMIN_SERVER, (dlo_mode)mode, 0, 0);
        assert_int_equal(profiles_of(&t, "Arctera DLO - SQL Server (TCP-Out)"), DLO_PROFILE_DOMAIN);
        assert_int_equal(t.plan.profiles[DLO_NET_CORPORATE], DLO_PROFILE_DOMAIN);
        assert_int_equal(t.plan.profiles[DLO_NET_INTERNET], DLO_PROFILE_ALL);
        dlo_target_free(&t);
    }
    build(&t, DLO_ROLE_EDGE_SERVER, DLO_MODE_EXCLUSIVE, 0, 0);
    assert_int_equal(profiles_of(&t, "Arctera DLO - Edge Server HTTPS (TCP-In)"), DLO_PROFILE_ALL);
    assert_int_equal(profiles_of(&t, "Arctera DLO - Dedupe Server AJP (TCP-Out)"),
                     DLO_PROFILE_DOMAIN);
    assert_int_equal(t.plan.networks, (1u << DLO_NET_CORPORATE) | (1u << DLO_NET_INTERNET));
    dlo_target_free(&t);
}

/* A configured value replaces the matrix's for its class, in every mode, and only for it. */
static void test_configured_profiles_replace_the_matrix(void **state)
{
    const unsigned dp = DLO_PROFILE_DOMAIN | DLO_PROFILE_PRIVATE;
    dlo_target t;
    int mode;
    (void)state;
    for (mode = 0; mode < DLO_MODE_COUNT; mode++) {
        build(&t, DLO_ROLE_ADMIN_SERVER, (dlo_mode)mode, dp, 0);
        assert_int_equal(profiles_of(&t, "Arctera DLO - File Sharing (TCP-Out)"), dp);
        assert_int_equal(t.plan.profiles[DLO_NET_INTERNET], DLO_PROFILE_ALL);
        dlo_target_free(&t);
    }
    build(&t, DLO_ROLE_EDGE_SERVER, DLO_MODE_OCCASIONAL, DLO_PROFILE_PUBLIC, DLO_PROFILE_PRIVATE);
    assert_int_equal(profiles_of(&t, "Arctera DLO - Edge Server HTTPS (TCP-In)"),
                     DLO_PROFILE_PRIVATE);
    assert_int_equal(profiles_of(&t, "Arctera DLO - IO Server AJP (TCP-Out)"), DLO_PROFILE_PUBLIC);
    dlo_target_free(&t);
}

static void test_matching_networks_find_nothing(void **state)
{
    dlo_profile_mismatch found[DLO_NET_COUNT];
    dlo_target t;
    (void)state;
    build(&t, DLO_ROLE_EDGE_SERVER, DLO_MODE_EXCLUSIVE, 0, 0);
    assert_int_equal(dlo_profile_mismatches(&t.plan, DLO_PROFILE_DOMAIN, found), 0);
    /* Two networks, one of them on the Domain profile: the corporate rules apply on it. */
    assert_int_equal(
        dlo_profile_mismatches(&t.plan, DLO_PROFILE_DOMAIN | DLO_PROFILE_PUBLIC, found), 0);
    /* A firewall that does not say which networks it is on: nothing is known to be wrong. */
    assert_int_equal(dlo_profile_mismatches(&t.plan, 0, found), 0);
    dlo_target_free(&t);

    /* The value set as the message says fixes it. */
    build(&t, DLO_ROLE_EDGE_SERVER, DLO_MODE_EXCLUSIVE, DLO_PROFILE_DOMAIN | DLO_PROFILE_PUBLIC, 0);
    assert_int_equal(dlo_profile_mismatches(&t.plan, DLO_PROFILE_PUBLIC, found), 0);
    dlo_target_free(&t);
}

/* A DMZ Edge Server on a Public network. */
static void test_corporate_rules_on_no_connected_network(void **state)
{
    dlo_profile_mismatch found[DLO_NET_COUNT];
    dlo_target t;
    dlo_buf b;
    (void)state;
    build(&t, DLO_ROLE_EDGE_SERVER, DLO_MODE_EXCLUSIVE, 0, 0);
    assert_int_equal(dlo_profile_mismatches(&t.plan, DLO_PROFILE_PUBLIC, found), 1);
    assert_int_equal(found[0].network, DLO_NET_CORPORATE);
    assert_int_equal(found[0].current, DLO_PROFILE_PUBLIC);
    assert_int_equal(found[0].planned, DLO_PROFILE_DOMAIN);
    assert_int_equal(dlo_profile_setting(found[0].network), DLO_CFG_CORPORATE_PROFILES);
    dlo_buf_init(&b);
    dlo_profile_mismatch_text(&b, &found[0]);
    assert_string_equal(dlo_buf_str(&b),
                        "the corporate rules (paths that exist only inside the corporate "
                        "network) apply to the Domain profile, and no network this machine is "
                        "connected to is on it (connected: Public): they have no effect here. If "
                        "this machine's corporate network is one of those (a machine that is not "
                        "a domain member, such as a workgroup or DMZ server), set "
                        "CorporateProfiles to domain,public");
    dlo_buf_free(&b);
    dlo_target_free(&t);
}

/* A plan of internet rules only (an Exclusive BOI client) has no corporate class to miss. */
static void test_only_internet_rules(void **state)
{
    dlo_profile_mismatch found[DLO_NET_COUNT];
    dlo_target t;
    dlo_buf b;
    (void)state;
    build(&t, DLO_ROLE_CLIENT, DLO_MODE_EXCLUSIVE, 0, 0);
    assert_int_equal(t.plan.networks, 1u << DLO_NET_INTERNET);
    assert_int_equal(dlo_profile_mismatches(&t.plan, DLO_PROFILE_PUBLIC, found), 0);
    dlo_target_free(&t);

    build(&t, DLO_ROLE_CLIENT, DLO_MODE_EXCLUSIVE, 0, DLO_PROFILE_DOMAIN | DLO_PROFILE_PRIVATE);
    assert_int_equal(dlo_profile_mismatches(&t.plan, DLO_PROFILE_PUBLIC, found), 1);
    assert_int_equal(found[0].network, DLO_NET_INTERNET);
    dlo_buf_init(&b);
    dlo_profile_mismatch_text(&b, &found[0]);
    assert_non_null(strstr(dlo_buf_str(&b), "the internet rules (paths to and from the Edge "
                                            "Server) apply to the Domain,Private profiles, and no "
                                            "network this machine is connected to is on them"));
    assert_non_null(strstr(dlo_buf_str(&b), "set InternetProfiles to domain,private,public"));
    dlo_buf_free(&b);
    dlo_target_free(&t);
}

/* /verify's part: one warning per class, from the backend's current profiles. */
static void test_verify_adds_a_warning(void **state)
{
    dlo_target t;
    fwmem m;
    dlo_fw_backend fw;
    dlo_reconcile_report rep;
    dlo_error err;
    (void)state;
    build(&t, DLO_ROLE_EDGE_SERVER, DLO_MODE_EXCLUSIVE, 0, DLO_PROFILE_DOMAIN);
    fwmem_init(&m);
    fw = fwmem_backend(&m);
    memset(&rep, 0, sizeof(rep));
    assert_int_equal(dlo_profile_mismatch_verify(&m.state, &t.plan, &rep, &err), DLO_OK);
    assert_int_equal(rep.n_warnings, 0);

    m.state.current_profiles = DLO_PROFILE_PRIVATE;
    assert_int_equal(dlo_profile_mismatch_verify(&m.state, &t.plan, &rep, &err), DLO_OK);
    assert_int_equal(rep.n_warnings, 2);
    assert_int_equal(rep.n_problems, 0);
    assert_string_equal(rep.warnings[0].kind, "profile-mismatch");
    assert_non_null(strstr(rep.warnings[0].message, "set CorporateProfiles to domain,private"));
    assert_string_equal(rep.warnings[1].kind, "profile-mismatch");
    assert_non_null(strstr(rep.warnings[1].message, "set InternetProfiles to domain,private"));
    dlo_reconcile_report_free(&fw, &rep);

    /* A backend that cannot say adds nothing. */
    memset(&rep, 0, sizeof(rep));
    assert_int_equal(dlo_profile_mismatch_verify(NULL, &t.plan, &rep, &err), DLO_OK);
    assert_int_equal(rep.n_warnings, 0);
    dlo_reconcile_report_free(&fw, &rep);
    fwmem_free(&m);
    dlo_target_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corporate_paths_are_domain_in_every_mode),
        cmocka_unit_test(test_configured_profiles_replace_the_matrix),
        cmocka_unit_test(test_matching_networks_find_nothing),
        cmocka_unit_test(test_corporate_rules_on_no_connected_network),
        cmocka_unit_test(test_only_internet_rules),
        cmocka_unit_test(test_verify_adds_a_warning),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
