/* The effective policy: both rule stores and Group Policy's profile settings, read through the
 * registry seam, and the judgement of a plan against them (dlo/effective.h). */
#include "dlo/effective.h"

#include "dlo/addr.h"
#include "dlo/buf.h"
#include "dlo/match.h"
#include "dlo/portset.h"
#include "dlo/rulestr.h"
#include "dlo/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const profile_titles[3] = {"Domain", "Private", "Public"};

/* ---- reading ---- */

typedef struct store_reader {
    dlo_rule_list *out;
    size_t *skipped;
} store_reader;

/* Every rule string is kept, also one whose fields did not all read: the rule carries which
 * (dlo_rule.unreadable) and the text of those fields, and the matching model says it may apply
 * rather than that it does not (dlo/match.h); an owned one is drift. */
static dlo_status add_rule_value(void *user, const char *name, const dlo_reg_value *v,
                                 dlo_error *err)
{
    store_reader *sr = user;
    dlo_rule *r;
    dlo_status st;

    (void)name;
    if ((v->type != DLO_REG_SZ && v->type != DLO_REG_EXPAND_SZ) || !v->text) {
        (*sr->skipped)++;
        return DLO_OK;
    }
    r = dlo_rule_list_add(sr->out);
    if (!r)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    st = dlo_rulestr_parse(v->text, strlen(v->text), r);
    return st ? dlo_error_set(err, st, "out of memory") : DLO_OK;
}

dlo_status dlo_rule_store_read(const dlo_registry *reg, const char *key, dlo_rule_list *out,
                               size_t *skipped, dlo_error *err)
{
    store_reader sr = {out, skipped};
    if (!reg->values)
        return dlo_error_set(err, DLO_E_IO, "HKLM\\%s cannot be listed on this platform", key);
    return reg->values(reg->ctx, DLO_REG_VIEW_64, key, add_rule_value, &sr, err);
}

static int setting(const dlo_registry *reg, const char *key, const char *name)
{
    dlo_reg_value v;
    dlo_error err;
    int out = DLO_GP_UNSET;
    dlo_error_clear(&err);
    /* A setting that is no DWORD is one Windows ignores too. */
    if (dlo_registry_read(reg, DLO_REG_VIEW_64, key, name, &v, &err) == DLO_OK &&
        v.type == DLO_REG_DWORD && v.size == 4)
        out = v.number != 0;
    dlo_reg_value_free(&v);
    return out;
}

/* Group Policy names the private profile PrivateProfile (MS-GPFAS 2.2.3; StandardProfile there
 * is the legacy Windows Firewall's key, where AllowLocalPolicyMerge "MUST NOT be present"); the
 * local store keeps it as StandardProfile. */
static void read_settings(const dlo_registry *reg, const char *base, const char *private_key,
                          dlo_profile_settings out[3])
{
    const char *names[3] = {"DomainProfile", private_key, "PublicProfile"};
    char key[256];
    int p;
    for (p = 0; p < 3; p++) {
        snprintf(key, sizeof(key), "%s\\%s", base, names[p]);
        out[p].enable_firewall = setting(reg, key, "EnableFirewall");
        out[p].inbound_block = setting(reg, key, "DefaultInboundAction");
        out[p].outbound_block = setting(reg, key, "DefaultOutboundAction");
        out[p].local_merge = setting(reg, key, "AllowLocalPolicyMerge");
        out[p].block_all_inbound = setting(reg, key, "DoNotAllowExceptions");
    }
}

/* An absent FirewallRules key is an empty store for Group Policy; for the local store, which
 * Windows always has, it means the registry is not the firewall's (COM then enumerates). */
static dlo_status read_store(const dlo_registry *reg, const char *base, const char *private_key,
                             bool absent_is_empty, dlo_rule_store *out, dlo_error *err)
{
    char key[256];
    dlo_error local;
    dlo_status st;

    read_settings(reg, base, private_key, out->profiles);
    snprintf(key, sizeof(key), "%s\\FirewallRules", base);
    dlo_error_clear(&local);
    st = dlo_rule_store_read(reg, key, &out->rules, &out->skipped, &local);
    if (st == DLO_E_NOMEM)
        return dlo_error_set(err, st, "%s", local.msg);
    out->rules_read = st == DLO_OK || (st == DLO_E_NOTFOUND && absent_is_empty);
    return DLO_OK;
}

