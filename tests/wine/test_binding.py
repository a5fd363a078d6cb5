#!/usr/bin/env python3
"""Rules bound to the program that serves them, with the real dloagent.exe under Wine and the
firewall double: a test service (listen_service.exe) named DLOAdminSvcu listening on 3999 makes
the Administration Service rules bound to it, ServiceName only once the service has a service
SID; /apply writes App and Svc to the rule store and /verify reads them back compliant; no
listener or another service on the port leaves a new rule unbound, BindToServices=0 (switch or
registry) unbinds it, and /apply then takes the binding off. A program that is no service
(listen.exe, standing for a standard user's) listening on 127.0.0.2:3999 beside the bound
service, or after it stopped, changes nothing: /apply keeps App and Svc. The SQL Server rules
are bound from the instance's ImagePath (a service that need not run).

Under Wine 8 the listeners table names a socket's process only once the process holds the
socket's Unix descriptor (tests/win/listen_service.c says how it makes sure); otherwise it shows
PID 0, which leaves every rule unbound (the host tests cover that case).

Wine runs every program as the one Wine user, so the "standard user" here is a program of the
same account: what is tested is the agent's judgement of the evidence, not Windows' accounts.

Usage: test_binding.py PATH/TO/dloagent.exe PATH/TO/listen_service.exe PATH/TO/listen.exe
       (Wine session, double)"""
import json
import subprocess
import sys
import time

from winefw import check, finish, parse, owned, reg_write, reset_store, wine

EXE, LISTEN, USER_LISTEN = sys.argv[1], sys.argv[2], sys.argv[3]
ADMIN_TCP = "Arctera DLO - Administration Service (TCP-In)"
ADMIN_UDP = "Arctera DLO - Administration Service (UDP-In)"
SQL_RULE = "Arctera DLO - SQL Server (TCP-In)"
BROWSER_RULE = "Arctera DLO - SQL Server Browser (UDP-In)"
CONFIG_KEY = "HKLM\\SOFTWARE\\Arctera\\DLO\\FirewallAgent"
SERVICES = "HKLM\\SYSTEM\\CurrentControlSet\\Services\\"
SQLSERVR = "C:\\Program Files\\Microsoft SQL Server\\MSSQL16.DLOBIND\\MSSQL\\Binn\\sqlservr.exe"
BROWSER = "C:\\Program Files (x86)\\Microsoft SQL Server\\90\\Shared\\sqlbrowser.exe"
CREATED = ["DLOAdminSvcu", "DloBindOther", "MSSQL$DLOBIND", "SQLBrowser"]


def windows_path(path):
    rc, out, _ = wine("winepath", "-w", path)
    return out.strip()


def plan(*args):
    rc, out, err = wine(EXE, "/plan", "/json", *args)
    assert rc == 0, err
    return {r["name"]: r for r in json.loads(out)["rules"]}


def create(name, bin_path):
    """A demand-start service; one deleted a moment ago may still be marked for deletion."""
    for _ in range(10):
        rc, _, _ = wine("sc", "create", name, "binPath=", bin_path, "start=", "demand")
        if rc == 0:
            return True
        time.sleep(0.5)
    return False


def stop_and_delete(name):
    wine("sc", "stop", name)
    for _ in range(20):
        rc, out, _ = wine("sc", "query", name)
        if rc != 0 or "STOPPED" in out:
            break
        time.sleep(0.25)
    wine("sc", "delete", name)


def started(name, rule_name, *args):
    """Starts a listening service and waits until the listeners table shows its port (the plan's
    evidence no longer says nothing listens)."""
    wine("sc", "start", name)
    for _ in range(40):
        r = plan(*args)[rule_name]
        if "nothing listens" not in r["binding_evidence"]:
            return r
        time.sleep(0.25)
    return plan(*args)[rule_name]


def test_no_listener():
    r = plan("/roles:admin-server")[ADMIN_TCP]
    check(r["application"] is None and r["service"] is None,
          "nothing on 3999: '%s' names no program (%s)" % (ADMIN_TCP, r["binding_evidence"]))
    check(r["binding_evidence"] == "kept as it stands in the firewall: nothing listens on tcp 3999",
          "its evidence says nothing listens, and the rule keeps what it has: %s"
          % r["binding_evidence"])


