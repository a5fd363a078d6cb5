#!/usr/bin/env python3
"""Checks the Group Policy template against the agent.

Usage: check_admx.py ADMX ADML CONFIG_ITEMS

CONFIG_ITEMS is the config_items program: it prints the values the agent reads, from the core's
own table. Checks:
  - both files are well-formed XML (xmllint --noout);
  - every registry value a policy writes (key, value name, and the type Group Policy gives it)
    is one the agent reads under its policy key, as a type it accepts;
  - every value the agent reads under its policy key is written by exactly one policy;
  - every string and presentation the ADMX refers to is in the ADML, and each presentation
    control refers to an element of its policy.
Prints one line per check and a closing "N passed, N failed" line.
"""
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

NS = {"p": "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"}

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


def tag(e):
    return e.tag.split("}", 1)[-1]


def value_type(e):
    """The registry type Group Policy writes for an element of a policy's <elements>, or for an
    enum item's <value> child (ADMX schema: text, multiText, decimal, boolean, enum, list)."""
    kind = tag(e)
    if kind == "text":
        return "REG_EXPAND_SZ" if e.get("expandable") == "true" else "REG_SZ"
    if kind == "multiText":
        return "REG_MULTI_SZ"
    if kind in ("decimal", "boolean"):
        return "REG_SZ" if e.get("storeAsText") == "true" else "REG_DWORD"
    if kind == "string":
        return "REG_SZ"
    if kind == "longDecimal":
        return "REG_QWORD"
    return "unknown <%s>" % kind


def writes(policy):
    """(key, value name, type) of every registry value a policy writes."""
    key = policy.get("key")
    out = []
    if policy.get("valueName"):
        # A policy's own valueName gets enabledValue/disabledValue, REG_DWORD 1/0 by default.
        out.append((key, policy.get("valueName"), "REG_DWORD"))
    elements = policy.find("p:elements", NS)
    for e in list(elements) if elements is not None else []:
        name = e.get("valueName")
        ekey = e.get("key", key)
        if tag(e) == "enum":
            for item in e.findall("p:item/p:value/*", NS):
                out.append((ekey, name, value_type(item)))
        elif tag(e) == "list":
            out.append((ekey, "(list)", "REG_SZ"))
        else:
            out.append((ekey, name, value_type(e)))
    return out


def main():
    admx, adml, items_cmd = sys.argv[1], sys.argv[2], sys.argv[3:4]

    for path in (admx, adml):
        p = subprocess.run(["xmllint", "--noout", path], capture_output=True, text=True)
        check(p.returncode == 0, "%s is well-formed XML %s" % (path, p.stderr.strip()))
    if failed:
        return finish()

    p = subprocess.run(items_cmd, capture_output=True, text=True)
    if not check(p.returncode == 0, "config_items runs (%s)" % p.stderr.strip()):
        return finish()
    agent = json.loads(p.stdout)
    policy_key = agent["policy_key"].split("\\", 1)[1]  # without "HKLM\"
    wanted = {v["name"]: set(v["types"]) for v in agent["values"] if v["policy"]}
    installer_only = {v["name"] for v in agent["values"] if not v["policy"]}
    check(len(wanted) > 0, "the agent reads %d values under its policy key" % len(wanted))

    root = ET.parse(admx).getroot()
    strings = {s.get("id") for s in ET.parse(adml).getroot().iter("{%s}string" % NS["p"])}
    presentations = {pr.get("id"): pr for pr in ET.parse(adml).getroot().iter("{%s}presentation" % NS["p"])}

    written = {}
    for policy in root.iter("{%s}policy" % NS["p"]):
        pname = policy.get("name")
        check(policy.get("class") == "Machine", "policy %s applies to computers (class Machine)" % pname)
        for key, name, typ in writes(policy):
            where = "policy %s writes %s\\%s as %s" % (pname, key, name, typ)
            check(key == policy_key, "%s: the key is the agent's policy key %s" % (where, policy_key))
            check(name not in installer_only, "%s: not an installer-only value" % where)
            check(name in wanted, "%s: the agent reads that value" % where)
            if name in wanted:
                check(typ in wanted[name], "%s: the agent accepts %s (it takes %s)" % (where, typ, ", ".join(sorted(wanted[name]))))
            if pname not in written.setdefault(name, []):
                written[name].append(pname)

        # Strings and presentations the policy refers to.
        for attr in ("displayName", "explainText"):
            m = re.fullmatch(r"\$\(string\.([^)]+)\)", policy.get(attr, ""))
            check(m is not None and m.group(1) in strings, "policy %s: %s %s is in the ADML" % (pname, attr, policy.get(attr)))
        m = re.fullmatch(r"\$\(presentation\.([^)]+)\)", policy.get("presentation", ""))
        elements = policy.find("p:elements", NS)
        ids = {e.get("id") for e in (list(elements) if elements is not None else [])}
        if check(m is not None and m.group(1) in presentations, "policy %s: its presentation is in the ADML" % pname):
            refs = {c.get("refId") for c in presentations[m.group(1)]}
            check(refs == ids, "policy %s: the presentation's controls %s are its elements %s" % (pname, sorted(refs), sorted(ids)))
        for item in policy.iter("{%s}item" % NS["p"]):
            m = re.fullmatch(r"\$\(string\.([^)]+)\)", item.get("displayName", ""))
            check(m is not None and m.group(1) in strings, "policy %s: enum item %s is in the ADML" % (pname, item.get("displayName")))

    for name in sorted(wanted):
        check(len(written.get(name, [])) == 1,
              "the agent's policy value %s is written by one policy (%s)" % (name, ", ".join(written.get(name, [])) or "none"))
    # Categories, supportedOn definitions and anything else: every string the ADMX names.
    with open(admx, encoding="utf-8") as f:
        for ref in sorted(set(re.findall(r"\$\(string\.([^)]+)\)", f.read()))):
            check(ref in strings, "string %s is in the ADML" % ref)
    return finish()


def finish():
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
