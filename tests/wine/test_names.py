#!/usr/bin/env python3
"""Host names in scope values, resolved by the real dloagent.exe under Wine through the machine's
own resolver, with no traffic leaving the machine: the test runs itself again in a mount
namespace of its own (`unshare -m`, as root) where /etc/hosts is a file of the test's and
/etc/nsswitch.conf says `hosts: files`, so every name is answered from that file and no DNS
server is asked. Wine 8's getaddrinfo reads the Linux resolver, so a name the file gains or loses
is what the agent sees at its next resolution.

Checked against the firewall double: a name with one address and one with IPv4 and IPv6; a name
whose address changes between passes rewrites only the rules toward it; a name that never
resolved is exit 2 with the store unchanged; names that resolve to loopback addresses are refused;
a name that stops resolving keeps its last known addresses across a restart of the service loop
(/run), with its warning.

Usage: test_names.py PATH/TO/dloagent.exe   (in the Wine session, double active, as root)"""
import json
import os
import subprocess
import sys
import tempfile
import time

EXE = sys.argv[1]
HOSTS_BASE = """127.0.0.1 localhost
192.0.2.11 two.dlo.test
2001:db8::11 two.dlo.test
127.0.0.9 loop.dlo.test
::1 loop6.dlo.test
"""
ARGS = ("/roles:edge-server", "/mode:exclusive", "/adminconsoles:one.dlo.test",
        "/dedupeservers:two.dlo.test")
HTTP_IN = "Arctera DLO - Edge Server HTTP (TCP-In)"     # toward admin-console alone
AJP_OUT = "Arctera DLO - Dedupe Server AJP (TCP-Out)"   # toward dedupe-server alone
KEY = r"HKLM\SOFTWARE\Arctera\DLO\FirewallAgent"
NAMES_KEY = KEY + r"\Names"


def namespaced():
    """Runs this test again inside its own mount namespace; returns its exit code."""
    work = tempfile.mkdtemp(prefix="dlo-names-")
    hosts, nss = os.path.join(work, "hosts"), os.path.join(work, "nsswitch.conf")
    with open(hosts, "w") as f:
        f.write(HOSTS_BASE)
    with open(nss, "w") as f:
        f.write("hosts: files\n")
    script = ('mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/nsswitch.conf && '
              'exec "$3" "$4" "$5"')
    env = dict(os.environ, DLO_NAMES_HOSTS=hosts)
    p = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", hosts, nss, sys.executable,
                        os.path.abspath(__file__), EXE], env=env)
    if p.returncode == 126 or p.returncode == 127:
        print("FAIL: cannot make a mount namespace (unshare -m needs root): exit %d"
              % p.returncode)
        return 1
    return p.returncode


def set_hosts(extra):
    """Rewrites the hosts file in place: the bind mount shows the same file."""
    with open(os.environ["DLO_NAMES_HOSTS"], "w") as f:
        f.write(HOSTS_BASE + extra)


def by_name(plan):
    return {r["name"]: r for r in plan["rules"]}


def stored():
    """{rule name: rule string} of the agent's rules in the double's store."""
    return {parse(s)["Name"][0]: s for s in owned().values()}


def test_plan_and_apply():
    set_hosts("192.0.2.10 one.dlo.test\n")
    rc, out, err = wine(EXE, "/plan", "/json", *ARGS)
    check(rc == 0, "/plan with two names exits 0 (%s)" % err.strip()[:300])
    plan = json.loads(out)
    names = {n["name"]: n for n in plan.get("names", [])}
    check(names.get("one.dlo.test", {}).get("addresses") == ["192.0.2.10/255.255.255.255"],
          "one.dlo.test: one IPv4 address: %s" % names.get("one.dlo.test"))
    check(names.get("two.dlo.test", {}).get("addresses")
          == ["192.0.2.11/255.255.255.255", "2001:db8::11/128"],
          "two.dlo.test: IPv4 and IPv6: %s" % names.get("two.dlo.test"))
    rules = by_name(plan)
    check(rules[HTTP_IN]["remote_addresses"] == "192.0.2.10/255.255.255.255",
          "the rule toward the console holds its address")
    check(rules[AJP_OUT]["remote_addresses"] == "192.0.2.11/255.255.255.255,2001:db8::11/128",
          "the rule toward the Dedupe Server holds both addresses")
    reset_store()
    rc, out, err = wine(EXE, "/apply", *ARGS)
    check(rc == 0, "/apply exits 0 (%s)" % err.strip()[:300])
    # The double keeps a lone IPv4 address without its mask, as the rule store does (RA4=a.b.c.d).
    for r in plan["rules"]:
        r["remote_addresses"] = r["remote_addresses"].replace("/255.255.255.255", "")
    store_matches_plan(plan["rules"], "after /apply with names")


