#include "dlo/report.h"
#include "dlo/names.h"

#include "dlo/addr.h"

#include "dlo/roles.h"
#include "dlo/rule.h"

#include <stdio.h>
#include <string.h>

/* ---- /detect ---- */

static void text_evidence(dlo_buf *b, const dlo_detect_evidence *e)
{
    switch (e->kind) {
    case DLO_DETECT_SERVICE:
    case DLO_DETECT_SERVICE_DISPLAY:
        dlo_buf_printf(b, "      service %s \"%s\" (%s)", e->subject, e->detail,
                       dlo_service_state_name(e->state));
        break;
    case DLO_DETECT_UNINSTALL:
        dlo_buf_printf(b, "      Uninstall entry %s \"%s\" (%s)", e->subject, e->detail,
                       dlo_reg_view_name(e->view));
        break;
    case DLO_DETECT_FILE:
        dlo_buf_printf(b, "      file %s", e->subject);
        break;
    case DLO_DETECT_REGFILE:
        dlo_buf_printf(b, "      file %s, from %s (%s)", e->subject, e->detail,
                       dlo_reg_view_name(e->view));
        break;
    case DLO_DETECT_SQL_INSTANCE:
        dlo_buf_printf(b, "      SQL Server service %s (%s): %s", e->subject,
                       dlo_service_state_name(e->state), e->detail);
        break;
    case DLO_DETECT_KIND_COUNT:
        break;
    }
    if (e->line)
        dlo_buf_printf(b, "  [line %u%s]", e->line, e->confirmed ? "" : ", unconfirmed");
    dlo_buf_putc(b, '\n');
}

static void text_role_items(dlo_buf *b, const dlo_detect_evidence_list *l, dlo_role role,
                            bool found)
{
    size_t i;
    for (i = 0; i < l->count; i++) {
        const dlo_detect_evidence *e = &l->items[i];
        if (e->role != role)
            continue;
        if (found) {
            text_evidence(b, e);
            continue;
        }
        dlo_buf_printf(b, "      %s", e->subject);
        if (e->line)
            dlo_buf_printf(b, "  [line %u%s]", e->line, e->confirmed ? "" : ", unconfirmed");
        dlo_buf_putc(b, '\n');
    }
}

static void text_roles(dlo_buf *b, const dlo_detect_result *r)
{
    dlo_role_set absent = r->looked_for & ~r->roles;
    dlo_role_set unknown = DLO_ROLE_ALL_MASK & ~r->looked_for;
    int role;

    dlo_buf_puts(b, "\nRoles found:\n");
    if (!r->roles)
        dlo_buf_puts(b, "  (none)\n");
    for (role = 0; role < DLO_ROLE_COUNT; role++) {
        if (!(r->roles & DLO_ROLE_BIT(role)))
            continue;
        dlo_buf_printf(b, "  %s (%s)\n", dlo_role_name(role), dlo_role_title(role));
        text_role_items(b, &r->found, role, true);
        if (role == DLO_ROLE_SQL_SERVER)
            dlo_buf_printf(b, "      TCP port %s (%s: %s)\n", r->sql.tcp_ports,
                           dlo_sql_port_source_name(r->sql.port_source), r->sql.port_origin);
    }
    dlo_buf_puts(b, "\nRoles looked for and not found:\n");
    if (!absent)
        dlo_buf_puts(b, "  (none)\n");
    for (role = 0; role < DLO_ROLE_COUNT; role++) {
        if (!(absent & DLO_ROLE_BIT(role)))
            continue;
        dlo_buf_printf(b, "  %s (%s), looked for:\n", dlo_role_name(role), dlo_role_title(role));
        text_role_items(b, &r->missed, role, false);
    }
    if (unknown) {
        dlo_buf_puts(b, "\nRoles not detectable (the table has no evidence for them): ");
        dlo_roles_format(b, unknown);
        dlo_buf_putc(b, '\n');
    }
}

static void text_sql(dlo_buf *b, const dlo_detect_sql *sql)
{
    size_t i;

    dlo_buf_puts(b, "\nSQL Server: ");
    if (sql->instances.count == 0)
        dlo_buf_puts(b, "no instance on this machine\n");
    for (i = 0; i < sql->instances.count; i++)
        dlo_buf_printf(b, "%s%s", i ? ", " : "instances ", sql->instances.items[i]);
    if (sql->instances.count)
        dlo_buf_printf(b, "; DLO's: %s\n", sql->instance ? sql->instance : "none");
    dlo_buf_printf(b, "SQL Server Browser (UDP 1434): %s\n",
                   sql->browser ? dlo_service_state_name(sql->browser_state) : "not installed");
}

