/* One service pass: the configuration gates the reconcile, failures are reported once, and an
 * unchanged configuration after a registry notification causes no work. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/cli.h"
#include "dlo/effective.h"
#include "dlo/log.h"
#include "dlo/portset.h"
#include "dlo/report.h"
#include "dlo/service.h"
#include "dlo/target.h"
#include "fake_registry.h"
#include "fake_resolver.h"
#include "fake_sql.h"
#include "log_capture.h"

#define INST DLO_CONFIG_KEY_INSTALLER
#define POL  DLO_CONFIG_KEY_POLICY

typedef struct fake_engine {
    int calls;
    unsigned last_why;
    dlo_mode last_mode;
    dlo_service_loop *last_mem;
    dlo_status result;
    bool writes; /* the pass writes to the firewall */
    int failures;
    char failure[DLO_ERROR_MAX];
} fake_engine;

static void fake_failed(void *ctx, const char *message)
{
    fake_engine *e = ctx;
    e->failures++;
    snprintf(e->failure, sizeof(e->failure), "%s", message);
}

static dlo_status fake_reconcile(void *ctx, const dlo_config *cfg, dlo_service_loop *mem,
                                 unsigned why, dlo_error *err)
{
    fake_engine *e = ctx;
    e->calls++;
    e->last_why = why;
    e->last_mode = cfg->mode;
    e->last_mem = mem;
    mem->wrote = e->writes;
    if (e->result)
        return dlo_error_set(err, e->result, "the firewall said no");
    return DLO_OK;
}

typedef struct rig {
    fake_registry reg;
    fake_engine engine;
    dlo_service_ops ops;
    dlo_service_loop state;
    unsigned interval;
} rig;

static void rig_init(rig *r)
{
    memset(r, 0, sizeof(*r));
    fake_reg_init(&r->reg);
    r->ops.ctx = &r->engine;
    r->ops.reconcile = fake_reconcile;
    r->ops.summarize = dlo_report_config_summary;
    dlo_service_loop_init(&r->state);
    log_capture_reset();
}

static void rig_free(rig *r)
{
    dlo_service_loop_free(&r->state);
    fake_reg_free(&r->reg);
}

static dlo_status pass(rig *r, unsigned why)
{
    return dlo_service_pass(&r->state, &r->ops, &r->reg.reg, NULL, why, &r->interval);
}

static void test_start_pass_reconciles_with_the_configuration(void **state)
{
    rig r;
    (void)state;

    rig_init(&r);
    fake_reg_sz(&r.reg, INST, "BOIMode", "exclusive");
    fake_reg_dword(&r.reg, INST, "ReconcileIntervalMinutes", 5);
    assert_int_equal(pass(&r, DLO_WAKE_START), DLO_OK);
    assert_int_equal(r.engine.calls, 1);
    assert_int_equal(r.engine.last_why, DLO_WAKE_START);
    assert_int_equal(r.engine.last_mode, DLO_MODE_EXCLUSIVE);
    /* The reconcile keeps its memory in the loop's, not in one of its own. */
    assert_ptr_equal(r.engine.last_mem, &r.state);
    assert_int_equal(r.interval, 300);
    assert_true(log_has("1002 0 configuration in effect: BOIMode=exclusive (installer)"));
    rig_free(&r);
}

static void test_invalid_configuration_never_reaches_reconcile(void **state)
{
    rig r;
    (void)state;

    rig_init(&r);
    fake_reg_sz(&r.reg, INST, "BOIMode", "occasional");
    assert_int_equal(pass(&r, DLO_WAKE_START), DLO_OK);
    assert_int_equal(r.engine.calls, 1);

    fake_reg_sz(&r.reg, POL, "BOIMode", "sometimes");
    log_capture_reset();
    assert_int_equal(pass(&r, DLO_WAKE_CONFIG), DLO_E_CONFIG);
    assert_int_equal(r.engine.calls, 1);
    assert_true(log_has("1200 2 configuration invalid, firewall rules left as they are: HKLM\\" POL
                        " value BOIMode holds REG_SZ \"sometimes\""));
    /* The interval stays the one of the last good configuration. */
    assert_int_equal(r.interval, 3600);

    /* Drift-repair wake-ups do not reconcile either while it is invalid. */
    assert_int_equal(pass(&r, DLO_WAKE_TIMER), DLO_E_CONFIG);
    assert_int_equal(r.engine.calls, 1);

    /* Fixed: reconciled, and the configuration is announced again. */
    fake_reg_sz(&r.reg, POL, "BOIMode", "exclusive");
    log_capture_reset();
    assert_int_equal(pass(&r, DLO_WAKE_CONFIG), DLO_OK);
    assert_int_equal(r.engine.calls, 2);
    assert_int_equal(r.engine.last_mode, DLO_MODE_EXCLUSIVE);
    assert_true(log_has("1002 0 configuration in effect: BOIMode=exclusive (policy)"));
    rig_free(&r);
}

