#!/usr/bin/env python3
"""Checks the MSI's tables against the agent and against what the package promises, without
installing it (tests/wine/test_msi.py installs it).

Usage: check_msi.py DLOAGENT.msi NEXT.msi VERSION CONFIG_ITEMS [RUNNER...]

CONFIG_ITEMS (run through RUNNER, e.g. wine, when given) prints the values the agent reads.
Checks: per-machine x64 package of VERSION; every component 64-bit; dloagent.exe under
ProgramFiles64Folder\\Arctera\\DLO Firewall Agent; exactly one registry value per setting the
agent reads (in the installer key, named as the agent reads it, REG_DWORD where the agent takes
a number, from the MSI property its row names, the property secure, its component turned
on only by the package's own check); the service in the ServiceInstall and ServiceControl tables
as /install registers it, its Event Log source as Registry rows, no custom action running
/install or /uninstall; the custom actions in the order the uninstall and install need, the
configuration checks unconditioned and the guard deferred before any value is written, no other
sequence able to write a value; the same UpgradeCode in both packages and a higher version in
NEXT, the upgrade row finding older versions only, another build of this version refused;
Programs and Features' icon, links and contact. Prints one line per check and a
closing "N passed, N failed" line.
"""
import json
import os
import re
import subprocess
import sys

passed = 0
failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
        print("ok: " + what)
    else:
        failed += 1
        print("FAIL: " + what)
    return cond


def table(msi, name):
    """Rows of an MSI table as dicts keyed by column name."""
    out = subprocess.run(["msiinfo", "export", msi, name], capture_output=True, text=True,
                         check=True).stdout.replace("\r", "").split("\n")
    columns = out[0].split("\t")
    return [dict(zip(columns, line.split("\t"))) for line in out[3:] if line]


def prop(msi, name):
    return next((r["Value"] for r in table(msi, "Property") if r["Property"] == name), None)


def version_tuple(v):
    return tuple(int(x) for x in v.split("."))


