/* The planner over the real port matrix: properties that must hold for every combination of
 * roles in every mode, merging, settings, and the golden plans of single roles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dlo/addr.h"
#include "dlo/binding.h"
#include "dlo/report.h"
#include "dlo/plan.h"
#include "dlo/policy.h"
#include "dlo/portset.h"
#include "dlo/reconcile.h"
#include "fwmem.h"
#include "testutil.h"

static dlo_policy policy;

static int load_policy(void **state)
{
    dlo_buf text;
    dlo_error err;
    (void)state;
    dlo_buf_init(&text);
    test_read_source_file("policies/dlo-10.0.ports", &text);
    if (dlo_policy_parse(text.data, text.len, "dlo-10.0.ports", &policy, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    dlo_buf_free(&text);
    return 0;
}

static int free_policy(void **state)
{
    (void)state;
    dlo_policy_free(&policy);
    return 0;
}

static const dlo_policy_row *row_by_id(const char *id, size_t n)
{
    size_t i;
    for (i = 0; i < policy.n_rows; i++)
        if (strlen(policy.rows[i].id) == n && memcmp(policy.rows[i].id, id, n) == 0)
            return &policy.rows[i];
    return NULL;
}

static void expanded_ports(const dlo_policy_row *row, const char *sql_ports, char *out, size_t size)
{
    const char *tok = strstr(row->ports, DLO_SQL_PORT_TOKEN);
    if (tok)
        snprintf(out, size, "%.*s%s%s", (int)(tok - row->ports), row->ports, sql_ports,
                 tok + strlen(DLO_SQL_PORT_TOKEN));
    else
        snprintf(out, size, "%s", row->ports);
}

/* A port list as the port matrix writes it: numbers and ranges, no keyword, no token. */
static bool plain_ports(const char *ports)
{
    dlo_portset set;
    if (dlo_portset_parse(ports, 0, &set, NULL))
        return false;
    dlo_portset_free(&set);
    return true;
}

/* A failed write names the matrix rows of its rule and where they are. */
static void check_origin(const dlo_rule *r)
{
    dlo_buf want;
    dlo_buf_init(&want);
    test_rule_origin(&policy, "dlo-10.0.ports", r->rows, &want);
    assert_true(want.len > 0);
    if (strcmp(dlo_str(r->origin), dlo_buf_str(&want)) != 0)
        fail_msg("%s: origin '%s', expected '%s'", r->name, dlo_str(r->origin), dlo_buf_str(&want));
    dlo_buf_free(&want);
}

/* Every rule of a plan is justified by rows of the policy, opens exactly their ports, and goes
 * in the direction the rows give the local roles. */
static void check_plan_properties(const dlo_plan *plan, dlo_role_set roles, dlo_mode mode)
{
    size_t i, j;
    for (i = 0; i < plan->rules.count; i++) {
        const dlo_rule *r = &plan->rules.items[i];
        const char *ports = r->direction == DLO_DIR_IN ? r->local_ports : r->remote_ports;
        const char *other = r->direction == DLO_DIR_IN ? r->remote_ports : r->local_ports;
        const char *p = r->rows;
        dlo_role_set peers = 0, justified = 0;

        assert_non_null(ports);
        check_origin(r);
        if (!plain_ports(ports))
            fail_msg("%s: port list '%s' is empty or not a plain port list", r->name, ports);
        assert_string_equal(other, "");
        assert_true(r->local_roles != 0);
        assert_int_equal(r->local_roles & ~roles, 0);
        assert_true(r->protocol == DLO_PROTO_TCP || r->protocol == DLO_PROTO_UDP);
        assert_int_equal(r->action, DLO_ACTION_ALLOW);
        assert_string_equal(r->grouping, DLO_RULE_GROUPING);
        assert_non_null(strstr(r->name, "Arctera DLO - "));
        assert_non_null(strstr(r->description, "Managed by dloagent"));

        while (*p) {
            size_t n = strcspn(p, ",");
            const dlo_policy_row *row = row_by_id(p, n);
            char want[128];
            dlo_role_set local_side, peer_side;
            if (!row)
                fail_msg("%s: row '%.*s' is not in the policy", r->name, (int)n, p);
            assert_true(row->applies[mode]);
            assert_true(row->protocols &
                        (r->protocol == DLO_PROTO_TCP ? DLO_PROTOS_TCP : DLO_PROTOS_UDP));
            expanded_ports(row, plan->sql_ports, want, sizeof(want));
            assert_string_equal(ports, want);
            assert_int_equal(r->profiles, policy.profiles[mode][row->network]);
            local_side = r->direction == DLO_DIR_IN ? row->destinations[mode] : row->sources[mode];
            peer_side = r->direction == DLO_DIR_IN ? row->sources[mode] : row->destinations[mode];
            /* Inbound rules only for Destination roles, outbound only for Sources. */
            assert_true((local_side & roles) != 0);
            justified |= local_side & roles;
            peers |= peer_side;
            p += n + (p[n] == ',');
        }
        assert_int_equal(r->local_roles, justified);
        assert_int_equal(r->peers, peers);
        for (j = i + 1; j < plan->rules.count; j++)
            if (strcmp(r->name, plan->rules.items[j].name) == 0)
                fail_msg("rule name '%s' is used twice", r->name);
    }
}