void dlo_effective_init(dlo_effective *e)
{
    int p;
    memset(e, 0, sizeof(*e));
    dlo_rule_list_init(&e->gp.rules);
    dlo_rule_list_init(&e->local.rules);
    for (p = 0; p < 3; p++) {
        dlo_profile_settings unset = {DLO_GP_UNSET, DLO_GP_UNSET, DLO_GP_UNSET, DLO_GP_UNSET,
                                      DLO_GP_UNSET};
        e->gp.profiles[p] = unset;
        e->local.profiles[p] = unset;
    }
}

void dlo_effective_free(dlo_effective *e)
{
    dlo_rule_list_free(&e->gp.rules);
    dlo_rule_list_free(&e->local.rules);
    memset(e, 0, sizeof(*e));
}

dlo_status dlo_effective_read(const dlo_registry *reg, dlo_effective *out, dlo_error *err)
{
    dlo_status st;
    dlo_effective_init(out);
    if (!reg || !reg->values) {
        out->gp.rules_read = true; /* nothing to see: no Group Policy here */
        return DLO_OK;
    }
    st = read_store(reg, DLO_GP_POLICY_KEY, "PrivateProfile", true, &out->gp, err);
    if (!st)
        st = read_store(reg, DLO_LOCAL_POLICY_KEY, "StandardProfile", false, &out->local, err);
    return st;
}

/* ---- judging ---- */

static bool is_agents(const dlo_rule *r)
{
    return r->grouping && strcmp(r->grouping, DLO_RULE_GROUPING) == 0;
}

/* What takes effect on each profile. */
typedef struct profile_view {
    bool on;             /* the firewall filters at all */
    bool gp_off;         /* ... off by Group Policy where the local setting says on */
    bool local_applies;  /* local rules take effect */
    const char *why_not; /* ... if not, why */
    bool inbound_closed; /* no unsolicited inbound traffic at all */
    const char *why_closed;
    bool outbound_block;    /* outbound blocked by default */
    bool gp_outbound_block; /* ... by Group Policy where the local setting says allow */
} profile_view;

static void view_profiles(const dlo_effective *e, const dlo_fw_state *st, profile_view v[3])
{
    int p;
    for (p = 0; p < 3; p++) {
        const dlo_profile_settings *gp = &e->gp.profiles[p];
        bool current = (st->current_profiles & (1u << p)) != 0;
        memset(&v[p], 0, sizeof(v[p]));
        v[p].on = gp->enable_firewall != DLO_GP_UNSET ? gp->enable_firewall == 1 : st->enabled[p];
        v[p].gp_off = !v[p].on && st->enabled[p];
        v[p].local_applies = true;
        if (gp->local_merge == 0) {
            v[p].local_applies = false;
            v[p].why_not = "AllowLocalPolicyMerge = 0 in Group Policy";
        } else if (current && st->gp_override) {
            v[p].local_applies = false;
            v[p].why_not = "LocalPolicyModifyState is GP_OVERRIDE";
        }
        v[p].inbound_closed = true;
        if (gp->block_all_inbound == 1)
            v[p].why_closed = "DoNotAllowExceptions = 1 in Group Policy";
        else if (gp->block_all_inbound == DLO_GP_UNSET &&
                 e->local.profiles[p].block_all_inbound == 1)
            v[p].why_closed = "the local setting blocks all incoming connections";
        else if (current && st->inbound_blocked)
            v[p].why_closed = "LocalPolicyModifyState is INBOUND_BLOCKED";
        else
            v[p].inbound_closed = false;
        v[p].outbound_block =
            gp->outbound_block != DLO_GP_UNSET ? gp->outbound_block == 1 : st->outbound_block[p];
        v[p].gp_outbound_block = v[p].outbound_block && !st->outbound_block[p];
    }
}

static unsigned planned_profiles(const dlo_rule *r)
{
    return r->profiles & DLO_PROFILE_ALL;
}

