/* /plan /compare and /matrix /compare: the typed comparison of two rule lists (every kind of
 * difference, both directions), the saved-plan reader (an older version's JSON, hostile files)
 * and the commands end to end with a fake platform. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dlo/app.h"
#include "dlo/compare.h"
#include "dlo/json.h"
#include "dlo/planfile.h"
#include "dlo/str.h"
#include "testutil.h"

/* ---- the comparison of two rules ---- */

static void rule(dlo_rule_list *l, const char *name, const char *lports, const char *addrs)
{
    dlo_rule *r = dlo_rule_list_add(l);
    assert_non_null(r);
    r->name = dlo_strdup(name);
    r->direction = DLO_DIR_IN;
    r->protocol = DLO_PROTO_TCP;
    r->profiles = DLO_PROFILE_DOMAIN;
    r->local_ports = lports ? dlo_strdup(lports) : NULL;
    r->remote_addresses = addrs ? dlo_strdup(addrs) : NULL;
}

/* The one item of a comparison of was against now with the given kind and property. */
static const dlo_cmp_item *find(const dlo_comparison *c, dlo_cmp_kind kind, unsigned prop)
{
    size_t i;
    for (i = 0; i < c->count; i++)
        if (c->items[i].kind == kind && (c->items[i].prop ? c->items[i].prop->bit : 0) == prop)
            return &c->items[i];
    return NULL;
}

static void delta_is(const dlo_cmp_item *it, const char *ports)
{
    dlo_buf b;
    assert_non_null(it);
    dlo_buf_init(&b);
    dlo_portset_format(&b, &it->delta);
    assert_string_equal(dlo_buf_str(&b), ports);
    dlo_buf_free(&b);
}

typedef struct pair {
    dlo_rule_list a, b;
    dlo_comparison ab, ba; /* a against b (b is later), and the reverse */
} pair;

static void pair_init(pair *p, const char *lports_a, const char *addrs_a, const char *lports_b,
                      const char *addrs_b)
{
    dlo_rule_list_init(&p->a);
    dlo_rule_list_init(&p->b);
    rule(&p->a, "R", lports_a, addrs_a);
    rule(&p->b, "R", lports_b, addrs_b);
    dlo_comparison_init(&p->ab);
    dlo_comparison_init(&p->ba);
}

static void pair_run(pair *p)
{
    dlo_comparison_free(&p->ab);
    dlo_comparison_free(&p->ba);
    assert_int_equal(dlo_compare_rules(&p->a, NULL, &p->b, &p->ab), DLO_OK);
    assert_int_equal(dlo_compare_rules(&p->b, NULL, &p->a, &p->ba), DLO_OK);
}

static void pair_free(pair *p)
{
    dlo_comparison_free(&p->ab);
    dlo_comparison_free(&p->ba);
    dlo_rule_list_free(&p->a);
    dlo_rule_list_free(&p->b);
}

/* b is wider than a in prop: a->b widens, b->a narrows, nothing else. */
static void wider(pair *p, unsigned prop)
{
    pair_run(p);
    assert_int_equal(p->ab.count, 1);
    assert_non_null(find(&p->ab, DLO_CMP_WIDENS, prop));
    assert_int_equal(p->ba.count, 1);
    assert_non_null(find(&p->ba, DLO_CMP_NARROWS, prop));
}

