"""Helpers for tests that drive the real dloagent.exe under Wine against the firewall double:
running Windows programs, and reading and writing the rule store and the double's test key
with `wine reg`. Every check counts towards a closing "N passed, N failed" line."""
import os
import re
import subprocess
import sys
import tempfile
import time

RULES_KEY = r"HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\FirewallRules"
POLICY_KEY = r"HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy"
TEST_KEY = r"HKLM\SOFTWARE\dloagent-tests\FirewallDouble"
GROUPING = "Arctera DLO Firewall Agent"

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


def finish():
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


# Wine's own programs, started by their full path: `wine reg` starts a Wine process that looks
# the name up and starts reg.exe as a second one (about 50 ms more a call here); the path, one.
SYSTEM_PROGRAMS = ("reg", "sc", "msiexec", "regsvr32", "winepath")


def wine(*args):
    """Runs a Windows program; returns (exit code, stdout, stderr) with CRs removed."""
    program = args[0]
    if program in SYSTEM_PROGRAMS:
        program = "C:\\windows\\system32\\%s.exe" % program
    p = subprocess.run(["wine", program] + list(args[1:]), stdin=subprocess.DEVNULL,
                       capture_output=True)
    return (p.returncode, p.stdout.decode("utf-8", "replace").replace("\r", ""),
            p.stderr.decode("utf-8", "replace").replace("\r", ""))


# A read through Wine's reg.exe fails now and then on a loaded machine for reasons of Wine's own
# (the program does not start, or ends before it printed), which a check would read as "no key".
# A read is tried again when it failed without saying that the key is absent; each retry is
# printed, so a flaky prefix shows in the log.
READS = ("query", "export")
ABSENT = "Unable to find the specified registry key"


def reg(*args):
    tries = 3 if args and args[0].lower() in READS else 1
    for attempt in range(tries):
        rc, out, err = wine("reg", *args)
        if rc == 0 or ABSENT in err or attempt == tries - 1:
            return rc, out
        print("note: reg %s failed (%d: %s), read again" % (" ".join(args[:2]), rc, err.strip()[:200]),
              file=sys.stderr)
        time.sleep(0.2)
    return rc, out


def reg_values(key):
    """{name: (type, data)} of a key's values; {} when the key is absent."""
    rc, out = reg("query", key)
    values = {}
    if rc != 0:
        return values
    for line in out.splitlines():
        m = re.match(r"^    (\S.*?)    (REG_\w+)    ?(.*)$", line)
        if m and m.group(1) != "(Default)":
            values[m.group(1)] = (m.group(2), m.group(3))
    return values


def rules():
    """{rule ID: rule string} of the local store."""
    return {k: v[1] for k, v in reg_values(RULES_KEY).items()}


def parse(rule):
    """A rule string as {field: [values]}."""
    fields = {}
    for item in rule.split("|")[1:]:
        if "=" in item:
            k, v = item.split("=", 1)
            fields.setdefault(k, []).append(v)
    return fields


def owned(store=None):
    store = rules() if store is None else store
    return {k: v for k, v in store.items() if parse(v).get("EmbedCtxt") == [GROUPING]}


def foreign(store=None):
    store = rules() if store is None else store
    return {k: v for k, v in store.items() if parse(v).get("EmbedCtxt") != [GROUPING]}


def reg_import(lines):
    """Imports .reg lines (after the header) in one call: each wine call costs a process start."""
    fd, path = tempfile.mkstemp(suffix=".reg")
    with os.fdopen(fd, "w", encoding="utf-16") as f:
        f.write("\r\n".join(["Windows Registry Editor Version 5.00", ""] + lines) + "\r\n")
    try:
        # Under load, wine's reg import failed now and then (twice in a day of runs of
        # exe.reconcile on a busy machine here) and passed when run again: the import sets the
        # same values each time, so it is tried up to three times, and what it said is shown.
        for attempt in range(3):
            rc, out, err = wine("reg", "import", "Z:" + path)
            if rc == 0:
                break
            time.sleep(0.5)
        else:
            raise SystemExit("reg import failed (exit %d: %s): %s" % (rc, (out + err).strip()[:300], lines[:3]))
    finally:
        os.unlink(path)


def long_name(key):
    return key.replace("HKLM", "HKEY_LOCAL_MACHINE", 1)


def reset_store():
    """An empty rule store, Windows' default profile settings, and a clear test key."""
    lines = ["[-%s]" % long_name(RULES_KEY), "[%s]" % long_name(RULES_KEY), "[-%s]" % long_name(TEST_KEY)]
    for profile in ("DomainProfile", "StandardProfile", "PublicProfile"):
        lines.append("[-%s\\%s]" % (long_name(POLICY_KEY), profile))
    reg_import(lines)


def reg_write(*args):
    """A `wine reg add`/`delete` that must take: tried up to three times (wine's reg tools failed
    now and then on a busy machine here), then the test stops saying what reg answered. A write
    that silently did not happen made a later check fail for the wrong reason."""
    for attempt in range(3):
        rc, out, err = wine("reg", *args)
        if rc == 0:
            return
        time.sleep(0.5)
    raise SystemExit("reg %s failed (exit %d: %s)" % (" ".join(args[:2]), rc, (out + err).strip()[:300]))


