#!/usr/bin/env python3
"""The exports read back against /plan /json, for every role in every mode: each of
/export:powershell, netsh, intune and intune-omauri makes each planned rule exactly once, with its
name, ports, direction, protocol, profiles, scopes (keywords in the consumer's spelling, read
back to the plan's) and program, and /export:json is /plan /json. The PowerShell script is also
held to what makes a second run change nothing: each rule has a Name derived from its name only
(the same under other scopes and on every run), it removes only rules of its Group the plan
lacks, saves a GPO only when something changed, and uses no syntax newer than Windows PowerShell
5.1. netsh refuses exactly the rules whose scopes hold a keyword it lacks and prints the others.

Usage: check_export.py PATH/TO/dloagent-host"""
import json
import re
import subprocess
import sys

from exportparse import (CSP_ADDRESS_KEYWORDS, CSP_NEWER_KEYWORDS, NETSH_ADDRESS_KEYWORDS,
                         NETSH_PORT_KEYWORDS, PS_ADDRESS_KEYWORDS, PS_PORT_KEYWORDS, cmd_lines,
                         netsh_args, plan_list, ps_rule_blocks, to_plan_spelling)

AGENT = sys.argv[1]
MODES = ["nonboi", "exclusive", "occasional"]
# Scopes on several peers, with a range, an IPv6 prefix and every address keyword: netsh takes
# only the first five keywords, the others only PowerShell and the Firewall CSP.
NETSH_SCOPES = ["/adminservers:10.1.0.5,DNS", "/clientnetworks:10.8.0.0/16,fd00::/64,LocalSubnet",
                "/edgeservers:192.0.2.10-192.0.2.20,DefaultGateway"]
ALL_SCOPES = ["/adminservers:10.1.0.5,Intranet", "/clientnetworks:10.8.0.0/16,fd00::/64,RmtIntranet",
              "/edgeservers:192.0.2.10-192.0.2.20,Ply2Renders,Internet,LocalSubnet",
              "/adminconsoles:DHCP,WINS,DefaultGateway"]
failures = []


def run(*args, expect=0):
    p = subprocess.run([AGENT] + list(args), capture_output=True, text=True)
    if p.returncode != expect:
        raise SystemExit("%s %s: exit %d, expected %d: %s" % (AGENT, " ".join(args), p.returncode,
                                                            expect, p.stderr))
    return p.stdout, p.stderr


# The roles the agent knows, from its own table (/matrix /json), never a list of this script's.
ROLES = [r["name"] for r in json.loads(run("/matrix", "/json")[0])["roles"]]


def fail(what):
    failures.append(what)
    print("FAIL: " + what)


def rule_id(name):
    """The identity the exports give a rule, from its name alone (dlo/export.h)."""
    words = []
    for w in re.findall(r"[A-Za-z0-9]+", name):
        words.append(w[0].upper() + w[1:])
    h = 2166136261
    for c in name.encode("utf-8"):
        h = ((h ^ c) * 16777619) & 0xFFFFFFFF
    return "".join(words)[:40] + "%08x" % h


def same(a, b):
    return sorted(x.lower() for x in a) == sorted(x.lower() for x in b)


def check_ps_rule(where, p, g):
    want = {"Name": rule_id(p["name"]), "DisplayName": p["name"], "Description": p["description"],
            "Direction": "Inbound" if p["direction"] == "in" else "Outbound",
            "Protocol": p["protocol"].upper(), "Action": p["action"].capitalize(),
            "Enabled": "True" if p["enabled"] else "False",
            "Program": p["application"] or "", "Service": p["service"] or ""}
    for k, v in want.items():
        if g.get(k) != v:
            fail("%s powershell '%s': %s %r, expected %r" % (where, p["name"], k, g.get(k), v))
    lists = (("LocalPort", p["local_ports"], PS_PORT_KEYWORDS, False),
             ("RemotePort", p["remote_ports"], PS_PORT_KEYWORDS, False),
             ("RemoteAddress", p["remote_addresses"], PS_ADDRESS_KEYWORDS, True))
    for k, v, kw, address in lists:
        if not same(to_plan_spelling(g.get(k, []), kw, address), plan_list(v)):
            fail("%s powershell '%s': %s %s, expected %s" % (where, p["name"], k, g.get(k), v))
    profiles = ["Any"] if len(p["profiles"]) == 3 else [x.capitalize() for x in p["profiles"]]
    if g.get("Profile") != profiles:
        fail("%s powershell '%s': Profile %s, expected %s" % (where, p["name"], g.get("Profile"),
                                                             profiles))
    if g["#"] != "# matrix rows: " + ",".join(p["rows"]):
        fail("%s powershell '%s': rows comment %r" % (where, p["name"], g["#"]))


