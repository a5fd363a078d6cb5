/* /matrix: the port matrix as the agent understands it, in text and JSON. */
#include "dlo/report.h"

#include "dlo/rule.h"

/* served-by as the file writes it: "service DLOAdminSvcu", "service-display \"*DLO Edge*\"". */
static void served_by_text(dlo_buf *b, const dlo_policy_row *r)
{
    dlo_buf_puts(b, dlo_served_by_name(r->served_by));
    if (r->served_by == DLO_SERVED_SERVICE)
        dlo_buf_printf(b, " %s", r->served_name);
    else if (r->served_by == DLO_SERVED_SERVICE_DISPLAY)
        dlo_buf_printf(b, " \"%s\"", r->served_name);
}

/* {"RPC-EPMap": "135", "RPC": "49152-65535"}, or null for a row without rpc-ports. */
static void rpc_ports_json(dlo_buf *b, const dlo_policy_row *r)
{
    int k;
    bool first = true;
    if (!r->has_rpc_ports) {
        dlo_buf_puts(b, "null");
        return;
    }
    dlo_buf_putc(b, '{');
    for (k = 0; k < DLO_RPC_COUNT; k++) {
        if (!r->rpc_ports[k].n_items)
            continue;
        dlo_buf_printf(b, "%s\"%s\": \"", first ? "" : ", ", dlo_rpc_keyword(k));
        dlo_portset_format(b, &r->rpc_ports[k]);
        dlo_buf_putc(b, '"');
        first = false;
    }
    dlo_buf_putc(b, '}');
}

void dlo_report_matrix_json(dlo_buf *b, const dlo_policy *pol)
{
    size_t i;
    int m, n;

    dlo_buf_puts(b, "{\"release\": ");
    dlo_buf_json_str(b, pol->release);
    dlo_buf_puts(b, ", \"roles\": ");
    dlo_roles_table_json(b);
    dlo_buf_puts(b, ", \"profiles\": {");
    for (m = 0; m < DLO_MODE_COUNT; m++) {
        dlo_buf_printf(b, "%s\"%s\": {", m ? ", " : "", dlo_mode_name((dlo_mode)m));
        for (n = 0; n < DLO_NET_COUNT; n++) {
            dlo_buf_printf(b, "%s\"%s\": [", n ? ", " : "", dlo_policy_network_name(n));
            dlo_profiles_json(b, pol->profiles[m][n]);
            dlo_buf_putc(b, ']');
        }
        dlo_buf_putc(b, '}');
    }
    dlo_buf_puts(b, "}, \"rows\": [");
    for (i = 0; i < pol->n_rows; i++) {
        const dlo_policy_row *r = &pol->rows[i];
        dlo_buf_puts(b, i ? ",\n  {\"id\": " : "\n  {\"id\": ");
        dlo_buf_json_str(b, r->id);
        dlo_buf_json_member(b, "table", r->table);
        dlo_buf_json_member(b, "process", r->process);
        dlo_buf_json_member(b, "port", r->port_text);
        dlo_buf_json_member(b, "ports", r->ports);
        dlo_buf_json_member(b, "type", r->type);
        dlo_buf_json_member(b, "rule", r->rule);
        dlo_buf_puts(b, ", \"served_by\": ");
        if (r->served_by == DLO_SERVED_UNSAID) {
            dlo_buf_puts(b, "null");
        } else {
            dlo_buf_printf(b, "{\"kind\": \"%s\", \"name\": ", dlo_served_by_name(r->served_by));
            if (r->served_name)
                dlo_buf_json_str(b, r->served_name);
            else
                dlo_buf_puts(b, "null");
            dlo_buf_putc(b, '}');
        }
        dlo_buf_printf(b, ", \"network\": \"%s\", \"modes\": {",
                       dlo_policy_network_name(r->network));
        for (m = 0; m < DLO_MODE_COUNT; m++) {
            dlo_buf_printf(b, "%s\"%s\": ", m ? ", " : "", dlo_mode_name((dlo_mode)m));
            if (!r->applies[m]) {
                dlo_buf_puts(b, "null");
                continue;
            }
            dlo_buf_puts(b, "{\"source\": ");
            dlo_roles_json(b, r->sources[m]);
            dlo_buf_puts(b, ", \"destination\": ");
            dlo_roles_json(b, r->destinations[m]);
            dlo_buf_putc(b, '}');
        }
        dlo_buf_puts(b, "}, \"rpc_ports\": ");
        rpc_ports_json(b, r);
        dlo_buf_puts(b, ", \"until_detected\": ");
        dlo_roles_json(b, r->until_detected);
        dlo_buf_putc(b, '}');
    }
    dlo_buf_puts(b, "\n]}\n");
}

/* The optional keys, one line each, as the file writes them. */
static void policy_text_extras(dlo_buf *b, const dlo_policy_row *r)
{
    int k;
    if (r->has_rpc_ports) {
        dlo_buf_puts(b, "  rpc-ports      ");
        for (k = 0; k < DLO_RPC_COUNT; k++) {
            if (!r->rpc_ports[k].n_items)
                continue;
            dlo_buf_printf(b, " %s=", dlo_rpc_keyword(k));
            dlo_portset_format(b, &r->rpc_ports[k]);
        }
        dlo_buf_putc(b, '\n');
    }
    if (r->until_detected) {
        dlo_buf_puts(b, "  until-detected  ");
        dlo_roles_format(b, r->until_detected);
        dlo_buf_putc(b, '\n');
    }
}

void dlo_report_matrix_text(dlo_buf *b, const dlo_policy *pol)
{
    size_t i;
    int m;

    dlo_buf_printf(b, "Port matrix: %s, %zu rows\n", pol->release, pol->n_rows);
    for (i = 0; i < pol->n_rows; i++) {
        const dlo_policy_row *r = &pol->rows[i];
        dlo_buf_printf(b, "\n%s: %s, port %s (%s), %s network\n", r->id, r->process, r->ports,
                       r->type, dlo_policy_network_name(r->network));
        if (r->served_by != DLO_SERVED_UNSAID) {
            dlo_buf_puts(b, "  served by: ");
            served_by_text(b, r);
            dlo_buf_putc(b, '\n');
        }
        for (m = 0; m < DLO_MODE_COUNT; m++) {
            dlo_buf_puts(b, "  ");
            dlo_buf_pad(b, dlo_mode_title((dlo_mode)m), 16);
            if (!r->applies[m]) {
                dlo_buf_puts(b, "NA\n");
                continue;
            }
            dlo_buf_puts(b, "out: ");
            dlo_roles_format(b, r->sources[m]);
            dlo_buf_puts(b, "  in: ");
            dlo_roles_format(b, r->destinations[m]);
            dlo_buf_putc(b, '\n');
        }
        policy_text_extras(b, r);
    }
}
