#include "dlo/state.h"

#include "dlo/buf.h"
#include "dlo/log.h"
#include "dlo/registry.h"
#include "dlo/roles.h"
#include "dlo/str.h"
#include "dlo/version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct {
    const char *name;
    unsigned long type;
} items[DLO_ST_COUNT] = {
    {"Compliant", DLO_REG_DWORD},  {"LastPass", DLO_REG_SZ},      {"LastChange", DLO_REG_SZ},
    {"Mode", DLO_REG_SZ},          {"Roles", DLO_REG_SZ},         {"RulesPlanned", DLO_REG_DWORD},
    {"RulesRight", DLO_REG_DWORD}, {"Missing", DLO_REG_DWORD},    {"Drifted", DLO_REG_DWORD},
    {"Stale", DLO_REG_DWORD},      {"Problems", DLO_REG_SZ},      {"LastError", DLO_REG_SZ},
    {"Version", DLO_REG_SZ},       {"PolicyRelease", DLO_REG_SZ}, {"LastDrift", DLO_REG_SZ},
    {"LastDriftBy", DLO_REG_SZ},
};

void dlo_state_init(dlo_state *s)
{
    memset(s, 0, sizeof(*s));
}

void dlo_state_free(dlo_state *s)
{
    int i;
    for (i = 0; i < DLO_ST_COUNT; i++)
        free(s->text[i]);
    dlo_state_init(s);
}

static dlo_status set_text(dlo_state *s, dlo_state_item item, const char *text, dlo_error *err)
{
    char *copy = dlo_strdup(text ? text : "");
    if (!copy)
        return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    free(s->text[item]);
    s->text[item] = copy;
    return DLO_OK;
}

/* The kinds of the problems, each once, in the order found. */
static void problem_kinds(dlo_buf *b, const dlo_reconcile_report *rep)
{
    size_t i, j;
    for (i = 0; i < rep->n_problems; i++) {
        for (j = 0; j < i && strcmp(rep->problems[j].kind, rep->problems[i].kind) != 0; j++)
            ;
        if (j == i)
            dlo_buf_printf(b, "%s%s", b->len ? "," : "", rep->problems[i].kind);
    }
}

/* Mode, roles, release, problems and counts; the error cleared. */
static dlo_status fill(dlo_state *s, const dlo_plan *plan, const dlo_reconcile_report *rep,
                       const uint32_t counts[3], bool compliant, dlo_error *err)
{
    dlo_buf roles, kinds;
    dlo_status st;

    dlo_buf_init(&roles);
    dlo_buf_init(&kinds);
    dlo_roles_format(&roles, plan->roles);
    problem_kinds(&kinds, rep);
    st = dlo_buf_status(&roles) ? dlo_buf_status(&roles) : dlo_buf_status(&kinds);
    if (st)
        st = dlo_error_set(err, st, "out of memory");
    if (!st)
        st = set_text(s, DLO_ST_MODE, dlo_mode_name(plan->mode), err);
    if (!st)
        st = set_text(s, DLO_ST_ROLES, dlo_buf_str(&roles), err);
    if (!st)
        st = set_text(s, DLO_ST_PROBLEMS, dlo_buf_str(&kinds), err);
    if (!st)
        st = set_text(s, DLO_ST_LAST_ERROR, "", err);
    if (!st)
        st = set_text(s, DLO_ST_POLICY_RELEASE, plan->release, err);
    dlo_buf_free(&roles);
    dlo_buf_free(&kinds);
    s->number[DLO_ST_COMPLIANT] = compliant ? 1 : 0;
    s->number[DLO_ST_PLANNED] = (uint32_t)rep->planned;
    s->number[DLO_ST_MISSING] = counts[0];
    s->number[DLO_ST_DRIFTED] = counts[1];
    s->number[DLO_ST_STALE] = counts[2];
    return st;
}

