#!/usr/bin/env python3
"""Checks the agent against the vendor's own table, read independently of the agent's parser.

Usage: check_vendor.py VENDOR_TABLE DLOAGENT [RUNNER...]

VENDOR_TABLE is policies/vendor/dlo-10.0-port-requirements.txt, the vendor's text as published.
DLOAGENT is run (through RUNNER, e.g. wine, when given) for `/matrix /json` and for
`/plan /json` of every single role in every mode. For every vendor row and mode:
  - the agent's matrix rows at the same place carry the vendor's process, port and type words:
    one row each, except where the agent splits one vendor row in two by its ports (the
    dashboard's 135 and 443, see expected_profiles), which it may do only in consecutive rows
    with the vendor's words;
  - each role named as Source gets outbound rules, per protocol, whose ports together are
    exactly the row's ports, each port in one rule, with the row's Destinations as peers; each
    Destination inbound rules on those ports likewise;
  - their profiles are no wider than the vendor's table allows, and as the defaults say (see
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


# Windows' own RPC endpoint mapper, NetBIOS and SMB ports.
WINDOWS_SERVER_PORTS = {135, 137, 138, 139, 445}


def expected_profiles(dst, ports):
    """(the profiles a path may be open on, the ones it gets by default) for a row's
    Destinations and a rule's ports. The vendor's table names no firewall profile; it says where
    each path runs. Its BOI modes exist for endpoints outside the corporate network, which reach
    DLO only through the Edge Server: a path whose Destination is the Edge Server may be open on
    any network, so on every profile, and is by default, except on Windows' RPC endpoint mapper,
    NetBIOS and SMB ports: the only such path (the dashboard's 135, between the Administration
    Server, the Console and the Edge Server) is servers among themselves, and the endpoint
    mapper open to every address of a public network is what no reviewer lets pass, so by
    default it stays on the Domain profile (CorporateProfiles widens it). Every other path runs
    only inside the corporate network, which Windows knows as the Domain profile: in every mode
    it may be open there only, unless CorporateProfiles says otherwise (never set here). So the
    vendor's table is honoured in full on the Domain profile."""
    if "edge-server" in dst:
        return set(ALL_PROFILES), ["domain"] if ports & WINDOWS_SERVER_PORTS else ALL_PROFILES
    return {"domain"}, ["domain"]


def match_rows(vendor, matrix):
    """Gives each vendor row the ids of its matrix rows (v["ids"]): consecutive rows with the
    vendor's words, split by their ports."""
    i = 0
    for v in vendor:
        v["ids"] = []
        while i < len(matrix) and (matrix[i]["process"], matrix[i]["port"], matrix[i]["type"]) \
                == (v["process"], v["port"], v["type"]):
            v["ids"].append(matrix[i]["id"])
            i += 1
        check(v["ids"], "vendor row %r %r: no matrix row with its words at row %d of the matrix"
              % (v["process"], v["port"], i))
        check(len(v["ids"]) < 2 or all(port_set(m["ports"]) for m in matrix[i - len(v["ids"]):i]),
              "vendor row %r: split rows each name ports" % v["process"])
    check(i == len(matrix), "matrix rows left over after the vendor's: %s"
          % [m["id"] for m in matrix[i:]])


def check_rule(r, direction, dst, peers, covered, what):
    """One planned rule of a vendor row: the other side has no ports, its ports are none of the
    row's other rules', the peers and the profiles are the row's."""
    ports = port_set(r["local_ports"] if direction == "in" else r["remote_ports"])
    other = r["remote_ports"] if direction == "in" else r["local_ports"]
    allowed, profiles = expected_profiles(dst, ports)
    what += " (%s)" % r["name"]
    check(ports and not ports & covered, what + ": ports %s overlap the row's other rules" % ports)
    covered |= ports
    check(other == "", what + ": the other side has ports %r" % other)
    check(peers <= set(r["peers"]), what + ": peers %s lack %s" % (r["peers"], peers))
    check(set(r["profiles"]) <= allowed,
          what + ": profiles %s, wider than the vendor's table allows (%s)"
          % (r["profiles"], sorted(allowed)))
    check(r["profiles"] == profiles,
          what + ": profiles %s, the default is %s" % (r["profiles"], profiles))


def run(cmd, args):
    out = subprocess.run(cmd + args, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit("%s %s exited %d: %s" % (cmd, args, out.returncode, out.stderr))
    return json.loads(out.stdout)


def main():
    vendor = vendor_rows(sys.argv[1])
    agent = sys.argv[3:] + [sys.argv[2]]
    check(len(vendor) == 19, "the vendor table has 19 rows, read %d" % len(vendor))

    matrix_json = run(agent, ["/matrix", "/json"])
    matrix = matrix_json["rows"]
    match_rows(vendor, matrix)
    # The roles the agent knows, from its own table, never a list of this script's: each must
    # be a component of the vendor's table, so a role added without its vendor name fails here.
    roles = [r["name"] for r in matrix_json["roles"]]
    for role in roles:
        check(role in COMPONENTS.values(), "role %s is a component of the vendor's table" % role)

    for mode in MODES:
        for role in roles:
            plan = run(agent, ["/plan", "/json", "/roles:" + role, "/mode:" + mode])
            rules = plan["rules"]
            seen = set()
            for v in vendor:
                c = v["modes"][mode]
                if c is None:
                    check(all(not set(v["ids"]) & set(r["rows"]) for r in rules),
                          "%s/%s: row %s is NA but has a rule" % (mode, role, v["ids"]))
                    continue
                for direction, local, peers in (("out", c[0], c[1]), ("in", c[1], c[0])):
                    for proto in protocols(v["type"]):
                        match = [r for r in rules if set(v["ids"]) & set(r["rows"])
                                 and r["direction"] == direction and r["protocol"] == proto]
                        what = "%s/%s: row %s %s %s" % (mode, role, v["ids"], direction, proto)
                        if role not in local:
                            check(not match, what + ": rule for a role the row does not name")
                            continue
                        check(len(match) == len(v["ids"]), what + ": expected %d rules, found %d"
                              % (len(v["ids"]), len(match)))
                        covered = set()
                        for r in match:
                            seen.add(r["name"])
                            check_rule(r, direction, c[1], peers, covered, what)
                        check(covered == port_set(v["port"]),
                              what + ": ports %s, vendor %s" % (sorted(covered), v["port"]))
            for r in rules:
                check(r["name"] in seen, "%s/%s: rule %s is justified by no vendor row" % (mode, role, r["name"]))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
