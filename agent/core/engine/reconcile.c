#include "dlo/reconcile.h"

#include "dlo/config.h"
#include "dlo/log.h"
#include "dlo/match.h"
#include "dlo/portset.h"
#include "dlo/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- comparing rules ---- */

static unsigned norm_profiles(unsigned p)
{
    /* NET_FW_PROFILE2_ALL is 0x7FFFFFFF: every bit, of which the three profiles matter. */
    return p & DLO_PROFILE_ALL;
}

unsigned dlo_rule_differences(const dlo_rule *want, const dlo_rule *have)
{
    unsigned d = 0;
    size_t i;
    for (i = 0; i < DLO_PROP_COUNT; i++)
        if (!dlo_prop_equal(&dlo_props[i], want, have))
            d |= dlo_props[i].bit;
    return d | have->unreadable;
}

const char *dlo_prop_name(unsigned bit)
{
    const dlo_prop *p = dlo_prop_find(bit);
    return p ? p->name : "?";
}

void dlo_prop_value(dlo_buf *b, const dlo_rule *r, unsigned bit)
{
    const dlo_prop *p = dlo_prop_find(bit);
    if (p)
        dlo_prop_format(b, p, r);
}

/* ---- the diff ---- */

static bool is_owned(const dlo_rule *r)
{
    return r->grouping && strcmp(r->grouping, DLO_RULE_GROUPING) == 0;
}

static dlo_change *diff_push(dlo_diff *d, size_t *cap)
{
    dlo_change *items = dlo_array_grow(d->items, cap, d->count, sizeof(*items));
    if (!items)
        return NULL;
    d->items = items;
    memset(&d->items[d->count], 0, sizeof(d->items[0]));
    return &d->items[d->count++];
}

/* The diff being built: changes in out, removals apart (appended last, so a rule being replaced
 * never leaves a gap), and which owned rules a planned rule has claimed. */
typedef struct differ {
    const dlo_rule_list *plan;
    dlo_rule_list *all;
    size_t *owned; /* indexes into all of the owned rules */
    size_t n_owned;
    bool *claimed; /* per owned rule */
    dlo_diff *out;
    size_t cap;
    dlo_diff removals;
    size_t rcap;
} differ;

static bool push_change(differ *d, bool removal, dlo_change_kind kind, const dlo_rule *want,
                        dlo_rule *have, unsigned differences, dlo_stale_reason reason)
{
    dlo_change *c = removal ? diff_push(&d->removals, &d->rcap) : diff_push(d->out, &d->cap);
    if (!c)
        return false;
    c->kind = kind;
    c->want = want;
    c->have = have;
    c->differences = differences;
    c->reason = reason;
    return true;
}

/* Of the unclaimed owned rules named like want, one already right, else the first; or -1. */
static size_t best_match(const differ *d, const dlo_rule *want, unsigned *differences)
{
    size_t j, best = (size_t)-1;
    for (j = 0; j < d->n_owned; j++) {
        const dlo_rule *have = &d->all->items[d->owned[j]];
        unsigned diff;
        if (d->claimed[j] || strcmp(dlo_str(have->name), dlo_str(want->name)) != 0)
            continue;
        diff = dlo_rule_differences(want, have);
        if (best == (size_t)-1 || diff == 0) {
            best = j;
            *differences = diff;
        }
        if (diff == 0)
            break;
    }
    return best;
}

static bool diff_planned(differ *d, const dlo_rule *want)
{
    unsigned diff = 0;
    size_t best = best_match(d, want, &diff);
    dlo_rule *have;

    if (best == (size_t)-1)
        return push_change(d, false, DLO_CHANGE_ADD, want, NULL, 0, DLO_STALE_NOT_PLANNED);
    d->claimed[best] = true;
    have = &d->all->items[d->owned[best]];
    if (diff == 0) {
        d->out->compliant++;
        return true;
    }
    if (diff & (DLO_PROP_DIRECTION | DLO_PROP_PROTOCOL))
        /* Windows validates ports against the protocol at each put_, so a rule that changed
         * protocol or direction is replaced rather than edited in place. */
        return push_change(d, false, DLO_CHANGE_ADD, want, NULL, diff, DLO_STALE_NOT_PLANNED) &&
               push_change(d, true, DLO_CHANGE_REMOVE, want, have, diff, DLO_STALE_DUPLICATE);
    return push_change(d, false, DLO_CHANGE_UPDATE, want, have, diff, DLO_STALE_NOT_PLANNED);
}

