#!/usr/bin/env python3
"""The MSI under Wine, on a prefix made to look like a DLO Edge Server, against the firewall
double: a silent install gives a running service that applies the Edge Server's rules; a repair
and an upgrade keep the configuration; a maintenance install by an elevated administrator may
change it, one without elevation (run_unelevated.exe) may not; an invalid property fails and
changes nothing; the
uninstall leaves no service, no owned rule, no file and no value of its own, and every foreign
rule as it was. Prints how long each msiexec took.

Usage: test_msi.py DLOAGENT.msi NEXT.msi RUN_UNELEVATED.exe SET_SECURITY.exe [PART...]
(in the Wine session, double active). A PART is "administrator" (everything but the runs as a
standard user) or "standard-user" (an install, then those runs): each starts from a clean machine
and needs nothing of the other, so CTest runs them side by side in prefixes of their own; none
given: both, one after the other. NEXT.msi is the same build with a higher ProductVersion;
RUN_UNELEVATED.exe runs a program with the Administrators group deny-only
(tests/win/run_unelevated.c); SET_SECURITY.exe sets a key's or a file's owner and DACL
(tests/win/set_security.c)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

from winefw import (check, counters, finish, foreign, foreign_rules, owned, parse, plant, reg,
                    reg_values, reg_write, reset_counters, reset_store, store_matches_plan, wine)

MSI, NEXT, UNELEVATED, SET_SECURITY = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
PREFIX = os.environ["WINEPREFIX"]
FOLDER = os.path.join(PREFIX, "drive_c", "Program Files", "Arctera")
INSTALLED_EXE = r"C:\Program Files\Arctera\DLO Firewall Agent\dloagent.exe"
ARCTERA_KEY = r"HKLM\SOFTWARE\Arctera"
CONFIG_KEY = ARCTERA_KEY + r"\DLO\FirewallAgent"
POLICY_KEY = r"HKLM\SOFTWARE\Policies\Arctera"
SERVICE_KEY = r"HKLM\SYSTEM\CurrentControlSet\Services\dloagent"
EVENT_SOURCE_KEY = r"HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\dloagent"
UNINSTALL = r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall"
# What makes the prefix a DLO Edge Server for detection (policies/dlo-10.0.detect).
EDGE_ENTRY = UNINSTALL + r"\{DLO-MSI-TEST-EDGE-SERVER}"
PRODUCT = "Arctera DLO Firewall Agent"
FAILED = 1603 % 256  # the shell and Python see exit codes mod 256
RULES_WAIT = int(os.environ.get("DLO_TEST_RULES_WAIT", "60"))  # seconds the service may take to bring the rules in line

work = tempfile.mkdtemp(prefix="dloagent-msi-")
# TraceFile names a file in the agent's own trace folder (docs/configuration.md: TraceFile).
TRACE_NAME = "msi-test-%d.log" % os.getpid()
ARCTERA_DATA = os.path.join(PREFIX, "drive_c", "ProgramData", "Arctera")
trace = os.path.join(ARCTERA_DATA, "DLO Firewall Agent", "Trace", TRACE_NAME)
timings = []


def msiexec(what, *args, unelevated=False):
    """Runs msiexec with a verbose log (without administrator rights if unelevated); returns
    (exit code, log text)."""
    log = os.path.join(work, "%s.log" % what.replace(" ", "-").replace("/", "-"))
    start = time.monotonic()
    command = ("msiexec",) + args + ("/qn", "/l*v", "Z:" + log.replace("/", "\\"))
    rc, out, err = wine(UNELEVATED, *command) if unelevated else wine(*command)
    timings.append((what, time.monotonic() - start))
    try:
        with open(log, "rb") as f:
            data = f.read()
        text = data.decode("utf-16") if data[:2] == b"\xff\xfe" else data.decode("utf-8", "replace")
    except OSError:
        text = ""
    return rc, text.replace("\r", "")


def agent(*args):
    return wine(INSTALLED_EXE, *args)


def service_state():
    """The service's state, or None when sc finds no such service. Under WINEDEBUG=-all an absent
    service and a query Wine itself failed (now and then, on a loaded machine) look alike (exit 1,
    nothing printed), so a query without a state is asked twice more before it counts as None."""
    for attempt in range(3):
        rc, out, err = wine("sc", "query", "dloagent")
        for line in out.splitlines():
            if "STATE" in line:
                return line.split()[-1]
        time.sleep(0.1)
    return None


def key_exists(key):
    return reg("query", key)[0] == 0


def products():
    """DisplayVersion of each installed product named PRODUCT."""
    rc, out = reg("query", UNINSTALL)
    found = []
    for line in out.splitlines():
        sub = line.strip()
        if "\\{" not in sub:
            continue
        values = reg_values(sub)
        if values.get("DisplayName", ("", ""))[1] == PRODUCT:
            found.append(values.get("DisplayVersion", ("", "?"))[1])
    return found


def files_left():
    left = []
    for base, dirs, names in os.walk(FOLDER):
        left += [os.path.join(base, n) for n in names]
    return left


def msi_property(msi, name):
    out = subprocess.run(["msiinfo", "export", msi, "Property"], capture_output=True, text=True).stdout
    return next(l.split("\t")[1].strip() for l in out.splitlines() if l.startswith(name + "\t"))


def msi_version(msi):
    return msi_property(msi, "ProductVersion")


def plan(*args):
    rc, out, err = wine(os.path.join(os.environ["DLO_BUILD_DIR"], "dloagent.exe"), "/plan", "/json", *args)
    assert rc == 0, err
    return json.loads(out)["rules"]


def wait_for_rules(what, *args):
    """Waits (bounded) until the installed agent's /verify ARGS passes, then checks the store
    against /plan ARGS of the build's agent, rule by rule."""
    start = time.monotonic()
    while time.monotonic() - start < RULES_WAIT:
        if agent("/verify", *args)[0] == 0:
            break
        time.sleep(0.5)
    print("%s: the rules were as planned after %.1f s" % (what, time.monotonic() - start))
    if not store_matches_plan(plan(*args), what):
        print("service trace:\n" + trace_tail())


