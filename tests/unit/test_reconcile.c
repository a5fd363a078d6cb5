/* The reconcile engine against the in-memory firewall: exactly the plan, zero writes when
 * compliant, foreign rules untouched, drift repaired with one write per property, and rollback
 * to the state before the run at every failing write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dlo/report.h"
#include "dlo/addr.h"
#include "dlo/plan.h"
#include "dlo/portset.h"
#include "dlo/policy.h"
#include "dlo/reconcile.h"
#include "fwmem.h"
#include "testutil.h"

static dlo_policy policy;

static int setup(void **state)
{
    dlo_buf text;
    dlo_error err;
    (void)state;
    dlo_buf_init(&text);
    test_read_source_file("policies/dlo-10.0.ports", &text);
    if (dlo_policy_parse(text.data, text.len, "dlo-10.0.ports", &policy, &err))
        return -1;
    dlo_buf_free(&text);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dlo_policy_free(&policy);
    return 0;
}

static void make_plan(dlo_role_set roles, dlo_mode mode, dlo_plan *plan)
{
    dlo_error err;
    assert_int_equal(dlo_plan_build(&policy, roles, mode, NULL, plan, &err), DLO_OK);
}

/* A canonical text of every rule with the grouping (NULL: of the other rules), sorted, so two
 * states can be compared whole. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void state_text(const fwmem *m, bool owned, dlo_buf *out)
{
    char **lines = calloc(m->rules.count + 1, sizeof(*lines));
    size_t i, n = 0;
    assert_non_null(lines);
    for (i = 0; i < m->rules.count; i++) {
        const dlo_rule *r = &m->rules.items[i];
        dlo_buf b;
        bool is_owned = strcmp(dlo_str(r->grouping), DLO_RULE_GROUPING) == 0;
        if (is_owned != owned)
            continue;
        dlo_buf_init(&b);
        dlo_buf_printf(&b, "%s|%s|%s|%d|%d|%u|%d|%d|%s|%s|%s|%s|%s|%s\n", dlo_str(r->name),
                       dlo_str(r->grouping), dlo_str(r->description), r->direction, r->protocol,
                       r->profiles, r->action, r->enabled, dlo_str(r->local_ports),
                       dlo_str(r->remote_ports), dlo_str(r->local_addresses),
                       dlo_str(r->remote_addresses), dlo_str(r->application), dlo_str(r->service));
        lines[n++] = b.data;
    }
    qsort(lines, n, sizeof(*lines), cmp_str);
    for (i = 0; i < n; i++) {
        dlo_buf_puts(out, lines[i]);
        free(lines[i]);
    }
    free(lines);
}

/* The firewall holds exactly the plan's rules as owned rules. */
static void assert_exactly(const fwmem *m, const dlo_plan *plan)
{
    size_t i;
    assert_int_equal(fwmem_count(m, DLO_RULE_GROUPING), plan->rules.count);
    for (i = 0; i < plan->rules.count; i++) {
        const dlo_rule *want = &plan->rules.items[i];
        const dlo_rule *have = fwmem_find(m, want->name, DLO_RULE_GROUPING);
        if (!have)
            fail_msg("rule '%s' is missing", want->name);
        assert_int_equal(dlo_rule_differences(want, have), 0);
    }
}

static void plant_foreign(fwmem *m, const char *name, const char *grouping, int action,
                          dlo_direction dir, int proto, const char *lports)
{
    dlo_rule r;
    dlo_rule_init(&r);
    r.direction = dir;
    r.protocol = proto;
    r.action = (dlo_action)action;
    dlo_rule_set(&r.name, name);
    dlo_rule_set(&r.grouping, grouping);
    dlo_rule_set(&r.local_ports, lports);
    dlo_rule_set(&r.description, "someone else's rule");
    fwmem_plant(m, &r);
    dlo_rule_free(&r);
}

static dlo_status apply(fwmem *m, const dlo_plan *plan, dlo_reconcile_report *rep, dlo_error *err)
{
    dlo_fw_backend fw = fwmem_backend(m);
    dlo_status st = dlo_reconcile_apply(&fw, &plan->rules, rep, err);
    return st;
}

static void apply_ok(fwmem *m, const dlo_plan *plan)
{
    dlo_fw_backend fw = fwmem_backend(m);
    dlo_reconcile_report rep;
    dlo_error err;
    assert_int_equal(dlo_reconcile_apply(&fw, &plan->rules, &rep, &err), DLO_OK);
    dlo_reconcile_report_free(&fw, &rep);
}

static bool verify(fwmem *m, const dlo_plan *plan, dlo_reconcile_report *rep)
{
    dlo_fw_backend fw = fwmem_backend(m);
    dlo_error err;
    bool compliant;
    assert_int_equal(dlo_reconcile_verify(&fw, &plan->rules, rep, &compliant, &err), DLO_OK);
    return compliant;
}

static void test_apply_from_empty_then_nothing_to_do(void **state)
{
    fwmem m;
    dlo_plan plan;
    dlo_reconcile_report rep;
    dlo_error err;
    dlo_fw_backend fw;
    (void)state;
    fwmem_init(&m);
    fw = fwmem_backend(&m);
    make_plan(DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER) | DLO_ROLE_BIT(DLO_ROLE_IO_SERVER),
              DLO_MODE_EXCLUSIVE, &plan);

    assert_false(verify(&m, &plan, &rep));
    assert_int_equal(rep.diff.count, plan.rules.count);
    dlo_reconcile_report_free(&fw, &rep);

    assert_int_equal(apply(&m, &plan, &rep, &err), DLO_OK);
    assert_int_equal(rep.writes, plan.rules.count);
    assert_int_equal(m.adds, plan.rules.count);
    assert_int_equal(m.enumerations, 2); /* the verify above, and this apply: one each */
    dlo_reconcile_report_free(&fw, &rep);
    assert_exactly(&m, &plan);

    fwmem_reset_counters(&m);
    assert_int_equal(apply(&m, &plan, &rep, &err), DLO_OK);
    assert_int_equal(m.writes, 0);
    assert_int_equal(m.enumerations, 1);
    assert_int_equal(rep.diff.compliant, plan.rules.count);
    dlo_reconcile_report_free(&fw, &rep);

    assert_true(verify(&m, &plan, &rep));
    dlo_reconcile_report_free(&fw, &rep);
    dlo_plan_free(&plan);
    fwmem_free(&m);
}