def test_service_listening(image):
    check(create("DLOAdminSvcu", '"%s" 3999' % image), "created service DLOAdminSvcu")
    r = started("DLOAdminSvcu", ADMIN_TCP, "/roles:admin-server")
    check(r["application"] is not None and r["application"].lower() == image.lower(),
          "DLOAdminSvcu listening: '%s' bound to %s (%s)" % (ADMIN_TCP, r["application"],
                                                             r["binding_evidence"]))
    check(r["service"] is None, "no ServiceSidType: no ServiceName (%s)" % r["service"])
    rules = plan("/roles:admin-server")
    check(rules[ADMIN_UDP]["application"] is not None
          and rules[ADMIN_UDP]["application"] == r["application"],
          "the UDP rule bound too (%s)" % rules[ADMIN_UDP]["binding_evidence"])
    reg_write("add", SERVICES + "DLOAdminSvcu", "/v", "ServiceSidType", "/t", "REG_DWORD", "/d",
              "1", "/f")
    r = plan("/roles:admin-server")[ADMIN_TCP]
    check(r["service"] == "DLOAdminSvcu", "with a service SID: ServiceName %s" % r["service"])

    reset_store()
    rc, out, err = wine(EXE, "/apply", "/roles:admin-server")
    check(rc == 0, "/apply exits 0 (%s)" % err.strip()[:200])
    stored = [parse(s) for s in owned().values() if parse(s)["Name"] == [ADMIN_TCP]]
    check(len(stored) == 1 and [a.lower() for a in stored[0].get("App", [])] == [image.lower()]
          and stored[0].get("Svc") == ["DLOAdminSvcu"],
          "the rule store holds App and Svc: %s" % stored)
    rc, out, err = wine(EXE, "/verify", "/roles:admin-server")
    check(rc == 0, "/verify of the bound rules exits 0 (%s)" % out.strip()[:300])

    rc, out, _ = wine(EXE, "/plan", "/roles:admin-server")
    check("bound: service DLOAdminSvcu (pid " in out, "/plan's text shows the binding")

    r = plan("/roles:admin-server", "/bindtoservices:0")[ADMIN_TCP]
    check(r["application"] is None and r["binding_evidence"] == "not bound: BindToServices is 0",
          "/bindtoservices:0: unbound (%s)" % r["binding_evidence"])
    reg_write("add", CONFIG_KEY, "/v", "BindToServices", "/t", "REG_DWORD", "/d", "0", "/f")
    r = plan("/roles:admin-server")[ADMIN_TCP]
    check(r["application"] is None, "BindToServices 0 in the registry: unbound (%s)"
          % r["binding_evidence"])
    rc, out, err = wine(EXE, "/apply", "/roles:admin-server")
    stored = [parse(s) for s in owned().values() if parse(s)["Name"] == [ADMIN_TCP]]
    check(rc == 0 and len(stored) == 1 and "App" not in stored[0] and "Svc" not in stored[0],
          "/apply with BindToServices 0 unbinds the rule: %s" % stored)
    reg_write("delete", CONFIG_KEY, "/v", "BindToServices", "/f")
    stop_and_delete("DLOAdminSvcu")


def admin_rule_in_store():
    stored = [parse(s) for s in owned().values() if parse(s)["Name"] == [ADMIN_TCP]]
    return stored[0] if len(stored) == 1 else {}