def config_values():
    """The installer key's values the package writes (TraceFile is the test's own)."""
    return {k: v for k, v in reg_values(CONFIG_KEY).items() if k != "TraceFile"}


def trace_tail():
    try:
        with open(trace, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-5:])
    except OSError:
        return "(no trace)"


def clean_machine():
    """Whatever an earlier run left: the product, the service, the keys, the edge entry."""
    for msi in (NEXT, MSI):
        if products():
            msiexec("cleanup uninstall", "/x", msi)
    wine("sc", "stop", "dloagent")
    wine("sc", "delete", "dloagent")
    # The whole Arctera tree: an empty parent key left behind changes what the service tests
    # that come later see.
    for key in (ARCTERA_KEY, POLICY_KEY, EDGE_ENTRY, EVENT_SOURCE_KEY):
        reg("delete", key, "/f")
    reset_store()


def plant_user_made_trace_folders():
    """What a user who came first leaves in %ProgramData% (any user may add folders there): an
    Arctera folder everyone may write, and a file where the agent's folder goes."""
    subprocess.run(["rm", "-rf", ARCTERA_DATA])
    os.makedirs(ARCTERA_DATA)
    os.chmod(ARCTERA_DATA, 0o777)
    with open(os.path.join(ARCTERA_DATA, "DLO Firewall Agent"), "w") as f:
        f.write("planted\n")


def check_trace_folders(log):
    """The package took the user's folder over and replaced the file (Wine keeps no owner, so
    every folder there is "owned" by the Wine user, not by SYSTEM or Administrators)."""
    agent_dir = os.path.join(ARCTERA_DATA, "DLO Firewall Agent")
    lines = [l for l in log.splitlines() if "dloagent: trace folder:" in l]
    for needle in ("C:\\ProgramData\\Arctera is owned by S-1-5-21-0-0-0-1000: taken over",
                   "C:\\ProgramData\\Arctera\\DLO Firewall Agent is owned by S-1-5-21-0-0-0-1000 "
                   "and is not a folder: renamed aside to C:\\ProgramData\\Arctera\\DLO Firewall "
                   "Agent.untrusted-",
                   "C:\\ProgramData\\Arctera\\DLO Firewall Agent\\Trace was made with its DACL"):
        check(any(needle in l for l in lines), "the install log says: %s (%s)" % (needle, lines))
    # Wine keeps a DACL as the Unix permissions (Administrators as the group, every other
    # account as the others): Users may only read Arctera now, and nothing of the agent's own.
    check(not os.stat(ARCTERA_DATA).st_mode & 0o002,
          "Arctera's DACL was reset: others may not write (mode %o)" % os.stat(ARCTERA_DATA).st_mode)
    for d in (agent_dir, os.path.join(agent_dir, "Trace")):
        check(os.path.isdir(d) and not os.stat(d).st_mode & 0o007,
              "%s is a folder others may not use (mode %o)" % (d, os.stat(d).st_mode if os.path.exists(d) else 0))
    aside = [n for n in os.listdir(ARCTERA_DATA) if n.startswith("DLO Firewall Agent.untrusted-")]
    check(len(aside) == 1 and open(os.path.join(ARCTERA_DATA, aside[0])).read() == "planted\n",
          "the user's file is kept aside as it was: %s" % aside)


def product_code(msi):
    return msi_property(msi, "ProductCode")


def packed_guid(guid):
    """The form Windows Installer names its registry keys with: the first three groups reversed,
    each byte of the last two with its digits swapped."""
    groups = guid.strip("{}").split("-")
    tail = "".join(groups[3:])
    return "".join(g[::-1] for g in groups[:3]) + "".join(tail[i + 1] + tail[i] for i in range(0, len(tail), 2))


def check_service_registration(log):
    """What the package's tables and DloConfigureService give the service: made by
    InstallServices, as /install would make it; the Event Log source as Registry rows. Wine does
    not register the dependency on MpsSvc (its InstallServices drops it) nor keep recovery
    actions: the log line of DloConfigureService is what shows them set here."""
    check("Action start" in log and "InstallServices" in log and "dloagent.exe\" /install" not in log,
          "the service is made by InstallServices, not by dloagent.exe /install")
    values = reg_values(SERVICE_KEY)
    want = {"DisplayName": "Arctera DLO Firewall Agent", "ObjectName": "LocalSystem", "Start": "0x2",
            "Type": "0x10"}
    got = {k: values.get(k, ("", ""))[1] for k in want}
    check(got == want, "the service: automatic, own process, LocalSystem (%s)" % got)
    check(values.get("Description", ("", ""))[1].startswith("Keeps the Windows Firewall rules"),
          "and its description (%s)" % (values.get("Description"),))
    check("dloagent: service dloagent: image path quoted (the installer had not); restart after 5 s, "
          "30 s and 60 s" in log,
          "DloConfigureService quoted the path Wine's InstallServices left bare and set the recovery actions")
    source = reg_values(EVENT_SOURCE_KEY)
    check(source == {"EventMessageFile": ("REG_EXPAND_SZ", INSTALLED_EXE), "TypesSupported": ("REG_DWORD", "0x7")},
          "the Event Log source names the installed exe (%s)" % source)


