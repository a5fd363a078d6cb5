#!/usr/bin/env python3
"""Real rule stores, read twice: by the agent's reader (rule_json, a build of the core) and by
an independent reading of MS-GPFAS 2.2.2.19 written here, and compared field by field.

Usage: check_rules.py RULE_JSON REAL_WORLD_DIR

REAL_WORLD_DIR is ../shared/real-world/firewall-rules beside the repository: windows-fields.txt
and others.txt, one rule string per line. They are required: the check fails, saying so, when
they are absent.

The reading here follows the grammar and its sections only (2.2.2.1 to 2.2.2.20, and MS-FASP
2.2.37 for PFN, which the grammar lacks); it shares no code or table with the agent. A string
any of whose fields is not of the grammar is a failure, except a connection security rule's
action (MS-GPFAS 2.2.6.2), which the agent must flag as unreadable and keep as written.
"""
import json
import os
import re
import subprocess
import sys

FILES = ("windows-fields.txt", "others.txt")

PORT = r"(?:[0-9]{1,5})"
# 2.2.2.3: keywords by field; the agent writes the IP-HTTPS ones as INetFwRule spells them.
LPORT_KW = {"RPC", "RPC-EPMap", "Teredo"}
LPORT_KW_2_10 = {"IPTLSIn", "IPHTTPSIn"}
RPORT_KW_2_10 = {"IPTLSOut", "IPHTTPSOut"}
LPORT_KW_2_20 = {"DHCP", "Ply2Disc"}
COM_PORT = {"IPTLSIn": "IPHTTPS", "IPHTTPSIn": "IPHTTPS", "IPTLSOut": "IPHTTPS",
            "IPHTTPSOut": "IPHTTPS"}
# 2.2.2.13, and the spelling INetFwRule and the Firewall CSP use for the 2.20 ones.
ADDR_KW = {"LocalSubnet", "DNS", "DHCP", "WINS", "DefaultGateway"}
ADDR_KW_2_20 = {"IntrAnet": "Intranet", "IntErnet": "Internet", "Ply2Renders": "Ply2Renders",
                "RmtIntrAnet": "RmtIntranet", "CaptivePortal": "CaptivePortal"}
TTK = {"TTK": {"Proximity", "ProxSharing"}, "TTK2_22": {"WFDPrint", "WFDDisplay", "WFDDevices"},
       "TTK2_27": {"WFDKmDriver", "UPnP"}, "TTK2_28": {"WFDCDPSvc"}}
CS_ACTIONS = {"SecureServer", "Boundary", "Secure", "DoNotSecure"}
V4 = r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}"
V6 = r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*"


def port_ok(v):
    return re.fullmatch(PORT, v) and int(v) <= 65535


def range_ok(v):
    m = re.fullmatch("(%s)-(%s)" % (PORT, PORT), v)
    return m and int(m.group(1)) <= int(m.group(2)) <= 65535


def v4_ok(v):
    one = "%s(?:-%s|/%s|/[0-9]{1,2})?" % (V4, V4, V4)
    return re.fullmatch(one, v) is not None


def v6_ok(v):
    return re.fullmatch(r"%s(?:-%s|/[0-9]{1,3})?" % (V6, V6), v) is not None


class Reading:
    """What the grammar says a rule string holds, in the agent's JSON terms."""

    def __init__(self):
        self.f = {"action": 1, "enabled": False, "direction": 1, "protocol": 256, "profiles": 0,
                  "edge": False, "defer": None, "secure_flags": 0}
        self.lists = {}
        self.text = {}
        self.bad = []       # fields not of the grammar
        self.other = []     # fields the grammar has but the agent does not model
        self.cs_rule = False

    def add(self, key, value):
        lst = self.lists.setdefault(key, [])
        if value not in lst:
            lst.append(value)


def read_ports(r, key, v, keywords):
    if v in keywords:
        r.add(key, COM_PORT.get(v, v))
    elif port_ok(v) or (key != "remote_ports_single" and range_ok(v)):
        r.add(key, v)
    else:
        return False
    return True


