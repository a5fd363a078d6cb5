#!/usr/bin/env python3
"""/verify of the real dloagent.exe under Wine judges the firewall as it really acts: Group
Policy's rules (HKLM\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall\\FirewallRules, which
INetFwPolicy2 does not enumerate) and its per-profile settings, planted with `wine reg`, beside
the local store of the double.

Usage: test_gpo.py PATH/TO/dloagent.exe   (in the Wine session, double active)"""
import json
import sys

from winefw import (GROUPING, check, finish, long_name, plant, reg, reg_import, reg_write,
                    reset_counters, reset_store, set_test_value, wine)

EXE = sys.argv[1]
ROLES = ("/roles:edge-server", "/mode:exclusive")
# A scope for every peer of the Edge Server's inbound rules: none is left open to any address.
SCOPES = ("/adminservers:10.1.0.5", "/adminconsoles:10.1.0.0/16", "/edgeservers:10.1.0.6",
          "/clientnetworks:10.8.0.0/16", "/webrestoremachines:10.1.0.7")
GP_KEY = r"HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall"
GP_RULES = GP_KEY + r"\FirewallRules"
# Group Policy's private profile is PrivateProfile (MS-GPFAS 2.2.3), not the local StandardProfile.
GP_PROFILES = ("DomainProfile", "PrivateProfile", "PublicProfile")


def agent(*args):
    return wine(EXE, *args)


def planned():
    rc, out, err = agent("/plan", "/json", *ROLES)
    assert rc == 0, err
    return json.loads(out)["rules"]


def rule_string(r):
    """A planned rule (from /plan /json) as Group Policy's store holds it."""
    s = "v2.30|Action=Allow|Active=TRUE|Dir=%s|Protocol=%d|" % (
        "In" if r["direction"] == "in" else "Out", {"tcp": 6, "udp": 17}[r["protocol"]])
    if len(r["profiles"]) < 3:
        s += "".join("Profile=%s|" % p.capitalize() for p in r["profiles"])
    key = "LPort" if r["direction"] == "in" else "RPort"
    for port in (r["local_ports"] if r["direction"] == "in" else r["remote_ports"]).split(","):
        s += "%s%s=%s|" % (key, "2_10" if "-" in port else "", port)
    return s + "Name=%s|Desc=%s|EmbedCtxt=%s|" % (r["name"], r["description"], r["grouping"])


def reset_gp():
    reg_import(["[-%s]" % long_name(GP_KEY)])


def gp_value(profile, name, value):
    reg_write("add", GP_KEY + "\\" + profile, "/v", name, "/t", "REG_DWORD", "/d", str(value), "/f")


def plant_gp(rules_by_id):
    lines = ["[%s]" % long_name(GP_RULES)]
    for rid, s in rules_by_id.items():
        lines.append('"%s"="%s"' % (rid, s.replace("\\", "\\\\").replace('"', '\\"')))
    reg_import(lines)


def verify(*extra):
    """(exit code, JSON report, text report)."""
    rc, out, err = agent("/verify", "/json", *(ROLES + extra))
    rc2, text, err2 = agent("/verify", *(ROLES + extra))
    assert rc == rc2, (rc, rc2, err, err2)
    return rc, (json.loads(out) if out else {"problems": [], "warnings": [], "rules": []}), text


def kinds(report, what="problems", but=("unscoped",)):
    """The kinds of the report's problems or warnings, leaving out the `unscoped` warnings of the
    unscoped plan (test_unscoped checks those)."""
    return [p["kind"] for p in report.get(what, []) if p["kind"] not in but]


def start(*extra):
    reset_store()
    reset_counters()
    reset_gp()
    rc, out, err = agent("/apply", *(ROLES + extra))
    assert rc == 0, err


def test_nothing_from_group_policy():
    start()
    rc, rep, text = verify()
    check(rc == 0 and kinds(rep) == [] and kinds(rep, "warnings") == [],
          "no Group Policy: compliant, no problem, no warning (%d, %s)" % (rc, kinds(rep)))
    check(rep["rules"] and all(r["source"] == "local" for r in rep["rules"]),
          "every rule's source is local")


def test_block_from_group_policy():
    start()
    plant_gp({"{G0000000-0000-4000-8000-000000000001}":
              "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|Profile=Public|LPort=443|"
              "Name=Hardening: no 443|EmbedCtxt=CIS|Edge=FALSE|"})
    rc, rep, text = verify()
    check(rc == 1 and kinds(rep) == ["blocked-by-rule", "blocked-by-rule"],
          "a Group Policy Block rule over 443 is reported for both 443 rules (%s)" % kinds(rep))
    check("the Group Policy rule 'Hardening: no 443' blocks what" in text,
          "the text names the Group Policy rule")


