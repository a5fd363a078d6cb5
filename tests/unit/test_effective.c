/* The effective policy against the in-memory firewall and the fake registry: Group Policy's
 * settings per planned profile, local rules that do not apply with and without the agent's
 * rules in the Group Policy store, Block rules from that store, and others' Allow rules that
 * open a planned port wider than the plan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "dlo/effective.h"
#include "dlo/plan.h"
#include "dlo/platform.h"
#include "dlo/policy.h"
#include "dlo/service.h"
#include "dlo/target.h"
#include "fake_registry.h"
#include "fwmem.h"
#include "log_capture.h"
#include "testutil.h"

#define GP_RULES    DLO_GP_POLICY_KEY "\\FirewallRules"
#define LOCAL_RULES DLO_LOCAL_POLICY_KEY "\\FirewallRules"

static dlo_policy policy;
static dlo_plan plan;

static int setup(void **state)
{
    dlo_error err;
    (void)state;
    if (test_load_source_policy(&policy))
        return -1;
    return dlo_plan_build(&policy, DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER), DLO_MODE_EXCLUSIVE, NULL,
                          &plan, &err);
}

static int teardown(void **state)
{
    (void)state;
    dlo_plan_free(&plan);
    dlo_policy_free(&policy);
    return 0;
}

/* The rule as a rule string, the way Group Policy's store holds it. */
static void rule_string(const dlo_rule *r, dlo_buf *b)
{
    static const char *const profile_names[3] = {"Domain", "Private", "Public"};
    const char *p;
    int i;
    dlo_buf_printf(b, "v2.30|Action=%s|Active=%s|Dir=%s|", r->action ? "Allow" : "Block",
                   r->enabled ? "TRUE" : "FALSE", r->direction == DLO_DIR_IN ? "In" : "Out");
    if (r->protocol != DLO_PROTO_ANY)
        dlo_buf_printf(b, "Protocol=%d|", r->protocol);
    for (i = 0; i < 3 && (r->profiles & DLO_PROFILE_ALL) != DLO_PROFILE_ALL; i++)
        if (r->profiles & (1u << i))
            dlo_buf_printf(b, "Profile=%s|", profile_names[i]);
    for (p = dlo_str(r->direction == DLO_DIR_IN ? r->local_ports : r->remote_ports); *p;) {
        size_t n = strcspn(p, ",");
        dlo_buf_printf(b, "%s=%.*s|", r->direction == DLO_DIR_IN ? "LPort" : "RPort", (int)n, p);
        p += n + (p[n] == ',');
    }
    for (p = dlo_str(r->remote_addresses); *p && strcmp(p, "*") != 0;) {
        size_t n = strcspn(p, ",");
        dlo_buf_printf(b, "%s=%.*s|", memchr(p, ':', n) ? "RA6" : "RA4", (int)n, p);
        p += n + (p[n] == ',');
    }
    dlo_buf_printf(b, "Name=%s|Desc=%s|EmbedCtxt=%s|", dlo_str(r->name), dlo_str(r->description),
                   dlo_str(r->grouping));
}

static void plant(fake_registry *f, const char *key, const char *id, const dlo_rule *r)
{
    dlo_buf b;
    dlo_buf_init(&b);
    rule_string(r, &b);
    fake_reg_sz(f, key, id, dlo_buf_str(&b));
    dlo_buf_free(&b);
}

static void plant_plan_in(fake_registry *f, const char *key)
{
    size_t i;
    char id[32];
    for (i = 0; i < plan.rules.count; i++) {
        dlo_rule r;
        dlo_rule_init(&r);
        assert_int_equal(dlo_rule_copy(&r, &plan.rules.items[i]), DLO_OK);
        dlo_rule_set(&r.grouping, DLO_RULE_GROUPING);
        snprintf(id, sizeof(id), "{gp-%zu}", i);
        plant(f, key, id, &r);
        dlo_rule_free(&r);
    }
}

static void apply_plan(fwmem *m)
{
    dlo_fw_backend fw = fwmem_backend(m);
    dlo_reconcile_report r;
    dlo_error err;
    assert_int_equal(dlo_reconcile_apply(&fw, &plan.rules, &r, &err), DLO_OK);
    dlo_reconcile_report_free(&fw, &r);
}

