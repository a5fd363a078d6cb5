#!/bin/sh
# Benchmark of the service's watches under Wine with the firewall double: the time from a
# foreign change to the repair or the report, the passes a change and a burst cause, and the
# service's CPU time while idle. Prints figures; asserts nothing. Takes about 5 minutes.
#   tests/bench/drift.sh [CHANGES_PER_KIND [IDLE_SECONDS]]     (default 20 and 120)
# Run after `cmake --build --preset windows`; it uses the main test prefix (build/windows/wineprefix).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build/windows
exec sh "$root/tests/bench/with-double.sh" python3 "$root/tests/bench/bench_drift.py" "$build/dloagent.exe" "$@"
