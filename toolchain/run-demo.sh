#!/usr/bin/env bash
# The main job: builds everything, makes a Wine prefix that looks like a DLO server, installs
# the Windows Firewall double and the MSI silently, shows what the agent detects, plans and
# verifies and the rules in the firewall's store, then uninstalls and shows what is left.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
started=$(date +%s)

step() { printf '\n=== %s\n' "$*"; }
show() { printf '\n> %s\n' "$*"; }

step "Set-up and build (toolchain/setup.sh, cmake --preset windows)"
./toolchain/setup.sh
cmake --preset windows >/dev/null
cmake --build --preset windows

step "The release: stripped, debug information beside it, Authenticode-signed (test certificate unless one is named)"
exe=$root/build/windows/dloagent.exe
echo "dloagent.exe: $(stat -c %s "$exe") bytes (debug information in dloagent.exe.debug: $(stat -c %s "$exe.debug") bytes)"
show "osslsigncode verify dloagent.exe"
osslsigncode verify -CAfile build/windows/signing/test-root-ca.pem -in "$exe" 2>&1 |
  awk '/Subject:|Issuer :/ && n < 2 { n++; print } /Signature verification/' | sed 's/^[[:space:]]*/  /'

demo=$root/build/demo
msi=$root/build/windows/dloagent.msi
double=$root/build/windows/tests/fwdouble/fwdouble.dll
export WINEPREFIX=$demo/wineprefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
agent='C:\Program Files\Arctera\DLO Firewall Agent\dloagent.exe'
rules_key='HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\FirewallRules'
mkdir -p "$demo"

quiet() { "$@" </dev/null >/dev/null 2>&1; }
run() { wine "$@" </dev/null | tr -d '\r'; }
product_gone() {
  quiet wine msiexec /x "$msi" /qn || true
  quiet wine sc stop DLOAdminSvcu || true
  quiet wine sc delete DLOAdminSvcu || true
  quiet wine sc delete DLOMaintenanceSvc || true
}
finish() {
  product_gone
  quiet sh tests/fwdouble/activate.sh stop "$double" || true
  quiet sh tests/wine/session.sh stop || true
}

step "A Wine prefix that looks like a DLO Administration and Maintenance Server ($WINEPREFIX)"
[ -f "$WINEPREFIX/system.reg" ] || echo "(a new prefix: about 15 s, once)"
sh tests/wine/session.sh start
trap finish EXIT
product_gone
# Stand-ins: detection looks at the services, not at what they run. The Administration Service's
# stand-in listens on its port, 3999 (loopback only), with a service SID, so the agent has the
# evidence to bind the Administration Service rules to it; the other runs nothing.
listener="Z:$(printf %s "$root/build/windows/tests/listen_service.exe" | tr / \\\\)"
show "sc create DLOAdminSvcu binPath= \"listen_service.exe 3999\" (a stand-in that listens on 3999)"
run sc create DLOAdminSvcu binPath= "\"$listener\" 3999" start= demand DisplayName= "DLO Administration Service"
run reg add 'HKLM\SYSTEM\CurrentControlSet\Services\DLOAdminSvcu' /v ServiceSidType /t REG_DWORD /d 1 /f >/dev/null
run sc start DLOAdminSvcu >/dev/null
show "sc create DLOMaintenanceSvc DisplayName= \"DLO Maintenance Service\""
run sc create DLOMaintenanceSvc binPath= 'C:\windows\system32\notepad.exe' start= demand DisplayName= "DLO Maintenance Service"

step "The Windows Firewall double (Wine's own firewall keeps no rules; tests/fwdouble/README.md)"
sh tests/fwdouble/activate.sh start "$double"
# A rule someone else owns: the agent must leave it alone, the uninstall too.
run reg add "$rules_key" /v '{D0000000-0000-4000-8000-000000000001}' /t REG_SZ /f \
  /d 'v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=3389|Name=Remote Desktop (kept by the administrator)|EmbedCtxt=Remote Desktop|' >/dev/null
echo "planted one foreign rule (Remote Desktop, TCP 3389)"

# Wine's Event Log keeps nothing: the service also writes its events to a trace file, read below.
trace="$WINEPREFIX/drive_c/ProgramData/Arctera/DLO Firewall Agent/Trace/demo.log"
rm -f "$trace"
run reg add 'HKLM\SOFTWARE\Arctera\DLO\FirewallAgent' /v TraceFile /t REG_SZ /d demo.log /f >/dev/null

