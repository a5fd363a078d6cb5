/* Comparing two sets of rules, property by property, as typed values (dlo/compare.h). */
#include "dlo/compare.h"

#include "dlo/str.h"

#include <stdlib.h>
#include <string.h>

void dlo_comparison_init(dlo_comparison *c)
{
    memset(c, 0, sizeof(*c));
}

void dlo_comparison_free(dlo_comparison *c)
{
    size_t i;
    for (i = 0; i < c->count; i++)
        dlo_portset_free(&c->items[i].delta);
    free(c->items);
    dlo_comparison_init(c);
}

size_t dlo_comparison_count(const dlo_comparison *c, dlo_cmp_kind kind)
{
    size_t i, n = 0;
    for (i = 0; i < c->count; i++)
        n += c->items[i].kind == kind;
    return n;
}

static dlo_cmp_item *add(dlo_comparison *c, dlo_cmp_kind kind, const dlo_rule *was,
                         const dlo_rule *now, const dlo_prop *p)
{
    dlo_cmp_item *items = dlo_array_grow(c->items, &c->cap, c->count, sizeof(*items));
    if (!items)
        return NULL;
    c->items = items;
    memset(&items[c->count], 0, sizeof(*items));
    items[c->count].kind = kind;
    items[c->count].was = was;
    items[c->count].now = now;
    items[c->count].prop = p;
    return &items[c->count++];
}

static dlo_status add_simple(dlo_comparison *c, dlo_cmp_kind kind, const dlo_rule *was,
                             const dlo_rule *now, const dlo_prop *p)
{
    return add(c, kind, was, now, p) ? DLO_OK : DLO_E_NOMEM;
}

static const dlo_rule *find_rule(const dlo_rule_list *l, const char *name, size_t *at)
{
    size_t i;
    for (i = 0; i < l->count; i++)
        if (strcmp(dlo_str(l->items[i].name), name) == 0) {
            if (at)
                *at = i;
            return &l->items[i];
        }
    return NULL;
}

/* One side's ports less the other's, as an item when anything is left. */
static dlo_status port_delta(dlo_comparison *c, dlo_cmp_kind kind, const dlo_rule *was,
                             const dlo_rule *now, const dlo_prop *p)
{
    dlo_portset a, b, d;
    dlo_error why;
    const dlo_rule *more = kind == DLO_CMP_WIDENS ? now : was,
                   *less = kind == DLO_CMP_WIDENS ? was : now;
    dlo_status st = dlo_portset_parse(dlo_prop_text(more, p), DLO_PORTS_FIREWALL, &a, &why);
    dlo_cmp_item *it;
    if (!st && (st = dlo_portset_parse(dlo_prop_text(less, p), DLO_PORTS_FIREWALL, &b, &why)) != 0)
        dlo_portset_free(&a);
    if (st) /* the plan's and the reader's lists parse; one that does not differs as a whole */
        return add_simple(c, DLO_CMP_CHANGES, was, now, p);
    st = dlo_portset_minus(&a, &b, &d);
    dlo_portset_free(&a);
    dlo_portset_free(&b);
    if (st || dlo_portset_empty(&d)) {
        dlo_portset_free(&d);
        return st;
    }
    it = add(c, kind, was, now, p);
    if (!it) {
        dlo_portset_free(&d);
        return DLO_E_NOMEM;
    }
    it->delta = d;
    return DLO_OK;
}

/* A set: what was added widens, what was dropped narrows; both for a sideways move. */
static dlo_status compare_set(dlo_comparison *c, const dlo_rule *was, const dlo_rule *now,
                              const dlo_prop *p)
{
    dlo_status st = DLO_OK;
    if (p->type == DLO_PT_PORTS) {
        st = port_delta(c, DLO_CMP_WIDENS, was, now, p);
        return st ? st : port_delta(c, DLO_CMP_NARROWS, was, now, p);
    }
    if (!dlo_prop_within(p, now, was))
        st = add_simple(c, DLO_CMP_WIDENS, was, now, p);
    if (!st && !dlo_prop_within(p, was, now))
        st = add_simple(c, DLO_CMP_NARROWS, was, now, p);
    return st;
}

static dlo_status compare_bits(dlo_comparison *c, const dlo_rule *was, const dlo_rule *now,
                               const dlo_prop *p)
{
    unsigned w = (unsigned)dlo_prop_number(was, p) & DLO_PROFILE_ALL;
    unsigned n = (unsigned)dlo_prop_number(now, p) & DLO_PROFILE_ALL;
    dlo_cmp_item *it;
    if (n & ~w) {
        if (!(it = add(c, DLO_CMP_WIDENS, was, now, p)))
            return DLO_E_NOMEM;
        it->bits = n & ~w;
    }
    if (w & ~n) {
        if (!(it = add(c, DLO_CMP_NARROWS, was, now, p)))
            return DLO_E_NOMEM;
        it->bits = w & ~n;
    }
    return DLO_OK;
}

