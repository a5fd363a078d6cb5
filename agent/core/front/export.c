/* Exports of the plan (dlo/export.h). The scripts are text for people to review before they
 * run them: one block per rule, its matrix rows in a comment. */
#include "dlo/report.h"
#include "dlo/export.h"

#include "dlo/str.h"
#include "dlo/version.h"

#include <string.h>

/* A PowerShell single-quoted string: nothing inside is expanded, a quote is doubled. */
static void ps_span(dlo_buf *b, const char *s, size_t n)
{
    size_t i;
    dlo_buf_putc(b, '\'');
    for (i = 0; i < n; i++) {
        if (s[i] == '\'')
            dlo_buf_putc(b, '\'');
        dlo_buf_putc(b, s[i]);
    }
    dlo_buf_putc(b, '\'');
}

static void ps_str(dlo_buf *b, const char *s)
{
    ps_span(b, s, strlen(s));
}

/* A comma-separated list as a PowerShell array ('443','8000-8100'), or Any. With ports, the
 * endpoint mapper's keyword in the cmdlet's spelling: New-NetFirewallRule -LocalPort takes RPC
 * and RPCEPMap, the COM API and netsh RPC and RPC-EPMap. */
static void ps_items(dlo_buf *b, const char *list, bool ports)
{
    size_t n;
    if (dlo_list_is_any(list)) {
        dlo_buf_puts(b, "Any");
        return;
    }
    while (*list) {
        n = strcspn(list, ",");
        if (ports && dlo_equals_ci(list, n, "RPC-EPMap"))
            ps_str(b, "RPCEPMap");
        else
            ps_span(b, list, n);
        list += n;
        if (*list == ',') {
            dlo_buf_putc(b, ',');
            list++;
        }
    }
}

static const char *const profile_names[3] = {"Domain", "Private", "Public"};

static void profiles(dlo_buf *b, unsigned bits, char sep, bool lower)
{
    int p, n = 0;
    if ((bits & DLO_PROFILE_ALL) == DLO_PROFILE_ALL) {
        dlo_buf_puts(b, lower ? "any" : "Any");
        return;
    }
    for (p = 0; p < 3; p++) {
        const char *s = profile_names[p];
        if (!(bits & (1u << p)))
            continue;
        if (n++)
            dlo_buf_putc(b, sep);
        for (; *s; s++)
            dlo_buf_putc(b, lower ? dlo_ascii_lower(*s) : *s);
    }
}

static void protocol(dlo_buf *b, int proto, bool lower)
{
    if (proto == DLO_PROTO_TCP)
        dlo_buf_puts(b, lower ? "tcp" : "TCP");
    else if (proto == DLO_PROTO_UDP)
        dlo_buf_puts(b, lower ? "udp" : "UDP");
    else if (proto == DLO_PROTO_ANY)
        dlo_buf_puts(b, lower ? "any" : "Any");
    else
        dlo_buf_printf(b, "%d", proto);
}

static void header(dlo_buf *b, const dlo_plan *plan, const char *format)
{
    size_t i;
    dlo_buf_printf(b, "# Arctera DLO firewall rules: %zu rules, mode %s, roles ", plan->rules.count,
                   dlo_mode_name(plan->mode));
    for (i = 0; i < DLO_ROLE_COUNT; i++)
        if (plan->roles & DLO_ROLE_BIT(i))
            dlo_buf_printf(b, "%s%s", (plan->roles & (DLO_ROLE_BIT(i) - 1)) ? "," : "",
                           dlo_role_name((dlo_role)i));
    dlo_buf_printf(b, ".\n# Written by dloagent %s /export:%s from the port matrix of %s.\n",
                   DLO_VERSION_STRING, format, dlo_str(plan->release));
}

static void ps_rule(dlo_buf *b, const dlo_rule *r)
{
    dlo_buf_printf(b, "\n# %s; matrix rows: %s\n", dlo_str(r->name), dlo_str(r->rows));
    dlo_buf_puts(b, "New-NetFirewallRule @store -Group $group -DisplayName ");
    ps_str(b, dlo_str(r->name));
    dlo_buf_puts(b, " `\n    -Description ");
    ps_str(b, dlo_str(r->description));
    dlo_buf_printf(b, " `\n    -Direction %s -Protocol ",
                   r->direction == DLO_DIR_IN ? "Inbound" : "Outbound");
    protocol(b, r->protocol, false);
    if (r->protocol == DLO_PROTO_TCP || r->protocol == DLO_PROTO_UDP) {
        dlo_buf_puts(b, " -LocalPort ");
        ps_items(b, r->local_ports, true);
        dlo_buf_puts(b, " -RemotePort ");
        ps_items(b, r->remote_ports, true);
    }
    dlo_buf_puts(b, " `\n    -LocalAddress ");
    ps_items(b, r->local_addresses, false);
    dlo_buf_puts(b, " -RemoteAddress ");
    ps_items(b, r->remote_addresses, false);
    dlo_buf_puts(b, " `\n    -Profile ");
    profiles(b, r->profiles, ',', false);
    dlo_buf_printf(b, " -Action %s -Enabled %s", r->action == DLO_ACTION_ALLOW ? "Allow" : "Block",
                   r->enabled ? "True" : "False");
    if (*dlo_str(r->application)) {
        dlo_buf_puts(b, " -Program ");
        ps_str(b, r->application);
    }
    if (*dlo_str(r->service)) {
        dlo_buf_puts(b, " -Service ");
        ps_str(b, r->service);
    }
    dlo_buf_puts(b, " | Out-Null\n");
}