static uint32_t count_kind(const dlo_diff *d, dlo_change_kind kind, bool not_planned_only)
{
    size_t i;
    uint32_t n = 0;
    for (i = 0; i < d->count; i++)
        if (d->items[i].kind == kind &&
            (!not_planned_only || d->items[i].reason == DLO_STALE_NOT_PLANNED))
            n++;
    return n;
}

dlo_status dlo_state_from_verify(dlo_state *s, const dlo_plan *plan,
                                 const dlo_reconcile_report *rep, bool compliant, dlo_error *err)
{
    const uint32_t counts[3] = {count_kind(&rep->diff, DLO_CHANGE_ADD, false),
                                count_kind(&rep->diff, DLO_CHANGE_UPDATE, false),
                                count_kind(&rep->diff, DLO_CHANGE_REMOVE, false)};
    s->number[DLO_ST_RIGHT] = (uint32_t)rep->diff.compliant;
    return fill(s, plan, rep, counts, compliant, err);
}

dlo_status dlo_state_from_apply(dlo_state *s, const dlo_fw_backend *fw, const dlo_plan *plan,
                                dlo_reconcile_report *rep, bool keep_unplanned, dlo_error *err)
{
    uint32_t counts[3] = {0, 0, 0};
    dlo_reconcile_report after;
    dlo_diff full;
    size_t i;
    dlo_status st;

    /* The rules it kept were read before the run and left alone: the diff of that reading
     * names them. */
    if (keep_unplanned) {
        st = dlo_diff_compute(&plan->rules, &rep->firewall, &full, err);
        if (st)
            return st;
        counts[2] = count_kind(&full, DLO_CHANGE_REMOVE, true);
        dlo_diff_free(&full);
    }
    /* After the run the owned rules are the plan: an empty diff over the same enumeration. */
    memset(&after, 0, sizeof(after));
    after.firewall = rep->firewall;
    after.planned = rep->planned;
    st = dlo_reconcile_problems(fw, &plan->rules, &after, err);
    if (!st) {
        s->number[DLO_ST_RIGHT] = (uint32_t)rep->planned;
        st = fill(s, plan, &after, counts, counts[2] == 0 && after.n_problems == 0, err);
    }
    for (i = 0; i < after.n_problems; i++)
        dlo_problem_free(&after.problems[i]);
    free(after.problems);
    for (i = 0; i < after.n_warnings; i++)
        dlo_problem_free(&after.warnings[i]);
    free(after.warnings);
    return st;
}

void dlo_state_time(int64_t seconds, char out[21])
{
    /* Howard Hinnant's civil_from_days: no gmtime, whose thread-safe forms differ by platform. */
    int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
    int64_t secs = seconds - days * 86400;
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);

    snprintf(out, 21, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, (int)m, (int)d, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60));
}

/* What the key holds now; *complete is false when a value is absent or of another type. */
static dlo_status read_recorded(const dlo_registry *reg, dlo_state *prev, bool *complete,
                                dlo_error *err)
{
    int i;
    dlo_status st = DLO_OK;

    *complete = true;
    for (i = 0; i < DLO_ST_COUNT && !st; i++) {
        dlo_reg_value v;
        dlo_reg_value_init(&v);
        st = dlo_registry_read(reg, DLO_REG_VIEW_64, DLO_STATE_KEY, items[i].name, &v, err);
        if (st == DLO_E_NOTFOUND || (!st && v.type != items[i].type) || (!st && v.oversize)) {
            *complete = false;
            st = DLO_OK;
        } else if (!st && v.type == DLO_REG_DWORD) {
            prev->number[i] = (uint32_t)v.number;
        } else if (!st) {
            st = set_text(prev, (dlo_state_item)i, v.text, err);
        }
        dlo_reg_value_free(&v);
    }
    return st;
}

static bool same(const dlo_state *a, const dlo_state *b, dlo_state_item i)
{
    if (items[i].type == DLO_REG_DWORD)
        return a->number[i] == b->number[i];
    return strcmp(a->text[i] ? a->text[i] : "", b->text[i] ? b->text[i] : "") == 0;
}

