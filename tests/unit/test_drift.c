/* What a service pass does with drift, through the platform's seams: DriftAction report writes
 * nothing and reports each difference; a pass that finds an owned rule changed or deleted names
 * who did it (from the firewall's events, a fake log here) in its event and in the State key;
 * nobody found is "unknown". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dlo/app.h"
#include "dlo/attribution.h"
#include "dlo/drift.h"
#include "dlo/log.h"
#include "dlo/report.h"
#include "dlo/service.h"
#include "dlo/state.h"
#include "dlo/str.h"
#include "dlo/target.h"
#include "fake_sql.h"
#include "log_capture.h"

#define SELF     "C:\\Program Files\\Arctera\\DLO Firewall Agent\\dloagent.exe"
#define WMI      "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe"
#define USER     "S-1-5-21-1004336348-1177238915-682003330-1001"
#define RULE_ID  "{7A1F0C3E-0000-4000-8000-00000000A001}"
#define ADMIN_IN "Arctera DLO - Administration Service (TCP-In)"

/* The firewall's event log: a few rendered events, newest last. */
typedef struct fake_log {
    char xml[4][1024];
    size_t count;
} fake_log;

static dlo_status log_query(void *ctx, const char *channel, const unsigned *ids, size_t n_ids,
                            int64_t since, dlo_attr_sink sink, void *sink_ctx, dlo_error *err)
{
    fake_log *log = ctx;
    size_t i;
    (void)ids;
    (void)n_ids;
    (void)since;
    (void)err;
    if (strcmp(channel, DLO_ATTR_FIREWALL_CHANNEL) != 0)
        return DLO_OK;
    for (i = log->count; i-- > 0;) {
        dlo_status st = sink(sink_ctx, log->xml[i], strlen(log->xml[i]));
        if (st)
            return st;
    }
    return DLO_OK;
}

static dlo_status log_account(void *ctx, const char *sid, dlo_buf *out, dlo_error *err)
{
    (void)ctx;
    if (strcmp(sid, USER) != 0)
        return dlo_error_set(err, DLO_E_NOTFOUND, "no account");
    dlo_buf_puts(out, "RUNNER\\runneradmin");
    return DLO_OK;
}

/* Adds an event `seconds_later` after now, as the firewall writes it. */
static void log_add(fake_log *log, unsigned id, const char *name, const char *app, double later)
{
    char when[DLO_FWEVENT_TIME_LEN];
    dlo_fwevent_time_format(dlo_drift_ticks((int64_t)time(NULL)) + (int64_t)(later * 1e7), when);
    assert_true(log->count < 4);
    snprintf(log->xml[log->count++], sizeof(log->xml[0]),
             "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System>"
             "<Provider Name=\"" DLO_ATTR_FIREWALL_PROVIDER "\" /><EventID>%u</EventID>"
             "<TimeCreated SystemTime=\"%s\" /><Channel>" DLO_ATTR_FIREWALL_CHANNEL "</Channel>"
             "</System><EventData><Data Name=\"RuleId\">" RULE_ID "</Data>"
             "<Data Name=\"RuleName\">%s</Data><Data Name=\"ModifyingUser\">" USER "</Data>"
             "<Data Name=\"ModifyingApplication\">%s</Data></EventData></Event>",
             id, when, name, app);
}

/* The State key goes into the machine's fake registry. */
static dlo_status write_state(void *ctx, const char *key, const dlo_reg_write *values, size_t n,
                              bool replace, dlo_error *err)
{
    fake_sql *m = ctx;
    size_t i;
    (void)replace;
    (void)err;
    for (i = 0; i < n; i++)
        if (values[i].type == DLO_REG_DWORD)
            fake_reg_dword(&m->reg, key, values[i].name, values[i].number);
        else
            fake_reg_sz(&m->reg, key, values[i].name, values[i].text);
    return DLO_OK;
}

