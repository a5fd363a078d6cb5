/* /export:powershell: a script for Windows PowerShell 5.1 and later that makes the rules of the
 * agent's Group exactly the plan in one policy store, reading each rule by a Name derived from
 * the rule (dlo_export_rule_id), so that a second run changes nothing and a GPO is saved only
 * when something differs.
 *
 * Everything the script takes from the plan is data in single-quoted strings; no comment holds
 * a name or a description. PowerShell ends a single-quoted string at any of ' U+2018 U+2019
 * U+201A U+201B and reads a doubled one as that character (about_Quoting_Rules; the tokenizer's
 * ScanStringLiteral), so each is doubled and nothing in a name can end its string. */
#include "dlo/export.h"

#include "dlo/str.h"
#include "dlo/version.h"

#include <stdint.h>
#include <string.h>

#define FORMAT "powershell"

/* New-NetFirewallRule -RemoteAddress keywords (MicrosoftDocs/windows-powershell-docs,
 * docset/winserver2022-ps/netsecurity/New-NetFirewallRule.md; the 1809 ones from PR 3968). */
#define PS_ADDR_DOC "New-NetFirewallRule -RemoteAddress (Microsoft Learn)"
static const dlo_export_keyword ps_address_rows[] = {
    {"LocalSubnet", "LocalSubnet", PS_ADDR_DOC},
    {"DNS", "DNS", PS_ADDR_DOC},
    {"DHCP", "DHCP", PS_ADDR_DOC},
    {"WINS", "WINS", PS_ADDR_DOC},
    {"DefaultGateway", "DefaultGateway", PS_ADDR_DOC},
    {"Intranet", "Intranet", PS_ADDR_DOC},
    {"RmtIntranet", "IntranetRemoteAccess", PS_ADDR_DOC},
    {"Internet", "Internet", PS_ADDR_DOC},
    {"Ply2Renders", "PlayToDevice", PS_ADDR_DOC},
};
static const dlo_export_keywords ps_addresses = {ps_address_rows, 9};

/* New-NetFirewallRule -LocalPort keywords (same page): RPC, RPCEPMap, IPHTTPSIn, IPHTTPSOut,
 * Teredo, PlayToDiscovery; mDNS only from Windows Server 2025's page. */
#define PS_PORT_DOC "New-NetFirewallRule -LocalPort (Microsoft Learn)"
static const dlo_export_keyword ps_port_rows[] = {
    {"RPC", "RPC", PS_PORT_DOC},
    {"RPC-EPMap", "RPCEPMap", PS_PORT_DOC},
    {"IPHTTPSIn", "IPHTTPSIn", PS_PORT_DOC},
    {"IPHTTPSOut", "IPHTTPSOut", PS_PORT_DOC},
    {"Teredo", "Teredo", PS_PORT_DOC},
    {"Ply2Disc", "PlayToDiscovery", PS_PORT_DOC},
};
static const dlo_export_keywords ps_ports = {ps_port_rows, 6};

static bool ps_quote_like(uint32_t cp)
{
    return cp == '\'' || (cp >= 0x2018 && cp <= 0x201B);
}

/* A single-quoted string holding exactly s (valid UTF-8, checked before). */
static void ps_string(dlo_buf *b, const char *s)
{
    size_t n = strlen(s), i = 0, k;
    uint32_t cp = 0;
    dlo_buf_putc(b, '\'');
    while (i < n) {
        k = dlo_utf8_decode(s + i, n - i, &cp);
        if (k == 0) /* not reached: dlo_export_text_ok refused it */
            k = 1, cp = 0xFFFD;
        if (ps_quote_like(cp))
            dlo_buf_append(b, s + i, k);
        dlo_buf_append(b, s + i, k);
        i += k;
    }
    dlo_buf_putc(b, '\'');
}

/* A list as a PowerShell array @('a','b'), keywords in the cmdlet's spelling; @('Any') for any.
 * False (and the rule refused) for a keyword the cmdlet has no spelling for. */
