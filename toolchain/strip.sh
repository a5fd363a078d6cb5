#!/bin/sh
# Usage: strip.sh OBJCOPY STRIP FILE
# Moves FILE's debug information and symbols to FILE.debug, beside it, and leaves FILE with a
# .gnu_debuglink to it: gdb (and any tool that follows the link) finds the symbols for a crash
# dump of the shipped binary, which stays small.
set -eu
[ $# -eq 3 ] || { echo "usage: $0 OBJCOPY STRIP FILE" >&2; exit 2; }
objcopy=$1
strip=$2
file=$3
# A half-done run must not leave a binary that looks finished: the next build relinks it.
trap 'rm -f "$file"' EXIT
"$objcopy" --only-keep-debug "$file" "$file.debug"
# --strip-all, not --strip-debug: the COFF symbol table alone is about half the stripped size.
"$strip" --strip-all "$file"
"$objcopy" --add-gnu-debuglink="$file.debug" "$file"
trap - EXIT
