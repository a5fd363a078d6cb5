#!/usr/bin/env python3
"""The exports read back: for every role in every mode, the PowerShell script and the netsh
commands of /export make each rule of /plan /json exactly once, with its ports, direction,
protocol, profiles, scopes and (PowerShell) Group and matrix rows, and /export:json is
/plan /json. The script is also held to what makes it idempotent and Windows PowerShell 5.1
compatible: it removes only the rules of the agent's Group, in the store it was given, and
uses no syntax newer than 5.1.

Usage: check_export.py PATH/TO/dloagent-host"""
import json
import re
import subprocess
import sys

AGENT = sys.argv[1]
ROLES = ["admin-server", "admin-console", "dedupe-server", "maintenance-server", "edge-server",
         "io-server", "client", "sql-server", "storage", "dedupe-storage", "web-restore"]
MODES = ["nonboi", "exclusive", "occasional"]
# Scopes on every peer, so the exports carry remote addresses (occasional and exclusive modes
# use them); one list with a range and an IPv6 prefix.
SCOPES = ["/adminservers:10.1.0.5", "/clientnetworks:10.8.0.0/16,fd00::/64",
          "/edgeservers:192.0.2.10-192.0.2.20"]
failures = []


def run(*args):
    p = subprocess.run([AGENT] + list(args), capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("%s %s: exit %d: %s" % (AGENT, " ".join(args), p.returncode, p.stderr))
    return p.stdout


def fail(what):
    failures.append(what)
    print("FAIL: " + what)


def ps_values(text):
    """A PowerShell argument: 'a','b' -> ['a', 'b']; Any -> ['Any']; a bare word as itself."""
    out = []
    for m in re.finditer(r"'((?:[^']|'')*)'|([^,\s']+)", text):
        out.append(m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2))
    return out


def ps_rules(script):
    """Each New-NetFirewallRule as {parameter: [values]}, with the comment before it."""
    joined = script.replace("`\n", " ")
    rules = []
    comment = None
    # The script's own string variables, so -Group $group reads as what it says.
    variables = {"$" + m.group(1): m.group(2).replace("''", "'")
                 for m in re.finditer(r"^\$(\w+) = '((?:[^']|'')*)'$", script, re.M)}
    for line in joined.splitlines():
        if line.startswith("# ") and "; matrix rows: " in line:
            comment = line
        if not line.startswith("New-NetFirewallRule"):
            continue
        params = {}
        body = line.split(" | Out-Null")[0]
        for m in re.finditer(r" -(\w+)(?: ((?:'(?:[^']|'')*'|[^\s-][^\s]*)(?:,(?:'(?:[^']|'')*'|[^\s,]+))*))?", body):
            params[m.group(1)] = [variables.get(v, v) for v in ps_values(m.group(2) or "")]
        params["#"] = comment
        rules.append(params)
    return rules


def netsh_rules(text):
    rules = []
    for line in text.splitlines():
        if not line.startswith("netsh advfirewall firewall add rule "):
            continue
        params = {}
        for m in re.finditer(r'(\w+)=("[^"]*"|\S+)', line[len("netsh advfirewall firewall add rule "):]):
            params[m.group(1)] = m.group(2).strip('"')
        rules.append(params)
    return rules


def as_set(v):
    return sorted(x.lower() for x in v)


def ports(s):
    return ["Any"] if s in ("", "*", None) else s.split(",")


def profiles_ps(r):
    return ["Any"] if len(r["profiles"]) == 3 else [p.capitalize() for p in r["profiles"]]


def check_powershell(where, plan, script):
    rules = ps_rules(script)
    by_name = {}
    for r in rules:
        by_name.setdefault(r["DisplayName"][0], []).append(r)
    for p in plan["rules"]:
        got = by_name.get(p["name"], [])
        if len(got) != 1:
            fail("%s powershell: '%s' made %d times" % (where, p["name"], len(got)))
            continue
        g = got[0]
        inbound = p["direction"] == "in"
        want = {
            "Group": [p["grouping"]], "Description": [p["description"]],
            "Direction": ["Inbound" if inbound else "Outbound"],
            "Protocol": [p["protocol"].upper()], "Action": [p["action"].capitalize()],
            "Enabled": ["True" if p["enabled"] else "False"],
        }
        for k, v in want.items():
            if g.get(k) != v:
                fail("%s powershell '%s': -%s %s, expected %s" % (where, p["name"], k, g.get(k), v))
        for k, v in (("LocalPort", ports(p["local_ports"])), ("RemotePort", ports(p["remote_ports"])),
                     ("RemoteAddress", ports(p["remote_addresses"])), ("Profile", profiles_ps(p))):
            if as_set(g.get(k, [])) != as_set(v):
                fail("%s powershell '%s': -%s %s, expected %s" % (where, p["name"], k, g.get(k), v))
        if g["#"] != "# %s; matrix rows: %s" % (p["name"], ",".join(p["rows"])):
            fail("%s powershell '%s': comment %r" % (where, p["name"], g["#"]))
    if len(rules) != len(plan["rules"]):
        fail("%s powershell: %d rules, the plan has %d" % (where, len(rules), len(plan["rules"])))