static const char *state_text(fake_sql *m, const char *name)
{
    static char text[512];
    dlo_reg_value v;
    dlo_error err;
    dlo_reg_value_init(&v);
    text[0] = '\0';
    if (dlo_registry_read(m->plat.registry, DLO_REG_VIEW_64, DLO_STATE_KEY, name, &v, &err) ==
        DLO_OK) {
        if (v.text)
            snprintf(text, sizeof(text), "%s", v.text);
        else
            snprintf(text, sizeof(text), "%llu", (unsigned long long)v.number);
    }
    dlo_reg_value_free(&v);
    return text;
}

static int count_of(const char *s, const char *what)
{
    int n = 0;
    for (; (s = strstr(s, what)) != NULL; s++)
        n++;
    return n;
}

typedef struct rig {
    fake_sql m;
    fake_log log;
    dlo_attr_os os;
    dlo_config cfg;
    dlo_service_loop mem;
} rig;

static void rig_init(rig *r, dlo_drift_action action)
{
    memset(r, 0, sizeof(*r));
    fake_sql_init(&r->m, "1433");
    r->os.ctx = &r->log;
    r->os.query = log_query;
    r->os.account_name = log_account;
    r->m.plat.attr_os = &r->os;
    r->m.plat.self_image = SELF;
    r->m.plat.write_values = write_state;
    assert_int_equal(dlo_config_init(&r->cfg), DLO_OK);
    r->cfg.drift_action = action;
    dlo_service_loop_init(&r->mem);
    log_capture_reset();
}

static void rig_free(rig *r)
{
    dlo_service_loop_free(&r->mem);
    dlo_config_free(&r->cfg);
    fake_sql_free(&r->m);
}

static void run(rig *r, unsigned why)
{
    dlo_error err;
    log_capture_reset();
    fwmem_reset_counters(&r->m.fw);
    assert_int_equal(dlo_agent_reconcile(&r->m.plat, &r->cfg, &r->mem, why, &err), DLO_OK);
}

/* Another program deletes the owned rule `name`. */
static void delete_rule(rig *r, const char *name)
{
    dlo_fw_backend fw = fwmem_backend(&r->m.fw);
    dlo_rule_list all;
    dlo_error err;
    size_t i;
    dlo_rule_list_init(&all);
    assert_int_equal(fw.enumerate(fw.ctx, &all, &err), DLO_OK);
    for (i = 0; i < all.count; i++)
        if (strcmp(all.items[i].name, name) == 0)
            assert_int_equal(fw.remove(fw.ctx, &all.items[i], &err), DLO_OK);
    fw.release(fw.ctx, &all);
    dlo_rule_list_free(&all);
}

/* Repair: the deleted rule is put back, and event 1101, LastDrift and LastDriftBy name the
 * account and the program of the firewall's delete event; the rule's ID is the one the agent's
 * own add event gave that name. */
static void test_repair_names_who_deleted(void **state)
{
    rig r;
    (void)state;

    rig_init(&r, DLO_DRIFT_REPAIR);
    run(&r, DLO_WAKE_START);
    assert_true(r.m.fw.adds > 0);
    assert_true(r.mem.wrote);
    log_add(&r.log, 2004, ADMIN_IN, SELF, 0.1);
    delete_rule(&r, ADMIN_IN);
    log_add(&r.log, 2006, ADMIN_IN, WMI, 0.5);
    run(&r, DLO_WAKE_FIREWALL);
    assert_int_equal(r.m.fw.adds, 1);
    assert_true(log_has("1101 1 pass (firewall changed): firewall rules changed by someone else "
                        "were put back"));
    assert_true(log_has("; rule " ADMIN_IN " was deleted by RUNNER\\runneradmin (" USER
                        ") with " WMI " (event 2006 at "));
    assert_string_equal(state_text(&r.m, "LastDriftBy"),
                        "RUNNER\\runneradmin (" USER ") with " WMI);
    assert_true(strlen(state_text(&r.m, "LastDrift")) == 20);
    assert_string_equal(state_text(&r.m, "Compliant"), "1");

    /* A pass that finds nothing keeps the last drift's values. */
    run(&r, DLO_WAKE_TIMER);
    assert_int_equal(r.m.fw.writes, 0);
    assert_string_equal(state_text(&r.m, "LastDriftBy"),
                        "RUNNER\\runneradmin (" USER ") with " WMI);
    rig_free(&r);
}