def set_test_value(name, value):
    reg_write("add", TEST_KEY, "/v", name, "/t", "REG_DWORD", "/d", str(value), "/f")


def set_policy_value(profile, name, value):
    reg_write("add", POLICY_KEY + "\\" + profile, "/v", name, "/t", "REG_DWORD", "/d", str(value), "/f")


def counters():
    out = {}
    for k, (t, v) in reg_values(TEST_KEY).items():
        if t == "REG_DWORD":
            out[k] = int(v, 16)
    return out


def reset_counters():
    """Zero counters, no fault injection, default profile types and modify state."""
    reg("delete", TEST_KEY, "/f")


def plant(rules_by_id):
    """Writes rule strings into the store in one .reg import."""
    lines = ["[%s]" % long_name(RULES_KEY)]
    for rid, s in rules_by_id.items():
        lines.append('"%s"="%s"' % (rid, s.replace("\\", "\\\\").replace('"', '\\"')))
    reg_import(lines)


def foreign_rules(n, names=()):
    """n foreign rules: some Allow, some Block on unrelated ports, some with fields the double
    does not model, and some carrying the agent's own rule names under another grouping."""
    out = {}
    names = list(names)
    for i in range(n):
        rid = "{F0000000-0000-4000-8000-%012d}" % i
        if names and i % 50 == 0:
            name = names[(i // 50) % len(names)]
        else:
            name = "Foreign rule %d" % i
        proto = 6 if i % 3 else 17
        action = "Block" if i % 7 == 0 else "Allow"
        s = "v2.30|Action=%s|Active=TRUE|Dir=In|Protocol=%d|LPort=%d|Name=%s|" % (
            action, proto, 20000 + i % 20000, name)
        if i % 2:
            s += "EmbedCtxt=Other Vendor|"
        if i % 5 == 0:
            s += "Desc=planted by the test|Edge=FALSE|Future=kept as is|"
        out[rid] = s
    return out


def port_items(values):
    items = []
    for v in values:
        items += [p for p in v.split(",") if p]
    return sorted(items)


PROFILE_BITS = {"domain": "Domain", "private": "Private", "public": "Public"}

# How Windows stores the address keywords that are not in RA4/RA6 as themselves.
ADDRESS_KEYWORDS = {"IntrAnet": "Intranet", "RmtIntrAnet": "RmtIntranet", "IntErnet": "Internet",
                    "Ply2Renders": "Ply2Renders"}


def stored_addresses(fields):
    """The RemoteAddresses of a parsed rule string, as a sorted list without repeats ("*": none)."""
    found = []
    for k in ("RA4", "RA6"):
        found += fields.get(k, [])
    for k in ("RA42", "RA62"):
        found += [ADDRESS_KEYWORDS.get(v, v) for v in fields.get(k, [])]
    return sorted(set(found)) or ["*"]


def store_matches_plan(planned, what):
    """Every planned rule is in the store exactly once, owned, with the planned properties, and
    the store has no other owned rule."""
    mine = owned()
    ok = check(len(mine) == len(planned), "%s: %d owned rules stored, %d planned" % (what, len(mine), len(planned)))
    by_name = {}
    for rid, s in mine.items():
        by_name.setdefault(parse(s)["Name"][0], []).append(parse(s))
    for r in planned:
        got = by_name.get(r["name"], [])
        if not check(len(got) == 1, "%s: '%s' stored once" % (what, r["name"])):
            ok = False
            continue
        f = got[0]
        want_profiles = sorted(PROFILE_BITS[p] for p in r["profiles"])
        have_profiles = sorted(f.get("Profile", [])) or sorted(PROFILE_BITS.values())
        props = [
            ("direction", f.get("Dir") == [r["direction"].capitalize()]),
            ("protocol", f.get("Protocol") == [{"tcp": "6", "udp": "17"}[r["protocol"]]]),
            # Windows keeps single ports in LPort and ranges in LPort2_10 (likewise RPort).
            ("local ports", port_items(f.get("LPort", []) + f.get("LPort2_10", [])) == port_items([r["local_ports"]])),
            ("remote ports", port_items(f.get("RPort", []) + f.get("RPort2_10", [])) == port_items([r["remote_ports"]])),
            ("profiles", have_profiles == want_profiles),
            ("action", f.get("Action") == ["Allow"]),
            ("enabled", f.get("Active") == ["TRUE"]),
            ("description", f.get("Desc") == [r["description"]]),
            ("remote addresses", stored_addresses(f) == sorted(set(r["remote_addresses"].split(",")))),
        ]
        for prop, good in props:
            ok &= check(good, "%s: '%s' has the planned %s (%s)" % (what, r["name"], prop, "|".join(
                "%s=%s" % (k, ",".join(v)) for k, v in sorted(f.items()) if k != "Desc")))
    return ok


def trace_path(name):
    """Where the service writes its trace file TraceFile=name, in this Wine prefix."""
    return os.path.join(os.environ["WINEPREFIX"], "drive_c", "ProgramData", "Arctera",
                        "DLO Firewall Agent", "Trace", name)


def trace_lines(path):
    """The trace file's lines; none before the service first wrote it."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []
