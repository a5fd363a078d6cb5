#!/bin/sh
# Regenerates the golden plans from the host build's dloagent-host. Review every diff against the
# vendor's table (policies/vendor/) before committing: the goldens are the reviewed truth.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exe=${1:-$here/../../build/host/dloagent-host}
# The roles the agent knows, from its own table (/matrix /json): a role added there gets its
# goldens here, and test_plan fails until they exist.
roles=$("$exe" /matrix /json | python3 -c 'import json, sys
print(" ".join(r["name"] for r in json.load(sys.stdin)["roles"]))')
for mode in nonboi exclusive occasional; do
  mkdir -p "$here/plan/$mode"
  for role in $roles; do
    "$exe" /plan /json /roles:$role /mode:$mode >"$here/plan/$mode/$role.json"
  done
done
git -C "$here" status --short plan