/* An owned rule no planned rule claimed: a second copy of a planned name, or not planned. */
static bool diff_unclaimed(differ *d, dlo_rule *have)
{
    dlo_stale_reason reason = DLO_STALE_NOT_PLANNED;
    size_t i;
    for (i = 0; i < d->plan->count; i++)
        if (strcmp(dlo_str(d->plan->items[i].name), dlo_str(have->name)) == 0)
            reason = DLO_STALE_DUPLICATE;
    return push_change(d, true, DLO_CHANGE_REMOVE, NULL, have, 0, reason);
}

static bool diff_all(differ *d)
{
    size_t i, j;
    for (i = 0; i < d->all->count; i++)
        if (is_owned(&d->all->items[i]))
            d->owned[d->n_owned++] = i;
    d->out->owned = d->n_owned;
    for (i = 0; i < d->plan->count; i++)
        if (!diff_planned(d, &d->plan->items[i]))
            return false;
    for (j = 0; j < d->n_owned; j++)
        if (!d->claimed[j] && !diff_unclaimed(d, &d->all->items[d->owned[j]]))
            return false;
    for (j = 0; j < d->removals.count; j++) {
        dlo_change *c = diff_push(d->out, &d->cap);
        if (!c)
            return false;
        *c = d->removals.items[j];
    }
    return true;
}

dlo_status dlo_diff_compute(const dlo_rule_list *plan, dlo_rule_list *all, dlo_diff *out,
                            dlo_error *err)
{
    differ d;
    size_t slots = all->count ? all->count : 1;
    dlo_status st = DLO_OK;

    memset(&d, 0, sizeof(d));
    memset(out, 0, sizeof(*out));
    d.plan = plan;
    d.all = all;
    d.out = out;
    d.owned = malloc(slots * sizeof(*d.owned));
    d.claimed = calloc(slots, sizeof(*d.claimed));
    if (!d.owned || !d.claimed || !diff_all(&d)) {
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
        dlo_diff_free(out);
    }
    free(d.removals.items);
    free(d.claimed);
    free(d.owned);
    return st;
}

void dlo_diff_free(dlo_diff *diff)
{
    free(diff->items);
    memset(diff, 0, sizeof(*diff));
}

/* ---- applying ---- */

static dlo_status update_some(const dlo_fw_backend *fw, const dlo_change *c, const dlo_rule *want,
                              unsigned mask, size_t *writes, dlo_error *err)
{
    dlo_status st;
    if (!mask)
        return DLO_OK;
    st = fw->update(fw->ctx, c->have, want, mask, err);
    if (!st)
        *writes += dlo_bit_count(mask);
    return st;
}

/* An update is a write per property, and a failure or a kill can stop it after any of them. So
 * that no state in between lets through more than the old rule or the new one: first the
 * properties the change narrows (the rule is then within the old one), then at most one that
 * neither narrows nor widens, then those it widens (the rule is then within the new one). With
 * two or more of the middle kind an enabled Allow rule is switched off for the while (itself a
 * narrowing) and back on last. Protocol and direction never change here: such a rule is
 * replaced (diff_planned), since Windows checks the ports against the protocol at each put_. */
static dlo_status apply_update(const dlo_fw_backend *fw, const dlo_change *c, size_t *writes,
                               dlo_error *err)
{
    unsigned narrow = 0, other = 0, wide = 0;
    size_t i;
    dlo_rule off;
    dlo_status st;

    for (i = 0; i < DLO_PROP_COUNT; i++) {
        const dlo_prop *p = &dlo_props[i];
        if (!(c->differences & p->bit))
            continue;
        if (dlo_prop_within(p, c->want, c->have))
            narrow |= p->bit;
        else if (dlo_prop_within(p, c->have, c->want))
            wide |= p->bit;
        else
            other |= p->bit;
    }
    if (dlo_bit_count(other) > 1 && c->have->enabled && c->have->action == DLO_ACTION_ALLOW &&
        !(narrow & (DLO_PROP_ENABLED | DLO_PROP_ACTION))) {
        off = *c->want; /* a view: only its enabled is read */
        off.enabled = false;
        st = update_some(fw, c, &off, DLO_PROP_ENABLED, writes, err);
        if (st)
            return st;
        wide |= DLO_PROP_ENABLED;
    }
    st = update_some(fw, c, c->want, narrow, writes, err);
    if (!st)
        st = update_some(fw, c, c->want, other, writes, err);
    if (!st)
        st = update_some(fw, c, c->want, wide, writes, err);
    return st;
}

