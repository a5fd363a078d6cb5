#!/usr/bin/env python3
"""The compliance scripts (policies/compliance) against what the real dloagent.exe writes
under Wine with the firewall double: every field of `/verify /json` the detection scripts read
exists in its output, compliant and not, and every State value they read is in the key `/apply`
and `/verify` record, with the meaning of the JSON field it stands for. PowerShell does not run
here; the scripts' grammar is checked by style.powershell and their exits by policy.fleet.

Usage: test_compliance.py PATH/TO/dloagent.exe SOURCE_DIR   (in the Wine session, double active)"""
import json
import os
import re
import sys

from winefw import (check, finish, owned, plant, reg_values, reg_write, reset_counters, reset_store,
                    wine)

EXE, SRC = sys.argv[1], sys.argv[2]
ROLES = ("/roles:edge-server", "/mode:exclusive")
STATE_KEY = r"HKLM\SOFTWARE\Arctera\DLO\FirewallAgent\State"
SCRIPTS = ("intune-detect.ps1", "configmgr-discover.ps1", "remediate.ps1")
# The State value each JSON count stands for (docs/fleet.md, "The State key").
STATE_OF = {"planned": "RulesPlanned", "right": "RulesRight", "missing": "Missing",
            "drifted": "Drifted", "stale": "Stale"}


def script(name):
    with open(os.path.join(SRC, "policies", "compliance", name), encoding="utf-8") as f:
        return f.read()


def verify():
    rc, out, err = wine(EXE, "/verify", "/json")
    try:
        return rc, json.loads(out)
    except ValueError:
        check(False, "/verify /json prints JSON (exit %d: %s %s)" % (rc, out[:200], err[:200]))
        return rc, {}


def count(report, field):
    v = report.get(field)
    return len(v) if isinstance(v, list) else v


def check_fields(report, what):
    for name in SCRIPTS:
        text = script(name)
        for field in sorted(set(re.findall(r"\$report\.(\w+)", text))):
            check(field in report, "%s reads /verify /json's '%s', which %s has" % (name, field, what))
        if "$report.problems" in text:
            kinds = re.findall(r"\$_\.(\w+)", text.split("$report.problems", 1)[1].split("\n", 1)[0])
            for item in report.get("problems", []):
                check(all(k in item for k in kinds),
                      "%s reads %s of each problem, which %s has" % (name, kinds, what))


def check_state(report, what):
    state = reg_values(STATE_KEY)
    for name in SCRIPTS:
        for value in sorted(set(re.findall(r"\$state\.(\w+)", script(name)))):
            check(value in state, "%s reads the State value %s, which %s recorded" % (name, value, what))
    compliant = state.get("Compliant", ("", "-1"))[1]
    check(int(compliant, 16) == (1 if report.get("compliant") else 0),
          "%s: State Compliant (%s) is /verify's compliant (%s)" % (what, compliant, report.get("compliant")))
    for field, value in STATE_OF.items():
        got = int(state.get(value, ("", "-1"))[1], 16)
        check(got == count(report, field), "%s: State %s (%d) is /verify's %s (%s)"
              % (what, value, got, field, count(report, field)))


def main():
    reset_store()
    reset_counters()
    # The configuration the agent plans with, as the scripts' machine would have it.
    for arg in ROLES:
        name, value = arg[1:].split(":", 1)
        reg_write("add", r"HKLM\SOFTWARE\Arctera\DLO\FirewallAgent", "/v",
                  {"roles": "Roles", "mode": "BOIMode"}[name], "/t", "REG_SZ", "/d", value, "/f")
    rc, out, err = wine(EXE, "/apply")
    check(rc == 0, "/apply exits 0 (%s)" % err.strip()[:200])
    rc, report = verify()
    check(rc == 0 and report.get("compliant") is True, "/verify: compliant after /apply (exit %d)" % rc)
    check_fields(report, "a compliant run")
    check_state(report, "a compliant /verify")

    # Not compliant: one owned rule gone, and someone's Block rule on the Edge Server's port.
    gone = sorted(owned())[0]
    reg_write("delete", r"HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters"
              r"\FirewallPolicy\FirewallRules", "/v", gone, "/f")
    plant({"{compliance-block-443}": "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=443|"
                                     "Name=Block HTTPS in|"})
    rc, report = verify()
    check(rc == 1 and report.get("compliant") is False and count(report, "missing") == 1
          and len(report.get("problems", [])) > 0,
          "/verify: not compliant with one rule missing and a problem (exit %d)" % rc)
    check_fields(report, "a run that is not compliant")
    check_state(report, "a /verify that is not compliant")

    wine(EXE, "/remove")
    reg_write("delete", r"HKLM\SOFTWARE\Arctera\DLO\FirewallAgent", "/v", "Roles", "/f")
    reg_write("delete", r"HKLM\SOFTWARE\Arctera\DLO\FirewallAgent", "/v", "BOIMode", "/f")
    return finish()


if __name__ == "__main__":
    sys.exit(main())
