/* The reports of /plan, /apply, /verify and /remove, in text and JSON: what the planner and the
 * reconcile engine computed, as people and compliance tools read it. The engine returns the
 * plan and the report; only this file decides how they read. */
#include "dlo/report.h"

#include "dlo/exposure.h"

#include <stdio.h>
#include <string.h>

static void list_json(dlo_buf *b, const char *csv)
{
    const char *p = csv;
    bool first = true;
    dlo_buf_putc(b, '[');
    while (p && *p) {
        size_t n = strcspn(p, ",");
        char item[128];
        snprintf(item, sizeof(item), "%.*s", (int)(n < sizeof(item) ? n : sizeof(item) - 1), p);
        if (!first)
            dlo_buf_puts(b, ", ");
        dlo_buf_json_str(b, item);
        first = false;
        p += n + (p[n] == ',');
    }
    dlo_buf_putc(b, ']');
}

/* The properties at places from..to of the rule's JSON object (dlo_prop.json_pos). */
static void props_json(dlo_buf *b, const dlo_rule *r, int from, int to)
{
    int pos;
    size_t i;
    for (pos = from; pos < to; pos++) {
        for (i = 0; i < DLO_PROP_COUNT; i++) {
            if (dlo_props[i].json_pos != pos)
                continue;
            dlo_buf_printf(b, ", \"%s\": ", dlo_props[i].name);
            dlo_prop_json(b, &dlo_props[i], r);
        }
    }
}

/* "null" for an unset text, else the text as a JSON string. */
static void json_str_or_null(dlo_buf *b, const char *s)
{
    if (s && *s)
        dlo_buf_json_str(b, s);
    else
        dlo_buf_puts(b, "null");
}

/* The program and service a rule is bound to (null when unbound), and why. */
static void binding_json(dlo_buf *b, const dlo_rule *r)
{
    const char *const names[] = {"application", "service", "binding_evidence"};
    const char *const values[] = {r->application, r->service, r->binding};
    size_t i;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        dlo_buf_printf(b, ", \"%s\": ", names[i]);
        json_str_or_null(b, values[i]);
    }
}

static void rule_json(dlo_buf *b, const dlo_rule *r)
{
    dlo_buf_puts(b, "{\"name\": ");
    dlo_buf_json_str(b, dlo_str(r->name));
    props_json(b, r, 1, DLO_PROP_JSON_TAIL);
    dlo_buf_puts(b, ", \"local_roles\": ");
    dlo_roles_json(b, r->local_roles);
    dlo_buf_puts(b, ", \"peers\": ");
    dlo_roles_json(b, r->peers);
    dlo_buf_puts(b, ", \"rows\": ");
    list_json(b, r->rows);
    dlo_buf_json_member(b, "grouping", dlo_str(r->grouping));
    binding_json(b, r);
    props_json(b, r, DLO_PROP_JSON_TAIL, DLO_PROP_JSON_TAIL + DLO_PROP_COUNT);
    dlo_buf_putc(b, '}');
}

/* Which program a rule lets be reached: what Windows matches, for people. */
static void program_text(dlo_buf *b, const dlo_rule *r)
{
    const char *app = dlo_str(r->application), *svc = dlo_str(r->service);
    if (*svc)
        dlo_buf_printf(b, *app ? "service %s (%s)" : "service %s", svc, app);
    else if (*app)
        dlo_buf_printf(b, "program %s", app);
    else if (r->keep_binding)
        dlo_buf_puts(b, "the program its rule names in the firewall, else any");
    else
        dlo_buf_puts(b, "any program");
}

