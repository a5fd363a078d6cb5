#!/bin/sh
# Benchmarks of the real dloagent.exe under Wine against the firewall double. Prints figures;
# asserts nothing. Run after `cmake --workflow --preset windows` (or ./toolchain/run-tests.sh).
#   tests/bench/run.sh [SIZES...]     e.g. tests/bench/run.sh 0 1000 5000 20000
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build/windows
export WINEPREFIX="$build/wineprefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
sh "$root/tests/wine/session.sh" start
trap 'sh "$root/tests/fwdouble/activate.sh" stop "$build/tests/fwdouble/fwdouble.dll" >/dev/null; sh "$root/tests/wine/session.sh" stop >/dev/null' EXIT
sh "$root/tests/fwdouble/activate.sh" start "$build/tests/fwdouble/fwdouble.dll"
python3 "$root/tests/bench/bench_reconcile.py" "$build/dloagent.exe" "$@"
