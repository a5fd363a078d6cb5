#!/bin/sh
# Regenerates the golden plans from the host build's dloagent-host. Review every diff against the
# vendor's table (policies/vendor/) before committing: the goldens are the reviewed truth.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exe=${1:-$here/../../build/host/dloagent-host}
for mode in nonboi exclusive occasional; do
  mkdir -p "$here/plan/$mode"
  for role in admin-server admin-console dedupe-server maintenance-server edge-server io-server \
              client sql-server storage dedupe-storage web-restore; do
    "$exe" /plan /json /roles:$role /mode:$mode >"$here/plan/$mode/$role.json"
  done
done
git -C "$here" status --short plan
