#!/usr/bin/env bash
# The main job: set-up, build dloagent.exe, and show it working under Wine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
./toolchain/setup.sh
cmake --preset windows >/dev/null
cmake --build --preset windows

export WINEPREFIX="$root/build/windows/wineprefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
exe="$root/build/windows/dloagent.exe"
demo() {
  printf '\n> dloagent.exe %s\n' "$*"
  wine "$exe" "$@" </dev/null
}
sh tests/wine/session.sh start
trap 'sh tests/wine/session.sh stop >/dev/null' EXIT
demo /version
demo /help
