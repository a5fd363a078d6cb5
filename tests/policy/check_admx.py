#!/usr/bin/env python3
"""Checks the Group Policy template against the agent.

Usage: check_admx.py [--schema DIR] ADMX ADML CONFIG_ITEMS
       check_admx.py --catches DIR ADMX ADML CONFIG_ITEMS

CONFIG_ITEMS is the config_items program: it prints the values the agent reads, from the core's
own table. DIR holds Microsoft's ADMX schema (PolicyDefinitionFiles.xsd, PolicyDefinitions.xsd,
BaseTypes.xsd; ../shared/real-world/admx-schema beside the clone). Checks:
  - both files are well-formed XML (xmllint --noout) and, with --schema, valid against Microsoft's
    schema (xmllint --schema, on a copy of BaseTypes.xsd whose two patterns libxml2 refuses as
    written, `\$\(string\.` and `\$\(presentation\.`, are spelled `[$]` instead: the same
    language, in a syntax libxml2 takes);
  - every namespace the ADMX declares with <using> is referred to (prefix:name);
  - an on/off value of the agent (config_items "flag") is a policy of its own with valueName,
    enabledValue 1 and disabledValue 0, as Microsoft's own templates write such values, so that
    Disabled writes 0 and Not configured writes nothing; no element writes it;
  - a policy with elements has a presentation, one without elements has none;
  - every registry value a policy writes (key, value name, and the type Group Policy gives it)
    is one the agent reads under its policy key, as a type it accepts;
  - every value the agent reads under its policy key is written by exactly one policy;
  - every string and presentation the ADMX refers to is in the ADML, and each presentation
    control refers to an element of its policy;
  - each value's policy is as its row (config_items) says: the policy, its element, the value
    and the presentation are all named after the value; a mode or choice is an enum of exactly
    the row's names, in its order, shown as a drop-down list whose default item is the row's
    default; a number or port is a decimal with the row's bounds, shown as a decimal text box
    (whose default is the row's, when it has one); any other value is a text, shown as a text
    box. A value added to the rows and not to the template, or the other way round, fails.
Prints one line per check and a closing "N passed, N failed" line.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
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
        states = [policy.find("p:%s/*" % s, NS) for s in ("enabledValue", "disabledValue")]
        types = {value_type(v) for v in states if v is not None} or {"REG_DWORD"}
        for typ in sorted(types):
            out.append((key, policy.get("valueName"), typ))
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


def schema_copy(schema_dir, into):
    """Microsoft's schema in `into`, BaseTypes.xsd's `\\$` patterns spelled `[$]`."""
    for name in ("PolicyDefinitionFiles.xsd", "PolicyDefinitions.xsd", "BaseTypes.xsd"):
        src = os.path.join(schema_dir, name)
        if not os.path.isfile(src):
            sys.exit("check_admx: %s is missing: the ADMX schema is read from "
                     "../shared/real-world/admx-schema beside the clone" % src)
        shutil.copy(src, into)
    base = os.path.join(into, "BaseTypes.xsd")
    with open(base, encoding="utf-8") as f:
        text = f.read()
    patched = text.replace("\\$", "[$]")
    if patched == text:
        sys.exit("check_admx: BaseTypes.xsd has no \\$ pattern to respell: not the schema expected")
    with open(base, "w", encoding="utf-8") as f:
        f.write(patched)
    return os.path.join(into, "PolicyDefinitionFiles.xsd")


def check_xml(admx, adml, xsd):
    for path in (admx, adml):
        p = subprocess.run(["xmllint", "--noout", path], capture_output=True, text=True)
        check(p.returncode == 0, "%s is well-formed XML %s" % (path, p.stderr.strip()))
        if xsd and p.returncode == 0:
            p = subprocess.run(["xmllint", "--noout", "--schema", xsd, path],
                               capture_output=True, text=True)
            check(p.returncode == 0, "%s is valid against Microsoft's ADMX schema %s"
                  % (path, p.stderr.strip()))


def check_usings(root, admx):
    with open(admx, encoding="utf-8") as f:
        text = f.read()
    for using in root.iter("{%s}using" % NS["p"]):
        prefix = using.get("prefix")
        check(re.search(r'"%s:[^"]+"' % re.escape(prefix), text) is not None,
              "the namespace %s (prefix %s) the ADMX uses is referred to"
              % (using.get("namespace"), prefix))


def check_flag(policy, name):
    """An on/off value: the policy's own valueName with enabledValue 1 and disabledValue 0."""
    pname = policy.get("name")
    for state, want in (("enabledValue", "1"), ("disabledValue", "0")):
        v = policy.find("p:%s/p:decimal" % state, NS)
        check(policy.get("valueName") == name and v is not None and v.get("value") == want,
              "policy %s: the on/off value %s is its valueName with %s decimal %s"
              % (pname, name, state, want))


