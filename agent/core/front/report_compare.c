/* The reports of /plan /compare:FILE and /matrix /compare:FILE, in text and JSON: what the
 * engine's comparison (dlo/compare.h) found, one line per difference. */
#include "dlo/report.h"

#include "dlo/str.h"

#include <string.h>

static const char *const kind_names[] = {"opens",   "closes",  "widens",
                                         "narrows", "changes", "not-stated"};

static const dlo_rule *item_rule(const dlo_cmp_item *it)
{
    return it->now ? it->now : it->was;
}

/* A property's value for people; an unset program or service is "(none)": any program. */
static void value_text(dlo_buf *b, const dlo_prop *p, const dlo_rule *r)
{
    size_t before = b->len;
    if ((p->bit & (DLO_PROP_APPLICATION | DLO_PROP_SERVICE)) && r->keep_binding &&
        !*dlo_str(dlo_prop_text(r, p))) {
        dlo_buf_puts(b, "(as the firewall has it)");
        return;
    }
    dlo_prop_format(b, p, r);
    if (b->len == before)
        dlo_buf_puts(b, "(none)");
}

/* "in tcp 443 on All from *, program X": what a rule opens. */
static void rule_summary(dlo_buf *b, const dlo_rule *r)
{
    dlo_buf_printf(b, "%s %s ", dlo_direction_name(r->direction), dlo_protocol_name(r->protocol));
    value_text(
        b, dlo_prop_find(r->direction == DLO_DIR_IN ? DLO_PROP_LOCAL_PORTS : DLO_PROP_REMOTE_PORTS),
        r);
    dlo_buf_puts(b, " on ");
    dlo_profiles_text(b, r->profiles);
    dlo_buf_puts(b, " from ");
    value_text(b, dlo_prop_find(DLO_PROP_REMOTE_ADDRESSES), r);
    if (r->application && *r->application)
        dlo_buf_printf(b, ", program %s", r->application);
    if (r->service && *r->service)
        dlo_buf_printf(b, ", service %s", r->service);
}

/* What exactly was added or dropped: ports or profiles. */
static bool delta_text(dlo_buf *b, const dlo_cmp_item *it)
{
    if (it->prop->type == DLO_PT_PORTS) {
        if (it->delta.any)
            dlo_buf_puts(b, "every port");
        else
            dlo_portset_format(b, &it->delta);
        return true;
    }
    if (it->prop->type == DLO_PT_PROFILES) {
        dlo_profiles_text(b, it->bits);
        return true;
    }
    return false;
}

/* The line for one difference, without its kind. */
static void item_message(dlo_buf *b, const dlo_cmp_item *it)
{
    const dlo_rule *r = item_rule(it);
    if (!it->prop) {
        rule_summary(b, r);
        dlo_buf_printf(b, ": %s", dlo_str(r->name));
        return;
    }
    dlo_buf_printf(b, "%s: %s ", dlo_str(r->name), it->prop->name);
    if (it->kind == DLO_CMP_NOT_STATED) {
        dlo_buf_puts(b, "(was not stated, now ");
        value_text(b, it->prop, it->now);
        dlo_buf_puts(b, ")");
        return;
    }
    if ((it->kind == DLO_CMP_WIDENS || it->kind == DLO_CMP_NARROWS) &&
        (it->prop->type == DLO_PT_PORTS || it->prop->type == DLO_PT_PROFILES)) {
        dlo_buf_puts(b, it->kind == DLO_CMP_WIDENS ? "adds " : "drops ");
        delta_text(b, it);
        dlo_buf_putc(b, ' ');
    }
    dlo_buf_puts(b, "(was ");
    value_text(b, it->prop, it->was);
    dlo_buf_puts(b, ", now ");
    value_text(b, it->prop, it->now);
    dlo_buf_putc(b, ')');
}

/* The rows a rule exists for, where the planner said (the matrix comparison). */
static void rows_text(dlo_buf *b, const dlo_cmp_item *it)
{
    const dlo_rule *r = item_rule(it);
    if (r->rows && *r->rows)
        dlo_buf_printf(b, " [rows: %s]", r->rows);
}

static void items_text(dlo_buf *b, const dlo_comparison *c, const char *indent, bool rows)
{
    size_t i;
    for (i = 0; i < c->count; i++) {
        const dlo_cmp_item *it = &c->items[i];
        if (it->kind == DLO_CMP_NOT_STATED)
            continue;
        dlo_buf_puts(b, indent);
        dlo_buf_pad(b, kind_names[it->kind], 9);
        item_message(b, it);
        if (rows)
            rows_text(b, it);
        dlo_buf_putc(b, '\n');
    }
}

