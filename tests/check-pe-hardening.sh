#!/bin/sh
# Usage: check-pe-hardening.sh OBJDUMP FILE...
# Reads each PE's DllCharacteristics and imports; fails naming every flag that is missing and
# every runtime DLL that is imported.
objdump=$1
shift
[ $# -gt 0 ] || { echo "no binaries given"; exit 1; }
fail=0
for f in "$@"; do
  flags=$("$objdump" -p "$f" | sed -n '/^DllCharacteristics/,/^[A-Z][A-Za-z]*[[:space:]][[:space:]]*[0-9a-f]/p')
  for want in HIGH_ENTROPY_VA DYNAMIC_BASE NX_COMPAT; do
    if ! printf '%s\n' "$flags" | grep -qw "$want"; then
      echo "FAIL: $f lacks $want"
      fail=1
    fi
  done
  # Only system DLLs may be imported: a mingw runtime DLL (libssp-0.dll, libgcc_s_*.dll,
  # libwinpthread-1.dll) would be searched for next to the binary.
  runtime=$("$objdump" -p "$f" | sed -n 's/^[[:space:]]*DLL Name: //p' | grep -i '^lib' || true)
  if [ -n "$runtime" ]; then
    echo "FAIL: $f imports non-system DLLs: $runtime"
    fail=1
  fi
  [ $fail -ne 0 ] || echo "ok: $(basename "$f")"
done
exit $fail
