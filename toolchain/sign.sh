#!/bin/sh
# Usage: sign.sh OSSLSIGNCODE FILE [OPTION...]
# Authenticode-signs FILE (a PE or an MSI) in place with osslsigncode; the OPTIONs name the
# certificate and key (-certs/-key, or -pkcs12), the password file and the timestamp server,
# as toolchain/release.cmake chose them.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 OSSLSIGNCODE FILE [OPTION...]" >&2; exit 2; }
tool=$1
file=$2
shift 2
# A file that failed to sign is removed, so no unsigned file passes for a finished one.
trap 'rm -f "$file" "$file.signing"' EXIT
rm -f "$file.signing"
if ! "$tool" sign "$@" -h sha256 -n "Arctera DLO Firewall Agent" -i "https://www.arctera.io" \
     -in "$file" -out "$file.signing" >"$file.signing.log" 2>&1; then
  cat "$file.signing.log" >&2
  echo "sign.sh: signing $file failed" >&2
  exit 1
fi
rm -f "$file.signing.log"
chmod "$(stat -c %a "$file")" "$file.signing"
mv "$file.signing" "$file"
trap - EXIT