/* The converse: every row that applies to a local role yields a rule that carries the row. */
static void check_plan_complete(const dlo_plan *plan, dlo_role_set roles, dlo_mode mode)
{
    size_t i, k;
    for (i = 0; i < policy.n_rows; i++) {
        const dlo_policy_row *row = &policy.rows[i];
        int d;
        if (!row->applies[mode])
            continue;
        for (d = 0; d < 2; d++) {
            dlo_direction dir = d == 0 ? DLO_DIR_IN : DLO_DIR_OUT;
            dlo_role_set side = dir == DLO_DIR_IN ? row->destinations[mode] : row->sources[mode];
            int protocols_found = 0;
            if (!(side & roles))
                continue;
            for (k = 0; k < plan->rules.count; k++) {
                const dlo_rule *r = &plan->rules.items[k];
                const char *p = r->rows;
                bool has = false;
                while (*p) {
                    size_t n = strcspn(p, ",");
                    if (n == strlen(row->id) && memcmp(p, row->id, n) == 0)
                        has = true;
                    p += n + (p[n] == ',');
                }
                if (has && r->direction == dir)
                    protocols_found |=
                        r->protocol == DLO_PROTO_TCP ? DLO_PROTOS_TCP : DLO_PROTOS_UDP;
            }
            if ((unsigned)protocols_found != row->protocols)
                fail_msg("row %s, mode %s, roles %#x: %s rules missing", row->id,
                         dlo_mode_name(mode), (unsigned)roles, d == 0 ? "inbound" : "outbound");
        }
    }
}

static void test_every_role_combination_in_every_mode(void **state)
{
    dlo_role_set roles;
    int m;
    (void)state;
    for (m = 0; m < DLO_MODE_COUNT; m++) {
        for (roles = 0; roles <= DLO_ROLE_ALL_MASK; roles++) {
            dlo_plan plan;
            dlo_error err;
            assert_int_equal(dlo_plan_build(&policy, roles, (dlo_mode)m, NULL, &plan, &err),
                             DLO_OK);
            check_plan_properties(&plan, roles, (dlo_mode)m);
            check_plan_complete(&plan, roles, (dlo_mode)m);
            if (roles == 0)
                assert_int_equal(plan.rules.count, 0);
            dlo_plan_free(&plan);
        }
    }
}

/* Windows' RPC and file sharing: the endpoint mapper, NetBIOS, SMB, and the RPC keywords. */
#define WINDOWS_SERVER_PORTS "135,137-139,445,RPC-EPMap,RPC"

/* By default no inbound rule opens Windows' RPC or file-sharing ports to every address on a
 * Private or Public network, for any roles in any mode, whichever push-installation ports:
 * such a path stays on the corporate profiles until an administrator widens them
 * (CorporateProfiles) or scopes its peers. */
static void test_no_rpc_or_smb_open_to_all_off_domain(void **state)
{
    dlo_plan_settings rpc;
    dlo_role_set roles;
    int m, k;
    (void)state;
    memset(&rpc, 0, sizeof(rpc));
    rpc.rpc_keywords = true;
    for (k = 0; k < 2; k++)
        for (m = 0; m < DLO_MODE_COUNT; m++)
            for (roles = 1; roles <= DLO_ROLE_ALL_MASK; roles++) {
                dlo_plan plan;
                dlo_error err;
                size_t i;
                assert_int_equal(
                    dlo_plan_build(&policy, roles, (dlo_mode)m, k ? &rpc : NULL, &plan, &err),
                    DLO_OK);
                for (i = 0; i < plan.rules.count; i++) {
                    const dlo_rule *r = &plan.rules.items[i];
                    if (r->direction == DLO_DIR_IN &&
                        (r->profiles & (DLO_PROFILE_PRIVATE | DLO_PROFILE_PUBLIC)) &&
                        dlo_addr_coverage(r->remote_addresses) &&
                        dlo_ports_overlap(r->local_ports, WINDOWS_SERVER_PORTS))
                        fail_msg("%s, roles %#x: '%s' opens %s to any address off the Domain "
                                 "profile",
                                 dlo_mode_name((dlo_mode)m), (unsigned)roles, r->name,
                                 r->local_ports);
                }
                dlo_plan_free(&plan);
            }
}

