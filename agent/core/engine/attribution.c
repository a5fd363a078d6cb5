/* Attribution of a rule's change to the event that made it (dlo/attribution.h). */
#include "dlo/attribution.h"

#include "dlo/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The events looked at, what each says happened, and which channel writes it. */
static const struct {
    unsigned id;
    dlo_attr_change change;
    bool all_rules; /* every rule at once: names none */
} kinds[] = {
    {2004, DLO_ATTR_CHANGED, false}, {2071, DLO_ATTR_CHANGED, false},
    {2097, DLO_ATTR_CHANGED, false}, {2005, DLO_ATTR_CHANGED, false},
    {2073, DLO_ATTR_CHANGED, false}, {2099, DLO_ATTR_CHANGED, false},
    {2006, DLO_ATTR_DELETED, false}, {2052, DLO_ATTR_DELETED, false},
    {2033, DLO_ATTR_DELETED, true},  {2059, DLO_ATTR_DELETED, true},
    {4946, DLO_ATTR_CHANGED, false}, {4947, DLO_ATTR_CHANGED, false},
    {4948, DLO_ATTR_DELETED, false},
};
#define KIND_COUNT        (sizeof(kinds) / sizeof(kinds[0]))
#define FIREWALL_ID_COUNT 10 /* the first ten are the firewall channel's */

/* An added event counts as a change: a rule deleted and added again under its ID is found
 * changed, and the add is what left it so. */
static int kind_of(unsigned id)
{
    size_t i;
    for (i = 0; i < KIND_COUNT; i++)
        if (kinds[i].id == id)
            return (int)i;
    return -1;
}

static bool from_firewall(const dlo_fwevent *e)
{
    return e->id < 4000;
}

typedef struct load_ctx {
    dlo_attr_events *ev;
    const char *provider;
    size_t kept;
} load_ctx;

/* Keeps a readable event of a kind looked at from the provider that writes it; anything else
 * (another provider's event of the same ID, which a channel could carry) is dropped. */
static dlo_status keep_event(void *ctx, const char *xml, size_t n)
{
    load_ctx *c = ctx;
    dlo_fwevent e;
    dlo_error err;
    void *grown;

    if (c->kept >= DLO_ATTR_MAX_EVENTS)
        return DLO_OK;
    if (dlo_fwevent_parse(xml, n, &e, &err)) {
        if (err.status == DLO_E_NOMEM)
            return DLO_E_NOMEM;
        c->ev->unreadable++;
        return DLO_OK;
    }
    if (kind_of(e.id) < 0 || !e.provider || strcmp(e.provider, c->provider) != 0) {
        dlo_fwevent_free(&e);
        return DLO_OK;
    }
    grown = dlo_array_grow(c->ev->items, &c->ev->cap, c->ev->count, sizeof(e));
    if (!grown) {
        dlo_fwevent_free(&e);
        return DLO_E_NOMEM;
    }
    c->ev->items = grown;
    c->ev->items[c->ev->count++] = e;
    c->kept++;
    return DLO_OK;
}

static dlo_status read_channel(const dlo_attr_os *os, bool firewall, int64_t since,
                               dlo_attr_events *ev, dlo_error *err)
{
    unsigned ids[KIND_COUNT];
    size_t i, n = 0;
    load_ctx c = {ev, firewall ? DLO_ATTR_FIREWALL_PROVIDER : DLO_ATTR_SECURITY_PROVIDER, 0};

    for (i = firewall ? 0 : FIREWALL_ID_COUNT; i < (firewall ? FIREWALL_ID_COUNT : KIND_COUNT); i++)
        ids[n++] = kinds[i].id;
    dlo_error_clear(err);
    return os->query(os->ctx, firewall ? DLO_ATTR_FIREWALL_CHANNEL : DLO_ATTR_SECURITY_CHANNEL, ids,
                     n, since, keep_event, &c, err);
}

dlo_status dlo_attr_load(const dlo_attr_os *os, int64_t since, dlo_attr_events *ev, dlo_error *err)
{
    dlo_error e;
    dlo_status st;

    memset(ev, 0, sizeof(*ev));
    if (!os || !os->query) {
        snprintf(ev->firewall_why, sizeof(ev->firewall_why), "no event log on this system");
        return DLO_OK;
    }
    st = read_channel(os, true, since, ev, &e);
    if (st == DLO_E_NOMEM)
        return dlo_error_set(err, st, "out of memory reading the firewall's events");
    ev->firewall_read = st == DLO_OK;
    if (st == DLO_E_NOTFOUND)
        snprintf(ev->firewall_why, sizeof(ev->firewall_why),
                 "the firewall's event channel does not exist on this system");
    else if (st)
        snprintf(ev->firewall_why, sizeof(ev->firewall_why),
                 "the firewall's event channel could not be read: %s", e.msg);
    st = read_channel(os, false, since, ev, &e);
    if (st == DLO_E_NOMEM)
        return dlo_error_set(err, st, "out of memory reading the Security log");
    ev->security_read = st == DLO_OK;
    return DLO_OK;
}