/* Each candidate with the table line that would match it, so correcting the table is a copy. */
static void text_candidates(dlo_buf *b, const dlo_detect_candidate_list *l)
{
    size_t i;
    if (!l->count)
        return;
    dlo_buf_puts(b, "\nCandidates (their names mention DLO, but no entry of the table matched "
                    "them):\n");
    for (i = 0; i < l->count; i++) {
        const dlo_detect_candidate *c = &l->items[i];
        if (c->kind == DLO_DETECT_SERVICE)
            dlo_buf_printf(b, "  service %s (%s)\n", c->name, c->display_name);
        else
            dlo_buf_printf(b, "  Uninstall entry %s (%s): DisplayName %s\n", c->name,
                           dlo_reg_view_name(c->view), c->display_name);
        dlo_buf_printf(b, "      table line: %s\n", c->line);
    }
}

/* File evidence found and not counted: who could have planted it is in the reason. */
static void text_ignored(dlo_buf *b, const dlo_detect_evidence_list *l)
{
    size_t i;

    if (!l->count)
        return;
    dlo_buf_puts(b,
                 "\nEvidence ignored (not trusted: a non-administrator could have written it):\n");
    for (i = 0; i < l->count; i++) {
        const dlo_detect_evidence *e = &l->items[i];
        dlo_buf_printf(b, "  %s:\n", dlo_role_name(e->role));
        text_evidence(b, e);
        dlo_buf_printf(b, "      %s\n", e->reason ? e->reason : "");
    }
}

void dlo_report_detect_text(dlo_buf *b, const dlo_detect_result *r)
{
    size_t i;

    dlo_buf_printf(b, "Detection table: %s\n", r->table_source ? r->table_source : "");
    text_roles(b, r);
    text_ignored(b, &r->ignored);
    text_sql(b, &r->sql);
    text_candidates(b, &r->candidates);
    if (r->warnings.count) {
        dlo_buf_printf(b, "\nWarnings%s:\n",
                       r->partial ? " (some evidence could not be read: roles may be missing)"
                                  : "");
        for (i = 0; i < r->warnings.count; i++)
            dlo_buf_printf(b, "  %s\n", r->warnings.items[i]);
    }
}

/* `, "key": "value"`, or null for a value that is not there. */
static void json_key_str(dlo_buf *b, const char *key, const char *value)
{
    if (value)
        dlo_buf_json_member(b, key, value);
    else
        dlo_buf_printf(b, ", \"%s\": null", key);
}

static void json_evidence(dlo_buf *b, const dlo_detect_evidence *e, bool found)
{
    dlo_buf_puts(b, "{\"kind\": ");
    dlo_buf_json_str(b, dlo_detect_kind_name(e->kind));
    dlo_buf_printf(b, ", \"confirmed\": %s", e->confirmed ? "true" : "false");
    if (e->line)
        dlo_buf_printf(b, ", \"line\": %u", e->line);
    if (!found) {
        json_key_str(b, "looked_for", e->subject);
        dlo_buf_putc(b, '}');
        return;
    }
    switch (e->kind) {
    case DLO_DETECT_SERVICE:
    case DLO_DETECT_SERVICE_DISPLAY:
        json_key_str(b, "service", e->subject);
        json_key_str(b, "display_name", e->detail);
        json_key_str(b, "state", dlo_service_state_name(e->state));
        break;
    case DLO_DETECT_UNINSTALL:
        json_key_str(b, "key", e->subject);
        json_key_str(b, "display_name", e->detail);
        dlo_buf_printf(b, ", \"view\": %d", (int)e->view);
        break;
    case DLO_DETECT_FILE:
        json_key_str(b, "path", e->subject);
        break;
    case DLO_DETECT_REGFILE:
        json_key_str(b, "path", e->subject);
        json_key_str(b, "from", e->detail);
        dlo_buf_printf(b, ", \"view\": %d", (int)e->view);
        break;
    case DLO_DETECT_SQL_INSTANCE:
        json_key_str(b, "service", e->subject);
        json_key_str(b, "state", dlo_service_state_name(e->state));
        json_key_str(b, "reason", e->detail);
        break;
    case DLO_DETECT_KIND_COUNT:
        break;
    }
    dlo_buf_putc(b, '}');
}