static void test_unchanged_configuration_after_a_notification_is_no_work(void **state)
{
    rig r;
    (void)state;

    rig_init(&r);
    fake_reg_sz(&r.reg, INST, "BOIMode", "occasional");
    assert_int_equal(pass(&r, DLO_WAKE_START), DLO_OK);
    log_capture_reset();
    /* Group Policy rewrote its key with the same values. */
    assert_int_equal(pass(&r, DLO_WAKE_CONFIG), DLO_OK);
    assert_int_equal(r.engine.calls, 1);
    assert_string_equal(log_captured(), "");
    /* The same value moving to the policy key changes nothing either. */
    fake_reg_sz(&r.reg, POL, "BOIMode", "occasional-boi");
    assert_int_equal(pass(&r, DLO_WAKE_CONFIG), DLO_OK);
    assert_int_equal(r.engine.calls, 1);
    /* Other reasons always reconcile: drift, new services. */
    assert_int_equal(pass(&r, DLO_WAKE_TIMER), DLO_OK);
    assert_int_equal(r.engine.calls, 2);
    assert_int_equal(pass(&r, DLO_WAKE_CONFIG | DLO_WAKE_SERVICES), DLO_OK);
    assert_int_equal(r.engine.calls, 3);
    /* The configuration did not change: that is not given as a reason. */
    assert_int_equal(r.engine.last_why, DLO_WAKE_SERVICES);
    /* A real change does. */
    fake_reg_sz(&r.reg, POL, "BOIMode", "nonboi");
    assert_int_equal(pass(&r, DLO_WAKE_CONFIG), DLO_OK);
    assert_int_equal(r.engine.calls, 4);
    assert_int_equal(r.engine.last_mode, DLO_MODE_NONBOI);
    rig_free(&r);
}

static void test_reconcile_failures_are_logged_and_retried(void **state)
{
    rig r;
    (void)state;

    rig_init(&r);
    r.engine.result = DLO_E_FIREWALL;
    assert_int_equal(pass(&r, DLO_WAKE_START), DLO_E_FIREWALL);
    assert_true(log_has("1300 2 firewall error (pass for: start): the firewall said no"));
    r.engine.result = DLO_E_IO;
    assert_int_equal(pass(&r, DLO_WAKE_RETRY), DLO_E_IO);
    assert_true(log_has("1301 2 pass failed (for: retry after a failure): the firewall said no"));
    /* Nothing was applied yet, so a notification with the same configuration still works. */
    r.engine.result = DLO_OK;
    assert_int_equal(pass(&r, DLO_WAKE_CONFIG), DLO_OK);
    assert_int_equal(r.engine.calls, 3);
    rig_free(&r);
}

static void test_unreadable_registry_keeps_the_rules(void **state)
{
    rig r;
    (void)state;

    rig_init(&r);
    fake_reg_fail(&r.reg, INST, "Roles", DLO_E_ACCESS);
    assert_int_equal(pass(&r, DLO_WAKE_START), DLO_E_CONFIG);
    assert_int_equal(r.engine.calls, 0);
    assert_true(log_has("1200 2 configuration invalid, firewall rules left as they are: HKLM\\" INST
                        " value Roles cannot be read"));
    rig_free(&r);
}

static void test_overrides_of_run(void **state)
{
    rig r;
    dlo_cli cli;
    dlo_config_overrides overrides;
    dlo_error err;
    char *argv[] = {"dloagent.exe", "/run", "/mode:occasional", NULL};
    (void)state;

    rig_init(&r);
    fake_reg_sz(&r.reg, INST, "BOIMode", "exclusive");
    assert_int_equal(dlo_cli_parse(3, argv, &cli, &err), DLO_OK);
    dlo_cli_config_overrides(&cli, &overrides);
    assert_int_equal(
        dlo_service_pass(&r.state, &r.ops, &r.reg.reg, &overrides, DLO_WAKE_START, &r.interval),
        DLO_OK);
    assert_int_equal(r.engine.last_mode, DLO_MODE_OCCASIONAL);
    rig_free(&r);
}

