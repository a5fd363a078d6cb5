/* /export:intune-omauri: the plan as Firewall CSP rows, ./Vendor/MSFT/Firewall/MdmStore/
 * FirewallRules/{FirewallRuleName}/{node} with a type and a value each, for tools that take
 * OMA-URI rows. The rows sit in a request body for an Intune custom profile (Graph's
 * windows10CustomConfiguration, POST /beta/deviceManagement/deviceConfigurations, omaSettings
 * of omaSettingString, omaSettingInteger, omaSettingBoolean); another MDM reads each row's
 * omaUri and value. FirewallRuleName is the rule's identity (dlo_export_rule_id): ASCII
 * letters and digits, never '/'. Node types as the CSP page gives them: Name, Description,
 * Direction (IN/OUT), App/FilePath, App/ServiceName, the port and address ranges as strings;
 * Protocol, Profiles (FW_PROFILE_TYPE bits) and Action/Type as integers; Enabled a boolean. */
#include "dlo/export.h"

#include "dlo/str.h"

#include <string.h>

#define CSP_ROOT "./Vendor/MSFT/Firewall/MdmStore/FirewallRules/"
#define GRAPH    "#microsoft.graph."

/* One row: its type, the rule's name with the node for people, the URI, and the value start. */
static void row_start(dlo_buf *b, bool *first, const char *type, const dlo_rule *r, const char *id,
                      const char *node)
{
    dlo_buf d;
    dlo_buf_init(&d);
    dlo_buf_printf(&d, "%s: %s", dlo_str(r->name), node);
    dlo_buf_printf(
        b, "%s\n    {\"@odata.type\": \"" GRAPH "%s\", \"displayName\": ", *first ? "" : ",", type);
    dlo_buf_json_str(b, dlo_buf_str(&d));
    dlo_buf_printf(b, ", \"omaUri\": \"" CSP_ROOT "%s/%s\", \"value\": ", id, node);
    *first = false;
    dlo_buf_free(&d);
}

static void row_string(dlo_buf *b, bool *first, const dlo_rule *r, const char *id, const char *node,
                       const char *value)
{
    row_start(b, first, "omaSettingString", r, id, node);
    dlo_buf_json_str(b, value);
    dlo_buf_putc(b, '}');
}

static void row_integer(dlo_buf *b, bool *first, const dlo_rule *r, const char *id,
                        const char *node, long value)
{
    row_start(b, first, "omaSettingInteger", r, id, node);
    dlo_buf_printf(b, "%ld}", value);
}

/* A list in the CSP's spelling, comma-separated as the node takes it; no row for any. */
static void row_list(dlo_buf *b, bool *first, const dlo_rule *r, const char *id, const char *node,
                     const char *list, bool ports)
{
    size_t n;
    dlo_buf v;
    if (dlo_list_is_any(list))
        return;
    dlo_buf_init(&v);
    for (; *list; list += n + (list[n] == ',')) {
        n = strcspn(list, ",");
        if (v.len)
            dlo_buf_putc(&v, ',');
        dlo_export_csp_item(&v, list, n, ports);
    }
    row_string(b, first, r, id, node, dlo_buf_str(&v));
    dlo_buf_free(&v);
}

static void omauri_rule(dlo_buf *b, bool *first, const dlo_rule *r)
{
    dlo_buf idb;
    const char *id;
    dlo_buf_init(&idb);
    dlo_export_rule_id(&idb, dlo_str(r->name));
    id = dlo_buf_str(&idb);
    row_string(b, first, r, id, "Name", dlo_str(r->name));
    row_string(b, first, r, id, "Description", dlo_str(r->description));
    row_string(b, first, r, id, "Direction", r->direction == DLO_DIR_IN ? "IN" : "OUT");
    row_integer(b, first, r, id, "Action/Type", r->action == DLO_ACTION_ALLOW ? 1 : 0);
    row_integer(b, first, r, id, "Profiles", (long)(r->profiles & DLO_PROFILE_ALL));
    if (r->protocol != DLO_PROTO_ANY)
        row_integer(b, first, r, id, "Protocol", r->protocol);
    row_list(b, first, r, id, "LocalPortRanges", r->local_ports, true);
    row_list(b, first, r, id, "RemotePortRanges", r->remote_ports, true);
    row_list(b, first, r, id, "LocalAddressRanges", r->local_addresses, false);
    row_list(b, first, r, id, "RemoteAddressRanges", r->remote_addresses, false);
    if (*dlo_str(r->application))
        row_string(b, first, r, id, "App/FilePath", r->application);
    if (*dlo_str(r->service))
        row_string(b, first, r, id, "App/ServiceName", r->service);
    row_start(b, first, "omaSettingBoolean", r, id, "Enabled");
    dlo_buf_puts(b, r->enabled ? "true}" : "false}");
    dlo_buf_free(&idb);
}

static void omauri_body(dlo_buf *b, const dlo_plan *plan, const size_t *idx, size_t n,
                        const char *title)
{
    size_t i;
    bool first = true;
    dlo_buf_puts(b, "{\n  \"@odata.type\": \"" GRAPH "windows10CustomConfiguration\",\n"
                    "  \"displayName\": ");
    dlo_buf_json_str(b, title);
    dlo_buf_puts(b, ",\n  \"description\": ");
    dlo_export_csp_description(b, plan, "intune-omauri");
    dlo_buf_puts(b, ",\n  \"omaSettings\": [");
    for (i = 0; i < n; i++)
        omauri_rule(b, &first, &plan->rules.items[idx[i]]);
    dlo_buf_puts(b, "\n  ]\n}");
}

dlo_status dlo_export_omauri(dlo_buf *b, const dlo_plan *plan, dlo_error *err)
{
    dlo_export_refusals r;
    dlo_status st;
    /* The rows address rules by their identity, which must be one rule's only. */
    dlo_export_refusals_init(&r);
    dlo_export_check_ids(&r, plan);
    st = dlo_export_refusals_status(&r, "intune-omauri", err);
    dlo_export_refusals_free(&r);
    return st ? st : dlo_export_csp(b, plan, "intune-omauri", omauri_body, err);
}
