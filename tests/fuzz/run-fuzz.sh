#!/bin/sh
# Runs one libFuzzer target for a bounded time and says what it reached.
# Usage: run-fuzz.sh TARGET SECONDS STATS_FILE FOUND_DIR CORPUS_DIR [libFuzzer options]
# Prints "NAME: coverage C (features F) from S on the seed corpus, E inputs in T s, corpus N",
# writes the same line to STATS_FILE, and fails with the fuzzer's report when it found a crash,
# a leak or a sanitizer error (libFuzzer exits non-zero then).
set -u
target=$1 seconds=$2 stats=$3 found=$4 corpus=$5
shift 5
name=$(basename "$target")
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$target" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 "$@" "$found" "$corpus" \
  >"$log" 2>&1
rc=$?
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
