/* Attribution over the public sample events (../shared/real-world/firewall-events/samples.md,
 * read at run time, never copied here): sample A (2004, Windows 10, netsh) and B (2052,
 * Windows 11, mmc) as the XML they quote; C (2097, WmiPrvSE) and D (Security 4946) from the
 * fields they list. The other event IDs are those samples with the ID and the fields the
 * samples' own notes give for them (2071: A plus ErrorCode; 2006: B minus ErrorCode), and the
 * "all rules deleted" events are B without a rule, since no public sample of them was found.
 * The events reach the core through a fake dlo_attr_os, as the Windows layer hands them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlo/attribution.h"
#include "dlo/fwevent.h"
#include "dlo/str.h"

#define SAMPLES "../shared/real-world/firewall-events/samples.md"
#define SELF    "C:\\Program Files\\Arctera\\DLO Firewall Agent\\dloagent.exe"

static char *samples; /* the whole samples.md */

static int read_samples(void **state)
{
    char path[1024], chunk[4096];
    dlo_buf b;
    size_t n;
    FILE *f;
    (void)state;

    snprintf(path, sizeof(path), "%s/%s", DLO_SOURCE_DIR, SAMPLES);
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr,
                "FAIL: the public sample events are missing: %s (they come with "
                "../shared/real-world beside the repository)\n",
                path);
        return -1;
    }
    dlo_buf_init(&b);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        dlo_buf_append(&b, chunk, n);
    fclose(f);
    samples = b.data;
    return samples ? 0 : -1;
}

static int free_samples(void **state)
{
    (void)state;
    free(samples);
    return 0;
}

/* The text of section "## X." up to the next section. */
static char *section(char letter)
{
    char head[8];
    const char *s, *end;
    snprintf(head, sizeof(head), "## %c.", letter);
    s = strstr(samples, head);
    if (!s)
        fail_msg("samples.md has no section %s", head);
    end = strstr(s + 1, "\n## ");
    return dlo_strndup(s, end ? (size_t)(end - s) : strlen(s));
}

/* The XML a section quotes, as a new string. */
static char *sample_xml(char letter)
{
    char *sec = section(letter), *from = strstr(sec, "<Event"), *to, *xml;
    assert_non_null(from);
    to = strstr(from, "</Event>");
    assert_non_null(to);
    xml = dlo_strndup(from, (size_t)(to + 8 - from));
    free(sec);
    return xml;
}