/* One change; *writes receives the firewall writes it took. */
static dlo_status apply_change(const dlo_fw_backend *fw, const dlo_change *c, size_t *writes,
                               dlo_error *err)
{
    *writes = 0;
    switch (c->kind) {
    case DLO_CHANGE_ADD:
        *writes = 1;
        return fw->add(fw->ctx, c->want, err);
    case DLO_CHANGE_UPDATE:
        return apply_update(fw, c, writes, err);
    case DLO_CHANGE_REMOVE:
        *writes = 1;
        return fw->remove(fw->ctx, c->have, err);
    }
    return dlo_error_set(err, DLO_E_INTERNAL, "unknown change");
}

static const char *change_verb(dlo_change_kind k)
{
    return k == DLO_CHANGE_ADD ? "adding" : k == DLO_CHANGE_UPDATE ? "updating" : "removing";
}

/* Which change failed: the rule, and for a planned one the matrix rows it exists for and their
 * lines, so the administrator finds what asked for it. */
static void name_failed_change(dlo_error *err, const dlo_change *c)
{
    const dlo_rule *r = c->want ? c->want : c->have;
    if (c->want && c->want->origin)
        dlo_error_prefix(err, "%s rule '%s' (%s) failed: ", change_verb(c->kind), dlo_str(r->name),
                         c->want->origin);
    else
        dlo_error_prefix(err, "%s rule '%s' failed: ", change_verb(c->kind), dlo_str(r->name));
}

static void release_list(const dlo_fw_backend *fw, dlo_rule_list *l)
{
    if (fw->release)
        fw->release(fw->ctx, l);
    dlo_rule_list_free(l);
}

/* Copies of the owned rules as they are now: what a failed run is rolled back to. */
static dlo_status snapshot_owned(const dlo_rule_list *all, dlo_rule_list *out, dlo_error *err)
{
    size_t i;
    dlo_rule_list_init(out);
    for (i = 0; i < all->count; i++) {
        dlo_rule *copy;
        if (!is_owned(&all->items[i]))
            continue;
        copy = dlo_rule_list_add(out);
        if (!copy || dlo_rule_copy(copy, &all->items[i])) {
            if (copy)
                out->count--;
            dlo_rule_list_free(out);
            return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
        }
    }
    return DLO_OK;
}

/* Reconciles once more, toward the snapshot. */
static dlo_status roll_back(const dlo_fw_backend *fw, const dlo_rule_list *snapshot,
                            dlo_reconcile_report *rep, dlo_error *err)
{
    dlo_rule_list now;
    dlo_diff diff;
    size_t i;
    dlo_status st;

    dlo_rule_list_init(&now);
    st = fw->enumerate(fw->ctx, &now, err);
    if (st)
        goto cleanup_now;
    st = dlo_diff_compute(snapshot, &now, &diff, err);
    if (st)
        goto cleanup_now;
    for (i = 0; i < diff.count && !st; i++) {
        size_t writes;
        st = apply_change(fw, &diff.items[i], &writes, err);
        if (!st)
            rep->writes += writes;
    }
    dlo_diff_free(&diff);
cleanup_now:
    release_list(fw, &now);
    return st;
}

/* Every run starts alike: one enumeration, and the diff of the owned rules against the plan. */
static dlo_status report_start(const dlo_fw_backend *fw, const dlo_rule_list *plan,
                               dlo_reconcile_report *rep, dlo_error *err)
{
    dlo_status st;
    memset(rep, 0, sizeof(*rep));
    dlo_rule_list_init(&rep->firewall);
    rep->planned = plan->count;
    st = fw->enumerate(fw->ctx, &rep->firewall, err);
    if (st)
        return st;
    return dlo_diff_compute(plan, &rep->firewall, &rep->diff, err);
}

