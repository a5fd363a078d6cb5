#!/usr/bin/env bash
# Every test: set-up, then the host build (core under ASan/UBSan, fuzzers) and the Windows build
# (unit tests and the real executables under Wine). Both always run; the exit code is non-zero
# if either failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
./toolchain/setup.sh || exit 1

status=0
for preset in host windows; do
  echo "=== $preset build and tests"
  if ! cmake --workflow --preset "$preset"; then
    echo "=== $preset: FAILED"
    status=1
  fi
done
[ $status -eq 0 ] && echo "=== all tests passed (host and windows)"
exit $status