static void test_foreign_rules_are_never_touched(void **state)
{
    fwmem m;
    dlo_plan plan, other;
    dlo_buf before, after;
    dlo_reconcile_report rep;
    dlo_error err;
    dlo_fw_backend fw;
    size_t i;
    (void)state;
    fwmem_init(&m);
    fw = fwmem_backend(&m);
    make_plan(DLO_ROLE_BIT(DLO_ROLE_CLIENT), DLO_MODE_OCCASIONAL, &plan);
    /* Foreign rules, some with exactly the agent's names but another (or no) grouping. */
    for (i = 0; i < 200; i++) {
        char name[64];
        snprintf(name, sizeof(name), "Foreign rule %d", (int)i);
        plant_foreign(&m, name, i % 2 ? "Other Vendor" : NULL, DLO_ACTION_ALLOW, DLO_DIR_IN,
                      DLO_PROTO_TCP, "5000");
    }
    for (i = 0; i < plan.rules.count; i++) {
        plant_foreign(&m, plan.rules.items[i].name, "Other Vendor", DLO_ACTION_ALLOW, DLO_DIR_IN,
                      DLO_PROTO_TCP, "1");
        plant_foreign(&m, plan.rules.items[i].name, NULL, DLO_ACTION_ALLOW, DLO_DIR_IN,
                      DLO_PROTO_UDP, "2");
    }
    dlo_buf_init(&before);
    dlo_buf_init(&after);
    state_text(&m, false, &before);

    apply_ok(&m, &plan);
    assert_exactly(&m, &plan);
    assert_true(verify(&m, &plan, &rep));
    dlo_reconcile_report_free(&fw, &rep);
    make_plan(DLO_ROLE_BIT(DLO_ROLE_CLIENT), DLO_MODE_EXCLUSIVE, &other);
    apply_ok(&m, &other);
    assert_exactly(&m, &other);
    assert_int_equal(dlo_reconcile_remove(&fw, &rep, &err), DLO_OK);
    dlo_reconcile_report_free(&fw, &rep);
    assert_int_equal(fwmem_count(&m, DLO_RULE_GROUPING), 0);

    state_text(&m, false, &after);
    assert_string_equal(dlo_buf_str(&before), dlo_buf_str(&after));
    assert_int_equal(m.rules.count, 200 + 2 * plan.rules.count);

    dlo_buf_free(&before);
    dlo_buf_free(&after);
    dlo_plan_free(&other);
    dlo_plan_free(&plan);
    fwmem_free(&m);
}

static dlo_rule *owned_named(fwmem *m, const char *name)
{
    return (dlo_rule *)fwmem_find(m, name, DLO_RULE_GROUPING);
}

/* One apply makes the firewall the plan, with that many writes. */
static void assert_repaired_with(fwmem *m, const dlo_plan *plan, unsigned writes)
{
    dlo_fw_backend fw = fwmem_backend(m);
    dlo_reconcile_report rep;
    dlo_error err;
    fwmem_reset_counters(m);
    assert_int_equal(dlo_reconcile_apply(&fw, &plan->rules, &rep, &err), DLO_OK);
    assert_int_equal(m->writes, writes);
    dlo_reconcile_report_free(&fw, &rep);
    assert_exactly(m, plan);
}

/* A firewall holding the plan of an edge server in exclusive mode. */
static dlo_fw_backend applied_edge_server(fwmem *m, dlo_plan *plan)
{
    fwmem_init(m);
    make_plan(DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER), DLO_MODE_EXCLUSIVE, plan);
    apply_ok(m, plan);
    return fwmem_backend(m);
}

static void test_drift_is_reported_and_repaired_with_one_write(void **state)
{
    fwmem m;
    dlo_plan plan;
    dlo_reconcile_report rep;
    dlo_error err;
    dlo_fw_backend fw;
    dlo_buf text;
    const char *name = "Arctera DLO - Edge Server HTTPS (TCP-In)";
    (void)state;
    fw = applied_edge_server(&m, &plan);

    dlo_rule_set(&owned_named(&m, name)->local_ports, "4443");
    assert_false(verify(&m, &plan, &rep));
    assert_int_equal(rep.diff.count, 1);
    assert_int_equal(rep.diff.items[0].kind, DLO_CHANGE_UPDATE);
    assert_int_equal(rep.diff.items[0].differences, DLO_PROP_LOCAL_PORTS);
    dlo_buf_init(&text);
    dlo_report_verify_text(&text, &rep, false);
    assert_non_null(strstr(dlo_buf_str(&text), "drifted  Arctera DLO - Edge Server HTTPS "
                                               "(TCP-In): local_ports is \"4443\", expected "
                                               "\"443\""));
    dlo_buf_reset(&text);
    dlo_report_verify_json(&text, &rep, false);
    assert_non_null(strstr(dlo_buf_str(&text), "\"drifted\": [{\"name\": \"Arctera DLO - Edge "
                                               "Server HTTPS (TCP-In)\", \"differences\": "
                                               "[{\"property\": \"local_ports\", \"expected\": "
                                               "\"443\", \"actual\": \"4443\"}]}]"));
    dlo_reconcile_report_free(&fw, &rep);

    fwmem_reset_counters(&m);
    assert_int_equal(apply(&m, &plan, &rep, &err), DLO_OK);
    assert_int_equal(m.writes, 1);
    dlo_reconcile_report_free(&fw, &rep);
    assert_exactly(&m, &plan);

    /* Disabled, and profiles narrowed: two properties, two writes. */
    owned_named(&m, name)->enabled = false;
    owned_named(&m, name)->profiles = DLO_PROFILE_PUBLIC;
    fwmem_reset_counters(&m);
    assert_int_equal(apply(&m, &plan, &rep, &err), DLO_OK);
    assert_int_equal(m.writes, 2);
    dlo_reconcile_report_free(&fw, &rep);
    assert_exactly(&m, &plan);

    /* A protocol change cannot be edited in place: the rule is replaced. */
    owned_named(&m, name)->protocol = DLO_PROTO_UDP;
    fwmem_reset_counters(&m);
    assert_int_equal(apply(&m, &plan, &rep, &err), DLO_OK);
    assert_int_equal(m.adds, 1);
    assert_int_equal(m.removes, 1);
    dlo_reconcile_report_free(&fw, &rep);
    assert_exactly(&m, &plan);

    dlo_buf_free(&text);
    dlo_plan_free(&plan);
    fwmem_free(&m);
}

static void test_windows_spellings_are_not_drift(void **state)
{
    dlo_rule want, have;
    (void)state;
    dlo_rule_init(&want);
    dlo_rule_init(&have);
    dlo_rule_set(&want.remote_ports, "");
    dlo_rule_set(&have.remote_ports, "*");
    dlo_rule_set(&want.remote_addresses, "*");
    dlo_rule_set(&want.local_addresses, "*");
    dlo_rule_set(&have.remote_addresses, "Any");
    want.profiles = DLO_PROFILE_ALL;
    have.profiles = 0x7FFFFFFF; /* NET_FW_PROFILE2_ALL */
    dlo_rule_set(&want.remote_addresses, "LocalSubnet");
    dlo_rule_set(&have.remote_addresses, "localsubnet");
    assert_int_equal(dlo_rule_differences(&want, &have), 0);
    dlo_rule_set(&have.remote_addresses, "10.0.0.1");
    assert_int_equal(dlo_rule_differences(&want, &have), DLO_PROP_REMOTE_ADDRESSES);
    dlo_rule_set(&have.remote_addresses, "LocalSubnet");
    /* Windows stores ranges apart from single ports and reads them back in its own order. */
    dlo_rule_set(&want.local_ports, "135-139,445");
    dlo_rule_set(&have.local_ports, "445,135-139");
    assert_int_equal(dlo_rule_differences(&want, &have), 0);
    dlo_rule_set(&have.local_ports, "445");
    assert_int_equal(dlo_rule_differences(&want, &have), DLO_PROP_LOCAL_PORTS);
    dlo_rule_set(&have.local_ports, "445,135-138");
    assert_int_equal(dlo_rule_differences(&want, &have), DLO_PROP_LOCAL_PORTS);
    dlo_rule_set(&have.local_ports, "445,135-139,8080");
    assert_int_equal(dlo_rule_differences(&want, &have), DLO_PROP_LOCAL_PORTS);
    dlo_rule_free(&want);
    dlo_rule_free(&have);
}

