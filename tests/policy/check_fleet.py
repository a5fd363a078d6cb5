#!/usr/bin/env python3
"""Checks the fleet collection files against the agent, without Windows or a network.

Usage: check_fleet.py SOURCE_DIR CONFIG_ITEMS

The State key is the installer key (as CONFIG_ITEMS prints it, from the core) plus "\\State";
its values and their types are those of the State table of docs/fleet.md ("The State key").
Checks:
 - policies/sccm/dloagent.mof (what clients collect) and dloagent-import.mof (what is reported)
   parse as MOF statements: comments and strings closed, braces, brackets and parentheses
   balanced; each declares class DLO_FirewallAgent in its namespace with the key KeyName and
   exactly the State values, uint32 for REG_DWORD and string for REG_SZ; the collecting one reads
   each value from the State key under its own name through RegPropProv, the reporting one
   reports each;
 - policies/wef/dloagent-subscription.xml is a well-formed subscription whose query, itself a
   well-formed QueryList, selects from the Application log the source dloagent with exactly the
   event IDs of agent/win/dloagent.mc, each once;
 - policies/compliance/intune-detect.ps1, configmgr-discover.ps1 and remediate.ps1 name the State
   key and read only its values; both detection scripts fall back to `dloagent.exe /verify
   /json` and are what render.py makes of detect.ps1.in; the Configuration Manager one never
   exits with anything but 0 (any other exit is a failed discovery there) and the Intune one
   exits 1 when not compliant (what starts Intune's remediation).
Prints one line per check and a closing "N passed, N failed" line.
"""
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "wine"))
from winefw import check, finish  # noqa: E402 (the shared check counter)

MOF_TYPES = {"REG_DWORD": "uint32", "REG_SZ": "string"}
WEF_NS = "{http://schemas.microsoft.com/2006/03/windows/events/subscription}"


def state_values(fleet):
    """{name: registry type} from the State table of docs/fleet.md (section "The State key")."""
    head = "\n## The State key\n"
    text = fleet.split(head, 1)[-1].split("\n## ", 1)[0] if head in fleet else ""
    return dict(re.findall(r"^\| `(\w+)` \| `(REG_\w+)` \|", text, re.M))


def mof_tokens(text, what):
    """The MOF text without comments, with each string literal replaced by "S<index>", and the
    strings (unescaped); None (after a FAIL) if a comment or a string is not closed."""
    out, strings, i = [], [], 0
    while i < len(text):
        if text.startswith("//", i):
            i = text.find("\n", i)
            i = len(text) if i < 0 else i
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if not check(end >= 0, "%s: every /* comment is closed" % what):
                return None, None
            i = end + 2
        elif text[i] == '"':
            m = re.compile(r'"((?:[^"\\\n]|\\.)*)"').match(text, i)
            if m is None:
                check(False, "%s: the string at line %d is closed on its line" % (what, text.count("\n", 0, i) + 1))
                return None, None
            strings.append(re.sub(r"\\(.)", r"\1", m.group(1)))
            out.append(' "S%d" ' % (len(strings) - 1))
            i = m.end()
        else:
            out.append(text[i])
            i += 1
    return "".join(out), strings


def balanced(code):
    stack = []
    for ch in code:
        if ch in "{[(":
            stack.append("}])"["{[(".index(ch)])
        elif ch in "}])":
            if not stack or stack.pop() != ch:
                return False
    return not stack


def mof_body(code, head):
    """The text between the braces of the first statement starting with the regex head."""
    m = re.search(head + r"\s*\{", code)
    if not m:
        return None
    depth, i = 1, m.end()
    while depth and i < len(code):
        depth += {"{": 1, "}": -1}.get(code[i], 0)
        i += 1
    return code[m.end():i - 1]