/* The rule of the agent's Grouping in the Group Policy store that stands for `want` on the
 * profiles `need`: same name, enabled, every property as planned but profiles, which must
 * include need. NULL and *closest (the same name, but different) when none. */
static const dlo_rule *gp_rule_for(const dlo_rule_store *gp, const dlo_rule *want, unsigned need,
                                   const dlo_rule **closest)
{
    size_t i;
    *closest = NULL;
    for (i = 0; i < gp->rules.count; i++) {
        const dlo_rule *g = &gp->rules.items[i];
        if (!is_agents(g) || strcmp(dlo_str(g->name), dlo_str(want->name)) != 0)
            continue;
        if (g->enabled && !(dlo_rule_differences(want, g) & ~DLO_PROP_PROFILES) &&
            (planned_profiles(g) & need) == need)
            return g;
        *closest = g;
    }
    return NULL;
}

static void profiles_text(dlo_buf *b, unsigned bits)
{
    int p, n = 0;
    for (p = 0; p < 3; p++)
        if (bits & (1u << p))
            dlo_buf_printf(b, "%s%s", n++ ? ", " : "", profile_titles[p]);
}

/* What Group Policy lacks for one planned rule, for the gp-override message. */
static void lack_text(dlo_buf *b, const dlo_rule *want, const dlo_rule *closest, unsigned need)
{
    size_t i;
    unsigned d;
    int n = 0;
    dlo_buf_printf(b, "'%s' (", dlo_str(want->name));
    if (!closest) {
        dlo_buf_puts(b, "not in the Group Policy store)");
        return;
    }
    if (!closest->enabled)
        dlo_buf_printf(b, "%sdisabled", n++ ? ", " : "");
    if ((planned_profiles(closest) & need) != need)
        dlo_buf_printf(b, "%snot on every planned profile", n++ ? ", " : "");
    d = dlo_rule_differences(want, closest) & ~(DLO_PROP_PROFILES | DLO_PROP_ENABLED);
    for (i = 0; i < DLO_PROP_COUNT; i++)
        if (d & dlo_props[i].bit)
            dlo_buf_printf(b, "%s%s differs", n++ ? ", " : "", dlo_props[i].name);
    dlo_buf_putc(b, ')');
}

typedef struct judge {
    const dlo_effective *e;
    const dlo_rule_list *plan;
    dlo_reconcile_report *rep;
    profile_view v[3];
    const dlo_os_version *os; /* the machine's version, for platform validity */
    unsigned inert;           /* planned profiles where local rules do not apply */
    bool *gp_ok; /* per planned rule: Group Policy delivers it where local rules are inert */
    dlo_error *err;
} judge;

static void drop_problems(dlo_reconcile_report *rep, const char *kind)
{
    size_t i, n = 0;
    for (i = 0; i < rep->n_problems; i++) {
        if (strcmp(rep->problems[i].kind, kind) == 0) {
            dlo_problem_free(&rep->problems[i]);
        } else {
            rep->problems[n++] = rep->problems[i];
        }
    }
    rep->n_problems = n;
}

static dlo_status add(judge *j, bool warning, const char *kind, dlo_buf *msg)
{
    dlo_status st = dlo_buf_status(msg);
    if (!st)
        st = dlo_reconcile_add_problem(j->rep, warning, kind, dlo_buf_str(msg), j->err);
    else
        dlo_error_set(j->err, st, "out of memory");
    dlo_buf_reset(msg);
    return st;
}

/* Group Policy's settings on the planned profiles. */
static dlo_status judge_settings(judge *j, dlo_buf *msg)
{
    unsigned used = 0, used_in = 0;
    size_t i;
    int p;
    dlo_status st = DLO_OK;
    for (i = 0; i < j->plan->count; i++) {
        used |= planned_profiles(&j->plan->items[i]);
        if (j->plan->items[i].direction == DLO_DIR_IN)
            used_in |= planned_profiles(&j->plan->items[i]);
    }
    for (p = 0; p < 3 && !st; p++) {
        if ((used & (1u << p)) && j->v[p].gp_off) {
            dlo_buf_printf(msg,
                           "Group Policy turns the firewall off for the %s profile "
                           "(EnableFirewall = 0), which planned rules use: no rule is enforced "
                           "there",
                           profile_titles[p]);
            st = add(j, false, "firewall-off", msg);
        }
        if (!st && (used_in & (1u << p)) && j->v[p].on && j->v[p].inbound_closed) {
            dlo_buf_printf(msg,
                           "inbound connections are blocked on the %s profile (%s): the planned "
                           "inbound rules have no effect there",
                           profile_titles[p], j->v[p].why_closed);
            st = add(j, false, "inbound-blocked", msg);
        }
    }
    return st;
}

