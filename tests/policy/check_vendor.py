#!/usr/bin/env python3
"""Checks the agent against the vendor's own table, read independently of the agent's parser.

Usage: check_vendor.py VENDOR_TABLE DLOAGENT [RUNNER...]

VENDOR_TABLE is policies/vendor/dlo-10.0-port-requirements.txt, the vendor's text as published.
DLOAGENT is run (through RUNNER, e.g. wine, when given) for `/matrix /json` and for
`/plan /json` of every single role in every mode. For every vendor row and mode:
  - the agent's matrix row at the same position carries the vendor's process, port and type words;
  - each role named as Source gets an outbound rule, per protocol, to exactly the row's ports,
    with the row's Destinations as peers; each Destination an inbound rule on those ports;
  - its profiles are no wider than the vendor's table allows, and as the defaults say (see
    expected_profiles);
and conversely every planned rule is justified by a vendor row. Prints one line per failed check
and a closing "N passed, N failed" line.
"""
import json
import re
import subprocess
import sys

# The vendor's component names, as they appear in the table, and the agent's role names.
COMPONENTS = {
    "DLO Administration Server": "admin-server",
    "DLO Administration Console": "admin-console",
    "DLO Administrator Console": "admin-console",
    "DLO Dedupe Server": "dedupe-server",
    "DLO Maintenance Server": "maintenance-server",
    "DLO Edge Server": "edge-server",
    "DLO IO Server": "io-server",
    "DLO Clients*": "client",
    "DLO Clients": "client",
    "Web Restore Machine": "web-restore",
    "SQL Server": "sql-server",
    "Dedupe Storage Location": "dedupe-storage",
    "Storage Location": "storage",
}
ROLES = ["admin-server", "admin-console", "dedupe-server", "maintenance-server", "edge-server",
         "io-server", "client", "sql-server", "storage", "dedupe-storage", "web-restore"]
MODES = ["nonboi", "exclusive", "occasional"]
ALL_PROFILES = ["domain", "private", "public"]

passed = 0
failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


def components(text):
    """Splits 'DLO Administration Server DLO Clients* Web Restore Machine' into role names."""
    names = sorted(COMPONENTS, key=len, reverse=True)
    roles = set()
    text = text.strip()
    while text:
        for n in names:
            if text.startswith(n):
                roles.add(COMPONENTS[n])
                text = text[len(n):].strip()
                break
        else:
            raise SystemExit("vendor table: unknown component at: " + text)
    return roles


def cell(text):
    text = text.strip()
    if text == "NA":
        return None
    m = re.fullmatch(r"Source \(Outbound\): (.*) Destination \(Inbound\): (.*)", text)
    if not m:
        raise SystemExit("vendor table: cannot read cell: " + text)
    return components(m.group(1)), components(m.group(2))


def port_set(text, sql_port=1433):
    """The set of ports a port text stands for: '135-139, 445', '1433 or dynamic port',
    '135, 1037, 441, 1125 Dynamic Ports (49152 – 65535)', '135-139,445'."""
    text = text.replace("1433 or dynamic port", str(sql_port)).replace("–", "-")
    ports = set()
    for lo, hi in re.findall(r"(\d+)\s*(?:-\s*(\d+))?", text):
        ports.update(range(int(lo), int(hi or lo) + 1))
    return ports


def protocols(ptype):
    return {"TCP/UDP": {"tcp", "udp"}, "UDP": {"udp"}}.get(ptype, {"tcp"})


def vendor_rows(path):
    rows = []
    for line in open(path, encoding="utf-8"):
        cols = line.rstrip("\n").split("\t")
        if len(cols) < 6 or cols[0] == "Process" or cols[0].startswith("<i>"):
            continue
        rows.append({
            "process": cols[0].strip(), "port": cols[1].strip(), "type": cols[2].strip(),
            "modes": dict(zip(MODES, (cell(c) for c in cols[3:6]))),
        })
    return rows


def expected_profiles(dst):
    """(the profiles a path may be open on, the ones it gets by default) for a row's
    Destinations. The vendor's table names no firewall profile; it says where each path runs. Its
    BOI modes exist for endpoints outside the corporate network, which reach DLO only through the
    Edge Server: a path whose Destination is the Edge Server may be open on any network, so on
    every profile, and is by default. Every other path runs only inside the corporate network,
    which Windows knows as the Domain profile: in every mode it may be open there only, unless
    CorporateProfiles says otherwise (never set here)."""
    if "edge-server" in dst:
        return set(ALL_PROFILES), ALL_PROFILES
    return {"domain"}, ["domain"]


def run(cmd, args):
    out = subprocess.run(cmd + args, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit("%s %s exited %d: %s" % (cmd, args, out.returncode, out.stderr))
    return json.loads(out.stdout)


def main():
    vendor = vendor_rows(sys.argv[1])
    agent = sys.argv[3:] + [sys.argv[2]]
    check(len(vendor) == 19, "the vendor table has 19 rows, read %d" % len(vendor))

    matrix = run(agent, ["/matrix", "/json"])["rows"]
    check(len(matrix) == len(vendor), "matrix has %d rows, vendor %d" % (len(matrix), len(vendor)))
    for v, a in zip(vendor, matrix):
        check(a["process"] == v["process"], "row %s: process %r, vendor %r" % (a["id"], a["process"], v["process"]))
        check(a["port"] == v["port"], "row %s: port %r, vendor %r" % (a["id"], a["port"], v["port"]))
        check(a["type"] == v["type"], "row %s: type %r, vendor %r" % (a["id"], a["type"], v["type"]))
        v["id"] = a["id"]

    for mode in MODES:
        for role in ROLES:
            plan = run(agent, ["/plan", "/json", "/roles:" + role, "/mode:" + mode])
            rules = plan["rules"]
            seen = set()
            for v in vendor:
                c = v["modes"][mode]
                if c is None:
                    check(all(v["id"] not in r["rows"] for r in rules),
                          "%s/%s: row %s is NA but has a rule" % (mode, role, v["id"]))
                    continue
                src, dst = c
                allowed, profiles = expected_profiles(dst)
                for direction, local, peers in (("out", src, dst), ("in", dst, src)):
                    for proto in protocols(v["type"]):
                        match = [r for r in rules if v["id"] in r["rows"]
                                 and r["direction"] == direction and r["protocol"] == proto]
                        what = "%s/%s: row %s %s %s" % (mode, role, v["id"], direction, proto)
                        if role not in local:
                            check(not match, what + ": rule for a role the row does not name")
                            continue
                        check(len(match) == 1, what + ": expected one rule, found %d" % len(match))
                        if not match:
                            continue
                        r = match[0]
                        seen.add(r["name"])
                        ports = r["local_ports"] if direction == "in" else r["remote_ports"]
                        other = r["remote_ports"] if direction == "in" else r["local_ports"]
                        check(port_set(ports) == port_set(v["port"]),
                              what + ": ports %s, vendor %s" % (ports, v["port"]))
                        check(other == "", what + ": the other side has ports %r" % other)
                        check(peers <= set(r["peers"]), what + ": peers %s lack %s" % (r["peers"], peers))
                        check(set(r["profiles"]) <= allowed,
                              what + ": profiles %s, wider than the vendor's table allows (%s)"
                              % (r["profiles"], sorted(allowed)))
                        check(r["profiles"] == profiles,
                              what + ": profiles %s, the default is %s" % (r["profiles"], profiles))
            for r in rules:
                check(r["name"] in seen, "%s/%s: rule %s is justified by no vendor row" % (mode, role, r["name"]))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