static bool verify(fwmem *m, fake_registry *f, dlo_reconcile_report *rep)
{
    dlo_fw_backend fw = fwmem_backend(m);
    dlo_error err;
    bool compliant = false;
    dlo_error_clear(&err);
    if (dlo_effective_verify(&fw, &f->reg, &plan.rules, rep, &compliant, &err) != DLO_OK)
        fail_msg("verify failed: %s", err.msg);
    return compliant;
}

static bool has(const dlo_problem *list, size_t n, const char *kind, const char *text)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(list[i].kind, kind) == 0 && strstr(list[i].message, text))
            return true;
    return false;
}

#define HAS_PROBLEM(rep, kind, text) has((rep)->problems, (rep)->n_problems, kind, text)
#define HAS_WARNING(rep, kind, text) has((rep)->warnings, (rep)->n_warnings, kind, text)

/* Each test starts from the plan applied, no Group Policy, an empty registry. */
static fwmem m;
static fake_registry f;
static dlo_reconcile_report rep;

static int begin(void **state)
{
    (void)state;
    fwmem_init(&m);
    fake_reg_init(&f);
    apply_plan(&m);
    return 0;
}

static int end(void **state)
{
    (void)state;
    fake_reg_free(&f);
    fwmem_free(&m);
    return 0;
}

static void done(fwmem *m, dlo_reconcile_report *rep)
{
    dlo_fw_backend fw = fwmem_backend(m);
    dlo_reconcile_report_free(&fw, rep);
}

static void test_without_group_policy_rules_are_local(void **state)
{
    size_t i;
    (void)state;
    assert_true(verify(&m, &f, &rep));
    assert_non_null(rep.sources);
    for (i = 0; i < plan.rules.count; i++)
        assert_string_equal(rep.sources[i], "local");
    assert_int_equal(rep.n_warnings, 0);
    assert_null(rep.note);
    assert_int_equal(f.listings, 2); /* both stores, one pass each */
    done(&m, &rep);
}

static void test_settings_of_a_profile_that_is_not_current(void **state)
{
    (void)state;
    /* The machine is on Domain; Group Policy turns Public off, and blocks all inbound on
     * Private: both are planned profiles and both are reported. */
    fake_reg_dword(&f, DLO_GP_POLICY_KEY "\\PublicProfile", "EnableFirewall", 0);
    fake_reg_dword(&f, DLO_GP_POLICY_KEY "\\PrivateProfile", "DoNotAllowExceptions", 1);
    assert_false(verify(&m, &f, &rep));
    assert_true(HAS_PROBLEM(&rep, "firewall-off", "Public profile (EnableFirewall = 0)"));
    assert_true(HAS_PROBLEM(&rep, "inbound-blocked", "Private profile (DoNotAllowExceptions"));
    assert_int_equal(rep.n_problems, 2);
    done(&m, &rep);
    /* StandardProfile is the legacy policy key: Group Policy's private profile is not there. */
    fake_reg_remove(&f, DLO_GP_POLICY_KEY "\\PrivateProfile", "DoNotAllowExceptions");
    fake_reg_dword(&f, DLO_GP_POLICY_KEY "\\StandardProfile", "DoNotAllowExceptions", 1);
    fake_reg_dword(&f, DLO_GP_POLICY_KEY "\\PublicProfile", "EnableFirewall", 1);
    assert_true(verify(&m, &f, &rep));
    done(&m, &rep);
    /* The local setting "block all connections" (StandardProfile in the local store). */
    fake_reg_dword(&f, DLO_LOCAL_POLICY_KEY "\\StandardProfile", "DoNotAllowExceptions", 1);
    assert_false(verify(&m, &f, &rep));
    assert_true(HAS_PROBLEM(&rep, "inbound-blocked", "Private profile (the local setting"));
    done(&m, &rep);
    fake_reg_remove(&f, DLO_LOCAL_POLICY_KEY "\\StandardProfile", "DoNotAllowExceptions");
    m.state.inbound_blocked = true; /* INBOUND_BLOCKED speaks of the current profile only */
    assert_false(verify(&m, &f, &rep));
    assert_true(HAS_PROBLEM(&rep, "inbound-blocked", "Domain profile (LocalPolicyModifyState"));
    assert_int_equal(rep.n_problems, 1);
    done(&m, &rep);
}

