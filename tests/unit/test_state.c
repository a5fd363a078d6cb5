/* The compliance state: computed from what verify and apply found, and recorded so that the
 * registry is written in full only when a value other than LastPass changed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dlo/plan.h"
#include "dlo/policy.h"
#include "dlo/reconcile.h"
#include "dlo/state.h"
#include "dlo/version.h"
#include "fake_registry.h"
#include "fwmem.h"
#include "testutil.h"

static dlo_policy policy;

static int setup(void **state)
{
    (void)state;
    return test_load_source_policy(&policy);
}

static int teardown(void **state)
{
    (void)state;
    dlo_policy_free(&policy);
    return 0;
}

/* A registry the state is written into: the fake registry, plus what each write did. */
typedef struct store {
    fake_registry reg;
    unsigned calls, replaced;
    size_t last_n;
    bool elevated;
    dlo_status fail;
} store;

static dlo_status store_write(void *ctx, const char *key, const dlo_reg_write *values, size_t n,
                              bool replace, dlo_error *err)
{
    store *s = ctx;
    size_t i;
    if (s->fail)
        return dlo_error_set(err, s->fail, "access denied");
    s->calls++;
    s->last_n = n;
    if (replace) {
        s->replaced++;
        for (i = 0; i < s->reg.n;) {
            char name[64];
            if (strcmp(s->reg.entries[i].key, key) != 0) {
                i++;
                continue;
            }
            snprintf(name, sizeof(name), "%s", s->reg.entries[i].name);
            fake_reg_remove(&s->reg, key, name);
        }
    }
    for (i = 0; i < n; i++)
        if (values[i].type == DLO_REG_DWORD)
            fake_reg_dword(&s->reg, key, values[i].name, values[i].number);
        else
            fake_reg_sz(&s->reg, key, values[i].name, values[i].text);
    return DLO_OK;
}

static bool store_elevated(void *ctx)
{
    return ((store *)ctx)->elevated;
}

static dlo_platform platform(store *s)
{
    dlo_platform plat;
    memset(&plat, 0, sizeof(plat));
    plat.ctx = s;
    plat.registry = &s->reg.reg;
    plat.write_values = store_write;
    plat.is_elevated = store_elevated;
    return plat;
}

static void store_init(store *s)
{
    memset(s, 0, sizeof(*s));
    fake_reg_init(&s->reg);
    s->elevated = true;
}

/* The value as the key holds it: text, or the number as text. */
/* How many values the State key holds (of distinct names: a value of the same name replaces). */
static size_t held_count(const store *s)
{
    size_t i, n = 0;
    for (i = 0; i < s->reg.n; i++)
        n += strcmp(s->reg.entries[i].key, DLO_STATE_KEY) == 0;
    return n;
}

static const char *held(store *s, const char *name)
{
    static char number[16];
    size_t i;
    for (i = 0; i < s->reg.n; i++) {
        const fake_entry *e = &s->reg.entries[i];
        if (strcmp(e->key, DLO_STATE_KEY) != 0 || strcmp(e->name, name) != 0)
            continue;
        if (e->type == DLO_REG_SZ)
            return e->text;
        snprintf(number, sizeof(number), "%u", (unsigned)e->number);
        return number;
    }
    return NULL;
}

static void test_time(void **state)
{
    char t[21];
    (void)state;
    dlo_state_time(0, t);
    assert_string_equal(t, "1970-01-01T00:00:00Z");
    dlo_state_time(1709208000 + 3661, t);
    assert_string_equal(t, "2024-02-29T13:01:01Z");
    dlo_state_time(1795900617, t);
    assert_string_equal(t, "2026-11-28T21:16:57Z");
    dlo_state_time(4102444799LL, t);
    assert_string_equal(t, "2099-12-31T23:59:59Z");
}