/* CorporateProfiles is the value that widens them, as docs/configuration.md says. */
static void test_corporate_profiles_widen_the_rpc_paths(void **state)
{
    dlo_plan_settings s;
    dlo_plan plan;
    dlo_error err;
    size_t i;
    bool found = false;
    (void)state;
    memset(&s, 0, sizeof(s));
    s.profiles[DLO_NET_CORPORATE] = DLO_PROFILE_DOMAIN | DLO_PROFILE_PUBLIC;
    assert_int_equal(dlo_plan_build(&policy, DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER),
                                    DLO_MODE_OCCASIONAL, &s, &plan, &err),
                     DLO_OK);
    for (i = 0; i < plan.rules.count; i++) {
        const dlo_rule *r = &plan.rules.items[i];
        if (r->direction == DLO_DIR_IN && dlo_ports_overlap(r->local_ports, "135")) {
            assert_int_equal(r->profiles, DLO_PROFILE_DOMAIN | DLO_PROFILE_PUBLIC);
            found = true;
        }
    }
    assert_true(found);
    dlo_plan_free(&plan);
}

static bool has_rule(const dlo_plan *plan, const char *name)
{
    size_t i;
    for (i = 0; i < plan->rules.count; i++)
        if (strcmp(plan->rules.items[i].name, name) == 0)
            return true;
    return false;
}

/* A machine with several roles gets the union of their rules, without duplicates. */
static void test_union_of_roles(void **state)
{
    int m, a, b;
    (void)state;
    for (m = 0; m < DLO_MODE_COUNT; m++) {
        for (a = 0; a < DLO_ROLE_COUNT; a++) {
            for (b = a + 1; b < DLO_ROLE_COUNT; b++) {
                dlo_plan pa, pb, pab;
                dlo_error err;
                size_t i, expect = 0;
                assert_int_equal(
                    dlo_plan_build(&policy, DLO_ROLE_BIT(a), (dlo_mode)m, NULL, &pa, &err), 0);
                assert_int_equal(
                    dlo_plan_build(&policy, DLO_ROLE_BIT(b), (dlo_mode)m, NULL, &pb, &err), 0);
                assert_int_equal(dlo_plan_build(&policy, DLO_ROLE_BIT(a) | DLO_ROLE_BIT(b),
                                                (dlo_mode)m, NULL, &pab, &err),
                                 0);
                for (i = 0; i < pa.rules.count; i++) {
                    assert_true(has_rule(&pab, pa.rules.items[i].name));
                    expect++;
                }
                for (i = 0; i < pb.rules.count; i++) {
                    assert_true(has_rule(&pab, pb.rules.items[i].name));
                    if (!has_rule(&pa, pb.rules.items[i].name))
                        expect++;
                }
                assert_int_equal(pab.rules.count, expect);
                dlo_plan_free(&pa);
                dlo_plan_free(&pb);
                dlo_plan_free(&pab);
            }
        }
    }
}

static const dlo_rule *rule_named(const dlo_plan *plan, const char *name)
{
    size_t i;
    for (i = 0; i < plan->rules.count; i++)
        if (strcmp(plan->rules.items[i].name, name) == 0)
            return &plan->rules.items[i];
    fail_msg("no rule named '%s'", name);
    return NULL;
}