def main():
    msi, next_msi, version, items_cmd = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    if len(items_cmd) > 1:  # CONFIG_ITEMS RUNNER...: the runner goes first
        items_cmd = items_cmd[1:] + items_cmd[:1]
    p = subprocess.run(items_cmd, capture_output=True, text=True)
    if not check(p.returncode == 0, "config_items runs (%s)" % p.stderr.strip()):
        return finish()
    agent = json.loads(p.stdout)
    installer_key = agent["installer_key"].split("\\", 1)[1]

    # The package.
    suminfo = subprocess.run(["msiinfo", "suminfo", msi], capture_output=True, text=True).stdout
    check("Template: x64;1033" in suminfo, "the package is x64 (summary template x64;1033)")
    check(prop(msi, "ALLUSERS") == "1", "per-machine (ALLUSERS=1)")
    check(prop(msi, "ProductVersion") == version, "ProductVersion is the project version %s (%s)" % (version, prop(msi, "ProductVersion")))

    components = {r["Component"]: r for r in table(msi, "Component")}
    for name, c in sorted(components.items()):
        check(int(c["Attributes"]) & 256, "component %s is 64-bit (Win64=\"yes\")" % name)

    dirs = {r["Directory"]: r for r in table(msi, "Directory")}

    def path(d):
        parts = []
        while d and d != "TARGETDIR":
            parts.append(dirs[d]["DefaultDir"].split("|")[-1] if dirs[d]["DefaultDir"] != "." else d)
            d = dirs[d]["Directory_Parent"]
        return "\\".join(reversed(parts))

    exe = [f for f in table(msi, "File") if f["FileName"].split("|")[-1] == "dloagent.exe"]
    if check(len(exe) == 1, "the package holds dloagent.exe once"):
        where = path(components[exe[0]["Component_"]]["Directory_"])
        check(where == "ProgramFiles64Folder\\Arctera\\DLO Firewall Agent", "dloagent.exe goes to %s" % where)

    # The configuration values.
    secure = (prop(msi, "SecureCustomProperties") or "").split(";")
    rows = [r for r in table(msi, "Registry") if r["Root"] == "2" and r["Key"] == installer_key]
    by_name = {}
    for r in rows:
        by_name.setdefault(r["Name"], []).append(r)
    for v in agent["values"]:
        name = v["name"]
        if not v["policy"]:
            check(name not in by_name, "%s (diagnostics, not a setting) is not written by the package" % name)
            continue
        if not check(len(by_name.get(name, [])) == 1, "the package writes %s once" % name):
            continue
        r = by_name[name][0]
        upper = v["msi"]  # the row's MSI property
        dword = "REG_DWORD" in v["types"]
        want = ("#[%s]" if dword else "[%s]") % upper
        check(r["Value"] == want, "%s is written as %s from %s: %s" % (name, "REG_DWORD" if dword else "REG_SZ", upper, r["Value"]))
        check(("REG_DWORD" if dword else "REG_SZ") in v["types"], "%s: the agent accepts that type" % name)
        c = components[r["Component_"]]
        check(c["Condition"] == "Dlo%sWrite" % name,
              "%s is written only when DloCheckProperties turned it on (Dlo%sWrite), never by a "
              "property given on a command line: %s" % (name, name, c["Condition"]))
        check("Dlo%sWrite" % name not in secure and prop(msi, "Dlo%sWrite" % name) is None,
              "Dlo%sWrite is private, not secure, and has no default" % name)
        check(int(c["Attributes"]) & 64, "%s: its component is re-evaluated on repair (Transitive)" % name)
        check(upper in secure, "%s is a secure property (passed on by a managed install)" % upper)
    known = {v["name"] for v in agent["values"]}
    for name in sorted(by_name):
        check(name in known, "the package writes %s, a value the agent reads" % name)

    # The custom actions, in order.
    seq = {r["Action"]: (int(r["Sequence"]), r["Condition"]) for r in table(msi, "InstallExecuteSequence")}
    types = {r["Action"]: int(r["Type"]) for r in table(msi, "CustomAction")}
    n = lambda a: seq[a][0] if a in seq else -1
    check(0 < n("DloCheckProperties") < n("CostInitialize") < n("InstallValidate"),
          "the properties are checked before costing and before anything changes")
    check(n("InstallInitialize") < n("RemoveExistingProducts") < n("InstallFiles"),
          "an older version is removed inside the transaction, before the files are copied")
    check(n("StopServices") < n("DloRemoveRules") < n("DeleteServices") < n("RemoveFiles"),
          "uninstall: service stopped, then /remove, then the service deleted, then the files go")
    check(types.get("DloRemoveRules", 0) & 0xC00 == 0xC00, "DloRemoveRules runs deferred, without impersonation")
    check_service(msi, seq, types)
    # Who may change the configuration (installer/README.md): the checks run unconditioned, as
    # the client before costing (properties) and after it (action states), and the deferred
    # guard, as SYSTEM, takes the plan before any value is removed or written.
    for action in ("DloCheckProperties", "DloCheckWrites", "DloGuardConfig"):
        check(action in seq and not seq[action][1],
              "%s runs in every install, whatever REMOVE or REINSTALL say (condition %r)"
              % (action, seq.get(action, (0, "missing"))[1]))
    check(types.get("DloCheckProperties", 0) & 0xC00 == 0 and types.get("DloCheckWrites", 0) & 0xC00 == 0,
          "DloCheckProperties and DloCheckWrites run immediate, impersonated (the client's token)")
    check(types.get("DloGuardConfig", 0) & 0xC00 == 0xC00,
          "DloGuardConfig runs deferred, without impersonation")
    check(n("CostFinalize") < n("InstallValidate") < n("DloCheckWrites") < n("InstallInitialize"),
          "DloCheckWrites reads the action states once they are final, before the transaction")
    check(n("InstallInitialize") < n("DloGuardConfig") < n("RemoveRegistryValues") < n("WriteRegistryValues"),
          "DloGuardConfig runs first in the transaction, before any value is removed or written")
    check("DloGuardConfig" not in secure and "DLOGUARDCONFIG" not in secure,
          "the plan is not a secure property a client could pass on")
    check(types.get("DloPrepareTrace", 0) & 0xC00 == 0xC00 and
          n("InstallFiles") < n("DloPrepareTrace") < n("StartServices") and
          seq.get("DloPrepareTrace", (0, ""))[1] == "$AgentExe=3",
          "DloPrepareTrace makes the trace folder chain as SYSTEM whenever the exe is installed, "
          "before the service starts")
    check_other_sequences(msi)
    check("UPGRADINGPRODUCTCODE" in seq.get("DloRemoveRules", (0, ""))[1]
          and 'REMOVE~="ALL"' in seq.get("DloRemoveRules", (0, ""))[1],
          "/remove runs on an uninstall only, not when an upgrade removes the old version")

    # Upgrades.
    check(prop(msi, "UpgradeCode") == prop(next_msi, "UpgradeCode"), "both packages share the UpgradeCode %s" % prop(msi, "UpgradeCode"))
    check(prop(msi, "ProductCode") != prop(next_msi, "ProductCode"), "each package has its own ProductCode")
    check(version_tuple(prop(next_msi, "ProductVersion")) > version_tuple(version), "NEXT is a later version (%s)" % prop(next_msi, "ProductVersion"))
    features = ",".join(r["Feature"] for r in table(msi, "Feature"))
    up = [r for r in table(msi, "Upgrade") if r["ActionProperty"] == "WIX_UPGRADE_DETECTED"]
    check(len(up) == 1 and up[0]["VersionMax"] == version and not int(up[0]["Attributes"]) & (512 | 2)
          and up[0]["Remove"] == features,
          "older versions, not this one (ICE61), are replaced, removed by their features (%s)" % up)
    same = [r for r in table(msi, "Upgrade") if r["ActionProperty"] == "DLO_SAME_VERSION_DETECTED"]
    conditions = [r["Condition"] for r in table(msi, "LaunchCondition")]
    check(len(same) == 1 and same[0]["VersionMin"] == same[0]["VersionMax"] == version
          and int(same[0]["Attributes"]) == 2 | 256 | 512 and "NOT DLO_SAME_VERSION_DETECTED" in conditions,
          "another build of this version is detected and refused, not installed beside it (%s)" % same)
    check("NOT WIX_DOWNGRADE_DETECTED" in conditions, "a newer version installed refuses this one")
    check_arp(msi, seq, types)
    return finish()