void dlo_attr_events_free(dlo_attr_events *ev)
{
    size_t i;
    for (i = 0; i < ev->count; i++)
        dlo_fwevent_free(&ev->items[i]);
    free(ev->items);
    memset(ev, 0, sizeof(*ev));
}

void dlo_attribution_free(dlo_attribution *a)
{
    free(a->rule_id);
    free(a->rule_name);
    free(a->user_sid);
    free(a->user_name);
    free(a->application);
    memset(a, 0, sizeof(*a));
}

static bool is_self(const dlo_fwevent *e, const dlo_attr_query *q)
{
    return e->application && q->self_image && *q->self_image &&
           dlo_str_equal_ci(e->application, q->self_image);
}

/* The IDs the rule may have: the one given, or those the agent's own adds and changes gave a
 * rule of this name. */
static dlo_status rule_ids(const dlo_attr_events *ev, const dlo_attr_query *q, dlo_strlist *ids)
{
    size_t i;
    if (q->rule_id)
        return *q->rule_id ? dlo_strlist_add(ids, q->rule_id) : DLO_OK;
    for (i = 0; i < ev->count; i++) {
        const dlo_fwevent *e = &ev->items[i];
        if (from_firewall(e) && kinds[kind_of(e->id)].change == DLO_ATTR_CHANGED && e->rule_id &&
            *e->rule_id && e->rule_name && q->rule_name &&
            strcmp(e->rule_name, q->rule_name) == 0 && is_self(e, q) &&
            dlo_strlist_add(ids, e->rule_id))
            return DLO_E_NOMEM;
    }
    return DLO_OK;
}

static bool names_rule(const dlo_fwevent *e, const dlo_strlist *ids)
{
    size_t i;
    if (kinds[kind_of(e->id)].all_rules)
        return true;
    for (i = 0; e->rule_id && i < ids->count; i++)
        if (dlo_str_equal_ci(e->rule_id, ids->items[i]))
            return true;
    return false;
}

/* The event that left the rule as found: of the right kind, naming the rule, in the window,
 * not a failed attempt; the firewall channel's (which names the account) before the Security
 * log's, then the latest. Events come newest first, so of two at the same time the first is. */
static const dlo_fwevent *best_event(const dlo_attr_events *ev, const dlo_attr_query *q,
                                     const dlo_strlist *ids)
{
    const dlo_fwevent *best = NULL;
    size_t i;
    for (i = 0; i < ev->count; i++) {
        const dlo_fwevent *e = &ev->items[i];
        if (e->time < q->from || e->time > q->to || (e->has_error_code && e->error_code) ||
            kinds[kind_of(e->id)].change != q->change || !names_rule(e, ids))
            continue;
        if (!best || from_firewall(e) > from_firewall(best) ||
            (from_firewall(e) == from_firewall(best) && e->time > best->time))
            best = e;
    }
    return best;
}

static void why_unknown(const dlo_attr_events *ev, const dlo_attr_query *q, bool no_id,
                        dlo_attribution *out)
{
    char from[DLO_FWEVENT_TIME_LEN], to[DLO_FWEVENT_TIME_LEN];
    dlo_buf b;

    dlo_fwevent_time_format(q->from, from);
    dlo_fwevent_time_format(q->to, to);
    dlo_buf_init(&b);
    if (!ev->firewall_read)
        dlo_buf_puts(&b, ev->firewall_why);
    else if (no_id)
        dlo_buf_puts(&b, "the rule's ID is not known, and no event of the agent's own gave a "
                         "rule that name");
    else
        dlo_buf_printf(&b,
                       "no event names the rule as %s between %s and %s (the firewall's event "
                       "channel may be disabled, or its events rolled over)",
                       q->change == DLO_ATTR_DELETED ? "deleted" : "changed", from, to);
    if (ev->unreadable)
        dlo_buf_printf(&b, "; %zu event%s could not be read", ev->unreadable,
                       ev->unreadable == 1 ? "" : "s");
    snprintf(out->why, sizeof(out->why), "%s", dlo_buf_str(&b));
    dlo_buf_free(&b);
}

