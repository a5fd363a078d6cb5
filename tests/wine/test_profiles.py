#!/usr/bin/env python3
"""Corporate paths stay on corporate networks: the real dloagent.exe under Wine against the
firewall double. A Non-BOI Administration Server's corporate rules are Domain-only with
CorporateProfiles unset; the switch and the registry value widen them; on a double whose current
profile is Public, /verify reports profile-mismatch naming CorporateProfiles, and /verify /strict
exits non-compliant.

Usage: test_profiles.py PATH/TO/dloagent.exe   (in the Wine session, double active)"""
import json
import sys

from winefw import (check, finish, owned, parse, reg_write, reset_counters, reset_store,
                    set_test_value, store_matches_plan, wine)

EXE = sys.argv[1]
ARGS = ("/roles:admin-server", "/mode:nonboi")
KEY = r"HKLM\SOFTWARE\Arctera\DLO\FirewallAgent"
# An admin-server's corporate rule; it has no internet rule in Non-BOI.
SQL_OUT = "Arctera DLO - SQL Server (TCP-Out)"
NET_FW_PROFILE2_PUBLIC = 4


def agent(*args):
    return wine(EXE, *args)


def plan(*args):
    rc, out, err = agent("/plan", "/json", *(ARGS + args))
    assert rc == 0, err
    return json.loads(out)["rules"]


def stored_profiles(name):
    """The Profile= fields of the owned rule of that name; [] means every profile."""
    for s in owned().values():
        fields = parse(s)
        if fields.get("Name") == [name]:
            return sorted(fields.get("Profile", []))
    return None


def test_domain_only_by_default():
    reset_store()
    rules = plan()
    check(rules and all(r["profiles"] == ["domain"] for r in rules),
          "with CorporateProfiles unset every Non-BOI admin-server rule is Domain-only: %s"
          % sorted({tuple(r["profiles"]) for r in rules}))
    rc, out, err = agent("/apply", *ARGS)
    check(rc == 0, "/apply exits 0 (%s)" % err.strip()[:200])
    store_matches_plan(rules, "after /apply")
    check(stored_profiles(SQL_OUT) == ["Domain"], "the stored SQL Server rule has Profile=Domain only: %s"
          % stored_profiles(SQL_OUT))
    rc, out, err = agent("/verify", *ARGS)
    check(rc == 0 and "profile-mismatch" not in out,
          "/verify on the Domain profile: compliant, no profile-mismatch (%d: %s)" % (rc, out.strip()[:300]))


def test_switch_and_registry_widen():
    rules = plan("/corporateprofiles:domain,private")
    check(rules and all(r["profiles"] == ["domain", "private"] for r in rules),
          "/corporateprofiles:domain,private puts every corporate rule on Domain and Private")
    reg_write("add", KEY, "/v", "CorporateProfiles", "/t", "REG_SZ", "/d", "Domain, Private", "/f")
    try:
        check(plan() == rules, "the registry value CorporateProfiles=Domain, Private plans the same")
        rc, out, err = agent("/apply", *ARGS)
        check(rc == 0, "/apply with the registry value exits 0 (%s)" % err.strip()[:200])
        store_matches_plan(rules, "after /apply with CorporateProfiles")
        check(stored_profiles(SQL_OUT) == ["Domain", "Private"],
              "the stored SQL Server rule has Profile=Domain and Private: %s" % stored_profiles(SQL_OUT))
        rc, out, err = agent("/config", "/json")
        check(rc == 0 and json.loads(out)["values"]["CorporateProfiles"]["value"] == ["domain", "private"],
              "/config shows it (%s)" % out.strip()[:300])
    finally:
        reg_write("delete", KEY, "/v", "CorporateProfiles", "/f")
    rc, out, err = agent("/apply", *ARGS)
    check(rc == 0 and stored_profiles(SQL_OUT) == ["Domain"],
          "without the value, /apply narrows the rules back to Domain: %s" % stored_profiles(SQL_OUT))


def test_public_network_is_a_mismatch():
    set_test_value("CurrentProfileTypes", NET_FW_PROFILE2_PUBLIC)
    try:
        rc, out, err = agent("/verify", *ARGS)
        check(rc == 0, "/verify on a Public network: the rules are as planned, exit 0 (%d)" % rc)
        check("warning  profile-mismatch: the corporate rules" in out and "(connected: Public)" in out,
              "/verify warns of a profile-mismatch on Public: %s" % out.strip()[:400])
        check("set CorporateProfiles to domain,public" in out, "and names the value that fixes it")
        rc, out, err = agent("/verify", "/strict", *ARGS)
        check(rc == 1, "/verify /strict exits 1, not compliant (%d)" % rc)
        rc, out, err = agent("/verify", "/json", *ARGS)
        rep = json.loads(out)
        found = [w for w in rep["warnings"] if w["kind"] == "profile-mismatch"]
        check(rep["compliant"] and len(found) == 1 and "CorporateProfiles" in found[0]["message"],
              "/verify /json: compliant, one profile-mismatch warning naming CorporateProfiles: %s"
              % rep["warnings"])
    finally:
        reset_counters()


def main():
    test_domain_only_by_default()
    test_switch_and_registry_widen()
    test_public_network_is_a_mismatch()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