def test_merge_off_without_and_with_the_rules_in_the_gpo():
    start()
    for p in GP_PROFILES:
        gp_value(p, "AllowLocalPolicyMerge", 0)
    rc, rep, text = verify()
    check(rc == 1 and kinds(rep) == ["gp-override"],
          "merge off, nothing in the GPO: one gp-override problem (%s)" % kinds(rep))
    msg = rep["problems"][0]["message"] if rep["problems"] else ""
    n = len(planned())
    check("Group Policy lacks %d of them" % n in msg and "not in the Group Policy store" in msg,
          "it says what the GPO lacks (%s)" % msg[:160])
    check(all(r["source"] is None for r in rep["rules"]), "no rule takes effect: source null")

    rules = planned()
    plant_gp({"{G1000000-0000-4000-8000-%012d}" % i: rule_string(r) for i, r in enumerate(rules)})
    rc, rep, text = verify()
    check(rc == 0 and kinds(rep) == [], "merge off, the agent's rules in the GPO: compliant (%d, %s)"
          % (rc, kinds(rep)))
    check(text.startswith("COMPLIANT: local firewall rules do not take effect") and
          "come from Group Policy" in text, "the text says the rules come from Group Policy (%s)"
          % text.splitlines()[0][:160] if text else "")
    check(len(rep["rules"]) == n and all(r["source"] == "group-policy" for r in rep["rules"]),
          "every rule's source is group-policy")

    wrong = dict(rules[1], local_ports="8443")
    plant_gp({"{G1000000-0000-4000-8000-%012d}" % 1: rule_string(wrong)})
    rc, rep, text = verify()
    msg = rep["problems"][0]["message"] if rep["problems"] else ""
    check(rc == 1 and "lacks 1 of them" in msg and "'%s' (local_ports differs)" % rules[1]["name"] in msg,
          "one GPO rule on another port: named with what differs (%s)" % msg[-160:])


def test_inbound_blocked_and_profile_off():
    start()
    gp_value("DomainProfile", "DoNotAllowExceptions", 1)
    rc, rep, text = verify()
    check(rc == 1 and kinds(rep) == ["inbound-blocked"],
          "DoNotAllowExceptions on Domain: inbound-blocked (%s)" % kinds(rep))
    check("Domain profile (DoNotAllowExceptions = 1 in Group Policy)" in text, "the text says why")
    reset_gp()
    set_test_value("LocalPolicyModifyState", 2)  # NET_FW_MODIFY_STATE_INBOUND_BLOCKED
    rc, rep, text = verify()
    check(rc == 1 and kinds(rep) == ["inbound-blocked"],
          "LocalPolicyModifyState INBOUND_BLOCKED: inbound-blocked (%s)" % kinds(rep))
    reset_counters()
    # Public is planned but not current (the double's current profile is Domain).
    gp_value("PublicProfile", "EnableFirewall", 0)
    rc, rep, text = verify()
    check(rc == 1 and kinds(rep) == ["firewall-off"],
          "Group Policy turns the firewall off on Public, not current: firewall-off (%s)" % kinds(rep))
    check("Public profile (EnableFirewall = 0)" in text, "the text names the profile and the setting")


def test_overexposure():
    # Scoped, so that only the foreign rules make warnings.
    start(*SCOPES)
    plant({"{F0000000-0000-4000-8000-000000000001}":
           "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Name=Every TCP port|EmbedCtxt=Other|"})
    plant_gp({"{G2000000-0000-4000-8000-000000000001}":
              "v2.30|Action=Allow|Active=TRUE|Dir=In|LPort=90|Name=GPO any protocol on 90|"})
    rc, rep, text = verify(*SCOPES)
    w = kinds(rep, "warnings", but=())
    check(rc == 0 and kinds(rep) == [] and w == ["overexposed", "overexposed"],
          "two wider Allow rules: two overexposed warnings, still compliant (%d, %s)" % (rc, w))
    msgs = " ".join(x["message"] for x in rep.get("warnings", []))
    check("'Every TCP port' (local store)" in msgs and "every port" in msgs, "the local rule is named, every port")
    check("'GPO any protocol on 90' (Group Policy)" in msgs and "any protocol" in msgs,
          "the Group Policy rule is named, any protocol")
    check("warning  overexposed:" in text, "the text lists the warnings")
    rc, rep, text = verify("/strict", *SCOPES)
    check(rc == 1 and rep["compliant"] is False and text.startswith("NOT COMPLIANT"),
          "/strict: the warnings make /verify exit 1 (%d)" % rc)
    start(*SCOPES)
    rc, rep, text = verify("/strict", *SCOPES)
    check(rc == 0, "/strict with no warning: exit 0 (%d)" % rc)


def test_unscoped():
    """Inbound rules open to any address on Private or Public are warnings naming the values that
    narrow them: /verify stays compliant, /verify /strict does not, until the scopes are set."""
    start()
    rc, rep, text = verify()
    unscoped = [w for w in rep.get("warnings", []) if w["kind"] == "unscoped"]
    check(rc == 0 and rep["compliant"] is True and unscoped,
          "unscoped rules: /verify compliant with unscoped warnings (%d, %d)" % (rc, len(unscoped)))
    check(any("Edge Server HTTPS (TCP-In)" in w["message"] and "ClientNetworks" in w["message"]
              for w in unscoped), "the warning names the rule and the value that narrows it")
    check("warning  unscoped: " in text, "the text lists the unscoped warnings")
    rc, rep, text = verify("/strict")
    check(rc == 1 and rep["compliant"] is False and text.startswith("NOT COMPLIANT"),
          "/verify /strict with unscoped rules: not compliant, exit 1 (%d)" % rc)
    start(*SCOPES)
    rc, rep, text = verify("/strict", *SCOPES)
    check(rc == 0 and kinds(rep, "warnings", but=()) == [],
          "every scope configured: /verify /strict compliant, no warning (%d, %s)"
          % (rc, kinds(rep, "warnings", but=())))


def main():
    test_nothing_from_group_policy()
    test_block_from_group_policy()
    test_merge_off_without_and_with_the_rules_in_the_gpo()
    test_inbound_blocked_and_profile_off()
    test_overexposure()
    test_unscoped()
    reset_gp()
    reset_store()
    reset_counters()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
