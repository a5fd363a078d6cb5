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
