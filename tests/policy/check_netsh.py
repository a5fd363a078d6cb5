#!/usr/bin/env python3
"""/export:netsh by cmd's and netsh's own rules, for every role and mode and each configuration
that changes the output (scopes with addresses and keywords, the RPC keywords of push
installation, profiles, the SQL Server port), and for rule names cmd or netsh cannot carry.

Every line is blank, a REM line, or `netsh advfirewall firewall add|delete rule` whose keywords
and values follow netsh's grammar (its `add rule` and `delete rule` help, as on Microsoft Learn,
"Use netsh advfirewall firewall context", KB 947709): dir in|out, action allow|block|bypass,
enable yes|no, profile public|private|domain|any, protocol 0-255|icmpv4|icmpv6|tcp|udp|any,
localip any or addresses, remoteip any, localsubnet, dns, dhcp, wins, defaultgateway or
addresses, localport numbers, ranges, RPC, RPC-EPMap or IPHTTPS (keywords only inbound TCP),
remoteport numbers or ranges, ports only for TCP and UDP, a name that is not `all`. And cmd's:
lines of at most 8191 characters (Microsoft Learn, command prompt line limit), every % doubled
(in REM lines too, where %~ is an error), no '!' (delayed expansion), ASCII only (a batch file is
read in the console's code page), quoted values without '"'.

Usage: check_netsh.py AGENT POLICY"""
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile

from exportparse import cmd_lines, netsh_args

AGENT, POLICY = sys.argv[1:3]
MODES = ["nonboi", "exclusive", "occasional"]
VARIANTS = [[], ["/adminservers:10.1.0.5,DNS,WINS", "/clientnetworks:10.8.0.0/16,fd00::/64,LocalSubnet",
                 "/edgeservers:192.0.2.10-192.0.2.20,DefaultGateway,DHCP"],
            ["/pushinstallports:rpc"], ["/corporateprofiles:domain,private", "/sqlport:1500"],
            ["/clientnetworks:RmtIntranet,10.8.0.0/16", "/adminservers:Internet,Ply2Renders,Intranet"]]
REMOTEIP_KEYWORDS = {"localsubnet", "dns", "dhcp", "wins", "defaultgateway"}
LOCALPORT_KEYWORDS = {"rpc", "rpc-epmap", "iphttps"}
ADD_KEYS = {"name", "dir", "action", "program", "service", "description", "enable", "profile",
            "localip", "remoteip", "localport", "remoteport", "protocol", "interfacetype",
            "rmtcomputergrp", "rmtusrgrp", "edge", "security"}
DELETE_KEYS = {"name", "dir", "profile", "program", "service", "localip", "remoteip", "localport",
               "remoteport", "protocol"}
failures = []


def fail(what):
    failures.append(what)
    print("FAIL: " + what)


def is_address(x):
    try:
        if "-" in x:
            lo, hi = (ipaddress.ip_address(e) for e in x.split("-"))
            return lo.version == hi.version and lo <= hi
        if "/" in x and "." in x.split("/")[1]:
            ipaddress.ip_network("%s/%s" % tuple(x.split("/")), strict=False)
            return True
        ipaddress.ip_network(x, strict=False)
        return True
    except ValueError:
        return False


def is_port(x):
    m = re.fullmatch(r"(\d{1,5})(?:-(\d{1,5}))?", x)
    return bool(m) and int(m.group(1)) <= 65535 and int(m.group(2) or m.group(1)) <= 65535 and \
        int(m.group(1)) <= int(m.group(2) or m.group(1))


def list_ok(value, item_ok):
    return value.lower() == "any" or all(item_ok(x) for x in value.split(","))


def check_values(where, verb, args):
    a = dict(args)
    keys = ADD_KEYS if verb == "add" else DELETE_KEYS
    for k, _ in args:
        if k not in keys:
            fail("%s: %s rule takes no %s=" % (where, verb, k))
    if len(a) != len(args):
        fail("%s: a keyword given twice" % where)
    needed = ("name", "dir", "action") if verb == "add" else ("name",)
    for k in needed:
        if k not in a:
            fail("%s: %s rule without %s=" % (where, verb, k))
    if a.get("name", "").lower() == "all" or not a.get("name"):
        fail("%s: name=%r (netsh reads all as every rule)" % (where, a.get("name")))
    proto = a.get("protocol", "any").lower()
    tcp_in = proto == "tcp" and a.get("dir") == "in"
    checks = {
        "dir": lambda v: v in ("in", "out"),
        "action": lambda v: v in ("allow", "block", "bypass"),
        "enable": lambda v: v in ("yes", "no"),
        "profile": lambda v: all(x in ("public", "private", "domain", "any") for x in v.split(",")),
        "protocol": lambda v: v in ("icmpv4", "icmpv6", "tcp", "udp", "any") or
        (v.isdigit() and int(v) <= 255),
        "localip": lambda v: list_ok(v, is_address),
        "remoteip": lambda v: list_ok(v, lambda x: x.lower() in REMOTEIP_KEYWORDS or is_address(x)),
        "localport": lambda v: list_ok(v, lambda x: is_port(x) or
                                       (tcp_in and x.lower() in LOCALPORT_KEYWORDS)),
        "remoteport": lambda v: list_ok(v, is_port),
        "service": lambda v: bool(re.fullmatch(r"[^\s\\/]+", v)),
        "edge": lambda v: v in ("yes", "deferapp", "deferuser", "no"),
    }
    for k, ok in checks.items():
        if k in a and not ok(a[k]):
            fail("%s: %s=%s is not in netsh's grammar" % (where, k, a[k]))
    if ("localport" in a or "remoteport" in a) and proto not in ("tcp", "udp"):
        fail("%s: ports with protocol=%s" % (where, proto))