def read_field(r, k, v):
    """One field; False when its value is not of the grammar."""
    if k == "Action":
        if v in CS_ACTIONS:
            r.cs_rule = True
            return True
        if v not in ("Allow", "Block", "ByPass"):
            return False
        r.f["action"] = 0 if v == "Block" else 1
    elif k == "Active":
        if v not in ("TRUE", "FALSE"):
            return False
        r.f["enabled"] = v == "TRUE"
    elif k == "Dir":
        if v not in ("In", "Out"):
            return False
        r.f["direction"] = 1 if v == "In" else 2
    elif k == "Protocol":
        if not re.fullmatch("[0-9]{1,3}", v) or int(v) > 255:
            return False
        r.f["protocol"] = int(v)
    elif k == "Profile":
        bits = {"Domain": 1, "Private": 2, "Public": 4}
        if v not in bits:
            return False
        r.f["profiles"] |= bits[v]
    elif k == "LPort":
        return (v in LPORT_KW or port_ok(v)) and read_ports(r, "local_ports", v, LPORT_KW)
    elif k == "LPort2_10":
        return read_ports(r, "local_ports", v, LPORT_KW_2_10)
    elif k == "LPort2_20":
        return v in LPORT_KW_2_20 and read_ports(r, "local_ports", v, LPORT_KW_2_20)
    elif k == "RPort":
        return port_ok(v) and read_ports(r, "remote_ports", v, set())
    elif k == "RPort2_10":
        return read_ports(r, "remote_ports", v, RPORT_KW_2_10)
    elif k in ("LA4", "LA6"):
        if not (v4_ok(v) if k == "LA4" else v6_ok(v)):
            return False
        r.add("local_addresses", v)
    elif k in ("RA4", "RA6"):
        if v not in ADDR_KW and not (v4_ok(v) if k == "RA4" else v6_ok(v)):
            return False
        r.add("remote_addresses", v)
    elif k in ("RA42", "RA62"):
        if v not in ADDR_KW_2_20:
            return False
        r.add("remote_addresses", ADDR_KW_2_20[v])
    elif k in ("Name", "Desc", "EmbedCtxt", "App", "Svc", "LUOwn", "AppPkgId", "LUAuth",
               "RUAuth", "RMAuth", "RMauth", "PFN"):
        names = {"Name": "name", "Desc": "description", "EmbedCtxt": "grouping",
                 "App": "application", "Svc": "service", "LUOwn": "local_user_owner",
                 "AppPkgId": "app_package_id", "LUAuth": "local_users", "RUAuth": "remote_users",
                 "RMAuth": "remote_machines", "RMauth": "remote_machines", "PFN": "package_family"}
        r.text[names[k]] = v
    elif k == "Edge":
        if v not in ("TRUE", "FALSE"):
            return False
        r.f["edge"] = v == "TRUE"
    elif k == "Defer":
        if v not in ("App", "User"):
            return False
        r.f["defer"] = v
    elif k in ("ICMP4", "ICMP6"):
        m = re.fullmatch(r"([0-9]{1,3}):([0-9]{1,3}|\*)", v)
        if not m or int(m.group(1)) > 255 or (m.group(2) != "*" and int(m.group(2)) > 255):
            return False
        r.add("icmp_types", v)
    elif k == "IFType":
        if v not in ("Lan", "Wireless", "RemoteAccess"):
            return False
        r.add("interface_types", v)
    elif k == "IF":
        if not re.fullmatch(r"\{[0-9A-Fa-f-]{36}\}", v):
            return False
        r.add("interfaces", v)
    elif k in ("Security", "Security2_9", "Security2"):
        ok = {"Security": ("Authenticate", "AuthenticateEncrypt"), "Security2_9": ("An-NoEncap",),
              "Security2": ("AnE-Nego",)}[k]
        if v not in ok:
            return False
        r.f["secure_flags"] = 1
    elif k == "Platform":
        m = re.fullmatch(r"([0-9]+):([0-9]{1,3}):([0-9]{1,3})", v)
        if not m or int(m.group(1)) > 7 or int(m.group(2)) > 255 or int(m.group(3)) > 255:
            return False
        r.add("platforms", v)
    elif k == "Platform2":
        if v != "GTEQ" or not r.lists.get("platforms"):
            return False
        r.lists["platforms"][-1] += ">="
    elif k in TTK:
        if v not in TTK[k]:
            return False
        r.add("trust_tuples", v)
    elif k in ("LSM", "LOM", "PCross", "AuthByPassOut", "SkipVer", "NNm", "SecurityRealmId",
               "LUAuth2_24"):
        r.other.append("%s=%s" % (k, v))
    else:
        return False
    return True