static void test_sql_port_setting(void **state)
{
    dlo_plan_settings s;
    dlo_plan plan;
    dlo_error err;
    (void)state;
    memset(&s, 0, sizeof(s));
    s.sql_ports = "51433";
    assert_int_equal(dlo_plan_build(&policy, DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER), DLO_MODE_NONBOI, &s,
                                    &plan, &err),
                     DLO_OK);
    assert_string_equal(rule_named(&plan, "Arctera DLO - SQL Server (TCP-In)")->local_ports,
                        "51433");
    /* The browser keeps its fixed port. */
    assert_string_equal(rule_named(&plan, "Arctera DLO - SQL Server Browser (UDP-In)")->local_ports,
                        "1434");
    dlo_plan_free(&plan);

    /* A dynamic port and a static one, as SQL Server's IPAll can hold. */
    s.sql_ports = "1433,49823";
    assert_int_equal(dlo_plan_build(&policy, DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER), DLO_MODE_NONBOI, &s,
                                    &plan, &err),
                     DLO_OK);
    assert_string_equal(rule_named(&plan, "Arctera DLO - SQL Server (TCP-In)")->local_ports,
                        "1433,49823");
    dlo_plan_free(&plan);

    s.sql_ports = "70000";
    assert_int_equal(dlo_plan_build(&policy, DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER), DLO_MODE_NONBOI, &s,
                                    &plan, &err),
                     DLO_E_CONFIG);
}

#define PUSH_IN  "Arctera DLO - Push Installation (TCP-In)"
#define PUSH_EPM "Arctera DLO - Push Installation RPC Endpoint Mapper (TCP-In)"
#define PUSH_RPC "Arctera DLO - Push Installation RPC (TCP-In)"
/* What a keyword rule may differ in from the rule it was split from. */
#define SPLIT_PROPS (DLO_PROP_LOCAL_PORTS | DLO_PROP_DESCRIPTION)

/* Every rule of a that is not one of the push installation's inbound rules is in b, the same. */
static void assert_same_except_push_in(const dlo_plan *a, const dlo_plan *b)
{
    size_t i;
    for (i = 0; i < a->rules.count; i++) {
        const dlo_rule *r = &a->rules.items[i];
        if (!strcmp(r->name, PUSH_IN) || !strcmp(r->name, PUSH_EPM) || !strcmp(r->name, PUSH_RPC))
            continue;
        assert_true(has_rule(b, r->name));
        assert_int_equal(dlo_rule_differences(r, rule_named(b, r->name)), 0);
    }
}

/* PushInstallPorts=rpc: the client's inbound 135 and 49152-65535 become Windows' keywords, one
 * rule each, 1037, 441 and 1125 stay numbers; nothing else changes, outbound included. */
static void test_rpc_keywords(void **state)
{
    dlo_plan_settings s;
    dlo_plan vendor, rpc;
    dlo_error err;
    dlo_role_set both = DLO_ROLE_BIT(DLO_ROLE_CLIENT) | DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER);
    int m;
    (void)state;
    memset(&s, 0, sizeof(s));
    s.rpc_keywords = true;
    for (m = 0; m < DLO_MODE_COUNT; m++) {
        assert_int_equal(dlo_plan_build(&policy, both, (dlo_mode)m, NULL, &vendor, &err), DLO_OK);
        assert_int_equal(dlo_plan_build(&policy, both, (dlo_mode)m, &s, &rpc, &err), DLO_OK);
        assert_same_except_push_in(&vendor, &rpc);
        assert_same_except_push_in(&rpc, &vendor);
        if (m == DLO_MODE_EXCLUSIVE) { /* the row is NA there */
            assert_false(has_rule(&rpc, PUSH_IN) || has_rule(&rpc, PUSH_EPM) ||
                         has_rule(&rpc, PUSH_RPC));
        } else {
            const dlo_rule *num = rule_named(&rpc, PUSH_IN), *epm = rule_named(&rpc, PUSH_EPM),
                           *dyn = rule_named(&rpc, PUSH_RPC), *old = rule_named(&vendor, PUSH_IN);
            assert_string_equal(old->local_ports, "135,1037,441,1125,49152-65535");
            assert_string_equal(num->local_ports, "1037,441,1125");
            assert_string_equal(epm->local_ports, "RPC-EPMap");
            assert_string_equal(dyn->local_ports, "RPC");
            /* Same row, ends, peers, profiles and scope as the rule they replace. */
            assert_int_equal(dlo_rule_differences(epm, dyn) & ~SPLIT_PROPS, 0);
            assert_int_equal(dlo_rule_differences(old, epm) & ~SPLIT_PROPS, 0);
            assert_string_equal(epm->rows, "server.push-install");
            assert_int_equal(epm->local_roles, DLO_ROLE_BIT(DLO_ROLE_CLIENT));
            assert_int_equal(epm->protocol, DLO_PROTO_TCP);
            assert_int_equal(epm->direction, DLO_DIR_IN);
            /* Outbound keeps the numbers: Windows has no keyword for remote ports. */
            assert_string_equal(
                rule_named(&rpc, "Arctera DLO - Push Installation (TCP-Out)")->remote_ports,
                "135,1037,441,1125,49152-65535");
        }
        dlo_plan_free(&vendor);
        dlo_plan_free(&rpc);
    }
}