def mof_properties(body):
    """[(qualifiers, type or None, name)] of a class or instance body."""
    props = []
    for decl in body.split(";"):
        decl = decl.strip()
        if not decl:
            continue
        quals = ""
        if decl.startswith("["):
            depth, j = 0, 0
            for j, ch in enumerate(decl):
                depth += {"[": 1, "]": -1}.get(ch, 0)
                if depth == 0:
                    break
            quals, decl = decl[1:j], decl[j + 1:].strip()
        words = decl.split("=")[0].split()
        props.append((quals, words[0] if len(words) > 1 else None, words[-1] if words else ""))
    return props


def check_mof(path, namespace, values, collect_key=None):
    what = os.path.relpath(path, os.path.dirname(os.path.dirname(os.path.dirname(path))))
    with open(path, encoding="utf-8") as f:
        code, strings = mof_tokens(f.read(), what)
    if code is None:
        return
    check(True, "%s: every comment and string is closed" % what)
    if not check(balanced(code), "%s: braces, brackets and parentheses are balanced" % what):
        return
    ns = re.search(r'#pragma\s+namespace\s*\(\s*"S(\d+)"\s*\)', code)
    check(ns is not None and strings[int(ns.group(1))] == namespace,
          "%s: #pragma namespace is %s" % (what, namespace))
    body = mof_body(code, r"\bclass\s+DLO_FirewallAgent\b[^{;]*")
    if not check(body is not None, "%s: declares class DLO_FirewallAgent" % what):
        return
    props = mof_properties(body)
    declared = {name: typ for _, typ, name in props}
    want = dict({"KeyName": "string"}, **{n: MOF_TYPES.get(t, t) for n, t in values.items()})
    check(declared == want, "%s: the class has KeyName and exactly the State values, typed as the "
          "registry holds them (%s)" % (what, sorted(map(str, set(declared.items()) ^ set(want.items()))) or "ok"))
    check(any(name == "KeyName" and re.search(r"\bkey\b", q) for q, _, name in props),
          "%s: KeyName is the key" % what)
    if collect_key is None:
        unreported = [name for q, _, name in props if "SMS_Report" not in q]
        check(not unreported and re.search(r"\bclass\s+DLO_FirewallAgent\s*:\s*SMS_Class_Template", code),
              "%s: an SMS_Class_Template that reports every property (not: %s)" % (what, unreported))
        return
    inst = mof_body(code, r"\binstance\s+of\s+DLO_FirewallAgent")
    if not check(inst is not None, "%s: has the instance of DLO_FirewallAgent" % what):
        return
    read = {}
    for quals, _, name in mof_properties(inst):
        ctx = re.search(r'PropertyContext\s*\(\s*"S(\d+)"\s*\)', quals)
        provider = re.search(r'Provider\s*\(\s*"S(\d+)"\s*\)', quals)
        if (ctx and provider and strings[int(provider.group(1))] == "RegPropProv"
                and re.search(r"\bDynamic\b", quals)):
            read[name] = strings[int(ctx.group(1))]
    wrong = {n: read.get(n) for n in values if read.get(n) != "Local|%s|%s" % (collect_key, n)}
    check(not wrong and set(read) == set(values),
          "%s: each State value is read from %s under its own name (wrong: %s)" % (what, collect_key, wrong or "none"))