def read_rule(text):
    r = Reading()
    parts = text.split("|")
    if not re.fullmatch(r"v[0-9]{1,3}\.[0-9]{1,3}", parts[0]):
        r.bad.append(parts[0])
    for field in parts[1:]:
        if field == "":
            continue
        k, eq, v = field.partition("=")
        if not eq or not read_field(r, k, v):
            r.bad.append(field)
    if r.f["profiles"] == 0:
        r.f["profiles"] = 7  # 2.2.2.19: no Profile= is FW_PROFILE_TYPE_ALL
    return r


def expected(r):
    """The agent's JSON as the independent reading has it."""
    edge = {"App": 2, "User": 3}.get(r.f["defer"], 1 if r.f["edge"] else 0)
    out = {"action": r.f["action"], "enabled": r.f["enabled"],
           "direction": r.f["direction"], "protocol": r.f["protocol"],
           "profiles": r.f["profiles"], "edge_traversal": edge,
           "secure_flags": r.f["secure_flags"]}
    for key in ("name", "description", "grouping", "application", "service", "local_user_owner",
                "app_package_id", "local_users", "remote_users", "remote_machines",
                "package_family"):
        out[key] = r.text.get(key)
    for key in ("local_ports", "remote_ports", "local_addresses", "remote_addresses",
                "icmp_types", "interface_types", "interfaces", "platforms", "trust_tuples"):
        out[key] = ",".join(r.lists[key]) if key in r.lists else None
    out["other_fields"] = "|".join(r.other) if r.other else None
    return out


def same_address(a, b):
    """An address as written and as the agent keeps it: the same text (the agent keeps the
    string as the store holds it; comparing by meaning is dlo_addr's own test)."""
    return a == b


def compare(line_no, name, text, agent, failures):
    r = read_rule(text)
    if r.cs_rule:
        # A connection security rule's action: the agent must say it did not read the action
        # and keep the field, so the matching model can tell it apart.
        if not (agent["unreadable"] & 16) or "Action=" not in (agent["other_fields"] or ""):
            failures.append("%s:%d: a connection security rule not flagged: %s" %
                            (name, line_no, text))
        return "cs"
    if r.bad:
        failures.append("%s:%d: not of the grammar: %s in %s" % (name, line_no, r.bad, text))
        return "bad"
    if agent["unreadable"]:
        failures.append("%s:%d: the agent could not read bits %#x of %s" %
                        (name, line_no, agent["unreadable"], text))
    for key, want in expected(r).items():
        have = agent.get(key)
        if have != want:
            failures.append("%s:%d: %s is %r, MS-GPFAS reads %r (%s)" %
                            (name, line_no, key, have, want, text))
    return "ok"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: check_rules.py RULE_JSON REAL_WORLD_DIR")
    tool, folder = sys.argv[1], sys.argv[2]
    missing = [f for f in FILES if not os.path.isfile(os.path.join(folder, f))]
    if missing:
        print("FAIL: the real rule stores are missing: %s in %s (they come with ../shared/"
              "real-world beside the repository)" % (", ".join(missing), folder))
        return 1
    failures = []
    counts = {}
    for name in FILES:
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            lines = [l.rstrip("\r\n") for l in fh if l.strip()]
        out = subprocess.run([tool], input="\n".join(lines) + "\n", capture_output=True,
                             text=True, check=True).stdout.splitlines()
        if len(out) != len(lines):
            failures.append("%s: %d rules in, %d readings out" % (name, len(lines), len(out)))
            continue
        for i, (text, js) in enumerate(zip(lines, out), 1):
            kind = compare(i, name, text, json.loads(js), failures)
            counts[(name, kind)] = counts.get((name, kind), 0) + 1
        fields = sum(len(l.split("|")) - 2 for l in lines)
        print("%s: %d rules, %d fields compared; %s" % (
            name, len(lines), fields,
            ", ".join("%s %d" % (k, n) for (f, k), n in sorted(counts.items()) if f == name)))
    for f in failures[:40]:
        print("FAIL: " + f)
    if failures:
        print("%d differences" % len(failures))
        return 1
    print("every field of every rule read as MS-GPFAS says")
    return 0


if __name__ == "__main__":
    sys.exit(main())