dlo_status dlo_reconcile_apply(const dlo_fw_backend *fw, const dlo_rule_list *plan,
                               dlo_reconcile_report *rep, dlo_error *err)
{
    return dlo_reconcile_apply_opts(fw, plan, false, rep, err);
}

/* The planned rule an update of a cautious pass writes instead: ports, addresses and profiles
 * are what the rule has and what the plan says together. */
static dlo_status widen(dlo_rule *out, const dlo_change *c)
{
    size_t i;
    dlo_status st = dlo_rule_copy(out, c->want);
    for (i = 0; !st && i < DLO_PROP_COUNT; i++)
        if (dlo_props[i].bit & DLO_PROPS_WIDEN_ONLY)
            st = dlo_prop_union(out, c->have, c->want, &dlo_props[i]);
    return st;
}

/* The widen-only properties widen() left as the rule has them (a list it could not join with
 * the plan's): nothing to write, even where the value does not compare equal to itself. */
static unsigned kept_as_is(const dlo_rule *w, const dlo_rule *have)
{
    size_t i;
    unsigned same = 0;
    for (i = 0; i < DLO_PROP_COUNT; i++) {
        const dlo_prop *p = &dlo_props[i];
        if ((p->bit & DLO_PROPS_WIDEN_ONLY) && p->type != DLO_PT_PROFILES &&
            strcmp(dlo_str(dlo_prop_text(w, p)), dlo_str(dlo_prop_text(have, p))) == 0)
            same |= p->bit;
    }
    return same;
}

/* A cautious pass adds and widens only: removals are withheld, and each update keeps what the
 * rule lets through beyond the plan (rep->kept holds the rules it writes instead). */
static dlo_status make_cautious(dlo_reconcile_report *rep, dlo_error *err)
{
    dlo_diff *diff = &rep->diff;
    size_t i, n = 0, updates = 0;

    for (i = 0; i < diff->count; i++)
        updates += diff->items[i].kind == DLO_CHANGE_UPDATE;
    rep->kept = calloc(updates ? updates : 1, sizeof(*rep->kept));
    if (!rep->kept)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    for (i = 0; i < diff->count; i++) {
        dlo_change c = diff->items[i];
        if (c.kind == DLO_CHANGE_REMOVE) {
            rep->withheld++;
            continue;
        }
        if (c.kind == DLO_CHANGE_UPDATE) {
            dlo_rule *w = &rep->kept[rep->n_kept];
            if (widen(w, &c))
                return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
            rep->n_kept++;
            if (dlo_rule_differences(w, c.want) & DLO_PROPS_WIDEN_ONLY)
                rep->widened++;
            c.want = w;
            c.differences = dlo_rule_differences(w, c.have) & ~kept_as_is(w, c.have);
            if (!c.differences)
                continue;
        }
        diff->items[n++] = c;
    }
    diff->count = n;
    return DLO_OK;
}

dlo_status dlo_reconcile_apply_opts(const dlo_fw_backend *fw, const dlo_rule_list *plan,
                                    bool keep_unplanned, dlo_reconcile_report *rep, dlo_error *err)
{
    dlo_rule_list snapshot;
    dlo_status st;
    size_t i;

    st = report_start(fw, plan, rep, err);
    if (st)
        return st;
    if (keep_unplanned) {
        rep->cautious = true;
        st = make_cautious(rep, err);
        if (st)
            return st;
    }
    if (rep->diff.count == 0)
        return DLO_OK;
    st = snapshot_owned(&rep->firewall, &snapshot, err);
    if (st)
        return st;

    for (i = 0; i < rep->diff.count; i++) {
        const dlo_change *c = &rep->diff.items[i];
        size_t writes;
        st = apply_change(fw, c, &writes, err);
        if (st) {
            dlo_error rb_err;
            dlo_status rb;
            name_failed_change(err, c);
            dlo_error_clear(&rb_err);
            rb = roll_back(fw, &snapshot, rep, &rb_err);
            rep->rolled_back = true;
            if (rb) {
                rep->rollback_failed = true;
                dlo_log(DLO_LOG_ERR, "rolling back failed too: %s", rb_err.msg);
                /* The error's prefix is bounded; the detail above says more. */
                {
                    char tail[DLO_ERROR_MAX];
                    snprintf(tail, sizeof(tail),
                             "%s; putting the rules back failed too (%s): the next run "
                             "will repair them",
                             err->msg, rb_err.msg);
                    memcpy(err->msg, tail, sizeof(tail));
                }
            } else {
                size_t len = strlen(err->msg);
                snprintf(err->msg + len, sizeof(err->msg) - len,
                         "; the agent's rules were put back as they were");
            }
            break;
        }
        rep->writes += writes;
        rep->applied++;
    }
    dlo_rule_list_free(&snapshot);
    return st;
}