static void test_merge_off_without_and_with_the_rules_in_group_policy(void **state)
{
    size_t i;
    int p;
    static const char *const keys[3] = {DLO_GP_POLICY_KEY "\\DomainProfile",
                                        DLO_GP_POLICY_KEY "\\PrivateProfile",
                                        DLO_GP_POLICY_KEY "\\PublicProfile"};
    (void)state;
    for (p = 0; p < 3; p++)
        fake_reg_dword(&f, keys[p], "AllowLocalPolicyMerge", 0);
    assert_false(verify(&m, &f, &rep));
    assert_true(HAS_PROBLEM(&rep, "gp-override",
                            "do not take effect on the Domain, Private, Public profile "
                            "(AllowLocalPolicyMerge = 0"));
    assert_true(HAS_PROBLEM(&rep, "gp-override", "lacks 8 of them"));
    assert_true(HAS_PROBLEM(&rep, "gp-override",
                            "'Arctera DLO - Edge Server HTTPS (TCP-In)' (not in the Group Policy"));
    assert_null(rep.sources[0]);
    done(&m, &rep);

    plant_plan_in(&f, GP_RULES);
    assert_true(verify(&m, &f, &rep));
    assert_non_null(rep.note);
    assert_non_null(strstr(rep.note, "come from Group Policy"));
    for (i = 0; i < plan.rules.count; i++)
        assert_string_equal(rep.sources[i], "group-policy");
    done(&m, &rep);

    /* The local rules gone: they do not apply anyway, Group Policy's do. */
    {
        dlo_fw_backend fw = fwmem_backend(&m);
        dlo_reconcile_report r2;
        dlo_error err;
        assert_int_equal(dlo_reconcile_remove(&fw, &r2, &err), DLO_OK);
        dlo_reconcile_report_free(&fw, &r2);
    }
    assert_true(verify(&m, &f, &rep));
    done(&m, &rep);

    /* One rule in Group Policy on another port: named, with what differs. */
    {
        dlo_rule r;
        dlo_rule_init(&r);
        assert_int_equal(dlo_rule_copy(&r, &plan.rules.items[1]), DLO_OK);
        dlo_rule_set(&r.grouping, DLO_RULE_GROUPING);
        dlo_rule_set(&r.local_ports, "8443");
        plant(&f, GP_RULES, "{gp-1}", &r);
        dlo_rule_free(&r);
    }
    assert_false(verify(&m, &f, &rep));
    assert_true(HAS_PROBLEM(&rep, "gp-override", "lacks 1 of them"));
    assert_true(HAS_PROBLEM(&rep, "gp-override", "local_ports differs"));
    assert_null(rep.sources[1]);
    assert_string_equal(rep.sources[0], "group-policy");
    done(&m, &rep);
}

static void test_gp_override_on_the_current_profile_only(void **state)
{
    (void)state;
    m.state.gp_override = true;
    assert_false(verify(&m, &f, &rep));
    assert_true(HAS_PROBLEM(&rep, "gp-override", "on the Domain profile (LocalPolicyModifyState"));
    assert_int_equal(rep.n_problems, 1); /* replaces the plain gp-override, not beside it */
    done(&m, &rep);
    plant_plan_in(&f, GP_RULES);
    assert_true(verify(&m, &f, &rep));
    /* Local rules still apply on Private and Public: a rule on every profile is the local one
     * there, while a corporate rule, on Domain only, comes from Group Policy. */
    assert_string_equal(plan.rules.items[1].name, "Arctera DLO - Edge Server HTTPS (TCP-In)");
    assert_string_equal(rep.sources[1], "local");
    assert_string_equal(rep.sources[0], "group-policy");
    done(&m, &rep);
}