/* The properties some rule's earlier side does not state, each once with how many rules. */
static void not_stated_text(dlo_buf *b, const dlo_comparison *c, const char *file)
{
    size_t i, k, n;
    for (i = 0; i < DLO_PROP_COUNT; i++) {
        for (k = 0, n = 0; k < c->count; k++)
            n += c->items[k].kind == DLO_CMP_NOT_STATED && c->items[k].prop == &dlo_props[i];
        if (n)
            dlo_buf_printf(b,
                           "not-stated %s: %s does not state it for %zu rule%s (a plan saved by "
                           "an older version): not compared, neither wider nor narrower\n",
                           dlo_props[i].name, file, n, n == 1 ? "" : "s");
    }
}

static void counts_text(dlo_buf *b, const dlo_comparison *c)
{
    size_t k;
    bool first = true;
    for (k = 0; k < sizeof(kind_names) / sizeof(kind_names[0]); k++) {
        size_t n = dlo_comparison_count(c, (dlo_cmp_kind)k);
        if (n)
            dlo_buf_printf(b, "%s%zu %s", first ? "" : ", ", n, kind_names[k]);
        first = first && !n;
    }
    dlo_buf_puts(b, first ? "nothing differs\n" : "\n");
}

static void side_text(dlo_buf *b, const char *policy, const char *mode, const char *roles)
{
    dlo_buf_printf(b, "%s, %s, roles: %s", policy ? policy : "(policy not stated)",
                   mode ? mode : "(mode not stated)", roles ? roles : "(not stated)");
}

void dlo_report_compare_plan_text(dlo_buf *b, const char *file, const dlo_saved_plan *was,
                                  const dlo_plan *now, const dlo_comparison *c)
{
    dlo_buf roles;
    dlo_buf_init(&roles);
    dlo_roles_format(&roles, now->roles);
    dlo_buf_printf(b, "Compare: %s (", file);
    side_text(b, was->policy, was->mode, was->roles);
    dlo_buf_puts(b, ")\n   with: this plan (");
    side_text(b, now->release, dlo_mode_name(now->mode), dlo_buf_str(&roles));
    dlo_buf_puts(b, ")\n");
    counts_text(b, c);
    items_text(b, c, "", false);
    not_stated_text(b, c, file);
    if (dlo_buf_status(&roles))
        b->failed = true;
    dlo_buf_free(&roles);
}

static void value_json(dlo_buf *b, const dlo_cmp_item *it, const dlo_rule *r)
{
    if (!it->prop || !r)
        dlo_buf_puts(b, "null");
    else
        dlo_prop_json(b, it->prop, r);
}

static void delta_json(dlo_buf *b, const dlo_cmp_item *it)
{
    dlo_buf text;
    dlo_buf_init(&text);
    if (it->prop && (it->kind == DLO_CMP_WIDENS || it->kind == DLO_CMP_NARROWS) &&
        delta_text(&text, it))
        dlo_buf_json_str(b, dlo_buf_str(&text));
    else
        dlo_buf_puts(b, "null");
    if (dlo_buf_status(&text))
        b->failed = true;
    dlo_buf_free(&text);
}

static void item_json(dlo_buf *b, const dlo_cmp_item *it)
{
    const dlo_rule *r = item_rule(it);
    dlo_buf msg;
    dlo_buf_init(&msg);
    item_message(&msg, it);
    dlo_buf_printf(b, "{\"kind\": \"%s\", \"rule\": ", kind_names[it->kind]);
    dlo_buf_json_str(b, dlo_str(r->name));
    dlo_buf_json_member(b, "direction", dlo_direction_name(r->direction));
    dlo_buf_json_member(b, "protocol", dlo_protocol_name(r->protocol));
    dlo_buf_puts(b, ", \"property\": ");
    if (it->prop)
        dlo_buf_json_str(b, it->prop->name);
    else
        dlo_buf_puts(b, "null");
    dlo_buf_puts(b, ", \"was\": ");
    value_json(b, it, it->kind == DLO_CMP_NOT_STATED ? NULL : it->was);
    dlo_buf_puts(b, ", \"now\": ");
    value_json(b, it, it->now);
    dlo_buf_puts(b, ", \"delta\": ");
    delta_json(b, it);
    dlo_buf_puts(b, ", \"rows\": ");
    dlo_buf_json_list(b, dlo_str(r->rows));
    dlo_buf_json_member(b, "message", dlo_buf_str(&msg));
    dlo_buf_putc(b, '}');
    if (dlo_buf_status(&msg))
        b->failed = true;
    dlo_buf_free(&msg);
}