def check_wef(path, mc_ids):
    what = "policies/wef/" + os.path.basename(path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        check(False, "%s is well-formed XML (%s)" % (what, e))
        return
    check(root.tag == WEF_NS + "Subscription", "%s is a Subscription (%s)" % (what, root.tag))
    for field, want in (("SubscriptionId", None), ("LogFile", "ForwardedEvents"),
                        ("Uri", "http://schemas.microsoft.com/wbem/wsman/1/windows/EventLog")):
        got = (root.findtext(WEF_NS + field) or "").strip()
        check(got and (want is None or got == want), "%s: %s is %s (%s)" % (what, field, want or "set", got))
    try:
        query = ET.fromstring((root.findtext(WEF_NS + "Query") or "").strip())
    except ET.ParseError as e:
        check(False, "%s: the query is a well-formed QueryList (%s)" % (what, e))
        return
    selects = query.findall("./Query/Select")
    check(query.tag == "QueryList" and selects, "%s: the query is a QueryList with Select elements" % what)
    ids = []
    for sel in selects:
        text = sel.text or ""
        check(sel.get("Path") == "Application" and "Provider[@Name='dloagent']" in text,
              "%s: a Select reads the source dloagent in the Application log: %s" % (what, text[:70]))
        ids += [int(x) for x in re.findall(r"\bEventID\s*=\s*(\d+)", text)]
    check(len(ids) == len(set(ids)), "%s: no event ID is selected twice" % what)
    check(set(ids) == mc_ids, "%s selects exactly the event IDs of dloagent.mc (missing %s, extra %s)"
          % (what, sorted(mc_ids - set(ids)), sorted(set(ids) - mc_ids)))


# Each detection script, and the exit code it gives for "not compliant".
DETECTION = {"intune-detect.ps1": "1", "configmgr-discover.ps1": "0"}


def check_scripts(src, ps_key, values):
    folder = os.path.join(src, "policies", "compliance")
    p = subprocess.run([sys.executable, os.path.join(folder, "render.py"), "--check"],
                       capture_output=True, text=True)
    check(p.returncode == 0, "the detection scripts are what render.py makes of detect.ps1.in %s"
          % p.stdout.strip().replace("\n", "; "))
    for name in list(DETECTION) + ["remediate.ps1"]:
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            text = f.read()
        check("'%s'" % ps_key in text, "policies/compliance/%s names the State key %s" % (name, ps_key))
        used = set(re.findall(r"\$state\.(\w+)", text))
        check(used and used <= set(values), "policies/compliance/%s reads only State values (%s)"
              % (name, sorted(used - set(values)) or sorted(used)))
        if name not in DETECTION:
            continue
        check(re.search(r"Invoke-Agent /verify /json", text),
              "policies/compliance/%s falls back to dloagent.exe /verify /json" % name)
        check(re.search(r"^\$NonCompliantExit = %s$" % DETECTION[name], text, re.M),
              "policies/compliance/%s exits %s when not compliant" % (name, DETECTION[name]))
        # Every exit: 0, the "not compliant" code, or the 64-bit run's own (which is one of those).
        exits = set(re.findall(r"^\s*exit\s+(\S+)", text, re.M))
        check(exits <= {"0", "$NonCompliantExit", "$LASTEXITCODE"},
              "policies/compliance/%s exits only 0 or $NonCompliantExit (%s)" % (name, sorted(exits)))


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    src, items_cmd = sys.argv[1], sys.argv[2:]
    items = json.loads(subprocess.run(items_cmd, capture_output=True, text=True, check=True).stdout)
    key = items["installer_key"] + "\\State"
    check(key.startswith("HKLM\\"), "the State key is %s" % key)
    with open(os.path.join(src, "docs", "fleet.md"), encoding="utf-8") as f:
        values = state_values(f.read())
    check(values and set(values.values()) <= set(MOF_TYPES),
          "docs/fleet.md's State table lists the values as REG_DWORD or REG_SZ (%s)" % values)
    check_mof(os.path.join(src, "policies", "sccm", "dloagent.mof"), "\\\\.\\root\\cimv2", values,
              collect_key="HKEY_LOCAL_MACHINE\\" + key.split("\\", 1)[1])
    check_mof(os.path.join(src, "policies", "sccm", "dloagent-import.mof"), "\\\\.\\root\\cimv2\\SMS", values)
    with open(os.path.join(src, "agent", "win", "dloagent.mc"), encoding="utf-8") as f:
        mc_ids = {int(x) for x in re.findall(r"^MessageId=(\d+)", f.read(), re.M)}
    check(bool(mc_ids), "dloagent.mc has event IDs (%s)" % sorted(mc_ids))
    check_wef(os.path.join(src, "policies", "wef", "dloagent-subscription.xml"), mc_ids)
    check_scripts(src, "HKLM:\\" + key.split("\\", 1)[1], values)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
