#!/usr/bin/env python3
"""Benchmark: /apply and /verify of the real dloagent.exe under Wine, against the firewall
double, with 0, 1,000, 5,000 and 20,000 foreign rules in the store. Prints wall time and the
double's call counters for each run; asserts nothing.

Beside each /verify (which reads both rule stores and judges the effective policy) it prints a
bare enumeration of the same store in the same run: a process that does nothing but enumerate
the rules through COM (the process start of `dloagent.exe /version`, plus the policy creation
and the _NewEnum walk bench_fwdouble.exe measures), and the ratio of the two. With a foreign
store, 5% of it again (at least one rule) is planted in the Group Policy store, which COM does
not enumerate and /verify reads too.

Usage (from the source tree, after `cmake --workflow --preset windows`):
    tests/bench/run.sh            # sets up the Wine session and the double, then runs this
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "wine"))
import re  # noqa: E402

from winefw import (counters, foreign_rules, long_name, plant, reg_import, reset_counters,  # noqa: E402
                    reset_store, wine)

GP_KEY = r"HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall"

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


BENCH = os.path.join(os.path.dirname(os.path.abspath(EXE)), "tests", "fwdouble", "bench_fwdouble.exe")


def plant_gp(n):
    lines = ["[-%s]" % long_name(GP_KEY)] + (["[%s\\FirewallRules]" % long_name(GP_KEY)] if n else [])
    for i, s in enumerate(foreign_rules(n).values()):
        lines.append('"{GP%06d}"="%s"' % (i, s.replace("\\", "\\\\").replace('"', '\\"')))
    reg_import(lines)


def bare_enumeration():
    """Seconds for a process that only enumerates the rules through COM."""
    t = time.monotonic()
    wine(EXE, "/version")
    start = time.monotonic() - t
    rc, out, err = wine(BENCH)
    if rc != 0:
        raise SystemExit("bench_fwdouble.exe failed: %s" % err)
    create = float(re.search(r"create policy \+ get_Rules: ([\d.]+) ms", out).group(1))
    walk = float(re.search(r"enumeration in all: ([\d.]+) ms", out).group(1))
    return start + (create + walk) / 1000.0


print("%-8s %-16s %9s %6s %9s %7s %5s %8s" % ("foreign", "run", "wall s", "enums", "reads", "writes", "adds", "removes"))
for n in SIZES:
    reset_store()
    if n:
        t = time.monotonic()
        plant(foreign_rules(n))
        planted = time.monotonic() - t
        print("# planted %d foreign rules in %.1f s (reg import)" % (n, planted))
    plant_gp(max(1, n // 20) if n else 0)
    for label, args in (("apply (empty)", ("/apply",) + TARGET),
                        ("apply (again)", ("/apply",) + TARGET),
                        ("verify", ("/verify",) + TARGET)):
        dt, c = timed(*args)
        print("%-8d %-16s %9.2f %6d %9d %7d %5d %8d" % (
            n, label, dt, c.get("Enumerations", 0), c.get("RuleReads", 0), c.get("RuleWrites", 0),
            c.get("Adds", 0), c.get("Removes", 0)))
    bare = bare_enumeration()
    print("%-8d %-16s %9.2f   /verify / bare enumeration = %.2f (target 1.5 or less)" % (
        n, "bare enumeration", bare, dt / bare))
    sys.stdout.flush()
plant_gp(0)
reset_store()
