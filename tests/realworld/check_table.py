#!/usr/bin/env python3
"""The README's table of the matching model is the model's own: every row that
`rule_json --table` prints (one per row of dlo_match_rows, include/dlo/match.h) stands in the
README, in the same order, word for word, and the README's table has no other row of a field
the model judges.

Usage: check_table.py RULE_JSON README.md"""
import subprocess
import sys

HEADER = "| field | keys | treatment | public source |"


def main():
    tool, readme = sys.argv[1], sys.argv[2]
    model = subprocess.run([tool, "--table"], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    with open(readme, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    if HEADER not in lines:
        print("FAIL: README.md has no table headed %s" % HEADER)
        return 1
    start = lines.index(HEADER) + 2
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append(line)
    rows = table[:len(model)]
    failed = 0
    for want, have in zip(model, rows):
        if want != have:
            print("FAIL: the README says\n  %s\nthe model says\n  %s" % (have, want))
            failed += 1
    if len(rows) < len(model):
        print("FAIL: the README's table has %d rows, the model %d" % (len(rows), len(model)))
        failed += 1
    print("%d passed, %d failed" % (len(model) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