/* Local rules that do not apply, and whether Group Policy delivers the agent's rules instead. */
static dlo_status judge_merge(judge *j, dlo_buf *msg)
{
    dlo_buf lacks;
    size_t i, missing = 0;
    int p;
    dlo_status st;

    for (p = 0; p < 3; p++)
        for (i = 0; i < j->plan->count; i++)
            if (!j->v[p].local_applies && (planned_profiles(&j->plan->items[i]) & (1u << p)))
                j->inert |= 1u << p;
    if (!j->inert)
        return DLO_OK;
    dlo_buf_init(&lacks);
    for (i = 0; i < j->plan->count; i++) {
        const dlo_rule *want = &j->plan->items[i], *closest;
        unsigned need = planned_profiles(want) & j->inert;
        if (!need)
            continue;
        j->gp_ok[i] = gp_rule_for(&j->e->gp, want, need, &closest) != NULL;
        if (!j->gp_ok[i]) {
            dlo_buf_puts(&lacks, missing++ ? "; " : "");
            lack_text(&lacks, want, closest, need);
        }
    }
    dlo_buf_puts(msg, "local firewall rules do not take effect on the ");
    profiles_text(msg, j->inert);
    dlo_buf_puts(msg, " profile (");
    for (p = 0; p < 3; p++)
        if (j->inert & (1u << p)) {
            dlo_buf_puts(msg, j->v[p].why_not);
            break;
        }
    drop_problems(j->rep, "gp-override");
    if (!missing) {
        dlo_buf_puts(msg, "); the agent's rules there come from Group Policy");
        free(j->rep->note);
        j->rep->note = dlo_strdup(dlo_buf_str(msg));
        dlo_buf_reset(msg);
        st = j->rep->note ? DLO_OK : dlo_error_set(j->err, DLO_E_NOMEM, "out of memory");
    } else {
        dlo_buf_printf(msg,
                       "): deploy the agent's rules through Group Policy (/export:powershell) "
                       "or allow local rules to merge; Group Policy lacks %zu of them: %s",
                       missing, dlo_buf_str(&lacks));
        st = add(j, false, "gp-override", msg);
    }
    dlo_buf_free(&lacks);
    return st;
}

static size_t plan_index(const judge *j, const dlo_rule *want)
{
    return (size_t)(want - j->plan->items);
}

/* A missing or drifted local rule that Group Policy delivers on every profile it is for. */
static bool excused(const judge *j, const dlo_change *c)
{
    return c->kind != DLO_CHANGE_REMOVE && j->gp_ok[plan_index(j, c->want)] &&
           (planned_profiles(c->want) & ~j->inert) == 0;
}

static dlo_status judge_outbound(judge *j, dlo_buf *msg)
{
    unsigned missing_out = 0;
    size_t i;
    int p;
    dlo_status st = DLO_OK;
    for (i = 0; i < j->rep->diff.count; i++) {
        const dlo_change *c = &j->rep->diff.items[i];
        if (c->kind != DLO_CHANGE_REMOVE && c->want->direction == DLO_DIR_OUT && !excused(j, c))
            missing_out |= planned_profiles(c->want);
    }
    for (p = 0; p < 3 && !st; p++) {
        if (!(missing_out & (1u << p)) || !j->v[p].gp_outbound_block)
            continue;
        dlo_buf_printf(msg,
                       "Group Policy blocks outbound connections by default on the %s profile "
                       "(DefaultOutboundAction = 1) and planned outbound rules for it are "
                       "missing or wrong: DLO traffic is blocked",
                       profile_titles[p]);
        st = add(j, false, "outbound-blocked", msg);
    }
    return st;
}