def check_programs_and_features(msi):
    """What Programs and Features shows: publisher, contact, the installed documentation as help
    and about link, the install folder, and the package's icon, cached by Windows Installer."""
    entry = reg_values(UNINSTALL + "\\" + product_code(msi))
    readme = INSTALLED_EXE.replace("dloagent.exe", "README.txt")
    want = {"Publisher": "Arctera", "Contact": "Arctera", "HelpLink": readme, "URLInfoAbout": readme,
            "InstallLocation": INSTALLED_EXE.replace("dloagent.exe", "")}
    got = {k: entry.get(k, ("", ""))[1] for k in want}
    check(got == want, "Programs and Features: %s" % got)
    check(os.path.isfile(os.path.join(FOLDER, "DLO Firewall Agent", "README.txt")), "the documentation is installed")
    icon = reg_values(r"HKLM\SOFTWARE\Classes\Installer\Products" + "\\" + packed_guid(product_code(msi)))
    icon = icon.get("ProductIcon", ("", ""))[1]
    cached = os.path.join(PREFIX, "drive_c", icon[3:].replace("\\", "/")) if icon else ""
    with open(os.path.join(os.environ["DLO_BUILD_DIR"], "installer", "dloagent.ico"), "rb") as f:
        built = f.read()
    check(cached and os.path.isfile(cached) and open(cached, "rb").read() == built,
          "the product's icon is the package's dloagent.ico, cached at %s" % icon)


def test_install_on_an_edge_server(foreign_before):
    reg("add", EDGE_ENTRY, "/v", "DisplayName", "/t", "REG_SZ", "/d", "Arctera DLO Edge Server", "/f")
    # The service appends its events here (docs/configuration.md: TraceFile), for a look when a check fails.
    reg("add", CONFIG_KEY, "/v", "TraceFile", "/t", "REG_SZ", "/d", TRACE_NAME, "/f")

    rc, log = msiexec("install", "/i", MSI, "BOIMODE=exclusive")
    check(rc == 0, "msiexec /i /qn BOIMODE=exclusive exits 0 (got %d)" % rc)
    check("dloagent: BOIMODE=exclusive (given)" in log, "the MSI log shows the checked property")
    check(service_state() == "RUNNING", "sc query dloagent: RUNNING (%s)" % service_state())
    image = reg_values(SERVICE_KEY).get("ImagePath", ("", ""))[1]
    check(image == '"%s" /service' % INSTALLED_EXE, "the service runs the installed exe, quoted: %s" % image)
    check_service_registration(log)
    check(os.path.isfile(os.path.join(FOLDER, "DLO Firewall Agent", "dloagent.exe")),
          "dloagent.exe is under Program Files\\Arctera\\DLO Firewall Agent")
    check(config_values() == {"BOIMode": ("REG_SZ", "exclusive")},
          "only the given property is written, as REG_SZ: %s" % config_values())
    check(products() == [msi_version(MSI)], "the product is registered once, version %s: %s"
          % (msi_version(MSI), products()))
    check_trace_folders(log)
    check_programs_and_features(MSI)

    rc, out, err = agent("/detect", "/json")
    check(rc == 0 and '"edge-server"' in out.split('"not_found"')[0],
          "the prefix is a DLO Edge Server for detection (%s)" % out[:200].replace("\n", " "))

    wait_for_rules("after the install", "/roles:edge-server", "/mode:exclusive")
    check(os.path.isfile(trace), "the service traces in the folder chain the package prepared")
    rc, out, err = agent("/verify", "/roles:edge-server", "/mode:exclusive")
    check(rc == 0, "installed dloagent.exe /verify /roles:edge-server /mode:exclusive exits 0 (got %d: %s)"
          % (rc, (out + err).strip()[:300]))
    rc, out, err = agent("/verify")
    check(rc == 0, "and /verify alone (the detected roles, the configured mode) exits 0 (got %d: %s)"
          % (rc, (out + err).strip()[:300]))
    check(foreign() == foreign_before, "every foreign rule is byte for byte unchanged")


def test_repair_keeps_everything():
    # Wine's msiexec /f takes no package path and does not do product codes: a repair is the
    # same reinstall through properties (msiexec /fa on Windows).
    os.remove(os.path.join(FOLDER, "DLO Firewall Agent", "dloagent.exe"))
    rc, log = msiexec("repair", "/i", MSI, "REINSTALL=ALL", "REINSTALLMODE=omus")
    check(rc == 0, "repair exits 0 (got %d)" % rc)
    check(os.path.isfile(os.path.join(FOLDER, "DLO Firewall Agent", "dloagent.exe")), "repair puts the deleted exe back")
    check(config_values() == {"BOIMode": ("REG_SZ", "exclusive")},
          "repair keeps the configuration: %s" % config_values())
    check("dloagent: BOIMODE=exclusive (kept from the installer key)" in log, "the log says the value was kept")
    check(service_state() == "RUNNING", "the service runs after the repair (%s)" % service_state())


