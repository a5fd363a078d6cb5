#!/usr/bin/env python3
"""/verify of the real dloagent.exe under Wine beside real rule stores: the rules of
../shared/real-world/firewall-rules (windows-fields.txt, others.txt) planted in the Group Policy
store and, separately, in the local store of the double, next to a DLO server whose rules are
right and whose peers all have a scope.

- windows-fields.txt (rules only Windows writes, some of them turned into Block rules by the
  hardening projects they come from) and others.txt (administrators' Block rules): every
  blocked-by-rule problem names a rule that an independent judgement written here says really
  stops the planned rule's traffic, every such rule is reported, and no warning names a rule
  that cannot apply (inactive, or for a packaged app); the may-* warnings are listed.
- Constructed rules: a plain Block on 1433 and a Block over the SQL Server peers' addresses make
  it non-compliant and are named; a Block for 198.51.100.7 (outside every peer's 10.40.0.0/24)
  does not.

Usage: test_realworld.py PATH/TO/dloagent.exe SOURCE_DIR   (in the Wine session, double active)
"""
import ipaddress
import json
import os
import sys

from winefw import RULES_KEY, check, finish, long_name, reg_import, reset_counters, reset_store, wine

EXE, SOURCE = sys.argv[1], sys.argv[2]
REAL = os.path.join(SOURCE, "..", "shared", "real-world", "firewall-rules")
ROLES = ("/roles:admin-server,sql-server", "/mode:occasional")
GP_KEY = r"HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall"
GP_RULES = GP_KEY + r"\FirewallRules"
STORES = (("Group Policy", GP_RULES), ("local", RULES_KEY))  # as the messages name them


def agent(*args):
    return wine(EXE, *args)


def peer_addresses():
    """(role, scope value, address) of every role the agent knows (/matrix /json "roles", never a
    list of this script's): 10.40.0.N for the Nth, so every peer has a scope, all in 10.40.0.0/24."""
    rc, out, err = agent("/matrix", "/json")
    if rc != 0:
        print("FAIL: /matrix /json exits %d: %s" % (rc, err))
        sys.exit(1)
    return [(r["name"], r["scope"], "10.40.0.%d" % (i + 1))
            for i, r in enumerate(json.loads(out)["roles"])]


PEERS = peer_addresses()
SQL_ADDRESS = next(a for name, _, a in PEERS if name == "sql-server")
# A scope value's switch is its name, in any case.
ARGS = ROLES + tuple("/%s:%s" % (scope, a) for _, scope, a in PEERS)


def read_real(name):
    path = os.path.join(REAL, name)
    if not os.path.isfile(path):
        print("FAIL: %s is missing: the real rule stores come with ../shared/real-world beside the "
              "repository" % path)
        sys.exit(1)
    with open(path, encoding="utf-8") as fh:
        return [l.rstrip("\r\n") for l in fh if l.strip()]


def plant(key, rules):
    """The store of `key` holds exactly `rules` (and, for the local store, the agent's own)."""
    lines = ["[%s]" % long_name(key)]
    for i, s in enumerate(rules):
        lines.append('"{RW-%08d}"="%s"' % (i, s.replace("\\", "\\\\").replace('"', '\\"')))
    reg_import(lines)


def clear(key):
    reg_import(["[-%s]" % long_name(key)])


def start():
    """A compliant server: the store empty but for the agent's rules, no Group Policy."""
    reset_store()
    reset_counters()
    clear(GP_KEY)
    rc, out, err = agent("/apply", *ARGS)
    assert rc == 0, err


def verify():
    rc, out, err = agent("/verify", "/json", *ARGS)
    rc2, text, err2 = agent("/verify", *ARGS)
    check(rc == rc2, "/verify and /verify /json agree on the exit code (%d, %d)" % (rc, rc2))
    return rc, json.loads(out), text


def fields(s):
    out = {}
    for item in s.split("|")[1:]:
        if "=" in item:
            k, v = item.split("=", 1)
            out.setdefault(k, []).append(v)
    return out


# ---- an independent judgement of plain rules (no program, package, user, platform...) ----

NARROWING = {"App", "Svc", "PFN", "AppPkgId", "LUAuth", "LUOwn", "Platform", "Platform2", "IFType",
             "IF", "Security", "Security2", "Security2_9", "RMAuth", "RUAuth", "LA4", "LA6",
             "TTK", "TTK2_22", "TTK2_27", "TTK2_28", "ICMP4", "ICMP6"}