static void test_block_rule_from_group_policy(void **state)
{
    (void)state;
    fake_reg_sz(&f, GP_RULES, "{block}",
                "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|Profile=Public|LPort=443|"
                "Name=Hardening: no 443|EmbedCtxt=CIS|");
    /* Not a rule string at all (inactive, as the format's default has it), and a DWORD: passed
     * over. A Block rule whose ports did not read may block anything on TCP: a warning naming
     * the field, never taken for a rule that blocks nothing. */
    fake_reg_sz(&f, GP_RULES, "{junk}", "garbage");
    fake_reg_sz(&f, GP_RULES, "{junk2}",
                "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=https|Name=x|");
    fake_reg_dword(&f, GP_RULES, "{dword}", 1);
    assert_false(verify(&m, &f, &rep));
    assert_true(HAS_PROBLEM(&rep, "blocked-by-rule",
                            "the Group Policy rule 'Hardening: no 443' blocks what 'Arctera DLO - "
                            "Edge Server HTTPS (TCP-In)'"));
    assert_int_equal(rep.n_problems, 2); /* the 443 rule and the dashboard's 135,443 */
    assert_true(HAS_WARNING(&rep, "may-block", "the Group Policy rule 'x' may block what"));
    assert_true(HAS_WARNING(&rep, "may-block", "its local ports (LPort"));
    done(&m, &rep);
}

/* A rule's platform validity is held against this machine's version, which comes with the
 * firewall's state (the Windows layer reads it with RtlGetVersion): for Windows 8 and later, it
 * stops a path on Windows Server 2022, not on Windows 7, and may on a machine of unknown version.
 */
static void test_platform_from_the_firewall_state(void **state)
{
    static const dlo_os_version win7 = {true, 2, 6, 1, 7601}, ws2022 = {true, 2, 10, 0, 20348},
                                unknown = {false, 0, 0, 0, 0};
    (void)state;
    fake_reg_sz(&f, GP_RULES, "{platform}",
                "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=443|Platform=2:6:2|"
                "Platform2=GTEQ|Name=8 and later|");
    m.state.os = win7;
    assert_true(verify(&m, &f, &rep));
    assert_int_equal(rep.n_problems, 0);
    assert_false(HAS_WARNING(&rep, "may-block", "8 and later"));
    done(&m, &rep);
    m.state.os = ws2022;
    assert_false(verify(&m, &f, &rep));
    assert_true(HAS_PROBLEM(&rep, "blocked-by-rule", "'8 and later' blocks what"));
    done(&m, &rep);
    m.state.os = unknown;
    assert_true(verify(&m, &f, &rep));
    assert_true(HAS_WARNING(&rep, "may-block", "its platform (Platform, Platform2)"));
    done(&m, &rep);
}