def test_address_changes():
    before = stored()
    set_hosts("192.0.2.20 one.dlo.test\n")
    rc, out, err = wine(EXE, "/apply", *ARGS)
    check(rc == 0, "/apply after one.dlo.test moved exits 0 (%s)" % err.strip()[:300])
    after = stored()
    changed = sorted(n for n in after if after[n] != before.get(n))
    toward_console = sorted(n for n, s in before.items() if "192.0.2.10" in s)
    check(changed == toward_console and HTTP_IN in changed,
          "only the rules toward one.dlo.test were rewritten: %s (expected %s)"
          % (changed, toward_console))
    check("RA4=192.0.2.20" in after[HTTP_IN], "the console's rule holds the new address")


def test_never_resolved_and_loopback():
    before = stored()
    for name, needle in (("never.dlo.test", "has never resolved"),
                         ("loop.dlo.test", "127.0.0.9, an IPv4 loopback address"),
                         ("loop6.dlo.test", "::1, the IPv6 loopback address")):
        rc, out, err = wine(EXE, "/apply", "/roles:edge-server", "/mode:exclusive",
                            "/adminconsoles:" + name)
        check(rc == 2 and needle in err and "AdminConsoles" in err,
              "%s: exit 2 naming AdminConsoles and '%s' (exit %d: %s)"
              % (name, needle, rc, err.strip()[:300]))
        check(stored() == before, "%s: the rules are as they were" % name)


def run_loop(log_path, until, timeout=60):
    """Starts /run, waits until `until` is in its output, stops it; returns the output."""
    with open(log_path, "w") as log:
        p = subprocess.Popen(["wine", EXE, "/run"] + list(ARGS), stdout=log,
                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.time() + timeout
    text = ""
    while time.time() < deadline:
        time.sleep(1)
        with open(log_path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        if until in text:
            break
    p.terminate()
    p.wait(timeout=30)
    return text


def test_service_restart_keeps_last_known():
    reg_write("add", KEY, "/v", "TestReconcileIntervalSeconds", "/t", "REG_DWORD", "/d", "1",
              "/f")
    reg("delete", NAMES_KEY, "/f")
    set_hosts("192.0.2.30 one.dlo.test\n")
    log = os.path.join(os.path.dirname(os.environ["DLO_NAMES_HOSTS"]), "run.log")
    text = run_loop(log, "firewall rules applied")
    names = reg_values(NAMES_KEY)
    check(names.get("one.dlo.test", ("", ""))[1] == "192.0.2.30/255.255.255.255",
          "the pass persisted one.dlo.test's addresses: %s (%s)" % (names, text[-300:]))
    set_hosts("")
    text = run_loop(log, "did not resolve")
    check("host name 'one.dlo.test' did not resolve" in text and "192.0.2.30" in text,
          "after a restart, the name that stopped resolving keeps 192.0.2.30, with its warning: %s"
          % text[-400:])
    check("RA4=192.0.2.30" in stored().get(HTTP_IN, ""),
          "the console's rule still holds the last known address")
    reg("delete", KEY, "/v", "TestReconcileIntervalSeconds", "/f")
    reg("delete", NAMES_KEY, "/f")


def main():
    test_plan_and_apply()
    test_address_changes()
    test_never_resolved_and_loopback()
    test_service_restart_keeps_last_known()
    reset_store()
    return finish()


if __name__ == "__main__":
    if "DLO_NAMES_HOSTS" not in os.environ:
        sys.exit(namespaced())
    from winefw import (check, finish, owned, parse, reg, reg_values, reg_write, reset_store,
                        store_matches_plan, wine)
    sys.exit(main())