static const char *sql_rule_ports(const fake_sql *m)
{
    const dlo_rule *r = fwmem_find(&m->fw, "Arctera DLO - SQL Server (TCP-In)", DLO_RULE_GROUPING);
    assert_non_null(r);
    return dlo_str(r->local_ports);
}

/* A pass that can only fall back to SQL Server's default port keeps the port the last pass read
 * (and says so), and a pass without one never narrows the rule to the default: it widens. */
static void test_a_fallen_back_sql_port_narrows_nothing(void **state)
{
    fake_sql m;
    dlo_config cfg;
    dlo_service_loop mem, fresh;
    dlo_error err;
    (void)state;

    fake_sql_init(&m, "14331");
    assert_int_equal(dlo_config_init(&cfg), DLO_OK);
    dlo_service_loop_init(&mem);
    dlo_service_loop_init(&fresh);
    log_capture_reset();
    assert_int_equal(dlo_agent_reconcile(&m.plat, &cfg, &mem, DLO_WAKE_START, &err), DLO_OK);
    assert_string_equal(sql_rule_ports(&m), "14331");
    assert_string_equal(mem.sql_port, "14331");
    assert_false(log_has("kept SQL Server port"));

    fake_sql_break_port(&m);
    log_capture_reset();
    fwmem_reset_counters(&m.fw);
    assert_int_equal(dlo_agent_reconcile(&m.plat, &cfg, &mem, DLO_WAKE_TIMER, &err), DLO_OK);
    assert_string_equal(sql_rule_ports(&m), "14331");
    assert_int_equal(m.fw.writes, 0);
    assert_true(log_has("kept SQL Server port 14331 read at the last pass: SQL Server's standard "
                        "port"));
    assert_true(log_has("the SQL Server port fell back to the default, so no rule was narrowed "
                        "or removed"));
    assert_string_equal(mem.sql_port, "14331");

    /* No port remembered (the service just started): the default is added, nothing taken. */
    log_capture_reset();
    assert_int_equal(dlo_agent_reconcile(&m.plat, &cfg, &fresh, DLO_WAKE_START, &err), DLO_OK);
    assert_true(dlo_ports_same(sql_rule_ports(&m), "1433,14331"));
    assert_true(log_has("2 kept wider than planned"));
    assert_false(log_has("kept SQL Server port"));

    dlo_service_loop_free(&fresh);
    dlo_service_loop_free(&mem);
    dlo_config_free(&cfg);
    fake_sql_free(&m);
}

#define ADMIN_IN  "Arctera DLO - Administration Service (TCP-In)"
#define ADMIN_EXE "C:\\Program Files\\Arctera\\DLO\\DLOAdminSvcu.exe"
#define USER_EXE  "C:\\Users\\bob\\AppData\\Local\\nc.exe"

/* The Administration Service rule as the firewall has it, bound to program (NULL: unbound). */
static void assert_admin_bound(const fake_sql *m, const char *program)
{
    const dlo_rule *r = fwmem_find(&m->fw, ADMIN_IN, DLO_RULE_GROUPING);
    assert_non_null(r);
    if (!program) {
        assert_true(!r->application || !*r->application);
        return;
    }
    assert_string_equal(r->application, program);
    assert_string_equal(r->service, "DLOAdminSvcu");
}

/* One adverse reading of the listeners table: the pass writes nothing, the binding stays. */
static void pass_keeps_binding(fake_sql *m, const dlo_config *cfg, dlo_service_loop *mem,
                               const char *what)
{
    dlo_error err;
    fwmem_reset_counters(&m->fw);
    log_capture_reset();
    assert_int_equal(dlo_agent_reconcile(&m->plat, cfg, mem, DLO_WAKE_TIMER, &err), DLO_OK);
    if (m->fw.writes)
        fail_msg("%s: %u writes", what, m->fw.writes);
    assert_admin_bound(m, ADMIN_EXE);
}

/* Adverse or missing evidence never unbinds: once DLOAdminSvcu is seen on 3999 and the rule is
 * bound to it, a standard user's program listening on 127.0.0.2:3999 (beside it, or while it is
 * stopped), a listener whose owner cannot be read, a second service, an unreadable table or a
 * stopped service leave App and Svc as they are, also for a service that just restarted (the
 * firewall is the memory). Only positive evidence changes it: the service now runs another
 * program. */