static dlo_status write_state(const dlo_platform *plat, const dlo_state *s, bool only_last_pass,
                              dlo_error *err)
{
    dlo_reg_write values[DLO_ST_COUNT];
    size_t n = 0;
    int i;
    dlo_status st;

    for (i = 0; i < DLO_ST_COUNT; i++) {
        if (only_last_pass && i != DLO_ST_LAST_PASS)
            continue;
        values[n].name = items[i].name;
        values[n].type = items[i].type;
        values[n].text = s->text[i] ? s->text[i] : "";
        values[n].number = s->number[i];
        n++;
    }
    st = plat->write_values(plat->ctx, DLO_STATE_KEY, values, n, !only_last_pass, err);
    if (st)
        dlo_error_prefix(err, "cannot record the compliance state in HKLM\\%s: ", DLO_STATE_KEY);
    return st;
}

dlo_status dlo_state_set_drift(dlo_state *s, int64_t when, const char *by, dlo_error *err)
{
    char at[21];
    dlo_status st;

    dlo_state_time(when, at);
    st = set_text(s, DLO_ST_LAST_DRIFT, at, err);
    return st ? st : set_text(s, DLO_ST_LAST_DRIFT_BY, by, err);
}

/* A run that found no drift says nothing new about the last one: the key's values stay. */
static dlo_status keep_drift(dlo_state *s, const dlo_state *prev, dlo_error *err)
{
    dlo_status st = DLO_OK;
    if (!s->text[DLO_ST_LAST_DRIFT]) {
        st = set_text(s, DLO_ST_LAST_DRIFT, prev->text[DLO_ST_LAST_DRIFT], err);
        if (!st)
            st = set_text(s, DLO_ST_LAST_DRIFT_BY, prev->text[DLO_ST_LAST_DRIFT_BY], err);
    }
    return st;
}

/* Writes s against prev (complete: prev holds every value). */
static dlo_status record(const dlo_platform *plat, dlo_state *s, const dlo_state *prev,
                         bool complete, bool firewall_changed, int64_t now, dlo_error *err)
{
    char when[21];
    bool changed = !complete || firewall_changed;
    int i;
    dlo_status st;

    dlo_state_time(now, when);
    st = keep_drift(s, prev, err);
    if (!st)
        st = set_text(s, DLO_ST_VERSION, DLO_VERSION_STRING, err);
    if (!st)
        st = set_text(s, DLO_ST_LAST_PASS, when, err);
    for (i = 0; i < DLO_ST_COUNT && !changed; i++)
        if (i != DLO_ST_LAST_PASS && i != DLO_ST_LAST_CHANGE)
            changed = !same(s, prev, (dlo_state_item)i);
    if (!st)
        st = set_text(s, DLO_ST_LAST_CHANGE, changed ? when : prev->text[DLO_ST_LAST_CHANGE], err);
    return st ? st : write_state(plat, s, !changed, err);
}

/* s as the failure of a pass: the values recorded before (prev) kept, not compliant, and the
 * error message. */
static dlo_status as_failure(dlo_state *s, const dlo_state *prev, const char *message,
                             dlo_error *err)
{
    dlo_status st = DLO_OK;
    int i;

    for (i = 0; i < DLO_ST_COUNT && !st; i++) {
        s->number[i] = prev->number[i];
        st = set_text(s, (dlo_state_item)i, prev->text[i], err);
    }
    s->number[DLO_ST_COMPLIANT] = 0;
    if (!st)
        st = set_text(s, DLO_ST_LAST_ERROR, message, err);
    return st;
}

/* Records s over what the key holds; with a failure message, s is first made that failure. */
static dlo_status record_over(const dlo_platform *plat, dlo_state *s, bool firewall_changed,
                              int64_t now, const char *failure, dlo_error *err)
{
    dlo_state prev;
    bool complete;
    dlo_status st;

    if (!plat->write_values || !plat->registry)
        return DLO_OK;
    dlo_state_init(&prev);
    st = read_recorded(plat->registry, &prev, &complete, err);
    if (!st && failure)
        st = as_failure(s, &prev, failure, err);
    if (!st)
        st = record(plat, s, &prev, complete, firewall_changed, now, err);
    dlo_state_free(&prev);
    return st;
}

