#!/bin/sh
# Usage: test-compare.sh PATH/TO/dloagent.exe
# /plan /compare:FILE and /matrix /compare:FILE through the real executable: a plan saved by
# /plan /json compared with the same plan (exit 0) and with another configuration (exit 1), the
# embedded matrix against a changed table (exit 1), and a file that is no plan (exit 2, nothing
# on stdout).
. "$(dirname "$0")/lib.sh"
exe=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$(cd "$(dirname "$0")/../.." && pwd)

run_exe "$exe" /plan /json /roles:edge-server /mode:occasional
expect_rc 0 "/plan /json to save"
printf '%s' "$out" >"$tmp/saved.json"

run_exe "$exe" /plan /roles:edge-server /mode:occasional "/compare:Z:$tmp/saved.json"
expect_rc 0 "the same plan compares equal"
expect_match "$out" '^nothing differs$' "/plan /compare says nothing differs"

run_exe "$exe" /plan /roles:edge-server,io-server /mode:occasional /adminconsoles:10.0.0.0/8 "/compare:Z:$tmp/saved.json"
expect_rc 1 "another configuration differs"
expect_match "$out" '^opens    in tcp 7080 on Domain from 10\.0\.0\.0/255\.0\.0\.0: Arctera DLO - IO Server HTTP \(TCP-In\)$' "a new rule opens"
expect_match "$out" '^narrows  Arctera DLO - Edge Server HTTP \(TCP-In\): remote_addresses \(was \*, now 10\.0\.0\.0/255\.0\.0\.0\)$' "a scope narrows"

run_exe "$exe" /plan /json /roles:edge-server /mode:occasional /corporateprofiles:domain,private "/compare:Z:$tmp/saved.json"
expect_rc 1 "/json: profiles widen"
if printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["differs"] and any(c["kind"]=="widens" and c["property"]=="profiles" and c["delta"]=="Private" for c in d["changes"])' 2>/dev/null; then
  ok "/plan /compare /json is valid JSON naming the widened profile"
else
  not_ok "/plan /compare /json is not the expected JSON: $out"
fi

printf '{"rules": [{"name": "A", "direction": "in", "protocol": "tcp",}]}' >"$tmp/bad.json"
run_exe "$exe" /plan /roles:edge-server "/compare:Z:$tmp/bad.json"
expect_rc 2 "a malformed saved plan"
expect_match "$err" 'bad.json: line 1: expected a member name in double quotes' "the error names the file, the line and what was expected"
expect_empty "$out" "nothing on stdout for a bad saved plan"

# A table whose Edge Server HTTPS rows gain a port (both rows, which share a rule name).
sed '/^  ports      443$/{N;s/^  ports      443\n  type       HTTPS$/  ports      443,8443\n  type       HTTPS/}' \
  "$src/policies/dlo-10.0.ports" >"$tmp/new.ports"
run_exe "$exe" /matrix "/compare:Z:$tmp/new.ports"
expect_rc 1 "a changed matrix differs"
expect_match "$out" '^occasional, edge-server: 1 widens$' "grouped by mode and role"
expect_match "$out" 'widens   Arctera DLO - Edge Server HTTPS \(TCP-In\): local_ports adds 8443 \(was 443, now 443,8443\) \[rows: server.edge-https,client.edge-https\]' "the widened rule, its ports and rows"

run_exe "$exe" /matrix "/compare:Z:$src/policies/dlo-10.0.ports"
expect_rc 0 "the embedded matrix against its own file"
expect_match "$out" 'nothing differs for any role in any mode' "/matrix /compare says nothing differs"

run_exe "$exe" /matrix "/compare:NUL"
expect_rc 2 "a device as the matrix to compare"
expect_empty "$out" "nothing on stdout for NUL"

finish