static void test_adverse_evidence_never_unbinds(void **state)
{
    fake_sql m;
    dlo_config cfg;
    dlo_service_loop mem, restarted;
    dlo_error err;
    (void)state;

    fake_sql_init(&m, "1433");
    fake_reg_dword(&m.reg, "SYSTEM\\CurrentControlSet\\Services\\DLOAdminSvcu", "ServiceSidType",
                   1);
    assert_int_equal(dlo_config_init(&cfg), DLO_OK);
    dlo_service_loop_init(&mem);
    dlo_service_loop_init(&restarted);
    fake_sql_listen(&m, DLO_PROTO_TCP, 3999, 812, ADMIN_EXE, "DLOAdminSvcu", false);
    assert_int_equal(dlo_agent_reconcile(&m.plat, &cfg, &mem, DLO_WAKE_START, &err), DLO_OK);
    assert_admin_bound(&m, ADMIN_EXE);

    fake_sql_listen(&m, DLO_PROTO_TCP, 3999, 4242, USER_EXE, NULL, false);
    pass_keeps_binding(&m, &cfg, &mem, "a user's program beside the service");
    fake_sql_silence(&m);
    fake_sql_listen(&m, DLO_PROTO_TCP, 3999, 4242, USER_EXE, NULL, false);
    pass_keeps_binding(&m, &cfg, &mem, "a user's program alone, the service stopped");
    pass_keeps_binding(&m, &cfg, &restarted, "the same after a restart of the agent");
    fake_sql_silence(&m);
    fake_sql_listen(&m, DLO_PROTO_TCP, 3999, 0, NULL, NULL, true);
    pass_keeps_binding(&m, &cfg, &mem, "a listener of no known owner");
    fake_sql_silence(&m);
    fake_sql_listen(&m, DLO_PROTO_TCP, 3999, 812, ADMIN_EXE, "DLOAdminSvcu", false);
    fake_sql_listen(&m, DLO_PROTO_TCP, 3999, 900, "C:\\Other\\other.exe", "OtherSvc", false);
    pass_keeps_binding(&m, &cfg, &mem, "two services on the port");
    m.listeners_fail = true;
    pass_keeps_binding(&m, &cfg, &mem, "the listeners table unreadable");
    m.listeners_fail = false;
    fake_sql_silence(&m);
    pass_keeps_binding(&m, &cfg, &mem, "nothing listens");

    /* The service runs another program now, seen alone on its port: rebound. A cautious pass
     * (the SQL Server port fell back to the default) does not rebind yet; the next full one
     * does. */
    fake_sql_listen(&m, DLO_PROTO_TCP, 3999, 813, "D:\\DLO\\DLOAdminSvcu.exe", "DLOAdminSvcu",
                    false);
    fake_sql_break_port(&m);
    pass_keeps_binding(&m, &cfg, &restarted, "a cautious pass with another program");
    fake_reg_remove(&m.reg, FAKE_SQL_IPALL, "TcpPort");
    fake_reg_sz(&m.reg, FAKE_SQL_IPALL, "TcpPort", "1433");
    assert_int_equal(dlo_agent_reconcile(&m.plat, &cfg, &mem, DLO_WAKE_TIMER, &err), DLO_OK);
    assert_admin_bound(&m, "D:\\DLO\\DLOAdminSvcu.exe");

    /* BindToServices 0 is configuration: it unbinds. */
    cfg.bind_to_services = false;
    assert_int_equal(dlo_agent_reconcile(&m.plat, &cfg, &mem, DLO_WAKE_CONFIG, &err), DLO_OK);
    assert_admin_bound(&m, NULL);

    dlo_service_loop_free(&restarted);
    dlo_service_loop_free(&mem);
    dlo_config_free(&cfg);
    fake_sql_free(&m);
}

/* The Desktop Agent's change journal service, beside the Administration Server's services. */
static dlo_status services_with_client(void *ctx, dlo_service_list *out, dlo_error *err)
{
    (void)ctx;
    if (dlo_service_list_add(out, "DLOAdminSvcu", "DLO Administration Service",
                             DLO_SERVICE_RUNNING) ||
        dlo_service_list_add(out, "MSSQLSERVER", "SQL Server (MSSQLSERVER)", DLO_SERVICE_RUNNING) ||
        dlo_service_list_add(out, "DLOChangeJournal", "Arctera DLO Change Journal Service",
                             DLO_SERVICE_RUNNING))
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    return DLO_OK;
}

#define PUSH_IN "Arctera DLO - Push Installation (TCP-In)"

/* ClosePushPortsWhenInstalled: the client's push rules stay while the client role comes only
 * from AddRoles, and the pass that first detects the Desktop Agent removes them and says so. */
