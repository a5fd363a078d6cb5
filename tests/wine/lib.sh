# Shared helpers for the shell tests that drive the real executables under Wine.
# Each check prints one line; the script ends with "N passed, N failed" and fails if any did.
passed=0
failed=0

# Wine's own programs, started by their full path: `wine reg` starts a Wine process that looks
# the name up and starts reg.exe as a second one (about 50 ms more a call here); the path, one.
REG='C:\windows\system32\reg.exe'
SC='C:\windows\system32\sc.exe'

ok() { passed=$((passed + 1)); echo "ok: $*"; }
not_ok() { failed=$((failed + 1)); echo "FAIL: $*"; }

# run_exe EXE ARGS...: sets $out, $err and $rc (wine's own noise is off with WINEDEBUG=-all).
run_exe() {
  _exe=$1
  shift
  _t=$(mktemp -d)
  wine "$_exe" "$@" </dev/null >"$_t/out" 2>"$_t/err"
  rc=$?
  out=$(tr -d '\r' <"$_t/out")
  err=$(tr -d '\r' <"$_t/err")
  rm -rf "$_t"
}

expect_rc() { # WANT DESCRIPTION
  if [ "$rc" -eq "$1" ]; then ok "$2: exit $rc"; else not_ok "$2: exit $rc, expected $1 (stderr: $err)"; fi
}

expect_match() { # TEXT REGEX DESCRIPTION
  if printf '%s\n' "$1" | grep -Eq -- "$2"; then ok "$3"; else not_ok "$3: /$2/ not in: $1"; fi
}

expect_empty() { # TEXT DESCRIPTION
  if [ -z "$1" ]; then ok "$2"; else not_ok "$2: expected nothing, got: $1"; fi
}

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