static bool ps_list(dlo_buf *b, dlo_export_refusals *r, const dlo_rule *rule, const char *what,
                    const char *list, bool ports)
{
    const dlo_export_keywords *t = ports ? &ps_ports : &ps_addresses;
    bool ok = true;
    size_t n;
    dlo_buf item;
    dlo_buf_puts(b, "@(");
    if (dlo_list_is_any(list)) {
        dlo_buf_puts(b, "'Any')");
        return true;
    }
    dlo_buf_init(&item);
    while (*list) {
        n = strcspn(list, ",");
        dlo_buf_reset(&item);
        if (ports ? dlo_export_is_port_keyword(list, n) : dlo_export_is_address_keyword(list, n)) {
            const char *kw = dlo_export_keyword_find(t, list, n);
            if (!kw && ok)
                dlo_export_refuse(r, rule,
                                  "holds the %s keyword '%.*s', which PowerShell's "
                                  "New-NetFirewallRule has no spelling for",
                                  what, (int)n, list);
            ok = ok && kw;
            dlo_buf_puts(&item, kw ? kw : "");
        } else {
            dlo_buf_append(&item, list, n);
        }
        ps_string(b, dlo_buf_str(&item));
        list += n;
        if (*list == ',' && *++list)
            dlo_buf_putc(b, ',');
    }
    dlo_buf_free(&item);
    dlo_buf_putc(b, ')');
    return ok;
}

/* Row ids go in a comment: the policy parser allows only a-z, 0-9, '.' and '-' in them (and the
 * plan joins them with ','); anything else is not written there. */
static void ps_rows_comment(dlo_buf *b, const char *rows)
{
    const char *p;
    for (p = rows; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr(".,-", *p)))
            return;
    dlo_buf_printf(b, "# matrix rows: %s\n", rows);
}

static void ps_field(dlo_buf *b, const char *key, const char *value)
{
    dlo_buf_printf(b, "    %-13s = ", key);
    ps_string(b, value);
    dlo_buf_putc(b, '\n');
}

static bool ps_rule(dlo_buf *b, dlo_export_refusals *r, const dlo_rule *rule)
{
    bool ok = true;
    dlo_buf id;
    dlo_buf_init(&id);
    dlo_export_rule_id(&id, dlo_str(rule->name));
    dlo_buf_putc(b, '\n');
    ps_rows_comment(b, dlo_str(rule->rows));
    dlo_buf_puts(b, "Sync-DloRule @{\n");
    ps_field(b, "Name", dlo_buf_str(&id));
    ps_field(b, "DisplayName", dlo_str(rule->name));
    ps_field(b, "Description", dlo_str(rule->description));
    ps_field(b, "Direction", rule->direction == DLO_DIR_IN ? "Inbound" : "Outbound");
    dlo_buf_printf(b, "    %-13s = ", "Protocol");
    dlo_buf_putc(b, '\'');
    dlo_export_protocol(b, rule->protocol, false);
    dlo_buf_putc(b, '\'');
    dlo_buf_printf(b, "\n    %-13s = ", "LocalPort");
    ok = ps_list(b, r, rule, "local port", rule->local_ports, true) && ok;
    dlo_buf_printf(b, "\n    %-13s = ", "RemotePort");
    ok = ps_list(b, r, rule, "remote port", rule->remote_ports, true) && ok;
    dlo_buf_printf(b, "\n    %-13s = ", "LocalAddress");
    ok = ps_list(b, r, rule, "local address", rule->local_addresses, false) && ok;
    dlo_buf_printf(b, "\n    %-13s = ", "RemoteAddress");
    ok = ps_list(b, r, rule, "remote address", rule->remote_addresses, false) && ok;
    dlo_buf_printf(b, "\n    %-13s = ", "Profile");
    dlo_buf_puts(b, "@(");
    dlo_export_profiles(b, rule->profiles, false, "'");
    dlo_buf_putc(b, ')');
    dlo_buf_putc(b, '\n');
    ps_field(b, "Action", rule->action == DLO_ACTION_ALLOW ? "Allow" : "Block");
    ps_field(b, "Enabled", rule->enabled ? "True" : "False");
    ps_field(b, "Program", dlo_str(rule->application));
    ps_field(b, "Service", dlo_str(rule->service));
    dlo_buf_puts(b, "}\n");
    dlo_buf_free(&id);
    return ok;
}