static void json_role_items(dlo_buf *b, const dlo_detect_evidence_list *l, dlo_role role,
                            bool found)
{
    size_t i;
    bool first = true;

    dlo_buf_puts(b, found ? ", \"evidence\": [" : ", \"looked_for\": [");
    for (i = 0; i < l->count; i++) {
        if (l->items[i].role != role)
            continue;
        dlo_buf_puts(b, first ? "\n      " : ",\n      ");
        json_evidence(b, &l->items[i], found);
        first = false;
    }
    dlo_buf_puts(b, "]");
}

static void json_roles(dlo_buf *b, const dlo_detect_result *r)
{
    int role;
    bool first = true;

    dlo_buf_puts(b, ",\n \"roles\": [");
    for (role = 0; role < DLO_ROLE_COUNT; role++) {
        bool detected = (r->roles & DLO_ROLE_BIT(role)) != 0;
        if (!(r->looked_for & DLO_ROLE_BIT(role)))
            continue;
        dlo_buf_puts(b, first ? "\n  {\"role\": " : ",\n  {\"role\": ");
        dlo_buf_json_str(b, dlo_role_name(role));
        dlo_buf_printf(b, ", \"detected\": %s", detected ? "true" : "false");
        json_role_items(b, detected ? &r->found : &r->missed, role, detected);
        dlo_buf_putc(b, '}');
        first = false;
    }
    dlo_buf_putc(b, ']');
}

static void json_sql(dlo_buf *b, const dlo_detect_sql *sql)
{
    size_t i;

    dlo_buf_puts(b, ",\n \"sql\": {\"instances\": [");
    for (i = 0; i < sql->instances.count; i++) {
        if (i)
            dlo_buf_puts(b, ", ");
        dlo_buf_json_str(b, sql->instances.items[i]);
    }
    dlo_buf_putc(b, ']');
    json_key_str(b, "instance", sql->instance);
    json_key_str(b, "service", sql->service);
    json_key_str(b, "instance_id", sql->instance_id);
    json_key_str(b, "tcp_ports", sql->tcp_ports ? sql->tcp_ports : DLO_SQL_DEFAULT_PORT);
    json_key_str(b, "port_source", dlo_sql_port_source_name(sql->port_source));
    json_key_str(b, "port_origin", sql->port_origin);
    dlo_buf_printf(b, ", \"browser\": %s", sql->browser ? "true" : "false");
    json_key_str(b, "browser_state",
                 sql->browser ? dlo_service_state_name(sql->browser_state) : NULL);
    dlo_buf_putc(b, '}');
}

void dlo_report_detect_json(dlo_buf *b, const dlo_detect_result *r)
{
    size_t i;

    dlo_buf_puts(b, "{\"table\": ");
    dlo_buf_json_str(b, r->table_source ? r->table_source : "");
    dlo_buf_puts(b, ",\n \"detected\": ");
    dlo_roles_json(b, r->roles);
    dlo_buf_puts(b, ",\n \"not_found\": ");
    dlo_roles_json(b, r->looked_for & ~r->roles);
    dlo_buf_puts(b, ",\n \"not_looked_for\": ");
    dlo_roles_json(b, DLO_ROLE_ALL_MASK & ~r->looked_for);
    dlo_buf_printf(b, ",\n \"partial\": %s", r->partial ? "true" : "false");
    json_roles(b, r);
    dlo_buf_puts(b, ",\n \"ignored\": [");
    for (i = 0; i < r->ignored.count; i++) {
        const dlo_detect_evidence *e = &r->ignored.items[i];
        dlo_buf_puts(b, i ? ",\n  {\"role\": " : "\n  {\"role\": ");
        dlo_buf_json_str(b, dlo_role_name(e->role));
        dlo_buf_puts(b, ", \"evidence\": ");
        json_evidence(b, e, true);
        json_key_str(b, "reason", e->reason);
        dlo_buf_putc(b, '}');
    }
    dlo_buf_putc(b, ']');
    json_sql(b, &r->sql);
    dlo_buf_puts(b, ",\n \"candidates\": [");
    for (i = 0; i < r->candidates.count; i++) {
        const dlo_detect_candidate *c = &r->candidates.items[i];
        dlo_buf_printf(b, "%s{\"kind\": \"%s\"", i ? ",\n  " : "\n  ",
                       dlo_detect_kind_name(c->kind));
        dlo_buf_json_member(b, "name", c->name);
        dlo_buf_json_member(b, "display_name", c->display_name);
        json_key_str(b, "view", c->view ? dlo_reg_view_name(c->view) : NULL);
        dlo_buf_json_member(b, "line", c->line);
        dlo_buf_putc(b, '}');
    }
    dlo_buf_puts(b, "]");
    dlo_buf_puts(b, ",\n \"warnings\": [");
    for (i = 0; i < r->warnings.count; i++) {
        dlo_buf_puts(b, i ? ",\n  " : "\n  ");
        dlo_buf_json_str(b, r->warnings.items[i]);
    }
    dlo_buf_puts(b, "]}\n");
}

