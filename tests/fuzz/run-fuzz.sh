#!/bin/sh
# Runs one libFuzzer target for a bounded time and says what it reached.
# Usage: run-fuzz.sh TARGET SECONDS STATS_FILE FOUND_DIR CORPUS_DIR [libFuzzer options]
# SECONDS is the test run's default; DLO_FUZZ_SECONDS in the environment replaces it, for a
# longer run (DLO_FUZZ_SECONDS=300 ctest --preset host -R fuzz).
# Prints "NAME: coverage C (features F) from S on the seed corpus, E inputs in T s, corpus N",
# writes the same line to STATS_FILE, and fails with the fuzzer's report when it found a crash,
# a leak or a sanitizer error (libFuzzer exits non-zero then), or when it did not stop within
# two minutes of its time.
set -u
target=$1 seconds=${DLO_FUZZ_SECONDS:-$2} stats=$3 found=$4 corpus=$5
shift 5
name=$(basename "$target")
case "$seconds" in
'' | *[!0-9]* | 0)
  echo "$name: FAILED: DLO_FUZZ_SECONDS is '$seconds'; expected a whole number of seconds, 1 or more"
  exit 1
  ;;
esac
log=$(mktemp)
trap 'rm -f "$log"' EXIT
timeout $((seconds + 120)) "$target" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
  "$@" "$found" "$corpus" >"$log" 2>&1
rc=$?
if [ $rc -eq 124 ]; then
  tail -n 20 "$log"
  echo "$name: FAILED: still running $((seconds + 120)) s after it was started for $seconds s"
  exit 1
fi
if [ $rc -ne 0 ]; then
  tail -n 60 "$log"
  echo "$name: FAILED (exit $rc): the input that broke it is in $found or the current folder"
  exit 1
fi
seed=$(sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
cov=$(sed -n 's/.*DONE *cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
ft=$(sed -n 's/.*DONE *cov: [0-9]* ft: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
corp=$(sed -n 's/.*DONE *cov: [0-9]* ft: [0-9]* corp: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
if [ -z "$cov" ] || [ -z "$execs" ]; then
  tail -n 20 "$log"
  echo "$name: FAILED: no final statistics in libFuzzer's output"
  exit 1
fi
line="$name: coverage $cov (features $ft) from $seed on the seed corpus, $execs inputs in $seconds s, corpus $corp"
echo "$line"
echo "$line" >"$stats"
