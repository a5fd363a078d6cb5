/* /probe through a fake listeners table, fake connections and a fake resolver: every outcome,
 * the limits (one attempt per address and port, only configured or named targets, the run's
 * time limit), the usage errors and the JSON document. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/app.h"
#include "dlo/buf.h"
#include "dlo/probe.h"
#include "dlo/report.h"
#include "dlo/str.h"
#include "testutil.h"

#define MAX_TRIED 128

typedef struct fake {
    dlo_buf out, err;
    dlo_listener_list table;
    bool fail_listeners;
    /* "10.0.0.5:443" -> outcome; anything else is refused. */
    const char *open[8], *filtered[8];
    char tried[MAX_TRIED][64];
    size_t n_tried, batches;
    unsigned timeout_seen;
    const char *known_host; /* the one name the resolver knows, as 10.0.0.9 */
    int resolved;
} fake;

static bool listed(const char *const *list, const char *s)
{
    size_t i;
    for (i = 0; i < 8 && list[i]; i++)
        if (!strcmp(list[i], s))
            return true;
    return false;
}

static dlo_status fake_listeners(void *ctx, dlo_listener_list *out, dlo_error *err)
{
    fake *f = ctx;
    size_t i;
    if (f->fail_listeners)
        return dlo_error_set(err, DLO_E_ACCESS, "GetExtendedTcpTable: access denied");
    for (i = 0; i < f->table.count; i++) {
        const dlo_listener *l = &f->table.items[i];
        dlo_listener_add(out, l->protocol, l->port, l->pid, l->image, l->service);
    }
    return DLO_OK;
}

static dlo_status fake_connect(void *ctx, dlo_probe_conn *conns, size_t n, unsigned timeout_ms,
                               dlo_error *err)
{
    fake *f = ctx;
    size_t i, j;
    (void)err;
    assert_true(n >= 1 && n <= DLO_PROBE_CONCURRENCY);
    f->batches++;
    f->timeout_seen = timeout_ms;
    for (i = 0; i < n; i++) {
        char *t = f->tried[f->n_tried];
        const unsigned char *a = conns[i].ip.addr;
        if (conns[i].ip.family == 6)
            snprintf(t, 64, "v6 %02x%02x..%02x:%u", a[0], a[1], a[15], conns[i].port);
        else
            snprintf(t, 64, "%u.%u.%u.%u:%u", a[0], a[1], a[2], a[3], conns[i].port);
        for (j = 0; j < f->n_tried; j++)
            assert_string_not_equal(f->tried[j], t); /* at most once per run */
        f->n_tried++;
        conns[i].result = listed(f->open, t)       ? DLO_CONNECT_OPEN
                          : listed(f->filtered, t) ? DLO_CONNECT_FILTERED
                                                   : DLO_CONNECT_REFUSED;
        conns[i].ms = conns[i].result == DLO_CONNECT_FILTERED ? timeout_ms : 3;
    }
    return DLO_OK;
}

static dlo_status fake_resolve(void *ctx, const char *host, dlo_ip *out, size_t max, size_t *n,
                               dlo_error *err)
{
    fake *f = ctx;
    f->resolved++;
    assert_true(max >= 1);
    if (!f->known_host || strcmp(host, f->known_host) != 0)
        return dlo_error_set(err, DLO_E_NOTFOUND, "no such host is known");
    memset(out, 0, sizeof(*out));
    out->family = 4;
    memcpy(out->addr, "\x0a\x00\x00\x09", 4);
    *n = 1;
    return DLO_OK;
}

static dlo_status fake_embedded(void *ctx, const char *name, dlo_buf *out, dlo_error *err)
{
    (void)ctx;
    if (strcmp(name, "PORTMATRIX") != 0)
        return dlo_error_set(err, DLO_E_NOTFOUND, "no %s", name);
    test_read_source_file("policies/dlo-10.0.ports", out);
    return DLO_OK;
}

static void fake_out(void *ctx, const char *s, size_t n)
{
    dlo_buf_append(&((fake *)ctx)->out, s, n);
}

static void fake_err(void *ctx, const char *s, size_t n)
{
    dlo_buf_append(&((fake *)ctx)->err, s, n);
}