/* A verify report by hand: one missing, one drifted, two stale, problems with a repeated kind. */
static void fake_report(dlo_reconcile_report *rep, dlo_problem *problems, size_t n_problems)
{
    static dlo_change items[4];
    memset(rep, 0, sizeof(*rep));
    memset(items, 0, sizeof(items));
    items[0].kind = DLO_CHANGE_ADD;
    items[1].kind = DLO_CHANGE_UPDATE;
    items[2].kind = DLO_CHANGE_REMOVE;
    items[3].kind = DLO_CHANGE_REMOVE;
    rep->diff.items = items;
    rep->diff.count = 4;
    rep->diff.compliant = 4;
    rep->planned = 6;
    rep->problems = problems;
    rep->n_problems = n_problems;
}

static void test_from_verify(void **state)
{
    dlo_problem problems[3] = {{"firewall-off", "x", NULL},
                               {"blocked-by-rule", "a", NULL},
                               {"blocked-by-rule", "b", NULL}};
    dlo_plan plan;
    dlo_reconcile_report rep;
    dlo_state s;
    dlo_error err;
    (void)state;

    memset(&plan, 0, sizeof(plan));
    plan.mode = DLO_MODE_OCCASIONAL;
    plan.roles = DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER) | DLO_ROLE_BIT(DLO_ROLE_SQL_SERVER);
    plan.release = "Arctera DLO 10.0";
    fake_report(&rep, problems, 3);
    dlo_state_init(&s);
    assert_int_equal(dlo_state_from_verify(&s, &plan, &rep, false, &err), DLO_OK);
    assert_int_equal(s.number[DLO_ST_COMPLIANT], 0);
    assert_int_equal(s.number[DLO_ST_PLANNED], 6);
    assert_int_equal(s.number[DLO_ST_RIGHT], 4);
    assert_int_equal(s.number[DLO_ST_MISSING], 1);
    assert_int_equal(s.number[DLO_ST_DRIFTED], 1);
    assert_int_equal(s.number[DLO_ST_STALE], 2);
    assert_string_equal(s.text[DLO_ST_PROBLEMS], "firewall-off,blocked-by-rule");
    assert_string_equal(s.text[DLO_ST_MODE], "occasional");
    assert_string_equal(s.text[DLO_ST_ROLES], "admin-server,sql-server");
    assert_string_equal(s.text[DLO_ST_POLICY_RELEASE], "Arctera DLO 10.0");
    assert_string_equal(s.text[DLO_ST_LAST_ERROR], "");
    dlo_state_free(&s);
}

static void verify_state(const dlo_plan *plan, bool compliant, dlo_state *s)
{
    dlo_reconcile_report rep;
    dlo_error err;
    fake_report(&rep, NULL, 0);
    dlo_state_init(s);
    assert_int_equal(dlo_state_from_verify(s, plan, &rep, compliant, &err), DLO_OK);
}

static void record(store *st, const dlo_plan *plan, bool compliant, bool changed, int64_t now)
{
    dlo_platform plat = platform(st);
    dlo_state s;
    dlo_error err;
    verify_state(plan, compliant, &s);
    assert_int_equal(dlo_state_record(&plat, &s, changed, now, &err), DLO_OK);
    dlo_state_free(&s);
}

