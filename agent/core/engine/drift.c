/* Who made the drift (dlo/drift.h). */
#include "dlo/drift.h"

#include "dlo/attribution.h"
#include "dlo/rule.h"
#include "dlo/rulestr.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Seconds from 1601-01-01 to 1970-01-01. */
#define EPOCH_DIFFERENCE 11644473600ll

int64_t dlo_drift_ticks(int64_t unix_seconds)
{
    return (unix_seconds + EPOCH_DIFFERENCE) * 10000000ll;
}

static dlo_status add_pair(dlo_strlist *out, const char *id, const char *name, dlo_error *err)
{
    dlo_buf b;
    dlo_status st;

    dlo_buf_init(&b);
    dlo_buf_printf(&b, "%s\t%s", id, name);
    st = dlo_buf_status(&b);
    if (!st)
        st = dlo_strlist_add(out, dlo_buf_str(&b));
    dlo_buf_free(&b);
    return st ? dlo_error_set(err, st, "out of memory") : DLO_OK;
}

static dlo_status owned_id(void *user, const char *name, const dlo_reg_value *v, dlo_error *err)
{
    dlo_rule r;
    dlo_status st = DLO_OK;

    if ((v->type != DLO_REG_SZ && v->type != DLO_REG_EXPAND_SZ) || !v->text)
        return DLO_OK;
    dlo_rule_init(&r);
    if (dlo_rulestr_parse(v->text, strlen(v->text), &r))
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    else if (r.grouping && r.name && strcmp(r.grouping, DLO_RULE_GROUPING) == 0)
        st = add_pair(user, name, r.name, err);
    dlo_rule_free(&r);
    return st;
}

dlo_status dlo_drift_read_ids(const dlo_registry *reg, dlo_strlist *out, dlo_error *err)
{
    if (!reg || !reg->values)
        return dlo_error_set(err, DLO_E_NOTFOUND, "the rule store cannot be listed here");
    return reg->values(reg->ctx, DLO_REG_VIEW_64, DLO_LOCAL_POLICY_KEY "\\FirewallRules", owned_id,
                       out, err);
}

bool dlo_drift_id_of(const dlo_strlist *ids, const char *name, char *id, size_t size)
{
    size_t i, n;

    for (i = 0; ids && name && i < ids->count; i++) {
        const char *tab = strchr(ids->items[i], '\t');
        if (!tab || strcmp(tab + 1, name) != 0)
            continue;
        n = (size_t)(tab - ids->items[i]);
        if (n >= size)
            return false;
        memcpy(id, ids->items[i], n);
        id[n] = '\0';
        return true;
    }
    return false;
}

static bool has_name(const dlo_strlist *ids, const char *pair)
{
    const char *tab = strchr(pair, '\t');
    size_t i;
    for (i = 0; tab && i < ids->count; i++) {
        const char *other = strchr(ids->items[i], '\t');
        if (other && strcmp(other, tab) == 0)
            return true;
    }
    return false;
}

dlo_status dlo_drift_merge_ids(dlo_strlist *kept, const dlo_strlist *now, dlo_error *err)
{
    dlo_strlist merged;
    size_t i;
    dlo_status st = DLO_OK;

    dlo_strlist_init(&merged);
    for (i = 0; !st && i < now->count; i++)
        st = dlo_strlist_add(&merged, now->items[i]);
    for (i = 0; !st && i < kept->count; i++)
        if (!has_name(now, kept->items[i]))
            st = dlo_strlist_add(&merged, kept->items[i]);
    if (st) {
        dlo_strlist_free(&merged);
        return dlo_error_set(err, st, "out of memory");
    }
    dlo_strlist_free(kept);
    *kept = merged;
    return DLO_OK;
}