static void test_ports(void **state)
{
    pair p;
    (void)state;
    pair_init(&p, "443", NULL, "445,443,8443-8444", NULL);
    wider(&p, DLO_PROP_LOCAL_PORTS);
    delta_is(find(&p.ab, DLO_CMP_WIDENS, DLO_PROP_LOCAL_PORTS), "445,8443-8444");
    delta_is(find(&p.ba, DLO_CMP_NARROWS, DLO_PROP_LOCAL_PORTS), "445,8443-8444");
    pair_free(&p);

    /* A sideways move is both, each with its ports; a list spelled otherwise is no change. */
    pair_init(&p, "135-139,445", NULL, "135-140", NULL);
    pair_run(&p);
    assert_int_equal(p.ab.count, 2);
    delta_is(find(&p.ab, DLO_CMP_WIDENS, DLO_PROP_LOCAL_PORTS), "140");
    delta_is(find(&p.ab, DLO_CMP_NARROWS, DLO_PROP_LOCAL_PORTS), "445");
    pair_free(&p);
    pair_init(&p, "445,135-139", NULL, "135,136-139,445", NULL);
    pair_run(&p);
    assert_int_equal(p.ab.count + p.ba.count, 0);
    pair_free(&p);

    /* Any port against some; a keyword against numbers. */
    pair_init(&p, "443", NULL, NULL, NULL);
    wider(&p, DLO_PROP_LOCAL_PORTS);
    assert_true(find(&p.ab, DLO_CMP_WIDENS, DLO_PROP_LOCAL_PORTS)->delta.any);
    pair_free(&p);
    pair_init(&p, "135", NULL, "135,RPC", NULL);
    wider(&p, DLO_PROP_LOCAL_PORTS);
    delta_is(find(&p.ab, DLO_CMP_WIDENS, DLO_PROP_LOCAL_PORTS), "RPC");
    pair_free(&p);
}

static void test_addresses(void **state)
{
    pair p;
    (void)state;
    pair_init(&p, NULL, "10.1.0.0/16", NULL, "*");
    wider(&p, DLO_PROP_REMOTE_ADDRESSES);
    pair_free(&p);
    pair_init(&p, NULL, "10.1.0.0/16", NULL, "10.0.0.0/8");
    wider(&p, DLO_PROP_REMOTE_ADDRESSES);
    pair_free(&p);
    pair_init(&p, NULL, "10.0.0.1,10.0.0.2", NULL, "10.0.0.1-10.0.0.2");
    pair_run(&p);
    assert_int_equal(p.ab.count + p.ba.count, 0);
    pair_free(&p);
    /* Apart: both ways at once. */
    pair_init(&p, NULL, "10.1.0.0/16", NULL, "10.2.0.0/16");
    pair_run(&p);
    assert_non_null(find(&p.ab, DLO_CMP_WIDENS, DLO_PROP_REMOTE_ADDRESSES));
    assert_non_null(find(&p.ab, DLO_CMP_NARROWS, DLO_PROP_REMOTE_ADDRESSES));
    pair_free(&p);
    pair_init(&p, NULL, NULL, NULL, NULL);
    p.a.items[0].local_addresses = dlo_strdup("192.168.1.0/24");
    wider(&p, DLO_PROP_LOCAL_ADDRESSES);
    pair_free(&p);
}

static void test_profiles_action_enabled(void **state)
{
    pair p;
    (void)state;
    pair_init(&p, "443", NULL, "443", NULL);
    p.b.items[0].profiles = DLO_PROFILE_ALL;
    wider(&p, DLO_PROP_PROFILES);
    assert_int_equal(find(&p.ab, DLO_CMP_WIDENS, DLO_PROP_PROFILES)->bits,
                     DLO_PROFILE_PRIVATE | DLO_PROFILE_PUBLIC);
    p.b.items[0].profiles = DLO_PROFILE_DOMAIN;
    p.a.items[0].action = DLO_ACTION_BLOCK;
    wider(&p, DLO_PROP_ACTION);
    p.a.items[0].action = DLO_ACTION_ALLOW;
    p.a.items[0].enabled = false;
    p.b.items[0].enabled = true;
    wider(&p, DLO_PROP_ENABLED);
    pair_free(&p);
}

