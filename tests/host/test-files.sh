#!/bin/sh
# Usage: test-files.sh PATH/TO/dloagent-host
# The host build's reader of data files (dlo_platform.read_file) caps a file before it reads it:
# a character device that never ends (/dev/zero), a pipe nobody writes (a FIFO), a folder, and a
# regular file over the cap are refused with the path and the reason, exit 2, and none of them
# is read to its end or waited on. Each run is bounded by `timeout`, so a hang fails the test.
# The detection table goes through the same reader with its own cap (unit tests check the core
# passes it); the host build has no detection to read one with, so /policy: drives it here, and
# tests/wine/test-plan.sh does the same for the Windows reader.
exe=$1
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
not_ok() { failed=$((failed + 1)); echo "FAIL: $*"; }

t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkfifo "$t/fifo"
# One byte over the policy file's cap (DLO_POLICY_MAX_BYTES, 1 MiB), as a sparse file.
truncate -s 1048577 "$t/big.ports"

refused() { # DESCRIPTION EXPECTED-STDERR ARGS...
  what=$1 want=$2
  shift 2
  timeout 10 "$exe" "$@" </dev/null >"$t/out" 2>"$t/err"
  rc=$?
  if [ "$rc" -eq 2 ] && grep -q -- "$want" "$t/err"; then
    ok "$what: exit 2, '$want'"
  else
    not_ok "$what: exit $rc (124 is a hang), stderr: $(cat "$t/err")"
  fi
}

refused "/policy:/dev/zero" "/policy: /dev/zero is not a regular file" /plan /roles:client /policy:/dev/zero
refused "/policy: a FIFO" "is not a regular file" /plan /roles:client "/policy:$t/fifo"
refused "/policy: a folder" "is not a regular file" /plan /roles:client "/policy:$t"
refused "/policy: over 1 MiB" "big.ports is 1048577 bytes; expected at most 1048576" /matrix "/policy:$t/big.ports"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
