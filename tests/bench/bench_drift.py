#!/usr/bin/env python3
"""Benchmark of the service's watches (README "The service"): under Wine, against the firewall
double, a client in Occasional BOI. Prints; asserts nothing.

- latency: from just before a foreign change is started (`wine reg`, whose own process start is
  in the figure) to the event that repairs or reports it, as the service's trace stamps it:
  a deleted owned rule (event 1101), a changed port (1101), a Group Policy Block rule (1402);
  p50, p95 and the worst over CHANGES_PER_KIND changes of each kind;
- passes per change: those that wrote (1100, 1101) and those that only read (1102), counted in
  the trace once the service is quiet again;
- a burst: 500 foreign rules written into the local store by one process (a .reg import), then
  500 into Group Policy's store: the passes each causes;
- idle: the service process's CPU time (user + system, /proc) over IDLE_SECONDS with nothing
  changing, and the passes in that time; the wake-ups that found nothing new, from the stop event.

Usage: tests/bench/drift.sh [CHANGES_PER_KIND [IDLE_SECONDS]]
"""
import datetime
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "wine"))
from winefw import (RULES_KEY, foreign_rules, long_name, owned, parse, reg, reg_import,  # noqa: E402
                    reset_counters, reset_store, rules, trace_lines, trace_path, wine)

EXE = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 20
IDLE = int(sys.argv[3]) if len(sys.argv) > 3 else 120
KEY = r"HKLM\SOFTWARE\Arctera\DLO\FirewallAgent"
GP_KEY = r"HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall"
TRACE_NAME = "bench-drift.log"
TRACE = trace_path(TRACE_NAME)
EDGE = "Arctera DLO - Edge Server HTTPS (TCP-Out)"


def trace():
    return trace_lines(TRACE)


def stamp(line):
    t = datetime.datetime.strptime(line.split(" ", 1)[0], "%Y-%m-%dT%H:%M:%S.%fZ")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()


def passes(lines):
    p = [l for l in lines if " pass (" in l]
    w = [l for l in p if re.search(r" (1100|1101) ", l)]
    return len(w), len(p) - len(w)


def quiet(seconds=3.0):
    """Until the trace has not grown for `seconds`: longer than the 2 s the configuration keys
    coalesce in (the State key's swap wakes their watch), so every pass a change causes is in."""
    n = len(trace())
    while True:
        time.sleep(seconds)
        m = len(trace())
        if m == n:
            return m
        n = m


def wait_event(after, ids, limit=30):
    end = time.time() + limit
    while time.time() < end:
        for l in trace()[after:]:
            if l.split(" ", 2)[1] in ids:
                return l
        time.sleep(0.02)
    return None


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def owned_id(name):
    return {parse(r)["Name"][0]: rid for rid, r in owned().items()}[name]


def change_delete():
    reg("delete", RULES_KEY, "/v", owned_id(EDGE), "/f")


def change_port():
    rid = owned_id(EDGE)
    reg("add", RULES_KEY, "/v", rid, "/t", "REG_SZ", "/d",
        rules()[rid].replace("|RPort=443|", "|RPort=4443|"), "/f")


def change_gpo_block():
    reg("add", GP_KEY + r"\FirewallRules", "/v", "{B0000000-0000-4000-8000-00000000B10C}", "/t",
        "REG_SZ", "/d", "v2.30|Action=Block|Active=TRUE|Dir=Out|Protocol=6|RPort=443|Name=Block web|", "/f")


def undo_gpo_block():
    reg_import(["[-%s]" % long_name(GP_KEY)])
    quiet()


def measure(name, change, ids, undo=None):
    lat, writing, reading, reg_ms = [], [], [], []
    for _ in range(N):
        n = quiet()
        before = passes(trace())
        t0 = time.time()
        change()
        reg_ms.append((time.time() - t0) * 1000)
        line = wait_event(n, ids)
        if line:
            lat.append((stamp(line) - t0) * 1000)
        settled = quiet()
        after = passes(trace()[:settled])
        writing.append(after[0] - before[0])
        reading.append(after[1] - before[1])
        if undo:
            undo()
    print("| %s | %d | %.0f | %.0f | %.0f | %.0f | %d-%d | %d-%d |" % (
        name, len(lat), pct(lat, 50), pct(lat, 95), max(lat), sum(reg_ms) / len(reg_ms),
        min(writing), max(writing), min(reading), max(reading)))


def burst(name, key):
    n = quiet()
    rules_by_id = foreign_rules(500)
    lines = ["[%s]" % long_name(key)]
    for rid, s in rules_by_id.items():
        lines.append('"%s"="%s"' % (rid, s))
    before = passes(trace())
    reg_import(lines)
    settled = quiet()
    after = passes(trace()[:settled])
    print("| %s | %d | %d |" % (name, after[0] - before[0], after[1] - before[1]))
    return n


def service_pid():
    """The service's process in this prefix (other prefixes on the machine may run one too)."""
    out = subprocess.run(["pgrep", "-f", r"dloagent\.exe.*/service"], capture_output=True, text=True).stdout
    mine = ("WINEPREFIX=%s" % os.environ["WINEPREFIX"]).encode()
    for pid in (int(p) for p in out.split()):
        try:
            with open("/proc/%d/environ" % pid, "rb") as f:
                if mine in f.read().split(b"\0"):
                    return pid
        except OSError:
            pass
    return None


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    # A service left by an interrupted run starts with the prefix, before its trace is named.
    wine(EXE, "/uninstall")
    reg("delete", KEY, "/f")
    reg_import(["[-%s]" % long_name(GP_KEY)])
    reset_store()
    reset_counters()
    if os.path.exists(TRACE):
        os.unlink(TRACE)
    for name, value in (("TraceFile", TRACE_NAME), ("BOIMode", "occasional"), ("AddRoles", "client")):
        reg("add", KEY, "/v", name, "/t", "REG_SZ", "/d", value, "/f")
    wine(EXE, "/install")
    wine("sc", "start", "dloagent")
    try:
        if not wait_event(0, {"1100"}):
            raise SystemExit("the service made no start pass: %s" % trace()[-5:])
        quiet(3)
        print("## latency, %d changes of each kind (ms, from before `wine reg` starts)" % N)
        print("| change | seen | p50 | p95 | worst | `wine reg` itself | passes that wrote | passes that only read |")
        print("|---|---|---|---|---|---|---|---|")
        measure("deleted owned rule", change_delete, {"1101"})
        measure("changed port", change_port, {"1101"})
        measure("Group Policy Block rule", change_gpo_block, {"1402"}, undo_gpo_block)
        print("\n## bursts of 500 foreign writes by one process")
        print("| burst | passes that wrote | passes that only read |")
        print("|---|---|---|")
        burst("500 rules into the local store", RULES_KEY)
        burst("500 rules into Group Policy's store", GP_KEY + r"\FirewallRules")
        undo_gpo_block()
        pid = service_pid()
        n = quiet(3)
        before = passes(trace())
        c0 = cpu_seconds(pid) if pid else 0
        time.sleep(IDLE)
        c1 = cpu_seconds(pid) if pid else 0
        after = passes(trace())
        print("\n## idle %d s: service CPU %.2f s, passes %d" % (IDLE, c1 - c0,
                                                             sum(after) - sum(before)))
    finally:
        wine("sc", "stop", "dloagent")
        time.sleep(2)
        stop = [l for l in trace() if " 1001 " in l]
        print("\nstop event: %s" % (stop[-1].split(" ", 3)[3] if stop else "(none)"))
        wine(EXE, "/uninstall")
        reg("delete", KEY, "/f")
        reset_store()


if __name__ == "__main__":
    main()