/* The script's own code: reading back, comparing, adding, replacing, removing. */
static const char *const ps_functions[] = {
    "# Address entries as one spelling: Windows reads keywords back in its own spelling, IPv4\n"
    "# prefixes as dotted masks, a single IPv6 address as a range, and lists in its own order.\n"
    "$addressKeywords = @{\n"
    "    'localsubnet' = 'localsubnet'; 'dns' = 'dns'; 'dhcp' = 'dhcp'; 'wins' = 'wins'\n"
    "    'defaultgateway' = 'defaultgateway'; 'intranet' = 'intranet'; 'internet' = 'internet'\n"
    "    'intranetremoteaccess' = 'rmtintranet'; 'rmtintranet' = 'rmtintranet'\n"
    "    'playtodevice' = 'ply2renders'; 'ply2renders' = 'ply2renders'\n"
    "}\n",
    "function ConvertTo-DloAddress([string]$Entry) {\n"
    "    $e = $Entry.Trim()\n"
    "    if ($e -eq '*' -or $e -eq 'Any') { return 'any' }\n"
    "    if ($addressKeywords.ContainsKey($e)) { return $addressKeywords[$e] }\n"
    "    if ($e.Contains('-')) {\n"
    "        $ends = $e.Split('-')\n"
    "        $lo = [System.Net.IPAddress]::Parse($ends[0])\n"
    "        $hi = [System.Net.IPAddress]::Parse($ends[1])\n"
    "        if ($lo.Equals($hi)) { return ConvertTo-DloAddress $ends[0] }\n"
    "        return ('{0}-{1}' -f $lo, $hi)\n"
    "    }\n"
    "    $parts = $e.Split('/')\n"
    "    $ip = [System.Net.IPAddress]::Parse($parts[0])\n"
    "    $bits = 128\n"
    "    if ($ip.AddressFamily -eq 'InterNetwork') { $bits = 32 }\n"
    "    if ($parts.Count -gt 1 -and $parts[1].Contains('.')) {\n"
    "        $bits = 0\n"
    "        foreach ($byte in [System.Net.IPAddress]::Parse($parts[1]).GetAddressBytes()) {\n"
    "            $bits += [Convert]::ToString($byte, 2).Replace('0', '').Length\n"
    "        }\n"
    "    } elseif ($parts.Count -gt 1) {\n"
    "        $bits = [int]$parts[1]\n"
    "    }\n"
    "    return ('{0}/{1}' -f $ip, $bits)\n"
    "}\n",
    "function ConvertTo-DloPort([string]$Entry) {\n"
    "    $e = $Entry.Trim().ToLowerInvariant()\n"
    "    if ($e -eq '*') { return 'any' }\n"
    "    if ($e -eq 'rpc-epmap') { return 'rpcepmap' }\n"
    "    return $e\n"
    "}\n",
    "# A list as a set, in one spelling, for comparing what was read back with what is planned.\n"
    "function Get-DloSet([string[]]$Items, [string]$Kind) {\n"
    "    $keys = foreach ($item in $Items) {\n"
    "        if ($Kind -eq 'address') { ConvertTo-DloAddress $item } else { ConvertTo-DloPort "
    "$item }\n"
    "    }\n"
    "    return ((@($keys) | Sort-Object -Unique) -join ',')\n"
    "}\n",
    "function Get-DloProfileBits([string[]]$Names) {\n"
    "    $bits = 0\n"
    "    foreach ($name in $Names) {\n"
    "        switch ($name.Trim()) {\n"
    "            'Domain' { $bits = $bits -bor 1 }\n"
    "            'Private' { $bits = $bits -bor 2 }\n"
    "            'Public' { $bits = $bits -bor 4 }\n"
    "            'Any' { $bits = 7 }\n"
    "        }\n"
    "    }\n"
    "    return $bits\n"
    "}\n",
    "# What differs between a rule read by its Name (and its filters) and the planned one.\n"
    "function Get-DloDifference($Rule, [hashtable]$Want) {\n"
    "    $ports = $Rule | Get-NetFirewallPortFilter @store\n"
    "    $addresses = $Rule | Get-NetFirewallAddressFilter @store\n"
    "    $application = $Rule | Get-NetFirewallApplicationFilter @store\n"
    "    $service = $Rule | Get-NetFirewallServiceFilter @store\n"
    "    $program = $Want.Program\n"
    "    if (-not $program) { $program = 'Any' }\n"
    "    $serviceName = $Want.Service\n"
    "    if (-not $serviceName) { $serviceName = 'Any' }\n"
    "    $diff = @()\n"
    "    if (\"$($Rule.DisplayName)\" -cne $Want.DisplayName) { $diff += 'display name' }\n"
    "    if (\"$($Rule.Description)\" -cne $Want.Description) { $diff += 'description' }\n"
    "    if (\"$($Rule.Direction)\" -ne $Want.Direction) { $diff += 'direction' }\n"
    "    if (\"$($Rule.Action)\" -ne $Want.Action) { $diff += 'action' }\n"
    "    if (\"$($Rule.Enabled)\" -ne $Want.Enabled) { $diff += 'enabled' }\n"
    "    $profiles = Get-DloProfileBits (\"$($Rule.Profile)\" -split ',')\n"
    "    if ($profiles -eq 0) { $profiles = 7 }\n"
    "    if ($profiles -ne (Get-DloProfileBits $Want.Profile)) { $diff += 'profiles' }\n"
    "    if (\"$($ports.Protocol)\" -ne $Want.Protocol) { $diff += 'protocol' }\n"
    "    if ($Want.Protocol -eq 'TCP' -or $Want.Protocol -eq 'UDP') {\n"
    "        if ((Get-DloSet $ports.LocalPort 'port') -ne (Get-DloSet $Want.LocalPort 'port')) {\n"
    "            $diff += 'local ports'\n"
    "        }\n"
    "        if ((Get-DloSet $ports.RemotePort 'port') -ne (Get-DloSet $Want.RemotePort 'port')) "
    "{\n"
    "            $diff += 'remote ports'\n"
    "        }\n"
    "    }\n"
    "    if ((Get-DloSet $addresses.LocalAddress 'address') -ne (Get-DloSet $Want.LocalAddress "
    "'address')) {\n"
    "        $diff += 'local addresses'\n"
    "    }\n"
    "    if ((Get-DloSet $addresses.RemoteAddress 'address') -ne (Get-DloSet $Want.RemoteAddress "
    "'address')) {\n"
    "        $diff += 'remote addresses'\n"
    "    }\n"
    "    if (\"$($application.Program)\" -ne $program) { $diff += 'program' }\n"
    "    if (\"$($service.Service)\" -ne $serviceName) { $diff += 'service' }\n"
    "    return $diff\n"
    "}\n",
    "function New-DloRule([hashtable]$Want) {\n"
    "    $optional = @{}\n"
    "    if ($Want.Protocol -eq 'TCP' -or $Want.Protocol -eq 'UDP') {\n"
    "        $optional['LocalPort'] = $Want.LocalPort\n"
    "        $optional['RemotePort'] = $Want.RemotePort\n"
    "    }\n"
    "    if ($Want.Program) { $optional['Program'] = $Want.Program }\n"
    "    if ($Want.Service) { $optional['Service'] = $Want.Service }\n"
    "    New-NetFirewallRule @store @optional -Name $Want.Name -DisplayName $Want.DisplayName `\n"
    "        -Description $Want.Description -Group $group -Direction $Want.Direction `\n"
    "        -Protocol $Want.Protocol -LocalAddress $Want.LocalAddress `\n"
    "        -RemoteAddress $Want.RemoteAddress -Profile $Want.Profile -Action $Want.Action `\n"
    "        -Enabled $Want.Enabled | Out-Null\n"
    "}\n",
    "# Adds the rule when it is missing, replaces it (remove and add) only when it differs.\n"
    "function Sync-DloRule([hashtable]$Want) {\n"
    "    $script:planned[$Want.Name] = $true\n"
    "    $old = @(Get-NetFirewallRule @store -Name $Want.Name -ErrorAction SilentlyContinue)\n"
    "    if ($old.Count -eq 0) {\n"
    "        New-DloRule $Want\n"
    "        $script:changed = $true\n"
    "        Write-Output ('added      {0}' -f $Want.DisplayName)\n"
    "        return\n"
    "    }\n"
    "    if (\"$($old[0].Group)\" -cne $group) {\n"
    "        throw ('a rule named {0} exists outside the Group {1}; it is left as it is' -f "
    "$Want.Name, $group)\n"
    "    }\n"
    "    $diff = @(Get-DloDifference $old[0] $Want)\n"
    "    if ($diff.Count -eq 0) {\n"
    "        Write-Output ('unchanged  {0}' -f $Want.DisplayName)\n"
    "        return\n"
    "    }\n"
    "    Remove-NetFirewallRule @store -Name $Want.Name\n"
    "    New-DloRule $Want\n"
    "    $script:changed = $true\n"
    "    Write-Output ('replaced   {0} ({1})' -f $Want.DisplayName, ($diff -join ', '))\n"
    "}\n",
    "# Removes the rules of the Group that the plan does not have.\n"
    "function Remove-DloStaleRules {\n"
    "    foreach ($rule in @(Get-NetFirewallRule @store -Group $group -ErrorAction "
    "SilentlyContinue)) {\n"
    "        if (-not $script:planned.ContainsKey($rule.Name)) {\n"
    "            Remove-NetFirewallRule @store -Name $rule.Name\n"
    "            $script:changed = $true\n"
    "            Write-Output ('removed    {0}' -f $rule.DisplayName)\n"
    "        }\n"
    "    }\n"
    "}\n",
};