static void test_protocol_direction(void **state)
{
    pair p;
    (void)state;
    pair_init(&p, "443", NULL, "443", NULL);
    p.b.items[0].protocol = DLO_PROTO_ANY;
    wider(&p, DLO_PROP_PROTOCOL);
    p.b.items[0].protocol = DLO_PROTO_UDP;
    pair_run(&p);
    assert_non_null(find(&p.ab, DLO_CMP_CHANGES, DLO_PROP_PROTOCOL));
    assert_non_null(find(&p.ba, DLO_CMP_CHANGES, DLO_PROP_PROTOCOL));
    p.b.items[0].protocol = DLO_PROTO_TCP;
    p.b.items[0].direction = DLO_DIR_OUT;
    pair_run(&p);
    assert_int_equal(p.ab.count, 1);
    assert_non_null(find(&p.ab, DLO_CMP_CHANGES, DLO_PROP_DIRECTION));
    pair_free(&p);
}

static void test_binding(void **state)
{
    pair p;
    (void)state;
    pair_init(&p, "3999", NULL, "3999", NULL);
    /* Bound is narrower than any program; another program is neither. */
    p.a.items[0].application = dlo_strdup("C:\\DLO\\DLOAdminSvcu.exe");
    p.a.items[0].service = dlo_strdup("DLOAdminSvcu");
    pair_run(&p);
    assert_non_null(find(&p.ab, DLO_CMP_WIDENS, DLO_PROP_APPLICATION));
    assert_non_null(find(&p.ab, DLO_CMP_WIDENS, DLO_PROP_SERVICE));
    assert_non_null(find(&p.ba, DLO_CMP_NARROWS, DLO_PROP_APPLICATION));
    p.b.items[0].application = dlo_strdup("C:\\Other\\other.exe");
    p.b.items[0].service = dlo_strdup("dloadminsvcu"); /* names compare in any case */
    pair_run(&p);
    assert_int_equal(p.ab.count, 1);
    assert_non_null(find(&p.ab, DLO_CMP_CHANGES, DLO_PROP_APPLICATION));
    /* A rule that keeps its binding is not settled against a bound one, never "the same". */
    dlo_rule_set(&p.b.items[0].application, NULL);
    dlo_rule_set(&p.b.items[0].service, NULL);
    p.b.items[0].keep_binding = true;
    pair_run(&p);
    assert_non_null(find(&p.ab, DLO_CMP_CHANGES, DLO_PROP_APPLICATION));
    assert_null(find(&p.ab, DLO_CMP_WIDENS, DLO_PROP_APPLICATION));
    pair_free(&p);
}

static void test_opens_closes_not_stated(void **state)
{
    dlo_rule_list was, now;
    dlo_comparison c;
    unsigned stated[2];
    (void)state;
    dlo_rule_list_init(&was);
    dlo_rule_list_init(&now);
    rule(&was, "kept", "443", NULL);
    rule(&was, "gone", "80", NULL);
    rule(&now, "new", "8443", NULL);
    rule(&now, "kept", "443", NULL);
    now.items[1].application = dlo_strdup("C:\\x.exe");
    stated[0] = stated[1] = ~(unsigned)DLO_PROP_APPLICATION;
    dlo_comparison_init(&c);
    assert_int_equal(dlo_compare_rules(&was, stated, &now, &c), DLO_OK);
    assert_int_equal(c.count, 3);
    assert_string_equal(find(&c, DLO_CMP_OPENS, 0)->now->name, "new");
    assert_string_equal(find(&c, DLO_CMP_CLOSES, 0)->was->name, "gone");
    /* Not stated is said, and is neither wider nor narrower. */
    assert_non_null(find(&c, DLO_CMP_NOT_STATED, DLO_PROP_APPLICATION));
    assert_null(find(&c, DLO_CMP_NARROWS, DLO_PROP_APPLICATION));
    dlo_comparison_free(&c);
    dlo_rule_list_free(&was);
    dlo_rule_list_free(&now);
}

/* ---- the commands, with files held in memory ---- */

typedef struct world {
    dlo_buf out, err;
    const char *path; /* the one file there is */
    dlo_buf file;
    size_t max_asked;
} world;

static void w_out(void *ctx, const char *s, size_t n)
{
    dlo_buf_append(&((world *)ctx)->out, s, n);
}

static void w_err(void *ctx, const char *s, size_t n)
{
    dlo_buf_append(&((world *)ctx)->err, s, n);
}