/* n comma-separated entries: ports 1, 2, ... (suffix NULL) or addresses 10.0.x.y followed by
 * suffix; the last one replaced by last when given. */
static void long_list(dlo_buf *b, size_t n, const char *suffix, const char *last)
{
    size_t i;
    dlo_buf_reset(b);
    for (i = 0; i < n; i++) {
        if (i)
            dlo_buf_putc(b, ',');
        if (last && i == n - 1)
            dlo_buf_puts(b, last);
        else if (!suffix)
            dlo_buf_printf(b, "%u", (unsigned)i + 1);
        else
            dlo_buf_printf(b, "10.0.%u.%u%s", (unsigned)(i / 250), (unsigned)(i % 250 + 1), suffix);
    }
    assert_int_equal(dlo_buf_status(b), DLO_OK);
}

/* Lists are compared whole: two that differ only in their 1001st entry differ, and an address
 * list read back in Windows' longer spelling (a mask on every address, which takes it past the
 * 4096 characters a configured list may have) still equals what was written. */
static void test_long_lists_compare_whole(void **state)
{
    dlo_rule want, have;
    dlo_buf a, b;
    (void)state;
    dlo_rule_init(&want);
    dlo_rule_init(&have);
    dlo_buf_init(&a);
    dlo_buf_init(&b);

    long_list(&a, 1001, NULL, NULL);
    long_list(&b, 1001, NULL, "9999");
    dlo_rule_set(&want.local_ports, dlo_buf_str(&a));
    dlo_rule_set(&have.local_ports, dlo_buf_str(&b));
    assert_int_equal(dlo_rule_differences(&want, &have), DLO_PROP_LOCAL_PORTS);
    long_list(&a, 1000, NULL, NULL);
    long_list(&b, 1000, NULL, NULL);
    dlo_rule_set(&want.local_ports, dlo_buf_str(&a));
    dlo_rule_set(&have.local_ports, dlo_buf_str(&b));
    assert_int_equal(dlo_rule_differences(&want, &have), 0);
    long_list(&b, 1000, NULL, "19999");
    dlo_rule_set(&have.local_ports, dlo_buf_str(&b));
    assert_int_equal(dlo_rule_differences(&want, &have), DLO_PROP_LOCAL_PORTS);
    dlo_rule_set(&have.local_ports, NULL);
    dlo_rule_set(&want.local_ports, NULL);

    long_list(&a, 1001, "", NULL);
    long_list(&b, 1001, "", "10.9.9.9");
    dlo_rule_set(&want.remote_addresses, dlo_buf_str(&a));
    dlo_rule_set(&have.remote_addresses, dlo_buf_str(&b));
    assert_int_equal(dlo_rule_differences(&want, &have), DLO_PROP_REMOTE_ADDRESSES);
    long_list(&a, 350, "", NULL);
    long_list(&b, 350, "/255.255.255.255", NULL);
    assert_true(a.len <= 4096 && b.len > 4096);
    dlo_rule_set(&want.remote_addresses, dlo_buf_str(&a));
    dlo_rule_set(&have.remote_addresses, dlo_buf_str(&b));
    assert_int_equal(dlo_rule_differences(&want, &have), 0);
    long_list(&b, 350, "/255.255.255.255", "10.9.9.9/255.255.255.255");
    dlo_rule_set(&have.remote_addresses, dlo_buf_str(&b));
    assert_int_equal(dlo_rule_differences(&want, &have), DLO_PROP_REMOTE_ADDRESSES);

    dlo_buf_free(&a);
    dlo_buf_free(&b);
    dlo_rule_free(&want);
    dlo_rule_free(&have);
}

/* The firewall reads lists back in its own order and spelling: a rule that means what the plan
 * says is compliant and gets no write; one read back in a form the agent cannot parse is
 * rewritten, not a crash. */
static void test_read_back_in_another_spelling_is_compliant(void **state)
{
    const char *name = "Arctera DLO - File Sharing (TCP-In)";
    dlo_plan_settings s;
    dlo_plan plan;
    dlo_reconcile_report rep;
    dlo_error err;
    dlo_fw_backend fw;
    dlo_rule *r;
    fwmem m;
    int role;
    (void)state;
    memset(&s, 0, sizeof(s));
    for (role = 0; role < DLO_ROLE_COUNT; role++)
        s.scopes[role] = "10.0.0.0/255.255.255.0,192.168.1.5/255.255.255.255,LocalSubnet";
    assert_int_equal(
        dlo_plan_build(&policy, DLO_ROLE_BIT(DLO_ROLE_STORAGE), DLO_MODE_NONBOI, &s, &plan, &err),
        DLO_OK);
    fwmem_init(&m);
    fw = fwmem_backend(&m);
    apply_ok(&m, &plan);
    r = owned_named(&m, name);
    assert_string_equal(r->local_ports, "135-139,445");
    dlo_rule_set(&r->local_ports, "445,135-139");
    dlo_rule_set(&r->remote_addresses, "localsubnet,192.168.1.5,10.0.0.0/24");
    dlo_rule_set(&r->local_addresses, "Any");
    assert_true(verify(&m, &plan, &rep));
    dlo_reconcile_report_free(&fw, &rep);
    fwmem_reset_counters(&m);
    assert_int_equal(apply(&m, &plan, &rep, &err), DLO_OK);
    assert_int_equal(m.writes, 0);
    dlo_reconcile_report_free(&fw, &rep);

    /* Another meaning is drift. */
    dlo_rule_set(&owned_named(&m, name)->remote_addresses, "10.0.0.0/16,192.168.1.5,LocalSubnet");
    assert_false(verify(&m, &plan, &rep));
    assert_int_equal(rep.diff.items[0].differences, DLO_PROP_REMOTE_ADDRESSES);
    dlo_reconcile_report_free(&fw, &rep);

    dlo_rule_set(&owned_named(&m, name)->local_ports, "445;135-139");
    dlo_rule_set(&owned_named(&m, name)->remote_addresses, "10.0.0.0/8/8");
    assert_false(verify(&m, &plan, &rep));
    assert_int_equal(rep.diff.items[0].differences,
                     DLO_PROP_LOCAL_PORTS | DLO_PROP_REMOTE_ADDRESSES);
    dlo_reconcile_report_free(&fw, &rep);
    assert_repaired_with(&m, &plan, 2);
    dlo_plan_free(&plan);
    fwmem_free(&m);
}

/* Every property of the firewall's rules is compared, the ones the plan leaves at their
 * defaults too: an owned rule switched to edge traversal (or bound to an interface, given an
 * owner, an IPsec requirement...) is drift, repaired with one write. */
