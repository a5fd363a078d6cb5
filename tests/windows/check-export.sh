#!/bin/sh
# Parses what the agent prints for /export:powershell with the PowerShell grammar (psparse.cjs).
# Usage: check-export.sh AGENT NODE PSPARSE MODULE_DIR PLAN-SWITCH...
# Fails when the agent fails or prints nothing, or when the grammar finds a problem.
set -eu
agent=$1 node=$2 psparse=$3 modules=$4
shift 4
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! "$agent" /export:powershell "$@" >"$out"; then
  echo "FAIL: $agent /export:powershell $* exited non-zero"
  exit 1
fi
"$node" "$psparse" "$modules" "--name=/export:powershell $*" - <"$out"