/* s with every `from` replaced by `to` (which must occur). */
static char *replace(char *s, const char *from, const char *to)
{
    char *at = strstr(s, from), *out;
    size_t n;
    if (!at)
        fail_msg("'%s' is not in the sample", from);
    n = strlen(s) - strlen(from) + strlen(to) + 1;
    out = malloc(n);
    assert_non_null(out);
    snprintf(out, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
    free(s);
    return out;
}

/* Removes the line of s holding `what`. */
static char *drop_line(char *s, const char *what)
{
    char *at = strstr(s, what), *start, *end;
    if (!at)
        fail_msg("'%s' is not in the sample", what);
    for (start = at; start > s && start[-1] != '\n'; start--)
        ;
    end = strchr(at, '\n');
    memmove(start, end ? end + 1 : at + strlen(at), strlen(end ? end + 1 : at + strlen(at)) + 1);
    return s;
}

static char *with_id(char *xml, unsigned from, unsigned to)
{
    char a[32], b[32];
    snprintf(a, sizeof(a), "<EventID>%u<", from);
    snprintf(b, sizeof(b), "<EventID>%u<", to);
    return replace(xml, a, b);
}

/* The event a section lists as "EventData: Name Value; Name Value" (C) or "Name=Value" (D),
 * written as EvtRender writes it, with the section's provider and channel. */
static char *listed_event(char letter, unsigned id, const char *channel, const char *time)
{
    char *sec = section(letter), *line = strstr(sec, "EventData:"),
         *prov = strstr(sec, "Provider ");
    char *p, *end;
    dlo_buf b;

    assert_non_null(line);
    assert_non_null(prov);
    dlo_buf_init(&b);
    p = strchr(prov, ' ') + 1;
    end = *p == '"' ? strchr(p + 1, '"') : strchr(p, ' ');
    dlo_buf_printf(&b,
                   "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">"
                   "<System><Provider Name=\"%.*s\" /><EventID>%u</EventID>"
                   "<TimeCreated SystemTime=\"%s\" /><Channel>%s</Channel></System><EventData>",
                   (int)(end - p - (*p == '"')), p + (*p == '"'), id, time, channel);
    for (p = line + strlen("EventData:"); *p && *p != '\n';) {
        size_t nl, vl;
        while (*p == ' ')
            p++;
        nl = strcspn(p, " =;\n");
        vl = strcspn(p + nl + 1, ";\n");
        if (strncmp(p + nl + 1, "\"\"", 2) == 0)
            dlo_buf_printf(&b, "<Data Name=\"%.*s\" />", (int)nl, p);
        else
            dlo_buf_printf(&b, "<Data Name=\"%.*s\">%.*s</Data>", (int)nl, p, (int)vl, p + nl + 1);
        p += nl + 1 + vl;
        if (*p == ';')
            p++;
    }
    dlo_buf_puts(&b, "</EventData></Event>");
    free(sec);
    return b.data;
}

/* The fake event log: events per channel, handed newest first as the seam promises. */
typedef struct fake_event {
    const char *channel;
    char *xml;
} fake_event;

typedef struct fake_log {
    fake_event events[16];
    size_t count;
    dlo_status firewall_status; /* what querying the firewall channel returns */
    unsigned asked_ids[2][16];
    size_t asked_n[2];
    int64_t asked_since;
} fake_log;

/* The time an event was created, as the real log filters on it (0 when it has none). */
static int64_t fake_time(const char *xml)
{
    const char *t = strstr(xml, "SystemTime=\""), *end;
    int64_t ticks = 0;
    if (t && (end = strchr(t + 12, '"')) != NULL &&
        dlo_fwevent_time_parse(t + 12, (size_t)(end - t - 12), &ticks))
        ticks = 0;
    return ticks;
}

static dlo_status fake_query(void *ctx, const char *channel, const unsigned *ids, size_t n_ids,
                             int64_t since, dlo_attr_sink sink, void *sink_ctx, dlo_error *err)
{
    fake_log *log = ctx;
    bool fw = strcmp(channel, DLO_ATTR_FIREWALL_CHANNEL) == 0;
    size_t i;

    assert_true(n_ids <= 16);
    memcpy(log->asked_ids[fw], ids, n_ids * sizeof(*ids));
    log->asked_n[fw] = n_ids;
    log->asked_since = since;
    if (fw && log->firewall_status)
        return dlo_error_set(err, log->firewall_status, "the channel %s is not there", channel);
    for (i = log->count; i-- > 0;)
        if (strcmp(log->events[i].channel, channel) == 0 &&
            fake_time(log->events[i].xml) >= since) {
            dlo_status st = sink(sink_ctx, log->events[i].xml, strlen(log->events[i].xml));
            if (st)
                return st;
        }
    return DLO_OK;
}

static dlo_status fake_account(void *ctx, const char *sid, dlo_buf *out, dlo_error *err)
{
    (void)ctx;
    if (strcmp(sid, "S-1-5-21-3471133136-2963561160-3931775028-1001") != 0)
        return dlo_error_set(err, DLO_E_NOTFOUND, "no account has %s", sid);
    dlo_buf_puts(out, "HLPC01\\alice");
    return DLO_OK;
}

static fake_log the_log;
static const dlo_attr_os fake_os = {&the_log, fake_query, fake_account};

/* Adds an event, oldest first; the log takes ownership of xml. */
static void add(const char *channel, char *xml)
{
    assert_true(the_log.count < 16);
    the_log.events[the_log.count].channel = channel;
    the_log.events[the_log.count++].xml = xml;
}

static void add_fw(char *xml)
{
    add(DLO_ATTR_FIREWALL_CHANNEL, xml);
}

static int clear_log(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < the_log.count; i++)
        free(the_log.events[i].xml);
    memset(&the_log, 0, sizeof(the_log));
    return 0;
}

static int64_t at(const char *time)
{
    int64_t t = 0;
    const char *why = dlo_fwevent_time_parse(time, strlen(time), &t);
    if (why)
        fail_msg("%s %s", time, why);
    return t;
}

/* Looks up who made `change` to the rule with `id` (NULL: by its name) in [from, to]. */
static void lookup(const char *id, const char *name, dlo_attr_change change, const char *from,
                   const char *to, dlo_attribution *a)
{
    dlo_attr_events ev;
    dlo_attr_query q = {id, name, change, at(from), at(to), SELF};
    dlo_error err;
    assert_int_equal(dlo_attr_load(&fake_os, at(from), &ev, &err), DLO_OK);
    assert_int_equal(dlo_attr_find(&ev, &fake_os, &q, a, &err), DLO_OK);
    dlo_attr_events_free(&ev);
}

#define A_ID   "{8736B31E-8792-452E-8D2D-C45621F236AF}"
#define A_USER "S-1-5-21-3471133136-2963561160-3931775028-1001"
#define B_ID   "{0D458E97-4EC5-4C5C-A5A4-F9F73E769168}"
#define C_ID   "{503b3c4a-422a-49ff-a2a8-bf8e24605adf}"
#define B_USER "S-1-5-21-937911350-1118943250-2293061635-1001"
#define C_USER "S-1-5-21-4246997345-1000708036-2014123355-1001"
#define NETSH  "C:\\Windows\\System32\\netsh.exe"
#define MMC    "C:\\Windows\\System32\\mmc.exe"
#define WMI    "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe"
#define D_ID   "{F2649D59-1355-4E3C-B886-CDD08B683199}"