# The element and presentation control of each type of value (config_items "type").
ELEMENT = {"mode": "enum", "choice": "enum", "number": "decimal", "port": "decimal"}
CONTROL = {"enum": "dropdownList", "decimal": "decimalTextBox", "text": "textBox"}


def check_row(policy, row, presentations):
    """The policy of a value against its row: names, element, bounds, choices, presentation."""
    name = row["name"]
    check(policy.get("name") == name, "the policy of %s is named %s" % (name, name))
    if row.get("flag"):
        return
    elements = policy.find("p:elements", NS)
    elements = list(elements) if elements is not None else []
    want = ELEMENT.get(row["type"], "text")
    if not check(len(elements) == 1 and tag(elements[0]) == want
                 and elements[0].get("id") == name and elements[0].get("valueName") == name,
                 "policy %s: one <%s> element, id and valueName %s" % (name, want, name)):
        return
    e = elements[0]
    if want == "enum":
        values = [v.text for v in e.findall("p:item/p:value/p:string", NS)]
        check(values == row["choices"], "policy %s: the enum's values %s are the row's choices %s"
              % (name, values, row["choices"]))
    if want == "decimal":
        bounds = (e.get("minValue"), e.get("maxValue"))
        check(bounds == (str(row["min"]), str(row["max"])),
              "policy %s: the decimal's bounds %s are the row's %s..%s"
              % (name, bounds, row["min"], row["max"]))
    pres = presentations.get(name)
    if not check(pres is not None and len(list(pres)) == 1, "policy %s: presentation %s has one control"
                 % (name, name)):
        return
    control = list(pres)[0]
    check(tag(control) == CONTROL[want] and control.get("refId") == name,
          "policy %s: its control is a %s for %s" % (name, CONTROL[want], name))
    if want == "enum":
        default = str(row["choices"].index(row["default"]))
        check(control.get("defaultItem") == default, "policy %s: the default item is %s (%s)"
              % (name, default, row["default"]))
    if want == "decimal" and row.get("default") is not None:
        check(control.get("defaultValue") == str(row["default"]),
              "policy %s: the default value is the row's %s" % (name, row["default"]))


def main(args):
    schema_dir = None
    if args and args[0] == "--schema":
        schema_dir, args = args[1], args[2:]
    admx, adml, items_cmd = args[0], args[1], args[2:3]

    with tempfile.TemporaryDirectory() as tmp:
        check_xml(admx, adml, schema_copy(schema_dir, tmp) if schema_dir else None)
    if failed:
        return finish()

    p = subprocess.run(items_cmd, capture_output=True, text=True)
    if not check(p.returncode == 0, "config_items runs (%s)" % p.stderr.strip()):
        return finish()
    agent = json.loads(p.stdout)
    policy_key = agent["policy_key"].split("\\", 1)[1]  # without "HKLM\"
    wanted = {v["name"]: set(v["types"]) for v in agent["values"] if v["policy"]}
    flags = {v["name"] for v in agent["values"] if v["policy"] and v.get("flag")}
    installer_only = {v["name"] for v in agent["values"] if not v["policy"]}
    check(len(wanted) > 0, "the agent reads %d values under its policy key" % len(wanted))

    root = ET.parse(admx).getroot()
    check_usings(root, admx)
    strings = {s.get("id") for s in ET.parse(adml).getroot().iter("{%s}string" % NS["p"])}
    presentations = {pr.get("id"): pr for pr in ET.parse(adml).getroot().iter("{%s}presentation" % NS["p"])}

    rows = {v["name"]: v for v in agent["values"] if v["policy"]}
    written = {}
    for policy in root.iter("{%s}policy" % NS["p"]):
        if policy.get("name") in rows:
            check_row(policy, rows[policy.get("name")], presentations)
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
        for name in flags & {n for _, n, _ in writes(policy)}:
            check_flag(policy, name)

        # Strings and presentations the policy refers to.
        for attr in ("displayName", "explainText"):
            m = re.fullmatch(r"\$\(string\.([^)]+)\)", policy.get(attr, ""))
            check(m is not None and m.group(1) in strings, "policy %s: %s %s is in the ADML" % (pname, attr, policy.get(attr)))
        m = re.fullmatch(r"\$\(presentation\.([^)]+)\)", policy.get("presentation", ""))
        elements = policy.find("p:elements", NS)
        ids = {e.get("id") for e in (list(elements) if elements is not None else [])}
        if not ids:
            check(policy.get("presentation") is None,
                  "policy %s: no elements, so no presentation" % pname)
        elif check(m is not None and m.group(1) in presentations, "policy %s: its presentation is in the ADML" % pname):
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


