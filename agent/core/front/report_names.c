/* The host names of the scopes and what each resolved to, for /plan and /config. */
#include "dlo/names.h"
#include "dlo/report.h"

#include <string.h>

/* "AdminServers, EdgeServers": the values that name it. */
static void values_text(dlo_buf *b, dlo_role_set roles)
{
    int r;
    bool first = true;
    for (r = 0; r < DLO_ROLE_COUNT; r++) {
        if (!(roles & DLO_ROLE_BIT(r)))
            continue;
        dlo_buf_printf(b, "%s%s", first ? "" : ", ",
                       dlo_config_item_name((dlo_config_item)(DLO_CFG_SCOPE_FIRST + r)));
        first = false;
    }
}

void dlo_report_names_text(dlo_buf *b, const dlo_names *names)
{
    size_t i;
    if (!names || !names->count)
        return;
    dlo_buf_puts(b, "\nHost names (resolved when planned; the rules hold the addresses):\n");
    for (i = 0; i < names->count; i++) {
        const dlo_name *nm = &names->items[i];
        dlo_buf_printf(b, "  %s -> %s (", nm->name, nm->addresses ? nm->addresses : "(none)");
        values_text(b, nm->roles);
        dlo_buf_printf(b, "; %s", dlo_name_state_name(nm->state));
        if (nm->ttl_seconds)
            dlo_buf_printf(b, ", TTL %u s", nm->ttl_seconds);
        if (nm->state == DLO_NAME_KEPT)
            dlo_buf_puts(b, ": last known addresses");
        if (nm->why[0])
            dlo_buf_printf(b, ": %s", nm->why);
        dlo_buf_puts(b, ")\n");
    }
}

/* The addresses of a normal-form list as a JSON array. */
static void addresses_json(dlo_buf *b, const char *list)
{
    const char *p = list;
    dlo_buf_putc(b, '[');
    while (p && *p) {
        size_t n = strcspn(p, ",");
        dlo_buf one;
        dlo_buf_init(&one);
        dlo_buf_append(&one, p, n);
        dlo_buf_puts(b, p == list ? "" : ", ");
        dlo_buf_json_str(b, dlo_buf_str(&one));
        dlo_buf_free(&one);
        p += n + (p[n] == ',');
    }
    dlo_buf_putc(b, ']');
}

void dlo_report_names_json(dlo_buf *b, const dlo_names *names)
{
    size_t i;
    int r;
    if (!names || !names->count)
        return;
    dlo_buf_puts(b, ", \"names\": [");
    for (i = 0; i < names->count; i++) {
        const dlo_name *nm = &names->items[i];
        bool first = true;
        dlo_buf_puts(b, i ? ",\n  {\"name\": " : "\n  {\"name\": ");
        dlo_buf_json_str(b, nm->name);
        dlo_buf_puts(b, ", \"values\": [");
        for (r = 0; r < DLO_ROLE_COUNT; r++)
            if (nm->roles & DLO_ROLE_BIT(r)) {
                dlo_buf_printf(b, "%s\"%s\"", first ? "" : ", ",
                               dlo_config_item_name((dlo_config_item)(DLO_CFG_SCOPE_FIRST + r)));
                first = false;
            }
        dlo_buf_printf(b, "], \"state\": \"%s\", \"addresses\": ", dlo_name_state_name(nm->state));
        addresses_json(b, nm->addresses);
        dlo_buf_printf(b, ", \"ttl\": %u, \"reason\": ", nm->ttl_seconds);
        dlo_buf_json_str(b, nm->why);
        dlo_buf_putc(b, '}');
    }
    dlo_buf_puts(b, "\n]");
}
