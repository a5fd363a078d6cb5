#include "dlo/plan.h"

#include "dlo/addr.h"
#include "dlo/portset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_PREFIX "Arctera DLO - "

void dlo_plan_rule_name(dlo_buf *b, const char *rule, int protocol, dlo_direction dir)
{
    dlo_buf_printf(b, NAME_PREFIX "%s (%s-%s)", rule, protocol == DLO_PROTO_UDP ? "UDP" : "TCP",
                   dir == DLO_DIR_IN ? "In" : "Out");
}

/* The row's ports with {sql-port} replaced by the SQL Server instance's, in Windows' syntax. */
static dlo_status row_ports(dlo_buf *b, const dlo_policy_row *row, const dlo_portset *sql)
{
    dlo_portset ports;
    dlo_status st;
    dlo_portset_init(&ports);
    st = dlo_portset_add(&ports, &row->port_set, sql);
    if (!st)
        dlo_portset_format(b, &ports);
    dlo_portset_free(&ports);
    return st ? st : dlo_buf_status(b);
}

static void role_titles(dlo_buf *b, dlo_role_set set)
{
    int r;
    bool first = true;
    for (r = 0; r < DLO_ROLE_COUNT; r++) {
        if (set & DLO_ROLE_BIT(r)) {
            dlo_buf_printf(b, "%s%s", first ? "" : ", ", dlo_role_title(r));
            first = false;
        }
    }
}

/* The description names the rows and both ends, so an administrator who finds the rule in
 * wf.msc knows why it exists and who keeps it. */
static void describe(dlo_buf *b, const dlo_rule *r, const char *ports, const char *release)
{
    dlo_buf_printf(
        b, "%s port matrix, row%s %s: %s %s %s ", release, strchr(r->rows, ',') ? "s" : "", r->rows,
        r->direction == DLO_DIR_IN ? "inbound" : "outbound", dlo_protocol_name(r->protocol), ports);
    dlo_buf_puts(b, r->direction == DLO_DIR_IN ? "to " : "from ");
    role_titles(b, r->local_roles);
    dlo_buf_puts(b, r->direction == DLO_DIR_IN ? " from " : " to ");
    role_titles(b, r->peers);
    dlo_buf_puts(b, ". Managed by dloagent: changes to this rule are undone.");
}

