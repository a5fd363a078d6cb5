#include "dlo/probe.h"

#include "dlo/addr.h"
#include "dlo/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

dlo_status dlo_listener_add(dlo_listener_list *l, int protocol, unsigned port, unsigned long pid,
                            const char *image, const char *service)
{
    dlo_listener *x;
    if (l->count == l->cap) {
        void *grown = dlo_array_grow(l->items, &l->cap, l->count, sizeof(*l->items));
        if (!grown)
            return DLO_E_NOMEM;
        l->items = grown;
    }
    x = &l->items[l->count];
    memset(x, 0, sizeof(*x));
    x->protocol = protocol;
    x->port = port;
    x->pid = pid;
    x->image = image && *image ? dlo_strdup(image) : NULL;
    x->service = service && *service ? dlo_strdup(service) : NULL;
    if ((image && *image && !x->image) || (service && *service && !x->service)) {
        free(x->image);
        free(x->service);
        return DLO_E_NOMEM;
    }
    l->count++;
    return DLO_OK;
}

void dlo_listener_list_free(dlo_listener_list *l)
{
    size_t i;
    for (i = 0; i < l->count; i++) {
        free(l->items[i].image);
        free(l->items[i].service);
    }
    free(l->items);
    memset(l, 0, sizeof(*l));
}