static dlo_status copy_field(char **to, const char *from)
{
    if (!from)
        return DLO_OK;
    *to = dlo_strdup(from);
    return *to ? DLO_OK : DLO_E_NOMEM;
}

static dlo_status fill(const dlo_fwevent *e, const dlo_attr_os *os, const dlo_attr_query *q,
                       dlo_attribution *out)
{
    dlo_buf name;
    dlo_error err;

    out->origin = is_self(e, q) ? DLO_ATTR_SELF : DLO_ATTR_FOREIGN;
    out->event_id = e->id;
    out->time = e->time;
    if (copy_field(&out->rule_id, kinds[kind_of(e->id)].all_rules ? NULL : e->rule_id) ||
        copy_field(&out->rule_name, e->rule_name) || copy_field(&out->user_sid, e->user_sid) ||
        copy_field(&out->application, e->application))
        return DLO_E_NOMEM;
    if (!e->user_sid || !*e->user_sid || !os || !os->account_name)
        return DLO_OK;
    dlo_buf_init(&name);
    if (os->account_name(os->ctx, e->user_sid, &name, &err) == DLO_OK && name.len &&
        !(out->user_name = dlo_strdup(dlo_buf_str(&name)))) {
        dlo_buf_free(&name);
        return DLO_E_NOMEM;
    }
    dlo_buf_free(&name);
    return DLO_OK;
}

dlo_status dlo_attr_find(const dlo_attr_events *ev, const dlo_attr_os *os, const dlo_attr_query *q,
                         dlo_attribution *out, dlo_error *err)
{
    dlo_strlist ids;
    const dlo_fwevent *best;
    dlo_status st;

    memset(out, 0, sizeof(*out));
    dlo_strlist_init(&ids);
    st = rule_ids(ev, q, &ids);
    best = st ? NULL : best_event(ev, q, &ids);
    if (!st && best)
        st = fill(best, os, q, out);
    else if (!st)
        why_unknown(ev, q, ids.count == 0, out);
    dlo_strlist_free(&ids);
    if (st) {
        dlo_attribution_free(out);
        return dlo_error_set(err, st, "out of memory attributing a change of rule %s",
                             q->rule_name ? q->rule_name : "(unnamed)");
    }
    return DLO_OK;
}

/* Text from an event goes out shown (dlo_buf_put_shown): a rule name is anyone's to choose. */
static void put_shown(dlo_buf *b, const char *s)
{
    dlo_buf_put_shown(b, s, strlen(s), false);
}

static void put_who(dlo_buf *b, const dlo_attribution *a)
{
    if (a->user_name) {
        put_shown(b, a->user_name);
        dlo_buf_puts(b, " (");
        put_shown(b, a->user_sid);
        dlo_buf_putc(b, ')');
    } else if (a->user_sid && *a->user_sid) {
        put_shown(b, a->user_sid);
    } else {
        dlo_buf_puts(b, "an account the event does not name");
    }
    if (a->application && *a->application) {
        dlo_buf_puts(b, " with ");
        put_shown(b, a->application);
    }
}

void dlo_attribution_by(dlo_buf *b, const dlo_attribution *a)
{
    if (a->origin == DLO_ATTR_UNKNOWN)
        dlo_buf_puts(b, "unknown");
    else if (a->origin == DLO_ATTR_SELF)
        dlo_buf_puts(b, "the agent itself");
    else
        put_who(b, a);
}

void dlo_attribution_describe(dlo_buf *b, const dlo_attr_query *q, const dlo_attribution *a)
{
    char at[DLO_FWEVENT_TIME_LEN];
    const char *what = q->change == DLO_ATTR_DELETED ? "deleted" : "changed";

    dlo_buf_puts(b, "rule ");
    put_shown(b, q->rule_name ? q->rule_name : "(unnamed)");
    if (a->origin == DLO_ATTR_UNKNOWN) {
        dlo_buf_printf(b, " was %s by someone unknown: %s", what, a->why);
        return;
    }
    dlo_buf_printf(b, " was %s by ", what);
    if (a->origin == DLO_ATTR_SELF)
        dlo_buf_puts(b, "the agent itself, ");
    put_who(b, a);
    dlo_fwevent_time_format(a->time, at);
    dlo_buf_printf(b, " (event %u at %s", a->event_id, at);
    if (!a->rule_id)
        dlo_buf_puts(b, ": every rule was deleted");
    else if (a->rule_name && q->rule_name && strcmp(a->rule_name, q->rule_name) != 0) {
        dlo_buf_puts(b, ", when the rule was named ");
        put_shown(b, a->rule_name);
    }
    dlo_buf_putc(b, ')');
}