static void exposure_json(dlo_buf *b, const dlo_rule_list *rules)
{
    size_t i;
    bool first = true;
    dlo_buf_puts(b, ", \"exposure\": [");
    for (i = 0; i < rules->count; i++) {
        const dlo_rule *r = &rules->items[i];
        if (r->direction != DLO_DIR_IN)
            continue;
        dlo_buf_puts(b, first ? "\n  {\"name\": " : ",\n  {\"name\": ");
        first = false;
        dlo_buf_json_str(b, dlo_str(r->name));
        dlo_buf_json_member(b, "protocol", dlo_protocol_name(r->protocol));
        dlo_buf_json_member(b, "ports", dlo_str(r->local_ports));
        dlo_buf_puts(b, ", \"profiles\": [");
        dlo_profiles_json(b, r->profiles);
        dlo_buf_puts(b, "], \"remote_addresses\": ");
        dlo_prop_json(b, dlo_prop_find(DLO_PROP_REMOTE_ADDRESSES), r);
        dlo_buf_puts(b, ", \"application\": ");
        json_str_or_null(b, r->application);
        dlo_buf_puts(b, ", \"service\": ");
        json_str_or_null(b, r->service);
        dlo_buf_putc(b, '}');
    }
    dlo_buf_puts(b, first ? "]" : "\n]");
}

static void unscoped_json(dlo_buf *b, const dlo_rule_list *rules, const dlo_config *cfg)
{
    size_t i, k;
    bool first = true;
    dlo_buf msg;
    dlo_buf_init(&msg);
    dlo_buf_puts(b, ", \"warnings\": [");
    for (i = 0; i < rules->count; i++) {
        const dlo_rule *r = &rules->items[i];
        dlo_unscoped u;
        if (!dlo_exposure_unscoped(r, cfg, &u))
            continue;
        dlo_buf_puts(b, first ? "\n  {\"kind\": \"unscoped\", \"rule\": "
                              : ",\n  {\"kind\": \"unscoped\", \"rule\": ");
        first = false;
        dlo_buf_json_str(b, dlo_str(r->name));
        dlo_buf_puts(b, ", \"profiles\": [");
        dlo_profiles_json(b, u.profiles);
        dlo_buf_puts(b, "], \"values\": [");
        for (k = 0; k < u.n_values; k++) {
            if (k)
                dlo_buf_puts(b, ", ");
            dlo_buf_json_str(b, dlo_config_item_name(u.values[k]));
        }
        dlo_buf_putc(b, ']');
        dlo_buf_reset(&msg);
        dlo_exposure_text(&msg, r, &u);
        dlo_buf_json_member(b, "message", dlo_buf_str(&msg));
        dlo_buf_putc(b, '}');
    }
    dlo_buf_puts(b, first ? "]" : "\n]");
    if (dlo_buf_status(&msg))
        b->failed = true;
    dlo_buf_free(&msg);
}

/* ClosePushPortsWhenInstalled's decisions; nothing when it is off. */
static void windows_json(dlo_buf *b, const dlo_plan *plan)
{
    size_t i, j;
    if (!plan->close_when_detected)
        return;
    dlo_buf_puts(b, ", \"until_detected\": [");
    for (i = 0; i < plan->n_windows; i++) {
        const dlo_plan_window *w = &plan->windows[i];
        dlo_buf_puts(b, i ? ", {\"row\": " : "{\"row\": ");
        dlo_buf_json_str(b, w->row);
        dlo_buf_json_member(b, "role", dlo_role_name(w->role));
        dlo_buf_printf(b, ", \"closed\": %s", w->closed ? "true" : "false");
        dlo_buf_json_member(b, "reason", dlo_str(w->reason));
        dlo_buf_puts(b, ", \"left_out\": [");
        for (j = 0; j < w->names.count; j++) {
            dlo_buf_puts(b, j ? ", " : "");
            dlo_buf_json_str(b, w->names.items[j]);
        }
        dlo_buf_puts(b, "]}");
    }
    dlo_buf_putc(b, ']');
}

static void windows_text(dlo_buf *b, const dlo_plan *plan)
{
    size_t i;
    for (i = 0; i < plan->n_windows; i++) {
        const dlo_plan_window *w = &plan->windows[i];
        dlo_buf_printf(b, "%sRow %s, inbound on %s: %s\n", i ? "" : "\n", w->row,
                       dlo_role_name(w->role), dlo_str(w->reason));
    }
}