static dlo_status judge_gp_blocks(judge *j)
{
    return dlo_reconcile_blocks(j->rep, &j->e->gp.rules, "Group Policy", j->plan, j->os, j->err);
}

/* f's remote addresses reach beyond want's scope: some of them lie outside it, and neither
 * list holds an address keyword (whose addresses are decided at run time, so it is not said). */
static bool beyond_scope(const dlo_rule *f, const dlo_rule *want)
{
    dlo_addrset fs, ws;
    bool beyond = false;
    size_t i;
    if (dlo_addrset_read(f->remote_addresses, &fs))
        return false;
    if (!dlo_addrset_read(want->remote_addresses, &ws)) {
        beyond = dlo_addrset_meet(&fs, &ws) != DLO_ADDR_INSIDE;
        for (i = 0; i < fs.count; i++)
            beyond = beyond && fs.items[i].kind != DLO_ADDR_KEYWORD;
        for (i = 0; i < ws.count; i++)
            beyond = beyond && ws.items[i].kind != DLO_ADDR_KEYWORD;
        dlo_addrset_free(&ws);
    }
    dlo_addrset_free(&fs);
    return beyond;
}

/* How someone else's Allow rule `f`, which meets the traffic of `want` (dlo/match.h), opens it
 * wider than the plan, appended to msg; false when it is no wider. `open` is every profile the
 * plan opens that port on. */
static bool wider(const dlo_rule *f, const dlo_rule *want, unsigned open, dlo_buf *msg)
{
    const char *fp;
    unsigned closed;
    size_t start = msg->len;
    if (!(planned_profiles(f) & DLO_PROFILE_ALL))
        return false;
    fp = want->direction == DLO_DIR_IN ? f->local_ports : f->remote_ports;
    if (dlo_list_is_any(fp))
        dlo_buf_puts(msg, ", every port");
    if (f->protocol == DLO_PROTO_ANY)
        dlo_buf_puts(msg, ", any protocol");
    if (!dlo_list_is_any(want->remote_addresses) && dlo_list_is_any(f->remote_addresses))
        dlo_buf_printf(msg, ", any remote address where the plan allows %s",
                       want->remote_addresses);
    else if (!dlo_list_is_any(want->remote_addresses) && beyond_scope(f, want))
        dlo_buf_printf(msg, ", remote addresses %s beyond the plan's %s", f->remote_addresses,
                       want->remote_addresses);
    closed = planned_profiles(f) & ~open;
    if (closed) {
        dlo_buf_puts(msg, ", the ");
        profiles_text(msg, closed);
        dlo_buf_puts(msg, " profile the plan leaves closed");
    }
    return msg->len > start;
}

static unsigned open_profiles(const judge *j, const dlo_rule *want)
{
    unsigned open = 0;
    size_t k;
    for (k = 0; k < j->plan->count; k++) {
        const dlo_rule *o = &j->plan->items[k];
        if (o->direction == want->direction && o->protocol == want->protocol &&
            dlo_ports_overlap(o->direction == DLO_DIR_IN ? o->local_ports : o->remote_ports,
                              want->direction == DLO_DIR_IN ? want->local_ports
                                                            : want->remote_ports))
            open |= planned_profiles(o);
    }
    return open;
}

/* The planned rule that f opens wider than the plan: the first one every field of f applies
 * to, else the first one it may apply to (*m says which); NULL when none. how gets the ways. */
static const dlo_rule *widened(const judge *j, const dlo_rule *f, const unsigned *open,
                               dlo_match *m, dlo_buf *how)
{
    const dlo_rule *found = NULL;
    dlo_match cur;
    dlo_buf ways;
    size_t k;
    dlo_buf_init(&ways);
    for (k = 0; k < j->plan->count; k++) {
        const dlo_rule *w = &j->plan->items[k];
        dlo_match_rule(f, w, j->os, DLO_MATCH_OPENS, &cur);
        if (cur.answer == DLO_MATCH_NO || (found && cur.answer == DLO_MATCH_MAYBE))
            continue;
        dlo_buf_reset(&ways);
        if (!wider(f, w, open[k], &ways))
            continue;
        found = w;
        *m = cur;
        dlo_buf_reset(how);
        dlo_buf_puts(how, dlo_buf_str(&ways));
        if (cur.answer == DLO_MATCH_YES)
            break;
    }
    dlo_buf_free(&ways);
    return found;
}

