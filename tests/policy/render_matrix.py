#!/usr/bin/env python3
"""Renders the port matrix, as the agent reads it (`/matrix /json`), into policies/README.md.

Usage: render_matrix.py [--check] DLOAGENT README
The table goes between the markers <!-- matrix:begin --> and <!-- matrix:end -->. With --check
nothing is written: the exit code says whether README already shows what the agent reads.
"""
import json
import subprocess
import sys

BEGIN = "<!-- matrix:begin -->"
END = "<!-- matrix:end -->"
MODES = [("nonboi", "Non-BOI"), ("exclusive", "Exclusive BOI"), ("occasional", "Occasional BOI")]


def cell(m):
    if m is None:
        return "NA"
    return "out: %s<br>in: %s" % (", ".join(m["source"]), ", ".join(m["destination"]))


def served_by(s):
    if s is None:
        return ""
    if s["name"] is None:
        return s["kind"]
    return "%s `%s`" % (s["kind"], s["name"])


def render(matrix):
    lines = ["Generated from the agent's own reading of `dlo-10.0.ports` (`dloagent.exe /matrix "
             "/json`) by `tests/policy/render_matrix.py`; a test fails when it is out of date.",
             "", "Release: %s" % matrix["release"], "",
             "| mode | corporate paths | paths to the Edge Server |", "|---|---|---|"]
    for key, title in MODES:
        p = matrix["profiles"][key]
        lines.append("| %s | %s | %s |" % (title, ", ".join(p["corporate"]), ", ".join(p["internet"])))
    lines += ["", "| row | process | port | type | rule name | " +
              " | ".join(t for _, t in MODES) + " | served by |", "|---" * 9 + "|"]
    for r in matrix["rows"]:
        lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            r["id"], r["process"], r["ports"], r["type"], r["rule"],
            " | ".join(cell(r["modes"][k]) for k, _ in MODES), served_by(r["served_by"])))
    return "\n".join(lines) + "\n"


def main():
    args = sys.argv[1:]
    check = args and args[0] == "--check"
    if check:
        args = args[1:]
    exe, readme = args
    out = subprocess.run([exe, "/matrix", "/json"], capture_output=True, text=True, check=True)
    table = render(json.loads(out.stdout))
    text = open(readme, encoding="utf-8").read()
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = head + BEGIN + "\n" + table + END + tail
    if check:
        if new != text:
            print("%s is out of date: run %s %s %s" % (readme, sys.argv[0], exe, readme))
            print("0 passed, 1 failed")
            return 1
        print("1 passed, 0 failed")
        return 0
    open(readme, "w", encoding="utf-8").write(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
