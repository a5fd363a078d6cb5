#!/usr/bin/env python3
"""/export:intune against the shape of a public Intune settings catalog firewall rules policy,
and /export:intune-omauri against the Firewall CSP's node list.

The expected shape below was written from reading the request bodies that
Invoke-MgConvertFirewallRules.ps1 posts to POST /beta/deviceManagement/configurationPolicies
(ennnbeee/mve-scripts, Intune/EndpointSecurity/ConvertFirewallRules/, commit 096d7ef9; the
script of the "Modernising Microsoft Intune Firewall Rule Policies" post): the template
19c8aa67-f286-4861-9aa0-f23541d31680_1, platforms windows10, technologies mdm,microsoftSense, one
setting whose instance is a group setting collection of
vendor_msft_firewall_mdmstore_firewallrules_{firewallrulename} (instance template
76c7a8be-67d2-44bf-81a5-38c94926b1a1), one value per rule holding the rule's children, each child
of the instance type and value type given here, choice values spelled DEFINITION_CHOICE. The node
list, types and values of the OMA-URI rows are the Firewall CSP page's (Microsoft Learn;
windows-itpro-docs, windows/client-management/mdm/firewall-csp.md). Nothing of either source is
copied here; the checks hold the exports to what was read there, and must fail on bodies broken
in the ways listed in BREAKAGES (the checks' own test).

Usage: check_intune.py AGENT"""
import copy
import json
import re
import subprocess
import sys

AGENT = sys.argv[1]
G = "#microsoft.graph.deviceManagementConfiguration"
DEF = "vendor_msft_firewall_mdmstore_firewallrules_{firewallrulename}"
# child node -> (instance type, value type, allowed choices or a value test)
CHILDREN = {
    "name": ("SimpleSettingInstance", "StringSettingValue", None),
    "description": ("SimpleSettingInstance", "StringSettingValue", None),
    "enabled": ("ChoiceSettingInstance", "ChoiceSettingValue", {"0", "1"}),
    "direction": ("ChoiceSettingInstance", "ChoiceSettingValue", {"in", "out"}),
    "action_type": ("ChoiceSettingInstance", "ChoiceSettingValue", {"0", "1"}),
    "protocol": ("SimpleSettingInstance", "IntegerSettingValue", lambda v: 0 <= v <= 255),
    "localportranges": ("SimpleSettingCollectionInstance", "StringSettingValue", None),
    "remoteportranges": ("SimpleSettingCollectionInstance", "StringSettingValue", None),
    "localaddressranges": ("SimpleSettingCollectionInstance", "StringSettingValue", None),
    "remoteaddressranges": ("SimpleSettingCollectionInstance", "StringSettingValue", None),
    "profiles": ("ChoiceSettingCollectionInstance", "ChoiceSettingValue", {"1", "2", "4"}),
    "app_filepath": ("SimpleSettingInstance", "StringSettingValue", None),
    "app_servicename": ("SimpleSettingInstance", "StringSettingValue", None),
    "interfacetypes": ("ChoiceSettingCollectionInstance", "ChoiceSettingValue",
                       {"all", "lan", "wireless", "remoteaccess"}),
}
REQUIRED_CHILDREN = {"name", "enabled", "direction", "action_type", "profiles"}
# Firewall CSP: node -> omaSetting type and a value test.
CSP_NODES = {
    "Name": ("omaSettingString", None), "Description": ("omaSettingString", None),
    "Direction": ("omaSettingString", {"IN", "OUT"}.__contains__),
    "Action/Type": ("omaSettingInteger", {0, 1}.__contains__),
    "Enabled": ("omaSettingBoolean", {True, False}.__contains__),
    "Profiles": ("omaSettingInteger", lambda v: 1 <= v <= 7),
    "Protocol": ("omaSettingInteger", lambda v: 0 <= v <= 255),
    "LocalPortRanges": ("omaSettingString", None), "RemotePortRanges": ("omaSettingString", None),
    "LocalAddressRanges": ("omaSettingString", None),
    "RemoteAddressRanges": ("omaSettingString", None),
    "App/FilePath": ("omaSettingString", None), "App/ServiceName": ("omaSettingString", None),
}
CSP_KEYWORDS = {"*", "Defaultgateway", "DHCP", "DNS", "WINS", "Intranet", "RmtIntranet",
                "Internet", "Ply2Renders", "LocalSubnet"}