def check_powershell(where, plan, script):
    try:
        rules = ps_rule_blocks(script)
    except ValueError as e:
        fail("%s powershell: %s" % (where, e))
        return
    by_name = {}
    for r in rules:
        by_name.setdefault(r.get("DisplayName"), []).append(r)
    for p in plan["rules"]:
        got = by_name.get(p["name"], [])
        if len(got) != 1:
            fail("%s powershell: '%s' made %d times" % (where, p["name"], len(got)))
        else:
            check_ps_rule(where, p, got[0])
    if len(rules) != len(plan["rules"]):
        fail("%s powershell: %d rules, the plan has %d" % (where, len(rules), len(plan["rules"])))


def netsh_rules(where, text):
    """The add rule commands as {key: value}; every line must be REM, blank or a netsh command."""
    adds, deletes = [], []
    for line in cmd_lines(text):
        if line == "" or line.startswith("REM ") or line == "REM":
            continue
        try:
            verb, args = netsh_args(line)
        except ValueError as e:
            fail("%s netsh: %s" % (where, e))
            continue
        (adds if verb == "add" else deletes).append(dict(args))
    return adds, deletes


def check_netsh_rule(where, p, g):
    want = {"dir": p["direction"], "protocol": p["protocol"], "action": p["action"],
            "enable": "yes" if p["enabled"] else "no", "description": p["description"],
            "profile": "any" if len(p["profiles"]) == 3 else ",".join(p["profiles"])}
    for k, v in want.items():
        if g.get(k) != v:
            fail("%s netsh '%s': %s=%s, expected %s" % (where, p["name"], k, g.get(k), v))
    for k, v, kw, address in (("localport", p["local_ports"], NETSH_PORT_KEYWORDS, False),
                              ("remoteport", p["remote_ports"], {}, False),
                              ("remoteip", p["remote_addresses"], NETSH_ADDRESS_KEYWORDS, True)):
        if not same(to_plan_spelling(g.get(k, "").split(","), kw, address), plan_list(v)):
            fail("%s netsh '%s': %s=%s, expected %s" % (where, p["name"], k, g.get(k), v))


def check_netsh(where, plan, text, refused=()):
    adds, deletes = netsh_rules(where, text)
    for p in plan["rules"]:
        got = [r for r in adds if r.get("name") == p["name"]]
        dels = [r for r in deletes if r.get("name") == p["name"] and r.get("dir") == p["direction"]]
        want = 0 if p["name"] in refused else 1
        if len(got) != want or len(dels) != want:
            fail("%s netsh: '%s' added %d and deleted %d times, expected %d" % (
                where, p["name"], len(got), len(dels), want))
        elif want:
            check_netsh_rule(where, p, got[0])
    rems = [l for l in cmd_lines(text) if l.startswith("REM refused:")]
    if len(rems) != len(refused):
        fail("%s netsh: %d REM refused lines for %d refused rules" % (where, len(rems), len(refused)))


def netsh_lacks(p):
    return any(a in CSP_NEWER_KEYWORDS for a in plan_list(p["remote_addresses"]))


def check_netsh_refusals(where, plan, args):
    """Rules netsh cannot carry: exit 2 naming each and /export:powershell, the rest printed."""
    refused = [p["name"] for p in plan["rules"] if netsh_lacks(p)]
    out, err = run("/export:netsh", *args, expect=2 if refused else 0)
    check_netsh(where + " (keywords)", plan, out, refused)
    for name in refused:
        if json.dumps(name, ensure_ascii=False) not in err or "/export:powershell" not in err:
            fail("%s netsh: the error does not name '%s' and the way out: %s" % (where, name, err))
    return len(refused)


def csp_children(child_list):
    kids = {}
    for c in child_list:
        node = c["settingDefinitionId"].rsplit("{firewallrulename}_", 1)[1]
        if "simpleSettingValue" in c:
            kids[node] = c["simpleSettingValue"]["value"]
        elif "simpleSettingCollectionValue" in c:
            kids[node] = [v["value"] for v in c["simpleSettingCollectionValue"]]
        elif "choiceSettingValue" in c:
            kids[node] = c["choiceSettingValue"]["value"].rsplit("_", 1)[1]
        else:
            kids[node] = [v["value"].rsplit("_", 1)[1] for v in c["choiceSettingCollectionValue"]]
    return kids