static dlo_status w_embedded(void *ctx, const char *name, dlo_buf *out, dlo_error *err)
{
    (void)ctx;
    if (strcmp(name, "PORTMATRIX") != 0)
        return dlo_error_set(err, DLO_E_NOTFOUND, "no %s", name);
    test_read_source_file("policies/dlo-10.0.ports", out);
    return DLO_OK;
}

static dlo_status w_read(void *ctx, const char *path, size_t max, dlo_buf *out, dlo_error *err)
{
    world *w = ctx;
    w->max_asked = max;
    if (!w->path || strcmp(path, w->path) != 0)
        return dlo_error_set(err, DLO_E_IO, "%s: no such file", path);
    if (w->file.len > max)
        return dlo_error_set(err, DLO_E_IO, "%s: longer than %zu bytes", path, max);
    dlo_buf_append(out, w->file.data, w->file.len);
    return DLO_OK;
}

static int w_run(world *w, char **argv)
{
    dlo_platform plat = {.ctx = w,
                         .write_out = w_out,
                         .write_err = w_err,
                         .load_embedded = w_embedded,
                         .read_file = w_read};
    int argc = 0;
    dlo_buf_reset(&w->out);
    dlo_buf_reset(&w->err);
    while (argv[argc])
        argc++;
    return dlo_app_run(&plat, argc, argv);
}

#define W_RUN(w, ...) w_run((w), (char *[]){"dloagent.exe", __VA_ARGS__, NULL})

static void w_init(world *w)
{
    memset(w, 0, sizeof(*w));
    dlo_buf_init(&w->out);
    dlo_buf_init(&w->err);
    dlo_buf_init(&w->file);
    w->path = "saved.json";
}

static void w_free(world *w)
{
    dlo_buf_free(&w->out);
    dlo_buf_free(&w->err);
    dlo_buf_free(&w->file);
}

static void w_file(world *w, const char *text)
{
    dlo_buf_reset(&w->file);
    dlo_buf_puts(&w->file, text);
}

static bool out_has(const world *w, const char *s)
{
    return strstr(dlo_buf_str(&w->out), s) != NULL;
}

/* The current plan's JSON for these switches, as the saved file. */
static void save_plan(world *w, char *roles, char *mode)
{
    assert_int_equal(W_RUN(w, "/plan", "/json", roles, mode), 0);
    w_file(w, dlo_buf_str(&w->out));
}

/* Every member `"key": VALUE` of the file removed, as an older version would have written it. */
static void drop_member(world *w, const char *key)
{
    dlo_buf b;
    const char *s = dlo_buf_str(&w->file), *at;
    size_t k = strlen(key);
    dlo_buf_init(&b);
    while ((at = strstr(s, key)) != NULL) {
        const char *end = at + k;
        int depth = 0;
        bool in_str = false;
        for (; *end && (in_str || depth || (*end != ',' && *end != '}')); end++) {
            if (*end == '"' && end[-1] != '\\')
                in_str = !in_str;
            else if (!in_str && (*end == '{' || *end == '['))
                depth++;
            else if (!in_str && (*end == '}' || *end == ']'))
                depth--;
        }
        dlo_buf_append(&b, s, (size_t)(at - s) - 2); /* the ", " before it */
        s = end;
    }
    dlo_buf_puts(&b, s);
    w_file(w, dlo_buf_str(&b));
    dlo_buf_free(&b);
}