static void test_record_only_on_change(void **state)
{
    dlo_plan plan;
    store st;
    (void)state;

    memset(&plan, 0, sizeof(plan));
    plan.roles = DLO_ROLE_BIT(DLO_ROLE_CLIENT);
    plan.release = "Arctera DLO 10.0";
    store_init(&st);

    /* The first record writes every value of the table, swapped in whole. */
    record(&st, &plan, false, false, 1000);
    assert_int_equal(st.calls, 1);
    assert_int_equal(st.replaced, 1);
    assert_int_equal(st.last_n, DLO_ST_COUNT);
    assert_int_equal(held_count(&st), DLO_ST_COUNT);
    assert_string_equal(held(&st, "LastPass"), "1970-01-01T00:16:40Z");
    assert_string_equal(held(&st, "LastChange"), "1970-01-01T00:16:40Z");
    assert_string_equal(held(&st, "Version"), DLO_VERSION_STRING);
    assert_string_equal(held(&st, "Mode"), "nonboi");
    assert_string_equal(held(&st, "Compliant"), "0");

    /* Nothing but the time: LastPass alone, in place. */
    record(&st, &plan, false, false, 2000);
    assert_int_equal(st.calls, 2);
    assert_int_equal(st.replaced, 1);
    assert_int_equal(st.last_n, 1);
    assert_string_equal(held(&st, "LastPass"), "1970-01-01T00:33:20Z");
    assert_string_equal(held(&st, "LastChange"), "1970-01-01T00:16:40Z");

    /* A value changed: all of them again, and LastChange. */
    record(&st, &plan, true, false, 3000);
    assert_int_equal(st.replaced, 2);
    assert_int_equal(st.last_n, DLO_ST_COUNT);
    assert_string_equal(held(&st, "Compliant"), "1");
    assert_string_equal(held(&st, "LastChange"), "1970-01-01T00:50:00Z");

    /* The run changed the firewall (drift repaired) and the values read the same: a change. */
    record(&st, &plan, true, true, 4000);
    assert_int_equal(st.replaced, 3);
    assert_string_equal(held(&st, "LastChange"), "1970-01-01T01:06:40Z");

    /* A key someone emptied, or a value of another type, is written whole again. */
    fake_reg_sz(&st.reg, DLO_STATE_KEY, "Compliant", "1");
    record(&st, &plan, true, false, 5000);
    assert_int_equal(st.replaced, 4);
    assert_string_equal(held(&st, "Compliant"), "1");
    fake_reg_free(&st.reg);
}

static void test_failure_keeps_counts(void **state)
{
    dlo_plan plan;
    dlo_platform plat;
    store st;
    dlo_error err;
    (void)state;

    memset(&plan, 0, sizeof(plan));
    plan.release = "Arctera DLO 10.0";
    store_init(&st);
    plat = platform(&st);

    /* Before anything counted: zeros and empty texts, but the error and the version. */
    assert_int_equal(dlo_state_record_failure(&plat, "BOIMode is \"x\"", 100, &err), DLO_OK);
    assert_string_equal(held(&st, "LastError"), "BOIMode is \"x\"");
    assert_string_equal(held(&st, "RulesPlanned"), "0");
    assert_string_equal(held(&st, "Mode"), "");
    assert_string_equal(held(&st, "Version"), DLO_VERSION_STRING);

    record(&st, &plan, true, false, 200);
    assert_string_equal(held(&st, "LastError"), "");
    assert_string_equal(held(&st, "RulesPlanned"), "6");
    assert_int_equal(dlo_state_record_failure(&plat, "firewall unreadable", 300, &err), DLO_OK);
    assert_string_equal(held(&st, "Compliant"), "0");
    assert_string_equal(held(&st, "LastError"), "firewall unreadable");
    assert_string_equal(held(&st, "RulesPlanned"), "6");
    assert_string_equal(held(&st, "RulesRight"), "4");
    assert_string_equal(held(&st, "PolicyRelease"), "Arctera DLO 10.0");
    assert_string_equal(held(&st, "LastChange"), "1970-01-01T00:05:00Z");
    /* The same failure again changes nothing but the time. */
    assert_int_equal(dlo_state_record_failure(&plat, "firewall unreadable", 400, &err), DLO_OK);
    assert_int_equal(st.last_n, 1);
    assert_string_equal(held(&st, "LastChange"), "1970-01-01T00:05:00Z");
    fake_reg_free(&st.reg);
}

static void test_who_records(void **state)
{
    dlo_plan plan;
    dlo_platform plat;
    dlo_reconcile_report rep;
    store st;
    dlo_error err;
    dlo_state s;
    (void)state;

    memset(&plan, 0, sizeof(plan));
    store_init(&st);
    fake_report(&rep, NULL, 0);

    /* Unelevated: nothing written, nothing said. */
    st.elevated = false;
    plat = platform(&st);
    dlo_state_note_verify(&plat, &plan, &rep, true);
    dlo_state_note_failure(&plat, "x");
    assert_int_equal(st.calls, 0);

    /* No writer (the Linux build): nothing, and no error. */
    plat.write_values = NULL;
    verify_state(&plan, true, &s);
    assert_int_equal(dlo_state_record(&plat, &s, false, 1, &err), DLO_OK);
    dlo_state_free(&s);

    /* A writer that fails: the error names the key. */
    st.elevated = true;
    st.fail = DLO_E_ACCESS;
    plat = platform(&st);
    verify_state(&plan, true, &s);
    assert_int_equal(dlo_state_record(&plat, &s, false, 1, &err), DLO_E_ACCESS);
    assert_non_null(strstr(err.msg, "HKLM\\" DLO_STATE_KEY));
    dlo_state_free(&s);

    st.fail = DLO_OK;
    dlo_state_note_verify(&plat, &plan, &rep, true);
    assert_int_equal(st.calls, 1);
    assert_string_equal(held(&st, "Compliant"), "1");

    /* After /remove no value is left. */
    dlo_state_note_removed(&plat);
    assert_null(held(&st, "Compliant"));
    assert_int_equal(st.reg.n, 0);
    fake_reg_free(&st.reg);
}