def user_listener():
    """listen.exe on 127.0.0.2:3999 until killed; waits until /plan sees it."""
    proc = subprocess.Popen(["wine", USER_LISTEN, "3999", "300", "127.0.0.2"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    pid = (proc.stdout.readline().decode().strip() or "0")
    check(pid != "0", "listen.exe listens on 127.0.0.2:3999 (PID %s)" % pid)
    for _ in range(40):
        evidence = plan("/roles:admin-server")[ADMIN_TCP]["binding_evidence"]
        if "listens on tcp 3999" not in evidence:
            break
        time.sleep(0.25)
    return proc


def test_user_listener_keeps_binding(image):
    """The attack of a standard user: listen on another address of the bound port."""
    check(create("DLOAdminSvcu", '"%s" 3999' % image), "created service DLOAdminSvcu")
    reg_write("add", SERVICES + "DLOAdminSvcu", "/v", "ServiceSidType", "/t", "REG_DWORD", "/d",
              "1", "/f")
    started("DLOAdminSvcu", ADMIN_TCP, "/roles:admin-server")
    reset_store()
    rc, _, err = wine(EXE, "/apply", "/roles:admin-server")
    bound = admin_rule_in_store()
    check(rc == 0 and bound.get("Svc") == ["DLOAdminSvcu"] and bound.get("App"),
          "the service listening: /apply binds the rule (%s)" % bound)
    proc = user_listener()
    try:
        r = plan("/roles:admin-server")[ADMIN_TCP]
        check(r["binding_evidence"].startswith("kept as it stands in the firewall: ")
              and "3999" in r["binding_evidence"],
              "a second listener settles nothing: %s" % r["binding_evidence"])
        rc, out, err = wine(EXE, "/apply", "/roles:admin-server")
        now = admin_rule_in_store()
        check(rc == 0 and now.get("App") == bound.get("App") and now.get("Svc") == ["DLOAdminSvcu"],
              "/apply beside a second listener keeps App and Svc: %s" % now)
        rc, out, _ = wine(EXE, "/verify", "/roles:admin-server")
        check(rc == 0, "/verify is compliant with the binding kept (%s)" % out.strip()[:300])
        stop_and_delete("DLOAdminSvcu")
        rc, out, err = wine(EXE, "/apply", "/roles:admin-server")
        now = admin_rule_in_store()
        check(rc == 0 and now.get("App") == bound.get("App") and now.get("Svc") == ["DLOAdminSvcu"],
              "/apply with the service stopped and the second listener alone keeps them: %s" % now)
    finally:
        proc.kill()
        proc.wait()
    reset_store()


def test_another_service(image):
    check(create("DloBindOther", '"%s" 3999' % image), "created service DloBindOther")
    r = started("DloBindOther", ADMIN_TCP, "/roles:admin-server")
    check(r["application"] is None and r["service"] is None
          and "is held by service DloBindOther" in r["binding_evidence"],
          "another service on 3999: no program named (%s)" % r["binding_evidence"])
    stop_and_delete("DloBindOther")


def test_sql_from_the_registry():
    check(create("MSSQL$DLOBIND", '"%s" -sDLOBIND' % SQLSERVR), "created service MSSQL$DLOBIND")
    check(create("SQLBrowser", BROWSER), "created service SQLBrowser")
    rules = plan("/roles:sql-server", "/sqlinstance:DLOBIND")
    r = rules[SQL_RULE]
    check(r["application"] == SQLSERVR and r["service"] is None,
          "SQL Server rule bound to the instance's program (%s)" % r["binding_evidence"])
    r = rules[BROWSER_RULE]
    check(r["application"] == BROWSER, "SQL Server Browser rule bound (%s)" % r["binding_evidence"])
    reg_write("add", SERVICES + "MSSQL$DLOBIND", "/v", "ServiceSidType", "/t", "REG_DWORD", "/d",
              "1", "/f")
    r = plan("/roles:sql-server", "/sqlinstance:DLOBIND")[SQL_RULE]
    check(r["service"] == "MSSQL$DLOBIND", "with a service SID: ServiceName %s" % r["service"])
    r = plan("/roles:sql-server")[SQL_RULE]
    check(r["application"] is None and r["binding_evidence"].startswith("kept as it stands"),
          "without detection of the instance: no program named, the rule keeps what it has (%s)"
          % r["binding_evidence"])


def main():
    image = windows_path(LISTEN)
    for name in CREATED:
        stop_and_delete(name)
    try:
        test_no_listener()
        test_service_listening(image)
        test_another_service(image)
        test_user_listener_keeps_binding(image)
        test_sql_from_the_registry()
    finally:
        wine("reg", "delete", CONFIG_KEY, "/v", "BindToServices", "/f")
        for name in CREATED:
            stop_and_delete(name)
        reset_store()
    return finish()


if __name__ == "__main__":
    sys.exit(main())