void dlo_report_plan_json(dlo_buf *b, const dlo_plan *plan, const dlo_config *cfg)
{
    size_t i;
    dlo_buf_printf(b, "{\"mode\": \"%s\", \"roles\": ", dlo_mode_name(plan->mode));
    dlo_roles_json(b, plan->roles);
    dlo_buf_json_member(b, "policy", dlo_str(plan->release));
    if (plan->roles_source)
        dlo_buf_json_member(b, "roles_source", plan->roles_source);
    if (plan->mode_source)
        dlo_buf_json_member(b, "mode_source", plan->mode_source);
    dlo_buf_json_member(b, "sql_ports", plan->sql_ports);
    dlo_report_names_json(b, plan->names);
    dlo_buf_puts(b, ", \"rules\": [");
    for (i = 0; i < plan->rules.count; i++) {
        dlo_buf_puts(b, i ? ",\n  " : "\n  ");
        rule_json(b, &plan->rules.items[i]);
    }
    dlo_buf_puts(b, plan->rules.count ? "\n]" : "]");
    exposure_json(b, &plan->rules);
    unscoped_json(b, &plan->rules, cfg);
    windows_json(b, plan);
    dlo_buf_puts(b, "}\n");
}

/* One line per inbound rule: what it opens, where, to whom, for which program; then the
 * unscoped findings. */
static void exposure_text(dlo_buf *b, const dlo_rule_list *rules, const dlo_config *cfg)
{
    size_t i, inbound = 0;
    dlo_buf_puts(b, "\nExposure (inbound: profiles, remote addresses, program):\n");
    for (i = 0; i < rules->count; i++) {
        const dlo_rule *r = &rules->items[i];
        if (r->direction != DLO_DIR_IN)
            continue;
        inbound++;
        dlo_buf_printf(b, "  %s %s on ", dlo_protocol_name(r->protocol), dlo_str(r->local_ports));
        dlo_profiles_text(b, r->profiles);
        dlo_buf_puts(b, " from ");
        dlo_prop_format(b, dlo_prop_find(DLO_PROP_REMOTE_ADDRESSES), r);
        dlo_buf_puts(b, ", ");
        program_text(b, r);
        dlo_buf_printf(b, ": %s\n", dlo_str(r->name));
    }
    if (!inbound)
        dlo_buf_puts(b, "  no inbound rule\n");
    for (i = 0; i < rules->count; i++) {
        dlo_unscoped u;
        if (!dlo_exposure_unscoped(&rules->items[i], cfg, &u))
            continue;
        dlo_buf_puts(b, "warning unscoped: ");
        dlo_exposure_text(b, &rules->items[i], &u);
        dlo_buf_putc(b, '\n');
    }
}

