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

/* The rule-name words of a keyword's rule: "Push Installation RPC Endpoint Mapper". */
static const char *const rpc_titles[DLO_RPC_COUNT] = {"RPC Endpoint Mapper", "RPC"};

static bool in_rpc_ports(const dlo_policy_row *row, const dlo_port_item *it)
{
    int k;
    for (k = 0; k < DLO_RPC_COUNT; k++)
        if (dlo_portset_has_item(&row->rpc_ports[k], it))
            return true;
    return false;
}

/* The row's ports with {sql-port} replaced by the SQL Server instance's, in Windows' syntax;
 * without_rpc leaves out the items its rpc-ports give to a keyword. */
static dlo_status row_ports(dlo_buf *b, const dlo_policy_row *row, const dlo_portset *sql,
                            bool without_rpc)
{
    dlo_portset ports;
    size_t i;
    dlo_status st = DLO_OK;
    dlo_portset_init(&ports);
    for (i = 0; i < row->port_set.n_items && !st; i++) {
        dlo_portset one = row->port_set;
        if (without_rpc && in_rpc_ports(row, &row->port_set.items[i]))
            continue;
        one.items = &row->port_set.items[i];
        one.n_items = 1;
        st = dlo_portset_add(&ports, &one, sql);
    }
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

/* Appends to the rule's rows and origin the row it also exists for (the first: its only). */
static dlo_status add_origin(dlo_rule *r, const char *source, const dlo_policy_row *row)
{
    dlo_buf rows, origin;
    dlo_status st;
    dlo_buf_init(&rows);
    dlo_buf_init(&origin);
    dlo_buf_printf(&rows, "%s%s%s", dlo_str(r->rows), r->rows ? "," : "", row->id);
    dlo_buf_printf(&origin, "%s%smatrix row %s, %s:%d", dlo_str(r->origin), r->origin ? "; " : "",
                   row->id, source, row->line);
    st = dlo_buf_status(&rows) || dlo_buf_status(&origin) ||
                 dlo_rule_set(&r->rows, dlo_buf_str(&rows)) ||
                 dlo_rule_set(&r->origin, dlo_buf_str(&origin))
             ? DLO_E_NOMEM
             : DLO_OK;
    dlo_buf_free(&origin);
    dlo_buf_free(&rows);
    return st;
}

static dlo_rule *find_rule(dlo_rule_list *l, const char *name)
{
    size_t i;
    for (i = 0; i < l->count; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return &l->items[i];
    return NULL;
}

static dlo_status add_row_rule(dlo_plan *plan, const dlo_policy_row *row, const char *stem,
                               int protocol, dlo_direction dir, dlo_role_set local,
                               dlo_role_set peers, const char *ports, dlo_error *err)
{
    dlo_buf name;
    dlo_rule *r;
    dlo_status st = DLO_OK;

    dlo_buf_init(&name);
    dlo_plan_rule_name(&name, stem, protocol, dir);
    if (dlo_buf_status(&name)) {
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
        goto cleanup_name;
    }
    r = find_rule(&plan->rules, dlo_buf_str(&name));
    if (r) {
        /* Same rule name: the policy parser guarantees the same ports, protocol and network, so
         * the union of local roles, peers and rows is exactly what the rows allow together. */
        r->local_roles |= local;
        r->peers |= peers;
        if (add_origin(r, plan->source, row))
            st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
        goto cleanup_name;
    }
    r = dlo_rule_list_add(&plan->rules);
    if (!r) {
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
        goto cleanup_name;
    }
    r->direction = dir;
    r->protocol = protocol;
    r->profiles = plan->profiles[row->network];
    plan->networks |= 1u << row->network;
    r->local_roles = local;
    r->peers = peers;
    r->served_by = (int)row->served_by;
    if (dlo_rule_set(&r->served_service,
                     row->served_by == DLO_SERVED_SERVICE ? row->served_name : NULL) ||
        dlo_rule_set(&r->name, dlo_buf_str(&name)) ||
        dlo_rule_set(&r->grouping, DLO_RULE_GROUPING) || add_origin(r, plan->source, row) ||
        dlo_rule_set(&r->local_ports, dir == DLO_DIR_IN ? ports : "") ||
        dlo_rule_set(&r->remote_ports, dir == DLO_DIR_OUT ? ports : "") ||
        dlo_rule_set(&r->local_addresses, DLO_FW_ANY))
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
cleanup_name:
    dlo_buf_free(&name);
    return st;
}

/* The row's protocols in rule order: i 0 is TCP, 1 UDP; 0 when the row has not that one. */
static int row_protocol(const dlo_policy_row *row, int i)
{
    if (i == 0)
        return row->protocols & DLO_PROTOS_TCP ? DLO_PROTO_TCP : 0;
    return row->protocols & DLO_PROTOS_UDP ? DLO_PROTO_UDP : 0;
}

/* The name stem of a row's rule for keyword k (DLO_RPC_*), or for its numbers (k < 0). */
static void rule_stem(dlo_buf *b, const dlo_policy_row *row, int k)
{
    if (k < 0)
        dlo_buf_puts(b, row->rule);
    else
        dlo_buf_printf(b, "%s %s", row->rule, rpc_titles[k]);
}

/* Whether the row's inbound rules on this protocol become keyword rules (PushInstallPorts=rpc).
 * Windows takes RPC keywords on inbound TCP LocalPorts only (MS-FASP 2.2.37). */
static bool splits_rpc(const dlo_policy_row *row, int protocol, const dlo_plan_settings *s)
{
    return s->rpc_keywords && row->has_rpc_ports && protocol == DLO_PROTO_TCP;
}

/* A row's inbound rule, or with rpc keywords its rules: the numbers not given to a keyword in
 * the row's own name, each keyword in a rule of its own. One keyword per rule: whether Windows
 * lets a LocalPorts mix a keyword with numbers or with the other keyword, no public source
 * says, and this form works either way. */
static dlo_status add_inbound(dlo_plan *plan, const dlo_policy_row *row, int protocol,
                              dlo_role_set local, const dlo_portset *sql,
                              const dlo_plan_settings *s, dlo_error *err)
{
    dlo_buf ports, stem;
    dlo_role_set peers = row->sources[plan->mode];
    bool split = splits_rpc(row, protocol, s);
    int k;
    dlo_status st;

    dlo_buf_init(&ports);
    dlo_buf_init(&stem);
    st = row_ports(&ports, row, sql, split);
    if (st)
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    else if (ports.len)
        st = add_row_rule(plan, row, row->rule, protocol, DLO_DIR_IN, local, peers,
                          dlo_buf_str(&ports), err);
    for (k = 0; split && k < DLO_RPC_COUNT && !st; k++) {
        if (!row->rpc_ports[k].n_items)
            continue;
        dlo_buf_reset(&stem);
        rule_stem(&stem, row, k);
        st = dlo_buf_status(&stem)
                 ? dlo_error_set(err, DLO_E_NOMEM, "out of memory")
                 : add_row_rule(plan, row, dlo_buf_str(&stem), protocol, DLO_DIR_IN, local, peers,
                                dlo_rpc_keyword(k), err);
    }
    dlo_buf_free(&stem);
    dlo_buf_free(&ports);
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

/* Why an until-detected role keeps or loses its rules: closed only on complete evidence that it
 * is installed. Without detection (Roles configured) or with a partial one the rules stay: a
 * missing rule would stop the push that installs the agent, and these rules never open more
 * than the vendor's table. */
static void window_reason(dlo_buf *b, dlo_role role, bool closed, dlo_plan_evidence evidence)
{
    const char *name = dlo_role_name(role);
    if (closed)
        dlo_buf_printf(b,
                       "left out: %s is detected here and ClosePushPortsWhenInstalled is on; "
                       "these rules serve only its first installation",
                       name);
    else if (evidence == DLO_EVIDENCE_NONE)
        dlo_buf_printf(b,
                       "kept: Roles is configured, so detection is not consulted and gives no "
                       "evidence that %s is installed",
                       name);
    else if (evidence == DLO_EVIDENCE_PARTIAL)
        dlo_buf_printf(b, "kept: component detection could not read everything, so no rule is "
                          "closed on its evidence");
    else
        dlo_buf_printf(b,
                       "kept: %s is not detected here yet (it comes from AddRoles); the rules "
                       "stay until detection shows it",
                       name);
}

/* The names of the inbound rules a row would give one role, for the windows it closes. */
static dlo_status closed_names(dlo_strlist *names, const dlo_policy_row *row,
                               const dlo_plan_settings *s)
{
    dlo_buf stem, name;
    int proto, k;
    dlo_status st = DLO_OK;
    dlo_buf_init(&stem);
    dlo_buf_init(&name);
    for (proto = 0; proto < 2 && !st; proto++) {
        int protocol = row_protocol(row, proto);
        if (!protocol)
            continue;
        for (k = -1; k < (splits_rpc(row, protocol, s) ? DLO_RPC_COUNT : 0) && !st; k++) {
            dlo_buf_reset(&stem);
            dlo_buf_reset(&name);
            rule_stem(&stem, row, k);
            dlo_plan_rule_name(&name, dlo_buf_str(&stem), protocol, DLO_DIR_IN);
            st = dlo_buf_status(&name) ? DLO_E_NOMEM : dlo_strlist_add(names, dlo_buf_str(&name));
        }
    }
    dlo_buf_free(&name);
    dlo_buf_free(&stem);
    return st;
}

/* ClosePushPortsWhenInstalled for one row: records, for each local role it names, whether its
 * inbound rules stay, and takes the closed roles out of *dst. */
static dlo_status decide_windows(dlo_plan *plan, const dlo_policy_row *row,
                                 const dlo_plan_settings *s, dlo_role_set *dst, dlo_error *err)
{
    int r;
    for (r = 0; r < DLO_ROLE_COUNT; r++) {
        dlo_role_set bit = DLO_ROLE_BIT(r);
        dlo_plan_window *w;
        dlo_buf reason;
        if (!(*dst & row->until_detected & bit))
            continue;
        w = realloc(plan->windows, (plan->n_windows + 1) * sizeof(*w));
        if (!w)
            return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
        plan->windows = w;
        w = &plan->windows[plan->n_windows++];
        memset(w, 0, sizeof(*w));
        dlo_strlist_init(&w->names);
        w->row = row->id;
        w->role = (dlo_role)r;
        w->closed = s->evidence == DLO_EVIDENCE_COMPLETE && (s->detected & bit);
        dlo_buf_init(&reason);
        window_reason(&reason, w->role, w->closed, s->evidence);
        w->reason = reason.data;
        if (dlo_buf_status(&reason) || !w->reason || (w->closed && closed_names(&w->names, row, s)))
            return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
        if (w->closed)
            *dst &= ~bit;
    }
    return DLO_OK;
}

/* A closed window names only the rules it really left out: a rule of that name that another
 * row or role still needs is in the plan. */
static dlo_status finish_windows(dlo_plan *plan, dlo_error *err)
{
    size_t i, j;
    for (i = 0; i < plan->n_windows; i++) {
        dlo_strlist kept;
        dlo_strlist *names = &plan->windows[i].names;
        dlo_strlist_init(&kept);
        for (j = 0; j < names->count; j++) {
            if (find_rule(&plan->rules, names->items[j]))
                continue;
            if (dlo_strlist_add(&kept, names->items[j])) {
                dlo_strlist_free(&kept);
                return dlo_error_set(err, DLO_E_NOMEM, "out of memory");
            }
        }
        dlo_strlist_free(names);
        *names = kept;
    }
    return DLO_OK;
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
    out->close_when_detected = s->close_when_detected;
    out->release = pol->release;
    out->source = pol->source;
    for (i = 0; i < DLO_NET_COUNT; i++)
        out->profiles[i] = s->profiles[i] ? s->profiles[i] : pol->profiles[mode][i];

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
        if (dst & row->until_detected && s->close_when_detected)
            st = decide_windows(out, row, s, &dst, err);
        if (st || (!src && !dst))
            continue;
        dlo_buf_reset(&ports);
        if (row_ports(&ports, row, &sql, false)) {
            st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
            break;
        }
        for (proto = 0; proto < 2 && !st; proto++) {
            int protocol = row_protocol(row, proto);
            if (!protocol)
                continue;
            if (dst)
                st = add_inbound(out, row, protocol, dst, &sql, s, err);
            if (src && !st)
                st = add_row_rule(out, row, row->rule, protocol, DLO_DIR_OUT, src,
                                  row->destinations[mode], dlo_buf_str(&ports), err);
        }
    }
    dlo_buf_free(&ports);
    dlo_portset_free(&sql);
    if (!st)
        st = finish_rules(out, s, err);
    if (!st)
        st = finish_windows(out, err);
    if (st)
        dlo_plan_free(out);
    return st;
}

void dlo_plan_free(dlo_plan *plan)
{
    size_t i;
    dlo_rule_list_free(&plan->rules);
    free(plan->sql_ports);
    plan->sql_ports = NULL;
    for (i = 0; i < plan->n_windows; i++) {
        free(plan->windows[i].reason);
        dlo_strlist_free(&plan->windows[i].names);
    }
    free(plan->windows);
    plan->windows = NULL;
    plan->n_windows = 0;
}