static dlo_rule *find_rule(dlo_rule_list *l, const char *name)
{
    size_t i;
    for (i = 0; i < l->count; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return &l->items[i];
    return NULL;
}

static dlo_status add_row_rule(dlo_plan *plan, const dlo_policy *pol, const dlo_policy_row *row,
                               int protocol, dlo_direction dir, dlo_role_set local,
                               dlo_role_set peers, const char *ports, dlo_error *err)
{
    dlo_buf name;
    dlo_rule *r;
    dlo_status st = DLO_OK;

    dlo_buf_init(&name);
    dlo_plan_rule_name(&name, row->rule, protocol, dir);
    if (dlo_buf_status(&name)) {
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
        goto cleanup_name;
    }
    r = find_rule(&plan->rules, dlo_buf_str(&name));
    if (r) {
        /* Same rule name: the policy parser guarantees the same ports, protocol and network, so
         * the union of local roles, peers and rows is exactly what the rows allow together. */
        dlo_buf rows;
        r->local_roles |= local;
        r->peers |= peers;
        dlo_buf_init(&rows);
        dlo_buf_printf(&rows, "%s,%s", r->rows, row->id);
        if (dlo_buf_status(&rows) || dlo_rule_set(&r->rows, dlo_buf_str(&rows)))
            st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
        dlo_buf_free(&rows);
        goto cleanup_name;
    }
    r = dlo_rule_list_add(&plan->rules);
    if (!r) {
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
        goto cleanup_name;
    }
    r->direction = dir;
    r->protocol = protocol;
    r->profiles = pol->profiles[plan->mode][row->network];
    r->local_roles = local;
    r->peers = peers;
    if (dlo_rule_set(&r->name, dlo_buf_str(&name)) ||
        dlo_rule_set(&r->grouping, DLO_RULE_GROUPING) || dlo_rule_set(&r->rows, row->id) ||
        dlo_rule_set(&r->local_ports, dir == DLO_DIR_IN ? ports : "") ||
        dlo_rule_set(&r->remote_ports, dir == DLO_DIR_OUT ? ports : "") ||
        dlo_rule_set(&r->local_addresses, DLO_FW_ANY))
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
cleanup_name:
    dlo_buf_free(&name);
    return st;
}

/* Addresses and descriptions depend on the final peer sets, so they are filled in once every
 * row has been merged. */
static dlo_status finish_rules(dlo_plan *plan, const dlo_plan_settings *s, dlo_error *err)
{
    dlo_buf text;
    size_t i;
    dlo_status st = DLO_OK;

    dlo_buf_init(&text);
    for (i = 0; i < plan->rules.count && !st; i++) {
        dlo_rule *r = &plan->rules.items[i];
        const char *ports = r->direction == DLO_DIR_IN ? r->local_ports : r->remote_ports;
        st = dlo_addr_scope_union(s->scopes, r->peers, &text, err);
        if (st)
            break;
        if (dlo_rule_set(&r->remote_addresses, dlo_buf_str(&text)))
            st = DLO_E_NOMEM;
        dlo_buf_reset(&text);
        describe(&text, r, ports, plan->release);
        if (!st && (dlo_buf_status(&text) || dlo_rule_set(&r->description, dlo_buf_str(&text))))
            st = DLO_E_NOMEM;
    }
    dlo_buf_free(&text);
    if (st == DLO_E_NOMEM)
        return dlo_error_set(err, st, "out of memory");
    return st;
}

dlo_status dlo_plan_build(const dlo_policy *pol, dlo_role_set roles, dlo_mode mode,
                          const dlo_plan_settings *settings, dlo_plan *out, dlo_error *err)
{
    static const dlo_plan_settings defaults;
    const dlo_plan_settings *s = settings ? settings : &defaults;
    dlo_portset sql;
    dlo_buf ports;
    size_t i;
    dlo_status st = DLO_OK;

    memset(out, 0, sizeof(*out));
    dlo_rule_list_init(&out->rules);
    if ((unsigned)mode >= DLO_MODE_COUNT)
        return dlo_error_set(err, DLO_E_INTERNAL, "mode %d out of range", (int)mode);
    if (dlo_portset_parse(s->sql_ports ? s->sql_ports : DLO_DEFAULT_SQL_PORTS, 0, &sql, NULL))
        return dlo_error_set(err, DLO_E_CONFIG,
                             "SQL Server port '%.60s' is not a port list; expected numbers "
                             "1-65535 such as 1433 or 1433,1500",
                             s->sql_ports);
    out->mode = mode;
    out->roles = roles & DLO_ROLE_ALL_MASK;
    out->release = pol->release;

    dlo_buf_init(&ports);
    dlo_portset_format(&ports, &sql);
    if (dlo_buf_status(&ports) || dlo_rule_set(&out->sql_ports, dlo_buf_str(&ports)))
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    for (i = 0; i < pol->n_rows && !st; i++) {
        const dlo_policy_row *row = &pol->rows[i];
        dlo_role_set src, dst;
        int proto;

        if (!row->applies[mode])
            continue;
        src = row->sources[mode] & out->roles;
        dst = row->destinations[mode] & out->roles;
        if (!src && !dst)
            continue;
        dlo_buf_reset(&ports);
        if (row_ports(&ports, row, &sql)) {
            st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
            break;
        }
        for (proto = 0; proto < 2 && !st; proto++) {
            int protocol = proto == 0 ? DLO_PROTO_TCP : DLO_PROTO_UDP;
            if (!(row->protocols & (proto == 0 ? DLO_PROTOS_TCP : DLO_PROTOS_UDP)))
                continue;
            if (dst)
                st = add_row_rule(out, pol, row, protocol, DLO_DIR_IN, dst, row->sources[mode],
                                  dlo_buf_str(&ports), err);
            if (src && !st)
                st = add_row_rule(out, pol, row, protocol, DLO_DIR_OUT, src,
                                  row->destinations[mode], dlo_buf_str(&ports), err);
        }
    }
    dlo_buf_free(&ports);
    dlo_portset_free(&sql);
    if (!st)
        st = finish_rules(out, s, err);
    if (st)
        dlo_plan_free(out);
    return st;
}

void dlo_plan_free(dlo_plan *plan)
{
    dlo_rule_list_free(&plan->rules);
    free(plan->sql_ports);
    plan->sql_ports = NULL;
}

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

void dlo_rule_json(dlo_buf *b, const dlo_rule *r)
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
    props_json(b, r, DLO_PROP_JSON_TAIL, DLO_PROP_JSON_TAIL + DLO_PROP_COUNT);
    dlo_buf_putc(b, '}');
}

void dlo_plan_json(dlo_buf *b, const dlo_plan *plan)
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
    dlo_buf_puts(b, ", \"rules\": [");
    for (i = 0; i < plan->rules.count; i++) {
        dlo_buf_puts(b, i ? ",\n  " : "\n  ");
        dlo_rule_json(b, &plan->rules.items[i]);
    }
    dlo_buf_puts(b, plan->rules.count ? "\n]}\n" : "]}\n");
}

void dlo_plan_text(dlo_buf *b, const dlo_plan *plan)
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
        dlo_buf_free(&prof);
    }
}