def check_csp_rule(where, p, got):
    """got: the rule's CSP nodes, by their Firewall CSP names, as the consumer holds them."""
    bits = sum({"domain": 1, "private": 2, "public": 4}[x] for x in p["profiles"])
    want = {"Name": p["name"], "Description": p["description"],
            "Direction": p["direction"].upper(), "Action": 1 if p["action"] == "allow" else 0,
            "Enabled": bool(p["enabled"]), "Profiles": bits,
            "Protocol": {"tcp": 6, "udp": 17}[p["protocol"]]}
    for k, v in want.items():
        if got.get(k) != v:
            fail("%s '%s': %s %r, expected %r" % (where, p["name"], k, got.get(k), v))
    for k, v in (("LocalPortRanges", p["local_ports"]), ("RemotePortRanges", p["remote_ports"]),
                 ("RemoteAddressRanges", p["remote_addresses"])):
        items = to_plan_spelling(got.get(k, ["*"]), CSP_ADDRESS_KEYWORDS, "Address" in k)
        if not same(items, plan_list(v)):
            fail("%s '%s': %s %s, expected %s" % (where, p["name"], k, got.get(k), v))


def bodies(doc):
    return doc if isinstance(doc, list) else [doc]


def check_split(where, plan, names_per_body, titles):
    """At most 150 rules per body; the 1809 keywords' rules only in bodies titled so."""
    newer = {p["name"] for p in plan["rules"] if netsh_lacks(p)}
    seen = []
    for names, title in zip(names_per_body, titles):
        if len(names) > 150:
            fail("%s: a body holds %d rules" % (where, len(names)))
        marked = title.endswith("Windows 10 1809 and later") or "1809 and later (" in title
        if any((n in newer) != marked for n in names):
            fail("%s: body %r mixes rules for Windows 10 1809 with others" % (where, title))
        seen += names
    if sorted(seen) != sorted(p["name"] for p in plan["rules"]):
        fail("%s: the bodies hold %d rules, the plan %d" % (where, len(seen), len(plan["rules"])))


def check_intune(where, plan, doc):
    by_name, names_per_body, titles = {}, [], []
    for body in bodies(doc):
        group = body["settings"][0]["settingInstance"]["groupSettingCollectionValue"]
        kids = [csp_children(g["children"]) for g in group]
        names_per_body.append([k["name"] for k in kids])
        titles.append(body["name"])
        for k in kids:
            node = {"Name": k["name"], "Description": k["description"],
                    "Direction": k["direction"].upper(), "Action": int(k["action_type"]),
                    "Enabled": k["enabled"] == "1",
                    "Profiles": sum(int(x) for x in k["profiles"]), "Protocol": k.get("protocol"),
                    "LocalPortRanges": k.get("localportranges", ["*"]),
                    "RemotePortRanges": k.get("remoteportranges", ["*"]),
                    "RemoteAddressRanges": k.get("remoteaddressranges", ["*"])}
            by_name.setdefault(k["name"], []).append(node)
    check_split(where + " intune", plan, names_per_body, titles)
    for p in plan["rules"]:
        if len(by_name.get(p["name"], [])) == 1:
            check_csp_rule(where + " intune", p, by_name[p["name"]][0])


def check_omauri(where, plan, doc):
    rules, names_per_body, titles = {}, [], []
    root = "./Vendor/MSFT/Firewall/MdmStore/FirewallRules/"
    for body in bodies(doc):
        ids = []
        for row in body["omaSettings"]:
            if not row["omaUri"].startswith(root):
                fail("%s omauri: row %s" % (where, row["omaUri"]))
                continue
            rid, node = row["omaUri"][len(root):].split("/", 1)
            value = row["value"]
            if node in ("LocalPortRanges", "RemotePortRanges", "RemoteAddressRanges"):
                value = value.split(",")
            rules.setdefault(rid, {})["Action" if node == "Action/Type" else node] = value
            if rid not in ids:
                ids.append(rid)
        names_per_body.append([rules[i].get("Name") for i in ids])
        titles.append(body["displayName"])
    check_split(where + " omauri", plan, names_per_body, titles)
    for p in plan["rules"]:
        got = rules.get(rule_id(p["name"]))
        if got is None:
            fail("%s omauri: no rows for '%s' (%s)" % (where, p["name"], rule_id(p["name"])))
        else:
            check_csp_rule(where + " omauri", p, got)


