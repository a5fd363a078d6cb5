#!/bin/sh
# Usage: activate.sh start|stop PATH/TO/fwdouble.dll   (WINEPREFIX set, Wine session running)
# start: points HKLM\Software\Classes\CLSID\{NetFwPolicy2,NetFwRule}\InprocServer32 at the
#        double (its DllRegisterServer, through regsvr32), so every process of the prefix gets
#        it from CoCreateInstance; empties the rule store, the profile settings and the test key.
# stop:  gives both CLSIDs back to the DLL they had before (Wine's hnetcfg.dll).
# Each checks the registry afterwards and fails, saying what it found, if the switch did not
# take.
set -eu
: "${WINEPREFIX:?WINEPREFIX must be set}"
export WINEDEBUG=${WINEDEBUG:--all}
[ $# -eq 2 ] || { echo "usage: $0 start|stop PATH/TO/fwdouble.dll" >&2; exit 2; }
action=$1
dll=$2
[ -f "$dll" ] || { echo "no such DLL: $dll" >&2; exit 2; }

policy_clsid='{E2B3C97F-6AE1-41AC-817A-F6F92166D7DD}'
rule_clsid='{2C5BC43E-3369-4C33-AB0C-BE9469677AF4}'
firewall_policy='HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy'
test_key='HKLM\SOFTWARE\dloagent-tests\FirewallDouble'

# Wine maps Z: to the Unix root in every prefix, so the Windows path follows from the Unix one;
# asking winepath costs a Wine process and came back empty once in four runs here, after the
# MSI test had ended its services.
case "$dll" in
/*) ;;
*) dll=$(cd "$(dirname "$dll")" && pwd)/$(basename "$dll") ;;
esac
wdll=Z:$(printf '%s' "$dll" | tr '/' '\\')

# The default value of a CLSID's InprocServer32, in lower case. Right after a session starts,
# `wine reg query` came back empty twice in about 25 starts here, so an empty answer is asked
# again (up to 5 times) before it counts; a value that is really missing stays missing.
inproc() {
  for _ in 1 2 3 4 5; do
    got=$(wine reg query "HKLM\\Software\\Classes\\CLSID\\$1\\InprocServer32" /ve </dev/null 2>/dev/null |
      tr -d '\r' | sed -n 's/^.*REG_SZ[[:space:]]*//p' | tr 'A-Z' 'a-z')
    [ -n "$got" ] && break
    sleep 0.2
  done
  printf '%s' "$got"
}

want=$(printf '%s' "$wdll" | tr 'A-Z' 'a-z')
case "$action" in
start)
  wine regsvr32 /s "$wdll" </dev/null >/dev/null 2>&1 ||
    { printf '%s\n' "regsvr32 $wdll failed"; exit 1; }
  for clsid in $policy_clsid $rule_clsid; do
    got=$(inproc "$clsid")
    [ "$got" = "$want" ] || { printf '%s\n' "CLSID $clsid points at '$got', not at $wdll"; exit 1; }
  done
  for key in "$firewall_policy" "$test_key"; do
    wine reg delete "$key" /f </dev/null >/dev/null 2>&1 || true
  done
  printf '%s\n' "firewall double active: both CLSIDs -> $wdll; rule store and test key empty"
  ;;
stop)
  wine regsvr32 /u /s "$wdll" </dev/null >/dev/null 2>&1 ||
    { printf '%s\n' "regsvr32 /u $wdll failed"; exit 1; }
  for clsid in $policy_clsid $rule_clsid; do
    got=$(inproc "$clsid")
    case "$got" in
    *hnetcfg.dll) ;;
    *) printf '%s\n' "CLSID $clsid points at '$got' after deactivation, not at hnetcfg.dll"; exit 1 ;;
    esac
  done
  echo "firewall double inactive: both CLSIDs -> hnetcfg.dll"
  ;;
*)
  echo "usage: $0 start|stop PATH/TO/fwdouble.dll" >&2
  exit 2
  ;;
esac