/* The query for one change: a rule deleted (the plan adds it) or changed (updated). */
static bool query_for(const dlo_change *c, const dlo_strlist *ids_before,
                      const dlo_strlist *ids_now, char *id, size_t size, dlo_attr_query *q)
{
    const char *name;

    if (c->kind == DLO_CHANGE_REMOVE)
        return false;
    name = c->kind == DLO_CHANGE_ADD ? c->want->name : c->have->name;
    memset(q, 0, sizeof(*q));
    q->rule_name = name;
    q->change = c->kind == DLO_CHANGE_ADD ? DLO_ATTR_DELETED : DLO_ATTR_CHANGED;
    q->rule_id = dlo_drift_id_of(c->kind == DLO_CHANGE_ADD ? ids_before : ids_now, name, id, size)
                     ? id
                     : NULL;
    return true;
}

/* One rule: its sentence into text, its short form into rep->changed_by[i]. */
static dlo_status attribute_one(const dlo_platform *plat, const dlo_attr_events *ev,
                                const dlo_attr_query *q, dlo_reconcile_report *rep, size_t i,
                                dlo_buf *text, dlo_buf *last_by, dlo_error *err)
{
    dlo_attribution a;
    dlo_buf by;
    dlo_status st = dlo_attr_find(ev, plat->attr_os, q, &a, err);

    if (st)
        return st;
    dlo_buf_init(&by);
    dlo_attribution_by(&by, &a);
    dlo_buf_puts(text, "; ");
    dlo_attribution_describe(text, q, &a);
    if (a.origin != DLO_ATTR_UNKNOWN && !last_by->len)
        dlo_buf_puts(last_by, dlo_buf_str(&by));
    st = dlo_buf_status(&by);
    if (!st && !(rep->changed_by[i] = dlo_strdup(dlo_buf_str(&by))))
        st = DLO_E_NOMEM;
    dlo_buf_free(&by);
    dlo_attribution_free(&a);
    return st ? dlo_error_set(err, st, "out of memory") : DLO_OK;
}

dlo_status dlo_drift_attribute(const dlo_platform *plat, dlo_reconcile_report *rep, size_t n_items,
                               const dlo_strlist *ids_before, const dlo_strlist *ids_now,
                               int64_t from, int64_t to, dlo_buf *text, dlo_buf *last_by,
                               dlo_error *err)
{
    dlo_attr_events ev;
    char id[256];
    size_t i;
    dlo_status st;

    dlo_buf_reset(last_by);
    if (!n_items)
        return DLO_OK;
    rep->changed_by = calloc(n_items, sizeof(*rep->changed_by));
    if (!rep->changed_by)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    rep->n_changed_by = n_items;
    /* Read once for every rule, after the pass has looked (and repaired): the firewall writes
     * its event as it makes the change, so by now the change's event is there. */
    st = dlo_attr_load(plat->attr_os, from, &ev, err);
    for (i = 0; !st && i < n_items; i++) {
        dlo_attr_query q;
        if (!query_for(&rep->diff.items[i], ids_before, ids_now, id, sizeof(id), &q))
            continue;
        q.from = from;
        q.to = to;
        q.self_image = plat->self_image;
        st = attribute_one(plat, &ev, &q, rep, i, text, last_by, err);
    }
    dlo_attr_events_free(&ev);
    if (!st && !last_by->len)
        dlo_buf_puts(last_by, "unknown");
    return st;
}

dlo_status dlo_drift_for_verify(const dlo_platform *plat, dlo_reconcile_report *rep, dlo_error *err)
{
    dlo_strlist ids;
    dlo_buf text, by;
    dlo_error e;
    size_t i, n = 0;
    dlo_status st;

    for (i = 0; i < rep->diff.count; i++)
        n += rep->diff.items[i].kind != DLO_CHANGE_REMOVE;
    if (!n)
        return DLO_OK;
    dlo_strlist_init(&ids);
    dlo_buf_init(&text);
    dlo_buf_init(&by);
    /* A store that cannot be listed leaves the IDs to the agent's own events. */
    (void)dlo_drift_read_ids(plat->registry, &ids, &e);
    st = dlo_drift_attribute(plat, rep, rep->diff.count, NULL, &ids, 0,
                             dlo_drift_ticks((int64_t)time(NULL) + 1), &text, &by, err);
    dlo_buf_free(&by);
    dlo_buf_free(&text);
    dlo_strlist_free(&ids);
    return st;
}