static void ps_header(dlo_buf *b, const dlo_plan *plan)
{
    size_t i;
    dlo_buf_printf(b, "# Arctera DLO firewall rules: %zu rules, mode %s, roles ", plan->rules.count,
                   dlo_mode_name(plan->mode));
    dlo_export_roles(b, plan);
    dlo_buf_printf(
        b,
        ".\n# Written by dloagent %s /export:" FORMAT " from the port matrix named in $matrix.\n"
        "# Makes the rules of the Group below exactly these in one policy store and touches no\n"
        "# other rule. Each rule is read by its Name, derived from what the rule is: a missing\n"
        "# rule is added, one that differs is replaced, a rule of the Group the plan lacks is\n"
        "# removed, and a GPO is saved only when something changed. One line per rule says\n"
        "# what was done. Windows PowerShell 5.1 and later, elevated.\n"
        "#   the local store:  .\\dlo-firewall.ps1\n"
        "#   a GPO:            .\\dlo-firewall.ps1 -PolicyStore 'contoso.com\\DLO Servers'\n",
        DLO_VERSION_STRING);
    dlo_export_names(b, plan, "# ");
    dlo_buf_puts(b, "[CmdletBinding()]\n"
                    "param([string]$PolicyStore = 'PersistentStore')\n"
                    "$ErrorActionPreference = 'Stop'\n"
                    "$matrix = ");
    ps_string(b, dlo_str(plan->release));
    dlo_buf_puts(b, "\n$group = ");
    ps_string(b, DLO_RULE_GROUPING);
    dlo_buf_puts(b, "\n$gpo = $null\n"
                    "$store = @{ PolicyStore = $PolicyStore }\n"
                    "if ($PolicyStore -like '*\\*') {\n"
                    "    # A GPO: edited in one session, written back once by Save-NetGPO.\n"
                    "    $gpo = Open-NetGPO -PolicyStore $PolicyStore\n"
                    "    $store = @{ GPOSession = $gpo }\n"
                    "}\n"
                    "$script:changed = $false\n"
                    "$script:planned = @{}\n\n");
    for (i = 0; i < sizeof(ps_functions) / sizeof(ps_functions[0]); i++)
        dlo_buf_printf(b, "%s\n", ps_functions[i]);
    dlo_buf_puts(b, "# The plan: one rule each.\n");
}

