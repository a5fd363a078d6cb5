/* /export:intune: request bodies for Intune's settings catalog firewall rules policy, for
 * POST /beta/deviceManagement/configurationPolicies: template
 * 19c8aa67-f286-4861-9aa0-f23541d31680_1 (endpointSecurityFirewall, "Microsoft Defender Firewall
 * Rules"), one group setting collection vendor_msft_firewall_mdmstore_firewallrules_
 * {firewallrulename} with one value per rule, whose children are the rule's Firewall CSP nodes
 * (the shape of the bodies Invoke-MgConvertFirewallRules.ps1 posts, ennnbeee/mve-scripts; see
 * tests/policy/check_intune.py). Values are in the CSP's spelling (export_csp.c). */
#include "dlo/export.h"

#include "dlo/str.h"

#include <string.h>

#define DEF   "vendor_msft_firewall_mdmstore_firewallrules_{firewallrulename}"
#define GRAPH "#microsoft.graph.deviceManagementConfiguration"

static void child_start(dlo_buf *b, bool *first, const char *type, const char *node)
{
    dlo_buf_printf(b,
                   "%s\n            {\"@odata.type\": \"" GRAPH "%s\", "
                   "\"settingDefinitionId\": \"" DEF "_%s\", ",
                   *first ? "" : ",", type, node);
    *first = false;
}

static void child_string(dlo_buf *b, bool *first, const char *node, const char *value)
{
    child_start(b, first, "SimpleSettingInstance", node);
    dlo_buf_puts(b, "\"simpleSettingValue\": {\"@odata.type\": \"" GRAPH "StringSettingValue\", "
                    "\"value\": ");
    dlo_buf_json_str(b, value);
    dlo_buf_puts(b, "}}");
}

static void child_choice(dlo_buf *b, bool *first, const char *node, const char *choice)
{
    child_start(b, first, "ChoiceSettingInstance", node);
    dlo_buf_printf(b,
                   "\"choiceSettingValue\": {\"@odata.type\": \"" GRAPH "ChoiceSettingValue\", "
                   "\"value\": \"" DEF "_%s_%s\", \"children\": []}}",
                   node, choice);
}

/* A list node as one string value per item (ports, addresses); nothing when it means any. */
static void child_list(dlo_buf *b, bool *first, const char *node, const char *list, bool ports)
{
    size_t n, i = 0;
    dlo_buf item;
    if (dlo_list_is_any(list))
        return;
    dlo_buf_init(&item);
    child_start(b, first, "SimpleSettingCollectionInstance", node);
    dlo_buf_puts(b, "\"simpleSettingCollectionValue\": [");
    for (; *list; list += n + (list[n] == ','), i++) {
        n = strcspn(list, ",");
        dlo_buf_reset(&item);
        dlo_export_csp_item(&item, list, n, ports);
        dlo_buf_printf(
            b, "%s{\"@odata.type\": \"" GRAPH "StringSettingValue\", \"value\": ", i ? ", " : "");
        dlo_buf_json_str(b, dlo_buf_str(&item));
        dlo_buf_putc(b, '}');
    }
    dlo_buf_puts(b, "]}");
    dlo_buf_free(&item);
}

static void child_profiles(dlo_buf *b, bool *first, unsigned bits)
{
    unsigned p;
    int n = 0;
    child_start(b, first, "ChoiceSettingCollectionInstance", "profiles");
    dlo_buf_puts(b, "\"choiceSettingCollectionValue\": [");
    for (p = 1; p <= 4; p <<= 1)
        if (bits & p)
            dlo_buf_printf(b,
                           "%s{\"@odata.type\": \"" GRAPH "ChoiceSettingValue\", "
                           "\"value\": \"" DEF "_profiles_%u\", \"children\": []}",
                           n++ ? ", " : "", p);
    dlo_buf_puts(b, "]}");
}

static void intune_rule(dlo_buf *b, const dlo_rule *r)
{
    bool first = true;
    dlo_buf_puts(b, "{\"children\": [");
    child_string(b, &first, "name", dlo_str(r->name));
    child_string(b, &first, "description", dlo_str(r->description));
    child_choice(b, &first, "enabled", r->enabled ? "1" : "0");
    child_choice(b, &first, "direction", r->direction == DLO_DIR_IN ? "in" : "out");
    child_choice(b, &first, "action_type", r->action == DLO_ACTION_ALLOW ? "1" : "0");
    if (r->protocol != DLO_PROTO_ANY) {
        child_start(b, &first, "SimpleSettingInstance", "protocol");
        dlo_buf_printf(b,
                       "\"simpleSettingValue\": {\"@odata.type\": \"" GRAPH
                       "IntegerSettingValue\", \"value\": %d}}",
                       r->protocol);
    }
    child_list(b, &first, "localportranges", r->local_ports, true);
    child_list(b, &first, "remoteportranges", r->remote_ports, true);
    child_list(b, &first, "localaddressranges", r->local_addresses, false);
    child_list(b, &first, "remoteaddressranges", r->remote_addresses, false);
    child_profiles(b, &first, r->profiles);
    if (*dlo_str(r->application))
        child_string(b, &first, "app_filepath", r->application);
    if (*dlo_str(r->service))
        child_string(b, &first, "app_servicename", r->service);
    child_start(b, &first, "ChoiceSettingCollectionInstance", "interfacetypes");
    dlo_buf_puts(b, "\"choiceSettingCollectionValue\": [{\"@odata.type\": \"" GRAPH
                    "ChoiceSettingValue\", \"value\": \"" DEF "_interfacetypes_all\", "
                    "\"children\": []}]}");
    dlo_buf_puts(b, "\n          ]}");
}

static void intune_body(dlo_buf *b, const dlo_plan *plan, const size_t *idx, size_t n,
                        const char *title)
{
    size_t i;
    dlo_buf_puts(b, "{\n  \"name\": ");
    dlo_buf_json_str(b, title);
    dlo_buf_puts(b, ",\n  \"description\": ");
    dlo_export_csp_description(b, plan, "intune");
    dlo_buf_puts(b, ",\n  \"platforms\": \"windows10\",\n"
                    "  \"technologies\": \"mdm,microsoftSense\",\n"
                    "  \"roleScopeTagIds\": [\"0\"],\n"
                    "  \"templateReference\": {\"templateId\": "
                    "\"19c8aa67-f286-4861-9aa0-f23541d31680_1\"},\n"
                    "  \"settings\": [{\n"
                    "    \"@odata.type\": \"" GRAPH "Setting\",\n"
                    "    \"settingInstance\": {\n"
                    "      \"@odata.type\": \"" GRAPH "GroupSettingCollectionInstance\",\n"
                    "      \"settingDefinitionId\": \"" DEF "\",\n"
                    "      \"settingInstanceTemplateReference\": {\"settingInstanceTemplateId\": "
                    "\"76c7a8be-67d2-44bf-81a5-38c94926b1a1\"},\n"
                    "      \"groupSettingCollectionValue\": [");
    for (i = 0; i < n; i++) {
        dlo_buf_puts(b, i ? ",\n        " : "\n        ");
        intune_rule(b, &plan->rules.items[idx[i]]);
    }
    dlo_buf_puts(b, "\n      ]\n    }\n  }]\n}");
}

dlo_status dlo_export_intune(dlo_buf *b, const dlo_plan *plan, dlo_error *err)
{
    return dlo_export_csp(b, plan, "intune", intune_body, err);
}
