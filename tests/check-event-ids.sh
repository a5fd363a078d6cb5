#!/bin/sh
# Usage: check-event-ids.sh SOURCE_DIR
# The Event Log IDs must be the same in include/dlo/log.h (dlo_event), agent/win/dloagent.mc
# (the message table) and README.md (the table monitoring rules are written from).
cd "$1" || exit 1
ids_h=$(sed -n 's/^ *DLO_EV_[A-Z_]* = \([0-9][0-9]*\),.*/\1/p' include/dlo/log.h | grep -v '^0$' | sort -n | tr '\n' ' ')
ids_mc=$(sed -n 's/^MessageId=\([0-9]*\).*/\1/p' agent/win/dloagent.mc | sort -n | tr '\n' ' ')
ids_md=$(sed -n 's/^| \([0-9][0-9][0-9][0-9]\) |.*/\1/p' README.md | sort -n | tr '\n' ' ')
echo "log.h:        $ids_h"
echo "dloagent.mc:  $ids_mc"
echo "README.md:    $ids_md"
[ -n "$ids_h" ] || { echo "no event IDs found in log.h"; exit 1; }
[ "$ids_h" = "$ids_mc" ] || { echo "log.h and dloagent.mc differ"; exit 1; }
[ "$ids_h" = "$ids_md" ] || { echo "log.h and README.md differ"; exit 1; }
echo "event IDs agree"