# What writes or removes configuration values, and what only the install sequence may hold.
WRITERS = ("WriteRegistryValues", "RemoveRegistryValues", "DloRemoveRules", "DloPrepareTrace")


# ServiceControl events (ServiceControl table): start on install; stop on install and uninstall;
# delete on install (a registration made by /install or an older package is replaced) and
# uninstall.
EVENTS = {"start on install": 0x1, "stop on install": 0x2, "delete on install": 0x8,
          "stop on uninstall": 0x20, "delete on uninstall": 0x80}


def service_description():
    """WIN_SERVICE_DESCRIPTION of agent/win/win/svcrecovery.h: what /install sets."""
    header = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "agent", "win", "win",
                          "svcrecovery.h")
    with open(header) as f:
        text = f.read()
    body = text.split("#define WIN_SERVICE_DESCRIPTION", 1)[1].split("\n\n", 1)[0]
    return "".join(re.findall(r'L"([^"]*)"', body))


def check_service(msi, seq, types):
    """The service as Windows Installer's own tables install, start, stop and delete it (and
    roll each back), registered as dloagent.exe /install registers it; only what those tables
    cannot say is left to a custom action."""
    n = lambda a: seq[a][0] if a in seq else -1
    rows = [r for r in table(msi, "ServiceInstall") if r["Name"] == "dloagent"]
    if not check(len(rows) == 1, "the ServiceInstall table installs the service dloagent (%d rows)" % len(rows)):
        return
    r = rows[0]
    check(r["Component_"] == "AgentExe" and r["Arguments"] == "/service",
          "it runs dloagent.exe, the key file of its component AgentExe, with /service (%s, %r)"
          % (r["Component_"], r["Arguments"]))
    check(r["DisplayName"] == "Arctera DLO Firewall Agent" and r["Description"] == service_description(),
          "its display name and description are /install's (agent/win/win/svcrecovery.h)")
    check((int(r["ServiceType"]), int(r["StartType"]), int(r["ErrorControl"])) == (0x10, 2, 0x8001),
          "own process, automatic start, normal error control, vital: the install fails if it cannot be "
          "installed (%s %s %s)" % (r["ServiceType"], r["StartType"], r["ErrorControl"]))
    check(r["StartName"] == "LocalSystem" and not r["Password"], "it runs as LocalSystem")
    check(r["Dependencies"] == "MpsSvc[~][~]", "it depends on the firewall's service, MpsSvc (%r)" % r["Dependencies"])
    control = [c for c in table(msi, "ServiceControl") if c["Name"] == "dloagent"]
    events = int(control[0]["Event"]) if len(control) == 1 else 0
    for what, bit in EVENTS.items():
        check(events & bit and control[0]["Component_"] == "AgentExe", "ServiceControl: %s (%d)" % (what, events))
    check(len(control) == 1 and control[0]["Wait"] == "1", "ServiceControl waits for each start and stop")
    for action in ("StopServices", "DeleteServices", "InstallServices", "StartServices"):
        check(n(action) > 0, "the install sequence holds %s" % action)
    command_lines = [c["Target"] for c in table(msi, "CustomAction")]
    check(not any(re.search(r"/(un)?install\b", t) for t in command_lines),
          "no custom action runs dloagent.exe /install or /uninstall: %s" % command_lines)
    check(types.get("DloConfigureService", 0) & 0xC00 == 0xC00
          and n("InstallServices") < n("DloConfigureService") < n("StartServices")
          and seq.get("DloConfigureService", (0, ""))[1] == "$AgentExe=3",
          "DloConfigureService (recovery actions, quoted path) runs as SYSTEM after InstallServices, "
          "before StartServices, whenever the exe is installed")
    source = [g for g in table(msi, "Registry")
              if g["Key"] == "SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\dloagent"]
    check(sorted((g["Name"], g["Value"], g["Component_"]) for g in source)
          == [("EventMessageFile", "#%[#dloagent.exe]", "AgentExe"), ("TypesSupported", "#7", "AgentExe")],
          "the Event Log source: EventMessageFile (REG_EXPAND_SZ, the installed exe) and TypesSupported 7, "
          "with the exe's component (%s)" % source)