/* Which way one value moved, for the properties that are not sets. */
static dlo_cmp_kind value_kind(const dlo_rule *was, const dlo_rule *now, const dlo_prop *p)
{
    long w = dlo_prop_number(was, p), n = dlo_prop_number(now, p);
    switch (p->scope) {
    case DLO_SCOPE_ZERO_NARROW:
        return w == 0 ? DLO_CMP_WIDENS : n == 0 ? DLO_CMP_NARROWS : DLO_CMP_CHANGES;
    case DLO_SCOPE_UNSET_WIDE:
        /* A rule that keeps its binding is bound to whatever the firewall has: unsettled. */
        if (was->keep_binding || now->keep_binding)
            return DLO_CMP_CHANGES;
        return dlo_prop_within(p, was, now)   ? DLO_CMP_WIDENS
               : dlo_prop_within(p, now, was) ? DLO_CMP_NARROWS
                                              : DLO_CMP_CHANGES;
    case DLO_SCOPE_EXACT:
        if (p->type == DLO_PT_PROTOCOL && (w == DLO_PROTO_ANY || n == DLO_PROTO_ANY))
            return n == DLO_PROTO_ANY ? DLO_CMP_WIDENS : DLO_CMP_NARROWS;
        return DLO_CMP_CHANGES;
    default:
        return DLO_CMP_CHANGES;
    }
}

/* Two values of a program or service that differ, also where dlo_prop_equal lets a kept
 * binding equal anything: a comparison must say that it is not settled. */
static bool binding_differs(const dlo_prop *p, const dlo_rule *was, const dlo_rule *now)
{
    return p->scope == DLO_SCOPE_UNSET_WIDE && (was->keep_binding || now->keep_binding) &&
           !dlo_str_equal_ci(dlo_str(dlo_prop_text(was, p)), dlo_str(dlo_prop_text(now, p)));
}

static dlo_status compare_pair(dlo_comparison *c, const dlo_rule *was, unsigned known,
                               const dlo_rule *now)
{
    size_t i;
    dlo_status st = DLO_OK;
    for (i = 0; i < DLO_PROP_COUNT && !st; i++) {
        const dlo_prop *p = &dlo_props[i];
        if (p->scope == DLO_SCOPE_NONE)
            continue;
        if (!(known & p->bit))
            st = add_simple(c, DLO_CMP_NOT_STATED, was, now, p);
        else if (dlo_prop_equal(p, now, was) && !binding_differs(p, was, now))
            continue;
        else if (p->scope == DLO_SCOPE_SET)
            st = compare_set(c, was, now, p);
        else if (p->scope == DLO_SCOPE_BITS)
            st = compare_bits(c, was, now, p);
        else
            st = add_simple(c, value_kind(was, now, p), was, now, p);
    }
    return st;
}

dlo_status dlo_compare_rules(const dlo_rule_list *was, const unsigned *was_stated,
                             const dlo_rule_list *now, dlo_comparison *out)
{
    size_t i, at;
    dlo_status st = DLO_OK;
    for (i = 0; i < now->count && !st; i++) {
        const dlo_rule *r = &now->items[i], *w = find_rule(was, dlo_str(r->name), &at);
        st = w ? compare_pair(out, w, was_stated ? was_stated[at] : ~0u, r)
               : add_simple(out, DLO_CMP_OPENS, NULL, r, NULL);
    }
    for (i = 0; i < was->count && !st; i++)
        if (!find_rule(now, dlo_str(was->items[i].name), NULL))
            st = add_simple(out, DLO_CMP_CLOSES, &was->items[i], NULL, NULL);
    return st;
}

/* One role in one mode: kept in out when anything differs. */
static dlo_status compare_role(const dlo_policy *was, const dlo_policy *now, dlo_mode mode,
                               dlo_role role, dlo_matrix_comparison *out, dlo_error *err)
{
    dlo_plan_settings settings;
    dlo_matrix_diff d, *groups;
    dlo_status st;
    bool differs;
    memset(&settings, 0, sizeof(settings));
    memset(&d, 0, sizeof(d));
    d.mode = mode;
    d.role = role;
    st = dlo_plan_build(was, DLO_ROLE_BIT(role), mode, &settings, &d.was, err);
    if (!st && (st = dlo_plan_build(now, DLO_ROLE_BIT(role), mode, &settings, &d.now, err)) != 0)
        dlo_plan_free(&d.was);
    if (st)
        return st;
    st = dlo_compare_rules(&d.was.rules, NULL, &d.now.rules, &d.cmp);
    differs = d.cmp.count > 0;
    groups = st || !differs ? NULL : dlo_array_grow(out->groups, &out->cap, out->count, sizeof(d));
    if (groups) {
        out->groups = groups;
        out->groups[out->count++] = d;
        return DLO_OK;
    }
    dlo_comparison_free(&d.cmp);
    dlo_plan_free(&d.was);
    dlo_plan_free(&d.now);
    return st ? st : differs ? DLO_E_NOMEM : DLO_OK;
}

dlo_status dlo_compare_policies(const dlo_policy *was, const dlo_policy *now,
                                dlo_matrix_comparison *out, dlo_error *err)
{
    int mode, role;
    dlo_status st = DLO_OK;
    memset(out, 0, sizeof(*out));
    for (mode = 0; mode < DLO_MODE_COUNT && !st; mode++)
        for (role = 0; role < DLO_ROLE_COUNT && !st; role++)
            st = compare_role(was, now, (dlo_mode)mode, (dlo_role)role, out, err);
    if (st == DLO_E_NOMEM)
        dlo_error_set(err, st, "out of memory comparing the port matrices");
    if (st)
        dlo_matrix_comparison_free(out);
    return st;
}

void dlo_matrix_comparison_free(dlo_matrix_comparison *m)
{
    size_t i;
    for (i = 0; i < m->count; i++) {
        dlo_comparison_free(&m->groups[i].cmp);
        dlo_plan_free(&m->groups[i].was);
        dlo_plan_free(&m->groups[i].now);
    }
    free(m->groups);
    memset(m, 0, sizeof(*m));
}