static void test_push_rules_close_when_the_agent_is_detected(void **state)
{
    fake_sql m;
    dlo_config cfg;
    dlo_service_loop mem;
    dlo_error err;
    (void)state;

    fake_sql_init(&m, "1433");
    assert_int_equal(dlo_config_init(&cfg), DLO_OK);
    cfg.add_roles = DLO_ROLE_BIT(DLO_ROLE_CLIENT);
    cfg.close_push_ports = true;
    dlo_service_loop_init(&mem);
    log_capture_reset();
    assert_int_equal(dlo_agent_reconcile(&m.plat, &cfg, &mem, DLO_WAKE_START, &err), DLO_OK);
    assert_non_null(fwmem_find(&m.fw, PUSH_IN, DLO_RULE_GROUPING));
    assert_false(log_has("ClosePushPortsWhenInstalled is on"));

    m.os.list_services = services_with_client;
    log_capture_reset();
    assert_int_equal(dlo_agent_reconcile(&m.plat, &cfg, &mem, DLO_WAKE_SERVICES, &err), DLO_OK);
    assert_null(fwmem_find(&m.fw, PUSH_IN, DLO_RULE_GROUPING));
    assert_true(log_has("DLO role client is detected on this machine and "
                        "ClosePushPortsWhenInstalled is on: 1 rule of row server.push-install, "
                        "which serve only its first installation, removed: " PUSH_IN));
    /* The Administration Server still pushes to other clients. */
    assert_non_null(
        fwmem_find(&m.fw, "Arctera DLO - Push Installation (TCP-Out)", DLO_RULE_GROUPING));

    log_capture_reset();
    assert_int_equal(dlo_agent_reconcile(&m.plat, &cfg, &mem, DLO_WAKE_TIMER, &err), DLO_OK);
    assert_false(log_has("ClosePushPortsWhenInstalled is on"));

    dlo_service_loop_free(&mem);
    dlo_config_free(&cfg);
    fake_sql_free(&m);
}

/* An event is one line in the Event Log and the trace file: a name in it shows every character
 * that could make it lie, a right-to-left override or a newline, escaped. */
static void test_event_messages_show_hidden_characters_escaped(void **state)
{
    (void)state;
    log_capture_reset();
    dlo_log_event(DLO_EV_COMPONENT_APPEARED, DLO_LOG_INFO, "DLO role %s appeared",
                  "edge\xe2\x80\xae\n1102 0 pass: all is well");
    assert_true(log_has("1500 0 DLO role edge<U+202E><U+000A>1102 0 pass: all is well appeared"));
    assert_false(log_has("\xe2\x80\xae"));
}

static void test_wake_text(void **state)
{
    dlo_buf b;
    (void)state;
    dlo_buf_init(&b);
    dlo_wake_text(&b, DLO_WAKE_CONFIG | DLO_WAKE_TIMER);
    assert_string_equal(dlo_buf_str(&b), "configuration changed, drift-repair interval");
    dlo_buf_reset(&b);
    dlo_wake_text(&b, DLO_WAKE_FIREWALL | DLO_WAKE_GROUP_POLICY | DLO_WAKE_NETWORK);
    assert_string_equal(dlo_buf_str(&b), "firewall changed, Group Policy's firewall settings "
                                         "changed, network category changed");
    dlo_buf_free(&b);
}

#define RULES DLO_LOCAL_POLICY_KEY "\\FirewallRules"

/* The agent's own writes wake it: the pass after a writing pass reads and finds nothing to do;
 * after that, notifications that leave the firewall's keys as that pass read them cause no
 * pass, and a real change (any of the watched keys) causes one. */