static void test_every_property_is_drift_and_repaired(void **state)
{
    static const struct {
        unsigned bit;
        const char *text;
        long number;
    } cases[] = {
        {DLO_PROP_EDGE_TRAVERSAL, NULL, 1},
        {DLO_PROP_EDGE_TRAVERSAL, NULL, 2},
        {DLO_PROP_INTERFACE_TYPES, "Wireless", 0},
        {DLO_PROP_INTERFACES, "Ethernet 2", 0},
        {DLO_PROP_ICMP_TYPES, "8:*", 0},
        {DLO_PROP_APP_PACKAGE_ID, "S-1-15-2-1", 0},
        {DLO_PROP_LOCAL_USER_OWNER, "S-1-5-21-1-2-3-1001", 0},
        {DLO_PROP_LOCAL_USERS, "O:LSD:(A;;CC;;;WD)", 0},
        {DLO_PROP_REMOTE_USERS, "O:LSD:(A;;CC;;;WD)", 0},
        {DLO_PROP_REMOTE_MACHINES, "O:LSD:(A;;CC;;;WD)", 0},
        {DLO_PROP_SECURE_FLAGS, NULL, 1},
    };
    const char *name = "Arctera DLO - Edge Server HTTPS (TCP-In)";
    fwmem m;
    dlo_plan plan;
    dlo_reconcile_report rep;
    dlo_fw_backend fw;
    size_t i;
    (void)state;
    fw = applied_edge_server(&m, &plan);

    /* Windows' spelling of the defaults is no drift. */
    dlo_rule_set(&owned_named(&m, name)->interface_types, "all");
    assert_true(verify(&m, &plan, &rep));
    dlo_reconcile_report_free(&fw, &rep);

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const dlo_prop *p = dlo_prop_find(cases[i].bit);
        dlo_rule *r = owned_named(&m, name);
        assert_non_null(p);
        if (cases[i].text)
            assert_int_equal(dlo_prop_set_text(r, p, cases[i].text), DLO_OK);
        else
            dlo_prop_set_number(r, p, cases[i].number);
        assert_false(verify(&m, &plan, &rep));
        assert_int_equal(rep.diff.count, 1);
        if (rep.diff.items[0].differences != cases[i].bit)
            fail_msg("case %d (%s): differences 0x%x", (int)i, p->name,
                     rep.diff.items[0].differences);
        dlo_reconcile_report_free(&fw, &rep);
        assert_repaired_with(&m, &plan, 1);
    }
    dlo_plan_free(&plan);
    fwmem_free(&m);
}

/* What a rule lets through is the product of its properties: within the bound when each one
 * is, or nothing at all when it is disabled (every rule here is an Allow rule). */
static bool lets_through_within(const dlo_rule *r, const dlo_rule *bound)
{
    size_t i;
    if (!r->enabled || r->action == DLO_ACTION_BLOCK)
        return true;
    for (i = 0; i < DLO_PROP_COUNT; i++)
        if (!dlo_prop_within(&dlo_props[i], r, bound))
            return false;
    return true;
}

static void scoped_rule(dlo_rule *r, const char *ports, const char *remote, unsigned profiles)
{
    dlo_rule_init(r);
    dlo_rule_set(&r->name, "Scoped (TCP-In)");
    dlo_rule_set(&r->grouping, DLO_RULE_GROUPING);
    r->protocol = DLO_PROTO_TCP;
    r->profiles = profiles;
    dlo_rule_set(&r->local_ports, ports);
    dlo_rule_set(&r->remote_addresses, remote);
}

/* An update stopped after any of its writes (the write fails, and so does every later one, the
 * rollback's too, as when the process is killed) leaves a rule within the old one or within the
 * new one, never wider than both. */
static void check_never_wider(const dlo_rule *old, const dlo_rule *want, size_t expect_writes)
{
    dlo_rule_list plan;
    dlo_reconcile_report rep;
    dlo_error err;
    fwmem m;
    dlo_fw_backend fw;
    size_t k;

    dlo_rule_list_init(&plan);
    assert_int_equal(dlo_rule_copy(dlo_rule_list_add(&plan), want), DLO_OK);
    fwmem_init(&m);
    fw = fwmem_backend(&m);
    fwmem_plant(&m, old);
    assert_int_equal(dlo_reconcile_apply(&fw, &plan, &rep, &err), DLO_OK);
    assert_int_equal(rep.writes, expect_writes);
    dlo_reconcile_report_free(&fw, &rep);
    assert_int_equal(dlo_rule_differences(want, &m.rules.items[0]), 0);
    fwmem_free(&m);

    for (k = 1; k <= expect_writes; k++) {
        const dlo_rule *now;
        fwmem_init(&m);
        fw = fwmem_backend(&m);
        fwmem_plant(&m, old);
        m.fail_from = (unsigned)k;
        assert_int_equal(dlo_reconcile_apply(&fw, &plan, &rep, &err), DLO_E_ACCESS);
        dlo_reconcile_report_free(&fw, &rep);
        now = &m.rules.items[0];
        assert_int_equal(m.rules.count, 1);
        if (!lets_through_within(now, old) && !lets_through_within(now, want))
            fail_msg("stopped before write %d: ports %s, remote %s, profiles %u, enabled %d is "
                     "wider than both the old and the new rule",
                     (int)k, dlo_str(now->local_ports), dlo_str(now->remote_addresses),
                     now->profiles, now->enabled);
        fwmem_free(&m);
    }
    dlo_rule_list_free(&plan);
}

static void test_update_is_never_wider_than_old_and_new(void **state)
{
    dlo_rule old, want;
    (void)state;
    /* Ports narrow, addresses and profiles widen: the narrowing first. */
    scoped_rule(&old, "443,8443", "10.0.0.0/8", DLO_PROFILE_DOMAIN);
    scoped_rule(&want, "443", "*", DLO_PROFILE_ALL);
    check_never_wider(&old, &want, 3);
    dlo_rule_free(&old);
    dlo_rule_free(&want);
    /* Ports and addresses both move sideways, profiles widen: the rule is off meanwhile. */
    scoped_rule(&old, "8443", "10.0.0.0/8", DLO_PROFILE_DOMAIN);
    scoped_rule(&want, "443", "192.168.0.0/16", DLO_PROFILE_DOMAIN | DLO_PROFILE_PRIVATE);
    check_never_wider(&old, &want, 5);
    dlo_rule_free(&old);
    dlo_rule_free(&want);
    /* One sideways, one narrowing: no need to switch it off. */
    scoped_rule(&old, "8443", "*", DLO_PROFILE_ALL);
    scoped_rule(&want, "443", "10.0.0.0/8", DLO_PROFILE_DOMAIN);
    check_never_wider(&old, &want, 3);
    dlo_rule_free(&old);
    dlo_rule_free(&want);
}

/* A cautious pass (detection partial, or the SQL port a default) adds and widens only: the
 * owned rule keeps its ports, addresses and profiles joined with the plan's, and nothing is
 * removed. */
