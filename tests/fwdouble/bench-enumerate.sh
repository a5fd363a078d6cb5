#!/bin/sh
# Usage: tests/fwdouble/bench-enumerate.sh [BUILD_DIR [RULES]]
# Plants RULES (default 5000) rules in the firewall double's store with one .reg import, then
# times reading them back through the double's COM API (bench_fwdouble.exe): get_Count, a full
# _NewEnum walk reading each Name, and Item of the last rule. Prints the figures, asserts
# nothing. Uses the Windows build's test prefix (or $WINEPREFIX) with a Wine session of its own:
# do not run it while that build's tests run. Leaves the double inactive and the store empty.
set -eu
src=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$src/../../build/windows}" && pwd)
rules=${2:-5000}
export WINEPREFIX="${WINEPREFIX:-$build/wineprefix}"
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
dll=$build/tests/fwdouble/fwdouble.dll
bench=$build/tests/fwdouble/bench_fwdouble.exe
rules_key='HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\FirewallRules'
if [ ! -f "$dll" ] || [ ! -f "$bench" ]; then
  echo "no $dll or $bench: build first (cmake --workflow --preset windows)" >&2
  exit 2
fi
case "$rules" in
'' | *[!0-9]*) echo "RULES must be a number, got '$rules'" >&2; exit 2 ;;
esac

tmp=$(mktemp -d)
cleanup() {
  wine reg delete "$rules_key" /f </dev/null >/dev/null 2>&1 || true
  sh "$src/activate.sh" stop "$dll" >/dev/null 2>&1 || true
  sh "$src/../wine/session.sh" stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
sh "$src/../wine/session.sh" start >/dev/null
sh "$src/activate.sh" start "$dll" >/dev/null

now() { date +%s.%N; }
ms() { echo "$1 $2" | awk '{ printf "%.0f", ($2 - $1) * 1000 }'; }

# One rule per value, in the format Windows writes; IDs are GUIDs in braces.
awk -v n="$rules" 'BEGIN {
  printf "REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\SharedAccess\\Parameters\\FirewallPolicy\\FirewallRules]\r\n"
  for (i = 0; i < n; i++)
    printf "\"{%08X-0000-4000-8000-%012d}\"=\"v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Domain|LPort=%d|RA4=LocalSubnet|RA6=LocalSubnet|App=C:\\\\Program Files\\\\Bench\\\\svc%d.exe|Name=Bench rule %d|Desc=planted by bench-enumerate.sh|EmbedCtxt=Bench|\"\r\n", i, i, 1024 + i % 60000, i, i
}' >"$tmp/rules.reg"

t0=$(now)
wine reg import "$(winepath -w "$tmp/rules.reg")" </dev/null >/dev/null 2>&1
t1=$(now)
echo "planted $rules rules with one reg import: $(ms "$t0" "$t1") ms"

t0=$(now)
wine "$bench" "Bench rule $((rules - 1))" </dev/null >"$tmp/out" 2>&1 || {
  tr -d '\r' <"$tmp/out"
  echo "bench_fwdouble.exe failed" >&2
  exit 1
}
t1=$(now)
tr -d '\r' <"$tmp/out"
echo "bench_fwdouble.exe process, start to exit: $(ms "$t0" "$t1") ms"
# Figures about the wrong number of rules would mean nothing.
grep -q "^get_Count: $rules rules" "$tmp/out" || {
  echo "the double saw a different number of rules than the $rules planted" >&2
  exit 1
}