static void test_plan_identical_and_different(void **state)
{
    world w;
    (void)state;
    w_init(&w);
    save_plan(&w, "/roles:edge-server", "/mode:occasional");
    assert_int_equal(
        W_RUN(&w, "/plan", "/roles:edge-server", "/mode:occasional", "/compare:saved.json"), 0);
    assert_true(out_has(&w, "nothing differs"));
    assert_int_equal(w.max_asked, DLO_PLANFILE_MAX_BYTES);
    assert_int_equal(W_RUN(&w, "/plan", "/roles:edge-server", "/mode:occasional",
                           "/compare:saved.json", "/json"),
                     0);
    assert_true(out_has(&w, "\"differs\": false"));

    /* Another configuration: new rules open, a scope narrows, profiles widen. */
    assert_int_equal(W_RUN(&w, "/plan", "/roles:edge-server,io-server", "/mode:occasional",
                           "/adminconsoles:10.0.0.0/8", "/corporateprofiles:domain,private",
                           "/compare:saved.json"),
                     1);
    assert_true(out_has(&w, "opens    in tcp 7080 on Domain,Private from 10.0.0.0/255.0.0.0: "
                            "Arctera DLO - IO Server HTTP (TCP-In)"));
    assert_true(out_has(&w, "narrows  Arctera DLO - Edge Server HTTP (TCP-In): "
                            "remote_addresses (was *, now 10.0.0.0/255.0.0.0)"));
    assert_true(out_has(&w, "widens   Arctera DLO - Dedupe Server AJP (TCP-Out): profiles adds "
                            "Private (was Domain, now Domain,Private)"));
    /* The other way round: what was opened is closed. */
    save_plan(&w, "/roles:edge-server,io-server", "/mode:occasional");
    assert_int_equal(W_RUN(&w, "/plan", "/roles:edge-server", "/mode:occasional",
                           "/compare:saved.json", "/json"),
                     1);
    assert_true(out_has(&w, "\"kind\": \"closes\", \"rule\": \"Arctera DLO - IO Server HTTP "
                            "(TCP-In)\""));
    assert_true(out_has(&w, "\"differs\": true"));
    w_free(&w);
}

static void test_plan_older_json(void **state)
{
    world w;
    (void)state;
    w_init(&w);
    save_plan(&w, "/roles:edge-server", "/mode:occasional");
    drop_member(&w, "\"application\"");
    drop_member(&w, "\"service\"");
    drop_member(&w, "\"binding_evidence\"");
    drop_member(&w, "\"enabled\"");
    assert_null(strstr(dlo_buf_str(&w.file), "\"application\""));
    assert_int_equal(
        W_RUN(&w, "/plan", "/roles:edge-server", "/mode:occasional", "/compare:saved.json"), 1);
    assert_true(out_has(&w, "not-stated application: saved.json does not state it for 8 rules"));
    assert_true(out_has(&w, "not-stated enabled:"));
    assert_false(out_has(&w, "widens"));
    assert_false(out_has(&w, "narrows"));
    assert_int_equal(W_RUN(&w, "/plan", "/roles:edge-server", "/mode:occasional",
                           "/compare:saved.json", "/json"),
                     1);
    assert_true(out_has(&w, "\"kind\": \"not-stated\""));
    assert_true(out_has(&w, "\"not-stated\": 24"));
    w_free(&w);
}

/* A file that is not a plan: exit 2, nothing on stdout, stderr says what and what was expected. */
static void refused(world *w, const char *text, const char *why)
{
    w_file(w, text);
    assert_int_equal(W_RUN(w, "/plan", "/roles:edge-server", "/compare:saved.json"), 2);
    assert_int_equal(w->out.len, 0);
    if (!strstr(dlo_buf_str(&w->err), why))
        fail_msg("for %s: got %s, expected %s", text, dlo_buf_str(&w->err), why);
}

#define RULE0 "{\"rules\": [{\"name\": \"A\", \"direction\": \"in\", \"protocol\": \"tcp\""