NEWER = {"Intranet", "RmtIntranet", "Internet", "Ply2Renders"}
failures = []


def fail(what):
    failures.append(what)
    print("FAIL: " + what)


def expect(cond, where, what):
    if not cond:
        fail("%s: %s" % (where, what))


def check_item(where, node, item):
    """A port or address range as the CSP takes it: ports as ranges only, addresses or the
    CSP's keywords (that spelling)."""
    if "port" in node:
        expect(re.fullmatch(r"\d{1,5}(-\d{1,5})?", item), where, "port range %r" % item)
    elif not (":" in item or item[:1].isdigit()):
        expect(item in CSP_KEYWORDS, where, "%r is not a Firewall CSP keyword" % item)


def check_child(where, c):
    m = re.fullmatch(re.escape(DEF) + r"_(\w+)", c.get("settingDefinitionId", ""))
    node = m.group(1) if m else None
    if node not in CHILDREN:
        fail("%s: child %r" % (where, c.get("settingDefinitionId")))
        return None, []
    itype, vtype, allowed = CHILDREN[node]
    where = "%s %s" % (where, node)
    expect(c.get("@odata.type") == G + itype, where, "instance type %r" % c.get("@odata.type"))
    values = {"SimpleSettingInstance": lambda: [c["simpleSettingValue"]],
              "ChoiceSettingInstance": lambda: [c["choiceSettingValue"]],
              "SimpleSettingCollectionInstance": lambda: c["simpleSettingCollectionValue"],
              "ChoiceSettingCollectionInstance": lambda: c["choiceSettingCollectionValue"]}[itype]()
    expect(values, where, "no value")
    items = []
    for v in values:
        expect(v.get("@odata.type") == G + vtype, where, "value type %r" % v.get("@odata.type"))
        value = v.get("value")
        if vtype == "ChoiceSettingValue":
            expect(isinstance(value, str) and value.startswith("%s_%s_" % (DEF, node)), where,
                   "choice %r" % value)
            value = str(value).rsplit("_", 1)[-1]
            expect(v.get("children") == [], where, "choice children %r" % v.get("children"))
        if callable(allowed):
            expect(isinstance(value, int) and allowed(value), where, "value %r" % value)
        elif allowed is not None:
            expect(value in allowed, where, "value %r" % value)
        elif "ranges" in node:
            check_item(where, node, value)
        items.append(value)
    return node, items


def check_body(where, body):
    expect(body.get("platforms") == "windows10", where, "platforms %r" % body.get("platforms"))
    expect("mdm" in str(body.get("technologies")).split(","), where, "technologies")
    expect(isinstance(body.get("name"), str) and body["name"], where, "no name")
    expect(body.get("templateReference", {}).get("templateId") ==
           "19c8aa67-f286-4861-9aa0-f23541d31680_1", where, "templateReference")
    settings = body.get("settings", [])
    expect(len(settings) == 1, where, "%d settings" % len(settings))
    if len(settings) != 1:
        return 0
    s = settings[0]
    expect(s.get("@odata.type") == G + "Setting", where, "setting type")
    inst = s.get("settingInstance", {})
    expect(inst.get("@odata.type") == G + "GroupSettingCollectionInstance", where, "instance type")
    expect(inst.get("settingDefinitionId") == DEF, where, "settingDefinitionId")
    expect(inst.get("settingInstanceTemplateReference", {}).get("settingInstanceTemplateId") ==
           "76c7a8be-67d2-44bf-81a5-38c94926b1a1", where, "instance template")
    rules = inst.get("groupSettingCollectionValue", [])
    expect(0 < len(rules) <= 150, where, "%d rules in one policy" % len(rules))
    newer = body["name"].find("1809") >= 0
    for i, r in enumerate(rules):
        kids = dict(check_child("%s rule %d" % (where, i), c) for c in r.get("children", []))
        expect(REQUIRED_CHILDREN <= set(kids), where, "rule %d lacks %s" % (
            i, REQUIRED_CHILDREN - set(kids)))
        expect(all("/" not in n for n in kids.get("name", [])), where, "a '/' in a rule name")
        uses = NEWER & set(kids.get("remoteaddressranges", []) + kids.get("localaddressranges", []))
        expect(bool(uses) == newer, where, "rule %d: 1809 keywords %s in a policy for %s" % (
            i, sorted(uses), "1809 and later" if newer else "every build"))
    return len(rules)


