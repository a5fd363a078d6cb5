#!/usr/bin/env bash
# Every test: set-up, then the Windows build (unit tests and the real executables under Wine)
# and the host build (core under ASan/UBSan, fuzzers). Both always run; the exit code is
# non-zero if either failed.
#
# The Windows tests take longest, so they start as soon as their build is done. The host's
# build and tests run beside the Windows build and tests at a lower priority (nice), on the CPU
# time those leave, so both cores work all the time without slowing the longest part. The
# host's output is shown in one piece, then the Windows tests' (kept meanwhile in
# build/windows/test-output.txt). Each phase's time is printed at its end and in the closing
# summary.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

t0=$(date +%s)
now() { echo $(($(date +%s) - t0)); }
summary=()
# phase NAME START END STATUS: one line of the summary, printed now too.
phase() {
  local line
  line=$(printf '%-14s %4d s   (%3d s to %3d s)   %s' "$1" $(($3 - $2)) "$2" "$3" "$4")
  summary+=("$line")
  echo "=== $line"
}
result() { if [ "$1" -eq 0 ]; then echo passed; else echo FAILED; fi; }

./toolchain/setup.sh || exit 1
phase setup 0 "$(now)" done
status=0

# The two jobs in the background each get a process group of their own (setsid), so that an
# interrupt can end them with everything they started.
stop_jobs() {
  local pid
  for pid in "$@"; do kill -TERM -- "-$pid" 2>/dev/null; done
}
host_log=build/host-build-output.txt
host_end=build/host-build-end
rm -f "$host_end"
host_start=$(now)
setsid bash -c 'nice -n 10 cmake --preset host && nice -n 10 cmake --build --preset host
  rc=$?; date +%s >"$1"; exit $rc' host-build "$host_end" >"$host_log" 2>&1 &
host_pid=$!
win_pid=
trap 'stop_jobs $host_pid $win_pid; exit 130' INT TERM

win_log=build/windows/test-output.txt
t=$(now)
if cmake --preset windows && cmake --build --preset windows; then
  phase "windows build" "$t" "$(now)" done
  win_start=$(now)
  setsid ctest --preset windows >"$win_log" 2>&1 &
  win_pid=$!
  echo "=== windows tests: started, output in $win_log"
else
  phase "windows build" "$t" "$(now)" FAILED
  status=1
fi
echo "=== host build (beside the windows build, output in $host_log)"
wait "$host_pid"
rc=$?
cat "$host_log"
if [ $rc -eq 0 ]; then
  phase "host build" "$host_start" $(($(cat "$host_end") - t0)) done
  fuzz_stats=build/host/tests/fuzz/stats
  rm -f "$fuzz_stats"/*.txt
  t=$(now)
  nice -n 10 ctest --preset host
  rc=$?
  phase "host tests" "$t" "$(now)" "$(result $rc)"
  [ $rc -eq 0 ] || status=1
  echo "=== fuzz targets: coverage reached and inputs tried in this run"
  cat "$fuzz_stats"/*.txt 2>/dev/null || echo "(no fuzz target ran)"
else
  phase "host build" "$host_start" $(($(cat "$host_end") - t0)) FAILED
  status=1
fi

if [ -n "$win_pid" ]; then
  echo "=== windows tests (since $win_start s)"
  tail -n +1 --pid="$win_pid" -f "$win_log"
  wait "$win_pid"
  rc=$?
  phase "windows tests" "$win_start" "$(now)" "$(result $rc)"
  [ $rc -eq 0 ] || status=1
fi
trap - INT TERM

echo "=== summary (seconds since the start)"
printf '%s\n' "${summary[@]}"
total=$(now)
if [ $status -eq 0 ]; then
  echo "=== all tests passed (host and windows) in $((total / 60)) min $((total % 60)) s"
else
  echo "=== FAILED (see above) after $((total / 60)) min $((total % 60)) s"
fi
exit $status