/* The samples as they are: every field the reader keeps, with its value. */
static void test_samples_read(void **state)
{
    dlo_fwevent e;
    dlo_error err;
    char *a = sample_xml('A'), *b = sample_xml('B'), when[DLO_FWEVENT_TIME_LEN];
    (void)state;

    assert_int_equal(dlo_fwevent_parse(a, strlen(a), &e, &err), DLO_OK);
    assert_int_equal(e.id, 2004);
    assert_string_equal(e.rule_id, A_ID);
    assert_string_equal(e.rule_name, "Open SSH Port 22");
    assert_string_equal(e.user_sid, A_USER);
    assert_string_equal(e.application, "C:\\Windows\\System32\\netsh.exe");
    assert_string_equal(e.channel, DLO_ATTR_FIREWALL_CHANNEL);
    assert_string_equal(e.provider, DLO_ATTR_FIREWALL_PROVIDER);
    assert_false(e.has_error_code); /* Windows 10's field set */
    dlo_fwevent_time_format(e.time, when);
    assert_string_equal(when, "2023-05-04T17:01:45.8409961Z");
    dlo_fwevent_free(&e);

    assert_int_equal(dlo_fwevent_parse(b, strlen(b), &e, &err), DLO_OK);
    assert_int_equal(e.id, 2052);
    assert_string_equal(e.rule_id, B_ID);
    assert_string_equal(e.application, "C:\\Windows\\System32\\mmc.exe");
    assert_true(e.has_error_code); /* Windows 11's */
    assert_int_equal(e.error_code, 0);
    dlo_fwevent_free(&e);
    free(a);
    free(b);
}

static void test_time(void **state)
{
    int64_t t;
    char s[DLO_FWEVENT_TIME_LEN];
    (void)state;

    assert_null(dlo_fwevent_time_parse("1601-01-01T00:00:00Z", 20, &t));
    assert_int_equal(t, 0);
    /* The Unix epoch is 11644473600 s after 1601 (FILETIME's documented offset). */
    assert_null(dlo_fwevent_time_parse("1970-01-01T00:00:00.0Z", 22, &t));
    assert_true(t == 116444736000000000LL);
    assert_null(dlo_fwevent_time_parse("2024-02-29T23:59:59.123456789Z", 30, &t));
    dlo_fwevent_time_format(t, s);
    assert_string_equal(s, "2024-02-29T23:59:59.1234567Z");
    assert_non_null(dlo_fwevent_time_parse("2023-02-29T00:00:00Z", 20, &t));
    assert_non_null(dlo_fwevent_time_parse("2023-05-04T17:01:45.Z", 21, &t));
    assert_non_null(dlo_fwevent_time_parse("2023-05-04T17:01:45.1234567890Z", 31, &t));
    assert_non_null(dlo_fwevent_time_parse("2023-05-04T17:01:45", 19, &t));
    assert_non_null(dlo_fwevent_time_parse("2023-05-04T17:01:45+01:00", 25, &t));
    assert_non_null(dlo_fwevent_time_parse("1600-12-31T23:59:59Z", 20, &t));
}

static char *set_time(char *xml, const char *time)
{
    char *at = strstr(xml, "SystemTime=\""), *end, old[64], now[64];
    assert_non_null(at);
    at += strlen("SystemTime=\"");
    end = strchr(at, '"');
    snprintf(old, sizeof(old), "\"%.*s\"", (int)(end - at), at);
    snprintf(now, sizeof(now), "\"%s\"", time);
    return replace(xml, old, now);
}

/* An event of `id` made from the samples, created at `time`. */
static char *event_of(unsigned id, const char *time)
{
    switch (id) {
    case 2004:
    case 2005:
        return set_time(with_id(sample_xml('A'), 2004, id), time);
    case 2071: /* Windows 11 22621: sample A's note gives it ErrorCode beside A's fields */
    case 2073:
        return set_time(replace(with_id(sample_xml('A'), 2004, id), "</EventData>",
                                "<Data Name=\"ErrorCode\">0</Data></EventData>"),
                        time);
    case 2097:
    case 2099:
        return listed_event('C', id, DLO_ATTR_FIREWALL_CHANNEL, time);
    case 2052:
        return set_time(sample_xml('B'), time);
    case 2006: /* Windows 10: sample B's note says the same fields minus ErrorCode */
        return set_time(drop_line(with_id(sample_xml('B'), 2052, 2006), "\"ErrorCode\""), time);
    case 2033:
    case 2059:
        return set_time(
            drop_line(drop_line(with_id(sample_xml('B'), 2052, id), "\"RuleId\""), "\"RuleName\""),
            time);
    default:
        return listed_event('D', id, DLO_ATTR_SECURITY_CHANNEL, time);
    }
}