static void apply_state(fwmem *m, const dlo_plan *plan, bool keep_unplanned, dlo_state *s)
{
    dlo_fw_backend fw = fwmem_backend(m);
    dlo_reconcile_report rep;
    dlo_error err;
    assert_int_equal(dlo_reconcile_apply_opts(&fw, &plan->rules, keep_unplanned, &rep, &err),
                     DLO_OK);
    dlo_state_init(s);
    assert_int_equal(dlo_state_from_apply(s, &fw, plan, &rep, keep_unplanned, &err), DLO_OK);
    dlo_reconcile_report_free(&fw, &rep);
}

/* After an apply the state is what verify finds then, without reading the firewall again. */
static void test_from_apply_matches_verify(void **state)
{
    dlo_plan wide, narrow;
    fwmem m;
    dlo_state s;
    dlo_fw_backend fw;
    dlo_reconcile_report rep;
    dlo_error err;
    bool compliant;
    (void)state;

    assert_int_equal(
        dlo_plan_build(&policy,
                       DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER) | DLO_ROLE_BIT(DLO_ROLE_ADMIN_SERVER),
                       DLO_MODE_OCCASIONAL, NULL, &wide, &err),
        DLO_OK);
    assert_int_equal(dlo_plan_build(&policy, DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER),
                                    DLO_MODE_OCCASIONAL, NULL, &narrow, &err),
                     DLO_OK);
    fwmem_init(&m);
    fw = fwmem_backend(&m);

    apply_state(&m, &wide, false, &s);
    assert_int_equal(m.enumerations, 1);
    assert_int_equal(s.number[DLO_ST_COMPLIANT], 1);
    assert_int_equal(s.number[DLO_ST_RIGHT], wide.rules.count);
    assert_int_equal(s.number[DLO_ST_MISSING] + s.number[DLO_ST_DRIFTED], 0);
    assert_string_equal(s.text[DLO_ST_ROLES], "admin-server,edge-server");
    dlo_state_free(&s);

    /* Kept rules of a role detection did not see are stale, as verify says; the firewall off
     * for a profile is a problem after the apply too. */
    m.state.enabled[1] = false;
    apply_state(&m, &narrow, true, &s);
    assert_int_equal(dlo_reconcile_verify(&fw, &narrow.rules, &rep, &compliant, &err), DLO_OK);
    assert_false(compliant);
    assert_int_equal(s.number[DLO_ST_COMPLIANT], 0);
    assert_int_equal(s.number[DLO_ST_RIGHT], rep.diff.compliant);
    assert_int_equal(s.number[DLO_ST_STALE], rep.diff.count);
    assert_true(s.number[DLO_ST_STALE] > 0);
    assert_string_equal(s.text[DLO_ST_PROBLEMS], rep.problems[0].kind);
    assert_string_equal(s.text[DLO_ST_PROBLEMS], "firewall-off");
    dlo_reconcile_report_free(&fw, &rep);
    dlo_state_free(&s);

    dlo_plan_free(&narrow);
    dlo_plan_free(&wide);
    fwmem_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_from_verify),
        cmocka_unit_test(test_record_only_on_change),
        cmocka_unit_test(test_failure_keeps_counts),
        cmocka_unit_test(test_who_records),
        cmocka_unit_test(test_from_apply_matches_verify),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