dlo_status dlo_state_record(const dlo_platform *plat, dlo_state *s, bool firewall_changed,
                            int64_t now, dlo_error *err)
{
    return record_over(plat, s, firewall_changed, now, NULL, err);
}

dlo_status dlo_state_record_failure(const dlo_platform *plat, const char *message, int64_t now,
                                    dlo_error *err)
{
    dlo_state s;
    dlo_status st;

    dlo_state_init(&s);
    st = record_over(plat, &s, false, now, message && *message ? message : "failed", err);
    dlo_state_free(&s);
    return st;
}

/* Whether this run may record a state, and then err and s (if given) ready for it. */
static bool may_record(const dlo_platform *plat, dlo_state *s, dlo_error *err)
{
    if (!plat->write_values || !plat->is_elevated || !plat->is_elevated(plat->ctx))
        return false;
    dlo_error_clear(err);
    if (s)
        dlo_state_init(s);
    return true;
}

/* Records s once computed (st), then frees it. */
static void note(const dlo_platform *plat, dlo_state *s, dlo_status st, bool firewall_changed,
                 dlo_error *err)
{
    if (!st)
        st = dlo_state_record(plat, s, firewall_changed, (int64_t)time(NULL), err);
    if (st)
        dlo_log(DLO_LOG_WARN, "%s", err->msg);
    dlo_state_free(s);
}

void dlo_state_note_apply(const dlo_platform *plat, const dlo_fw_backend *fw, const dlo_plan *plan,
                          dlo_reconcile_report *rep, bool keep_unplanned)
{
    dlo_state s;
    dlo_error err;

    if (!may_record(plat, &s, &err))
        return;
    note(plat, &s, dlo_state_from_apply(&s, fw, plan, rep, keep_unplanned, &err), rep->writes > 0,
         &err);
}

void dlo_state_note_pass(const dlo_platform *plat, const dlo_fw_backend *fw, const dlo_plan *plan,
                         dlo_reconcile_report *rep, bool keep_unplanned, bool verify_only,
                         bool compliant, const char *drift_by)
{
    dlo_state s;
    dlo_error err;
    dlo_status st;

    if (!may_record(plat, &s, &err))
        return;
    st = verify_only ? dlo_state_from_verify(&s, plan, rep, compliant, &err)
                     : dlo_state_from_apply(&s, fw, plan, rep, keep_unplanned, &err);
    if (!st && drift_by)
        st = dlo_state_set_drift(&s, (int64_t)time(NULL), drift_by, &err);
    note(plat, &s, st, rep->writes > 0, &err);
}

void dlo_state_note_verify(const dlo_platform *plat, const dlo_plan *plan,
                           const dlo_reconcile_report *rep, bool compliant)
{
    dlo_state s;
    dlo_error err;

    if (!may_record(plat, &s, &err))
        return;
    note(plat, &s, dlo_state_from_verify(&s, plan, rep, compliant, &err), false, &err);
}

void dlo_state_note_failure(const dlo_platform *plat, const char *message)
{
    dlo_error err;

    if (!may_record(plat, NULL, &err))
        return;
    if (dlo_state_record_failure(plat, message, (int64_t)time(NULL), &err))
        dlo_log(DLO_LOG_WARN, "%s", err.msg);
}

void dlo_state_note_removed(const dlo_platform *plat)
{
    dlo_error err;

    if (!may_record(plat, NULL, &err))
        return;
    if (plat->write_values(plat->ctx, DLO_STATE_KEY, NULL, 0, true, &err))
        dlo_log(DLO_LOG_WARN, "cannot delete HKLM\\%s: %s", DLO_STATE_KEY, err.msg);
}