static const struct {
    unsigned id;
    dlo_attr_change change;
    const char *rule, *user, *app;
} every[] = {
    {2004, DLO_ATTR_CHANGED, A_ID, A_USER, NETSH}, {2005, DLO_ATTR_CHANGED, A_ID, A_USER, NETSH},
    {2071, DLO_ATTR_CHANGED, A_ID, A_USER, NETSH}, {2073, DLO_ATTR_CHANGED, A_ID, A_USER, NETSH},
    {2097, DLO_ATTR_CHANGED, C_ID, C_USER, WMI},   {2099, DLO_ATTR_CHANGED, C_ID, C_USER, WMI},
    {2006, DLO_ATTR_DELETED, B_ID, B_USER, MMC},   {2052, DLO_ATTR_DELETED, B_ID, B_USER, MMC},
    {2033, DLO_ATTR_DELETED, NULL, B_USER, MMC},   {2059, DLO_ATTR_DELETED, NULL, B_USER, MMC},
    {4946, DLO_ATTR_CHANGED, D_ID, NULL, NULL},    {4947, DLO_ATTR_CHANGED, D_ID, NULL, NULL},
    {4948, DLO_ATTR_DELETED, D_ID, NULL, NULL},
};

static void assert_opt_string(const char *got, const char *want)
{
    if (want)
        assert_string_equal(got, want);
    else
        assert_null(got);
}

/* Each event ID, alone in its channel, names the change of its kind and no other. */
static void test_every_event_id(void **state)
{
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(every) / sizeof(every[0]); i++) {
        const char *rule = every[i].rule ? every[i].rule : "{00000000-0000-0000-0000-000000000001}";
        dlo_attr_change other =
            every[i].change == DLO_ATTR_DELETED ? DLO_ATTR_CHANGED : DLO_ATTR_DELETED;
        dlo_attribution a;

        add(every[i].id > 4000 ? DLO_ATTR_SECURITY_CHANNEL : DLO_ATTR_FIREWALL_CHANNEL,
            event_of(every[i].id, "2024-01-10T10:00:00.5Z"));
        lookup(rule, "Open SSH Port 22", every[i].change, "2024-01-10T09:00:00Z",
               "2024-01-10T11:00:00Z", &a);
        if (a.origin != DLO_ATTR_FOREIGN || a.event_id != every[i].id)
            fail_msg("event %u: origin %d, event %u (%s)", every[i].id, (int)a.origin, a.event_id,
                     a.why);
        assert_true(a.time == at("2024-01-10T10:00:00.5Z"));
        assert_opt_string(a.rule_id, every[i].rule);
        assert_opt_string(a.user_sid, every[i].user);
        assert_opt_string(a.application, every[i].app);
        dlo_attribution_free(&a);

        lookup(rule, "Open SSH Port 22", other, "2024-01-10T09:00:00Z", "2024-01-10T11:00:00Z", &a);
        assert_int_equal(a.origin, DLO_ATTR_UNKNOWN);
        dlo_attribution_free(&a);
        clear_log(NULL);
    }
}

/* What the seam is asked: the firewall channel's ten IDs, the Security log's three, since the
 * window's start. */
static void test_seam_asked(void **state)
{
    static const unsigned fw[] = {2004, 2071, 2097, 2005, 2073, 2099, 2006, 2052, 2033, 2059};
    dlo_attribution a;
    size_t i;
    (void)state;

    lookup(A_ID, "x", DLO_ATTR_DELETED, "2024-01-10T09:00:00Z", "2024-01-10T11:00:00Z", &a);
    assert_int_equal(the_log.asked_n[1], 10);
    for (i = 0; i < 10; i++)
        assert_int_equal(the_log.asked_ids[1][i], fw[i]);
    assert_int_equal(the_log.asked_n[0], 3);
    assert_int_equal(the_log.asked_ids[0][0], 4946);
    assert_int_equal(the_log.asked_ids[0][2], 4948);
    assert_true(the_log.asked_since == at("2024-01-10T09:00:00Z"));
    dlo_attribution_free(&a);
}

/* Windows 11's ErrorCode: 0 is the change; any other is an attempt that changed nothing. */
static void test_error_code(void **state)
{
    dlo_attribution a;
    (void)state;

    add_fw(replace(event_of(2073, "2024-01-10T10:00:00Z"), "\"ErrorCode\">0<", "\"ErrorCode\">5<"));
    lookup(A_ID, "Open SSH Port 22", DLO_ATTR_CHANGED, "2024-01-10T09:00:00Z",
           "2024-01-10T11:00:00Z", &a);
    assert_int_equal(a.origin, DLO_ATTR_UNKNOWN);
    dlo_attribution_free(&a);
    add_fw(event_of(2005, "2024-01-10T09:30:00Z")); /* Windows 10: no ErrorCode at all */
    lookup(A_ID, "Open SSH Port 22", DLO_ATTR_CHANGED, "2024-01-10T09:00:00Z",
           "2024-01-10T11:00:00Z", &a);
    assert_int_equal(a.origin, DLO_ATTR_FOREIGN);
    assert_int_equal(a.event_id, 2005);
    dlo_attribution_free(&a);
}

