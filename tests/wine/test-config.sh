#!/bin/sh
# Usage: test-config.sh PATH/TO/dloagent.exe
# /config against the real registry of the Wine prefix: both keys, every registry type the
# values come in (REG_SZ, REG_MULTI_SZ, REG_DWORD) and some they must not, command-line
# overrides, and the exit code and message of a bad value.
. "$(dirname "$0")/lib.sh"
exe=$1

key='HKLM\SOFTWARE\Arctera\DLO\FirewallAgent'
pol='HKLM\SOFTWARE\Policies\Arctera\DLO\FirewallAgent'
quiet() { "$@" </dev/null >/dev/null 2>&1; }
reg_set() { quiet wine "$REG" add "$1" /v "$2" /t "$3" /d "$4" /f; }
clean() {
  quiet wine "$REG" delete "$key" /f
  quiet wine "$REG" delete 'HKLM\SOFTWARE\Policies\Arctera' /f
}
trap clean EXIT
clean

run_exe "$exe" /config
expect_rc 0 "/config with no configuration"
expect_match "$out" '^  BOIMode +default +nonboi$' "BOIMode defaults to nonboi"
expect_match "$out" '^  EdgeServers +default +\*$' "scopes default to *"
expect_empty "$err" "nothing on stderr"

reg_set "$key" BOIMode REG_SZ occasional
reg_set "$pol" BOIMode REG_SZ Exclusive-BOI
reg_set "$key" Roles REG_MULTI_SZ 'client\0io-server'
reg_set "$pol" ClientNetworks REG_MULTI_SZ '10.0.0.0/8\0LocalSubnet, fe80::1'
reg_set "$key" SqlPort REG_SZ ' 1433 '
reg_set "$key" ReconcileIntervalMinutes REG_DWORD 15
reg_set "$pol" AddRoles REG_SZ ''
run_exe "$exe" /config /json
expect_rc 0 "/config /json with both keys"
expect_match "$out" '"BOIMode": \{"value": "exclusive", "source": "policy"\}' "the policy key wins"
expect_match "$out" '"Roles": \{"value": \["io-server", "client"\], "source": "installer"\}' "REG_MULTI_SZ roles"
expect_match "$out" '"ClientNetworks": \{"value": \["10\.0\.0\.0/255\.0\.0\.0", "LocalSubnet", "fe80::1/128"\], "source": "policy"\}' "REG_MULTI_SZ addresses, normalised"
expect_match "$out" '"SqlPort": \{"value": 1433, "source": "installer"\}' "SqlPort as REG_SZ"
expect_match "$out" '"ReconcileIntervalMinutes": \{"value": 15, "source": "installer"\}' "interval as REG_DWORD"
expect_match "$out" '"AddRoles": \{"value": \[\], "source": "default"\}' "an empty policy string counts as absent"
expect_match "$out" '"effectiveIntervalSeconds": 900\}' "effective interval"

run_exe "$exe" /config /mode:nonboi /clientnetworks:LocalSubnet
expect_rc 0 "/config with overrides"
expect_match "$out" '^  BOIMode +command line +nonboi$' "/mode wins over the policy key"
expect_match "$out" '^  ClientNetworks +command line +LocalSubnet$' "/clientnetworks wins"

reg_set "$pol" SqlPort REG_DWORD 2433
run_exe "$exe" /config
expect_match "$out" '^  SqlPort +policy +2433$' "SqlPort as REG_DWORD in the policy key"

# Bad values: exit 2, the key, the value, what it holds, what is expected; nothing on stdout.
reg_set "$pol" BOIMode REG_DWORD 1
run_exe "$exe" /config
expect_rc 2 "BOIMode as REG_DWORD"
expect_match "$err" '^dloagent: HKLM\\SOFTWARE\\Policies\\Arctera\\DLO\\FirewallAgent value BOIMode holds REG_DWORD 1: the type REG_DWORD is wrong; expected REG_SZ holding a BOI mode' "wrong type named"
expect_empty "$out" "nothing on stdout"
reg_set "$pol" BOIMode REG_BINARY 0102
run_exe "$exe" /config
expect_rc 2 "BOIMode as REG_BINARY"
expect_match "$err" 'holds REG_BINARY of 2 bytes: the type REG_BINARY is wrong' "binary named by size"
reg_set "$pol" BOIMode REG_SZ 'turbo'
run_exe "$exe" /config
expect_rc 2 "unknown mode"
expect_match "$err" 'value BOIMode holds REG_SZ "turbo": unknown BOI mode .turbo.; valid modes are: nonboi' "unknown mode named with the valid ones"
quiet wine "$REG" delete "$pol" /v BOIMode /f

reg_set "$key" EdgeServers REG_SZ '10.0.0.1,server01'
run_exe "$exe" /config
expect_rc 2 "single-label host name in a scope"
expect_match "$err" "value EdgeServers holds REG_SZ \"10\\.0\\.0\\.1,server01\": 'server01' is not a valid host name: it is a single label" "the bad entry named, and why a name of one label is refused"
quiet wine "$REG" delete "$key" /v EdgeServers /f

long=$(head -c 5000 /dev/zero | tr '\0' 'a')
reg_set "$key" IoServers REG_SZ "$long"
run_exe "$exe" /config
expect_rc 2 "5000 characters"
expect_match "$err" 'holds REG_SZ of 5000 characters "a{20}.*\.\.\.": too long \(5000 characters\); expected at most 4096' "absurd length reported, value cut"
quiet wine "$REG" delete "$key" /v IoServers /f

reg_set "$key" Roles REG_SZ 'clïent'
run_exe "$exe" /config
expect_rc 2 "non-ASCII role name"
expect_match "$err" "unknown role 'clïent'" "UTF-8 kept intact in the message"
quiet wine "$REG" delete "$key" /v Roles /f

run_exe "$exe" /config /sqlport:0
expect_rc 2 "/sqlport:0"
expect_match "$err" '/sqlport:"0": not a port number' "bad switch value named"

finish