static int run_with(fake *f, bool can_probe, char **argv)
{
    dlo_probe_os os = {f, fake_listeners, fake_connect, fake_resolve};
    dlo_platform plat = {.ctx = f,
                         .write_out = fake_out,
                         .write_err = fake_err,
                         .load_embedded = fake_embedded,
                         .probe_os = can_probe ? &os : NULL};
    int argc = 0;
    dlo_buf_free(&f->out);
    dlo_buf_free(&f->err);
    while (argv[argc])
        argc++;
    return dlo_app_run(&plat, argc, argv);
}

static int run(fake *f, char **argv)
{
    return run_with(f, true, argv);
}

static void fake_free(fake *f)
{
    dlo_buf_free(&f->out);
    dlo_buf_free(&f->err);
    dlo_listener_list_free(&f->table);
}

static void assert_has(const dlo_buf *b, const char *s)
{
    if (!strstr(dlo_buf_str(b), s))
        fail_msg("'%s' not in:\n%s", s, dlo_buf_str(b));
}

/* An edge server: 443 has the DLO service listening, 90 nothing. */
static void test_inbound_listening_and_not(void **state)
{
    fake f = {0};
    char *argv[] = {"dloagent", "/probe", "/roles:edge-server", "/mode:occasional", NULL};
    char *json[] = {"dloagent", "/probe", "/roles:edge-server", "/mode:occasional", "/json", NULL};
    (void)state;
    dlo_listener_add(&f.table, DLO_PROTO_TCP, 443, 1200, "C:\\DLO\\EdgeServer.exe", "DLOEdgeSvc");
    dlo_listener_add(&f.table, DLO_PROTO_UDP, 90, 77, "C:\\other.exe", NULL);
    assert_int_equal(run(&f, argv), 1);
    assert_has(&f.out, "in   tcp   443                       listening      "
                       "Arctera DLO - Edge Server HTTPS (TCP-In)");
    assert_has(&f.out, "     PID 1200 C:\\DLO\\EdgeServer.exe (service DLOEdgeSvc)");
    /* a UDP socket on 90 is no TCP listener */
    assert_has(&f.out, "in   tcp   90                        not-listening  "
                       "Arctera DLO - Edge Server HTTP (TCP-In)");
    assert_has(&f.out, "no addresses configured for its peers");
    assert_int_equal(f.n_tried, 0);

    assert_int_equal(run(&f, json), 1);
    assert_has(&f.out, "{\"ok\": false, \"mode\": \"occasional\", \"roles\": [\"edge-server\"]");
    assert_has(&f.out, "\"inbound\": [{\"rule\": \"Arctera DLO - Edge Server HTTPS (TCP-In)\", "
                       "\"protocol\": \"tcp\", \"state\": \"listening\", \"port\": 443, "
                       "\"reason\": \"\", \"ports_listening\": 1, \"bound\": \"none\", "
                       "\"listeners\": [{\"port\": 443, \"pid\": 1200, \"image\": "
                       "\"C:\\\\DLO\\\\EdgeServer.exe\", \"service\": \"DLOEdgeSvc\"}]}");
    assert_has(&f.out, "\"state\": \"not-listening\", \"port\": 90");
    assert_has(&f.out, "\"outbound\": [{\"rule\": \"Arctera DLO - Dedupe Server AJP (TCP-Out)\", "
                       "\"protocol\": \"tcp\", \"state\": \"not-probeable\", \"reason\": \"no "
                       "addresses configured for its peers\", \"peer\": null, \"target\": \"\", "
                       "\"address\": null, \"ms\": 0}");
    fake_free(&f);
}

static void test_all_listening_exits_0(void **state)
{
    fake f = {0};
    char *argv[] = {"dloagent", "/probe", "/roles:edge-server", "/mode:occasional", NULL};
    (void)state;
    dlo_listener_add(&f.table, DLO_PROTO_TCP, 443, 1200, "C:\\DLO\\EdgeServer.exe", NULL);
    dlo_listener_add(&f.table, DLO_PROTO_TCP, 90, 1200, "C:\\DLO\\EdgeServer.exe", NULL);
    dlo_listener_add(&f.table, DLO_PROTO_TCP, 135, 900, NULL, "RpcSs");
    assert_int_equal(run(&f, argv), 0);
    assert_has(&f.out, "     PID 900 (image unknown) (service RpcSs)");
    assert_has(&f.out, "4 probes, 0 not open or listening; 0 connections tried");
    fake_free(&f);
}