static void assert_unknown(const dlo_attribution *a, const char *because)
{
    dlo_buf b;
    assert_int_equal(a->origin, DLO_ATTR_UNKNOWN);
    assert_int_equal(a->event_id, 0);
    assert_null(a->user_sid);
    if (!strstr(a->why, because))
        fail_msg("'%s' does not say '%s'", a->why, because);
    dlo_buf_init(&b);
    dlo_attribution_by(&b, a);
    assert_string_equal(dlo_buf_str(&b), "unknown");
    dlo_buf_free(&b);
}

/* A rule deleted with no event saying so: the channel holds only its creation, the delete lies
 * outside the window (rolled over, or before the agent last wrote it), or the channel is not
 * there at all (as under Wine). Each is unknown, and says why. */
static void test_delete_without_event(void **state)
{
    dlo_attribution a;
    (void)state;

    add_fw(event_of(2004, "2024-01-10T10:00:00Z"));
    lookup(A_ID, "Open SSH Port 22", DLO_ATTR_DELETED, "2024-01-10T09:00:00Z",
           "2024-01-10T11:00:00Z", &a);
    assert_unknown(&a, "no event names the rule as deleted between 2024-01-10T09:00:00.0000000Z "
                       "and 2024-01-10T11:00:00.0000000Z");
    dlo_attribution_free(&a);

    add_fw(event_of(2006, "2024-01-10T08:59:59.9999999Z")); /* before the window */
    add_fw(replace(event_of(2006, "2024-01-10T11:00:00.0000001Z"), B_ID, A_ID)); /* after */
    lookup(B_ID, "Open SSH Port 22", DLO_ATTR_DELETED, "2024-01-10T09:00:00Z",
           "2024-01-10T11:00:00Z", &a);
    assert_unknown(&a, "no event names the rule as deleted");
    dlo_attribution_free(&a);
    lookup(A_ID, "Open SSH Port 22", DLO_ATTR_DELETED, "2024-01-10T09:00:00Z",
           "2024-01-10T11:00:00Z", &a);
    assert_unknown(&a, "no event names the rule as deleted");
    dlo_attribution_free(&a);

    the_log.firewall_status = DLO_E_NOTFOUND;
    lookup(B_ID, "Open SSH Port 22", DLO_ATTR_DELETED, "2024-01-10T08:00:00Z",
           "2024-01-10T11:00:00Z", &a);
    assert_unknown(&a, "the firewall's event channel does not exist on this system");
    dlo_attribution_free(&a);
    the_log.firewall_status = DLO_E_ACCESS;
    lookup(B_ID, "Open SSH Port 22", DLO_ATTR_DELETED, "2024-01-10T08:00:00Z",
           "2024-01-10T11:00:00Z", &a);
    assert_unknown(&a, "could not be read: the channel");
    dlo_attribution_free(&a);
}

static char *by_self(char *xml)
{
    return replace(xml, "C:\\Windows\\System32\\netsh.exe",
                   "c:\\program files\\ARCTERA\\DLO Firewall Agent\\DLOAGENT.EXE");
}

/* The agent's own writes are its own by their program (any case); a copy of it elsewhere is
 * not the agent, and a foreign change after the agent's is the one named. */
static void test_self(void **state)
{
    dlo_attribution a;
    dlo_buf b;
    (void)state;

    add_fw(by_self(event_of(2005, "2024-01-10T10:00:00Z")));
    lookup(A_ID, "Open SSH Port 22", DLO_ATTR_CHANGED, "2024-01-10T09:00:00Z",
           "2024-01-10T11:00:00Z", &a);
    assert_int_equal(a.origin, DLO_ATTR_SELF);
    dlo_buf_init(&b);
    dlo_attribution_by(&b, &a);
    assert_string_equal(dlo_buf_str(&b), "the agent itself");
    dlo_attribution_free(&a);

    add_fw(replace(event_of(2005, "2024-01-10T10:00:01Z"), "C:\\Windows\\System32\\netsh.exe",
                   "C:\\Users\\mallory\\dloagent.exe"));
    lookup(A_ID, "Open SSH Port 22", DLO_ATTR_CHANGED, "2024-01-10T09:00:00Z",
           "2024-01-10T11:00:00Z", &a);
    assert_int_equal(a.origin, DLO_ATTR_FOREIGN);
    assert_string_equal(a.application, "C:\\Users\\mallory\\dloagent.exe");
    dlo_attribution_free(&a);

    add_fw(by_self(event_of(2005, "2024-01-10T10:00:02Z"))); /* the agent's repair, later */
    lookup(A_ID, "Open SSH Port 22", DLO_ATTR_CHANGED, "2024-01-10T10:00:00.5Z",
           "2024-01-10T10:00:01.5Z", &a);
    assert_int_equal(a.origin, DLO_ATTR_FOREIGN); /* the window the pass gives decides */
    dlo_attribution_free(&a);
    lookup(A_ID, "Open SSH Port 22", DLO_ATTR_CHANGED, "2024-01-10T09:00:00Z",
           "2024-01-10T11:00:00Z", &a);
    assert_int_equal(a.origin, DLO_ATTR_SELF);
    dlo_buf_reset(&b);
    dlo_attribution_describe(
        &b, &(dlo_attr_query){A_ID, "Open SSH Port 22", DLO_ATTR_CHANGED, 0, 0, SELF}, &a);
    assert_non_null(strstr(dlo_buf_str(&b), "was changed by the agent itself, "));
    dlo_buf_free(&b);
    dlo_attribution_free(&a);
}