step "Silent install: msiexec /i dloagent.msi /qn BOIMODE=occasional"
t0=$(date +%s%N)
set +e
wine msiexec /i "$msi" /qn BOIMODE=occasional /l*v "$demo/install.log" </dev/null
rc=$?
set -e
t1=$(date +%s%N)
echo "msiexec exit code $rc, $(((t1 - t0) / 1000000)) ms; log: build/demo/install.log"
[ "$rc" -eq 0 ] || { grep -a 'dloagent' "$demo/install.log" | tail -5; exit 1; }
echo "what the package's custom actions logged:"
grep -a '^dloagent' "$demo/install.log" | sed 's/^/  /'
show "sc query dloagent"
run sc query dloagent

show "dloagent.exe /detect"
run "$agent" /detect
show "dloagent.exe /config"
run "$agent" /config

# The service applies the rules of the detected roles in the configured mode, at its start.
printf '\nwaiting for the service to apply the rules'
for _ in $(seq 1 60); do
  quiet wine "$agent" /verify && break
  printf '.'
  sleep 0.5
done
echo

show "dloagent.exe /plan   (each rule, why it exists, what it is bound to; then what is open to whom)"
run "$agent" /plan
show "dloagent.exe /verify"
set +e
wine "$agent" /verify </dev/null | tr -d '\r'
rc=${PIPESTATUS[0]}
set -e
echo "(exit code $rc: 0 compliant, 1 not compliant, 2 bad configuration, 3 could not check)"
show "dloagent.exe /verify /strict   (the warnings above count: an inbound rule open to any address is not compliant)"
set +e
wine "$agent" /verify /strict </dev/null | tr -d '\r'
rc=${PIPESTATUS[0]}
set -e
echo "(exit code $rc)"
# A change board's question: what would scoping the Administration Consoles change?
wine "$agent" /plan /json </dev/null | tr -d '\r' >"$demo/plan-now.json"
show "dloagent.exe /plan /adminconsoles:10.20.0.0/16 /compare:plan-now.json   (what the change opens and closes)"
set +e
wine "$agent" /plan /adminconsoles:10.20.0.0/16 "/compare:Z:$demo/plan-now.json" </dev/null | tr -d '\r'
rc=${PIPESTATUS[0]}
set -e
echo "(exit code $rc: 0 nothing differs, 1 something does)"
show "reg query HKLM\\SOFTWARE\\Arctera\\DLO\\FirewallAgent\\State   (the compliance state inventory tools read)"
run reg query 'HKLM\SOFTWARE\Arctera\DLO\FirewallAgent\State'
show "reg query ...\\FirewallPolicy\\FirewallRules   (the firewall's rule store)"
run reg query "$rules_key"

step "Drift closed within a second: one of the agent's rules deleted with reg delete"
owned_rule=$(run reg query "$rules_key" | sed -n 's/^    \({[^ ]*}\)    REG_SZ    .*|Name=\([^|]*\)|.*EmbedCtxt=Arctera DLO Firewall Agent|.*/\1\t\2/p' | head -1)
rule_id=${owned_rule%%$'\t'*}
rule_name=${owned_rule#*$'\t'}
show "reg delete ...\\FirewallRules /v $rule_id /f   ($rule_name)"
t0=$(date +%s%N)
run reg delete "$rules_key" /v "$rule_id" /f
back=""
for _ in $(seq 1 200); do
  # grep reads to the end (no -q): under pipefail an early exit would fail reg's write.
  if run reg query "$rules_key" | grep -F "|Name=$rule_name|" >/dev/null; then back=$(date +%s%N); break; fi
  sleep 0.05
done
if [ -n "$back" ]; then
  echo "the service put '$rule_name' back $(((back - t0) / 1000000)) ms after reg delete started"
else
  echo "the rule was not back within 10 s"
fi
show "the service's event (its trace file, as the Event Log would show it)"
sleep 0.5
grep -a ' 1101 ' "$trace" | tail -1 | fold -s -w 120 || echo "(no event 1101 in the trace)"

step "Uninstall: msiexec /x dloagent.msi /qn"
t0=$(date +%s%N)
wine msiexec /x "$msi" /qn /l*v "$demo/uninstall.log" </dev/null
t1=$(date +%s%N)
echo "msiexec exit code 0, $(((t1 - t0) / 1000000)) ms; log: build/demo/uninstall.log"
show "sc query dloagent"
if run sc query dloagent | grep .; then echo "(the service is still there)"; else echo "(no such service)"; fi
show "reg query ...\\FirewallRules   (the foreign rule stays, the agent's rules are gone)"
run reg query "$rules_key"
show "dir \"C:\\Program Files\\Arctera\""
if [ -e "$WINEPREFIX/drive_c/Program Files/Arctera" ]; then ls -R "$WINEPREFIX/drive_c/Program Files/Arctera"; else echo "(gone)"; fi

printf '\n=== Done in %d s.\n' $(($(date +%s) - started))
