/* The /probe report, text and JSON (declared in dlo/report.h). */
#include "dlo/report.h"

#include "dlo/addr.h"
#include "dlo/roles.h"

#include <stdio.h>

static const char *bound_name(dlo_probe_bound b)
{
    return b == DLO_BOUND_MATCH ? "match" : b == DLO_BOUND_OTHER ? "other" : "none";
}

static void ports_text(dlo_buf *b, const dlo_probe_item *it)
{
    if (it->lo == 0)
        dlo_buf_puts(b, it->target[0] ? it->target : "-");
    else if (it->lo == it->hi)
        dlo_buf_printf(b, "%u", it->lo);
    else
        dlo_buf_printf(b, "%u-%u", it->lo, it->hi);
}

static void listener_text(dlo_buf *b, const dlo_listener *l)
{
    dlo_buf_printf(b, "PID %lu %s", l->pid, l->image ? l->image : "(image unknown)");
    if (l->service)
        dlo_buf_printf(b, " (service %s)", l->service);
}

/* The listeners of one inbound item; of a range only how many ports, and the first few. */
static void inbound_text(dlo_buf *b, const dlo_probe_item *it)
{
    size_t i, shown = it->n_listeners < 5 ? it->n_listeners : 5;
    dlo_buf line;

    dlo_buf_init(&line);
    ports_text(&line, it);
    dlo_buf_puts(b, "in   ");
    dlo_buf_pad(b, dlo_protocol_name(it->protocol), 6);
    dlo_buf_pad(b, dlo_buf_str(&line), 26);
    dlo_buf_pad(b, dlo_probe_state_name(it->state), 15);
    dlo_buf_printf(b, "%s\n", it->rule->name);
    dlo_buf_free(&line);
    if (it->lo != it->hi && it->state != DLO_PROBE_NOT_PROBEABLE)
        dlo_buf_printf(b, "     range: %zu of %u ports have a listener\n", it->ports_listening,
                       it->hi - it->lo + 1);
    for (i = 0; i < shown; i++) {
        dlo_buf_puts(b, "     ");
        if (it->lo != it->hi)
            dlo_buf_printf(b, "port %u: ", it->listeners[i]->port);
        listener_text(b, it->listeners[i]);
        dlo_buf_putc(b, '\n');
    }
    if (shown < it->n_listeners)
        dlo_buf_printf(b, "     and %zu more\n", it->n_listeners - shown);
    if (it->bound != DLO_BOUND_NONE)
        dlo_buf_printf(b, "     bound program: %s\n",
                       it->bound == DLO_BOUND_MATCH ? "listening" : "not among the listeners");
    if (it->reason[0])
        dlo_buf_printf(b, "     %s\n", it->reason);
}

static void outbound_text(dlo_buf *b, const dlo_probe_item *it)
{
    dlo_buf line;
    dlo_buf_init(&line);
    if (it->target[0])
        dlo_buf_printf(&line, "%s%s", it->target, it->lo ? ":" : "");
    if (it->lo)
        dlo_buf_printf(&line, "%u", it->lo);
    dlo_buf_puts(b, "out  ");
    dlo_buf_pad(b, dlo_protocol_name(it->protocol), 6);
    dlo_buf_pad(b, line.len ? dlo_buf_str(&line) : "-", 26);
    dlo_buf_pad(b, dlo_probe_state_name(it->state), 15);
    dlo_buf_printf(b, "%s\n", it->rule->name);
    dlo_buf_free(&line);
    if (it->state == DLO_PROBE_OPEN || it->state == DLO_PROBE_REFUSED ||
        it->state == DLO_PROBE_FILTERED)
        dlo_buf_printf(b, "     %u ms", it->ms);
    else
        dlo_buf_printf(b, "     %s", it->reason);
    if (it->peer >= 0)
        dlo_buf_printf(b, "; peer %s", dlo_role_name((dlo_role)it->peer));
    dlo_buf_putc(b, '\n');
}

void dlo_report_probe_text(dlo_buf *b, const dlo_plan *plan, const dlo_probe_result *r)
{
    size_t i;
    dlo_buf_printf(b, "Probe: %s, %s, roles: ", dlo_str(plan->release), dlo_mode_title(plan->mode));
    if (plan->roles)
        dlo_roles_format(b, plan->roles);
    else
        dlo_buf_puts(b, "(none)");
    dlo_buf_printf(b, "\n%zu probe%s, %zu not open or listening; %zu connection%s tried\n",
                   r->probed, r->probed == 1 ? "" : "s", r->failed, r->attempts,
                   r->attempts == 1 ? "" : "s");
    if (r->not_listed)
        dlo_buf_printf(b, "%zu more address-port pairs not listed and not tried (over %d)\n",
                       r->not_listed, DLO_PROBE_MAX_TARGETS);
    if (r->ports_not_tried)
        dlo_buf_printf(b,
                       "%zu ports not tried: a rule tries at most %d (the first port of each "
                       "range and the ports of /ports: inside it)\n",
                       r->ports_not_tried, DLO_PROBE_MAX_RULE_PORTS);
    if (!r->count)
        return;
    dlo_buf_puts(b, "\nDir  Proto Port / target              State          Rule\n");
    for (i = 0; i < r->count; i++) {
        if (r->items[i].direction == DLO_DIR_IN)
            inbound_text(b, &r->items[i]);
        else
            outbound_text(b, &r->items[i]);
    }
}