static void test_plan_hostile_files(void **state)
{
    world w;
    char deep[200];
    (void)state;
    w_init(&w);
    refused(&w, "", "line 1: expected a value");
    refused(&w, "{\"rules\": [}", "line 1: expected a value");
    refused(&w, "{\"rules\": [],}", "expected a member name");
    refused(&w, "{\"rules\": [], \"rules\": []}", "member \"rules\" is given twice");
    refused(&w, "{\"rules\": []} x", "expected the end of the document");
    refused(&w, "{\"rules\": [], \"mode\": \"\xff\"}", "expected UTF-8 text");
    refused(&w, "{\"rules\": [], \"mode\": \"a\\u0000\"}", "\\u0000 cannot be held");
    refused(&w, "{\"rules\": [], \"mode\": \"\\ud800x\"}", "low surrogate");
    refused(&w, "{\"rules\": [], \"mode\": 'x'}", "expected a value");
    refused(&w, "{\"rules\": [], /* c */}", "expected a member name");
    refused(&w, "{\"rules\": [], \"n\": 012}", "no leading zero");
    refused(&w, "\xff\xfe{", "UTF-16");
    memset(deep, '[', sizeof(deep) - 1);
    deep[sizeof(deep) - 1] = '\0';
    refused(&w, deep, "nested deeper than 32 levels");
    refused(&w, "[]", "the document is an array, expected an object");
    refused(&w, "{\"mode\": \"occasional\"}", "no \"rules\" array");
    refused(&w, "{\"rules\": [{\"direction\": \"in\"}]}", "rules[0] has no name");
    refused(&w, "{\"rules\": [{\"name\": \"A\", \"protocol\": \"tcp\"}]}",
            "rules[0] 'A' has no direction");
    refused(&w, RULE0 "}, {\"name\": \"A\", \"direction\": \"in\", \"protocol\": \"tcp\"}]}",
            "rules[1] 'A' is named twice");
    refused(&w, RULE0 ", \"local_ports\": \"1-99999\"}]}",
            "local_ports \"1-99999\" is not a port list");
    refused(&w, RULE0 ", \"remote_addresses\": \"0.0.0.0/0\"}]}", "is not a address list");
    refused(&w, RULE0 ", \"local_ports\": 443}]}", "local_ports is a number, expected a string");
    refused(&w, RULE0 ", \"profiles\": \"domain\"}]}", "profiles is a string, expected an array");
    refused(&w, RULE0 ", \"profiles\": [\"work\"]}]}", "an item of profiles is a string");
    refused(&w, RULE0 ", \"enabled\": 1}]}", "enabled is a number, expected true or false");
    refused(&w,
            "{\"rules\": [{\"name\": \"A\", \"direction\": \"sideways\", \"protocol\": "
            "\"tcp\"}]}",
            "expected \"in\" or \"out\"");
    refused(&w, "{\"rules\": [], \"roles\": \"client\"}", "\"roles\" must be an array");
    /* Beyond the cap, and no file at all. */
    dlo_buf_reset(&w.file);
    while (w.file.len <= DLO_PLANFILE_MAX_BYTES)
        dlo_buf_puts(&w.file, "                                                                ");
    assert_int_equal(W_RUN(&w, "/plan", "/compare:saved.json"), 2);
    assert_int_equal(w.out.len, 0);
    w.path = NULL;
    assert_int_equal(W_RUN(&w, "/plan", "/compare:saved.json"), 2);
    assert_non_null(strstr(dlo_buf_str(&w.err), "/compare: saved.json: no such file"));
    /* Only /plan and /matrix compare. */
    assert_int_equal(W_RUN(&w, "/verify", "/compare:saved.json"), 2);
    assert_non_null(strstr(dlo_buf_str(&w.err), "goes with /plan"));
    w_free(&w);
}

/* A well-formed document holding what strict JSON allows: escapes, a surrogate pair, numbers. */
static void test_json_reader(void **state)
{
    static const char doc[] = "\xEF\xBB\xBF{\"a\": [1, -0.5e+3, true, false, null],\n"
                              " \"b\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"}";
    dlo_json v;
    dlo_error err;
    (void)state;
    assert_int_equal(dlo_json_parse(doc, sizeof(doc) - 1, &v, &err), DLO_OK);
    assert_int_equal(dlo_json_member(&v, "a")->count, 5);
    assert_string_equal(dlo_json_member(&v, "a")->items[1].text, "-0.5e+3");
    assert_string_equal(dlo_json_member(&v, "b")->text, "\"\\/\b\f\n\r\t\xC3\xA9\xF0\x9F\x98\x80");
    assert_int_equal(dlo_json_member(&v, "b")->line, 2);
    dlo_json_free(&v);
}