dlo_status dlo_reconcile_remove(const dlo_fw_backend *fw, dlo_reconcile_report *rep, dlo_error *err)
{
    static const dlo_rule_list nothing;
    return dlo_reconcile_apply(fw, &nothing, rep, err);
}

/* ---- verifying ---- */

static const char *const profile_titles[3] = {"Domain", "Private", "Public"};

static dlo_status add_problem(dlo_reconcile_report *rep, const char *kind, const char *message,
                              dlo_error *err)
{
    return dlo_reconcile_add_problem(rep, false, kind, message, err);
}

void dlo_problem_free(dlo_problem *p)
{
    free(p->kind);
    free(p->message);
    free(p->settings);
    p->kind = p->message = p->settings = NULL;
}

dlo_status dlo_reconcile_add_mendable(dlo_reconcile_report *rep, bool warning, const char *kind,
                                      const char *message, const char *settings, dlo_error *err)
{
    dlo_problem **list = warning ? &rep->warnings : &rep->problems;
    size_t *n = warning ? &rep->n_warnings : &rep->n_problems;
    dlo_problem *p =
        dlo_array_grow(*list, warning ? &rep->cap_warnings : &rep->cap_problems, *n, sizeof(*p));
    if (!p)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    *list = p;
    p = &p[*n];
    memset(p, 0, sizeof(*p));
    if (dlo_rule_set(&p->kind, kind) || dlo_rule_set(&p->message, message) ||
        (settings && *settings && dlo_rule_set(&p->settings, settings))) {
        dlo_problem_free(p);
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    }
    (*n)++;
    return DLO_OK;
}

dlo_status dlo_reconcile_add_problem(dlo_reconcile_report *rep, bool warning, const char *kind,
                                     const char *message, dlo_error *err)
{
    return dlo_reconcile_add_mendable(rep, warning, kind, message, NULL, err);
}

/* The foreign Block rules that may block only because they hold some remote addresses and the
 * planned rules they meet allow any (their peers have no scope): one warning for all of them,
 * since the answer depends on the configuration, not on each rule. */
typedef struct unscoped_blocks {
    size_t rules;
    const char *names[3];
    dlo_role_set peers;
    const dlo_rule *path; /* the first planned rule met */
    size_t paths;         /* ... and how many planned rules in all (the largest count) */
} unscoped_blocks;

typedef struct blocks_run {
    dlo_reconcile_report *rep;
    const dlo_rule_list *plan;
    const dlo_os_version *os;
    const char *store; /* "local", "Group Policy" */
    dlo_buf msg;
    unscoped_blocks unscoped;
    dlo_error *err;
} blocks_run;

static bool by_unscoped_peers(const dlo_match *m, const dlo_rule *path)
{
    return m->row && strcmp(m->row->field, "remote addresses") == 0 &&
           dlo_list_is_any(path->remote_addresses);
}

static dlo_status add_message(blocks_run *r, bool warning, const char *kind)
{
    return dlo_buf_status(&r->msg)
               ? dlo_error_set(r->err, DLO_E_NOMEM, "out of memory")
               : dlo_reconcile_add_problem(r->rep, warning, kind, dlo_buf_str(&r->msg), r->err);
}

/* The rule may block, by `maybe` for the first of n planned rules (`first`): one warning, or a
 * place in the common one when every planned rule it may block allows any remote address. */