/* No event names the change (the channel off, Wine): "unknown", and why. */
static void test_unknown_when_no_event(void **state)
{
    rig r;
    (void)state;

    rig_init(&r, DLO_DRIFT_REPAIR);
    run(&r, DLO_WAKE_START);
    delete_rule(&r, ADMIN_IN);
    run(&r, DLO_WAKE_FIREWALL);
    assert_true(log_has("; rule " ADMIN_IN " was deleted by someone unknown: "));
    assert_string_equal(state_text(&r.m, "LastDriftBy"), "unknown");
    /* No seam at all says so too. */
    r.m.plat.attr_os = NULL;
    delete_rule(&r, ADMIN_IN);
    run(&r, DLO_WAKE_TIMER);
    assert_true(log_has("was deleted by someone unknown: no event log on this system"));
    rig_free(&r);
}

/* A pass for a new plan (start, configuration) adds rules without looking for anyone. */
static void test_new_plan_is_not_drift(void **state)
{
    rig r;
    (void)state;

    rig_init(&r, DLO_DRIFT_REPAIR);
    run(&r, DLO_WAKE_START);
    assert_true(log_has("1100 0 pass (start): firewall rules applied"));
    assert_false(log_has("was deleted by"));
    assert_string_equal(state_text(&r.m, "LastDriftBy"), "");
    delete_rule(&r, ADMIN_IN);
    run(&r, DLO_WAKE_CONFIG);
    assert_true(log_has("1100 0 pass (configuration changed): firewall rules applied"));
    assert_false(log_has("was deleted by"));
    rig_free(&r);
}

/* Report: nothing is written, from the start on; each difference is in event 1103 with who made
 * it; the State key says not compliant with the counts; the administrator's change stands. */
static void test_report_writes_nothing_and_records_everything(void **state)
{
    rig r;
    (void)state;

    rig_init(&r, DLO_DRIFT_REPORT);
    run(&r, DLO_WAKE_START);
    assert_int_equal(r.m.fw.writes, 0);
    assert_true(
        log_has("1103 1 pass (start): DriftAction is report, so nothing was changed: 0 of "));
    assert_true(log_has("; missing '" ADMIN_IN "'"));
    assert_string_equal(state_text(&r.m, "Compliant"), "0");
    assert_string_equal(state_text(&r.m, "Missing"), state_text(&r.m, "RulesPlanned"));
    /* A component that appears is planned for, not added. */
    r.mem.roles = 0;
    run(&r, DLO_WAKE_SERVICES);
    assert_int_equal(r.m.fw.writes, 0);
    assert_true(log_has("1500 0 DLO role admin-server appeared on this machine: its firewall "
                        "rules are planned (DriftAction is report: not added)"));

    /* The plan applied by hand (/apply), then one rule deleted: reported, left deleted. */
    r.cfg.drift_action = DLO_DRIFT_REPAIR;
    run(&r, DLO_WAKE_CONFIG);
    r.cfg.drift_action = DLO_DRIFT_REPORT;
    log_add(&r.log, 2004, ADMIN_IN, SELF, 0.1);
    delete_rule(&r, ADMIN_IN);
    log_add(&r.log, 2006, ADMIN_IN, WMI, 0.5);
    run(&r, DLO_WAKE_FIREWALL);
    assert_int_equal(r.m.fw.writes, 0);
    assert_null(fwmem_find(&r.m.fw, ADMIN_IN, DLO_RULE_GROUPING));
    assert_true(log_has("1103 1 pass (firewall changed): DriftAction is report, so nothing was "
                        "changed: "));
    assert_true(log_has("1 difference from the plan left standing; missing '" ADMIN_IN
                        "'; rule " ADMIN_IN " was deleted by RUNNER\\runneradmin"));
    assert_string_equal(state_text(&r.m, "Compliant"), "0");
    assert_string_equal(state_text(&r.m, "Missing"), "1");
    assert_string_equal(state_text(&r.m, "LastDriftBy"),
                        "RUNNER\\runneradmin (" USER ") with " WMI);
    assert_false(r.mem.wrote);
    rig_free(&r);
}