def check_arp(msi, seq, types):
    """Programs and Features: the icon, the help and about links, the contact. The project has
    no public web page: the links are the documentation the package installs, never an
    invented address."""
    props = {r["Property"]: r["Value"] for r in table(msi, "Property")}
    icons = {r["Name"] for r in table(msi, "Icon")}
    check(props.get("ARPPRODUCTICON") in icons, "ARPPRODUCTICON names an Icon row (%s)" % props.get("ARPPRODUCTICON"))
    check(props.get("ARPCONTACT") == props.get("Manufacturer") == "Arctera", "ARPCONTACT is the publisher")
    check(not any("://" in v for v in props.values()), "no property holds an address the project does not have")
    docs = [f["File"] for f in table(msi, "File") if f["FileName"].split("|")[-1] == "README.txt"]
    actions = {c["Action"]: c for c in table(msi, "CustomAction")}
    for prop in ("ARPHELPLINK", "ARPURLINFOABOUT"):
        setter = actions.get("Set" + prop, {})
        check(len(docs) == 1 and int(setter.get("Type", 0)) == 51 and setter.get("Source") == prop
              and setter.get("Target") == "[#%s]" % docs[0]
              and seq.get("CostFinalize", (0,))[0] < seq.get("Set" + prop, (0,))[0] < seq.get("InstallValidate", (0,))[0],
              "%s is the installed README.txt, set once costing resolved its path (%s)" % (prop, setter))


def check_other_sequences(msi):
    """Administrative installs (msiexec /a), advertisement and the UI sequences can reach no
    configuration: none of them holds an action that writes or removes a value, so the checks
    of the install sequence are the only ones needed."""
    tables = subprocess.run(["msiinfo", "tables", msi], capture_output=True, text=True).stdout.split()
    for name in ("AdminExecuteSequence", "AdvtExecuteSequence", "InstallUISequence", "AdminUISequence"):
        rows = table(msi, name) if name in tables else []
        found = [r["Action"] for r in rows if r["Action"] in WRITERS or r["Action"].startswith("Dlo")]
        check(not found, "%s holds no action that writes the configuration (%s)" % (name, found))


def finish():
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