static void test_cautious_apply_never_narrows(void **state)
{
    dlo_rule_list plan;
    dlo_rule old, stale;
    dlo_reconcile_report rep;
    dlo_error err;
    fwmem m;
    dlo_fw_backend fw;
    dlo_buf text;
    const dlo_rule *now;
    (void)state;

    dlo_rule_list_init(&plan);
    scoped_rule(dlo_rule_list_add(&plan), "1433", "10.1.0.0/16", DLO_PROFILE_DOMAIN);
    scoped_rule(&old, "14331", "10.2.0.0/16", DLO_PROFILE_PRIVATE);
    scoped_rule(&stale, "9999", "*", DLO_PROFILE_ALL);
    dlo_rule_set(&stale.name, "Stale (TCP-In)");
    fwmem_init(&m);
    fw = fwmem_backend(&m);
    fwmem_plant(&m, &old);
    fwmem_plant(&m, &stale);

    assert_int_equal(dlo_reconcile_apply_opts(&fw, &plan, true, &rep, &err), DLO_OK);
    assert_true(rep.cautious);
    assert_int_equal(rep.widened, 1);
    assert_int_equal(rep.withheld, 1);
    dlo_buf_init(&text);
    dlo_report_apply_text(&text, &rep);
    assert_non_null(strstr(dlo_buf_str(&text), "no rule was narrowed or removed (1 kept wider "
                                               "than planned, 1 removals withheld)"));
    dlo_buf_free(&text);
    dlo_reconcile_report_free(&fw, &rep);
    assert_int_equal(m.rules.count, 2);
    now = fwmem_find(&m, "Scoped (TCP-In)", DLO_RULE_GROUPING);
    assert_true(dlo_ports_same(now->local_ports, "1433,14331"));
    assert_true(dlo_addr_same(now->remote_addresses, "10.1.0.0/16,10.2.0.0/16"));
    assert_int_equal(now->profiles, DLO_PROFILE_DOMAIN | DLO_PROFILE_PRIVATE);
    assert_true(lets_through_within(&old, now));

    /* A second cautious pass has nothing to do; a full one narrows to the plan. */
    fwmem_reset_counters(&m);
    assert_int_equal(dlo_reconcile_apply_opts(&fw, &plan, true, &rep, &err), DLO_OK);
    assert_int_equal(m.writes, 0);
    dlo_reconcile_report_free(&fw, &rep);
    assert_int_equal(dlo_reconcile_apply_opts(&fw, &plan, false, &rep, &err), DLO_OK);
    dlo_reconcile_report_free(&fw, &rep);
    assert_int_equal(m.rules.count, 1);
    assert_int_equal(dlo_rule_differences(&plan.items[0], &m.rules.items[0]), 0);

    dlo_rule_free(&old);
    dlo_rule_free(&stale);
    dlo_rule_list_free(&plan);
    fwmem_free(&m);
}

/* Binding a rule to a program narrows it, unbinding widens it, and trading one program for
 * another takes the first one's port away: a cautious pass changes the binding of no rule
 * there is (a new one is added as planned), while a full pass binds as planned. */
static void test_cautious_apply_never_binds(void **state)
{
    dlo_rule_list plan;
    dlo_rule old;
    dlo_reconcile_report rep;
    dlo_error err;
    fwmem m;
    dlo_fw_backend fw;
    const dlo_rule *now;
    (void)state;

    dlo_rule_list_init(&plan);
    scoped_rule(dlo_rule_list_add(&plan), "1433", "*", DLO_PROFILE_DOMAIN);
    dlo_rule_set(&plan.items[0].application, "C:\\SQL\\Binn\\sqlservr.exe");
    dlo_rule_set(&plan.items[0].service, "MSSQLSERVER");
    scoped_rule(&old, "1433", "*", DLO_PROFILE_DOMAIN);
    fwmem_init(&m);
    fw = fwmem_backend(&m);
    fwmem_plant(&m, &old);

    assert_int_equal(dlo_reconcile_apply_opts(&fw, &plan, true, &rep, &err), DLO_OK);
    assert_int_equal(rep.widened, 1);
    dlo_reconcile_report_free(&fw, &rep);
    now = fwmem_find(&m, "Scoped (TCP-In)", DLO_RULE_GROUPING);
    assert_null(now->application);
    assert_null(now->service);
    assert_int_equal(m.writes, 0);

    /* Bound to another program: a rule names one, so the two cannot be joined, and unbinding
     * would let every program in. A cautious pass keeps the binding the rule has. */
    dlo_rule_set(&old.application, "C:\\Old\\sqlservr.exe");
    dlo_rule_set(&old.service, "MSSQL$OLD");
    fwmem_free(&m);
    fwmem_init(&m);
    fwmem_plant(&m, &old);
    assert_int_equal(dlo_reconcile_apply_opts(&fw, &plan, true, &rep, &err), DLO_OK);
    dlo_reconcile_report_free(&fw, &rep);
    now = fwmem_find(&m, "Scoped (TCP-In)", DLO_RULE_GROUPING);
    assert_string_equal(now->application, "C:\\Old\\sqlservr.exe");
    assert_string_equal(now->service, "MSSQL$OLD");
    assert_int_equal(m.writes, 0);

    /* A rule not there yet is added as planned, bound: adding narrows nothing. */
    fwmem_free(&m);
    fwmem_init(&m);
    assert_int_equal(dlo_reconcile_apply_opts(&fw, &plan, true, &rep, &err), DLO_OK);
    dlo_reconcile_report_free(&fw, &rep);
    now = fwmem_find(&m, "Scoped (TCP-In)", DLO_RULE_GROUPING);
    assert_string_equal(now->application, "C:\\SQL\\Binn\\sqlservr.exe");
    fwmem_free(&m);
    fwmem_init(&m);
    fwmem_plant(&m, &old);

    /* A full pass binds as planned. */
    assert_int_equal(dlo_reconcile_apply_opts(&fw, &plan, false, &rep, &err), DLO_OK);
    dlo_reconcile_report_free(&fw, &rep);
    now = fwmem_find(&m, "Scoped (TCP-In)", DLO_RULE_GROUPING);
    assert_string_equal(now->application, "C:\\SQL\\Binn\\sqlservr.exe");
    assert_string_equal(now->service, "MSSQLSERVER");

    dlo_rule_free(&old);
    dlo_rule_list_free(&plan);
    fwmem_free(&m);
}

/* A planned rule whose evidence settled nothing (keep_binding) leaves the program and service
 * as the firewall has them: a bound rule stays bound through any update of its other
 * properties, /verify finds it compliant, a new rule is added unbound, and only a plan that
 * unbinds by configuration takes the binding off. */