def check_netsh(where, plan, text):
    rules = netsh_rules(text)
    for p in plan["rules"]:
        got = [r for r in rules if r.get("name") == p["name"]]
        if len(got) != 1:
            fail("%s netsh: '%s' made %d times" % (where, p["name"], len(got)))
            continue
        g = got[0]
        want = {"dir": p["direction"], "protocol": p["protocol"], "action": p["action"],
                "enable": "yes" if p["enabled"] else "no", "description": p["description"],
                "profile": "any" if len(p["profiles"]) == 3 else ",".join(p["profiles"])}
        for k, v in want.items():
            if g.get(k) != v:
                fail("%s netsh '%s': %s=%s, expected %s" % (where, p["name"], k, g.get(k), v))
        for k, v in (("localport", p["local_ports"]), ("remoteport", p["remote_ports"]),
                     ("remoteip", p["remote_addresses"])):
            if as_set(g.get(k, "").split(",")) != as_set(ports(v)):
                fail("%s netsh '%s': %s=%s, expected %s" % (where, p["name"], k, g.get(k), v))
        deletes = text.count('delete rule name="%s" dir=%s\n' % (p["name"], p["direction"]))
        if deletes != 1:
            fail("%s netsh '%s': deleted %d times before it is added" % (where, p["name"], deletes))
    if len(rules) != len(plan["rules"]):
        fail("%s netsh: %d rules, the plan has %d" % (where, len(rules), len(plan["rules"])))


# Syntax Windows PowerShell 5.1 does not have (7.0's pipeline chains, ternary, null operators).
NEWER_SYNTAX = [r"&&", r"\|\|", r"\?\?", r"\?\.", r"\s\?\s", r"-Parallel", r"\bclean\s*\{"]


def check_script_shape(script):
    removes = [l for l in script.splitlines() if "Remove-NetFirewallRule" in l]
    if removes != ["if ($old.Count -gt 0) { Remove-NetFirewallRule @store -Group $group }"]:
        fail("the script removes something other than the rules of its Group: %s" % removes)
    for needed in ("param([string]$PolicyStore = 'PersistentStore')",
                   "$gpo = Open-NetGPO -PolicyStore $PolicyStore",
                   "$store = @{ GPOSession = $gpo }",
                   "if ($gpo) { Save-NetGPO -GPOSession $gpo }",
                   "$group = 'Arctera DLO Firewall Agent'"):
        if needed not in script:
            fail("the script lacks: %s" % needed)
    code = "\n".join(l for l in script.splitlines() if not l.lstrip().startswith("#"))
    code = re.sub(r"'(?:[^']|'')*'", "''", code)
    for pat in NEWER_SYNTAX:
        if re.search(pat, code):
            fail("the script uses syntax newer than Windows PowerShell 5.1: %s" % pat)
    if any(ord(c) > 127 for c in script):
        fail("the script is not ASCII (Windows PowerShell 5.1 reads a file without BOM as ANSI)")


def main():
    checked = 0
    for mode in MODES:
        for role in ROLES:
            args = ["/roles:" + role, "/mode:" + mode] + SCOPES
            where = "%s/%s" % (role, mode)
            plan_text = run("/plan", "/json", *args)
            plan = json.loads(plan_text)
            script = run("/export:powershell", *args)
            check_powershell(where, plan, script)
            check_script_shape(script)
            check_netsh(where, plan, run("/export:netsh", *args))
            if run("/export:json", *args) != plan_text:
                fail("%s: /export:json is not /plan /json" % where)
            checked += len(plan["rules"])
    p = subprocess.run([AGENT, "/export:yaml", "/roles:client", "/mode:nonboi"],
                       capture_output=True, text=True)
    if p.returncode != 2 or "expected powershell, netsh or json" not in p.stderr:
        fail("/export:yaml: exit %d, %r" % (p.returncode, p.stderr))
    if checked == 0:
        fail("no rule was checked")
    print("%d planned rules read back from three exports, %d failures" % (checked, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