/* A client toward three Edge Servers: one answers, one refuses, one never answers. */
static void test_outbound_open_refused_filtered(void **state)
{
    fake f = {.open = {"10.0.0.5:443"}, .filtered = {"10.0.0.7:443"}};
    char *argv[] = {"dloagent",
                    "/probe",
                    "/roles:client",
                    "/mode:exclusive",
                    "/edgeservers:10.0.0.5,10.0.0.6,10.0.0.7",
                    "/timeout:500",
                    NULL};
    char *json[] = {"dloagent",
                    "/probe",
                    "/roles:client",
                    "/mode:exclusive",
                    "/edgeservers:10.0.0.5,10.0.0.6,10.0.0.7",
                    "/timeout:500",
                    "/json",
                    NULL};
    (void)state;
    assert_int_equal(run(&f, argv), 1);
    assert_int_equal(f.n_tried, 3);
    assert_int_equal(f.timeout_seen, 500);
    assert_has(&f.out, "out  tcp   10.0.0.5:443              open           "
                       "Arctera DLO - Edge Server HTTPS (TCP-Out)\n     3 ms; peer edge-server");
    assert_has(&f.out, "out  tcp   10.0.0.6:443              refused        ");
    assert_has(&f.out, "out  tcp   10.0.0.7:443              filtered       "
                       "Arctera DLO - Edge Server HTTPS (TCP-Out)\n     500 ms; peer edge-server");
    assert_has(&f.out, "3 probes, 2 not open or listening; 3 connections tried");

    f.n_tried = 0;
    assert_int_equal(run(&f, json), 1);
    assert_has(&f.out, "{\"rule\": \"Arctera DLO - Edge Server HTTPS (TCP-Out)\", \"protocol\": "
                       "\"tcp\", \"state\": \"open\", \"port\": 443, \"reason\": \"\", \"peer\": "
                       "\"edge-server\", \"target\": \"10.0.0.5\", \"address\": \"10.0.0.5\", "
                       "\"ms\": 3}");
    assert_has(&f.out, "\"state\": \"filtered\", \"port\": 443, \"reason\": \"\", \"peer\": "
                       "\"edge-server\", \"target\": \"10.0.0.7\", \"address\": \"10.0.0.7\", "
                       "\"ms\": 500}");
    assert_has(&f.out, "\"probed\": 3, \"failed\": 2, \"attempts\": 3, \"not_listed\": 0");
    fake_free(&f);
}

static void test_outbound_all_open_exits_0(void **state)
{
    fake f = {.open = {"10.0.0.5:443", "fd00::5"}};
    char *argv[] = {
        "dloagent", "/probe", "/roles:client", "/mode:exclusive", "/edgeservers:10.0.0.5", NULL};
    (void)state;
    assert_int_equal(run(&f, argv), 0);
    assert_int_equal(f.n_tried, 1);
    fake_free(&f);
}

/* A subnet, a range and a keyword are no single address: reported, never tried. */
static void test_scope_not_one_address(void **state)
{
    fake f = {.open = {"10.0.0.5:443"}};
    char *argv[] = {"dloagent",
                    "/probe",
                    "/roles:client",
                    "/mode:exclusive",
                    "/edgeservers:10.1.0.0/16,10.0.0.5,10.2.0.1-10.2.0.9,LocalSubnet",
                    NULL};
    (void)state;
    assert_int_equal(run(&f, argv), 0);
    assert_int_equal(f.n_tried, 1);
    assert_string_equal(f.tried[0], "10.0.0.5:443");
    assert_has(&f.out, "out  tcp   10.1.0.0/255.255.0.0      not-probeable  "
                       "Arctera DLO - Edge Server HTTPS (TCP-Out)\n"
                       "     a subnet, not one address; peer edge-server");
    assert_has(&f.out, "10.2.0.1-10.2.0.9         not-probeable");
    assert_has(&f.out, "     a range, not one address; peer edge-server");
    assert_has(&f.out, "LocalSubnet               not-probeable");
    assert_has(&f.out, "     a keyword, not an address; peer edge-server");
    fake_free(&f);
}

/* Ranges: inbound summarised; outbound the first port and the /ports: inside it. UDP is not
 * probed. One address in two scopes is still tried once per port. */