static void test_own_writes_cause_no_loop(void **state)
{
    rig r;
    (void)state;

    rig_init(&r);
    fake_reg_sz(&r.reg, RULES, "{1}", "v2.30|Action=Allow|Name=A|EmbedCtxt=" DLO_RULE_GROUPING "|");
    r.engine.writes = true;
    assert_int_equal(pass(&r, DLO_WAKE_START), DLO_OK);
    assert_int_equal(r.engine.calls, 1);
    /* Its own writes' notification: the firewall is read once more. */
    r.engine.writes = false;
    assert_int_equal(pass(&r, DLO_WAKE_FIREWALL), DLO_OK);
    assert_int_equal(r.engine.calls, 2);
    /* Late notifications of the same writes, and rewrites of the same values: nothing. */
    assert_int_equal(pass(&r, DLO_WAKE_FIREWALL), DLO_OK);
    assert_int_equal(pass(&r, DLO_WAKE_FIREWALL | DLO_WAKE_GROUP_POLICY), DLO_OK);
    fake_reg_sz(&r.reg, RULES, "{1}", "v2.30|Action=Allow|Name=A|EmbedCtxt=" DLO_RULE_GROUPING "|");
    assert_int_equal(pass(&r, DLO_WAKE_FIREWALL), DLO_OK);
    assert_int_equal(r.engine.calls, 2);
    assert_int_equal(r.state.unchanged, 3);
    assert_int_equal(r.state.passes, 2);
    /* A foreign change of a rule, of a profile setting, of Group Policy's key: a pass each. */
    fake_reg_sz(&r.reg, RULES, "{1}", "v2.30|Action=Allow|Name=A|LPort=1|");
    assert_int_equal(pass(&r, DLO_WAKE_FIREWALL), DLO_OK);
    assert_int_equal(r.engine.calls, 3);
    fake_reg_dword(&r.reg, DLO_LOCAL_POLICY_KEY "\\PublicProfile", "EnableFirewall", 0);
    assert_int_equal(pass(&r, DLO_WAKE_FIREWALL), DLO_OK);
    assert_int_equal(r.engine.calls, 4);
    fake_reg_dword(&r.reg, DLO_GP_POLICY_KEY "\\DomainProfile", "AllowLocalPolicyMerge", 0);
    assert_int_equal(pass(&r, DLO_WAKE_GROUP_POLICY), DLO_OK);
    assert_int_equal(r.engine.calls, 5);
    fake_reg_sz(&r.reg, DLO_GP_POLICY_KEY "\\FirewallRules", "{2}", "v2.30|Action=Block|");
    assert_int_equal(pass(&r, DLO_WAKE_GROUP_POLICY), DLO_OK);
    assert_int_equal(r.engine.calls, 6);
    /* Whatever else woke it is never skipped: the interval, a network's category. */
    assert_int_equal(pass(&r, DLO_WAKE_TIMER), DLO_OK);
    assert_int_equal(pass(&r, DLO_WAKE_NETWORK), DLO_OK);
    assert_int_equal(pass(&r, DLO_WAKE_FIREWALL | DLO_WAKE_SERVICES), DLO_OK);
    assert_int_equal(r.engine.calls, 9);
    rig_free(&r);
}

/* A configuration rewritten as it was, beside a change of the firewall: the pass is for the
 * firewall alone (a drift pass), not for a new plan. */
static void test_unchanged_configuration_is_no_reason(void **state)
{
    rig r;
    (void)state;

    rig_init(&r);
    assert_int_equal(pass(&r, DLO_WAKE_START), DLO_OK);
    assert_int_equal(pass(&r, DLO_WAKE_CONFIG | DLO_WAKE_FIREWALL), DLO_OK);
    assert_int_equal(r.engine.calls, 2);
    assert_int_equal(r.engine.last_why, DLO_WAKE_FIREWALL);
    fake_reg_sz(&r.reg, INST, "BOIMode", "exclusive");
    assert_int_equal(pass(&r, DLO_WAKE_CONFIG | DLO_WAKE_FIREWALL), DLO_OK);
    assert_int_equal(r.engine.last_why, DLO_WAKE_CONFIG | DLO_WAKE_FIREWALL);
    rig_free(&r);
}

/* A pass that writes, or fails, leaves nothing to compare with: the next wake-up reads. */
static void test_no_skip_after_a_write_or_a_failure(void **state)
{
    rig r;
    (void)state;

    rig_init(&r);
    r.engine.writes = true;
    assert_int_equal(pass(&r, DLO_WAKE_START), DLO_OK);
    assert_int_equal(pass(&r, DLO_WAKE_FIREWALL), DLO_OK);
    assert_int_equal(pass(&r, DLO_WAKE_FIREWALL), DLO_OK);
    assert_int_equal(r.engine.calls, 3);
    r.engine.writes = false;
    r.engine.result = DLO_E_FIREWALL;
    assert_int_equal(pass(&r, DLO_WAKE_FIREWALL), DLO_E_FIREWALL);
    r.engine.result = DLO_OK;
    assert_int_equal(pass(&r, DLO_WAKE_FIREWALL), DLO_OK);
    assert_int_equal(pass(&r, DLO_WAKE_FIREWALL), DLO_OK);
    assert_int_equal(r.engine.calls, 5);
    rig_free(&r);
}

/* The compliance state records a failed pass with the message of its event; a good pass
 * records its own. */