def test_upgrade_keeps_the_configuration(foreign_before):
    # A value an administrator set by hand (the Dedupe Server is the only peer of one of the Edge
    # Server's rules), and one the upgrade brings (the IO Server, likewise, of another rule).
    reg("add", CONFIG_KEY, "/v", "DedupeServers", "/t", "REG_SZ", "/d", "10.20.0.0/16", "/f")
    wait_for_rules("the administrator's value, before the upgrade", "/roles:edge-server",
                   "/mode:exclusive", "/dedupeservers:10.20.0.0/16")
    names = sorted(parse(s)["Name"][0] for s in owned().values())
    reset_counters()
    rc, log = msiexec("upgrade", "/i", NEXT, "RECONCILEINTERVALMINUTES=30", "IOSERVERS=10.30.0.0/16",
                      "CORPORATEPROFILES=domain,private", "BINDTOSERVICES=0", "PUSHINSTALLPORTS=rpc")
    check(rc == 0, "msiexec /i of the next version exits 0 (got %d)" % rc)
    check("/remove exited" not in log, "the upgrade does not run /remove")
    check(sorted(parse(s)["Name"][0] for s in owned().values()) == names,
          "the %d rules are still there right after the upgrade" % len(names))
    check(products() == [msi_version(NEXT)], "the upgrade replaced %s with %s: %s"
          % (msi_version(MSI), msi_version(NEXT), products()))
    values = config_values()
    check(values.get("BOIMode") == ("REG_SZ", "exclusive"), "BOIMode kept: %s" % (values.get("BOIMode"),))
    check(values.get("DedupeServers") == ("REG_SZ", "10.20.0.0/16"),
          "the administrator's DedupeServers kept: %s" % (values.get("DedupeServers"),))
    check(values.get("IoServers") == ("REG_SZ", "10.30.0.0/16"),
          "IOSERVERS written: %s" % (values.get("IoServers"),))
    check(values.get("ReconcileIntervalMinutes") == ("REG_DWORD", "0x1e"),
          "RECONCILEINTERVALMINUTES=30 written as REG_DWORD: %s" % (values.get("ReconcileIntervalMinutes"),))
    check(values.get("CorporateProfiles") == ("REG_SZ", "domain,private"),
          "CORPORATEPROFILES written: %s" % (values.get("CorporateProfiles"),))
    check(values.get("BindToServices") == ("REG_DWORD", "0x0"),
          "BINDTOSERVICES=0 written as REG_DWORD 0: %s" % (values.get("BindToServices"),))
    check(values.get("PushInstallPorts") == ("REG_SZ", "rpc"),
          "PUSHINSTALLPORTS written: %s" % (values.get("PushInstallPorts"),))
    check(set(values) == {"BOIMode", "DedupeServers", "IoServers", "ReconcileIntervalMinutes",
                          "CorporateProfiles", "BindToServices", "PushInstallPorts"},
          "nothing else written: %s" % sorted(values))
    check(service_state() == "RUNNING", "the upgraded service runs (%s)" % service_state())
    check_service_registration(log)

    wait_for_rules("after the upgrade", "/roles:edge-server", "/mode:exclusive",
                   "/dedupeservers:10.20.0.0/16", "/ioservers:10.30.0.0/16")
    # The old version's uninstall left the rules to the new one, whose service narrowed the one
    # rule toward the IO Servers in place.
    c = counters()
    check(c.get("Removes", 0) == 0 and c.get("Adds", 0) == 0 and c.get("RuleWrites", 0) >= 1,
          "the upgrade removed and re-added no rule, the new service rewrote one in place (%s)" % c)
    rc, out, err = agent("/verify", "/roles:edge-server", "/mode:exclusive")
    check(rc == 0, "/verify after the upgrade (scopes from the configuration) exits 0 (got %d: %s)"
          % (rc, (out + err).strip()[:300]))
    check(foreign() == foreign_before, "every foreign rule is unchanged after the upgrade")


def test_who_may_change_the_configuration():
    repair = ("/i", MSI, "REINSTALL=ALL", "REINSTALLMODE=omus")
    # (b) An elevated administrator's maintenance install changes a value (Wine runs
    # everything elevated).
    rc, log = msiexec("elevated maintenance install", *repair, "BOIMODE=occasional")
    check(rc == 0, "an elevated maintenance install with BOIMODE=occasional exits 0 (got %d)" % rc)
    check("dloagent: maintenance install, started by an elevated administrator" in log,
          "the log says who started it")
    check(config_values() == {"BOIMode": ("REG_SZ", "occasional")},
          "the elevated maintenance install wrote BOIMode: %s" % config_values())

    # The finding: a repair without elevation that would change the configuration.
    before = machine_state()
    rc, log = msiexec("unelevated maintenance install", *repair, "ADDROLES=storage,sql-server",
                      "BOIMODE=nonboi", unelevated=True)
    check(rc == FAILED, "an unelevated maintenance install with ADDROLES exits 1603 (seen as %d, got %d)"
          % (FAILED, rc))
    check("dloagent: maintenance install, started by a user without elevation" in log,
          "the log says it was started without elevation")
    line = next((l for l in log.splitlines() if "would change the configuration" in l), "")
    for needle in ('ADDROLES="storage,sql-server" (now unset)', 'BOIMODE="nonboi" (now "occasional")',
                   "only an elevated administrator, a first install or a Group Policy assignment"):
        check(needle in line, "the refusal names %s: %s" % (needle, line or "(none)"))
    after = machine_state()
    changed = ["%s %r -> %r" % (k, before[k], after[k]) for k in before if after[k] != before[k]]
    check(not changed, "the refused install changed nothing%s"
          % ("; changed: " + "; ".join(changed) if changed else ""))

    # A plain repair without elevation changes no value: the configuration check lets it go on
    # and it puts a deleted file back and the service in place again. Wine runs the deferred
    # actions with the same restricted token (Windows runs them as SYSTEM), and its Service
    # Control Manager asks for no rights, so the repair completes here too.
    exe = os.path.join(FOLDER, "DLO Firewall Agent", "dloagent.exe")
    os.remove(exe)
    rc, log = msiexec("unelevated plain repair", *repair, unelevated=True)
    failed = [l for l in log.splitlines() if "Return value 3" in l or "exited with" in l]
    check("dloagent: maintenance install, started by a user without elevation" in log
          and "would change the configuration" not in log and "the check of who may change" not in log,
          "an unelevated plain repair passes the configuration check")
    check(os.path.isfile(exe), "and puts the deleted exe back")
    errors = [l.strip() for l in log.splitlines() if "rror" in l or "Return value" in l][-6:]
    check(rc == 0 and not failed and service_state() == "RUNNING",
          "and completes (exit %d, failed: %s), the service running (%s); the log's last errors: %s"
          % (rc, failed, service_state(), errors))
    check(config_values() == {"BOIMode": ("REG_SZ", "occasional")},
          "and the configuration is as it was: %s" % config_values())

    rc, log = msiexec("elevated maintenance install back", *repair, "BOIMODE=exclusive")
    check(rc == 0 and config_values() == {"BOIMode": ("REG_SZ", "exclusive")},
          "an elevated maintenance install puts BOIMODE=exclusive back (exit %d): %s"
          % (rc, config_values()))
    check(service_state() == "RUNNING", "the service runs (%s)" % service_state())


