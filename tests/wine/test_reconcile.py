#!/usr/bin/env python3
"""The real dloagent.exe under Wine against the firewall double: /apply, /verify and /remove
do exactly what the plan says to the Windows rule store, touch no foreign rule, repair drift
with one write, roll back at every failing write, and report what makes rules ineffective.

Usage: test_reconcile.py PATH/TO/dloagent.exe   (in the Wine session, double active)"""
import json
import os
import re
import sys

from winefw import (GROUPING, check, counters, finish, foreign, foreign_rules, owned, parse,
                    plant, reg, reset_counters, reset_store, rules, set_policy_value,
                    set_test_value, store_matches_plan, wine, RULES_KEY)

EXE = sys.argv[1]
ROLES = "/roles:edge-server,io-server"


def agent(*args):
    return wine(EXE, *args)


MATRIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "policies",
                      "dlo-10.0.ports")
FAILED_CHANGE = re.compile(r"(adding|updating|removing) rule '([^']+)'(?: \(([^()]*)\))? failed: ")
ROW = re.compile(r"matrix row ([a-z0-9.-]+), dlo-10\.0\.ports:(\d+)$")


def check_failed_change(err, what):
    """A failed write names its rule, and a planned rule's matrix rows, each with the row's line
    in the embedded matrix's file (a removal of a rule no longer planned names the rule alone)."""
    m = FAILED_CHANGE.search(err)
    if not check(m is not None, "%s: the error names the change and its rule (%s)" % (what, err.strip()[:300])):
        return
    if m.group(1) == "removing" and not m.group(3):
        return
    rows = [ROW.match(part) for part in (m.group(3) or "").split("; ")]
    if not check(all(rows), "%s: the error names the rule's matrix rows and lines (%s)"
                 % (what, err.strip()[:300])):
        return
    with open(MATRIX, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for row in rows:
        line = int(row.group(2))
        check(0 < line <= len(lines) and lines[line - 1].strip() == "row " + row.group(1),
              "%s: line %d of dlo-10.0.ports starts row %s" % (what, line, row.group(1)))


def plan(*args):
    rc, out, err = agent("/plan", "/json", *args)
    assert rc == 0, err
    return json.loads(out)["rules"]


def test_apply_from_empty_and_idempotence():
    reset_store()
    planned = plan(ROLES, "/mode:exclusive")
    rc, out, err = agent("/apply", ROLES, "/mode:exclusive")
    check(rc == 0, "/apply on an empty firewall exits 0 (%s)" % err.strip())
    check("%d added, 0 updated, 0 removed" % len(planned) in out, "/apply says what it added")
    store_matches_plan(planned, "after /apply")
    rc, out, err = agent("/verify", ROLES, "/mode:exclusive")
    check(rc == 0 and out.startswith("COMPLIANT"), "/verify after /apply: compliant, exit 0 (%d)" % rc)

    reset_counters()
    rc, out, err = agent("/apply", ROLES, "/mode:exclusive")
    c = counters()
    check(rc == 0, "second /apply exits 0")
    check(c.get("RuleWrites", 0) == 0, "second /apply writes nothing (RuleWrites=%d)" % c.get("RuleWrites", 0))
    check(c.get("Enumerations", 0) == 1, "second /apply enumerates once (Enumerations=%d)" % c.get("Enumerations", 0))


def test_foreign_rules_untouched():
    reset_store()
    names = [r["name"] for r in plan(ROLES, "/mode:exclusive")]
    plant(foreign_rules(1000, names))
    before = foreign()
    check(len(before) == 1000, "1000 foreign rules planted, some with the agent's rule names")
    steps = [
        ("/apply exclusive", ("/apply", ROLES, "/mode:exclusive"), 0),
        ("/verify", ("/verify", ROLES, "/mode:exclusive"), 0),
        ("/apply occasional", ("/apply", ROLES, "/mode:occasional"), 0),
        ("/verify /json", ("/verify", "/json", ROLES, "/mode:occasional"), 0),
        ("/remove", ("/remove",), 0),
    ]
    for what, args, want in steps:
        rc, out, err = agent(*args)
        check(rc == want, "%s with 1000 foreign rules exits %d (got %d: %s)" % (what, want, rc, err.strip()))
        check(foreign() == before, "%s leaves every foreign rule byte for byte unchanged" % what)
    check(owned() == {}, "/remove leaves no owned rule")


def test_drift():
    reset_store()
    agent("/apply", ROLES, "/mode:exclusive")
    name = "Arctera DLO - Edge Server HTTPS (TCP-In)"
    rid, s = next((k, v) for k, v in owned().items() if parse(v)["Name"] == [name])
    reg("add", RULES_KEY, "/v", rid, "/t", "REG_SZ", "/d", s.replace("|LPort=443|", "|LPort=4443|"), "/f")
    rc, out, err = agent("/verify", ROLES, "/mode:exclusive")
    check(rc == 1, "/verify with a drifted port exits 1 (got %d)" % rc)
    check('drifted  %s: local_ports is "4443", expected "443"' % name in out, "/verify names the rule and the property")
    rc, out, err = agent("/verify", "/json", ROLES, "/mode:exclusive")
    d = json.loads(out)
    # Who changed it: Wine has no firewall event channel (EvtQuery is a stub), so "unknown".
    check(d["drifted"] == [{"name": name, "differences": [{"property": "local_ports", "expected": "443", "actual": "4443"}],
                            "changed_by": "unknown"}],
          "/verify /json lists the drift, and who made it: unknown here")
    reset_counters()
    rc, out, err = agent("/apply", ROLES, "/mode:exclusive")
    check(rc == 0 and counters().get("RuleWrites", 0) == 1, "/apply repairs it with one write (%s)" % counters())
    check(rules()[rid] == s, "the repaired rule is byte for byte what it was, under the same ID")
    rc, out, err = agent("/verify", ROLES, "/mode:exclusive")
    check(rc == 0, "/verify after the repair exits 0")


def test_every_property_is_compared():
    """Properties the plan leaves at their defaults are compared too: an owned rule switched to
    edge traversal, bound to an interface, or given an IPsec requirement is drift, and /apply
    puts it back under the same ID."""
    name = "Arctera DLO - Edge Server HTTPS (TCP-In)"
    for field, prop in (("Edge=TRUE|", "edge_traversal"), ("Edge=TRUE|Defer=App|", "edge_traversal"),
                        ("IFType=Wireless|", "interface_types"), ("LUOwn=S-1-5-21-1-2-3-1001|", "local_user_owner"),
                        ("IF={6D1B1B0E-1111-4222-8333-444455556666}|", "interfaces"),
                        ("Security=Authenticate|", "secure_flags")):
        reset_store()
        agent("/apply", ROLES, "/mode:exclusive")
        rid, s = next((k, v) for k, v in owned().items() if parse(v)["Name"] == [name])
        reg("add", RULES_KEY, "/v", rid, "/t", "REG_SZ", "/d", s + field, "/f")
        rc, out, err = agent("/verify", ROLES, "/mode:exclusive")
        check(rc == 1 and ("drifted  %s: %s" % (name, prop)) in out,
              "/verify: an owned rule with %s is drift in %s (%d: %s)" % (field, prop, rc, out.strip()[-300:]))
        rc, out, err = agent("/apply", ROLES, "/mode:exclusive")
        check(rc == 0, "/apply repairs %s (%s)" % (field, err.strip()[:200]))
        check(rules().get(rid) == s, "after /apply the rule is what it was, under the same ID (%s)" % rules().get(rid))
        rc, out, err = agent("/verify", ROLES, "/mode:exclusive")
        check(rc == 0, "/verify after repairing %s exits 0" % field)


def test_remove_never_hits_a_name_differing_in_case():
    """Remove goes by name; with a double that matches names ignoring case (as Windows may), a
    foreign rule whose name differs from a stale owned rule's only in case, and which comes first,
    must survive the stale rule's removal."""
    reset_store()
    foreign_id = "{00000000-0000-4000-8000-00000000CA5E}"
    owned_id = "{FFFFFFFF-0000-4000-8000-00000000CA5E}"
    foreign_rule = "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=8080|Name=arctera dlo - old rule (tcp-in)|EmbedCtxt=Someone else|"
    plant({foreign_id: foreign_rule,
           owned_id: "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=8080|Name=Arctera DLO - Old Rule (TCP-In)|EmbedCtxt=%s|" % GROUPING})
    set_test_value("NamesIgnoreCase", 1)
    rc, out, err = agent("/apply", ROLES, "/mode:exclusive")
    c = counters()
    check(rc == 0, "/apply with a stale owned rule exits 0 (%s)" % err.strip()[:200])
    store = rules()
    check(store.get(foreign_id) == foreign_rule, "the foreign rule differing only in case is still there, unchanged")
    check(owned_id not in store, "the stale owned rule is gone")
    check(c.get("Removes", 0) == 1, "exactly one rule was removed (Removes=%d)" % c.get("Removes", 0))
    reset_counters()


def owned_contents():
    return sorted(owned().values())


def check_rollback(setup_args, run_args, what):
    reset_store()
    if setup_args:
        agent("/apply", *setup_args)
    reset_counters()
    agent("/apply", *run_args)
    total = counters().get("RuleWrites", 0)
    check(total > 0, "%s takes %d writes" % (what, total))
    for k in range(1, total + 1):
        reset_store()
        if setup_args:
            agent("/apply", *setup_args)
        before = owned_contents()
        reset_counters()  # write numbers count from 1 again
        set_test_value("FailWriteNumber", k)
        rc, out, err = agent("/apply", *run_args)
        reset_counters()
        check(rc == 3 and "put back as they were" in err,
              "%s, write %d of %d fails: exit 3 and the error says the rules were put back (%d: %s)" % (what, k, total, rc, err.strip()[:200]))
        check_failed_change(err, "%s, write %d" % (what, k))
        check(owned_contents() == before, "%s, write %d fails: owned rules exactly as before" % (what, k))
    rc, out, err = agent("/apply", *run_args)
    check(rc == 0, "%s converges on the next run" % what)


def test_rollback():
    check_rollback(None, (ROLES, "/mode:exclusive"), "apply from empty")
    check_rollback((ROLES, "/mode:nonboi"), ("/roles:edge-server,io-server,client", "/mode:occasional"), "apply that changes mode and roles")


def problems(*args):
    rc, out, err = agent("/verify", "/json", *args)
    return rc, [p["kind"] for p in json.loads(out)["problems"]] if out else []


def test_verify_diagnostics():
    reset_store()
    agent("/apply", ROLES, "/mode:exclusive")
    check(problems(ROLES, "/mode:exclusive") == (0, []), "a fresh apply verifies with no problem")

    set_policy_value("PublicProfile", "EnableFirewall", 0)
    check(problems(ROLES, "/mode:exclusive") == (1, ["firewall-off"]), "firewall off for the Public profile is reported")
    set_policy_value("PublicProfile", "EnableFirewall", 1)

    set_test_value("LocalPolicyModifyState", 1)  # NET_FW_MODIFY_STATE_GP_OVERRIDE
    check(problems(ROLES, "/mode:exclusive") == (1, ["gp-override"]), "Group Policy override is reported")
    set_test_value("LocalPolicyModifyState", 0)

    plant({"{B0000000-0000-4000-8000-000000000001}":
           "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=400-500|Name=Block web|EmbedCtxt=Hardening|"})
    rc, kinds = problems(ROLES, "/mode:exclusive")
    check((rc, kinds) == (1, ["blocked-by-rule", "blocked-by-rule"]), "a foreign Block rule over 443 is reported for both 443 rules (%s)" % kinds)
    reg("delete", RULES_KEY, "/v", "{B0000000-0000-4000-8000-000000000001}", "/f")

    set_policy_value("DomainProfile", "DefaultOutboundAction", 1)
    check(problems(ROLES, "/mode:exclusive") == (0, []), "outbound Block by default with every outbound rule present is fine")
    rid = next(k for k, v in owned().items() if parse(v)["Dir"] == ["Out"])
    reg("delete", RULES_KEY, "/v", rid, "/f")
    rc, kinds = problems(ROLES, "/mode:exclusive")
    check(rc == 1 and "outbound-blocked" in kinds, "outbound Block by default with an outbound rule missing is reported (%s)" % kinds)
    set_policy_value("DomainProfile", "DefaultOutboundAction", 0)


def test_detected_roles():
    """Without /roles, /apply plans for the roles detection finds: a DLO Administration Server
    service makes the machine an admin-server."""
    reset_store()
    wine("sc", "delete", "DLOAdminSvcu")
    rc, _, _ = wine("sc", "create", "DLOAdminSvcu", "binPath=", "C:\\windows\\system32\\notepad.exe", "start=", "demand")
    check(rc == 0, "created the service DLOAdminSvcu")
    try:
        rc, out, err = agent("/apply", "/mode:nonboi")
        check(rc == 0, "/apply without /roles exits 0 (%s)" % err.strip()[:200])
        store_matches_plan(plan("/roles:admin-server", "/mode:nonboi"), "/apply of the detected roles")
        rc, out, err = agent("/verify", "/mode:nonboi")
        check(rc == 0, "/verify without /roles exits 0")
    finally:
        wine("sc", "delete", "DLOAdminSvcu")


def test_failures_are_exit_3():
    reset_store()
    set_test_value("FailWriteNumber", 1)
    rc, out, err = agent("/apply", "/json", ROLES, "/mode:exclusive")
    check(rc == 3, "an access-denied write gives exit 3 (%d)" % rc)
    check("Access denied" in err or "access denied" in err.lower(), "the error says access was denied (%s)" % err.strip()[:200])
    check(re.search(r"adding rule '[^']+' \(matrix row", err) is not None,
          "the first write is an add of a planned rule (%s)" % err.strip()[:200])
    check_failed_change(err, "write 1 of an apply")
    check(json.loads(out)["ok"] is False, "/apply /json still prints its report")
    reset_counters()


# Scopes whose union overlaps: 10.1.2.3 and 2001:db8::5 lie inside the administration consoles'
# networks, and the web restore machines repeat 10.0.0.0/8 with a dotted mask.
OVERLAPPING = ("/adminconsoles:2001:db8::/32,10.0.0.0/8",
               "/clientnetworks:LocalSubnet,192.168.0.0/16,10.1.2.3,2001:db8::5",
               "/webrestoremachines:10.0.0.0/255.0.0.0,172.16.0.1")
HTTPS = "Arctera DLO - Edge Server HTTPS (TCP-In)"


def test_overlapping_scopes_read_back_in_windows_forms():
    """The double reads addresses back as Windows does (keywords, IPv4 sorted with dotted masks,
    then IPv6), and with DropContainedAddresses without the entries inside another: a plan of
    overlapping scopes is compliant in every such form and gets no write."""
    args = (ROLES, "/mode:exclusive") + OVERLAPPING
    https = next(r for r in plan(*args) if r["name"] == HTTPS)
    check(https["remote_addresses"] == "2001:db8::/32,10.0.0.0/255.0.0.0,LocalSubnet,192.168.0.0/255.255.0.0,172.16.0.1/255.255.255.255",
          "the plan's union leaves out the entries inside another (%s)" % https["remote_addresses"])
    for drop in (0, 1):
        reset_store()
        set_test_value("DropContainedAddresses", drop)
        rc, out, err = agent("/apply", *args)
        check(rc == 0, "DropContainedAddresses=%d: /apply of overlapping scopes exits 0 (%s)" % (drop, err.strip()[:200]))
        # As an earlier plan, or another tool, may have stored it: the same addresses with the
        # contained entries written out.
        rid, s = next((k, v) for k, v in owned().items() if parse(v)["Name"] == [HTTPS])
        wider = s.replace("|RA4=", "|RA4=10.1.2.3|RA4=10.0.0.0/255.255.255.0|RA6=2001:db8::5|RA4=", 1)
        check(wider != s, "the stored rule holds the contained entries too")
        reg("add", RULES_KEY, "/v", rid, "/t", "REG_SZ", "/d", wider, "/f")
        reset_counters()
        rc, out, err = agent("/verify", *args)
        check(rc == 0 and out.startswith("COMPLIANT"),
              "DropContainedAddresses=%d: /verify of the read-back forms is compliant (%d: %s)" % (drop, rc, out.strip()[:300]))
        rc, out, err = agent("/apply", *args)
        c = counters()
        check(rc == 0 and c.get("RuleWrites", 0) == 0,
              "DropContainedAddresses=%d: /apply writes nothing (%s)" % (drop, c))
    # One that means other addresses is rewritten.
    rid, s = next((k, v) for k, v in owned().items() if parse(v)["Name"] == [HTTPS])
    reg("add", RULES_KEY, "/v", rid, "/t", "REG_SZ", "/d", s.replace("|RA4=172.16.0.1|", "|"), "/f")
    check(agent("/verify", *args)[0] == 1, "without 172.16.0.1 the rule has drifted")
    reset_counters()
    rc, out, err = agent("/apply", *args)
    check(rc == 0 and counters().get("RuleWrites", 0) == 1, "one write puts it right (%s)" % counters())
    set_test_value("DropContainedAddresses", 0)


WINE_VERSION_KEY = r"HKCU\Software\Wine\AppDefaults\dloagent.exe"
NEWER = "/clientnetworks:Intranet,RmtIntranet,Internet,Ply2Renders"


def test_newer_keywords_by_os_build():
    """Intranet, RmtIntranet, Internet, Ply2Renders exist from build 17763: on Wine's default
    version (Windows 7, build 7601) they are a configuration error naming the build; with the
    prefix telling dloagent.exe it is Windows 10 they are written, read back by the double in the
    spelling Windows uses (RmtIntranet, Ply2Renders) and compliant with no write."""
    reset_store()
    rc, out, err = agent("/apply", ROLES, "/mode:exclusive", NEWER)
    m = re.search(r"'Intranet' is refused by the Windows Firewall of this machine \(build (\d+)\): "
                  r"the keyword exists only from Windows 10 1809 / Server 2019 \(build 17763\)", err)
    check(rc == 2 and m is not None and int(m.group(1)) < 17763,
          "on Wine's default Windows version the newer keywords are a configuration error (%d: %s)" % (rc, err.strip()[:300]))
    check(owned() == {}, "nothing was written")
    rc, out, err = agent("/apply", ROLES, "/mode:exclusive", "/clientnetworks:LocalSubnet,DNS")
    check(rc == 0, "the older keywords are accepted there (%s)" % err.strip()[:200])
    reset_store()
    reg("add", WINE_VERSION_KEY, "/v", "Version", "/t", "REG_SZ", "/d", "win10", "/f")
    try:
        aliases = "Intranet,RemoteIntranet,Internet,PlayToDevice"
        args = (ROLES, "/mode:exclusive", "/clientnetworks:" + aliases, "/adminconsoles:" + aliases,
                "/webrestoremachines:" + aliases)
        planned = plan(*args)
        https = next(r for r in planned if r["name"] == HTTPS)
        check(https["remote_addresses"] == "Intranet,RmtIntranet,Internet,Ply2Renders",
              "the aliases are planned in Windows' spelling (%s)" % https["remote_addresses"])
        rc, out, err = agent("/apply", *args)
        check(rc == 0, "as Windows 10, /apply with the newer keywords exits 0 (%s)" % err.strip()[:200])
        store_matches_plan(planned, "newer keywords")
        stored = parse(next(v for v in owned().values() if parse(v)["Name"] == [HTTPS]))
        check(sorted(stored.get("RA42", [])) == ["IntErnet", "IntrAnet", "Ply2Renders", "RmtIntrAnet"],
              "the rule store holds them as Windows does (%s)" % stored.get("RA42"))
        reset_counters()
        rc, out, err = agent("/verify", *args)
        check(rc == 0, "/verify reads them back compliant (%d: %s)" % (rc, out.strip()[:300]))
        rc, out, err = agent("/apply", *args)
        check(rc == 0 and counters().get("RuleWrites", 0) == 0, "/apply writes nothing (%s)" % counters())
    finally:
        reg("delete", WINE_VERSION_KEY, "/f")

PUSH_IN = "Arctera DLO - Push Installation (TCP-In)"
PUSH_EPM = "Arctera DLO - Push Installation RPC Endpoint Mapper (TCP-In)"
PUSH_RPC = "Arctera DLO - Push Installation RPC (TCP-In)"


def stored_rule(name):
    return next((parse(v) for v in owned().values() if parse(v)["Name"] == [name]), None)


def test_push_install_rpc_keywords():
    """PushInstallPorts=rpc: a client's push-installation rules are planned and applied with
    Windows' RPC-EPMap and RPC keywords, one rule each, read back compliant, exported in each
    tool's spelling; going back to vendor puts the numbers back."""
    reset_store()
    args = ("/roles:client", "/mode:nonboi", "/pushinstallports:rpc")
    planned = plan(*args)
    ports = {r["name"]: r["local_ports"] for r in planned}
    check(ports.get(PUSH_IN) == "1037,441,1125" and ports.get(PUSH_EPM) == "RPC-EPMap"
          and ports.get(PUSH_RPC) == "RPC", "the plan splits the keywords off (%s)" % ports)
    rc, out, err = agent("/apply", *args)
    check(rc == 0, "/apply with /pushinstallports:rpc exits 0 (%s)" % err.strip()[:200])
    store_matches_plan(planned, "rpc keywords")
    epm, dyn = stored_rule(PUSH_EPM), stored_rule(PUSH_RPC)
    check(epm and epm.get("LPort") == ["RPC-EPMap"] and epm.get("Protocol") == ["6"]
          and epm.get("Dir") == ["In"], "the store holds LPort=RPC-EPMap on inbound TCP (%s)" % epm)
    check(dyn and dyn.get("LPort") == ["RPC"] and "LPort2_10" not in dyn,
          "the store holds LPort=RPC and no range (%s)" % dyn)
    rc, out, err = agent("/verify", *args)
    check(rc == 0 and out.startswith("COMPLIANT"), "/verify reads the keywords back compliant (%s)" % out.strip()[:300])
    reset_counters()
    rc, out, err = agent("/apply", *args)
    check(rc == 0 and counters().get("RuleWrites", 0) == 0, "a second /apply writes nothing (%s)" % counters())

    rc, out, err = agent("/export:powershell", *args)
    check(rc == 0 and "LocalPort     = @('RPCEPMap')" in out and "LocalPort     = @('RPC')" in out
          and "LocalPort     = @('1037','441','1125')" in out,
          "/export:powershell writes RPCEPMap and RPC")
    rc, out, err = agent("/export:netsh", *args)
    check(rc == 0 and "localport=RPC-EPMap " in out and "localport=RPC " in out,
          "/export:netsh writes localport=RPC-EPMap and localport=RPC")
    rc, out, err = agent("/export:json", *args)
    check(rc == 0 and json.loads(out)["rules"] == planned, "/export:json is the plan")

    vendor = plan("/roles:client", "/mode:nonboi")
    rc, out, err = agent("/apply", "/roles:client", "/mode:nonboi")
    check(rc == 0 and "2 removed" in out, "back to vendor: the keyword rules go (%d: %s%s)" % (rc, out.strip()[:200], err.strip()[:300]))
    store_matches_plan(vendor, "vendor after rpc")


def test_close_push_ports_when_installed():
    """ClosePushPortsWhenInstalled=1: with the client role from AddRoles the push rules stay
    until detection shows the Desktop Agent (its change journal service), then /apply removes
    them; with Roles configured they stay, and /plan says why either way."""
    reset_store()
    args = ("/addroles:client", "/mode:nonboi", "/closepushportswheninstalled:1")
    wine("sc", "delete", "DLOTestJournal")
    rc, out, err = agent("/plan", "/json", *args)
    d = json.loads(out)
    check(rc == 0 and [w["closed"] for w in d["until_detected"]] == [False]
          and "not detected here yet" in d["until_detected"][0]["reason"],
          "not detected: the window is open (%s)" % d.get("until_detected"))
    rc, out, err = agent("/apply", *args)
    check(rc == 0 and stored_rule(PUSH_IN) is not None, "/apply keeps the push rule before the agent is there")
    rc, _, _ = wine("sc", "create", "DLOTestJournal", "binPath=", "C:\\windows\\system32\\notepad.exe",
                    "start=", "demand", "DisplayName=", "Arctera DLO Change Journal Service")
    check(rc == 0, "created the Desktop Agent's change journal service")
    try:
        rc, out, err = agent("/plan", "/json", *args)
        d = json.loads(out)
        w = d["until_detected"]
        check(rc == 0 and [x["closed"] for x in w] == [True] and w[0]["left_out"] == [PUSH_IN],
              "detected: the push rule is left out (%s)" % w)
        check(PUSH_IN not in [r["name"] for r in d["rules"]], "and it is not in the plan")
        rc, out, err = agent("/plan", *args)
        check("Row server.push-install, inbound on client: left out: client is detected here" in out,
              "/plan says why (%s)" % out[:400])
        rc, out, err = agent("/apply", *args)
        check(rc == 0 and "1 removed" in out and stored_rule(PUSH_IN) is None,
              "/apply removes the push rule once the agent is detected (%s)" % out.strip()[:200])
        store_matches_plan(d["rules"], "closed push window")
        rc, out, err = agent("/verify", *args)
        check(rc == 0, "/verify is compliant without it (%s)" % out.strip()[:200])
        # Roles configured: no evidence is consulted, the rule stays and the plan says so.
        rc, out, err = agent("/plan", "/json", "/roles:client", "/mode:nonboi", "/closepushportswheninstalled:1")
        d = json.loads(out)
        check(PUSH_IN in [r["name"] for r in d["rules"]]
              and "Roles is configured" in d["until_detected"][0]["reason"],
              "with /roles the push rule is kept, and why (%s)" % d["until_detected"])
    finally:
        wine("sc", "delete", "DLOTestJournal")


if __name__ == "__main__":
    test_apply_from_empty_and_idempotence()
    test_foreign_rules_untouched()
    test_drift()
    test_every_property_is_compared()
    test_remove_never_hits_a_name_differing_in_case()
    test_rollback()
    test_verify_diagnostics()
    test_detected_roles()
    test_failures_are_exit_3()
    test_overlapping_scopes_read_back_in_windows_forms()
    test_newer_keywords_by_os_build()
    test_push_install_rpc_keywords()
    test_close_push_ports_when_installed()
    reset_store()
    sys.exit(finish())