/* ---- /matrix /compare ---- */

static void matrix_file(world *w, const char *from, const char *to, const char *from2,
                        const char *to2)
{
    dlo_buf text;
    const char *s, *at;
    dlo_buf_init(&text);
    test_read_source_file("policies/dlo-10.0.ports", &text);
    dlo_buf_reset(&w->file);
    s = dlo_buf_str(&text);
    while (from && (at = strstr(s, from)) != NULL) {
        dlo_buf_append(&w->file, s, (size_t)(at - s));
        dlo_buf_puts(&w->file, to);
        s = at + strlen(from);
        from = from2;
        to = to2;
        from2 = NULL;
    }
    dlo_buf_puts(&w->file, s);
    dlo_buf_free(&text);
}

static void test_matrix_compare(void **state)
{
    world w;
    (void)state;
    w_init(&w);
    w.path = "new.ports";
    matrix_file(&w, NULL, NULL, NULL, NULL);
    assert_int_equal(W_RUN(&w, "/matrix", "/compare:new.ports"), 0);
    assert_true(out_has(&w, "nothing differs for any role in any mode"));
    assert_int_equal(w.max_asked, DLO_POLICY_MAX_BYTES);

    /* The Edge Server's HTTPS row gains a port and a destination, in both tables. */
    matrix_file(&w, "  ports      443\n  type       HTTPS",
                "  ports      443,8443\n  type       HTTPS", "  ports      443\n  type       HTTPS",
                "  ports      443,8443\n  type       HTTPS");
    assert_int_equal(W_RUN(&w, "/matrix", "/compare:new.ports"), 1);
    assert_true(out_has(&w, "\noccasional, edge-server: 1 widens\n  widens   Arctera DLO - Edge "
                            "Server HTTPS (TCP-In): local_ports adds 8443 (was 443, now "
                            "443,8443) [rows: server.edge-https,client.edge-https]\n"));
    assert_true(out_has(&w, "\nexclusive, client: 1 widens\n"));
    assert_false(out_has(&w, "nonboi, edge-server"));
    assert_int_equal(W_RUN(&w, "/matrix", "/compare:new.ports", "/json"), 1);
    assert_true(out_has(&w, "\"mode\": \"occasional\", \"role\": \"edge-server\""));
    assert_true(out_has(&w, "\"delta\": \"8443\""));

    /* A row that no longer applies in a mode closes its rules there, at both ends. */
    matrix_file(&w, "  exclusive  source=edge-server destination=dedupe-server\n",
                "  exclusive  NA\n", NULL, NULL);
    assert_int_equal(W_RUN(&w, "/matrix", "/compare:new.ports"), 1);
    assert_true(out_has(&w, "\nexclusive, edge-server: 1 closes\n  closes   out tcp 8009 on Domain "
                            "from *: Arctera DLO - Dedupe Server AJP (TCP-Out) [rows: "
                            "server.dedupe-ajp]\n"));
    assert_true(out_has(&w, "\nexclusive, dedupe-server: 1 closes\n  closes   in tcp 8009"));
    assert_false(out_has(&w, "occasional"));

    /* A table that does not parse: exit 2, nothing printed, the file and line named. */
    w_file(&w, "release x\nrow broken\n");
    assert_int_equal(W_RUN(&w, "/matrix", "/compare:new.ports"), 2);
    assert_int_equal(w.out.len, 0);
    assert_non_null(strstr(dlo_buf_str(&w.err), "/compare: new.ports:"));
    w_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_profiles_action_enabled),
        cmocka_unit_test(test_protocol_direction),
        cmocka_unit_test(test_binding),
        cmocka_unit_test(test_opens_closes_not_stated),
        cmocka_unit_test(test_plan_identical_and_different),
        cmocka_unit_test(test_plan_older_json),
        cmocka_unit_test(test_plan_hostile_files),
        cmocka_unit_test(test_json_reader),
        cmocka_unit_test(test_matrix_compare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