def key_dump(view):
    """The installer key's own values in one registry view (subkeys, such as the service's State,
    left out), as `reg export` writes them: name, type and data, byte for byte."""
    path = os.path.join(work, "dump-%s.reg" % view)
    rc, out, err = wine("reg", "export", CONFIG_KEY, "Z:" + path.replace("/", "\\"), "/reg:%s" % view, "/y")
    if rc != 0:
        return "(no key)"
    with open(path, "rb") as f:
        lines = f.read().decode("utf-16").replace("\r", "").split("\n")
    os.remove(path)
    own = "[%s]" % CONFIG_KEY.replace("HKLM", "HKEY_LOCAL_MACHINE", 1)
    start = lines.index(own) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("[")), len(lines))
    return "\n".join(l for l in lines[start:end] if l)


def key_dumps():
    return {view: key_dump(view) for view in ("64", "32")}


# Every configuration property set to another valid value than the key holds: what a standard
# user would pass to open ports (ADDROLES) or widen scopes.
ATTACK = ("ADDROLES=storage,sql-server", "BOIMODE=nonboi", "EDGESERVERS=*", "CLIENTNETWORKS=*",
          "DEDUPESERVERS=*", "SQLPORT=1", "RECONCILEINTERVALMINUTES=1", "BINDTOSERVICES=0",
          "CORPORATEPROFILES=domain,private,public", "PUSHINSTALLPORTS=rpc",
          "CLOSEPUSHPORTSWHENINSTALLED=0", "EXCLUDEROLES=client")


def standard_user_cases():
    """(what, msiexec arguments) for every REMOVE, REINSTALL and REINSTALLMODE a standard user can
    pass, with no configuration property and with ATTACK; then the other ways in."""
    cases = []
    for props in ((), ATTACK):
        tag = "with properties" if props else "no property"
        for remove in ("", "ALL", "all", "Agent"):
            for reinstall in ("", "ALL", "Agent"):
                for mode in (("omus", "amus", "vomus") if reinstall else (None,)):
                    args = ["REMOVE=" + remove, "REINSTALL=" + reinstall]
                    args += ["REINSTALLMODE=" + mode] if mode else []
                    cases.append(("%s, %s" % (" ".join(args), tag), ("/i", MSI) + tuple(args) + props))
        cases.append(("ADDLOCAL=ALL, %s" % tag, ("/i", MSI, "ADDLOCAL=ALL") + props))
        cases.append(("the next version, %s" % tag, ("/i", NEXT) + props))
    cases.append(("msiexec /x", ("/x", MSI)))
    cases.append(("an administrative image", ("/a", MSI, "TARGETDIR=Z:" + work.replace("/", "\\") + "\\admin") + ATTACK))
    return cases


def run_as_standard_user(what, args, before):
    """One msiexec run without elevation, the key's dumps being before: (exit code, refused by the
    package's check, whether the key in both views, the product's registration and its exe are as
    they were, the key's dumps after)."""
    exe = os.path.join(FOLDER, "DLO Firewall Agent", "dloagent.exe")
    registration = UNINSTALL + "\\" + msi_property(MSI, "ProductCode")
    rc, log = msiexec("standard user: " + what, *args, unelevated=True)
    refused = "Nothing was changed" in log
    after = key_dumps()
    intact = after == before and key_exists(registration) and os.path.isfile(exe)
    return rc, refused, intact, after


def test_standard_user_cannot_change_the_configuration():
    """A standard user (run_unelevated.exe) gets no byte of the installer key changed, in either
    registry view, whatever REMOVE, REINSTALL, REINSTALLMODE and properties they pass, and cannot
    remove the agent: the package's own check refuses each such run before anything changes."""
    # Values of every type the key can hold, and one in the 32-bit view. The REG_MULTI_SZ would
    # be written back as a REG_SZ (the same list to the agent, other bytes): even a plain
    # repair is then a change.
    reg_write("add", CONFIG_KEY, "/v", "ClientNetworks", "/t", "REG_SZ", "/d", "10.0.0.0/8", "/f")
    reg_write("add", CONFIG_KEY, "/v", "ReconcileIntervalMinutes", "/t", "REG_DWORD", "/d", "45", "/f")
    reg_write("add", CONFIG_KEY, "/v", "ExcludeRoles", "/t", "REG_MULTI_SZ", "/d", "storage\\0dedupe-storage", "/f")
    reg_write("add", CONFIG_KEY, "/v", "BOIMode", "/t", "REG_SZ", "/d", "occasional", "/f", "/reg:32")
    changed, passed = [], []
    cases = standard_user_cases()
    # Nothing but the runs changes the key's own values: what one run leaves is what the next
    # finds, read once.
    after = key_dumps()
    for what, args in cases:
        rc, refused, intact, after = run_as_standard_user(what, args, after)
        if not intact:
            changed.append("%s (exit %d): key now %s" % (what, rc, after))
        # An administrative image writes no configuration: nothing to refuse.
        if not refused and args[0] != "/a":
            passed.append("%s (exit %d)" % (what, rc))
    check(not changed, "%d runs by a standard user left the key byte for byte, the product and its "
          "exe as they were%s" % (len(cases), "; changed:" + "\n  ".join([""] + changed) if changed else ""))
    check(not passed, "the package's check refused each of them before anything changed%s"
          % ("; not refused:" + "\n  ".join([""] + passed) if passed else ""))
    reg("delete", CONFIG_KEY, "/v", "ExcludeRoles", "/f")

    # Without it, a plain repair rewrites every value as it is: the check lets it go on, and not
    # a byte moves. An elevated repair after each puts back whatever the run left otherwise.
    for what, args in (("plain repair, REMOVE=ALL REINSTALL=ALL REINSTALLMODE=omus",
                        ("/i", MSI, "REMOVE=ALL", "REINSTALL=ALL", "REINSTALLMODE=omus")),
                       ("plain repair, REINSTALL=ALL REINSTALLMODE=amus",
                        ("/i", MSI, "REINSTALL=ALL", "REINSTALLMODE=amus"))):
        before = key_dumps()
        rc, refused, intact, after = run_as_standard_user(what, args, before)
        check(not refused and after == before,
              "%s by a standard user passes the check and leaves the key byte for byte (exit %d): %s"
              % (what, rc, "refused" if refused else after))
        rc, log = msiexec("elevated repair after " + what, "/i", MSI, "REINSTALL=ALL", "REINSTALLMODE=omus")
        check(rc == 0, "an elevated repair after it exits 0 (exit %d)" % rc)
    for name in ("ClientNetworks", "ReconcileIntervalMinutes"):
        reg("delete", CONFIG_KEY, "/v", name, "/f")
    reg("delete", ARCTERA_KEY.replace("SOFTWARE", "SOFTWARE\\WOW6432Node", 1), "/f")


