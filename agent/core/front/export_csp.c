/* What the Firewall CSP takes (./Vendor/MSFT/Firewall/MdmStore/FirewallRules, Microsoft Learn
 * "Firewall CSP"; windows-itpro-docs firewall-csp.md), for the Intune exports: a rule node name
 * without '/', port ranges only (LocalPortRanges and RemotePortRanges are "comma separated list
 * of ranges": no RPC keyword), and the address keywords below, four of them only from Windows
 * 10 1809 ("Any attempt to set these tokens on RS4 results in failure"). */
#include "dlo/export.h"

#include "dlo/str.h"
#include "dlo/version.h"

#include <stdlib.h>
#include <string.h>

#define CSP_DOC "Firewall CSP, RemoteAddressRanges (Microsoft Learn)"
static const dlo_export_keyword csp_address_rows[] = {
    {"LocalSubnet", "LocalSubnet", CSP_DOC},
    {"DNS", "DNS", CSP_DOC},
    {"DHCP", "DHCP", CSP_DOC},
    {"WINS", "WINS", CSP_DOC},
    {"DefaultGateway", "Defaultgateway", CSP_DOC},
    /* Windows 10 1809 and later: csp_newer_keyword. */
    {"Intranet", "Intranet", CSP_DOC},
    {"RmtIntranet", "RmtIntranet", CSP_DOC},
    {"Internet", "Internet", CSP_DOC},
    {"Ply2Renders", "Ply2Renders", CSP_DOC},
};
static const dlo_export_keywords csp_addresses = {csp_address_rows, 9};
#define CSP_FIRST_NEWER 5

static bool csp_newer_keyword(const char *s, size_t n)
{
    size_t i;
    for (i = CSP_FIRST_NEWER; i < csp_addresses.count; i++)
        if (dlo_equals_ci(s, n, csp_address_rows[i].plan))
            return true;
    return false;
}

void dlo_export_csp_item(dlo_buf *b, const char *s, size_t n, bool ports)
{
    const char *kw = ports || !dlo_export_is_address_keyword(s, n)
                         ? NULL
                         : dlo_export_keyword_find(&csp_addresses, s, n);
    if (kw)
        dlo_buf_puts(b, kw);
    else
        dlo_buf_append(b, s, n);
}

/* Checks one list; sets *newer when it holds a keyword of Windows 10 1809. */
static bool csp_list_ok(dlo_export_refusals *r, const dlo_rule *rule, const char *what,
                        const char *list, bool ports, bool *newer)
{
    size_t n;
    if (dlo_list_is_any(list))
        return true;
    for (; *list; list += n + (list[n] == ',')) {
        n = strcspn(list, ",");
        if (ports && dlo_export_is_port_keyword(list, n)) {
            dlo_export_refuse(r, rule,
                              "holds the port keyword '%.*s' in its %s, and the Firewall "
                              "CSP takes port ranges only: use /export:powershell",
                              (int)n, list, what);
            return false;
        }
        if (!ports && dlo_export_is_address_keyword(list, n)) {
            if (!dlo_export_keyword_find(&csp_addresses, list, n)) {
                dlo_export_refuse(r, rule,
                                  "holds '%.*s' in its %s, which the Firewall CSP has no "
                                  "keyword for: use /export:powershell",
                                  (int)n, list, what);
                return false;
            }
            *newer = *newer || csp_newer_keyword(list, n);
        }
    }
    return true;
}

static bool csp_rule_ok(dlo_export_refusals *r, const dlo_rule *rule, const char *format,
                        bool *newer)
{
    if (!dlo_export_text_ok(r, rule, format))
        return false;
    if (strchr(dlo_str(rule->name), '/')) {
        dlo_export_refuse(r, rule,
                          "has a '/' in its name, which the Firewall CSP's rule names "
                          "cannot hold: use /export:powershell");
        return false;
    }
    *newer = false;
    return csp_list_ok(r, rule, "local ports", rule->local_ports, true, newer) &&
           csp_list_ok(r, rule, "remote ports", rule->remote_ports, true, newer) &&
           csp_list_ok(r, rule, "local addresses", rule->local_addresses, false, newer) &&
           csp_list_ok(r, rule, "remote addresses", rule->remote_addresses, false, newer);
}