static void ip_json(dlo_buf *b, const dlo_ip *ip)
{
    dlo_buf text;
    dlo_buf_init(&text);
    if (ip->family == 4)
        dlo_buf_printf(&text, "%u.%u.%u.%u", ip->addr[0], ip->addr[1], ip->addr[2], ip->addr[3]);
    else
        dlo_addr_format_ipv6(&text, ip->addr);
    dlo_buf_json_str(b, dlo_buf_str(&text));
    dlo_buf_free(&text);
}

static void item_json_common(dlo_buf *b, const dlo_probe_item *it)
{
    dlo_buf_puts(b, "{\"rule\": ");
    dlo_buf_json_str(b, it->rule->name);
    dlo_buf_printf(b, ", \"protocol\": \"%s\", \"state\": \"%s\"", dlo_protocol_name(it->protocol),
                   dlo_probe_state_name(it->state));
    if (it->lo)
        dlo_buf_printf(b, ", \"port\": %u", it->lo);
    if (it->hi != it->lo)
        dlo_buf_printf(b, ", \"port_last\": %u", it->hi);
    dlo_buf_puts(b, ", \"reason\": ");
    dlo_buf_json_str(b, it->reason);
}

static void inbound_json(dlo_buf *b, const dlo_probe_item *it)
{
    size_t i;
    item_json_common(b, it);
    dlo_buf_printf(b, ", \"ports_listening\": %zu, \"bound\": \"%s\", \"listeners\": [",
                   it->ports_listening, bound_name(it->bound));
    for (i = 0; i < it->n_listeners; i++) {
        const dlo_listener *l = it->listeners[i];
        dlo_buf_printf(b, "%s{\"port\": %u, \"pid\": %lu, \"image\": ", i ? ", " : "", l->port,
                       l->pid);
        if (l->image)
            dlo_buf_json_str(b, l->image);
        else
            dlo_buf_puts(b, "null");
        dlo_buf_puts(b, ", \"service\": ");
        if (l->service)
            dlo_buf_json_str(b, l->service);
        else
            dlo_buf_puts(b, "null");
        dlo_buf_putc(b, '}');
    }
    dlo_buf_puts(b, "]}");
}

static void outbound_json(dlo_buf *b, const dlo_probe_item *it)
{
    item_json_common(b, it);
    dlo_buf_puts(b, ", \"peer\": ");
    if (it->peer >= 0)
        dlo_buf_json_str(b, dlo_role_name((dlo_role)it->peer));
    else
        dlo_buf_puts(b, "null");
    dlo_buf_puts(b, ", \"target\": ");
    dlo_buf_json_str(b, it->target);
    dlo_buf_puts(b, ", \"address\": ");
    if (it->has_ip)
        ip_json(b, &it->ip);
    else
        dlo_buf_puts(b, "null");
    dlo_buf_printf(b, ", \"ms\": %u}", it->ms);
}

void dlo_report_probe_json(dlo_buf *b, const dlo_plan *plan, const dlo_probe_result *r)
{
    int dir;
    dlo_buf_printf(b, "{\"ok\": %s, \"mode\": \"%s\", \"roles\": ",
                   dlo_probe_all_good(r) ? "true" : "false", dlo_mode_name(plan->mode));
    dlo_roles_json(b, plan->roles);
    dlo_buf_printf(b,
                   ", \"probed\": %zu, \"failed\": %zu, \"attempts\": %zu, \"not_listed\": %zu, "
                   "\"ports_not_tried\": %zu",
                   r->probed, r->failed, r->attempts, r->not_listed, r->ports_not_tried);
    for (dir = DLO_DIR_IN; dir <= DLO_DIR_OUT; dir++) {
        size_t i, n = 0;
        dlo_buf_printf(b, ", \"%s\": [", dir == DLO_DIR_IN ? "inbound" : "outbound");
        for (i = 0; i < r->count; i++) {
            const dlo_probe_item *it = &r->items[i];
            if ((int)it->direction != dir)
                continue;
            dlo_buf_puts(b, n++ ? ", " : "");
            if (dir == DLO_DIR_IN)
                inbound_json(b, it);
            else
                outbound_json(b, it);
        }
        dlo_buf_putc(b, ']');
    }
    dlo_buf_puts(b, "}\n");
}