# What --catches breaks, one copy each: every kind of defect the checks above exist for.
MUTATIONS = [
    ("an on/off value as a dropdown, whose Disabled state writes nothing", "is its valueName",
     lambda x, l: (re.sub(r'(<policy name="BindToServices"[^>]*?) valueName="BindToServices">\s*'
                          r'(<parentCategory[^>]*/>\s*<supportedOn[^>]*/>)\s*'
                          r'<enabledValue>.*?</disabledValue>',
                          r'\1>\2<elements><enum id="BindToServices" valueName="BindToServices">'
                          r'<item displayName="$(string.BindToServices)"><value><decimal value="1" />'
                          r'</value></item></enum></elements>', x, flags=re.S), l)),
    ("an unused <using>", "is referred to",
     lambda x, l: (re.sub(r"(<target [^>]*/>)", r'\1<using prefix="windows" '
                          r'namespace="Microsoft.Policies.Windows" />', x, count=1), l)),
    ("an element the schema does not know", "Microsoft's ADMX schema",
     lambda x, l: (x.replace("<supportedOn ref=", "<supported ref=", 1), l)),
    ("a bound that is not the row's", "are the row's",
     lambda x, l: (x.replace('maxValue="1440"', 'maxValue="1441"', 1), l)),
    ("a choice the agent does not take", "are the row's choices",
     lambda x, l: (x.replace("<string>rpc</string>", "<string>keywords</string>", 1), l)),
    ("a control of the wrong kind", "its control is a",
     lambda x, l: (x, re.sub(r'<textBox refId="Roles">(.*?)</textBox>',
                             r'<multiTextBox refId="Roles">Roles</multiTextBox>', l, count=1))),
    ("a string the ADML lacks", "is in the ADML",
     lambda x, l: (x, re.sub(r'<string id="BOIMode">[^<]*</string>', "", l, count=1))),
    # A row without its policy, and a policy without its row: the template and the rows differ.
    ("a value of the rows no policy writes", "is written by one policy (none)",
     lambda x, l: (re.sub(r'\s*<policy name="DriftAction".*?</policy>', "", x, count=1,
                          flags=re.S), l)),
    ("a policy for a value the rows lack", "the agent reads that value",
     lambda x, l: (re.sub(r'(\s*<policy name=)"BindToServices"(.*?) valueName="BindToServices"'
                          r'(.*?</policy>)', r'\g<0>\1"StaleSetting"\2 valueName="StaleSetting"\3',
                          x, count=1, flags=re.S), l)),
    ("a presentation the ADML lacks", "its presentation is in the ADML",
     lambda x, l: (x, re.sub(r'<presentation id="DriftAction">.*?</presentation>', "", l,
                             count=1, flags=re.S))),
]


def catches(args):
    """Runs the checks on broken copies of the template: each must fail."""
    schema_dir, admx, adml, items = args[0], args[1], args[2], args[3:4]
    with open(admx, encoding="utf-8") as f:
        x = f.read()
    with open(adml, encoding="utf-8") as f:
        l = f.read()
    missed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for what, why, mutate in MUTATIONS:
            bx, bl = mutate(x, l)
            if (bx, bl) == (x, l):
                print("FAIL: the mutation '%s' changed nothing" % what)
                missed += 1
                continue
            os.makedirs(os.path.join(tmp, "en-US"), exist_ok=True)
            px, pl = os.path.join(tmp, "t.admx"), os.path.join(tmp, "en-US", "t.adml")
            for path, text in ((px, bx), (pl, bl)):
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
            p = subprocess.run([sys.executable, __file__, "--schema", schema_dir, px, pl] + items,
                               capture_output=True, text=True)
            # Caught for the right reason: a failed check of the kind the mutation breaks.
            caught = p.returncode != 0 and any(
                line.startswith("FAIL:") and why in line for line in p.stdout.splitlines())
            print("%s: %s" % ("ok" if caught else "FAIL", "caught: " + what if caught else "missed: " + what))
            missed += not caught
    print("%d of %d defects caught" % (len(MUTATIONS) - missed, len(MUTATIONS)))
    return 1 if missed else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--catches"]:
        sys.exit(catches(sys.argv[2:]))
    sys.exit(main(sys.argv[1:]))