def wait_in_trace(needle, seconds):
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        try:
            with open(trace, encoding="utf-8", errors="replace") as f:
                found = [l for l in f if needle in l]
            if found:
                return found[-1].strip()
        except OSError:
            pass
        time.sleep(0.5)
    return None


def test_untrusted_policy_file_keeps_the_rules():
    # A replacement matrix the Wine user owns, as every file a test makes here is: the service
    # must refuse it (the acceptance path needs an owner Wine cannot give, so the host tests it:
    # tests/unit/test_datafiles.c).
    folder = os.path.join(PREFIX, "drive_c", "dlo-msi-test")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(os.environ["DLO_SOURCE_DIR"], "policies", "dlo-10.0.ports")) as f:
        text = f.read().replace("\n  ports      8443\n", "\n  ports      9443\n")
    with open(os.path.join(folder, "site.ports"), "w") as f:
        f.write(text)
    path = r"C:\dlo-msi-test\site.ports"
    rules_before = owned()
    reg("add", CONFIG_KEY, "/v", "PolicyFile", "/t", "REG_SZ", "/d", path, "/f")
    line = wait_in_trace("PolicyFile %s in the installer key is not used" % path, RULES_WAIT)
    check(line is not None and " 1200 " in line and "S-1-5-21-0-0-0-1000" in line,
          "the service logs event 1200 naming the file and the Wine user: %s" % line)
    check(owned() == rules_before, "and leaves the rules as they were")
    rc, out, err = agent("/plan")
    check(rc == 2 and path in err, "/plan refuses it too: exit 2 (got %d): %s" % (rc, err.strip()[:300]))
    reg("delete", CONFIG_KEY, "/v", "PolicyFile", "/f")
    subprocess.run(["rm", "-rf", folder])


# Wine's own security descriptor of a key it creates, and one that also lets Users set values.
KEY_SDDL = "O:BAD:(A;CIIO;GR;;;BU)(A;;KA;;;BA)"
KEY_USERS_WRITE_SDDL = KEY_SDDL + "(A;;KW;;;BU)"


def set_key_security(key, sddl):
    rc, out, err = wine(SET_SECURITY, "key", key.split("\\", 1)[1], sddl)
    check(rc == 0, "set_security %s %s (%s)" % (key, sddl, (out + err).strip()))


def test_a_key_users_may_change_is_not_believed():
    # Users may set values of the installer key: whatever it holds, the service does not use it
    # (event 1200) and leaves the rules; a command says why and exits 2.
    rules_before = owned()
    set_key_security(CONFIG_KEY, KEY_USERS_WRITE_SDDL)
    reg_write("add", CONFIG_KEY, "/v", "BOIMode", "/t", "REG_SZ", "/d", "nonboi", "/f")
    line = wait_in_trace("HKLM\\%s (64-bit view) may be changed by S-1-5-32-545" % CONFIG_KEY.split("\\", 1)[1],
                         RULES_WAIT)
    check(line is not None and " 1200 " in line,
          "the service logs event 1200 naming the key and Users, and does not use it: %s" % line)
    check(owned() == rules_before, "the rules stay as they were (BOIMode=nonboi is not applied)")
    rc, out, err = agent("/plan")
    check(rc == 2 and "may be changed by S-1-5-32-545" in err and "does not use its values" in err,
          "/plan refuses the key too: exit 2 (got %d): %s" % (rc, err.strip()[:300]))
    set_key_security(CONFIG_KEY, KEY_SDDL)
    reg_write("add", CONFIG_KEY, "/v", "BOIMode", "/t", "REG_SZ", "/d", "exclusive", "/f")
    rc, out, err = agent("/plan")
    check(rc == 0, "with Wine's own DACL back the key is used again: /plan exits 0 (got %d)" % rc)


def machine_state():
    """What a refused install must leave as it was, by name, so a failure says what moved."""
    return {"configuration": config_values(), "service state": service_state(),
            "files": files_left(), "products": products(), "owned rules": owned()}


def expect_refused(what, msi, args, needles):
    """An install with a bad property: exit 1603, the log names it, nothing changes."""
    before = machine_state()
    rc, log = msiexec(what, "/i", msi, *args)
    check(rc == FAILED, "%s: msiexec exits 1603 (seen as %d, got %d)" % (what, FAILED, rc))
    line = next((l for l in log.splitlines() if "nothing was installed" in l), "")
    for needle in needles:
        check(needle in line, "%s: the log line names %s: %s" % (what, needle, line or "(none)"))
    after = machine_state()
    changed = ["%s %r -> %r" % (k, before[k], after[k]) for k in before if after[k] != before[k]]
    check(not changed, "%s: configuration, service, files, product and rules as before%s"
          % (what, "; changed: " + "; ".join(changed) if changed else ""))


