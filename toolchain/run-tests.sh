#!/usr/bin/env bash
# Every test: set-up, then the host build (core under ASan/UBSan, fuzzers) and the Windows build
# (unit tests and the real executables under Wine). Both always run; the exit code is non-zero
# if either failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
./toolchain/setup.sh || exit 1

status=0
fuzz_stats=build/host/tests/fuzz/stats
rm -f "$fuzz_stats"/*.txt
for preset in host windows; do
  echo "=== $preset build and tests"
  if ! cmake --workflow --preset "$preset"; then
    echo "=== $preset: FAILED"
    status=1
  fi
  if [ "$preset" = host ]; then
    echo "=== fuzz targets: coverage reached and inputs tried in this run"
    cat "$fuzz_stats"/*.txt 2>/dev/null || echo "(no fuzz target ran)"
  fi
done
[ $status -eq 0 ] && echo "=== all tests passed (host and windows)"
exit $status