static const dlo_plan_window *window_of(const dlo_plan *plan)
{
    assert_true(plan->close_when_detected);
    assert_int_equal(plan->n_windows, 1);
    assert_string_equal(plan->windows[0].row, "server.push-install");
    assert_int_equal(plan->windows[0].role, DLO_ROLE_CLIENT);
    return &plan->windows[0];
}

/* ClosePushPortsWhenInstalled: a client's push rules go once detection shows the Desktop Agent,
 * and stay on no evidence (Roles configured), partial evidence (a cautious pass), or while it
 * is not detected (the client role comes from AddRoles). */
static void test_close_when_detected(void **state)
{
    const dlo_role_set client = DLO_ROLE_BIT(DLO_ROLE_CLIENT);
    dlo_plan_settings s;
    dlo_plan plan, vendor;
    dlo_error err;
    dlo_buf b;
    (void)state;
    memset(&s, 0, sizeof(s));
    assert_int_equal(dlo_plan_build(&policy, client, DLO_MODE_NONBOI, NULL, &vendor, &err), 0);
    s.close_when_detected = true;

    s.evidence = DLO_EVIDENCE_COMPLETE;
    s.detected = client;
    assert_int_equal(dlo_plan_build(&policy, client, DLO_MODE_NONBOI, &s, &plan, &err), 0);
    assert_true(window_of(&plan)->closed);
    assert_false(has_rule(&plan, PUSH_IN));
    assert_int_equal(plan.rules.count, vendor.rules.count - 1);
    assert_same_except_push_in(&vendor, &plan);
    assert_int_equal(plan.windows[0].names.count, 1);
    assert_string_equal(plan.windows[0].names.items[0], PUSH_IN);
    assert_non_null(strstr(plan.windows[0].reason, "left out: client is detected here"));
    dlo_buf_init(&b);
    dlo_report_plan_json(&b, &plan, NULL);
    assert_non_null(strstr(dlo_buf_str(&b),
                           "], \"until_detected\": [{\"row\": \"server.push-install\", \"role\": "
                           "\"client\", \"closed\": true, \"reason\": \"left out: "));
    assert_non_null(strstr(dlo_buf_str(&b), "\"left_out\": [\"" PUSH_IN "\"]}]}\n"));
    dlo_buf_reset(&b);
    dlo_report_plan_text(&b, &plan, NULL);
    assert_non_null(
        strstr(dlo_buf_str(&b), "Row server.push-install, inbound on client: left out"));
    dlo_buf_free(&b);
    dlo_plan_free(&plan);

    /* With the keywords, the three rules go. */
    s.rpc_keywords = true;
    assert_int_equal(dlo_plan_build(&policy, client, DLO_MODE_NONBOI, &s, &plan, &err), 0);
    assert_int_equal(window_of(&plan)->names.count, 3);
    assert_false(has_rule(&plan, PUSH_IN) || has_rule(&plan, PUSH_EPM) ||
                 has_rule(&plan, PUSH_RPC));
    dlo_plan_free(&plan);
    s.rpc_keywords = false;

    /* Not detected yet: the window is open. */
    s.detected = DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER);
    assert_int_equal(dlo_plan_build(&policy, client, DLO_MODE_NONBOI, &s, &plan, &err), 0);
    assert_false(window_of(&plan)->closed);
    assert_int_equal(plan.windows[0].names.count, 0);
    assert_non_null(strstr(plan.windows[0].reason, "kept: client is not detected here yet"));
    assert_int_equal(dlo_rule_differences(rule_named(&plan, PUSH_IN), rule_named(&vendor, PUSH_IN)),
                     0);
    dlo_plan_free(&plan);

    /* Roles configured: no evidence, the rules stay and the plan says so. */
    s.evidence = DLO_EVIDENCE_NONE;
    s.detected = client;
    assert_int_equal(dlo_plan_build(&policy, client, DLO_MODE_NONBOI, &s, &plan, &err), 0);
    assert_false(window_of(&plan)->closed);
    assert_true(has_rule(&plan, PUSH_IN));
    assert_non_null(strstr(plan.windows[0].reason, "kept: Roles is configured"));
    dlo_plan_free(&plan);

    /* A cautious pass: detection could not read everything, nothing closes on it. */
    s.evidence = DLO_EVIDENCE_PARTIAL;
    assert_int_equal(dlo_plan_build(&policy, client, DLO_MODE_NONBOI, &s, &plan, &err), 0);
    assert_false(window_of(&plan)->closed);
    assert_true(has_rule(&plan, PUSH_IN));
    assert_non_null(strstr(plan.windows[0].reason, "could not read everything"));
    dlo_plan_free(&plan);

    /* The Administration Server's side is no window: its outbound rule stays. */
    s.evidence = DLO_EVIDENCE_COMPLETE;
    s.detected = DLO_ROLE_ALL_MASK;
    assert_int_equal(dlo_plan_build(&policy, DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER), DLO_MODE_NONBOI,
                                    &s, &plan, &err),
                     0);
    assert_int_equal(plan.n_windows, 0);
    assert_true(has_rule(&plan, "Arctera DLO - Push Installation (TCP-Out)"));
    dlo_plan_free(&plan);

    /* Off (the default): no decision, and the JSON has no such member. */
    s.close_when_detected = false;
    s.detected = client;
    assert_int_equal(dlo_plan_build(&policy, client, DLO_MODE_NONBOI, &s, &plan, &err), 0);
    assert_false(plan.close_when_detected);
    assert_true(has_rule(&plan, PUSH_IN));
    dlo_buf_init(&b);
    dlo_report_plan_json(&b, &plan, NULL);
    assert_null(strstr(dlo_buf_str(&b), "until_detected"));
    dlo_buf_free(&b);
    dlo_plan_free(&plan);
    dlo_plan_free(&vendor);
}