static void test_failed_passes_are_told(void **state)
{
    rig r;
    (void)state;

    rig_init(&r);
    r.ops.failed = fake_failed;
    assert_int_equal(pass(&r, DLO_WAKE_START), DLO_OK);
    assert_int_equal(r.engine.failures, 0);
    fake_reg_sz(&r.reg, INST, "BOIMode", "sometimes");
    assert_int_equal(pass(&r, DLO_WAKE_CONFIG), DLO_E_CONFIG);
    assert_int_equal(r.engine.failures, 1);
    assert_non_null(strstr(r.engine.failure, "value BOIMode holds REG_SZ \"sometimes\""));
    fake_reg_sz(&r.reg, INST, "BOIMode", "exclusive");
    r.engine.result = DLO_E_FIREWALL;
    assert_int_equal(pass(&r, DLO_WAKE_CONFIG), DLO_E_FIREWALL);
    assert_int_equal(r.engine.failures, 2);
    assert_string_equal(r.engine.failure, "the firewall said no");
    rig_free(&r);
}

/* The Names key as the Windows layer writes it: with replace, exactly the values given. */
static dlo_status names_write(void *ctx, const char *key, const dlo_reg_write *values, size_t n,
                              bool replace, dlo_error *err)
{
    fake_sql *m = ctx;
    size_t i;
    (void)err;
    if (strcmp(key, DLO_CONFIG_KEY_NAMES) != 0)
        return DLO_OK; /* the compliance state: not this test's */
    assert_true(replace);
    for (i = m->reg.n; i-- > 0;)
        if (strcmp(m->reg.entries[i].key, key) == 0)
            fake_reg_remove(&m->reg, key, m->reg.entries[i].name);
    for (i = 0; i < n; i++)
        fake_reg_sz(&m->reg, key, values[i].name, values[i].text);
    return DLO_OK;
}

static void set_scope(dlo_config *cfg, int role, const char *scope)
{
    free(cfg->scopes[role]);
    cfg->scopes[role] = dlo_strdup(scope);
}

/* The rules whose remote addresses hold addr. */
static size_t rules_toward(const fake_sql *m, const char *addr)
{
    size_t i, n = 0;
    for (i = 0; i < m->fw.rules.count; i++) {
        const char *ra = m->fw.rules.items[i].remote_addresses;
        n += ra && strstr(ra, addr) != NULL;
    }
    return n;
}

/* A name whose address changes rewrites only the rules toward it; one that stops resolving keeps
 * its last known addresses, also in a service that starts again; one that never resolved leaves
 * every rule as it is. */