# Syntax Windows PowerShell 5.1 does not have (7.0's pipeline chains, ternary, null operators).
NEWER_SYNTAX = [r"&&", r"\|\|", r"\?\?", r"\?\.", r"\s\?\s", r"-Parallel", r"\bclean\s*\{"]


def check_script_shape(script):
    removes = sorted(set(l.strip() for l in script.splitlines() if "Remove-NetFirewallRule" in l))
    if removes != ["Remove-NetFirewallRule @store -Name $Want.Name",
                   "Remove-NetFirewallRule @store -Name $rule.Name"]:
        fail("the script removes otherwise than by the Name of a rule it read: %s" % removes)
    for needed in ("param([string]$PolicyStore = 'PersistentStore')",
                   "$gpo = Open-NetGPO -PolicyStore $PolicyStore",
                   "$store = @{ GPOSession = $gpo }",
                   "if ($gpo -and $script:changed) { Save-NetGPO -GPOSession $gpo }",
                   "foreach ($rule in @(Get-NetFirewallRule @store -Group $group -ErrorAction "
                   "SilentlyContinue)) {",
                   "        if (-not $script:planned.ContainsKey($rule.Name)) {",
                   "$group = 'Arctera DLO Firewall Agent'"):
        if needed not in script:
            fail("the script lacks: %s" % needed)
    code = "\n".join(l for l in script.splitlines() if not l.lstrip().startswith("#"))
    code = re.sub(r"'(?:[^']|'')*'", "''", code)
    for pat in NEWER_SYNTAX:
        if re.search(pat, code):
            fail("the script uses syntax newer than Windows PowerShell 5.1: %s" % pat)
    if any(ord(c) > 127 for c in script):
        fail("the script is not ASCII and has no byte order mark")


def check_identity():
    """A rule's Name depends on the rule only: other scopes, another run, the same Names."""
    def names(*args):
        out, _ = run("/export:powershell", "/roles:admin-server,edge-server", "/mode:occasional",
                     *args)
        return {r["DisplayName"]: r["Name"] for r in ps_rule_blocks(out)}
    a, b, c = names(), names(), names(*ALL_SCOPES)
    if a != b or a != c or not a:
        fail("the rules' Names change between runs or with the scopes: %s / %s" % (a, c))


def main():
    checked = refused = 0
    for mode in MODES:
        for role in ROLES:
            where = "%s/%s" % (role, mode)
            base = ["/roles:" + role, "/mode:" + mode]
            plan_text, _ = run("/plan", "/json", *base, *NETSH_SCOPES)
            plan = json.loads(plan_text)
            check_netsh(where, plan, run("/export:netsh", *base, *NETSH_SCOPES)[0])
            if run("/export:json", *base, *NETSH_SCOPES)[0] != plan_text:
                fail("%s: /export:json is not /plan /json" % where)
            plan = json.loads(run("/plan", "/json", *base, *ALL_SCOPES)[0])
            script = run("/export:powershell", *base, *ALL_SCOPES)[0]
            check_powershell(where, plan, script)
            check_script_shape(script)
            check_intune(where, plan, json.loads(run("/export:intune", *base, *ALL_SCOPES)[0]))
            check_omauri(where, plan,
                         json.loads(run("/export:intune-omauri", *base, *ALL_SCOPES)[0]))
            refused += check_netsh_refusals(where, plan, base + ALL_SCOPES)
            checked += len(plan["rules"])
    check_identity()
    p = subprocess.run([AGENT, "/export:yaml", "/roles:client", "/mode:nonboi"],
                       capture_output=True, text=True)
    if p.returncode != 2 or "expected powershell, netsh, intune, intune-omauri or json" not in p.stderr:
        fail("/export:yaml: exit %d, %r" % (p.returncode, p.stderr))
    if checked == 0 or refused == 0:
        fail("no rule was checked (%d), or none refused by netsh (%d)" % (checked, refused))
    print("%d planned rules read back from five exports, %d refused by netsh as expected, "
          "%d failures" % (checked, refused, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