static void test_occasional_profiles(void **state)
{
    dlo_plan plan;
    dlo_error err;
    (void)state;
    assert_int_equal(dlo_plan_build(&policy, DLO_ROLE_BIT(DLO_ROLE_CLIENT), DLO_MODE_OCCASIONAL,
                                    NULL, &plan, &err),
                     DLO_OK);
    /* On a public network the laptop only reaches its Edge Server. */
    assert_int_equal(rule_named(&plan, "Arctera DLO - Edge Server HTTPS (TCP-Out)")->profiles,
                     DLO_PROFILE_ALL);
    assert_int_equal(rule_named(&plan, "Arctera DLO - SQL Server (TCP-Out)")->profiles,
                     DLO_PROFILE_DOMAIN);
    assert_int_equal(rule_named(&plan, "Arctera DLO - File Sharing (UDP-Out)")->profiles,
                     DLO_PROFILE_DOMAIN);
    assert_int_equal(rule_named(&plan, "Arctera DLO - Push Installation (TCP-In)")->profiles,
                     DLO_PROFILE_DOMAIN);
    dlo_plan_free(&plan);

    assert_int_equal(
        dlo_plan_build(&policy, DLO_ROLE_BIT(DLO_ROLE_CLIENT), DLO_MODE_NONBOI, NULL, &plan, &err),
        DLO_OK);
    /* Corporate paths stay on the corporate network in every mode. */
    assert_int_equal(rule_named(&plan, "Arctera DLO - SQL Server (TCP-Out)")->profiles,
                     DLO_PROFILE_DOMAIN);
    dlo_plan_free(&plan);
}

/* Rows of both vendor tables with the same ports merge into one rule whose peers are the union. */
static void test_merge_across_tables(void **state)
{
    dlo_plan plan;
    dlo_error err;
    const dlo_rule *r;
    (void)state;
    assert_int_equal(dlo_plan_build(&policy, DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER), DLO_MODE_EXCLUSIVE,
                                    NULL, &plan, &err),
                     DLO_OK);
    r = rule_named(&plan, "Arctera DLO - Edge Server HTTPS (TCP-In)");
    assert_string_equal(r->rows, "server.edge-https,client.edge-https");
    assert_int_equal(r->peers, DLO_ROLE_BIT(DLO_ROLE_ADMIN_CONSOLE) |
                                   DLO_ROLE_BIT(DLO_ROLE_CLIENT) |
                                   DLO_ROLE_BIT(DLO_ROLE_WEB_RESTORE));
    assert_string_equal(r->local_ports, "443");
    dlo_plan_free(&plan);
}