static void items_json(dlo_buf *b, const dlo_comparison *c, const char *indent)
{
    size_t i;
    dlo_buf_puts(b, "[");
    for (i = 0; i < c->count; i++) {
        dlo_buf_printf(b, "%s\n%s", i ? "," : "", indent);
        item_json(b, &c->items[i]);
    }
    if (c->count)
        dlo_buf_printf(b, "\n%.*s", (int)(strlen(indent) - 2), indent);
    dlo_buf_putc(b, ']');
}

static void counts_json(dlo_buf *b, const dlo_comparison *c)
{
    size_t k;
    dlo_buf_puts(b, "{");
    for (k = 0; k < sizeof(kind_names) / sizeof(kind_names[0]); k++)
        dlo_buf_printf(b, "%s\"%s\": %zu", k ? ", " : "", kind_names[k],
                       dlo_comparison_count(c, (dlo_cmp_kind)k));
    dlo_buf_puts(b, "}");
}

static void text_or_null(dlo_buf *b, const char *key, const char *value)
{
    dlo_buf_printf(b, "\"%s\": ", key);
    if (value)
        dlo_buf_json_str(b, value);
    else
        dlo_buf_puts(b, "null");
}

void dlo_report_compare_plan_json(dlo_buf *b, const char *file, const dlo_saved_plan *was,
                                  const dlo_plan *now, const dlo_comparison *c)
{
    dlo_buf_puts(b, "{\"compare\": ");
    dlo_buf_json_str(b, file);
    dlo_buf_printf(b, ", \"differs\": %s, \"was\": {", c->count ? "true" : "false");
    text_or_null(b, "policy", was->policy);
    dlo_buf_puts(b, ", ");
    text_or_null(b, "mode", was->mode);
    dlo_buf_puts(b, ", \"roles\": ");
    if (was->roles)
        dlo_buf_json_list(b, was->roles);
    else
        dlo_buf_puts(b, "null");
    dlo_buf_puts(b, "}, \"now\": {");
    text_or_null(b, "policy", now->release);
    dlo_buf_json_member(b, "mode", dlo_mode_name(now->mode));
    dlo_buf_puts(b, ", \"roles\": ");
    dlo_roles_json(b, now->roles);
    dlo_buf_puts(b, "}, \"counts\": ");
    counts_json(b, c);
    dlo_buf_puts(b, ", \"changes\": ");
    items_json(b, c, "  ");
    dlo_buf_puts(b, "}\n");
}

void dlo_report_compare_matrix_text(dlo_buf *b, const char *file, const dlo_policy *was,
                                    const dlo_policy *now, const dlo_matrix_comparison *m)
{
    size_t i;
    dlo_buf_printf(b, "Compare: the port matrix in use (%s)\n   with: %s (%s)\n",
                   dlo_str(was->release), file, dlo_str(now->release));
    if (!m->count)
        dlo_buf_puts(b, "nothing differs for any role in any mode\n");
    for (i = 0; i < m->count; i++) {
        const dlo_matrix_diff *d = &m->groups[i];
        dlo_buf_printf(b, "\n%s, %s: ", dlo_mode_name(d->mode), dlo_role_name(d->role));
        counts_text(b, &d->cmp);
        items_text(b, &d->cmp, "  ", true);
    }
}

void dlo_report_compare_matrix_json(dlo_buf *b, const char *file, const dlo_policy *was,
                                    const dlo_policy *now, const dlo_matrix_comparison *m)
{
    size_t i;
    dlo_buf_puts(b, "{\"compare\": ");
    dlo_buf_json_str(b, file);
    dlo_buf_printf(b, ", \"differs\": %s", m->count ? "true" : "false");
    dlo_buf_json_member(b, "in_use", dlo_str(was->release));
    dlo_buf_json_member(b, "file", dlo_str(now->release));
    dlo_buf_puts(b, ", \"groups\": [");
    for (i = 0; i < m->count; i++) {
        const dlo_matrix_diff *d = &m->groups[i];
        dlo_buf_printf(b, "%s\n  {\"mode\": \"%s\", \"role\": \"%s\", \"counts\": ", i ? "," : "",
                       dlo_mode_name(d->mode), dlo_role_name(d->role));
        counts_json(b, &d->cmp);
        dlo_buf_puts(b, ", \"changes\": ");
        items_json(b, &d->cmp, "    ");
        dlo_buf_putc(b, '}');
    }
    dlo_buf_puts(b, m->count ? "\n]}\n" : "]}\n");
}