static void test_kept_binding_is_never_written(void **state)
{
    dlo_rule_list plan;
    dlo_rule bound;
    dlo_reconcile_report rep;
    dlo_error err;
    fwmem m;
    dlo_fw_backend fw;
    const dlo_rule *now;
    bool compliant;
    (void)state;

    dlo_rule_list_init(&plan);
    scoped_rule(dlo_rule_list_add(&plan), "3999", "*", DLO_PROFILE_DOMAIN);
    plan.items[0].keep_binding = true;
    fwmem_init(&m);
    fw = fwmem_backend(&m);

    /* Nothing stands yet: added unbound. */
    assert_int_equal(dlo_reconcile_apply(&fw, &plan, &rep, &err), DLO_OK);
    dlo_reconcile_report_free(&fw, &rep);
    now = fwmem_find(&m, "Scoped (TCP-In)", DLO_RULE_GROUPING);
    assert_true(!now->application && !now->service);

    /* Bound, and drifted in its profiles: the update writes the profiles only. */
    fwmem_free(&m);
    fwmem_init(&m);
    scoped_rule(&bound, "3999", "*", DLO_PROFILE_ALL);
    dlo_rule_set(&bound.application, "C:\\DLO\\DLOAdminSvcu.exe");
    dlo_rule_set(&bound.service, "DLOAdminSvcu");
    fwmem_plant(&m, &bound);
    assert_int_equal(dlo_reconcile_verify(&fw, &plan, &rep, &compliant, &err), DLO_OK);
    assert_false(compliant);
    assert_int_equal(rep.diff.items[0].differences, DLO_PROP_PROFILES);
    dlo_reconcile_report_free(&fw, &rep);
    fwmem_reset_counters(&m);
    assert_int_equal(dlo_reconcile_apply(&fw, &plan, &rep, &err), DLO_OK);
    dlo_reconcile_report_free(&fw, &rep);
    assert_int_equal(m.writes, 1);
    now = fwmem_find(&m, "Scoped (TCP-In)", DLO_RULE_GROUPING);
    assert_string_equal(now->application, "C:\\DLO\\DLOAdminSvcu.exe");
    assert_string_equal(now->service, "DLOAdminSvcu");
    assert_int_equal(now->profiles, DLO_PROFILE_DOMAIN);
    assert_int_equal(dlo_reconcile_verify(&fw, &plan, &rep, &compliant, &err), DLO_OK);
    assert_true(compliant);
    dlo_reconcile_report_free(&fw, &rep);

    /* A cautious pass leaves it too. */
    fwmem_reset_counters(&m);
    assert_int_equal(dlo_reconcile_apply_opts(&fw, &plan, true, &rep, &err), DLO_OK);
    dlo_reconcile_report_free(&fw, &rep);
    assert_int_equal(m.writes, 0);

    /* BindToServices 0 (a plan that names no program and keeps nothing) unbinds. */
    plan.items[0].keep_binding = false;
    assert_int_equal(dlo_reconcile_apply(&fw, &plan, &rep, &err), DLO_OK);
    dlo_reconcile_report_free(&fw, &rep);
    now = fwmem_find(&m, "Scoped (TCP-In)", DLO_RULE_GROUPING);
    assert_true(!now->application || !*now->application);
    assert_true(!now->service || !*now->service);

    dlo_rule_free(&bound);
    dlo_rule_list_free(&plan);
    fwmem_free(&m);
}

static void test_stale_and_duplicate_owned_rules_are_removed(void **state)
{
    fwmem m;
    dlo_plan plan;
    dlo_reconcile_report rep;
    dlo_error err;
    dlo_fw_backend fw;
    dlo_rule dup;
    (void)state;
    fwmem_init(&m);
    fw = fwmem_backend(&m);
    make_plan(DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER), DLO_MODE_NONBOI, &plan);
    apply_ok(&m, &plan);
    /* A copy of a planned rule, and a rule of ours from an older plan. */
    dlo_rule_copy(&dup, &plan.rules.items[0]);
    fwmem_plant(&m, &dup);
    dlo_rule_set(&dup.name, "Arctera DLO - Retired Port (TCP-In)");
    fwmem_plant(&m, &dup);
    dlo_rule_free(&dup);

    assert_false(verify(&m, &plan, &rep));
    assert_int_equal(rep.diff.count, 2);
    assert_int_equal(rep.diff.items[0].kind, DLO_CHANGE_REMOVE);
    assert_int_equal(rep.diff.items[1].kind, DLO_CHANGE_REMOVE);
    dlo_reconcile_report_free(&fw, &rep);

    assert_int_equal(apply(&m, &plan, &rep, &err), DLO_OK);
    assert_int_equal(rep.writes, 2);
    dlo_reconcile_report_free(&fw, &rep);
    assert_exactly(&m, &plan);
    dlo_plan_free(&plan);
    fwmem_free(&m);
}

/* At every write position k of a run, a failure puts the owned rules back exactly as they were
 * before the run, and the error says what failed. */
static void check_rollback_at_every_write(dlo_role_set roles_before, dlo_mode mode_before,
                                          dlo_role_set roles_after, dlo_mode mode_after)
{
    dlo_plan before, after;
    unsigned k, total;
    fwmem probe;
    make_plan(roles_before, mode_before, &before);
    make_plan(roles_after, mode_after, &after);

    /* How many writes the run takes without faults. */
    fwmem_init(&probe);
    if (roles_before)
        apply_ok(&probe, &before);
    fwmem_reset_counters(&probe);
    apply_ok(&probe, &after);
    total = probe.writes;
    fwmem_free(&probe);
    assert_true(total > 0);

    for (k = 1; k <= total; k++) {
        fwmem m;
        dlo_buf snap_before, snap_after;
        dlo_reconcile_report rep;
        dlo_error err;
        dlo_fw_backend fw;
        fwmem_init(&m);
        fw = fwmem_backend(&m);
        if (roles_before)
            apply_ok(&m, &before);
        /* A drifted rule too: the rollback must restore the drift as it was. */
        if (m.rules.count)
            dlo_rule_set(&m.rules.items[0].description, "hand-edited");
        dlo_buf_init(&snap_before);
        dlo_buf_init(&snap_after);
        state_text(&m, true, &snap_before);

        fwmem_reset_counters(&m);
        m.fail_at = k;
        dlo_error_clear(&err);
        assert_int_equal(apply(&m, &after, &rep, &err), DLO_E_ACCESS);
        assert_true(rep.rolled_back);
        assert_false(rep.rollback_failed);
        if (!strstr(err.msg, "injected failure of write") ||
            !strstr(err.msg, "put back as they were"))
            fail_msg("write %u: unhelpful error '%s'", k, err.msg);
        dlo_reconcile_report_free(&fw, &rep);
        state_text(&m, true, &snap_after);
        if (strcmp(dlo_buf_str(&snap_before), dlo_buf_str(&snap_after)) != 0)
            fail_msg("failure at write %u of %u: owned rules differ after rollback", k, total);

        /* The next run, without faults, converges. */
        m.fail_at = 0;
        apply_ok(&m, &after);
        assert_exactly(&m, &after);
        dlo_buf_free(&snap_before);
        dlo_buf_free(&snap_after);
        fwmem_free(&m);
    }
    dlo_plan_free(&before);
    dlo_plan_free(&after);
}

static void test_rollback_from_empty(void **state)
{
    (void)state;
    check_rollback_at_every_write(0, DLO_MODE_NONBOI, DLO_ROLE_ALL_MASK, DLO_MODE_OCCASIONAL);
}

static void test_rollback_on_mode_change(void **state)
{
    (void)state;
    check_rollback_at_every_write(
        DLO_ROLE_BIT(DLO_ROLE_ADMIN_CONSOLE) | DLO_ROLE_BIT(DLO_ROLE_CLIENT), DLO_MODE_NONBOI,
        DLO_ROLE_BIT(DLO_ROLE_ADMIN_CONSOLE) | DLO_ROLE_BIT(DLO_ROLE_CLIENT), DLO_MODE_EXCLUSIVE);
    check_rollback_at_every_write(DLO_ROLE_ALL_MASK, DLO_MODE_OCCASIONAL, 0, DLO_MODE_NONBOI);
}