static void test_remote_address_scopes(void **state)
{
    dlo_plan_settings s;
    dlo_plan plan;
    dlo_error err;
    (void)state;
    memset(&s, 0, sizeof(s));
    s.scopes[DLO_ROLE_ADMIN_CONSOLE] = "10.0.0.0/255.255.255.0";
    s.scopes[DLO_ROLE_CLIENT] = "LocalSubnet,10.0.0.0/255.255.255.0";
    assert_int_equal(dlo_plan_build(&policy, DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER), DLO_MODE_EXCLUSIVE,
                                    &s, &plan, &err),
                     DLO_OK);
    /* Web restore machines have no scope: the merged rule must stay open to any address. */
    assert_string_equal(
        rule_named(&plan, "Arctera DLO - Edge Server HTTPS (TCP-In)")->remote_addresses, "*");
    assert_string_equal(
        rule_named(&plan, "Arctera DLO - Edge Server HTTP (TCP-In)")->remote_addresses,
        "10.0.0.0/255.255.255.0");
    dlo_plan_free(&plan);

    s.scopes[DLO_ROLE_WEB_RESTORE] = "192.168.7.7";
    assert_int_equal(dlo_plan_build(&policy, DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER), DLO_MODE_EXCLUSIVE,
                                    &s, &plan, &err),
                     DLO_OK);
    /* The union, each address once, in role order. */
    assert_string_equal(
        rule_named(&plan, "Arctera DLO - Edge Server HTTPS (TCP-In)")->remote_addresses,
        "10.0.0.0/255.255.255.0,LocalSubnet,192.168.7.7");
    dlo_plan_free(&plan);
}

static bool verify_in(fwmem *m, const dlo_plan *plan)
{
    dlo_fw_backend fw = fwmem_backend(m);
    dlo_reconcile_report rep;
    dlo_error err;
    bool compliant = false;
    assert_int_equal(dlo_reconcile_verify(&fw, &plan->rules, &rep, &compliant, &err), DLO_OK);
    dlo_reconcile_report_free(&fw, &rep);
    return compliant;
}

static void apply_in(fwmem *m, const dlo_plan *plan)
{
    dlo_fw_backend fw = fwmem_backend(m);
    dlo_reconcile_report rep;
    dlo_error err;
    assert_int_equal(dlo_reconcile_apply(&fw, &plan->rules, &rep, &err), DLO_OK);
    dlo_reconcile_report_free(&fw, &rep);
}

/* A plan whose scopes overlap (as three peers of the Edge Server's HTTPS rule may), read back
 * in each of Windows' forms (reordered, dotted masks, contained entries dropped), verifies
 * compliant and gets no write; a read-back that means other addresses is rewritten. */
static void test_overlapping_scopes_read_back_in_windows_forms(void **state)
{
    static const unsigned forms[] = {0, FWMEM_READBACK_SORTED, FWMEM_READBACK_DROP_CONTAINED,
                                     FWMEM_READBACK_SORTED | FWMEM_READBACK_DROP_CONTAINED};
    static const char https[] = "Arctera DLO - Edge Server HTTPS (TCP-In)";
    dlo_plan_settings s;
    dlo_plan plan;
    dlo_error err;
    size_t i;
    (void)state;
    memset(&s, 0, sizeof(s));
    s.scopes[DLO_ROLE_ADMIN_CONSOLE] = "2001:db8::/32,10.0.0.0/8";
    s.scopes[DLO_ROLE_CLIENT] = "LocalSubnet,192.168.0.0/16,10.1.2.3,2001:db8::5";
    s.scopes[DLO_ROLE_WEB_RESTORE] = "10.0.0.0/255.0.0.0,172.16.0.1";
    assert_int_equal(dlo_plan_build(&policy, DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER), DLO_MODE_EXCLUSIVE,
                                    &s, &plan, &err),
                     DLO_OK);
    /* The union says only what the firewall keeps: no entry inside another. */
    assert_string_equal(rule_named(&plan, https)->remote_addresses,
                        "2001:db8::/32,10.0.0.0/8,LocalSubnet,192.168.0.0/16,172.16.0.1");
    for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        fwmem m;
        dlo_rule *stored;
        fwmem_init(&m);
        m.readback = forms[i];
        apply_in(&m, &plan);
        fwmem_reset_counters(&m);
        if (!verify_in(&m, &plan))
            fail_msg("read-back form %u: not compliant", forms[i]);
        apply_in(&m, &plan);
        if (m.writes != 0)
            fail_msg("read-back form %u: %u writes, expected none", forms[i], m.writes);
        /* Without 172.16.0.1 the rule means other addresses: one write puts it right. */
        stored = (dlo_rule *)fwmem_find(&m, https, DLO_RULE_GROUPING);
        assert_non_null(stored);
        assert_int_equal(dlo_rule_set(&stored->remote_addresses,
                                      "192.168.0.0/16,10.0.0.0/8,2001:db8::/32,LocalSubnet"),
                         DLO_OK);
        assert_false(verify_in(&m, &plan));
        apply_in(&m, &plan);
        assert_int_equal(m.writes, 1);
        assert_true(verify_in(&m, &plan));
        fwmem_free(&m);
    }
    dlo_plan_free(&plan);
}