static void test_ranges_udp_and_once(void **state)
{
    fake f = {.open = {"10.0.0.5:135", "10.0.0.5:137", "10.0.0.5:445", "10.0.0.5:8443",
                       "10.0.0.5:8080", "10.0.0.5:1433"}};
    char *argv[] = {"dloagent",
                    "/probe",
                    "/roles:client",
                    "/mode:nonboi",
                    "/dedupeservers:10.0.0.5",
                    "/storageservers:10.0.0.5",
                    "/dedupestorageservers:10.0.0.5",
                    "/sqlservers:10.0.0.5",
                    "/ports:137,50000",
                    NULL};
    size_t i;
    (void)state;
    for (i = 0; i < 3; i++)
        dlo_listener_add(&f.table, DLO_PROTO_TCP, 50000 + (unsigned)i, 4, "C:\\x.exe", NULL);
    dlo_listener_add(&f.table, DLO_PROTO_TCP, 135, 900, NULL, "RpcSs");
    run(&f, argv);
    assert_has(&f.out, "in   tcp   49152-65535               listening      "
                       "Arctera DLO - Push Installation (TCP-In)\n"
                       "     range: 3 of 16384 ports have a listener\n"
                       "     port 50000: PID 4 C:\\x.exe\n");
    assert_has(&f.out, "in   tcp   1037                      not-listening");
    assert_has(&f.out, "out  udp   -                         not-probeable  "
                       "Arctera DLO - File Sharing (UDP-Out)\n"
                       "     UDP: DLO has no protocol to probe it with\n");
    assert_has(&f.out, "10.0.0.5:137              open");
    assert_has(&f.out, "10.0.0.5:1433             open");
    for (i = 0; i < f.n_tried; i++)
        assert_null(strstr(f.tried[i], ":136"));
    /* 135, 137, 445 (File Sharing toward both storage roles, once), 8443, 8080, 1433 */
    assert_int_equal(f.n_tried, 6);
    fake_free(&f);
}

static void test_to_host(void **state)
{
    fake f = {.known_host = "edge.example.test", .open = {"10.0.0.9:443"}};
    char *named[] = {"dloagent",
                     "/probe",
                     "/roles:client",
                     "/mode:exclusive",
                     "/edgeservers:10.0.0.5",
                     "/to:edge.example.test",
                     "/role:edge-server",
                     NULL};
    char *unknown[] = {"dloagent",
                       "/probe",
                       "/roles:client",
                       "/mode:exclusive",
                       "/to:nowhere.example.test",
                       "/role:edge-server",
                       NULL};
    char *literal[] = {
        "dloagent",          "/probe", "/roles:client", "/mode:exclusive", "/to:10.0.0.9",
        "/role:EDGE-SERVER", NULL};
    char *other_role[] = {
        "dloagent",         "/probe", "/roles:client", "/mode:exclusive", "/to:10.0.0.9",
        "/role:sql-server", NULL};
    (void)state;
    dlo_listener_add(&f.table, DLO_PROTO_TCP, 1, 1, "C:\\x.exe", NULL);
    assert_int_equal(run(&f, named), 0);
    /* the configured scope is not what was asked for: only the named host is tried */
    assert_int_equal(f.n_tried, 1);
    assert_string_equal(f.tried[0], "10.0.0.9:443");
    assert_has(&f.out, "out  tcp   edge.example.test:443     open");
    assert_null(strstr(dlo_buf_str(&f.out), "in   "));

    f.n_tried = 0;
    assert_int_equal(run(&f, unknown), 3);
    assert_has(&f.err, "dloagent: /probe: cannot resolve 'nowhere.example.test': no such host");
    assert_int_equal(f.n_tried, 0);

    f.resolved = 0;
    assert_int_equal(run(&f, literal), 0);
    assert_int_equal(f.resolved, 0);
    assert_int_equal(f.n_tried, 1);

    f.n_tried = 0;
    assert_int_equal(run(&f, other_role), 0);
    assert_int_equal(f.n_tried, 0);
    assert_has(&f.out, "0 probes");
    fake_free(&f);
}

