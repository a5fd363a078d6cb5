#!/bin/sh
# Usage: test-plan.sh PATH/TO/dloagent.exe
# /plan and /matrix through the real executable: the embedded matrix, /policy:FILE, and every
# kind of bad input (exit 2, a message naming what was wrong and what was expected).
. "$(dirname "$0")/lib.sh"
exe=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$(cd "$(dirname "$0")/../.." && pwd)

run_exe "$exe" /plan /roles:edge-server /mode:occasional
expect_rc 0 "/plan text"
expect_match "$out" '^Plan: Arctera DLO 10.0, Occasional BOI \(command line\), roles: edge-server \(command line\)' "/plan names policy, mode and roles and where they came from"
expect_match "$out" 'in +tcp +443 +All .*Arctera DLO - Edge Server HTTPS \(TCP-In\)' "/plan lists the Edge Server HTTPS rule"

run_exe "$exe" /plan /json /roles:Edge-Server,CLIENT /mode:Occasional-BOI
expect_rc 0 "/plan /json with aliases and odd case"
if printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["mode"]=="occasional" and d["roles"]==["edge-server","client"] and len(d["rules"])>0' 2>/dev/null; then
  ok "/plan /json is valid JSON with mode and roles"
else
  not_ok "/plan /json is not the expected JSON: $out"
fi

run_exe "$exe" /plan /json /roles:sql-server /mode:nonboi /sqlport:51433
expect_match "$out" '"name": "Arctera DLO - SQL Server \(TCP-In\)", "direction": "in", "protocol": "tcp", "local_ports": "51433"' "/sqlport changes the SQL rule"

# Without /roles (and no Roles value configured) the roles come from detection.
run_exe "$exe" /plan /mode:nonboi
expect_rc 0 "/plan without /roles"
expect_match "$out" 'roles: .* \(detected\)' "without /roles the roles are detected"

# Without /mode (and no BOIMode configured) the mode is the default, Non-BOI.
run_exe "$exe" /plan /roles:client
expect_rc 0 "/plan without /mode"
expect_match "$out" 'Non-BOI \(default\)' "without /mode the mode is the default"

run_exe "$exe" /plan /roles:client,wizard /mode:nonboi
expect_rc 2 "unknown role"
expect_match "$err" "/roles:\"client,wizard\": unknown role 'wizard'; valid roles are: admin-server, admin-console" "unknown role lists the valid names"

run_exe "$exe" /plan /roles:client /mode:sometimes
expect_rc 2 "unknown mode"
expect_match "$err" "/mode:\"sometimes\": unknown BOI mode 'sometimes'; valid modes are: nonboi" "unknown mode lists the valid names"

run_exe "$exe" /plan /roles:client /mode:nonboi /sqlport:0
expect_rc 2 "/sqlport:0"
expect_match "$err" "/sqlport:\"0\": not a port number \\('0' is out of range\\); expected a TCP port from 1 to 65535" "bad port is explained"

# A replacement matrix from a file (Windows path through drive Z:).
sed 's/^  ports      8443$/  ports      9443/' "$src/policies/dlo-10.0.ports" >"$tmp/custom.ports"
run_exe "$exe" /plan /json /roles:dedupe-server /mode:nonboi "/policy:Z:$tmp/custom.ports"
expect_rc 0 "/policy:FILE"
expect_match "$out" '"local_ports": "9443"' "/policy:FILE replaces the built-in matrix"

printf 'dloagent-policy 1\nrelease X\nrow a\n  table desk\n' >"$tmp/bad.ports"
run_exe "$exe" /plan /roles:client /mode:nonboi "/policy:Z:$tmp/bad.ports"
expect_rc 2 "malformed policy file"
expect_match "$err" "bad.ports:4: table must be server or client" "policy error names file, line and expectation"
expect_empty "$out" "nothing on stdout for a bad policy"

run_exe "$exe" /matrix "/policy:Z:$tmp/missing.ports"
expect_rc 2 "missing policy file"
expect_match "$err" "/policy: cannot open Z:.*missing.ports" "missing policy file is named"

# A data file is capped before it is read: a device (NUL), and a file over the cap.
run_exe "$exe" /plan /roles:client /policy:NUL
expect_rc 2 "/policy:NUL"
expect_match "$err" "/policy: NUL is not a regular file" "a device is refused as a policy file"
truncate -s 1048577 "$tmp/big.ports"
run_exe "$exe" /matrix "/policy:Z:$tmp/big.ports"
expect_rc 2 "/policy: over 1 MiB"
expect_match "$err" "big.ports is 1048577 bytes; expected at most 1048576" "the size and the cap are named"
run_exe "$exe" /detect /detection:NUL
expect_rc 2 "/detection:NUL"
expect_match "$err" "detection table: NUL is not a regular file" "a device is refused as a detection table"

run_exe "$exe" /matrix
expect_rc 0 "/matrix"
expect_match "$out" '^Port matrix: Arctera DLO 10.0, 20 rows' "/matrix shows the embedded matrix"

finish