def test_bad_properties_on_the_installed_product():
    expect_refused("BOIMODE=sometimes on the installed product", NEXT, ["BOIMODE=sometimes"],
                   ['BOIMODE="sometimes"', "unknown BOI mode 'sometimes'"])
    expect_refused("SQLPORT=70000", NEXT, ["SQLPORT=70000"], ['SQLPORT="70000"', "out of range"])
    expect_refused("SQLPORT=01433", NEXT, ["SQLPORT=01433"],
                   ['SQLPORT="01433"', "'01433' has a leading zero"])
    expect_refused("a malformed address", NEXT, ["EDGESERVERS=10.0.0.300"],
                   ['EDGESERVERS="10.0.0.300"', "'10.0.0.300' is not a valid address"])
    expect_refused("PUSHINSTALLPORTS=dynamic", NEXT, ["PUSHINSTALLPORTS=dynamic"],
                   ['PUSHINSTALLPORTS="dynamic"', "not a push-installation port choice"])
    expect_refused("BINDTOSERVICES=2", NEXT, ["BINDTOSERVICES=2"],
                   ['BINDTOSERVICES="2"', "out of range"])
    expect_refused("CORPORATEPROFILES=home", NEXT, ["CORPORATEPROFILES=home"],
                   ['CORPORATEPROFILES="home"', "'home' is not a firewall profile"])
    expect_refused("AddRoles and ExcludeRoles overlap", NEXT, ["ADDROLES=client", "EXCLUDEROLES=client"],
                   ["AddRoles", "ExcludeRoles", "both name client"])


def test_uninstall_leaves_nothing(foreign_before):
    check(len(owned()) > 0, "there are rules to remove (%d owned)" % len(owned()))
    rc, log = msiexec("uninstall", "/x", NEXT)
    check(rc == 0, "msiexec /x exits 0 (got %d)" % rc)
    check("/remove exited with 0" in log, "the log shows /remove")
    check(service_state() is None, "no service left (%s)" % service_state())
    check(not key_exists(SERVICE_KEY), "no service key left")
    check(not key_exists(EVENT_SOURCE_KEY), "no Event Log source left")
    check(owned() == {}, "no owned rule left (%d)" % len(owned()))
    check(foreign() == foreign_before, "every foreign rule is byte for byte unchanged")
    check(files_left() == [], "no file left: %s" % files_left())
    check(not os.path.isdir(FOLDER), "Program Files\\Arctera is gone")
    check(config_values() == {}, "no configuration value of the package left: %s" % config_values())
    check(products() == [], "no product registered: %s" % products())


def test_bad_property_on_a_clean_machine():
    reg("delete", CONFIG_KEY, "/f")
    rc, log = msiexec("BOIMODE=sometimes on a clean machine", "/i", MSI, "BOIMODE=sometimes", "SQLPORT=1500")
    check(rc == FAILED, "a bad BOIMODE fails the install: 1603 (seen as %d, got %d)" % (FAILED, rc))
    check('BOIMODE="sometimes" is invalid' in log, "the log names the bad value")
    check(service_state() is None, "no service")
    check(files_left() == [], "no files: %s" % files_left())
    check(not key_exists(CONFIG_KEY) or config_values() == {},
          "no registry value, not even the valid SQLPORT: %s" % config_values())
    check(products() == [], "no product registered: %s" % products())


def rebuilt(msi, name, *queries, product_code=True):
    """A copy of msi under work with the msibuild queries applied and, if product_code, a new
    ProductCode and package code (another build, as Windows Installer tells packages apart)."""
    copy = os.path.join(work, name)
    shutil.copyfile(msi, copy)
    args = [q for query in queries for q in ("-q", query)]
    if product_code:
        args += ["-q", "UPDATE `Property` SET `Value` = '{%s}' WHERE `Property` = 'ProductCode'"
                 % str(uuid.uuid4()).upper(),
                 "-s", PRODUCT, "Arctera", "x64;1033", "{%s}" % str(uuid.uuid4()).upper()]
    subprocess.run(["msibuild", copy] + args, check=True)
    return copy


def test_another_build_of_this_version_is_refused():
    """ICE61 keeps the upgrade row from finding this version; another build of it (another
    ProductCode) is found by its own row and refused, not installed beside the one there."""
    other = rebuilt(MSI, "same-version.msi")
    before = machine_state()
    rc, log = msiexec("another build of the same version", "/i", other)
    # Wine does not write a launch condition's message to the log of a silent install.
    found = "DLO_SAME_VERSION_DETECTED = %s" % product_code(MSI)
    check(rc == FAILED and found in log and "LaunchConditions. Return value 0" in log,
          "another build of %s is found (%s) and refused by its launch condition (exit %d)"
          % (msi_version(MSI), found, rc))
    check(machine_state() == before, "and nothing changed: one product, its service, its files")


def test_failed_install_rolls_the_service_back():
    """A first install that fails after StartServices (a copy of the package with one deferred
    action that fails, the agent's own DloRunAgent without a command line): Windows Installer
    stops and deletes the service it created and removes its Event Log source."""
    failing = rebuilt(MSI, "failing.msi",
                      "INSERT INTO `CustomAction` (`Action`, `Type`, `Source`, `Target`) "
                      "VALUES ('DloTestFail', 3073, 'DloCustomActions', 'DloRunAgent')",
                      "INSERT INTO `InstallExecuteSequence` (`Action`, `Sequence`) VALUES ('DloTestFail', 5950)")
    rc, log = msiexec("install that fails after the service started", "/i", failing, "BOIMODE=exclusive")
    started = "Action start" in log and "StartServices" in log.split("DloTestFail")[0]
    check(rc == FAILED and started, "the install failed after StartServices (exit %d)" % rc)
    check(service_state() is None and not key_exists(SERVICE_KEY), "no service is left (%s)" % service_state())
    check(not key_exists(EVENT_SOURCE_KEY), "no Event Log source is left")
    left = files_left()
    # Wine's RemoveFiles only warns when DeleteFileW fails (dlls/msi/files.c), and its rollback
    # may reach the files while the stopped service's process is still exiting; Windows Installer
    # would schedule such a file for deletion at the next restart. So the service's own exe may be
    # left, and nothing else.
    in_use = [f for f in left if os.path.basename(f) == "dloagent.exe"]
    if in_use:
        print("note: %s was still in use when the rollback removed files" % in_use[0])
    check([f for f in left if f not in in_use] == [] and products() == [] and config_values() == {},
          "no file (but an exe in use), product or value is left: %s %s %s"
          % (left, products(), config_values()))