/* ---- /config ---- */

/* Text as itself, a JSON string in JSON. */
static void put_text(dlo_buf *out, const char *s, bool json)
{
    if (json)
        dlo_buf_json_str(out, s);
    else
        dlo_buf_puts(out, s);
}

/* A role set: "a,b" or (none) as text, ["a", "b"] in JSON. */
static void put_roles(dlo_buf *out, dlo_role_set set, bool json)
{
    if (json)
        dlo_roles_json(out, set);
    else if (set)
        dlo_roles_format(out, set);
    else
        dlo_buf_puts(out, "(none)");
}

/* An address list: as stored in text, an array of its entries in JSON. */
static void put_scope(dlo_buf *out, const char *list, bool json)
{
    if (json)
        dlo_buf_json_list(out, list);
    else
        dlo_buf_puts(out, list);
}

static void put_profiles(dlo_buf *out, unsigned profiles, bool json)
{
    if (json) {
        dlo_buf_putc(out, '[');
        dlo_profiles_json(out, profiles);
        dlo_buf_putc(out, ']');
    } else {
        dlo_profiles_text(out, profiles);
    }
}

/* Whether the value is "not configured": shown as the row's `unset` text, null in JSON. A scope
 * is never: not configured is "*". */
static bool shown_unset(const dlo_config *cfg, dlo_config_item item)
{
    const dlo_config_row *row = dlo_config_row_of(item);
    const void *v = dlo_config_value(cfg, item);

    switch (row->type) {
    case DLO_CT_ROLES:
        return row->tracks_set && !*(const bool *)((const char *)cfg + row->set_field);
    case DLO_CT_PORT:
    case DLO_CT_NUMBER:
    case DLO_CT_PROFILES:
        return *(const unsigned *)v == 0;
    case DLO_CT_INSTANCE:
    case DLO_CT_PATH:
        return *(char *const *)v == NULL;
    default:
        return false;
    }
}

/* A value as its row's type says: text for /config, JSON for /config /json. */
static void put_value(dlo_buf *out, const dlo_config *cfg, dlo_config_item item, bool json)
{
    const dlo_config_row *row = dlo_config_row_of(item);
    const void *v = dlo_config_value(cfg, item);
    int e;

    if (shown_unset(cfg, item)) {
        dlo_buf_puts(out, json ? "null" : row->unset);
        return;
    }
    switch (row->type) {
    case DLO_CT_MODE:
        memcpy(&e, v, sizeof(e));
        put_text(out, dlo_mode_name((dlo_mode)e), json);
        break;
    case DLO_CT_CHOICE:
        memcpy(&e, v, sizeof(e));
        put_text(out, (unsigned)e < row->n_choices ? row->choices[e].name : "?", json);
        break;
    case DLO_CT_ROLES:
        put_roles(out, *(const dlo_role_set *)v, json);
        break;
    case DLO_CT_PORT:
    case DLO_CT_NUMBER:
        dlo_buf_printf(out, "%u", *(const unsigned *)v);
        break;
    case DLO_CT_INSTANCE:
    case DLO_CT_PATH:
        put_text(out, *(char *const *)v, json);
        break;
    case DLO_CT_SCOPE: {
        const char *s = *(char *const *)v;
        put_scope(out, s ? s : "*", json);
        break;
    }
    case DLO_CT_PROFILES:
        put_profiles(out, *(const unsigned *)v, json);
        break;
    case DLO_CT_FLAG: {
        bool on = *(const bool *)v;
        dlo_buf_puts(out, json ? (on ? "true" : "false") : (on ? "1 (on)" : "0 (off)"));
        break;
    }
    }
}

void dlo_report_config_value(dlo_buf *out, const dlo_config *cfg, dlo_config_item item)
{
    put_value(out, cfg, item, false);
}

/* The value as /config and the service's summary show it: marked when nothing acts on it. */
static void put_shown(dlo_buf *out, const dlo_config *cfg, dlo_config_item item)
{
    put_value(out, cfg, item, false);
    if (dlo_config_row_of(item)->reserved)
        dlo_buf_puts(out, " " DLO_CONFIG_RESERVED_MARK);
}

