#!/usr/bin/env python3
"""Writes the detection scripts of each consumer from detect.ps1.in.

Usage: render.py [--check]

Intune's remediations and Configuration Manager's configuration items read a detection script
differently: Intune runs the remediation when the script exits 1; Configuration Manager takes
any exit but 0 as a failed discovery (an Error, and no remediation) and compares the script's
output with the compliance rule instead (Microsoft Learn, "About Compliance Settings (DCM)
Extensibility": "If the script returns a non-zero exit code, the result is a discovery
failure"). The two scripts differ only there, so both come from one template. --check exits 1
when a committed script differs from what the template gives.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

CONSUMERS = {
    "intune-detect.ps1": {
        "PURPOSE": "Detection script of an Intune remediation.",
        "EXITS": (
            "    Exit 0: compliant. Exit 1: not compliant (Intune then runs remediate.ps1).\n"
            "    Intune: Devices > Remediations > Create; detection script this file, remediation\n"
            "    script remediate.ps1, \"Run this script using the logged-on credentials\": No,\n"
            "    \"Run script in 64-bit PowerShell\": Yes."),
        "NONCOMPLIANT_EXIT": "1",
        "NONCOMPLIANT_WHY": "Intune runs the remediation script when detection exits 1.",
    },
    "configmgr-discover.ps1": {
        "PURPOSE": "Discovery script of a Configuration Manager configuration item.",
        "EXITS": (
            "    Always exits 0, since Configuration Manager takes any other exit code as a failed\n"
            "    discovery (the item shows Error and is never remediated) and compares the output\n"
            "    instead. Configuration item: setting type Script, data type String, discovery\n"
            "    script this file, remediation script remediate.ps1, 64-bit; compliance rule: the\n"
            "    value returned \"Begins with\" Compliant, with \"Run the specified remediation script\n"
            "    when this setting is noncompliant\"."),
        "NONCOMPLIANT_EXIT": "0",
        "NONCOMPLIANT_WHY": "Configuration Manager reads the output; an exit code other than 0 is a discovery failure.",
    },
}


def render(template, values):
    out = template
    for key, value in values.items():
        out = out.replace("@%s@" % key, value)
    left = re.findall(r"@[A-Z_]+@", out)
    if left:
        raise SystemExit("render.py: detect.ps1.in has placeholders no consumer fills: %s" % left)
    return out


def main(argv):
    with open(os.path.join(HERE, "detect.ps1.in"), encoding="utf-8") as f:
        template = f.read()
    stale = []
    for name, values in CONSUMERS.items():
        path = os.path.join(HERE, name)
        text = render(template, values)
        if "--check" in argv:
            try:
                with open(path, encoding="utf-8") as f:
                    current = f.read()
            except FileNotFoundError:
                current = None
            print("%s: %s" % ("ok" if current == text else "FAIL", path))
            if current != text:
                stale.append(name)
        else:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
    if stale:
        print("run python3 policies/compliance/render.py to regenerate: " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