static void test_overexposure_is_a_warning(void **state)
{
    (void)state;
    /* The plan opens 90 on Domain only, from one subnet. */
    plan.rules.items[2].profiles = DLO_PROFILE_DOMAIN;
    dlo_rule_set(&plan.rules.items[2].remote_addresses, "10.1.0.0/16");
    apply_plan(&m);
    /* The local store as the registry holds it: /verify reads it there, not through COM. */
    plant_plan_in(&f, LOCAL_RULES);
    fake_reg_sz(&f, LOCAL_RULES, "{open90}",
                "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=90|Name=Someone's 90|");
    fake_reg_sz(&f, GP_RULES, "{all}",
                "v2.30|Action=Allow|Active=TRUE|Dir=In|Profile=Domain|Name=Everything|");
    fake_reg_sz(&f, GP_RULES, "{prog}",
                "v2.30|Action=Allow|Active=TRUE|Dir=In|App=C:\\x.exe|Name=One program|");
    fake_reg_sz(&f, GP_RULES, "{off}", "v2.30|Action=Allow|Dir=In|Name=Disabled|");
    /* Some addresses, but not the plan's: wider too; inside the plan's scope: not. */
    fake_reg_sz(&f, GP_RULES, "{elsewhere}",
                "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|LPort=90|"
                "RA4=198.51.100.0/255.255.255.0|Name=Elsewhere|");
    fake_reg_sz(&f, GP_RULES, "{inside}",
                "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|LPort=90|"
                "RA4=10.1.2.0/255.255.255.0|Name=Inside|");
    m.enumerations = 0;
    assert_true(verify(&m, &f, &rep));   /* warnings do not make it non-compliant */
    assert_int_equal(m.enumerations, 0); /* the store was read as rule strings */
    assert_true(HAS_WARNING(&rep, "overexposed",
                            "the rule 'Someone's 90' (local store) opens what 'Arctera DLO - Edge "
                            "Server HTTP (TCP-In)' allows wider than the plan: any remote address "
                            "where the plan allows 10.1.0.0/16, the Private, Public profile the "
                            "plan leaves closed"));
    assert_true(
        HAS_WARNING(&rep, "overexposed",
                    "'Everything' (Group Policy) opens what 'Arctera DLO - Edge Server "
                    "HTTPS (TCP-In)' allows wider than the plan: every port, any protocol"));
    /* A rule for one program opens the port to that program alone; the Edge Server's program
     * is not known here (nothing bound the path), so it may be DLO's: a may-overexpose warning
     * naming the field, not a verdict. */
    assert_true(HAS_WARNING(&rep, "may-overexpose",
                            "the rule 'One program' (Group Policy) may open what 'Arctera DLO - "
                            "Edge Server HTTPS (TCP-In)' allows wider than the plan (every port, "
                            "any protocol); its program (App): it is for C:\\x.exe"));
    assert_true(HAS_WARNING(&rep, "overexposed",
                            "the rule 'Elsewhere' (Group Policy) opens what 'Arctera DLO - Edge "
                            "Server HTTP (TCP-In)' allows wider than the plan: remote addresses "
                            "198.51.100.0/255.255.255.0 beyond the plan's 10.1.0.0/16"));
    assert_false(HAS_WARNING(&rep, "overexposed", "'Inside'"));
    assert_int_equal(rep.n_warnings, 4);
    done(&m, &rep);
    plan.rules.items[2].profiles = DLO_PROFILE_ALL;
    dlo_rule_set(&plan.rules.items[2].remote_addresses, NULL);
}

static void test_values_enumeration_of_the_fake(void **state)
{
    dlo_rule_list l;
    dlo_error err;
    size_t skipped = 0;
    (void)state;
    dlo_rule_list_init(&l);
    assert_int_equal(dlo_rule_store_read(&f.reg, GP_RULES, &l, &skipped, &err), DLO_E_NOTFOUND);
    assert_int_equal(l.count, 0);
    fake_reg_fail(&f, GP_RULES, "{x}", DLO_E_ACCESS);
    assert_int_equal(dlo_rule_store_read(&f.reg, GP_RULES, &l, &skipped, &err), DLO_E_ACCESS);
    assert_non_null(strstr(err.msg, "FirewallRules"));
    dlo_rule_list_free(&l);
}

/* ---- the service's pass ---- */

static dlo_status pass_embedded(void *ctx, const char *name, dlo_buf *out, dlo_error *err)
{
    (void)ctx;
    if (strcmp(name, "PORTMATRIX") != 0)
        return dlo_error_set(err, DLO_E_NOTFOUND, "no %s", name);
    test_read_source_file("policies/dlo-10.0.ports", out);
    return DLO_OK;
}

static dlo_status pass_open_firewall(void *ctx, dlo_fw_backend *out, dlo_error *err)
{
    (void)err;
    *out = fwmem_backend(ctx);
    return DLO_OK;
}

static void pass_close_firewall(void *ctx, dlo_fw_backend *fw)
{
    (void)ctx;
    memset(fw, 0, sizeof(*fw));
}

static void service_pass(dlo_service_loop *mem)
{
    dlo_platform plat = {.ctx = &m,
                         .load_embedded = pass_embedded,
                         .open_firewall = pass_open_firewall,
                         .close_firewall = pass_close_firewall,
                         .registry = &f.reg};
    dlo_config cfg;
    dlo_error err;
    assert_int_equal(dlo_config_init(&cfg), DLO_OK);
    cfg.mode = DLO_MODE_EXCLUSIVE;
    cfg.roles_set = true;
    cfg.roles = DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER);
    dlo_error_clear(&err);
    if (dlo_agent_reconcile(&plat, &cfg, mem, DLO_WAKE_TIMER, &err) != DLO_OK)
        fail_msg("pass failed: %s", err.msg);
    dlo_config_free(&cfg);
}