static char *renamed(char *xml, const char *name)
{
    return replace(xml, "\"RuleName\">Open SSH Port 22<", name);
}

/* The agent's rule renamed by hand, then deleted: found by its ID, whose delete event names it
 * by its new name; and without the ID, the ID the agent's own add gave that name is followed,
 * never another rule that shares the name. */
static void test_rename_then_delete(void **state)
{
    dlo_attribution a;
    dlo_buf b;
    (void)state;

    add_fw(renamed(by_self(event_of(2004, "2024-01-10T09:30:00Z")), "\"RuleName\">DLO In<"));
    add_fw(renamed(event_of(2005, "2024-01-10T10:00:00Z"), "\"RuleName\">Renamed by hand<"));
    add_fw(renamed(replace(event_of(2006, "2024-01-10T10:05:00Z"), B_ID, A_ID),
                   "\"RuleName\">Renamed by hand<"));
    /* Another rule of that name, added and deleted by someone else. */
    add_fw(renamed(replace(event_of(2004, "2024-01-10T09:40:00Z"), A_ID, B_ID),
                   "\"RuleName\">DLO In<"));
    add_fw(renamed(replace(event_of(2052, "2024-01-10T10:10:00Z"), "mmc.exe", "netsh.exe"),
                   "\"RuleName\">DLO In<"));

    lookup(A_ID, "DLO In", DLO_ATTR_DELETED, "2024-01-10T09:45:00Z", "2024-01-10T11:00:00Z", &a);
    assert_int_equal(a.origin, DLO_ATTR_FOREIGN);
    assert_int_equal(a.event_id, 2006);
    assert_string_equal(a.rule_name, "Renamed by hand");
    assert_string_equal(a.application, "C:\\Windows\\System32\\mmc.exe");
    dlo_buf_init(&b);
    dlo_attribution_describe(&b, &(dlo_attr_query){A_ID, "DLO In", DLO_ATTR_DELETED, 0, 0, SELF},
                             &a);
    assert_string_equal(dlo_buf_str(&b),
                        "rule DLO In was deleted by S-1-5-21-937911350-1118943250-2293061635-1001 "
                        "with C:\\Windows\\System32\\mmc.exe (event 2006 at "
                        "2024-01-10T10:05:00.0000000Z, when the rule was named Renamed by hand)");
    dlo_buf_free(&b);
    dlo_attribution_free(&a);

    lookup(NULL, "DLO In", DLO_ATTR_DELETED, "2024-01-10T09:00:00Z", "2024-01-10T11:00:00Z", &a);
    assert_int_equal(a.event_id, 2006);
    assert_string_equal(a.rule_id, A_ID);
    dlo_attribution_free(&a);

    lookup(NULL, "DLO In", DLO_ATTR_DELETED, "2024-01-10T09:45:00Z", "2024-01-10T11:00:00Z", &a);
    assert_unknown(&a, "the rule's ID is not known");
    dlo_attribution_free(&a);
}

/* The firewall channel's event, which names the account, is preferred to the Security log's
 * for the same change; the Security log's alone still says when, not who. */
static void test_security_log(void **state)
{
    dlo_attribution a;
    dlo_buf b;
    (void)state;

    add(DLO_ATTR_SECURITY_CHANNEL, replace(event_of(4948, "2024-01-10T10:00:00.2Z"), D_ID, B_ID));
    lookup(B_ID, "Open SSH Port 22", DLO_ATTR_DELETED, "2024-01-10T09:00:00Z",
           "2024-01-10T11:00:00Z", &a);
    assert_int_equal(a.event_id, 4948);
    dlo_buf_init(&b);
    dlo_attribution_by(&b, &a);
    assert_string_equal(dlo_buf_str(&b), "an account the event does not name");
    dlo_attribution_free(&a);

    add_fw(event_of(2052, "2024-01-10T10:00:00.1Z"));
    lookup(B_ID, "Open SSH Port 22", DLO_ATTR_DELETED, "2024-01-10T09:00:00Z",
           "2024-01-10T11:00:00Z", &a);
    assert_int_equal(a.event_id, 2052);
    dlo_attribution_free(&a);
    dlo_buf_free(&b);
}