def check_cmd_line(where, line):
    if len(line) > 8191:
        fail("%s: %d characters; cmd takes at most 8191" % (where, len(line)))
    if any(ord(c) > 126 or ord(c) < 32 for c in line):
        fail("%s: a character cmd reads in the console's code page, or a control character" % where)
    if "!" in line:
        fail("%s: a '!', which cmd expands when delayed expansion is on" % where)


def check_text(where, text):
    commands = 0
    for n, line in enumerate(cmd_lines(text), 1):
        at = "%s line %d" % (where, n)
        check_cmd_line(at, line)
        if line == "":
            continue
        if line.startswith("REM ") or line == "REM":
            if re.search(r"%(?!%)", line.replace("%%", "")) or line.endswith("^"):
                fail("%s: a REM line cmd would expand or join to the next: %r" % (at, line))
            continue
        try:
            verb, args = netsh_args(line)
        except ValueError as e:
            fail("%s: %s" % (at, e))
            continue
        check_values(at, verb, args)
        commands += 1
    return commands


def run(*args):
    p = subprocess.run([AGENT] + list(args), capture_output=True, text=True)
    if p.returncode not in (0, 2) or (p.returncode == 2 and "refused" not in p.stderr):
        raise SystemExit("%s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr))
    return p.returncode, p.stdout, p.stderr


# The roles the agent knows, from its own table (/matrix /json), never a list of this script's.
ROLES = [r["name"] for r in json.loads(run("/matrix", "/json")[1])["roles"]]


def renamed_policy(title):
    with open(POLICY, encoding="utf-8") as f:
        text = f.read()
    f = tempfile.NamedTemporaryFile("w", suffix=".ports", delete=False, encoding="utf-8")
    f.write(text.replace("  rule       Administration Service\n", "  rule       %s\n" % title))
    f.close()
    return f.name


def check_names():
    """Names cmd or netsh cannot carry are refused by name; a % is doubled and reads back."""
    for title, refused in (('Admin "x" y', True), ("Admin !PATH! y", True), ("Admin \u00e9", True),
                           ("Admin\u2019s", True), ("Admin %PATH% %~f0 100%", False)):
        policy = renamed_policy(title)
        try:
            plan = json.loads(run("/plan", "/json", "/roles:admin-server", "/policy:" + policy)[1])
            rc, out, err = run("/export:netsh", "/roles:admin-server", "/policy:" + policy)
        finally:
            os.unlink(policy)
        check_text("name %r" % title, out)
        names = [r["name"] for r in plan["rules"] if title in r["name"]]
        added = []
        for line in cmd_lines(out):
            try:
                if line.startswith("netsh advfirewall firewall add rule"):
                    added.append(dict(netsh_args(line)[1]).get("name"))
            except ValueError:
                pass
        for name in names:
            if refused and (rc != 2 or json.dumps(name, ensure_ascii=False) not in err or name in added):
                fail("name %r: not refused by name (exit %d): %s" % (title, rc, err))
            if not refused and (rc != 0 or name not in added):
                fail("name %r: does not read back from the netsh line (exit %d)" % (title, rc))
        if not names:
            fail("no rule took the name %r" % title)


def main():
    commands = refusals = 0
    for mode in MODES:
        for role in ROLES:
            for v in VARIANTS:
                rc, out, err = run("/export:netsh", "/roles:" + role, "/mode:" + mode, *v)
                commands += check_text("%s/%s %s" % (role, mode, " ".join(v)), out)
                refusals += rc == 2
    check_names()
    if commands == 0 or refusals == 0:
        fail("nothing checked: %d commands, %d refusals" % (commands, refusals))
    print("%d netsh commands checked against netsh's grammar, %d exports with refused rules, "
          "%d failures" % (commands, refusals, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