def check_omauri_body(where, body):
    expect(body.get("@odata.type") == "#microsoft.graph.windows10CustomConfiguration", where,
           "type %r" % body.get("@odata.type"))
    rules = {}
    for row in body.get("omaSettings", []):
        m = re.fullmatch(r"\./Vendor/MSFT/Firewall/MdmStore/FirewallRules/([A-Za-z0-9]+)/(.+)",
                         row.get("omaUri", ""))
        if not m or m.group(2) not in CSP_NODES:
            fail("%s: OMA-URI %r is not a Firewall CSP rule node" % (where, row.get("omaUri")))
            continue
        kind, test = CSP_NODES[m.group(2)]
        at = "%s %s" % (where, row["omaUri"])
        expect(row.get("@odata.type") == "#microsoft.graph." + kind, at, "type")
        expect(test is None or test(row.get("value")), at, "value %r" % row.get("value"))
        if m.group(2).endswith("Ranges"):
            for item in str(row.get("value")).split(","):
                check_item(at, m.group(2).lower(), item)
        rules.setdefault(m.group(1), set()).add(m.group(2))
    for rid, nodes in rules.items():
        expect({"Name", "Direction", "Action/Type", "Enabled", "Profiles"} <= nodes, where,
               "rule %s lacks nodes" % rid)
    return len(rules)


def bodies(doc):
    return doc if isinstance(doc, list) else [doc]


def export(fmt, *args):
    p = subprocess.run([AGENT, "/export:" + fmt] + list(args), capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("/export:%s %s: exit %d: %s" % (fmt, " ".join(args), p.returncode,
                                                        p.stderr))
    return json.loads(p.stdout)


# Every role the agent knows (/matrix /json "roles", never a list of this script's) at once, then
# a client and an Edge Server with address keywords.
ALL_ROLES = ",".join(r["name"] for r in json.loads(subprocess.run(
    [AGENT, "/matrix", "/json"], capture_output=True, text=True, check=True).stdout)["roles"])
CONFIGS = [["/roles:" + ALL_ROLES, "/mode:occasional"],
           ["/roles:client", "/mode:exclusive", "/edgeservers:192.0.2.1,Internet",
            "/adminservers:10.1.0.0/16,RmtIntranet,Intranet,Ply2Renders,LocalSubnet,DNS"],
           ["/roles:edge-server", "/mode:nonboi", "/clientnetworks:fd00::/64,DHCP,WINS,"
            "DefaultGateway"]]
BREAKAGES = [("templateReference", lambda b: b.pop("templateReference")),
             ("a child's type", lambda b: b["settings"][0]["settingInstance"][
                 "groupSettingCollectionValue"][0]["children"][0].update(
                 {"@odata.type": G + "ChoiceSettingInstance"})),
             ("a keyword in COM spelling", lambda b: b["settings"][0]["settingInstance"][
                 "groupSettingCollectionValue"][0]["children"].append(
                 {"@odata.type": G + "SimpleSettingCollectionInstance",
                  "settingDefinitionId": DEF + "_remoteaddressranges",
                  "simpleSettingCollectionValue": [{"@odata.type": G + "StringSettingValue",
                                                    "value": "DefaultGateway"}]}))]


def main():
    rules = rows = 0
    for args in CONFIGS:
        for i, b in enumerate(bodies(export("intune", *args))):
            rules += check_body("intune %s body %d" % (" ".join(args), i), b)
        for i, b in enumerate(bodies(export("intune-omauri", *args))):
            rows += check_omauri_body("omauri %s body %d" % (" ".join(args), i), b)
    good = bodies(export("intune", *CONFIGS[0]))[0]
    for what, breaks in BREAKAGES:
        broken = copy.deepcopy(good)
        breaks(broken)
        before = len(failures)
        saved = sys.stdout
        sys.stdout = open("/dev/null", "w")
        try:
            check_body("(the checks' own test: %s)" % what, broken)
        finally:
            sys.stdout.close()
            sys.stdout = saved
        caught = len(failures) > before
        del failures[before:]
        if not caught:
            fail("the checks pass a body with a broken %s" % what)
    expect(rules > 0 and rows > 0, "intune", "nothing checked")
    print("%d rules in settings catalog bodies and %d in OMA-URI rows checked, %d failures" % (
        rules, rows, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