/* The account's name when the seam finds it, the SID alone when it does not. */
static void test_account_name(void **state)
{
    dlo_attribution a;
    dlo_buf b;
    (void)state;

    add_fw(event_of(2005, "2024-01-10T10:00:00Z"));
    lookup(A_ID, "Open SSH Port 22", DLO_ATTR_CHANGED, "2024-01-10T09:00:00Z",
           "2024-01-10T11:00:00Z", &a);
    dlo_buf_init(&b);
    dlo_attribution_by(&b, &a);
    assert_string_equal(dlo_buf_str(&b),
                        "HLPC01\\alice (" A_USER ") with C:\\Windows\\System32\\netsh.exe");
    dlo_attribution_free(&a);
    add_fw(event_of(2006, "2024-01-10T10:00:00Z"));
    lookup(B_ID, "Open SSH Port 22", DLO_ATTR_DELETED, "2024-01-10T09:00:00Z",
           "2024-01-10T11:00:00Z", &a);
    assert_null(a.user_name);
    dlo_buf_reset(&b);
    dlo_attribution_by(&b, &a);
    assert_string_equal(dlo_buf_str(&b), "S-1-5-21-937911350-1118943250-2293061635-1001 with "
                                         "C:\\Windows\\System32\\mmc.exe");
    dlo_buf_free(&b);
    dlo_attribution_free(&a);
}

static void assert_refused(const char *xml, size_t n, const char *what)
{
    dlo_fwevent e;
    dlo_error err;
    err.msg[0] = '\0';
    if (dlo_fwevent_parse(xml, n, &e, &err) != DLO_E_PARSE)
        fail_msg("%s: not refused", what);
    assert_true(err.msg[0] != '\0');
    assert_null(e.rule_id);
    assert_null(e.user_sid);
}

static char *long_name(size_t n, const char *unit)
{
    dlo_buf b;
    size_t i;
    dlo_buf_init(&b);
    dlo_buf_puts(&b, "\"RuleName\">");
    for (i = 0; i < n; i++)
        dlo_buf_puts(&b, unit);
    dlo_buf_puts(&b, "<");
    return b.data;
}

/* What the reader refuses; the event's own text with one thing made wrong each time. */
static void test_hostile_xml(void **state)
{
    static const struct {
        const char *what, *from, *to;
    } cases[] = {
        {"a declared entity", "<Event ", "<!DOCTYPE Event [<!ENTITY who \"S-1-5-18\">]><Event "},
        {"an external entity", "<Event ",
         "<!DOCTYPE Event [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Event "},
        {"an undeclared entity", "netsh.exe<", "&who;<"},
        {"a reference to NUL", "netsh.exe<", "&#0;<"},
        {"a reference to a surrogate", "netsh.exe<", "&#xD800;<"},
        {"a reference past U+10FFFF", "netsh.exe<", "&#x110000;<"},
        {"an unterminated reference", "netsh.exe<", "&#x41<"},
        {"a CDATA section", "netsh.exe<", "<![CDATA[x]]><"},
        {"a comment", "<System>", "<System><!-- x -->"},
        {"a field twice", "<Data Name=\"Origin\">",
         "<Data Name=\"RuleId\">{00000000-0000-0000-0000-000000000000}</Data><Data "
         "Name=\"Origin\">"},
        {"an attribute twice", "<Data Name=\"RuleId\">", "<Data Name=\"RuleId\" Name=\"X\">"},
        {"an element inside a field", "netsh.exe<", "<b>x</b><"},
        {"no EventID", "<EventID>2004</EventID>", ""},
        {"no TimeCreated", "SystemTime=", "Other="},
        {"a bad EventID", "<EventID>2004<", "<EventID>02004<"},
        {"a bad time", "17:01:45.8409961Z", "17:01:45.8409961"},
        {"a mismatched end tag", "</EventData>", "</EventDat>"},
        {"text outside the event", "<Event ", "junk<Event "},
        {"a second root", "<Event ", "<Event><System/></Event><Event "},
        {"another root", "<Event ", "<Evil "},
        {"'<' in an attribute", "Name=\"RuleId\"", "Name=\"Rule<Id\""},
        {"an unquoted attribute", "Name=\"RuleId\"", "Name=RuleId"},
        {"bytes not UTF-8", "netsh.exe<", "netsh\xC0\xAF.exe<"},
        {"a bad ErrorCode", "</EventData>", "<Data Name=\"ErrorCode\">-1</Data></EventData>"},
    };
    char *a = sample_xml('A'), *x;
    dlo_buf deep;
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        x = replace(dlo_strdup(a), cases[i].from, cases[i].to);
        assert_refused(x, strlen(x), cases[i].what);
        free(x);
    }
    for (i = 0; i < 2; i++) {
        char *name = long_name(4097, i ? "&amp;" : "A");
        x = replace(dlo_strdup(a), "\"RuleName\">Open SSH Port 22<", name);
        assert_refused(x, strlen(x), i ? "4097 bytes written as references" : "4097 bytes");
        free(name);
        free(x);
    }
    x = dlo_strdup(a);
    assert_refused(x, strlen(x) / 2, "a document cut short");
    x[100] = '\0';
    assert_refused(x, strlen(a), "a NUL inside");
    free(x);
    dlo_buf_init(&deep);
    dlo_buf_puts(&deep, "<Event>");
    for (i = 0; i < DLO_FWEVENT_DEPTH_MAX; i++)
        dlo_buf_puts(&deep, "<X>");
    assert_refused(deep.data, deep.len, "nested too deep");
    dlo_buf_reset(&deep);
    for (i = 0; i < DLO_FWEVENT_XML_MAX; i++)
        dlo_buf_putc(&deep, ' ');
    dlo_buf_puts(&deep, a);
    assert_refused(deep.data, deep.len, "a document too long");
    dlo_buf_free(&deep);
    free(a);
}