const char *dlo_probe_state_name(dlo_probe_state s)
{
    static const char *const names[] = {"listening", "not-listening", "open",   "refused",
                                        "filtered",  "not-probeable", "skipped"};
    return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static dlo_probe_item *item_add(dlo_probe_result *r, const dlo_rule *rule, dlo_probe_state state)
{
    dlo_probe_item *it;
    if (r->count == r->cap) {
        void *grown = dlo_array_grow(r->items, &r->cap, r->count, sizeof(*r->items));
        if (!grown)
            return NULL;
        r->items = grown;
    }
    it = &r->items[r->count++];
    memset(it, 0, sizeof(*it));
    it->rule = rule;
    it->direction = rule->direction;
    it->protocol = rule->protocol;
    it->state = state;
    it->peer = -1;
    return it;
}

static dlo_probe_item *item_reason(dlo_probe_result *r, const dlo_rule *rule, const char *why)
{
    dlo_probe_item *it = item_add(r, rule, DLO_PROBE_NOT_PROBEABLE);
    if (it)
        snprintf(it->reason, sizeof(it->reason), "%s", why);
    return it;
}

/* The rule's program or service, when the rule is bound to one. */
static bool listener_is_bound(const dlo_rule *rule, const dlo_listener *l)
{
    if (rule->application && *rule->application && l->image &&
        dlo_str_equal_ci(rule->application, l->image))
        return true;
    return rule->service && *rule->service && l->service &&
           dlo_str_equal_ci(rule->service, l->service);
}

static bool rule_is_bound(const dlo_rule *rule)
{
    return (rule->application && *rule->application) || (rule->service && *rule->service);
}

/* Fills it's listeners from the table: those of its protocol on a port in [lo, hi]. */
static dlo_status inbound_match(dlo_probe_item *it, const dlo_listener_list *table)
{
    size_t i, j;
    it->listeners = calloc(table->count ? table->count : 1, sizeof(*it->listeners));
    if (!it->listeners)
        return DLO_E_NOMEM;
    for (i = 0; i < table->count; i++) {
        const dlo_listener *l = &table->items[i];
        bool port_seen = false;
        if (l->protocol != it->protocol || l->port < it->lo || l->port > it->hi)
            continue;
        for (j = 0; j < it->n_listeners; j++)
            port_seen = port_seen || it->listeners[j]->port == l->port;
        if (!port_seen)
            it->ports_listening++;
        it->listeners[it->n_listeners++] = l;
        if (rule_is_bound(it->rule) && it->bound != DLO_BOUND_MATCH)
            it->bound = listener_is_bound(it->rule, l) ? DLO_BOUND_MATCH : DLO_BOUND_OTHER;
    }
    it->state = it->n_listeners ? DLO_PROBE_LISTENING : DLO_PROBE_NOT_LISTENING;
    return DLO_OK;
}

static dlo_status probe_inbound(const dlo_rule *rule, dlo_probe_result *r)
{
    dlo_portset ports;
    dlo_status st = DLO_OK;
    size_t i;

    if (rule->protocol != DLO_PROTO_TCP && rule->protocol != DLO_PROTO_UDP)
        return item_reason(r, rule, "neither TCP nor UDP") ? DLO_OK : DLO_E_NOMEM;
    if (dlo_portset_parse(dlo_str(rule->local_ports), DLO_PORTS_FIREWALL, &ports, NULL) ||
        ports.any) {
        dlo_portset_free(&ports);
        return item_reason(r, rule, "no single local port to look up") ? DLO_OK : DLO_E_NOMEM;
    }
    for (i = 0; !st && i < ports.n_items; i++) {
        const dlo_port_item *p = &ports.items[i];
        dlo_probe_item *it = p->kind == DLO_PORT_RANGE
                                 ? item_add(r, rule, DLO_PROBE_NOT_LISTENING)
                                 : item_reason(r, rule, "a port keyword names no fixed port");
        if (!it) {
            st = DLO_E_NOMEM;
        } else if (p->kind == DLO_PORT_RANGE) {
            it->lo = p->lo;
            it->hi = p->hi;
            st = inbound_match(it, &r->table);
        } else {
            snprintf(it->target, sizeof(it->target), "%s", p->keyword);
        }
    }
    dlo_portset_free(&ports);
    return st;
}

/* One address and port to connect to, for rule toward peer. */
static dlo_status outbound_target(dlo_probe_result *r, const dlo_rule *rule, int peer,
                                  const char *text, const dlo_ip *ip, unsigned port)
{
    dlo_probe_item *it;
    if (ip && r->n_targets >= DLO_PROBE_MAX_TARGETS) {
        r->not_listed++;
        return DLO_OK;
    }
    it = item_add(r, rule, DLO_PROBE_SKIPPED);
    if (!it)
        return DLO_E_NOMEM;
    r->n_targets += ip != NULL;
    it->peer = peer;
    it->lo = it->hi = port;
    snprintf(it->target, sizeof(it->target), "%s", text);
    if (ip) {
        it->has_ip = true;
        it->ip = *ip;
    }
    return DLO_OK;
}

/* Appends port to out[0..max) unless it is full; then counts it in *cut. */
static void take_port(unsigned *out, size_t max, size_t *n, size_t *cut, unsigned port)
{
    if (*n < max)
        out[(*n)++] = port;
    else
        (*cut)++;
}

/* The remote ports to try: single ports, and of a range its first port and the extra ports
 * that fall inside it; *cut counts those beyond max. */
static size_t outbound_ports(const dlo_portset *ports, const dlo_portset *extra, unsigned *out,
                             size_t max, size_t *cut)
{
    size_t i, j, n = 0;
    for (i = 0; i < ports->n_items; i++) {
        const dlo_port_item *p = &ports->items[i];
        if (p->kind != DLO_PORT_RANGE)
            continue;
        take_port(out, max, &n, cut, p->lo);
        for (j = 0; extra && j < extra->n_ranges; j++) {
            unsigned q, lo = extra->ranges[j].lo > p->lo ? extra->ranges[j].lo : p->lo + 1;
            unsigned hi = extra->ranges[j].hi < p->hi ? extra->ranges[j].hi : p->hi;
            for (q = lo; q <= hi; q++)
                take_port(out, max, &n, cut, q);
        }
    }
    return n;
}

/* The single addresses of one scope entry; anything else is an item saying why not. */
static dlo_status outbound_entry(dlo_probe_result *r, const dlo_rule *rule, int peer,
                                 const char *token, const unsigned *ports, size_t n_ports)
{
    dlo_addrset set;
    dlo_status st = DLO_OK;
    size_t i;
    const dlo_addr_entry *e;

    if (dlo_addrset_parse(&token, 1, &set, NULL) || set.count != 1) {
        dlo_addrset_free(&set);
        return DLO_OK; /* the configuration was checked when loaded: nothing else reaches here */
    }
    e = &set.items[0];
    if (e->kind != DLO_ADDR_SUBNET || e->prefix != (e->family == 4 ? 32u : 128u)) {
        dlo_probe_item *it = item_reason(r, rule,
                                         e->kind == DLO_ADDR_KEYWORD ? "a keyword, not an address"
                                         : e->kind == DLO_ADDR_RANGE ? "a range, not one address"
                                                                     : "a subnet, not one address");
        if (!it)
            st = DLO_E_NOMEM;
        else {
            it->peer = peer;
            snprintf(it->target, sizeof(it->target), "%s", token);
        }
    } else {
        dlo_ip ip = {e->family, {0}};
        char text[80];
        size_t len = strcspn(token, "/");
        memcpy(ip.addr, e->addr, 16);
        snprintf(text, sizeof(text), "%.*s", (int)(len < 79 ? len : 79), token);
        for (i = 0; !st && i < n_ports; i++)
            st = outbound_target(r, rule, peer, text, &ip, ports[i]);
    }
    dlo_addrset_free(&set);
    return st;
}

/* Each configured single address of each peer of rule. */
static dlo_status outbound_scopes(dlo_probe_result *r, const dlo_rule *rule, const dlo_config *cfg,
                                  const unsigned *ports, size_t n_ports)
{
    dlo_status st = DLO_OK;
    bool any_scope = false;
    int role;

    for (role = 0; !st && role < DLO_ROLE_COUNT; role++) {
        const char *scope = cfg->scopes[role], *p;
        if (!(rule->peers & DLO_ROLE_BIT(role)) || !scope || !strcmp(scope, "*"))
            continue;
        any_scope = true;
        for (p = scope; !st && *p; p += *p == ',') {
            size_t n = strcspn(p, ",");
            char *token = dlo_strndup(p, n);
            st = token ? outbound_entry(r, rule, role, token, ports, n_ports) : DLO_E_NOMEM;
            free(token);
            p += n;
        }
    }
    if (!st && !any_scope)
        st = item_reason(r, rule, "no addresses configured for its peers") ? DLO_OK : DLO_E_NOMEM;
    return st;
}

static dlo_status probe_outbound(const dlo_rule *rule, const dlo_config *cfg,
                                 const dlo_probe_params *pp, const dlo_ip *to, size_t n_to,
                                 dlo_probe_result *r)
{
    dlo_portset ports;
    unsigned list[DLO_PROBE_MAX_RULE_PORTS];
    size_t n_ports, i, j;
    dlo_status st = DLO_OK;

    if (pp->to_host && !(rule->peers & DLO_ROLE_BIT(pp->to_role)))
        return DLO_OK;
    if (rule->protocol != DLO_PROTO_TCP)
        return item_reason(r, rule, "UDP: DLO has no protocol to probe it with") ? DLO_OK
                                                                                 : DLO_E_NOMEM;
    if (dlo_portset_parse(dlo_str(rule->remote_ports), DLO_PORTS_FIREWALL, &ports, NULL) ||
        ports.any) {
        dlo_portset_free(&ports);
        return item_reason(r, rule, "no remote port to try") ? DLO_OK : DLO_E_NOMEM;
    }
    n_ports = outbound_ports(&ports, pp->extra_ports, list, sizeof(list) / sizeof(list[0]),
                             &r->ports_not_tried);
    dlo_portset_free(&ports);
    if (!n_ports)
        return item_reason(r, rule, "a port keyword names no fixed port") ? DLO_OK : DLO_E_NOMEM;
    if (!pp->to_host)
        return outbound_scopes(r, rule, cfg, list, n_ports);
    for (i = 0; !st && i < n_to; i++)
        for (j = 0; !st && j < n_ports; j++)
            st = outbound_target(r, rule, pp->to_role, pp->to_host, &to[i], list[j]);
    return st;
}

static bool same_target(const dlo_probe_conn *c, const dlo_probe_item *it)
{
    return c->port == it->lo && c->ip.family == it->ip.family &&
           !memcmp(c->ip.addr, it->ip.addr, 16);
}

/* The distinct address-port pairs of the items, each once. */
static dlo_status collect_conns(const dlo_probe_result *r, dlo_probe_conn **out, size_t *n)
{
    size_t i, j;
    *n = 0;
    *out = calloc(r->count ? r->count : 1, sizeof(**out));
    if (!*out)
        return DLO_E_NOMEM;
    for (i = 0; i < r->count; i++) {
        const dlo_probe_item *it = &r->items[i];
        bool seen = false;
        if (!it->has_ip)
            continue;
        for (j = 0; j < *n && !seen; j++)
            seen = same_target(&(*out)[j], it);
        if (!seen) {
            (*out)[*n].ip = it->ip;
            (*out)[(*n)++].port = it->lo;
        }
    }
    return DLO_OK;
}

static void apply_conn(dlo_probe_result *r, const dlo_probe_conn *c)
{
    static const dlo_probe_state states[] = {DLO_PROBE_OPEN, DLO_PROBE_REFUSED, DLO_PROBE_FILTERED};
    size_t i;
    for (i = 0; i < r->count; i++) {
        dlo_probe_item *it = &r->items[i];
        if (it->has_ip && same_target(c, it)) {
            it->state = states[c->result];
            it->ms = c->ms;
        }
    }
}

/* In batches of DLO_PROBE_CONCURRENCY; a batch that could pass the run's limit is not started,
 * and its items stay skipped. */
static dlo_status run_conns(const dlo_probe_os *os, unsigned timeout, unsigned limit,
                            dlo_probe_result *r, dlo_error *err)
{
    dlo_probe_conn *conns;
    size_t n, i, k;
    unsigned long spent = 0;
    dlo_status st = collect_conns(r, &conns, &n);

    for (i = 0; !st && i < n; i += DLO_PROBE_CONCURRENCY) {
        size_t batch = n - i < DLO_PROBE_CONCURRENCY ? n - i : DLO_PROBE_CONCURRENCY;
        unsigned longest = 0;
        if (spent + timeout > limit)
            break;
        st = os->connect(os->ctx, conns + i, batch, timeout, err);
        for (k = 0; !st && k < batch; k++) {
            apply_conn(r, &conns[i + k]);
            longest = conns[i + k].ms > longest ? conns[i + k].ms : longest;
        }
        r->attempts += st ? 0 : batch;
        spent += longest > timeout ? longest : timeout;
    }
    for (k = 0; k < r->count; k++)
        if (r->items[k].state == DLO_PROBE_SKIPPED)
            snprintf(r->items[k].reason, sizeof(r->items[k].reason),
                     "the run's time limit of %u ms was reached", limit);
    free(conns);
    if (st)
        dlo_error_prefix(err, "cannot try connections: ");
    return st;
}

/* The addresses of the host named on the command line: itself when it is an address. */
static dlo_status resolve_to(const dlo_probe_os *os, const char *host, dlo_ip *out, size_t *n,
                             dlo_error *err)
{
    dlo_status st;
    memset(out, 0, sizeof(*out));
    *n = 1;
    if (dlo_addr_parse_ipv4(host, strlen(host), out->addr)) {
        out->family = 4;
        return DLO_OK;
    }
    if (dlo_addr_parse_ipv6(host, strlen(host), out->addr)) {
        out->family = 6;
        return DLO_OK;
    }
    *n = 0;
    st = os->resolve ? os->resolve(os->ctx, host, out, DLO_PROBE_MAX_RESOLVED, n, err)
                     : dlo_error_set(err, DLO_E_IO, "this platform cannot resolve names");
    if (!st && *n == 0)
        st = dlo_error_set(err, DLO_E_NOTFOUND, "no addresses");
    if (st)
        dlo_error_prefix(err, "cannot resolve '%s': ", host);
    return st;
}

/* What was not listed, or beyond a rule's ports, was not tried either: it counts as skipped. */
static void tally(dlo_probe_result *r)
{
    size_t i;
    r->probed = r->failed = r->not_listed + r->ports_not_tried;
    for (i = 0; i < r->count; i++) {
        dlo_probe_state s = r->items[i].state;
        if (s == DLO_PROBE_NOT_PROBEABLE)
            continue;
        r->probed++;
        if (s != DLO_PROBE_OPEN && s != DLO_PROBE_LISTENING)
            r->failed++;
    }
}

dlo_status dlo_probe_run(const dlo_probe_os *os, const dlo_plan *plan, const dlo_config *cfg,
                         const dlo_probe_params *params, dlo_probe_result *out, dlo_error *err)
{
    unsigned timeout = params->timeout_ms ? params->timeout_ms : DLO_PROBE_DEFAULT_TIMEOUT_MS;
    dlo_ip to[DLO_PROBE_MAX_RESOLVED];
    size_t n_to = 0, i;
    dlo_status st = DLO_OK;

    memset(out, 0, sizeof(*out));
    if (!os || !os->listeners || !os->connect)
        return dlo_error_set(err, DLO_E_IO, "this platform cannot probe");
    if (params->to_host)
        st = resolve_to(os, params->to_host, to, &n_to, err);
    else if ((st = os->listeners(os->ctx, &out->table, err)) != DLO_OK)
        dlo_error_prefix(err, "cannot read the listeners table: ");
    for (i = 0; !st && !params->to_host && i < plan->rules.count; i++)
        if (plan->rules.items[i].direction == DLO_DIR_IN)
            st = probe_inbound(&plan->rules.items[i], out);
    for (i = 0; !st && i < plan->rules.count; i++)
        if (plan->rules.items[i].direction == DLO_DIR_OUT)
            st = probe_outbound(&plan->rules.items[i], cfg, params, to, n_to, out);
    if (!st)
        st = run_conns(os, timeout,
                       params->run_limit_ms ? params->run_limit_ms : DLO_PROBE_RUN_LIMIT_MS, out,
                       err);
    if (st == DLO_E_NOMEM)
        dlo_error_set(err, st, "out of memory while probing");
    if (st) {
        dlo_probe_result_free(out);
        return st;
    }
    tally(out);
    return DLO_OK;
}

void dlo_probe_result_free(dlo_probe_result *r)
{
    size_t i;
    for (i = 0; i < r->count; i++)
        free((void *)r->items[i].listeners);
    free(r->items);
    dlo_listener_list_free(&r->table);
    memset(r, 0, sizeof(*r));
}

bool dlo_probe_all_good(const dlo_probe_result *r)
{
    return r->failed == 0;
}
