#!/usr/bin/env python3
"""/detect's candidates on a real (Wine) service manager and registry: a planted service and a
planted Uninstall entry whose names mention DLO but match no entry of the table are listed,
each with a table line; a table with those lines detects them, and they are candidates no more.
Everything planted is removed again.

Usage: test_detect_candidates.py PATH/TO/dloagent.exe   (in the Wine session)"""
import json
import os
import sys
import tempfile
import time

from winefw import check, finish, wine

EXE = sys.argv[1]
SERVICE = "ArcteraDLOTestCand"
SERVICE_DISPLAY = "Arctera DLO Test Candidate"
UNINSTALL = r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall\{DLO-TEST-CANDIDATE}"
UNINSTALL_NAME = "Veritas Desktop and Laptop Option Maintenance Kit"


def plant():
    for _ in range(20):  # a service deleted a moment ago may still be marked for deletion
        rc = wine("sc", "create", SERVICE, "binPath=", r"C:\windows\system32\notepad.exe",
                  "start=", "demand", "DisplayName=", SERVICE_DISPLAY)[0]
        if rc == 0:
            break
        time.sleep(0.5)
    check(rc == 0, "setup: service %s created" % SERVICE)
    rc = wine("reg", "add", UNINSTALL, "/v", "DisplayName", "/t", "REG_SZ", "/d", UNINSTALL_NAME,
              "/f", "/reg:64")[0]
    check(rc == 0, "setup: Uninstall entry planted")


def remove():
    wine("sc", "delete", SERVICE)
    wine("reg", "delete", UNINSTALL, "/f", "/reg:64")


def detect(*args):
    rc, out, err = wine(EXE, "/detect", "/json", *args)
    try:
        return rc, json.loads(out)
    except ValueError:
        return rc, {"candidates": [], "detected": [], "error": err + out}


def main():
    plant()
    try:
        rc, out, err = wine(EXE, "/detect")
        check(rc == 0 and "Candidates (their names mention DLO" in out, "/detect lists candidates")
        check("  service %s (%s)\n      table line: ROLE unconfirmed service \"%s\"\n"
              % (SERVICE, SERVICE_DISPLAY, SERVICE) in out, "the service with its table line")
        check("DisplayName %s\n      table line: maintenance-server unconfirmed uninstall \"%s\"\n"
              % (UNINSTALL_NAME, UNINSTALL_NAME) in out,
              "the Uninstall entry with its table line, the role guessed from its name")

        rc, doc = detect()
        by_name = {c["name"]: c for c in doc["candidates"]}
        svc, unin = by_name.get(SERVICE), by_name.get(UNINSTALL)
        check(svc and svc["kind"] == "service" and svc["display_name"] == SERVICE_DISPLAY
              and svc["view"] is None, "/detect /json: the service candidate %s" % svc)
        check(unin and unin["kind"] == "uninstall" and unin["view"] == "64-bit view"
              and unin["display_name"] == UNINSTALL_NAME, "/detect /json: the Uninstall one %s" % unin)
        if not (svc and unin):
            return

        # The lines as proposed (the service's role filled in) make a table that detects both.
        with tempfile.NamedTemporaryFile("w", suffix=".detect", delete=False) as f:
            f.write("dlo-detect 1\n%s\n%s\n" % (svc["line"].replace("ROLE", "io-server"),
                                               unin["line"]))
        try:
            rc, doc = detect("/detection:Z:" + f.name.replace("/", "\\"))
        finally:
            os.unlink(f.name)
        check(rc == 0 and "io-server" in doc["detected"] and "maintenance-server" in doc["detected"],
              "a table with the proposed lines detects them (%s)" % doc.get("detected"))
        names = [c["name"] for c in doc["candidates"]]
        check(SERVICE not in names and UNINSTALL not in names, "and they are candidates no more")
    finally:
        remove()
    rc, doc = detect()
    check(all(c["name"] not in (SERVICE, UNINSTALL) for c in doc["candidates"]),
          "removed again, they are gone from the candidates")
    return finish()


if __name__ == "__main__":
    sys.exit(main() or 0)