void dlo_report_plan_text(dlo_buf *b, const dlo_plan *plan, const dlo_config *cfg)
{
    size_t i;
    dlo_buf_printf(b, "Plan: %s, %s", dlo_str(plan->release), dlo_mode_title(plan->mode));
    if (plan->mode_source)
        dlo_buf_printf(b, " (%s)", plan->mode_source);
    dlo_buf_puts(b, ", roles: ");
    if (plan->roles)
        dlo_roles_format(b, plan->roles);
    else
        dlo_buf_puts(b, "(none)");
    if (plan->roles_source)
        dlo_buf_printf(b, " (%s)", plan->roles_source);
    dlo_buf_printf(b, ", SQL Server port %s\n%zu rule%s\n", plan->sql_ports, plan->rules.count,
                   plan->rules.count == 1 ? "" : "s");
    windows_text(b, plan);
    dlo_report_names_text(b, plan->names);
    if (!plan->rules.count)
        return;
    dlo_buf_puts(b, "\nDir  Proto Ports                          Profiles               "
                    "Remote addresses     Name\n");
    for (i = 0; i < plan->rules.count; i++) {
        const dlo_rule *r = &plan->rules.items[i];
        dlo_buf prof;
        dlo_buf_init(&prof);
        dlo_profiles_text(&prof, r->profiles);
        dlo_buf_pad(b, dlo_direction_name(r->direction), 5);
        dlo_buf_pad(b, dlo_protocol_name(r->protocol), 6);
        dlo_buf_pad(b, r->direction == DLO_DIR_IN ? r->local_ports : r->remote_ports, 31);
        dlo_buf_pad(b, dlo_buf_str(&prof), 23);
        dlo_buf_pad(b, dlo_str(r->remote_addresses), 21);
        dlo_buf_printf(b, "%s\n", r->name);
        dlo_buf_printf(b, "     rows: %s; peers: ", r->rows);
        dlo_roles_format(b, r->peers);
        dlo_buf_putc(b, '\n');
        if (r->direction == DLO_DIR_IN && r->binding)
            dlo_buf_printf(b, "     %s\n", r->binding);
        dlo_buf_free(&prof);
    }
    exposure_text(b, &plan->rules, cfg);
}

static const char *stale_text(dlo_stale_reason r)
{
    return r == DLO_STALE_DUPLICATE ? "duplicate" : "not-planned";
}

static size_t count_kind(const dlo_reconcile_report *rep, dlo_change_kind k, size_t upto)
{
    size_t i, n = 0;
    for (i = 0; i < upto; i++)
        if (rep->diff.items[i].kind == k)
            n++;
    return n;
}

/* Replacements (an ADD and a REMOVE for one name because direction or protocol changed) read
 * as one update for people; the JSON lists both. */
static void differences_text(dlo_buf *b, const dlo_change *c)
{
    size_t i;
    bool first = true;
    for (i = 0; i < DLO_PROP_COUNT; i++) {
        unsigned bit = dlo_props[i].bit;
        if (!(c->differences & bit))
            continue;
        dlo_buf_printf(b, "%s%s is \"", first ? "" : "; ", dlo_prop_name(bit));
        dlo_prop_value(b, c->have, bit);
        dlo_buf_puts(b, "\", expected \"");
        dlo_prop_value(b, c->want, bit);
        dlo_buf_putc(b, '"');
        first = false;
    }
}

static void differences_json(dlo_buf *b, const dlo_change *c)
{
    size_t i;
    bool first = true;
    dlo_buf_putc(b, '[');
    for (i = 0; i < DLO_PROP_COUNT; i++) {
        unsigned bit = dlo_props[i].bit;
        dlo_buf val;
        if (!(c->differences & bit))
            continue;
        dlo_buf_init(&val);
        dlo_buf_printf(b, "%s{\"property\": \"%s\"", first ? "" : ", ", dlo_prop_name(bit));
        dlo_prop_value(&val, c->want, bit);
        dlo_buf_json_member(b, "expected", dlo_buf_str(&val));
        dlo_buf_reset(&val);
        if (c->have)
            dlo_prop_value(&val, c->have, bit);
        dlo_buf_json_member(b, "actual", dlo_buf_str(&val));
        dlo_buf_putc(b, '}');
        dlo_buf_free(&val);
        first = false;
    }
    dlo_buf_putc(b, ']');
}

/* One line per change: what /apply did, or what /verify found, in the words given. */
static void list_changes(dlo_buf *b, const dlo_reconcile_report *rep, size_t n, const char *add,
                         const char *update, const char *remove)
{
    size_t i;
    for (i = 0; i < n; i++) {
        const dlo_change *c = &rep->diff.items[i];
        switch (c->kind) {
        case DLO_CHANGE_ADD:
            dlo_buf_printf(b, "  %s %s\n", add, c->want->name);
            break;
        case DLO_CHANGE_UPDATE:
            dlo_buf_printf(b, "  %s %s: ", update, c->want->name);
            differences_text(b, c);
            dlo_buf_putc(b, '\n');
            break;
        case DLO_CHANGE_REMOVE:
            dlo_buf_printf(b, "  %s %s (%s)\n", remove, dlo_str(c->have->name),
                           stale_text(c->reason));
            break;
        }
    }
}