# The last package that registered the service by running dloagent.exe /install.
PREVIOUS_PACKAGE = "71aaa0b38d966c79b179c2a3fb0eade11b144f92"


def previous_package():
    """That package's .wxs and build-msi.sh, from git, around this build's binaries (which keep
    /install and every entry point it calls), at a version below this one."""
    src = os.environ["DLO_SOURCE_DIR"]
    folder = os.path.join(work, "previous")
    os.makedirs(folder)
    for name in ("dloagent.wxs", "build-msi.sh"):
        p = subprocess.run(["git", "-C", src, "show", "%s:installer/%s" % (PREVIOUS_PACKAGE, name)],
                           capture_output=True)
        if p.returncode != 0:
            raise SystemExit("the previous package's %s is not in the history of %s (a shallow clone?): %s"
                             % (name, src, p.stderr.decode().strip()))
        with open(os.path.join(folder, name), "wb") as f:
            f.write(p.stdout)
    major, minor, patch = (int(x) for x in msi_version(MSI).split("."))
    lower = "%d.%d.%d" % ((major, minor, patch - 1) if patch else (major, minor - 1, 65535) if minor else (major - 1, 255, 65535))
    build = os.environ["DLO_BUILD_DIR"]
    out = os.path.join(folder, "previous.msi")
    subprocess.run(["sh", os.path.join(folder, "build-msi.sh"), out, lower, os.path.join(build, "dloagent.exe"),
                    os.path.join(build, "installer", "dloagent-msica.dll"), os.path.join(folder, "dloagent.wxs")],
                   check=True)
    return out


def test_upgrade_from_the_previous_package(foreign_before):
    """From the package whose custom action ran /install to this one: the old version goes
    with REMOVE=Agent (its rules stay), DeleteServices replaces the registration /install made
    with the one of the ServiceInstall table, and one service runs the same rules."""
    previous = previous_package()
    reg("add", EDGE_ENTRY, "/v", "DisplayName", "/t", "REG_SZ", "/d", "Arctera DLO Edge Server", "/f")
    rc, log = msiexec("install of the previous package", "/i", previous, "BOIMODE=exclusive")
    check(rc == 0 and "/install exited with 0" in log,
          "the previous package (%s) installs, its service by /install (exit %d)" % (msi_version(previous), rc))
    wait_for_rules("the previous package", "/roles:edge-server", "/mode:exclusive")
    reset_counters()
    rc, log = msiexec("upgrade from the previous package", "/i", MSI)
    check(rc == 0, "this package upgrades it (exit %d)" % rc)
    check(products() == [msi_version(MSI)], "one product is registered, %s: %s" % (msi_version(MSI), products()))
    image = reg_values(SERVICE_KEY).get("ImagePath", ("", ""))[1]
    check(service_state() == "RUNNING" and image == '"%s" /service' % INSTALLED_EXE,
          "the one dloagent service runs the installed exe, quoted (%s, %s)" % (service_state(), image))
    check_service_registration(log)
    check(config_values() == {"BOIMode": ("REG_SZ", "exclusive")}, "the configuration is kept: %s" % config_values())
    c = counters()
    check(c.get("Removes", 0) == 0, "no rule was removed by the upgrade (%s)" % c)
    wait_for_rules("after the upgrade from the previous package", "/roles:edge-server", "/mode:exclusive")
    check(foreign() == foreign_before, "every foreign rule is unchanged")


def administrator(foreign_before):
    test_install_on_an_edge_server(foreign_before)
    test_another_build_of_this_version_is_refused()
    test_repair_keeps_everything()
    test_who_may_change_the_configuration()
    test_untrusted_policy_file_keeps_the_rules()
    test_a_key_users_may_change_is_not_believed()
    test_upgrade_keeps_the_configuration(foreign_before)
    test_bad_properties_on_the_installed_product()
    test_uninstall_leaves_nothing(foreign_before)
    test_bad_property_on_a_clean_machine()
    test_failed_install_rolls_the_service_back()
    test_upgrade_from_the_previous_package(foreign_before)


def standard_user(foreign_before):
    # The product as an administrator leaves it: installed with BOIMODE=exclusive, its service
    # running (the repairs and maintenance installs of the other part end there too).
    test_install_on_an_edge_server(foreign_before)
    test_standard_user_cannot_change_the_configuration()


PARTS = {"administrator": administrator, "standard-user": standard_user}


def run_part(part):
    clean_machine()
    # Some foreign rules carry the agent's rule names under another grouping.
    plant(foreign_rules(60, [r["name"] for r in plan("/roles:edge-server", "/mode:exclusive")]))
    foreign_before = foreign()
    plant_user_made_trace_folders()
    try:
        PARTS[part](foreign_before)
    finally:
        clean_machine()


if __name__ == "__main__":
    parts = sys.argv[5:] or list(PARTS)
    unknown = [p for p in parts if p not in PARTS]
    try:
        if unknown:
            raise SystemExit("unknown part %s; expected one of %s" % (", ".join(unknown), ", ".join(PARTS)))
        for part in parts:
            run_part(part)
    finally:
        subprocess.run(["rm", "-rf", work])
    for what, seconds in timings:
        print("time: msiexec %s: %.1f s" % (what, seconds))
    sys.exit(finish())