static void test_json_shape(void **state)
{
    dlo_plan plan;
    dlo_error err;
    dlo_buf b;
    (void)state;
    assert_int_equal(dlo_plan_build(&policy, DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER), DLO_MODE_NONBOI,
                                    NULL, &plan, &err),
                     DLO_OK);
    dlo_buf_init(&b);
    dlo_report_plan_json(&b, &plan, NULL);
    assert_non_null(
        strstr(dlo_buf_str(&b), "{\"mode\": \"nonboi\", \"roles\": [\"admin-server\"]"));
    assert_non_null(strstr(dlo_buf_str(&b),
                           "{\"name\": \"Arctera DLO - Administration Service (TCP-In)\", "
                           "\"direction\": \"in\", \"protocol\": \"tcp\", \"local_ports\": "
                           "\"3999\", \"remote_ports\": \"\", \"remote_addresses\": \"*\", "
                           "\"profiles\": [\"domain\"]"));
    assert_non_null(strstr(dlo_buf_str(&b), "\"peers\": [\"admin-console\"], \"rows\": "
                                            "[\"server.admin-service\"]"));
    dlo_buf_free(&b);
    dlo_plan_free(&plan);
}

static void test_golden_plans(void **state)
{
    static const dlo_binding_env host_binding = {true, NULL, NULL, NULL, NULL};
    int m, r;
    (void)state;
    for (m = 0; m < DLO_MODE_COUNT; m++) {
        for (r = 0; r < DLO_ROLE_COUNT; r++) {
            char rel[256];
            dlo_buf want, got;
            dlo_plan plan;
            dlo_error err;
            snprintf(rel, sizeof(rel), "tests/golden/plan/%s/%s.json", dlo_mode_name((dlo_mode)m),
                     dlo_role_name((dlo_role)r));
            dlo_buf_init(&want);
            dlo_buf_init(&got);
            test_read_source_file(rel, &want);
            assert_int_equal(
                dlo_plan_build(&policy, DLO_ROLE_BIT(r), (dlo_mode)m, NULL, &plan, &err), 0);
            /* As /plan /roles: /mode: says it on the host build, which is how the goldens are
             * made: no registry and no listeners table there, so nothing is bound. */
            assert_int_equal(dlo_binding_apply(&host_binding, &policy, &plan.rules, &err), 0);
            plan.roles_source = "command line";
            plan.mode_source = "command line";
            dlo_report_plan_json(&got, &plan, NULL);
            if (strcmp(dlo_buf_str(&want), dlo_buf_str(&got)) != 0)
                fail_msg("%s differs from the planner's output:\n%s", rel, dlo_buf_str(&got));
            dlo_plan_free(&plan);
            dlo_buf_free(&want);
            dlo_buf_free(&got);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_role_combination_in_every_mode),
        cmocka_unit_test(test_no_rpc_or_smb_open_to_all_off_domain),
        cmocka_unit_test(test_corporate_profiles_widen_the_rpc_paths),
        cmocka_unit_test(test_union_of_roles),
        cmocka_unit_test(test_sql_port_setting),
        cmocka_unit_test(test_occasional_profiles),
        cmocka_unit_test(test_merge_across_tables),
        cmocka_unit_test(test_remote_address_scopes),
        cmocka_unit_test(test_overlapping_scopes_read_back_in_windows_forms),
        cmocka_unit_test(test_json_shape),
        cmocka_unit_test(test_golden_plans),
        cmocka_unit_test(test_rpc_keywords),
        cmocka_unit_test(test_close_when_detected),
    };
    return cmocka_run_group_tests(tests, load_policy, free_policy);
}
