#!/bin/sh
# Usage: session.sh start|stop   (WINEPREFIX set by CTest)
# start: creates the test prefix if needed and leaves a persistent wineserver running, so each
#        later `wine x.exe` costs milliseconds instead of seconds.
# stop:  ends that wineserver (and so every Wine process of the prefix).
# All three standard streams of the background processes go to /dev/null: if wineserver or
# services.exe inherited CTest's output pipe, CTest would wait for them forever.
set -eu
: "${WINEPREFIX:?WINEPREFIX must be set}"
export WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
case "${1:-}" in
start)
  if [ ! -f "$WINEPREFIX/system.reg" ]; then
    mkdir -p "$WINEPREFIX"
    wineboot -i </dev/null >/dev/null 2>&1
  fi
  # Whatever server the prefix has now (the one `wineboot -i` started lingers a few seconds, or
  # one left by an interrupted run) is not persistent, or is stale: end it and wait until it is
  # gone, since a second wineserver for a prefix refuses to start.
  wineserver -k </dev/null >/dev/null 2>&1 || true
  wineserver -w </dev/null >/dev/null 2>&1 || true
  # In the foreground: wineserver puts itself in the background once it listens. Started with
  # '&', `wine wineboot` could win the race and start an ordinary server, which ends the
  # services (and itself) 3 s after the last ordinary Wine process.
  if ! wineserver -p </dev/null >/dev/null 2>&1; then
    echo "could not start a persistent wineserver for $WINEPREFIX"
    exit 1
  fi
  wine wineboot </dev/null >/dev/null 2>&1
  # Prove the session works: a registry read goes through the server.
  wine reg query 'HKLM\Software\Microsoft\Windows NT\CurrentVersion' /v CurrentVersion </dev/null 2>/dev/null \
    | grep -q CurrentVersion || { echo "wine session did not start in $WINEPREFIX"; exit 1; }
  echo "wine session ready in $WINEPREFIX"
  ;;
stop)
  wineserver -k </dev/null >/dev/null 2>&1 || true
  echo "wine session stopped"
  ;;
*)
  echo "usage: $0 start|stop" >&2
  exit 2
  ;;
esac