void dlo_export_csp_description(dlo_buf *b, const dlo_plan *plan, const char *format)
{
    dlo_buf d;
    dlo_buf_init(&d);
    dlo_buf_printf(&d, "Made by dloagent %s /export:%s from the port matrix of %s, mode %s.",
                   DLO_VERSION_STRING, format, dlo_str(plan->release), dlo_mode_name(plan->mode));
    dlo_export_names(&d, plan, NULL);
    dlo_buf_json_str(b, dlo_buf_str(&d));
    dlo_buf_free(&d);
}

/* The title of one body: the plan, and which part of how many. */
static void csp_title(dlo_buf *t, const dlo_plan *plan, bool newer, size_t part, size_t parts)
{
    dlo_buf_reset(t);
    dlo_buf_puts(t, "Arctera DLO firewall rules - ");
    dlo_export_roles(t, plan);
    dlo_buf_printf(t, " - %s", dlo_mode_name(plan->mode));
    if (newer)
        dlo_buf_puts(t, " - Windows 10 1809 and later");
    if (parts > 1)
        dlo_buf_printf(t, " (%zu of %zu)", part + 1, parts);
}

static void csp_bodies(dlo_buf *b, const dlo_plan *plan, const size_t *idx, size_t n, bool newer,
                       bool *first, dlo_export_csp_body body)
{
    size_t parts = (n + DLO_EXPORT_CSP_MAX_RULES - 1) / DLO_EXPORT_CSP_MAX_RULES, p, take;
    dlo_buf title;
    dlo_buf_init(&title);
    for (p = 0; p < parts; p++) {
        take = n - p * DLO_EXPORT_CSP_MAX_RULES;
        if (take > DLO_EXPORT_CSP_MAX_RULES)
            take = DLO_EXPORT_CSP_MAX_RULES;
        csp_title(&title, plan, newer, p, parts);
        if (!*first)
            dlo_buf_puts(b, ",\n");
        *first = false;
        body(b, plan, idx + p * DLO_EXPORT_CSP_MAX_RULES, take, dlo_buf_str(&title));
    }
    dlo_buf_free(&title);
}

dlo_status dlo_export_csp(dlo_buf *b, const dlo_plan *plan, const char *format,
                          dlo_export_csp_body body, dlo_error *err)
{
    dlo_export_refusals r;
    size_t *older = calloc(plan->rules.count + 1, sizeof(size_t));
    size_t *newer = calloc(plan->rules.count + 1, sizeof(size_t));
    size_t i, n_older = 0, n_newer = 0, bodies;
    bool first = true, needs;
    dlo_status st = DLO_OK;
    dlo_export_refusals_init(&r);
    if (!older || !newer)
        st = dlo_error_set(err, DLO_E_NOMEM, "out of memory");
    for (i = 0; older && newer && i < plan->rules.count; i++)
        if (csp_rule_ok(&r, &plan->rules.items[i], format, &needs)) {
            if (needs)
                newer[n_newer++] = i;
            else
                older[n_older++] = i;
        }
    if (older && newer)
        st = dlo_export_refusals_status(&r, format, err);
    bodies = (n_older + DLO_EXPORT_CSP_MAX_RULES - 1) / DLO_EXPORT_CSP_MAX_RULES +
             (n_newer + DLO_EXPORT_CSP_MAX_RULES - 1) / DLO_EXPORT_CSP_MAX_RULES;
    if (!st) {
        dlo_buf_puts(b, bodies == 1 ? "" : "[\n");
        csp_bodies(b, plan, older, n_older, false, &first, body);
        csp_bodies(b, plan, newer, n_newer, true, &first, body);
        dlo_buf_puts(b, bodies == 1 ? "\n" : "\n]\n");
    }
    free(older);
    free(newer);
    dlo_export_refusals_free(&r);
    return st;
}
