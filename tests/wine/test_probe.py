#!/usr/bin/env python3
"""The real dloagent.exe /probe under Wine against listeners this test starts on 127.0.0.1: a
Linux process (a Python socket) and a Windows process (probe_listen.exe). /probe must report
them open from outside and listening from inside, a free port refused, and never try anything
but 127.0.0.1. `filtered`, name resolution and the time limit are the host tests' (fakes): no
packet of this test leaves the loopback interface.

What Wine 8 shows in GetExtendedTcpTable: both listeners, with owning PID 0 (it does not map
the socket to a process, neither for its own processes nor for Linux ones), so the image and
service are unknown; the test checks the PID and image only if a Wine version reports them.

Usage: test_probe.py PATH/TO/dloagent.exe PATH/TO/probe_listen.exe   (in the Wine session)"""
import json
import random
import socket
import subprocess
import sys

from winefw import check, finish, wine

EXE, LISTEN = sys.argv[1], sys.argv[2]


def free_port(taken):
    """A port in the planned range 49152-65535 nothing listens on now."""
    while True:
        port = random.randint(50000, 60999)
        if port in taken:
            continue
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()


def probe_json(*args):
    rc, out, err = wine(EXE, "/probe", "/json", *args)
    try:
        return rc, json.loads(out), err
    except ValueError:
        return rc, None, err + out


def all_loopback(doc):
    return all(e["address"] is None or e["address"].startswith("127.") for e in doc["outbound"])


def main():
    linux_port = free_port(())
    win_port = free_port((linux_port,))
    closed_port = free_port((linux_port, win_port))

    py = socket.socket()
    py.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    py.bind(("127.0.0.1", linux_port))
    py.listen(8)
    listener = subprocess.Popen(["wine", LISTEN, str(win_port), "120"], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        win_pid = int(listener.stdout.readline().strip() or 0)
        check(win_pid > 0, "probe_listen.exe listens on 127.0.0.1:%d (PID %d)" % (win_port, win_pid))
        outbound(linux_port, win_port, closed_port)
        inbound(linux_port, win_port, closed_port, win_pid)
        named_peer(win_port)
    finally:
        listener.kill()
        listener.wait()
        py.close()

    rc, doc, err = probe_json("/roles:client", "/mode:exclusive", "/edgeservers:127.0.0.0/8")
    entry = doc and doc["outbound"][0]
    check(rc == 0 and doc["attempts"] == 0 and entry["state"] == "not-probeable"
          and entry["reason"] == "a subnet, not one address",
          "a subnet scope is reported as not probeable and not tried (%d, %s)" % (rc, err))
    return finish()


def outbound(linux_port, win_port, closed_port):
    # The admin console's Push Installation rule toward clients: 135,1037,441,1125,49152-65535.
    ports = "/ports:%d,%d,%d" % (linux_port, win_port, closed_port)
    rc, doc, err = probe_json("/roles:admin-console", "/mode:nonboi", "/clientnetworks:127.0.0.1",
                              ports, "/timeout:1000")
    if not check(doc is not None, "/probe /json prints a document (%s)" % err):
        return
    by_port = {e.get("port"): e for e in doc["outbound"] if e["address"]}
    check(all_loopback(doc), "every address tried is 127.0.0.1")
    check(doc["attempts"] == 8, "one attempt per port: 4 single ports, the range's first, and "
          "3 named (%d)" % doc["attempts"])
    check(by_port.get(linux_port, {}).get("state") == "open",
          "a Linux listener on %d is open: %s" % (linux_port, by_port.get(linux_port)))
    check(by_port.get(win_port, {}).get("state") == "open",
          "a Windows listener on %d is open: %s" % (win_port, by_port.get(win_port)))
    check(by_port.get(closed_port, {}).get("state") == "refused",
          "a free port %d is refused: %s" % (closed_port, by_port.get(closed_port)))
    check(rc == 1, "a refused path exits 1 (%d)" % rc)
    udp = [e for e in doc["outbound"] if e["protocol"] == "udp"]
    check(udp and all(e["state"] == "not-probeable" for e in udp), "UDP is not probeable")
    rc, out, err = wine(EXE, "/probe", "/roles:admin-console", "/mode:nonboi",
                        "/clientnetworks:127.0.0.1", ports, "/timeout:1000")
    check("127.0.0.1:%d" % win_port in out and "open" in out and "refused" in out,
          "the text report shows the targets and outcomes")


def inbound(linux_port, win_port, closed_port, win_pid):
    # A client's Push Installation rule listens on 49152-65535, among others.
    rc, doc, err = probe_json("/roles:client", "/mode:nonboi")
    if not check(doc is not None, "/probe /json on a client (%s)" % err):
        return
    ranges = [e for e in doc["inbound"] if e.get("port") == 49152 and e.get("port_last") == 65535]
    if not check(len(ranges) == 1, "the range is one entry"):
        return
    seen = {l["port"]: l for l in ranges[0]["listeners"]}
    check(ranges[0]["state"] == "listening", "the range is listening")
    check(linux_port in seen, "the Linux process's listener is in the table")
    check(win_port in seen, "the Windows process's listener is in the table")
    check(closed_port not in seen, "the free port is not")
    print("note: Wine reports the Linux listener with PID %s, the Windows one (PID %d) with PID %s"
          % (seen.get(linux_port, {}).get("pid"), win_pid, seen.get(win_port, {}).get("pid")))
    pid = seen.get(win_port, {}).get("pid")
    if pid:
        check(pid == win_pid and (seen[win_port]["image"] or "").lower().endswith(
            "probe_listen.exe"), "the Windows listener's PID and image: %s" % seen[win_port])
    single = [e for e in doc["inbound"] if e.get("port") == 1037]
    check(single and single[0]["state"] == "not-listening", "1037 has no listener")


def named_peer(win_port):
    rc, doc, err = probe_json("/roles:admin-console", "/mode:nonboi", "/to:127.0.0.1",
                              "/role:client", "/ports:%d" % win_port, "/timeout:1000")
    if not check(doc is not None, "/probe /to (%s)" % err):
        return
    check(doc["inbound"] == [] and all_loopback(doc), "/to probes only the peer named")
    tried = {e["port"]: e["state"] for e in doc["outbound"] if e["address"]}
    check(tried.get(win_port) == "open" and all(e["target"] == "127.0.0.1" for e in doc["outbound"]
                                                if e["address"]),
          "/to:127.0.0.1 /role:client reaches the listener: %s" % tried)


if __name__ == "__main__":
    sys.exit(main())
