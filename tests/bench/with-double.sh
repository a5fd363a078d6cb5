#!/bin/sh
# Runs COMMAND... with the main test prefix (build/windows/wineprefix) in a Wine session and the
# firewall double active, and stops both afterwards: the set-up every benchmark here shares.
#   tests/bench/with-double.sh COMMAND [ARGS...]
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build/windows
export WINEPREFIX="$build/wineprefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
sh "$root/tests/wine/session.sh" start
trap 'sh "$root/tests/fwdouble/activate.sh" stop "$build/tests/fwdouble/fwdouble.dll" >/dev/null; sh "$root/tests/wine/session.sh" stop >/dev/null' EXIT
sh "$root/tests/fwdouble/activate.sh" start "$build/tests/fwdouble/fwdouble.dll"
"$@"
