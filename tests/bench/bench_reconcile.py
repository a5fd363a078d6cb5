#!/usr/bin/env python3
"""Benchmark: /apply and /verify of the real dloagent.exe under Wine, against the firewall
double, with 0, 1,000, 5,000 and 20,000 foreign rules in the store. Prints wall time and the
double's call counters for each run; asserts nothing.

Usage (from the source tree, after `cmake --workflow --preset windows`):
    tests/bench/run.sh            # sets up the Wine session and the double, then runs this
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "wine"))
from winefw import counters, foreign_rules, plant, reset_counters, reset_store, wine  # noqa: E402

EXE = sys.argv[1]
SIZES = [int(s) for s in sys.argv[2:]] or [0, 1000, 5000, 20000]
TARGET = ("/roles:admin-server,admin-console,sql-server", "/mode:occasional")


def timed(*args):
    reset_counters()
    t = time.monotonic()
    rc, out, err = wine(EXE, *args)
    dt = time.monotonic() - t
    if rc not in (0, 1):
        raise SystemExit("%s failed (%d): %s" % (" ".join(args), rc, err))
    return dt, counters()


print("%-8s %-16s %9s %6s %9s %7s %5s %8s" % ("foreign", "run", "wall s", "enums", "reads", "writes", "adds", "removes"))
for n in SIZES:
    reset_store()
    if n:
        t = time.monotonic()
        plant(foreign_rules(n))
        planted = time.monotonic() - t
        print("# planted %d foreign rules in %.1f s (reg import)" % (n, planted))
    for label, args in (("apply (empty)", ("/apply",) + TARGET),
                        ("apply (again)", ("/apply",) + TARGET),
                        ("verify", ("/verify",) + TARGET)):
        dt, c = timed(*args)
        print("%-8d %-16s %9.2f %6d %9d %7d %5d %8d" % (
            n, label, dt, c.get("Enumerations", 0), c.get("RuleReads", 0), c.get("RuleWrites", 0),
            c.get("Adds", 0), c.get("Removes", 0)))
    sys.stdout.flush()
reset_store()
