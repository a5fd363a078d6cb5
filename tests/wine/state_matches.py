#!/usr/bin/env python3
"""Usage: state_matches.py REG_QUERY_OUTPUT [VERIFY_JSON] [NAME=VALUE ...]

Checks the State key as `reg query HKLM\\...\\State` printed it (a file): it holds exactly the
values of the State table of docs/fleet.md, each with its type; with VERIFY_JSON (a file with what
`dloagent.exe /verify /json` printed, or "-" for none) Compliant, RulesPlanned, RulesRight,
Missing, Drifted, Stale and Problems say what it says; each NAME=VALUE given is what the key
holds (a DWORD as its decimal number). Prints each difference; exits 1 if there is one.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "policy"))
from check_fleet import state_values  # noqa: E402 (docs/fleet.md's table, read once)


def read_key(path):
    values = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f.read().replace("\r", "").splitlines():
            m = re.match(r"^    (\S+)    (REG_\w+)(?:    (.*))?$", line)
            if m:
                text = m.group(3) or ""
                if m.group(2) == "REG_DWORD":
                    text = str(int(text, 16))
                values[m.group(1)] = (m.group(2), text)
    return values


def main():
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "docs", "fleet.md"), encoding="utf-8") as f:
        table = state_values(f.read())
    key = read_key(sys.argv[1])
    wrong = []
    types = {name: typ for name, (typ, _) in key.items()}
    if types != table:
        wrong.append("values and types %s, expected %s" % (sorted(types.items()), sorted(table.items())))
    want = {}
    if len(sys.argv) > 2 and sys.argv[2] != "-":
        with open(sys.argv[2], encoding="utf-8") as f:
            v = json.load(f)
        kinds = []
        for p in v["problems"]:
            if p["kind"] not in kinds:
                kinds.append(p["kind"])
        want = {"Compliant": str(int(v["compliant"])), "RulesPlanned": str(v["planned"]),
                "RulesRight": str(v["right"]), "Missing": str(len(v["missing"])),
                "Drifted": str(len(v["drifted"])), "Stale": str(len(v["stale"])),
                "Problems": ",".join(kinds)}
    for arg in sys.argv[3:]:
        name, _, value = arg.partition("=")
        want[name] = value
    for name, value in want.items():
        have = key.get(name, (None, None))[1]
        if have != value:
            wrong.append("%s is %r, expected %r" % (name, have, value))
    for w in wrong:
        print(w)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