void dlo_report_apply_text(dlo_buf *b, const dlo_reconcile_report *rep)
{
    size_t n = rep->applied;
    dlo_buf_printf(b,
                   "%zu added, %zu updated, %zu removed, %zu already right (%zu firewall "
                   "writes)\n",
                   count_kind(rep, DLO_CHANGE_ADD, n), count_kind(rep, DLO_CHANGE_UPDATE, n),
                   count_kind(rep, DLO_CHANGE_REMOVE, n), rep->diff.compliant, rep->writes);
    if (rep->cautious)
        dlo_buf_printf(b,
                       "detection could not read everything, or a value fell back to a default: "
                       "no rule was narrowed or removed (%zu kept wider than planned, %zu "
                       "removals withheld)\n",
                       rep->widened, rep->withheld);
    list_changes(b, rep, n, "added   ", "updated ", "removed ");
}

static void names_json(dlo_buf *b, const dlo_reconcile_report *rep, size_t upto,
                       dlo_change_kind kind)
{
    size_t i;
    bool first = true;
    dlo_buf_putc(b, '[');
    for (i = 0; i < upto; i++) {
        const dlo_change *c = &rep->diff.items[i];
        if (c->kind != kind)
            continue;
        dlo_buf_puts(b, first ? "{\"name\": " : ", {\"name\": ");
        first = false;
        dlo_buf_json_str(b, dlo_str(kind == DLO_CHANGE_REMOVE ? c->have->name : c->want->name));
        if (kind == DLO_CHANGE_UPDATE) {
            dlo_buf_puts(b, ", \"differences\": ");
            differences_json(b, c);
        } else if (kind == DLO_CHANGE_REMOVE) {
            dlo_buf_json_member(b, "reason", stale_text(c->reason));
        }
        if (i < rep->n_changed_by && rep->changed_by[i])
            dlo_buf_json_member(b, "changed_by", rep->changed_by[i]);
        dlo_buf_putc(b, '}');
    }
    dlo_buf_putc(b, ']');
}

void dlo_report_apply_json(dlo_buf *b, const dlo_reconcile_report *rep, const char *error)
{
    dlo_buf_printf(b, "{\"ok\": %s, \"added\": ", error ? "false" : "true");
    names_json(b, rep, rep->applied, DLO_CHANGE_ADD);
    dlo_buf_puts(b, ", \"updated\": ");
    names_json(b, rep, rep->applied, DLO_CHANGE_UPDATE);
    dlo_buf_puts(b, ", \"removed\": ");
    names_json(b, rep, rep->applied, DLO_CHANGE_REMOVE);
    dlo_buf_printf(b,
                   ", \"unchanged\": %zu, \"writes\": %zu, \"rolled_back\": %s, "
                   "\"rollback_failed\": %s, \"error\": ",
                   rep->diff.compliant, rep->writes, rep->rolled_back ? "true" : "false",
                   rep->rollback_failed ? "true" : "false");
    if (error)
        dlo_buf_json_str(b, error);
    else
        dlo_buf_puts(b, "null");
    dlo_buf_puts(b, "}\n");
}

static void problems_text(dlo_buf *b, const char *title, const dlo_problem *p, size_t n)
{
    size_t i;
    /* One line each, whatever a foreign rule's name holds. */
    for (i = 0; i < n; i++) {
        dlo_buf_printf(b, "  %s %s: ", title, p[i].kind);
        dlo_buf_put_shown(b, p[i].message, strlen(p[i].message), false);
        dlo_buf_putc(b, '\n');
    }
}