void dlo_report_config_json(dlo_buf *out, const dlo_config *cfg)
{
    dlo_report_config_json_names(out, cfg, NULL);
}

void dlo_report_config_json_names(dlo_buf *out, const dlo_config *cfg, const dlo_names *names)
{
    int item;

    dlo_buf_puts(out, "{\"keys\": {\"policy\": ");
    dlo_buf_json_str(out, "HKLM\\" DLO_CONFIG_KEY_POLICY);
    dlo_buf_puts(out, ", \"installer\": ");
    dlo_buf_json_str(out, "HKLM\\" DLO_CONFIG_KEY_INSTALLER);
    dlo_buf_puts(out, "},\n \"values\": {");
    for (item = 0; item < DLO_CFG_COUNT; item++) {
        dlo_buf_printf(out, "%s\n  \"%s\": {\"value\": ", item ? "," : "",
                       dlo_config_item_name((dlo_config_item)item));
        put_value(out, cfg, (dlo_config_item)item, true);
        dlo_buf_printf(out, ", \"source\": \"%s\"%s}", dlo_config_source_name(cfg->source[item]),
                       dlo_config_row_of((dlo_config_item)item)->reserved ? ", \"reserved\": true"
                                                                          : "");
    }
    dlo_buf_puts(out, "\n }");
    dlo_report_names_json(out, names);
    dlo_buf_printf(out, ",\n \"effectiveIntervalSeconds\": %u}\n", cfg->interval_seconds);
}

/* A scope that is not `*` but covers as much (dlo_addr_coverage) says so: spelled otherwise, it
 * opens the same. */
static void scope_coverage(dlo_buf *out, const dlo_config *cfg, dlo_config_item item)
{
    const char *scope;
    unsigned covers;
    if (dlo_config_row_of(item)->type != DLO_CT_SCOPE)
        return;
    scope = *(char *const *)dlo_config_value(cfg, item);
    /* With names, what it covers is the plan's to say, from the addresses (dlo/exposure.h). */
    if (dlo_names_in_scope(scope))
        return;
    covers = dlo_list_is_any(scope) ? 0 : dlo_addr_coverage(scope);
    if (!covers)
        return;
    dlo_buf_puts(out, " (");
    dlo_addr_coverage_text(out, covers);
    dlo_buf_puts(out, ": as open as *)");
}

void dlo_report_config_text(dlo_buf *out, const dlo_config *cfg)
{
    int item;

    dlo_buf_puts(out, "Configuration (each value from the first place that has it: command line, "
                      "policy key, installer key, default)\n"
                      "  policy key:    HKLM\\" DLO_CONFIG_KEY_POLICY "\n"
                      "  installer key: HKLM\\" DLO_CONFIG_KEY_INSTALLER "\n\n");
    dlo_buf_puts(out, "  ");
    dlo_buf_pad(out, "value", 30);
    dlo_buf_pad(out, "source", 14);
    dlo_buf_puts(out, "effective value\n");
    for (item = 0; item < DLO_CFG_COUNT; item++) {
        dlo_buf_puts(out, "  ");
        dlo_buf_pad(out, dlo_config_item_name((dlo_config_item)item), 30);
        dlo_buf_pad(out, dlo_config_source_name(cfg->source[item]), 14);
        put_shown(out, cfg, (dlo_config_item)item);
        scope_coverage(out, cfg, (dlo_config_item)item);
        dlo_buf_putc(out, '\n');
    }
}

void dlo_report_config_summary(dlo_buf *out, const dlo_config *cfg)
{
    int item;
    bool first = true, some_default = false;

    for (item = 0; item < DLO_CFG_COUNT; item++) {
        const dlo_config_row *row = dlo_config_row_of((dlo_config_item)item);
        bool is_default = cfg->source[item] == DLO_SOURCE_DEFAULT;
        if (row->type == DLO_CT_SCOPE && is_default) {
            some_default = true;
            continue;
        }
        /* The built-in data and the least-privilege defaults are the rule: only a departure
         * from them is worth a mention. */
        if (row->quiet_default && is_default)
            continue;
        dlo_buf_printf(out, "%s%s=", first ? "" : "; ",
                       dlo_config_item_name((dlo_config_item)item));
        put_shown(out, cfg, (dlo_config_item)item);
        dlo_buf_printf(out, " (%s)", dlo_config_source_name(cfg->source[item]));
        first = false;
    }
    if (some_default)
        dlo_buf_puts(out, "; every other remote address scope: * (default)");
}