static void test_usage_errors(void **state)
{
    static const char *const bad[][2] = {
        {"/timeout:0", "/timeout:0 is not a time in milliseconds (it is out of range): expected "
                       "1-30000"},
        {"/timeout:0100", "/timeout:0100 is not a time in milliseconds (it has a leading zero)"},
        {"/ports:0443", "/ports:0443: '0443' has a leading zero"},
        {"/timeout:40000", "/timeout:40000 is not a time"},
        {"/timeout:abc", "/timeout:abc is not a time"},
        {"/to:10.0.0.9", "/to:HOST and /role:ROLE go together"},
        {"/role:client", "/to:HOST and /role:ROLE go together"},
        {"/ports:1-x", "/ports:1-x: "},
    };
    size_t i;
    fake f = {0};
    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *argv[] = {"dloagent", "/probe", "/roles:client", (char *)bad[i][0], NULL};
        assert_int_equal(run(&f, argv), 2);
        assert_has(&f.err, bad[i][1]);
    }
    {
        char *argv[] = {"dloagent", "/probe", "/roles:client", "/to:h", "/role:nobody", NULL};
        assert_int_equal(run(&f, argv), 2);
        assert_has(&f.err, "/role:nobody is not a role");
    }
    assert_int_equal(f.n_tried, 0);
    fake_free(&f);
}

static void test_cannot_probe(void **state)
{
    fake f = {.fail_listeners = true};
    char *argv[] = {"dloagent", "/probe", "/roles:client", NULL};
    (void)state;
    assert_int_equal(run(&f, argv), 3);
    assert_has(&f.err, "dloagent: /probe: cannot read the listeners table: GetExtendedTcpTable: "
                       "access denied\n");
    assert_int_equal(f.out.len, 0);
    assert_int_equal(run_with(&f, false, argv), 3);
    assert_has(&f.err, "dloagent: /probe: this platform cannot probe\n");
    fake_free(&f);
}

/* ---- the engine on hand-made plans ---- */

static dlo_rule *add_rule(dlo_plan *plan, dlo_direction dir, const char *ports, dlo_role_set peers)
{
    dlo_rule *r = dlo_rule_list_add(&plan->rules);
    assert_non_null(r);
    r->direction = dir;
    r->protocol = DLO_PROTO_TCP;
    r->peers = peers;
    assert_int_equal(dlo_rule_set(&r->name, "rule"), DLO_OK);
    assert_int_equal(dlo_rule_set(dir == DLO_DIR_IN ? &r->local_ports : &r->remote_ports, ports),
                     DLO_OK);
    return r;
}

/* A listener is matched against the program or service the rule is bound to. */
static void test_bound_program(void **state)
{
    fake f = {0};
    dlo_probe_os os = {&f, fake_listeners, fake_connect, fake_resolve};
    dlo_probe_params pp = {0};
    dlo_probe_result res;
    dlo_config cfg;
    dlo_plan plan;
    dlo_error err;
    (void)state;
    memset(&plan, 0, sizeof(plan));
    dlo_rule_list_init(&plan.rules);
    assert_int_equal(dlo_config_init(&cfg), DLO_OK);
    dlo_rule_set(&add_rule(&plan, DLO_DIR_IN, "443", 0)->application, "c:\\dlo\\edge.exe");
    dlo_rule_set(&add_rule(&plan, DLO_DIR_IN, "444", 0)->application, "C:\\DLO\\Edge.exe");
    dlo_rule_set(&add_rule(&plan, DLO_DIR_IN, "445", 0)->service, "DLOSvc");
    add_rule(&plan, DLO_DIR_IN, "RPC", 0);
    dlo_listener_add(&f.table, DLO_PROTO_TCP, 443, 5, "C:\\DLO\\Edge.exe", NULL);
    dlo_listener_add(&f.table, DLO_PROTO_TCP, 444, 6, "C:\\Other.exe", NULL);
    dlo_listener_add(&f.table, DLO_PROTO_TCP, 445, 7, "C:\\Host.exe", "dlosvc");
    assert_int_equal(dlo_probe_run(&os, &plan, &cfg, &pp, &res, &err), DLO_OK);
    assert_int_equal(res.count, 4);
    assert_int_equal(res.items[0].bound, DLO_BOUND_MATCH);
    assert_int_equal(res.items[1].bound, DLO_BOUND_OTHER);
    assert_int_equal(res.items[1].state, DLO_PROBE_LISTENING);
    assert_int_equal(res.items[2].bound, DLO_BOUND_MATCH);
    assert_int_equal(res.items[3].state, DLO_PROBE_NOT_PROBEABLE);
    assert_string_equal(res.items[3].reason, "a port keyword names no fixed port");
    dlo_probe_result_free(&res);
    dlo_plan_free(&plan);
    dlo_config_free(&cfg);
    fake_free(&f);
}