KNOWN = {"Action", "Active", "Dir", "Protocol", "Profile", "LPort", "LPort2_10", "RPort",
         "RPort2_10", "RA4", "RA6", "Name", "Desc", "EmbedCtxt", "Edge", "Defer"}


def port_set(items):
    """Numbers and ranges as a set of (lo, hi); a keyword as itself."""
    out = set()
    for it in items:
        for p in it.split(","):
            if "-" in p and p[0].isdigit():
                lo, hi = p.split("-")
                out.add((int(lo), int(hi)))
            elif p.isdigit():
                out.add((int(p), int(p)))
            elif p:
                out.add(p)
    return out


def ports_meet(a, b):
    for x in a:
        for y in b:
            if isinstance(x, tuple) and isinstance(y, tuple):
                if x[0] <= y[1] and y[0] <= x[1]:
                    return True
            elif x == y or ("RPC-EPMap" in (x, y) and (135, 135) in (x, y)):
                return True
    return False


def networks(text):
    return [ipaddress.ip_network(a, strict=False) for a in text.split(",")]


def windows_rows():
    """The port matrix's rows that Windows serves (served-by windows), from /matrix /json."""
    rc, out, err = agent("/matrix", "/json")
    assert rc == 0, err
    return {r["id"] for r in json.loads(out)["rows"]
            if (r.get("served_by") or {}).get("kind") == "windows"}


WINDOWS_ROWS = None


def windows_serves(f, planned):
    """The planned path is one of Windows' own (a row served by windows: file sharing, the RPC
    endpoint mapper) and the rule names the program that carries it: the kernel ("System": SMB
    and NetBIOS, served inbound and connecting out) or, inbound, the RPC endpoint mapper
    (svchost.exe, service RpcSs)."""
    global WINDOWS_ROWS
    if WINDOWS_ROWS is None:
        WINDOWS_ROWS = windows_rows()
    app = f.get("App", [""])[0].lower()
    svc = f.get("Svc", [""])[0].lower()
    if not set(planned["rows"]) & WINDOWS_ROWS:
        return False
    return (app == "system" and not svc) or (
        planned["direction"] == "in" and app == r"%systemroot%\system32\svchost.exe" and
        svc == "rpcss")


def certainly_stops(rule, planned):
    """True when the rule string, with none of the narrowing fields (but a program of Windows'
    own file sharing on that path), stops the planned rule."""
    f = fields(rule)
    narrowing = set(f) & NARROWING
    if (narrowing and (narrowing - {"App", "Svc"} or not windows_serves(f, planned))) or \
            set(f) - KNOWN - NARROWING:
        return False
    if f.get("Action") != ["Block"] or f.get("Active") != ["TRUE"]:
        return False
    if f.get("Dir", ["In"])[0].lower() != planned["direction"]:
        return False
    proto = {"tcp": "6", "udp": "17"}[planned["protocol"]]
    if "Protocol" in f and f["Protocol"][0] != proto:
        return False
    if "Profile" in f and not {p.lower() for p in f["Profile"]} & set(planned["profiles"]):
        return False
    inbound = planned["direction"] == "in"
    mine = port_set([planned["local_ports"] if inbound else planned["remote_ports"]])
    side = ("LPort", "LPort2_10") if inbound else ("RPort", "RPort2_10")
    other = ("RPort", "RPort2_10") if inbound else ("LPort", "LPort2_10")
    if any(k in f for k in other):
        return False
    theirs = port_set(sum((f.get(k, []) for k in side), []))
    if theirs and not ports_meet(theirs, mine):
        return False
    addrs = f.get("RA4", []) + f.get("RA6", [])
    if addrs:
        if planned["remote_addresses"] == "*" or any(not a[0].isdigit() for a in addrs):
            return False
        peers = networks(planned["remote_addresses"])
        if not any(n.overlaps(p) for n in networks(",".join(addrs)) for p in peers
                   if n.version == p.version):
            return False
    return True


def planned_rules():
    rc, out, err = agent("/plan", "/json", *ARGS)
    assert rc == 0, err
    return json.loads(out)["rules"]


def blamed(message):
    """The foreign rule's name in a problem or warning message."""
    return message.split("'")[1] if "'" in message else None


def by_kind(items):
    out = {}
    for it in items:
        out[it["kind"]] = out.get(it["kind"], 0) + 1
    return out


