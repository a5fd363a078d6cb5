#!/bin/sh
# Benchmarks of the real dloagent.exe under Wine against the firewall double. Prints figures;
# asserts nothing. Run after `cmake --workflow --preset windows` (or ./toolchain/run-tests.sh).
#   tests/bench/run.sh [SIZES...]     e.g. tests/bench/run.sh 0 1000 5000 20000
# With ../shared/real-world/firewall-rules beside the repository, a last run adds both real rule
# stores to 20,000 foreign rules (the full matching model against a bare enumeration).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build/windows
real=$root/../shared/real-world/firewall-rules
if [ -f "$real/others.txt" ]; then
    exec sh "$root/tests/bench/with-double.sh" python3 "$root/tests/bench/bench_reconcile.py" "$build/dloagent.exe" --real "$real" "$@"
else
    echo "# $real is absent: no run with the real rule stores"
    exec sh "$root/tests/bench/with-double.sh" python3 "$root/tests/bench/bench_reconcile.py" "$build/dloagent.exe" "$@"
fi