static void test_host_names_across_passes(void **state)
{
    fake_sql m;
    fake_resolver fr;
    dlo_config cfg;
    dlo_service_loop mem, restarted;
    dlo_error err;
    size_t console_rules;
    (void)state;

    fake_sql_init(&m, "1433");
    fake_resolver_init(&fr);
    m.plat.resolver = &fr.seam;
    m.plat.write_values = names_write;
    assert_int_equal(dlo_config_init(&cfg), DLO_OK);
    set_scope(&cfg, DLO_ROLE_ADMIN_CONSOLE, "console.corp.example");
    set_scope(&cfg, DLO_ROLE_CLIENT, "10.8.0.0/255.255.0.0,clients.corp.example");
    fake_resolver_set(&fr, "console.corp.example", "10.20.0.5,2001:db8::5", 600, 1);
    fake_resolver_set(&fr, "clients.corp.example", "10.9.0.7", 0, 1);
    dlo_service_loop_init(&mem);
    dlo_service_loop_init(&restarted);
    log_capture_reset();
    assert_int_equal(dlo_agent_reconcile(&m.plat, &cfg, &mem, DLO_WAKE_START, &err), DLO_OK);
    console_rules = rules_toward(&m, "10.20.0.5/255.255.255.255");
    assert_true(console_rules > 0);
    assert_int_equal(rules_toward(&m, "2001:db8::5/128"), console_rules);
    assert_true(rules_toward(&m, "10.9.0.7/255.255.255.255") > 0);
    assert_int_equal(mem.names_refresh_seconds, 600);
    assert_string_equal(m.reg.entries[m.reg.n - 2].name, "console.corp.example");

    /* The console moves: only its rules are rewritten, and that is no drift. */
    fake_resolver_set(&fr, "console.corp.example", "10.20.0.6", 600, 1);
    fwmem_reset_counters(&m.fw);
    log_capture_reset();
    assert_int_equal(dlo_agent_reconcile(&m.plat, &cfg, &mem, DLO_WAKE_TIMER, &err), DLO_OK);
    assert_int_equal(m.fw.updates, console_rules);
    assert_int_equal(m.fw.adds + m.fw.removes, 0);
    assert_int_equal(rules_toward(&m, "10.20.0.6/255.255.255.255"), console_rules);
    assert_int_equal(rules_toward(&m, "10.20.0.5/255.255.255.255"), 0);
    assert_true(log_has("host names resolved to other addresses"));
    assert_false(log_has("1101"));

    /* It stops resolving: the rules keep 10.20.0.6, with a warning, once. */
    fake_resolver_set(&fr, "console.corp.example", NULL, 0, 1);
    fwmem_reset_counters(&m.fw);
    log_capture_reset();
    assert_int_equal(dlo_agent_reconcile(&m.plat, &cfg, &mem, DLO_WAKE_TIMER, &err), DLO_OK);
    assert_int_equal(m.fw.writes, 0);
    assert_true(log_has("1202 1 host name 'console.corp.example' did not resolve (no such host is "
                        "known): the rules keep its last known addresses "
                        "10.20.0.6/255.255.255.255"));
    log_capture_reset();
    assert_int_equal(dlo_agent_reconcile(&m.plat, &cfg, &mem, DLO_WAKE_TIMER, &err), DLO_OK);
    assert_false(log_has("1202"));

    /* The service starts again: the persisted addresses are still kept. */
    log_capture_reset();
    assert_int_equal(dlo_agent_reconcile(&m.plat, &cfg, &restarted, DLO_WAKE_START, &err), DLO_OK);
    assert_int_equal(m.fw.writes, 0);
    assert_int_equal(rules_toward(&m, "10.20.0.6/255.255.255.255"), console_rules);
    assert_true(log_has("1202 1 host name 'console.corp.example' did not resolve"));

    /* A name never resolved: a configuration error, nothing written. */
    set_scope(&cfg, DLO_ROLE_EDGE_SERVER, "edge.never.example");
    fwmem_reset_counters(&m.fw);
    assert_int_equal(dlo_agent_reconcile(&m.plat, &cfg, &restarted, DLO_WAKE_TIMER, &err),
                     DLO_E_CONFIG);
    assert_non_null(strstr(err.msg, "EdgeServers: host name 'edge.never.example' has never "
                                    "resolved"));
    assert_int_equal(m.fw.writes + m.fw.enumerations, 0);

    dlo_service_loop_free(&restarted);
    dlo_service_loop_free(&mem);
    dlo_config_free(&cfg);
    fake_sql_free(&m);
}

/* The next pass comes when the names are due, sooner than the drift-repair interval. */
static void test_names_shorten_the_interval(void **state)
{
    rig r;
    (void)state;
    rig_init(&r);
    fake_reg_dword(&r.reg, INST, "ReconcileIntervalMinutes", 60);
    r.state.names_refresh_seconds = 900;
    assert_int_equal(pass(&r, DLO_WAKE_START), DLO_OK);
    assert_int_equal(r.interval, 900);
    r.state.names_refresh_seconds = 0;
    assert_int_equal(pass(&r, DLO_WAKE_TIMER), DLO_OK);
    assert_int_equal(r.interval, 3600);
    rig_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_pass_reconciles_with_the_configuration),
        cmocka_unit_test(test_invalid_configuration_never_reaches_reconcile),
        cmocka_unit_test(test_unchanged_configuration_after_a_notification_is_no_work),
        cmocka_unit_test(test_reconcile_failures_are_logged_and_retried),
        cmocka_unit_test(test_unreadable_registry_keeps_the_rules),
        cmocka_unit_test(test_overrides_of_run),
        cmocka_unit_test(test_a_fallen_back_sql_port_narrows_nothing),
        cmocka_unit_test(test_adverse_evidence_never_unbinds),
        cmocka_unit_test(test_push_rules_close_when_the_agent_is_detected),
        cmocka_unit_test(test_event_messages_show_hidden_characters_escaped),
        cmocka_unit_test(test_wake_text),
        cmocka_unit_test(test_failed_passes_are_told),
        cmocka_unit_test(test_own_writes_cause_no_loop),
        cmocka_unit_test(test_no_skip_after_a_write_or_a_failure),
        cmocka_unit_test(test_host_names_across_passes),
        cmocka_unit_test(test_names_shorten_the_interval),
        cmocka_unit_test(test_unchanged_configuration_is_no_reason),
    };
    return cmocka_run_group_tests(tests, log_capture_start, log_capture_stop);
}