def test_store(store, key, label, rules, plan):
    """The real rules in one store beside a compliant server: the problems are exactly the
    (rule, planned rule) pairs the judgement above finds, and every warning names an active rule
    of the store that is for no packaged app."""
    start()
    plant(key, rules)
    rc, rep, text = verify()
    problems = [p for p in rep["problems"] if p["kind"] == "blocked-by-rule"]
    want = set()
    for r in rules:
        for p in plan:
            if certainly_stops(r, p):
                want.add((fields(r)["Name"][0], p["name"]))
    got = {(blamed(p["message"]), p["message"].split("'")[3]) for p in problems}
    check(got == want and len(problems) == len(rep["problems"]),
          "%s in the %s store: the problems are exactly the rules that stop a planned rule "
          "(%d reported, %d expected; extra %s, missing %s)" %
          (label, store, len(got), len(want), sorted(got - want)[:3], sorted(want - got)[:3]))
    check(all("(a Block rule wins over Allow rules): " in p["message"] for p in problems),
          "every problem says why")
    check(rc == (1 if want else 0), "exit code %d" % rc)
    judged = {fields(r).get("Name", [""])[0] for r in rules
              if fields(r).get("Active") == ["TRUE"] and "PFN" not in fields(r) and
              "AppPkgId" not in fields(r)}
    wrong = [w["message"] for w in rep["warnings"]
             if w["kind"] != "unscoped" and blamed(w["message"]) not in judged]
    check(not wrong, "every warning names an active rule of the store for no packaged app (%s)"
          % wrong[:2])
    print("  %s store, %s: %d problems by %d rules, warnings %s" % (
        store, label, len(problems), len({g[0] for g in got}), by_kind(rep["warnings"])))
    for p in problems:
        print("    problem: " + p["message"][:200])
    for w in rep["warnings"][:40]:
        print("    %s: %s" % (w["kind"], w["message"][:200]))


def test_constructed(store, key):
    cases = [
        ("v2.33|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=1433|Name=Plain 1433|",
         "Arctera DLO - SQL Server (TCP-In)"),
        ("v2.33|Action=Block|Active=TRUE|Dir=Out|RA4=10.40.0.0/255.255.255.0|Name=Over the peers|",
         "Arctera DLO - SQL Server (TCP-Out)"),
        ("v2.33|Action=Block|Active=TRUE|Dir=Out|Protocol=6|RPort=1433|RA4=198.51.100.7|"
         "Name=Elsewhere|", None),
    ]
    for rule, planned in cases:
        start()
        plant(key, [rule])
        rc, rep, text = verify()
        name = fields(rule)["Name"][0]
        named = [p["message"] for p in rep["problems"] if blamed(p["message"]) == name]
        if planned:
            check(rc == 1 and any("blocks what '%s'" % planned in m for m in named),
                  "%s store: '%s' is a problem for %s (%d, %s)" % (store, name, planned, rc, named[:1]))
            check("'%s'" % name in text, "the text names it")
        else:
            check(rc == 0 and not named and not [w for w in rep["warnings"]
                                                 if blamed(w["message"]) == name],
                  "%s store: '%s' (198.51.100.7, SqlServers %s) blames nothing (%d, %s)"
                  % (store, name, SQL_ADDRESS, rc, named[:1]))


def test_may_block_is_a_warning(store, key):
    """A Block rule on 1433 for some local users may stop the SQL Server rule: a may-block
    warning naming the rule, the store and the field, compliant, and not with /strict."""
    start()
    plant(key, ["v2.33|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=1433|"
                "LUAuth=O:LSD:(D;;CC;;;S-1-2-1)|Name=Only some users|"])
    rc, rep, text = verify()
    may = [w for w in rep["warnings"] if w["kind"] == "may-block"]
    check(rc == 0 and rep["problems"] == [] and len(may) == 1 and
          "'Only some users' may block what 'Arctera DLO - SQL Server (TCP-In)'" in may[0]["message"]
          and "its local users (LUAuth)" in may[0]["message"] and
          ("the %s rule" % store) in may[0]["message"],
          "%s store: a rule for some local users is a may-block warning naming the rule, the store "
          "and the field (%d, %s)" % (store, rc, [w["message"][:120] for w in may]))
    check("warning  may-block: the %s rule 'Only some users'" % store in text,
          "the text lists it among the warnings")
    rc, out, err = agent("/verify", "/strict", *ARGS)
    check(rc == 1, "/verify /strict counts it (exit %d)" % rc)


def main():
    windows = read_real("windows-fields.txt")
    others = read_real("others.txt")
    plan = planned_rules()
    for store, key in STORES:
        test_store(store, key, "windows-fields.txt", windows, plan)
        test_store(store, key, "others.txt", others, plan)
        test_constructed(store, key)
        test_may_block_is_a_warning(store, key)
    start()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