void dlo_export_powershell(dlo_buf *b, const dlo_plan *plan)
{
    size_t i;
    header(b, plan, "powershell");
    dlo_buf_puts(b, "# Makes exactly these rules in a policy store: replaces the rules of the "
                    "Group below there and\n# touches no other rule. Runs on Windows PowerShell "
                    "5.1 and later, elevated.\n"
                    "#   the local store:  .\\dlo-firewall.ps1\n"
                    "#   a GPO:            .\\dlo-firewall.ps1 -PolicyStore 'contoso.com\\DLO "
                    "Servers'\n"
                    "[CmdletBinding()]\n"
                    "param([string]$PolicyStore = 'PersistentStore')\n"
                    "$ErrorActionPreference = 'Stop'\n"
                    "$group = ");
    ps_str(b, DLO_RULE_GROUPING);
    dlo_buf_puts(b, "\n$gpo = $null\n"
                    "$store = @{ PolicyStore = $PolicyStore }\n"
                    "if ($PolicyStore -like '*\\*') {\n"
                    "    # A GPO: edit it in one session, written back once by Save-NetGPO.\n"
                    "    $gpo = Open-NetGPO -PolicyStore $PolicyStore\n"
                    "    $store = @{ GPOSession = $gpo }\n"
                    "}\n"
                    "$old = @(Get-NetFirewallRule @store -Group $group -ErrorAction "
                    "SilentlyContinue)\n"
                    "if ($old.Count -gt 0) { Remove-NetFirewallRule @store -Group $group }\n");
    for (i = 0; i < plan->rules.count; i++)
        ps_rule(b, &plan->rules.items[i]);
    dlo_buf_puts(b, "\nif ($gpo) { Save-NetGPO -GPOSession $gpo }\n");
}

/* A netsh value: quoted, with the quotes a value cannot hold left out. */
static void netsh_str(dlo_buf *b, const char *s)
{
    dlo_buf_putc(b, '"');
    for (; *s; s++)
        if (*s != '"')
            dlo_buf_putc(b, *s);
    dlo_buf_putc(b, '"');
}

static void netsh_list(dlo_buf *b, const char *key, const char *list)
{
    dlo_buf_printf(b, " %s=%s", key, dlo_list_is_any(list) ? "any" : list);
}

void dlo_export_netsh(dlo_buf *b, const dlo_plan *plan)
{
    size_t i;
    header(b, plan, "netsh");
    dlo_buf_puts(b, "# netsh advfirewall firewall commands for the local store. netsh cannot set "
                    "a Group: each rule\n# is replaced by name and direction, and the rules made "
                    "are not the agent's (/apply owns\n# rules by Group). Prefer "
                    "/export:powershell where PowerShell is available.\n");
    for (i = 0; i < plan->rules.count; i++) {
        const dlo_rule *r = &plan->rules.items[i];
        const char *dir = r->direction == DLO_DIR_IN ? "in" : "out";
        dlo_buf_printf(b, "\n# %s; matrix rows: %s\n", dlo_str(r->name), dlo_str(r->rows));
        dlo_buf_puts(b, "netsh advfirewall firewall delete rule name=");
        netsh_str(b, dlo_str(r->name));
        dlo_buf_printf(b, " dir=%s\n", dir);
        dlo_buf_puts(b, "netsh advfirewall firewall add rule name=");
        netsh_str(b, dlo_str(r->name));
        dlo_buf_printf(b, " dir=%s action=%s protocol=", dir,
                       r->action == DLO_ACTION_ALLOW ? "allow" : "block");
        protocol(b, r->protocol, true);
        if (r->protocol == DLO_PROTO_TCP || r->protocol == DLO_PROTO_UDP) {
            netsh_list(b, "localport", r->local_ports);
            netsh_list(b, "remoteport", r->remote_ports);
        }
        netsh_list(b, "localip", r->local_addresses);
        netsh_list(b, "remoteip", r->remote_addresses);
        dlo_buf_puts(b, " profile=");
        profiles(b, r->profiles, ',', true);
        dlo_buf_printf(b, " enable=%s", r->enabled ? "yes" : "no");
        if (*dlo_str(r->application)) {
            dlo_buf_puts(b, " program=");
            netsh_str(b, r->application);
        }
        if (*dlo_str(r->service)) {
            dlo_buf_puts(b, " service=");
            netsh_str(b, r->service);
        }
        dlo_buf_puts(b, " description=");
        netsh_str(b, dlo_str(r->description));
        dlo_buf_putc(b, '\n');
    }
}

dlo_status dlo_export(dlo_buf *b, const dlo_plan *plan, const dlo_config *cfg, const char *format,
                      dlo_error *err)
{
    if (dlo_str_equal_ci(format, "powershell"))
        dlo_export_powershell(b, plan);
    else if (dlo_str_equal_ci(format, "netsh"))
        dlo_export_netsh(b, plan);
    else if (dlo_str_equal_ci(format, "json"))
        dlo_plan_json(b, plan, cfg);
    else
        return dlo_error_set(err, DLO_E_USAGE,
                             "/export:%s: unknown format; expected powershell, netsh or json",
                             format);
    return DLO_OK;
}