static void problems_json(dlo_buf *b, const dlo_problem *p, size_t n)
{
    size_t i;
    dlo_buf_putc(b, '[');
    for (i = 0; i < n; i++) {
        dlo_buf_puts(b, i ? ", {\"kind\": " : "{\"kind\": ");
        dlo_buf_json_str(b, p[i].kind);
        dlo_buf_json_member(b, "message", p[i].message);
        if (p[i].settings) {
            dlo_buf_puts(b, ", \"settings\": ");
            dlo_buf_json_list(b, p[i].settings);
        }
        dlo_buf_putc(b, '}');
    }
    dlo_buf_putc(b, ']');
}

void dlo_report_verify_text(dlo_buf *b, const dlo_reconcile_report *rep, bool compliant)
{
    size_t n = rep->diff.count;
    if (compliant) {
        if (rep->note)
            dlo_buf_printf(b, "COMPLIANT: %s\n", rep->note);
        else
            dlo_buf_printf(b, "COMPLIANT: all %zu planned rules are present and as planned.\n",
                           rep->planned);
        problems_text(b, "warning ", rep->warnings, rep->n_warnings);
        return;
    }
    /* Every rule right and no problem: it is /strict that counts the warnings. */
    dlo_buf_printf(b,
                   "NOT COMPLIANT: %zu of %zu planned rules right; %zu missing, %zu drifted, %zu "
                   "stale; %zu problem%s%s\n",
                   rep->diff.compliant, rep->planned, count_kind(rep, DLO_CHANGE_ADD, n),
                   count_kind(rep, DLO_CHANGE_UPDATE, n), count_kind(rep, DLO_CHANGE_REMOVE, n),
                   rep->n_problems, rep->n_problems == 1 ? "" : "s",
                   !n && !rep->n_problems && rep->n_warnings ? "; with /strict every warning counts"
                                                             : "");
    list_changes(b, rep, n, "missing ", "drifted ", "stale   ");
    problems_text(b, "problem ", rep->problems, rep->n_problems);
    problems_text(b, "warning ", rep->warnings, rep->n_warnings);
    if (rep->note)
        dlo_buf_printf(b, "  note     %s\n", rep->note);
}

void dlo_report_verify_json(dlo_buf *b, const dlo_reconcile_report *rep, bool compliant)
{
    size_t i, n = rep->diff.count;
    dlo_buf_printf(b, "{\"compliant\": %s, \"planned\": %zu, \"right\": %zu, \"missing\": ",
                   compliant ? "true" : "false", rep->planned, rep->diff.compliant);
    names_json(b, rep, n, DLO_CHANGE_ADD);
    dlo_buf_puts(b, ", \"drifted\": ");
    names_json(b, rep, n, DLO_CHANGE_UPDATE);
    dlo_buf_puts(b, ", \"stale\": ");
    names_json(b, rep, n, DLO_CHANGE_REMOVE);
    dlo_buf_puts(b, ", \"problems\": ");
    problems_json(b, rep->problems, rep->n_problems);
    if (rep->sources && rep->plan) {
        dlo_buf_puts(b, ", \"warnings\": ");
        problems_json(b, rep->warnings, rep->n_warnings);
        dlo_buf_puts(b, ", \"rules\": [");
        for (i = 0; i < rep->planned; i++) {
            dlo_buf_puts(b, i ? ", {\"name\": " : "{\"name\": ");
            dlo_buf_json_str(b, dlo_str(rep->plan->items[i].name));
            dlo_buf_puts(b, ", \"source\": ");
            if (rep->sources[i])
                dlo_buf_json_str(b, rep->sources[i]);
            else
                dlo_buf_puts(b, "null");
            dlo_buf_putc(b, '}');
        }
        dlo_buf_putc(b, ']');
        if (rep->note)
            dlo_buf_json_member(b, "note", rep->note);
    }
    dlo_buf_puts(b, "}\n");
}