/* Batches of DLO_PROBE_CONCURRENCY; a batch that could pass the time limit is not started. */
static void test_run_time_limit(void **state)
{
    fake f = {0};
    dlo_probe_os os = {&f, fake_listeners, fake_connect, fake_resolve};
    dlo_portset extra;
    dlo_probe_params pp = {.timeout_ms = 1000, .run_limit_ms = 2500, .extra_ports = &extra};
    dlo_probe_result res;
    dlo_config cfg;
    dlo_plan plan;
    dlo_error err;
    size_t i, skipped = 0;
    (void)state;
    memset(&plan, 0, sizeof(plan));
    dlo_rule_list_init(&plan.rules);
    assert_int_equal(dlo_config_init(&cfg), DLO_OK);
    free(cfg.scopes[DLO_ROLE_EDGE_SERVER]);
    cfg.scopes[DLO_ROLE_EDGE_SERVER] = dlo_strdup("10.0.0.5/255.255.255.255");
    add_rule(&plan, DLO_DIR_OUT, "1000-1099", DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER));
    assert_int_equal(dlo_portset_parse("1001-1039", 0, &extra, NULL), DLO_OK);
    assert_int_equal(dlo_probe_run(&os, &plan, &cfg, &pp, &res, &err), DLO_OK);
    assert_int_equal(res.count, 40);
    assert_int_equal(f.batches, 2);
    assert_int_equal(res.attempts, 2 * DLO_PROBE_CONCURRENCY);
    for (i = 0; i < res.count; i++)
        if (res.items[i].state == DLO_PROBE_SKIPPED) {
            skipped++;
            assert_string_equal(res.items[i].reason, "the run's time limit of 2500 ms was reached");
        }
    assert_int_equal(skipped, 40 - 2 * DLO_PROBE_CONCURRENCY);
    assert_false(dlo_probe_all_good(&res));
    dlo_probe_result_free(&res);
    dlo_portset_free(&extra);
    dlo_plan_free(&plan);
    dlo_config_free(&cfg);
    fake_free(&f);
}

/* IPv6 addresses are tried as such; past DLO_PROBE_MAX_TARGETS pairs are counted, not listed. */
static void test_ipv6_and_target_cap(void **state)
{
    fake f = {.open = {"v6 fd00..05:1000"}};
    dlo_probe_os os = {&f, fake_listeners, fake_connect, fake_resolve};
    dlo_portset extra;
    dlo_probe_params pp = {.extra_ports = &extra};
    dlo_probe_result res;
    dlo_config cfg;
    dlo_plan plan;
    dlo_error err;
    dlo_buf many, b;
    unsigned i;
    (void)state;
    memset(&plan, 0, sizeof(plan));
    dlo_rule_list_init(&plan.rules);
    assert_int_equal(dlo_config_init(&cfg), DLO_OK);
    free(cfg.scopes[DLO_ROLE_EDGE_SERVER]);
    cfg.scopes[DLO_ROLE_EDGE_SERVER] = dlo_strdup("fd00::5/128");
    add_rule(&plan, DLO_DIR_OUT, "1000", DLO_ROLE_BIT(DLO_ROLE_EDGE_SERVER));
    assert_int_equal(dlo_portset_parse("1", 0, &extra, NULL), DLO_OK);
    assert_int_equal(dlo_probe_run(&os, &plan, &cfg, &pp, &res, &err), DLO_OK);
    assert_int_equal(res.count, 1);
    assert_int_equal(res.items[0].state, DLO_PROBE_OPEN);
    assert_string_equal(res.items[0].target, "fd00::5");
    dlo_buf_init(&b);
    dlo_report_probe_json(&b, &plan, &res);
    assert_has(&b, "\"target\": \"fd00::5\", \"address\": \"fd00::5\"");
    dlo_probe_result_free(&res);

    /* 50 addresses times 100 ports of a range: 5000 pairs, 4096 listed. */
    dlo_buf_init(&many);
    for (i = 1; i <= 50; i++)
        dlo_buf_printf(&many, "%s10.0.1.%u/255.255.255.255", i > 1 ? "," : "", i);
    free(cfg.scopes[DLO_ROLE_EDGE_SERVER]);
    cfg.scopes[DLO_ROLE_EDGE_SERVER] = dlo_strdup(dlo_buf_str(&many));
    assert_int_equal(dlo_rule_set(&plan.rules.items[0].remote_ports, "2000-2099"), DLO_OK);
    dlo_portset_free(&extra);
    assert_int_equal(dlo_portset_parse("2001-2099", 0, &extra, NULL), DLO_OK);
    pp.run_limit_ms = 1;
    f.n_tried = 0;
    assert_int_equal(dlo_probe_run(&os, &plan, &cfg, &pp, &res, &err), DLO_OK);
    assert_int_equal(res.count, DLO_PROBE_MAX_TARGETS);
    assert_int_equal(res.not_listed, 5000 - DLO_PROBE_MAX_TARGETS);
    assert_int_equal(res.failed, 5000);
    assert_int_equal(f.n_tried, 0); /* a limit of 1 ms starts no batch */
    dlo_buf_reset(&b);
    dlo_report_probe_text(&b, &plan, &res);
    assert_has(&b, "904 more address-port pairs not listed and not tried (over 4096)\n");
    dlo_buf_free(&b);
    dlo_buf_free(&many);
    dlo_probe_result_free(&res);
    dlo_portset_free(&extra);
    dlo_plan_free(&plan);
    dlo_config_free(&cfg);
    fake_free(&f);
}

