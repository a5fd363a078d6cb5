#!/bin/sh
# Usage: test-cert.sh DIR
# Makes a throwaway code-signing certificate for builds that name none: a test root CA
# (DIR/test-root-ca.pem, the trust anchor the tests verify against) and a code-signing
# certificate it issued (DIR/test-sign.pem, key DIR/test-sign.key). Nothing outside the build
# folder trusts it; it exists so every build exercises the signing path.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
dir=$1
mkdir -p "$dir"
umask 077
cnf=$dir/test-cert.cnf
cat >"$cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
quiet() { "$@" >"$dir/openssl.log" 2>&1 || { cat "$dir/openssl.log" >&2; exit 1; }; }
quiet openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -config "$cnf" -extensions root \
  -subj "/O=Arctera (TEST ONLY)/CN=DLO build test root CA" \
  -keyout "$dir/test-root-ca.key" -out "$dir/test-root-ca.pem"
quiet openssl req -new -newkey rsa:3072 -nodes -config "$cnf" \
  -subj "/O=Arctera (TEST ONLY)/CN=DLO build test code signing" \
  -keyout "$dir/test-sign.key" -out "$dir/test-sign.csr"
quiet openssl x509 -req -days 3650 -in "$dir/test-sign.csr" -extfile "$cnf" -extensions leaf \
  -CA "$dir/test-root-ca.pem" -CAkey "$dir/test-root-ca.key" -set_serial "0x$(openssl rand -hex 16)" \
  -out "$dir/test-sign.pem"
rm -f "$dir/test-sign.csr" "$dir/openssl.log"
