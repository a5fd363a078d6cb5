/* The firewall's rule-string format (MS-GPFAS 2.2.2.19), read into the rule model: the data of
 * each value of the local store (HKLM\SYSTEM\...\FirewallPolicy\FirewallRules) and of the Group
 * Policy store (HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall\FirewallRules), such as
 * "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=443|Name=Web|EmbedCtxt=Group|".
 *
 * The stores hold whatever any release or tool wrote, so reading never fails on content: a
 * field the reader does not model is kept, one it models but cannot read leaves the property at
 * the format's default and is named in the rule's `unreadable`, so an analysis can refuse to
 * trust it; both stay on the rule as written (dlo_rule.other_fields), for judging it
 * (dlo/match.h). A field that may repeat (ports, addresses, profiles, ICMP types, interface
 * types, interfaces, platforms, trust tuples) keeps every value, each once. */
#ifndef DLO_RULESTR_H
#define DLO_RULESTR_H

#include "dlo/rule.h"
#include "dlo/status.h"
#include "dlo/str.h"

#include <stddef.h>

/* The two stores, under HKLM: Group Policy's firewall key and the local firewall policy, each
 * with its FirewallRules and profile keys. */
#define DLO_GP_POLICY_KEY "SOFTWARE\\Policies\\Microsoft\\WindowsFirewall"
#define DLO_LOCAL_POLICY_KEY                                                                       \
    "SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy"

/* Reads text[0..len) into *out (dlo_rule_free'd first by the caller's init). The format's
 * defaults hold for absent fields: disabled (no Active=), inbound, any protocol, all profiles
 * (no Profile=), Allow. Lists come out in the COM spelling: ports "80,8000-8100,RPC", addresses
 * "10.0.0.0/255.0.0.0,LocalSubnet", the 2.20 address keywords as "Intranet", "RmtIntranet",
 * "Internet", "Ply2Renders", "CaptivePortal". The fields COM does not show go to
 * package_family (PFN), platforms (Platform, Platform2: "2:6:2>=") and trust_tuples (TTK...).
 * DLO_E_NOMEM is the only failure. */
dlo_status dlo_rulestr_parse(const char *text, size_t len, dlo_rule *out);

#endif