/* /ports:1-65535 over a range of 16384: a rule tries at most DLO_PROBE_MAX_RULE_PORTS ports, and
 * the rest is said and counted, never dropped in silence. */
static void test_ports_beyond_a_rules_cap_are_reported(void **state)
{
    fake f = {.open = {"10.0.0.5:49152"}};
    dlo_probe_os os = {&f, fake_listeners, fake_connect, fake_resolve};
    dlo_portset extra;
    dlo_probe_params pp = {.extra_ports = &extra, .run_limit_ms = 1}; /* starts no batch */
    dlo_probe_result res;
    dlo_config cfg;
    dlo_plan plan;
    dlo_error err;
    dlo_buf b;
    (void)state;
    memset(&plan, 0, sizeof(plan));
    dlo_rule_list_init(&plan.rules);
    assert_int_equal(dlo_config_init(&cfg), DLO_OK);
    free(cfg.scopes[DLO_ROLE_CLIENT]);
    cfg.scopes[DLO_ROLE_CLIENT] = dlo_strdup("10.0.0.5");
    add_rule(&plan, DLO_DIR_OUT, "49152-65535", DLO_ROLE_BIT(DLO_ROLE_CLIENT));
    assert_int_equal(dlo_portset_parse("1-65535", 0, &extra, NULL), DLO_OK);
    assert_int_equal(dlo_probe_run(&os, &plan, &cfg, &pp, &res, &err), DLO_OK);
    assert_int_equal(res.count, DLO_PROBE_MAX_RULE_PORTS);
    assert_int_equal(res.ports_not_tried, 16384 - DLO_PROBE_MAX_RULE_PORTS);
    assert_false(dlo_probe_all_good(&res));
    dlo_buf_init(&b);
    dlo_report_probe_text(&b, &plan, &res);
    assert_has(&b, "16128 ports not tried: a rule tries at most 256 (the first port of each range "
                   "and the ports of /ports: inside it)\n");
    dlo_buf_reset(&b);
    dlo_report_probe_json(&b, &plan, &res);
    assert_has(&b, "\"not_listed\": 0, \"ports_not_tried\": 16128");
    dlo_buf_free(&b);
    dlo_probe_result_free(&res);
    dlo_portset_free(&extra);
    dlo_plan_free(&plan);
    dlo_config_free(&cfg);
    fake_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inbound_listening_and_not),
        cmocka_unit_test(test_all_listening_exits_0),
        cmocka_unit_test(test_outbound_open_refused_filtered),
        cmocka_unit_test(test_outbound_all_open_exits_0),
        cmocka_unit_test(test_scope_not_one_address),
        cmocka_unit_test(test_ranges_udp_and_once),
        cmocka_unit_test(test_to_host),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_cannot_probe),
        cmocka_unit_test(test_bound_program),
        cmocka_unit_test(test_run_time_limit),
        cmocka_unit_test(test_ipv6_and_target_cap),
        cmocka_unit_test(test_ports_beyond_a_rules_cap_are_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