static dlo_status judge_exposure(judge *j, const dlo_rule_list *rules, const char *where,
                                 const unsigned *open, dlo_buf *msg)
{
    dlo_buf how;
    size_t i;
    dlo_status st = DLO_OK;
    dlo_buf_init(&how);
    for (i = 0; i < rules->count && !st; i++) {
        const dlo_rule *f = &rules->items[i], *w;
        dlo_match m;
        if (f->action != DLO_ACTION_ALLOW && !(f->unreadable & DLO_PROP_ACTION))
            continue;
        w = widened(j, f, open, &m, &how);
        if (!w)
            continue;
        if (m.answer == DLO_MATCH_YES)
            dlo_buf_printf(msg, "the rule '%s' (%s) opens what '%s' allows wider than the plan: %s",
                           dlo_str(f->name), where, dlo_str(w->name), dlo_buf_str(&how) + 2);
        else
            dlo_buf_printf(msg,
                           "the rule '%s' (%s) may open what '%s' allows wider than the plan (%s); "
                           "its %s (%s): %s",
                           dlo_str(f->name), where, dlo_str(w->name), dlo_buf_str(&how) + 2,
                           m.row->field, m.row->keys, m.why);
        st = add(j, true, m.answer == DLO_MATCH_YES ? "overexposed" : "may-overexpose", msg);
    }
    dlo_buf_free(&how);
    return st;
}

/* Sets rep->sources; *counted: the changes of the diff that still count. */
static dlo_status judge_sources(judge *j, size_t *counted)
{
    size_t i;
    *counted = 0;
    j->rep->plan = j->plan;
    j->rep->sources = calloc(j->plan->count + 1, sizeof(*j->rep->sources));
    if (!j->rep->sources)
        return dlo_error_set(j->err, DLO_E_NOMEM, "out of memory");
    for (i = 0; i < j->plan->count; i++)
        j->rep->sources[i] = "local";
    for (i = 0; i < j->rep->diff.count; i++) {
        const dlo_change *c = &j->rep->diff.items[i];
        if (excused(j, c))
            continue;
        (*counted)++;
        if (c->kind != DLO_CHANGE_REMOVE)
            j->rep->sources[plan_index(j, c->want)] = NULL;
    }
    for (i = 0; i < j->plan->count; i++) {
        unsigned p = planned_profiles(&j->plan->items[i]);
        if (p && (p & ~j->inert) == 0)
            j->rep->sources[i] = j->gp_ok[i] ? "group-policy" : NULL;
    }
    return DLO_OK;
}

dlo_status dlo_effective_judge(const dlo_effective *e, const dlo_fw_state *state,
                               const dlo_rule_list *plan, dlo_reconcile_report *rep,
                               bool *compliant, dlo_error *err)
{
    judge j;
    dlo_buf msg;
    unsigned *open;
    size_t i, counted = 0;
    dlo_status st;

    memset(&j, 0, sizeof(j));
    j.e = e;
    j.plan = plan;
    j.rep = rep;
    j.err = err;
    j.os = &state->os;
    view_profiles(e, state, j.v);
    j.gp_ok = calloc(plan->count + 1, sizeof(*j.gp_ok));
    open = calloc(plan->count + 1, sizeof(*open));
    if (!j.gp_ok || !open) {
        free(j.gp_ok);
        free(open);
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    }
    for (i = 0; i < plan->count; i++)
        open[i] = open_profiles(&j, &plan->items[i]);
    dlo_buf_init(&msg);
    st = judge_settings(&j, &msg);
    if (!st)
        st = judge_merge(&j, &msg);
    if (!st)
        st = judge_outbound(&j, &msg);
    if (!st)
        st = judge_gp_blocks(&j);
    if (!st && e->local.rules_read)
        st = judge_exposure(&j, &rep->firewall, "local store", open, &msg);
    if (!st)
        st = judge_exposure(&j, &e->gp.rules, "Group Policy", open, &msg);
    if (!st)
        st = judge_sources(&j, &counted);
    *compliant = !st && counted == 0 && rep->n_problems == 0;
    dlo_buf_free(&msg);
    free(j.gp_ok);
    free(open);
    return st;
}

