#!/usr/bin/env python3
"""The table of the matching model in docs/verify.md is the model's own: every row that
`rule_json --table` prints (one per row of dlo_match_rows, include/dlo/match.h) stands in that
table, in the same order, word for word, and the table has no other row of a field the model
judges.

Usage: check_table.py RULE_JSON docs/verify.md"""
import subprocess
import sys

HEADER = "| field | keys | treatment | public source |"


def main():
    tool, doc = sys.argv[1], sys.argv[2]
    model = subprocess.run([tool, "--table"], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    with open(doc, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    if HEADER not in lines:
        print("FAIL: %s has no table headed %s" % (doc, HEADER))
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
            print("FAIL: %s says\n  %s\nthe model says\n  %s" % (doc, have, want))
            failed += 1
    if len(rows) < len(model):
        print("FAIL: the table of %s has %d rows, the model %d" % (doc, len(rows), len(model)))
        failed += 1
    print("%d passed, %d failed" % (len(model) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