/* A failed write names the rule, its matrix row and the row's line, as the planner has them;
 * a removal of a rule no row plans names the rule alone. */
static void test_failed_write_names_the_matrix_row(void **state)
{
    dlo_plan plan;
    fwmem m;
    dlo_reconcile_report rep;
    dlo_error err;
    dlo_buf want;
    dlo_fw_backend fw;
    (void)state;
    make_plan(DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER), DLO_MODE_EXCLUSIVE, &plan);
    fwmem_init(&m);
    fw = fwmem_backend(&m);
    dlo_buf_init(&want);
    dlo_buf_printf(&want, "adding rule '%s' (", plan.rules.items[0].name);
    test_rule_origin(&policy, "dlo-10.0.ports", plan.rules.items[0].rows, &want);
    dlo_buf_puts(&want, ") failed: injected failure of write 1; ");
    m.fail_at = 1;
    assert_int_equal(apply(&m, &plan, &rep, &err), DLO_E_ACCESS);
    if (strncmp(err.msg, dlo_buf_str(&want), want.len) != 0)
        fail_msg("error '%s', expected it to start '%s'", err.msg, dlo_buf_str(&want));
    dlo_reconcile_report_free(&fw, &rep);

    /* The plan applied, then removed: the first removal fails. */
    m.fail_at = 0;
    apply_ok(&m, &plan);
    fwmem_reset_counters(&m);
    m.fail_at = 1;
    assert_int_equal(dlo_reconcile_remove(&fw, &rep, &err), DLO_E_ACCESS);
    if (strncmp(err.msg, "removing rule 'Arctera DLO - ", 29) != 0 || strstr(err.msg, "matrix row"))
        fail_msg("a removal names its rule and no row: '%s'", err.msg);
    dlo_reconcile_report_free(&fw, &rep);
    dlo_buf_free(&want);
    dlo_plan_free(&plan);
    fwmem_free(&m);
}

/* A matrix named on the command line may sit deep in a folder tree: its path is not cut. */
static void test_failed_write_names_a_long_matrix_path(void **state)
{
    char source[300];
    dlo_policy deep;
    dlo_plan plan;
    fwmem m;
    dlo_reconcile_report rep;
    dlo_error err;
    dlo_buf text;
    dlo_fw_backend fw;
    (void)state;
    memset(source, 'd', sizeof(source));
    memcpy(source, "C:\\", 3);
    memcpy(source + sizeof(source) - 16, "\\dlo-10.0.ports", 16);
    source[sizeof(source) - 1] = '\0';
    dlo_buf_init(&text);
    test_read_source_file("policies/dlo-10.0.ports", &text);
    assert_int_equal(dlo_policy_parse(text.data, text.len, source, &deep, &err), DLO_OK);
    assert_int_equal(dlo_plan_build(&deep, DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER), DLO_MODE_EXCLUSIVE,
                                    NULL, &plan, &err),
                     DLO_OK);
    fwmem_init(&m);
    fw = fwmem_backend(&m);
    m.fail_at = 1;
    assert_int_equal(apply(&m, &plan, &rep, &err), DLO_E_ACCESS);
    if (!strstr(err.msg, plan.rules.items[0].origin) ||
        !strstr(err.msg, "failed: injected failure of write 1"))
        fail_msg("error '%s' lacks '%s'", err.msg, plan.rules.items[0].origin);
    dlo_reconcile_report_free(&fw, &rep);
    fwmem_free(&m);
    dlo_plan_free(&plan);
    dlo_policy_free(&deep);
    dlo_buf_free(&text);
}

static void test_failed_rollback_is_reported_and_next_run_converges(void **state)
{
    fwmem m;
    dlo_plan plan;
    dlo_reconcile_report rep;
    dlo_error err;
    dlo_fw_backend fw;
    (void)state;
    fwmem_init(&m);
    fw = fwmem_backend(&m);
    make_plan(DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER), DLO_MODE_NONBOI, &plan);
    m.fail_from = 3;
    assert_int_equal(apply(&m, &plan, &rep, &err), DLO_E_ACCESS);
    assert_true(rep.rollback_failed);
    assert_non_null(strstr(err.msg, "the next run will repair them"));
    dlo_reconcile_report_free(&fw, &rep);
    m.fail_from = 0;
    apply_ok(&m, &plan);
    assert_exactly(&m, &plan);
    dlo_plan_free(&plan);
    fwmem_free(&m);
}

static const dlo_problem *warning_of(const dlo_reconcile_report *rep, const char *kind,
                                     const char *text)
{
    size_t i;
    for (i = 0; i < rep->n_warnings; i++)
        if (strcmp(rep->warnings[i].kind, kind) == 0 && strstr(rep->warnings[i].message, text))
            return &rep->warnings[i];
    return NULL;
}

static bool has_problem(const dlo_reconcile_report *rep, const char *kind, const char *text)
{
    size_t i;
    for (i = 0; i < rep->n_problems; i++)
        if (strcmp(rep->problems[i].kind, kind) == 0 && strstr(rep->problems[i].message, text))
            return true;
    return false;
}

static void test_verify_reports_what_makes_rules_ineffective(void **state)
{
    fwmem m;
    dlo_plan plan;
    dlo_reconcile_report rep;
    dlo_fw_backend fw;
    dlo_rule *r;
    (void)state;
    fw = applied_edge_server(&m, &plan);
    assert_true(verify(&m, &plan, &rep));
    dlo_reconcile_report_free(&fw, &rep);

    m.state.enabled[2] = false;
    assert_false(verify(&m, &plan, &rep));
    assert_true(has_problem(&rep, "firewall-off", "Public profile"));
    assert_int_equal(rep.diff.count, 0);
    dlo_reconcile_report_free(&fw, &rep);
    m.state.enabled[2] = true;

    m.state.gp_override = true;
    assert_false(verify(&m, &plan, &rep));
    assert_true(has_problem(&rep, "gp-override", "Group Policy"));
    dlo_reconcile_report_free(&fw, &rep);
    m.state.gp_override = false;

    /* A foreign Block rule on an unrelated port, one for a program, one outbound: harmless. */
    plant_foreign(&m, "Block 9999", NULL, DLO_ACTION_BLOCK, DLO_DIR_IN, DLO_PROTO_TCP, "9999");
    plant_foreign(&m, "Block UDP 443", NULL, DLO_ACTION_BLOCK, DLO_DIR_IN, DLO_PROTO_UDP, "443");
    plant_foreign(&m, "Block for a program", NULL, DLO_ACTION_BLOCK, DLO_DIR_IN, DLO_PROTO_TCP,
                  "443");
    dlo_rule_set(&m.rules.items[m.rules.count - 1].application, "C:\\x\\y.exe");
    assert_true(verify(&m, &plan, &rep));
    dlo_reconcile_report_free(&fw, &rep);
    /* A range covering 443, inbound TCP: it wins over the agent's Allow rule. */
    plant_foreign(&m, "Block web", "Hardening", DLO_ACTION_BLOCK, DLO_DIR_IN, DLO_PROTO_TCP,
                  "400-500");
    assert_false(verify(&m, &plan, &rep));
    assert_true(has_problem(&rep, "blocked-by-rule",
                            "'Block web' blocks what 'Arctera DLO - Edge Server HTTPS (TCP-In)'"));
    dlo_reconcile_report_free(&fw, &rep);
    m.rules.items[m.rules.count - 1].enabled = false;
    assert_true(verify(&m, &plan, &rep));
    dlo_reconcile_report_free(&fw, &rep);

    /* Outbound blocked by default: only a problem while outbound rules are missing. */
    m.state.outbound_block[0] = true;
    assert_true(verify(&m, &plan, &rep));
    dlo_reconcile_report_free(&fw, &rep);
    r = owned_named(&m, "Arctera DLO - Dedupe Server AJP (TCP-Out)");
    assert_non_null(r);
    dlo_rule_set(&r->name, "renamed by someone");
    assert_false(verify(&m, &plan, &rep));
    assert_true(has_problem(&rep, "outbound-blocked", "Domain profile"));
    dlo_reconcile_report_free(&fw, &rep);

    dlo_plan_free(&plan);
    fwmem_free(&m);
}