static void test_service_pass_reports_the_effective_policy(void **state)
{
    dlo_service_loop mem;
    (void)state;
    memset(&mem, 0, sizeof(mem));
    log_capture_start(NULL); /* lines: EVENT LEVEL TEXT, 0 info, 1 warning */
    service_pass(&mem);
    assert_true(log_has("1102 0 pass (drift-repair interval): all 8 firewall rules"));
    assert_true(log_has("as planned; local rules take effect on every planned profile"));
    assert_false(log_has("1400"));

    log_capture_reset();
    fake_reg_dword(&f, DLO_GP_POLICY_KEY "\\PublicProfile", "AllowLocalPolicyMerge", 0);
    service_pass(&mem);
    assert_true(log_has("1400 1 local rules do not take effect on the Public profile "
                        "(AllowLocalPolicyMerge = 0 in Group Policy): Group Policy lacks 4 of "
                        "the agent's rules there"));
    assert_true(log_has("1102 0 pass (drift-repair interval): all 8 firewall rules for mode "
                        "exclusive"));
    log_capture_reset();
    service_pass(&mem); /* said once */
    assert_false(log_has("1400"));

    log_capture_reset();
    mem.gp_override_reported = false;
    plant_plan_in(&f, GP_RULES);
    service_pass(&mem);
    assert_true(log_has("1400 0 local rules do not take effect on the Public profile "
                        "(AllowLocalPolicyMerge = 0 in Group Policy): Group Policy supplies the "
                        "agent's rules there"));
    log_capture_stop(NULL);
}

/* A DMZ Edge Server on a Public network: said when it starts and when it changes, not every
 * pass. */
static void test_service_pass_reports_a_profile_mismatch_once(void **state)
{
    dlo_service_loop mem;
    (void)state;
    memset(&mem, 0, sizeof(mem));
    log_capture_start(NULL);
    service_pass(&mem);
    assert_false(log_has("1401"));

    m.state.current_profiles = DLO_PROFILE_PUBLIC;
    log_capture_reset();
    service_pass(&mem);
    assert_true(log_has("1401 1 the corporate rules (paths that exist only inside the corporate "
                        "network) apply to the Domain profile, and no network this machine is "
                        "connected to is on it (connected: Public)"));
    assert_true(log_has("set CorporateProfiles to domain,public"));
    log_capture_reset();
    service_pass(&mem);
    assert_false(log_has("1401"));

    m.state.current_profiles = DLO_PROFILE_PRIVATE;
    log_capture_reset();
    service_pass(&mem);
    assert_true(log_has("1401 1 the corporate rules"));
    assert_true(log_has("(connected: Private)"));

    /* Gone, and back: said again. */
    m.state.current_profiles = DLO_PROFILE_DOMAIN;
    log_capture_reset();
    service_pass(&mem);
    assert_false(log_has("1401"));
    m.state.current_profiles = DLO_PROFILE_PRIVATE;
    log_capture_reset();
    service_pass(&mem);
    assert_true(log_has("1401 1 the corporate rules"));
    log_capture_stop(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_without_group_policy_rules_are_local, begin, end),
        cmocka_unit_test_setup_teardown(test_settings_of_a_profile_that_is_not_current, begin, end),
        cmocka_unit_test_setup_teardown(test_merge_off_without_and_with_the_rules_in_group_policy,
                                        begin, end),
        cmocka_unit_test_setup_teardown(test_gp_override_on_the_current_profile_only, begin, end),
        cmocka_unit_test_setup_teardown(test_block_rule_from_group_policy, begin, end),
        cmocka_unit_test_setup_teardown(test_platform_from_the_firewall_state, begin, end),
        cmocka_unit_test_setup_teardown(test_overexposure_is_a_warning, begin, end),
        cmocka_unit_test_setup_teardown(test_values_enumeration_of_the_fake, begin, end),
        cmocka_unit_test_setup_teardown(test_service_pass_reports_the_effective_policy, begin, end),
        cmocka_unit_test_setup_teardown(test_service_pass_reports_a_profile_mismatch_once, begin,
                                        end),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