bool dlo_effective_summary(const dlo_effective *e, const dlo_fw_state *state,
                           const dlo_rule_list *plan, bool *supplied, dlo_buf *out)
{
    profile_view v[3];
    unsigned inert = 0;
    size_t i, lacking = 0;
    int p;
    view_profiles(e, state, v);
    for (i = 0; i < plan->count; i++)
        for (p = 0; p < 3; p++)
            if (!v[p].local_applies && (planned_profiles(&plan->items[i]) & (1u << p)))
                inert |= 1u << p;
    *supplied = true;
    if (!inert) {
        dlo_buf_puts(out, "local rules take effect on every planned profile");
        return false;
    }
    for (i = 0; i < plan->count; i++) {
        const dlo_rule *want = &plan->items[i], *closest;
        unsigned need = planned_profiles(want) & inert;
        if (need && !gp_rule_for(&e->gp, want, need, &closest))
            lacking++;
    }
    *supplied = lacking == 0;
    dlo_buf_puts(out, "local rules do not take effect on the ");
    profiles_text(out, inert);
    for (p = 0; p < 3 && !(inert & (1u << p)); p++)
        ;
    dlo_buf_printf(out, " profile (%s): ", v[p].why_not);
    if (!lacking)
        dlo_buf_puts(out, "Group Policy supplies the agent's rules there");
    else
        dlo_buf_printf(out,
                       "Group Policy lacks %zu of the agent's rules there, which have no effect "
                       "until they are deployed through Group Policy (dloagent /export:powershell) "
                       "or local rules are allowed to merge",
                       lacking);
    return true;
}

/* The local store as read from the registry, behind the backend interface for the diff of
 * /verify, which writes nothing: a COM enumeration of 20,000 rules costs as much again as reading
 * the store, so the analysis reads it once, as rule strings. */
typedef struct store_fw {
    const dlo_fw_backend *real; /* for the profile state */
    dlo_rule_list *rules;       /* moved into the report's enumeration */
} store_fw;

static dlo_status store_enumerate(void *ctx, dlo_rule_list *out, dlo_error *err)
{
    store_fw *s = ctx;
    (void)err;
    dlo_rule_list_free(out);
    *out = *s->rules;
    dlo_rule_list_init(s->rules);
    return DLO_OK;
}

static dlo_status store_get_state(void *ctx, dlo_fw_state *out, dlo_error *err)
{
    const store_fw *s = ctx;
    return s->real->get_state(s->real->ctx, out, err);
}

static void store_release(void *ctx, dlo_rule_list *list)
{
    (void)ctx;
    (void)list;
}

dlo_status dlo_effective_verify(const dlo_fw_backend *fw, const dlo_registry *reg,
                                const dlo_rule_list *plan, dlo_reconcile_report *rep,
                                bool *compliant, dlo_error *err)
{
    dlo_effective e;
    store_fw sf;
    dlo_fw_backend local;
    dlo_status st = dlo_effective_read(reg, &e, err);

    memset(rep, 0, sizeof(*rep));
    memset(&local, 0, sizeof(local));
    sf.real = fw;
    sf.rules = &e.local.rules;
    local.ctx = &sf;
    local.enumerate = store_enumerate;
    local.get_state = store_get_state;
    local.release = store_release;
    /* Where the account may not read the store, COM enumerates it. */
    if (!st)
        st = dlo_reconcile_verify(e.local.rules_read ? &local : fw, plan, rep, compliant, err);
    /* Judged on the state dlo_reconcile_verify read (rep->fw_state), not on a second read. */
    if (!st)
        st = dlo_effective_judge(&e, &rep->fw_state, plan, rep, compliant, err);
    dlo_effective_free(&e);
    return st;
}