static dlo_status may_block(blocks_run *r, const dlo_rule *b, const dlo_match *maybe, size_t first,
                            size_t n, bool all_unscoped, dlo_role_set peers)
{
    unscoped_blocks *u = &r->unscoped;
    if (all_unscoped) {
        if (u->rules < sizeof(u->names) / sizeof(u->names[0]))
            u->names[u->rules] = dlo_str(b->name);
        u->rules++;
        u->peers |= peers;
        if (!u->path || n > u->paths) {
            u->path = &r->plan->items[first];
            u->paths = n;
        }
        return DLO_OK;
    }
    dlo_buf_reset(&r->msg);
    dlo_buf_printf(&r->msg, "the %s rule '%s' may block what '%s' allows", r->store,
                   dlo_str(b->name), dlo_str(r->plan->items[first].name));
    if (n > 1)
        dlo_buf_printf(&r->msg, " (and %zu more planned rules)", n - 1);
    dlo_buf_printf(&r->msg, "; its %s (%s): %s", maybe->row->field, maybe->row->keys, maybe->why);
    return add_message(r, true, "may-block");
}

/* A Block rule wins over any Allow rule on Windows, so a foreign Block rule that meets a planned
 * rule's traffic makes it ineffective: a problem when every field of it applies (dlo/match.h), a
 * may-block warning, once per foreign rule, when one may. */
static dlo_status block_verdict(blocks_run *r, const dlo_rule *b)
{
    dlo_match m, maybe;
    size_t j, n_maybe = 0, first = 0;
    bool all_unscoped = true;
    dlo_role_set peers = 0;
    dlo_status st = DLO_OK;
    for (j = 0; j < r->plan->count && !st; j++) {
        const dlo_rule *p = &r->plan->items[j];
        dlo_match_rule(b, p, r->os, DLO_MATCH_BLOCKS, &m);
        if (m.answer == DLO_MATCH_MAYBE) {
            if (!n_maybe++) {
                maybe = m;
                first = j;
            }
            all_unscoped = all_unscoped && by_unscoped_peers(&m, p);
            peers |= p->peers;
        }
        if (m.answer != DLO_MATCH_YES)
            continue;
        dlo_buf_reset(&r->msg);
        dlo_buf_printf(&r->msg,
                       "the %s rule '%s' blocks what '%s' allows (a Block rule wins over Allow "
                       "rules)%s%s",
                       r->store, dlo_str(b->name), dlo_str(p->name), m.why[0] ? ": " : "", m.why);
        st = add_message(r, false, "blocked-by-rule");
    }
    if (st || !n_maybe)
        return st;
    return may_block(r, b, &maybe, first, n_maybe, all_unscoped, peers);
}

/* The common warning of the rules that may block only for want of a scope. */
static dlo_status unscoped_warning(blocks_run *r)
{
    const unscoped_blocks *u = &r->unscoped;
    dlo_buf settings;
    size_t i;
    int role;
    dlo_status st;
    if (!u->rules)
        return DLO_OK;
    dlo_buf_init(&settings);
    for (role = 0; role < DLO_ROLE_COUNT; role++)
        if (u->peers & DLO_ROLE_BIT(role))
            dlo_buf_printf(&settings, "%s%s", settings.len ? "," : "",
                           dlo_config_item_name((dlo_config_item)(DLO_CFG_SCOPE_FIRST + role)));
    dlo_buf_reset(&r->msg);
    dlo_buf_printf(&r->msg, "%zu rule%s of the %s store (", u->rules, u->rules == 1 ? "" : "s",
                   r->store);
    for (i = 0; i < u->rules && i < sizeof(u->names) / sizeof(u->names[0]); i++)
        dlo_buf_printf(&r->msg, "%s'%s'", i ? ", " : "", u->names[i]);
    dlo_buf_printf(&r->msg,
                   "%s) may block what '%s' allows%s: they hold only some remote addresses, and "
                   "the planned rules allow any because their peers have no scope; set %s to "
                   "judge them",
                   u->rules > i ? ", ..." : "", dlo_str(u->path->name),
                   u->paths > 1 ? " and other planned rules" : "", dlo_buf_str(&settings));
    st = dlo_buf_status(&r->msg) || dlo_buf_status(&settings)
             ? dlo_error_set(r->err, DLO_E_NOMEM, "out of memory")
             : dlo_reconcile_add_mendable(r->rep, true, "may-block", dlo_buf_str(&r->msg),
                                          dlo_buf_str(&settings), r->err);
    dlo_buf_free(&settings);
    return st;
}