static bool has_non_ascii(const dlo_buf *b)
{
    size_t i;
    for (i = 0; i < b->len; i++)
        if ((unsigned char)b->data[i] >= 0x80)
            return true;
    return false;
}

dlo_status dlo_export_powershell(dlo_buf *b, const dlo_plan *plan, dlo_error *err)
{
    dlo_export_refusals r;
    dlo_buf s;
    dlo_status st;
    size_t i;
    dlo_export_refusals_init(&r);
    dlo_buf_init(&s);
    dlo_export_check_ids(&r, plan);
    ps_header(&s, plan);
    for (i = 0; i < plan->rules.count; i++)
        if (dlo_export_text_ok(&r, &plan->rules.items[i], FORMAT))
            ps_rule(&s, &r, &plan->rules.items[i]);
    dlo_buf_puts(&s, "\nRemove-DloStaleRules\n"
                     "if ($gpo -and $script:changed) { Save-NetGPO -GPOSession $gpo }\n");
    st = dlo_export_refusals_status(&r, FORMAT, err);
    /* Windows PowerShell 5.1 reads a file without a byte order mark in the ANSI code page: a
     * script that holds any other character says it is UTF-8. */
    if (!st && has_non_ascii(&s))
        dlo_buf_puts(b, "\xEF\xBB\xBF");
    if (!st)
        dlo_buf_append(b, dlo_buf_str(&s), s.len);
    dlo_buf_free(&s);
    dlo_export_refusals_free(&r);
    return st;
}