/* The limits are exact, and the references EvtRender writes read as what they stand for. */
static void test_xml_accepted(void **state)
{
    char *a = sample_xml('A'), *x, *name;
    dlo_fwevent e;
    dlo_error err;
    (void)state;

    name = long_name(4096, "A");
    x = replace(dlo_strdup(a), "\"RuleName\">Open SSH Port 22<", name);
    assert_int_equal(dlo_fwevent_parse(x, strlen(x), &e, &err), DLO_OK);
    assert_int_equal(strlen(e.rule_name), 4096);
    dlo_fwevent_free(&e);
    free(x);
    free(name);
    x = replace(dlo_strdup(a), "Open SSH Port 22<",
                "A &amp; B &lt;&#x263A;&#9731;&gt;&quot;&apos;<");
    x = replace(x, "<Event ", "<?xml version=\"1.0\"?>\n<Event ");
    assert_int_equal(dlo_fwevent_parse(x, strlen(x), &e, &err), DLO_OK);
    assert_string_equal(e.rule_name, "A & B <\xE2\x98\xBA\xE2\x98\x83>\"'");
    dlo_fwevent_free(&e);
    free(x);
    free(a);
}

/* Nothing unreadable or misplaced ever names anyone: malformed events are counted and the
 * answer is unknown; a RuleId missing, empty, or outside EventData matches no rule; an event
 * of another provider is not the firewall's. */
static void test_no_widening(void **state)
{
    dlo_attribution a;
    (void)state;

    add_fw(replace(event_of(2006, "2024-01-10T10:00:00Z"), "<Event ",
                   "<!DOCTYPE Event [<!ENTITY x \"y\">]><Event "));
    add_fw(replace(event_of(2006, "2024-01-10T10:00:01Z"), "mmc.exe<", "&x;<"));
    lookup(B_ID, "Open SSH Port 22", DLO_ATTR_DELETED, "2024-01-10T09:00:00Z",
           "2024-01-10T11:00:00Z", &a);
    assert_unknown(&a, "; 2 events could not be read");
    dlo_attribution_free(&a);
    clear_log(NULL);

    add_fw(drop_line(event_of(2006, "2024-01-10T10:00:00Z"), "\"RuleId\""));
    add_fw(replace(event_of(2006, "2024-01-10T10:00:01Z"), "<Data Name=\"RuleId\">" B_ID "</Data>",
                   "<Data Name=\"RuleId\" />"));
    add_fw(replace(replace(event_of(2006, "2024-01-10T10:00:02Z"),
                           "<Data Name=\"RuleId\">" B_ID "</Data>", ""),
                   "<Channel>", "<Data Name=\"RuleId\">" B_ID "</Data><Channel>"));
    add_fw(replace(event_of(2006, "2024-01-10T10:00:03Z"), "Name=\"RuleId\"", "Name=\"RuleIdX\""));
    add_fw(replace(event_of(2006, "2024-01-10T10:00:04Z"),
                   "Name=\"Microsoft-Windows-Windows Firewall With Advanced Security\"",
                   "Name=\"Someone-Else\""));
    lookup(B_ID, "Open SSH Port 22", DLO_ATTR_DELETED, "2024-01-10T09:00:00Z",
           "2024-01-10T11:00:00Z", &a);
    assert_unknown(&a, "no event names the rule");
    dlo_attribution_free(&a);
    lookup("", "Open SSH Port 22", DLO_ATTR_DELETED, "2024-01-10T09:00:00Z", "2024-01-10T11:00:00Z",
           &a);
    assert_unknown(&a, "the rule's ID is not known");
    dlo_attribution_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samples_read),
        cmocka_unit_test(test_time),
        cmocka_unit_test_teardown(test_every_event_id, clear_log),
        cmocka_unit_test_teardown(test_seam_asked, clear_log),
        cmocka_unit_test_teardown(test_error_code, clear_log),
        cmocka_unit_test_teardown(test_delete_without_event, clear_log),
        cmocka_unit_test_teardown(test_self, clear_log),
        cmocka_unit_test_teardown(test_rename_then_delete, clear_log),
        cmocka_unit_test_teardown(test_security_log, clear_log),
        cmocka_unit_test_teardown(test_account_name, clear_log),
        cmocka_unit_test(test_hostile_xml),
        cmocka_unit_test(test_xml_accepted),
        cmocka_unit_test_teardown(test_no_widening, clear_log),
    };
    return cmocka_run_group_tests(tests, read_samples, free_samples);
}