dlo_status dlo_reconcile_blocks(dlo_reconcile_report *rep, const dlo_rule_list *rules,
                                const char *store, const dlo_rule_list *plan,
                                const dlo_os_version *os, dlo_error *err)
{
    blocks_run r;
    size_t i;
    dlo_status st = DLO_OK;
    memset(&r, 0, sizeof(r));
    r.rep = rep;
    r.plan = plan;
    r.os = os;
    r.store = store;
    r.err = err;
    dlo_buf_init(&r.msg);
    for (i = 0; i < rules->count && !st; i++)
        if (rules->items[i].action == DLO_ACTION_BLOCK ||
            (rules->items[i].unreadable & DLO_PROP_ACTION))
            st = block_verdict(&r, &rules->items[i]);
    if (!st)
        st = unscoped_warning(&r);
    dlo_buf_free(&r.msg);
    return st;
}

static dlo_status find_problems(const dlo_fw_backend *fw, const dlo_rule_list *plan,
                                dlo_reconcile_report *rep, dlo_error *err)
{
    dlo_fw_state state;
    unsigned used = 0, missing_out = 0;
    char msg[1024];
    size_t i;
    int p;
    dlo_status st;

    for (i = 0; i < plan->count; i++)
        used |= norm_profiles(plan->items[i].profiles);
    for (i = 0; i < rep->diff.count; i++) {
        const dlo_change *c = &rep->diff.items[i];
        if (c->kind != DLO_CHANGE_REMOVE && c->want->direction == DLO_DIR_OUT)
            missing_out |= norm_profiles(c->want->profiles);
    }

    memset(&state, 0, sizeof(state));
    st = fw->get_state(fw->ctx, &state, err);
    if (st)
        return st;
    rep->fw_state = state;
    rep->fw_state_read = true;
    for (p = 0; p < 3 && !st; p++) {
        if ((used & (1u << p)) && !state.enabled[p]) {
            snprintf(msg, sizeof(msg),
                     "the firewall is off for the %s profile, which planned rules use: no rule "
                     "is enforced there",
                     profile_titles[p]);
            st = add_problem(rep, "firewall-off", msg, err);
        }
        if (!st && (missing_out & (1u << p)) && state.outbound_block[p]) {
            snprintf(msg, sizeof(msg),
                     "outbound connections are blocked by default on the %s profile and planned "
                     "outbound rules for it are missing or wrong: DLO traffic is blocked",
                     profile_titles[p]);
            st = add_problem(rep, "outbound-blocked", msg, err);
        }
    }
    if (!st && state.gp_override)
        st = add_problem(rep, "gp-override",
                         "Group Policy overrides the local firewall rules "
                         "(LocalPolicyModifyState): the agent's rules have no effect; deploy "
                         "them through Group Policy or allow local rules to merge",
                         err);
    if (!st)
        st = dlo_reconcile_blocks(rep, &rep->firewall, "local", plan, &state.os, err);
    return st;
}

dlo_status dlo_reconcile_problems(const dlo_fw_backend *fw, const dlo_rule_list *plan,
                                  dlo_reconcile_report *rep, dlo_error *err)
{
    return find_problems(fw, plan, rep, err);
}

dlo_status dlo_reconcile_verify(const dlo_fw_backend *fw, const dlo_rule_list *plan,
                                dlo_reconcile_report *rep, bool *compliant, dlo_error *err)
{
    dlo_status st;

    *compliant = false;
    st = report_start(fw, plan, rep, err);
    if (st)
        return st;
    st = find_problems(fw, plan, rep, err);
    if (st)
        return st;
    *compliant = rep->diff.count == 0 && rep->n_problems == 0;
    return DLO_OK;
}

void dlo_reconcile_report_free(const dlo_fw_backend *fw, dlo_reconcile_report *rep)
{
    size_t i;
    for (i = 0; i < rep->n_changed_by; i++)
        free(rep->changed_by[i]);
    free(rep->changed_by);
    dlo_diff_free(&rep->diff);
    release_list(fw, &rep->firewall);
    for (i = 0; i < rep->n_problems; i++)
        dlo_problem_free(&rep->problems[i]);
    free(rep->problems);
    for (i = 0; i < rep->n_warnings; i++)
        dlo_problem_free(&rep->warnings[i]);
    free(rep->warnings);
    free(rep->sources);
    free(rep->note);
    for (i = 0; i < rep->n_kept; i++)
        dlo_rule_free(&rep->kept[i]);
    free(rep->kept);
    memset(rep, 0, sizeof(*rep));
}

/* ---- output ---- */
