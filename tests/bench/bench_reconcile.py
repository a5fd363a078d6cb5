#!/usr/bin/env python3
"""Benchmark: /apply and /verify of the real dloagent.exe under Wine, against the firewall
double, with 0, 1,000, 5,000 and 20,000 foreign rules in the store. Prints wall time and the
double's call counters for each run; asserts nothing.

Beside /verify (which reads both rule stores and judges the effective policy, every foreign rule
through the matching model) it prints a bare enumeration of the same store in the same run, the
two run in turns five times and the best of each kept: a process that does nothing but enumerate
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
ARGS = sys.argv[2:]
# --real DIR: a last run with 20,000 foreign rules plus both real stores of DIR
# (../shared/real-world/firewall-rules) in the local store, judged by the full matching model.
REAL = ARGS[ARGS.index("--real") + 1] if "--real" in ARGS else None
if REAL:
    del ARGS[ARGS.index("--real"):ARGS.index("--real") + 2]
SIZES = [int(s) for s in ARGS] or [0, 1000, 5000, 20000]
TARGET = ("/roles:admin-server,admin-console,sql-server", "/mode:occasional")
ROUNDS = 5


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


def real_rules():
    """Both real stores' rule strings by a value name of their own."""
    out = {}
    for name in ("windows-fields.txt", "others.txt"):
        with open(os.path.join(REAL, name), encoding="utf-8") as fh:
            for i, line in enumerate(l.rstrip("\r\n") for l in fh if l.strip()):
                out["{RW-%s-%05d}" % (name[0], i)] = line
    return out


def plant_store(n, label):
    reset_store()
    if n:
        t = time.monotonic()
        plant(foreign_rules(n))
        if label:
            plant(real_rules())
        planted = time.monotonic() - t
        print("# planted %d foreign rules%s in %.1f s (reg import)" % (
            n, " and both real stores" if label else "", planted))
    plant_gp(max(1, n // 20) if n else 0)


print("%-8s %-16s %9s %6s %9s %7s %5s %8s" % ("foreign", "run", "wall s", "enums", "reads", "writes", "adds", "removes"))
runs = [(n, "") for n in SIZES]
if REAL:
    if not os.path.isfile(os.path.join(REAL, "others.txt")):
        raise SystemExit("the real rule stores are not in %s" % REAL)
    runs.append((20000, "+real"))
for n, label in runs:
    plant_store(n, label)
    tag = label
    for label, args in (("apply (empty)", ("/apply",) + TARGET),
                        ("apply (again)", ("/apply",) + TARGET)):
        dt, c = timed(*args)
        print("%-8s %-16s %9.2f %6d %9d %7d %5d %8d" % (
            "%d%s" % (n, tag), label, dt, c.get("Enumerations", 0), c.get("RuleReads", 0), c.get("RuleWrites", 0),
            c.get("Adds", 0), c.get("Removes", 0)))
    # On a shared machine one run of each says more about the load than about the agent: the
    # two are run in turns, ROUNDS times, and the best of each compared.
    verify, bare = [], []
    for _ in range(ROUNDS):
        dt, c = timed("/verify", *TARGET)
        verify.append(dt)
        bare.append(bare_enumeration())
    print("%-8s %-16s %9.2f %6d %9d %7d %5d %8d" % (
        "%d%s" % (n, tag), "verify (best)", min(verify), c.get("Enumerations", 0),
        c.get("RuleReads", 0), c.get("RuleWrites", 0), c.get("Adds", 0), c.get("Removes", 0)))
    print("%-8s %-16s %9.2f   /verify / bare enumeration = %.2f (best of %d each; target 1.5 or less)" % (
        "%d%s" % (n, tag), "bare enumeration", min(bare), min(verify) / min(bare), ROUNDS))
    sys.stdout.flush()
plant_gp(0)
reset_store()