/* Block rules that hold some remote addresses, against planned rules open to any: whether they
 * stop DLO's traffic depends on where the peers are, which the configuration does not say. One
 * may-block warning says so for all of them, with the scope values that would settle it; a rule
 * that may block for another reason keeps a warning of its own; none is a problem. */
static void test_blocks_for_want_of_a_scope_share_one_warning(void **state)
{
    fwmem m;
    dlo_plan plan;
    dlo_reconcile_report rep;
    dlo_fw_backend fw;
    const dlo_problem *w;
    int i;
    (void)state;
    fwmem_init(&m);
    make_plan(DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER), DLO_MODE_EXCLUSIVE, &plan);
    apply_ok(&m, &plan);
    fw = fwmem_backend(&m);
    for (i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof(name), "Block Malware IP %d", i);
        plant_foreign(&m, name, NULL, DLO_ACTION_BLOCK, DLO_DIR_IN, DLO_PROTO_ANY, NULL);
        dlo_rule_set(&m.rules.items[m.rules.count - 1].remote_addresses, "198.51.100.7");
    }
    plant_foreign(&m, "For local users", NULL, DLO_ACTION_BLOCK, DLO_DIR_IN, DLO_PROTO_TCP, "443");
    dlo_rule_set(&m.rules.items[m.rules.count - 1].local_users, "O:LSD:(D;;CC;;;S-1-2-1)");
    assert_true(verify(&m, &plan, &rep));
    assert_int_equal(rep.n_problems, 0);
    w = warning_of(&rep, "may-block",
                   "4 rules of the local store ('Block Malware IP 0', 'Block "
                   "Malware IP 1', 'Block Malware IP 2', ...) may block");
    assert_non_null(w);
    assert_non_null(w->settings);
    assert_non_null(strstr(w->settings, "ClientNetworks"));
    assert_non_null(warning_of(&rep, "may-block", "the local rule 'For local users' may block"));
    assert_int_equal(rep.n_warnings, 2);
    dlo_reconcile_report_free(&fw, &rep);
    dlo_plan_free(&plan);
    fwmem_free(&m);
}

/* The agent plans RPC keywords (PushInstallPorts=rpc): a foreign Block rule stops them when it
 * names the same keyword, or 135 for the endpoint mapper; a Block on the numeric dynamic range
 * says nothing about RPC's endpoints, which Windows places at run time. */
static void test_block_rules_meet_the_rpc_keywords(void **state)
{
    fwmem m;
    dlo_plan plan;
    dlo_reconcile_report rep;
    dlo_fw_backend fw;
    dlo_error err;
    dlo_plan_settings s;
    (void)state;
    memset(&s, 0, sizeof(s));
    s.rpc_keywords = true;
    fwmem_init(&m);
    assert_int_equal(
        dlo_plan_build(&policy, DLO_ROLE_BIT(DLO_ROLE_CLIENT), DLO_MODE_NONBOI, &s, &plan, &err),
        DLO_OK);
    apply_ok(&m, &plan);
    fw = fwmem_backend(&m);

    plant_foreign(&m, "Block dynamic", NULL, DLO_ACTION_BLOCK, DLO_DIR_IN, DLO_PROTO_TCP,
                  "49152-65535");
    assert_true(verify(&m, &plan, &rep));
    assert_non_null(warning_of(&rep, "may-block",
                               "'Block dynamic' may block what 'Arctera DLO - Push Installation "
                               "RPC (TCP-In)' allows; its local ports"));
    dlo_reconcile_report_free(&fw, &rep);
    m.rules.items[m.rules.count - 1].enabled = false;

    plant_foreign(&m, "Block RPC", NULL, DLO_ACTION_BLOCK, DLO_DIR_IN, DLO_PROTO_TCP, "RPC");
    assert_false(verify(&m, &plan, &rep));
    assert_true(
        has_problem(&rep, "blocked-by-rule",
                    "'Block RPC' blocks what 'Arctera DLO - Push Installation RPC (TCP-In)'"));
    assert_false(has_problem(&rep, "blocked-by-rule", "Endpoint Mapper"));
    dlo_reconcile_report_free(&fw, &rep);
    m.rules.items[m.rules.count - 1].enabled = false;

    plant_foreign(&m, "Block 135", NULL, DLO_ACTION_BLOCK, DLO_DIR_IN, DLO_PROTO_TCP, "135");
    assert_false(verify(&m, &plan, &rep));
    assert_true(has_problem(&rep, "blocked-by-rule",
                            "'Block 135' blocks what 'Arctera DLO - Push Installation RPC "
                            "Endpoint Mapper (TCP-In)'"));
    dlo_reconcile_report_free(&fw, &rep);

    dlo_plan_free(&plan);
    fwmem_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apply_from_empty_then_nothing_to_do),
        cmocka_unit_test(test_block_rules_meet_the_rpc_keywords),
        cmocka_unit_test(test_blocks_for_want_of_a_scope_share_one_warning),
        cmocka_unit_test(test_foreign_rules_are_never_touched),
        cmocka_unit_test(test_drift_is_reported_and_repaired_with_one_write),
        cmocka_unit_test(test_windows_spellings_are_not_drift),
        cmocka_unit_test(test_long_lists_compare_whole),
        cmocka_unit_test(test_every_property_is_drift_and_repaired),
        cmocka_unit_test(test_update_is_never_wider_than_old_and_new),
        cmocka_unit_test(test_cautious_apply_never_narrows),
        cmocka_unit_test(test_cautious_apply_never_binds),
        cmocka_unit_test(test_kept_binding_is_never_written),
        cmocka_unit_test(test_stale_and_duplicate_owned_rules_are_removed),
        cmocka_unit_test(test_rollback_from_empty),
        cmocka_unit_test(test_rollback_on_mode_change),
        cmocka_unit_test(test_failed_rollback_is_reported_and_next_run_converges),
        cmocka_unit_test(test_failed_write_names_the_matrix_row),
        cmocka_unit_test(test_failed_write_names_a_long_matrix_path),
        cmocka_unit_test(test_verify_reports_what_makes_rules_ineffective),
        cmocka_unit_test(test_read_back_in_another_spelling_is_compliant),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