/* A drifted port: reported with what it is and what the plan says. */
static void test_report_says_what_drifted(void **state)
{
    rig r;
    dlo_fw_backend fw;
    dlo_rule_list all;
    dlo_error err;
    size_t i;
    (void)state;

    rig_init(&r, DLO_DRIFT_REPAIR);
    run(&r, DLO_WAKE_START);
    r.cfg.drift_action = DLO_DRIFT_REPORT;
    fw = fwmem_backend(&r.m.fw);
    dlo_rule_list_init(&all);
    assert_int_equal(fw.enumerate(fw.ctx, &all, &err), DLO_OK);
    for (i = 0; i < all.count; i++)
        if (strcmp(all.items[i].name, ADMIN_IN) == 0) {
            dlo_rule wanted;
            assert_int_equal(dlo_rule_copy(&wanted, &all.items[i]), DLO_OK);
            free(wanted.local_ports);
            wanted.local_ports = dlo_strdup("4000");
            assert_int_equal(fw.update(fw.ctx, &all.items[i], &wanted, DLO_PROP_LOCAL_PORTS, &err),
                             DLO_OK);
            dlo_rule_free(&wanted);
        }
    fw.release(fw.ctx, &all);
    dlo_rule_list_free(&all);
    run(&r, DLO_WAKE_FIREWALL);
    assert_int_equal(r.m.fw.writes, 0);
    assert_true(log_has("; drifted '" ADMIN_IN "', local_ports is \"4000\", expected \"3999\""));
    assert_true(log_has("rule " ADMIN_IN " was changed by someone unknown"));
    assert_string_equal(state_text(&r.m, "Drifted"), "1");
    rig_free(&r);
}

/* /verify /json: each missing or drifted rule says who changed it, "unknown" when no event
 * says; a rule as planned says nothing. */
static void test_verify_json_changed_by(void **state)
{
    rig r;
    const char *out;
    (void)state;

    rig_init(&r, DLO_DRIFT_REPAIR);
    assert_int_equal(dlo_app_run(&r.m.plat, 2, (char *[]){"dloagent.exe", "/apply", NULL}), 0);
    log_add(&r.log, 2004, ADMIN_IN, SELF, 0.1);
    delete_rule(&r, ADMIN_IN);
    log_add(&r.log, 2006, ADMIN_IN, WMI, 0.5);
    dlo_buf_reset(&r.m.out);
    assert_int_equal(
        dlo_app_run(&r.m.plat, 3, (char *[]){"dloagent.exe", "/verify", "/json", NULL}), 1);
    out = dlo_buf_str(&r.m.out);
    assert_non_null(strstr(out, "\"missing\": [{\"name\": \"" ADMIN_IN
                                "\", \"changed_by\": \"RUNNER\\\\runneradmin (" USER
                                ") with C:\\\\Windows\\\\System32\\\\wbem\\\\WmiPrvSE.exe\"}]"));
    assert_int_equal(dlo_app_run(&r.m.plat, 2, (char *[]){"dloagent.exe", "/apply", NULL}), 0);
    delete_rule(&r, ADMIN_IN);
    r.log.count = 0;
    dlo_buf_reset(&r.m.out);
    assert_int_equal(
        dlo_app_run(&r.m.plat, 3, (char *[]){"dloagent.exe", "/verify", "/json", NULL}), 1);
    out = dlo_buf_str(&r.m.out);
    assert_non_null(
        strstr(out, "\"missing\": [{\"name\": \"" ADMIN_IN "\", \"changed_by\": \"unknown\"}]"));
    assert_int_equal(count_of(out, "changed_by"), 1);
    rig_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repair_names_who_deleted),
        cmocka_unit_test(test_unknown_when_no_event),
        cmocka_unit_test(test_new_plan_is_not_drift),
        cmocka_unit_test(test_report_writes_nothing_and_records_everything),
        cmocka_unit_test(test_report_says_what_drifted),
        cmocka_unit_test(test_verify_json_changed_by),
    };
    return cmocka_run_group_tests(tests, log_capture_start, log_capture_stop);
}
