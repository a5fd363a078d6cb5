#!/bin/sh
# Usage: test-service.sh PATH/TO/dloagent.exe PATH/TO/run_unelevated.exe
# The service under Wine, end to end: /install and what it registers, the start pass, a pass
# within seconds of a configuration change or a new service, a bad value reported while the
# loop keeps running, the drift-repair timer, a prompt stop, /run with Ctrl+C, the elevation
# checks, the compliance state the passes, /verify and /apply record (the State key), and
# /uninstall leaving nothing behind.
#
# Wine's Event Log keeps nothing (ReportEventW is a stub there), so the service is observed
# through its trace file: the installer key's TraceFile value names a file in the agent's trace
# folder (%ProgramData%\Arctera\DLO Firewall Agent\Trace) that receives every event as
# "TIME ID LEVEL TEXT". What the passes do to the firewall is read from the firewall
# double's rule store (the Windows store), and checked with `dloagent.exe /verify`, which plans
# from the same configuration. Needs the persistent wineserver of the CTest fixture (Wine ends
# services a few seconds after the last ordinary Wine process otherwise) and the double.
. "$(dirname "$0")/lib.sh"
exe=$1
unelevated=$2

key='HKLM\SOFTWARE\Arctera\DLO\FirewallAgent'
pol='HKLM\SOFTWARE\Policies\Arctera\DLO\FirewallAgent'
svckey='HKLM\SYSTEM\CurrentControlSet\Services\dloagent'
evkey='HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\dloagent'
winpath() { printf 'Z:%s' "$1" | tr / '\\'; }

work=$(mktemp -d)
tracedir="$WINEPREFIX/drive_c/ProgramData/Arctera/DLO Firewall Agent/Trace"
tracename=service-test-$$.log
trace=$tracedir/$tracename
outside=$WINEPREFIX/drive_c/outside-$$.txt
wexe=$(winpath "$(cd "$(dirname "$exe")" && pwd)/$(basename "$exe")")

quiet() { "$@" </dev/null >/dev/null 2>&1; }
# reg_set KEY NAME DATA [TYPE]: under load `wine "$REG" add` now and then fails, even silently, so
# the value is read back and the write retried; a write that never takes fails the script.
reg_set() {
  shown=$3
  [ "${4:-}" = REG_DWORD ] && shown=$(printf '0x%x' "$3")
  for _ in 1 2 3; do
    quiet wine "$REG" add "$1" /v "$2" /t "${4:-REG_SZ}" /d "$3" /f
    wine "$REG" query "$1" /v "$2" </dev/null 2>/dev/null | tr -d '\r' | grep -qiF -- "$shown" && return 0
    sleep 1
  done
  echo "reg add $1 /v $2 did not take" >&2
  exit 1
}
state() { wine "$SC" query dloagent </dev/null 2>/dev/null | tr -d '\r' | sed -n 's/.*STATE *: *[0-9]* *//p'; }
now_ms() { date +%s%3N; }
passes() { cat "$trace" 2>/dev/null | grep -c ' pass ('; }
# wait_until SECONDS COMMAND...: until COMMAND succeeds, tried every 0.1 s for at most SECONDS
# (a bound far above what it takes, for a busy machine); fails if it never did. The checks wait
# on the state they need, never for a fixed time.
wait_until() {
  _end=$(($(now_ms) + $1 * 1000))
  shift
  until "$@"; do
    [ "$(now_ms)" -lt "$_end" ] || return 1
    sleep 0.1
  done
}
running() { [ "$(state)" = RUNNING ]; }
passes_above() { [ "$(passes)" -gt "$1" ]; }
later_than() { [ "$(date +%s)" -gt "$1" ]; }
# next_second STAMP: until the clock is past STAMP's second (an ISO 8601 UTC time as the State
# key holds them), so that a time written from now on differs from STAMP.
next_second() { wait_until 5 later_than "$(date -u -d "$1" +%s)"; }
rules_key='HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\FirewallRules'
# The agent's rules in the store, one "ID<TAB>rule string" per line, sorted.
owned() {
  wine "$REG" query "$rules_key" </dev/null 2>/dev/null | tr -d '\r' |
    sed -n 's/^    \({[^ ]*}\)    REG_SZ    \(.*EmbedCtxt=Arctera DLO Firewall Agent|.*\)$/\1\t\2/p' | sort
}
owned_names() { owned | sed -n 's/.*|Name=\([^|]*\)|.*/\1/p' | sort; }
# expect_compliant DESCRIPTION: /verify, planning from the same configuration, finds the store
# exactly as the service should have left it.
expect_compliant() {
  run_exe "$exe" /verify
  if [ "$rc" -eq 0 ]; then ok "$1: /verify exits 0"; else not_ok "$1: /verify exits $rc: $out $err"; fi
}

# The compliance state (docs/fleet.md).
statekey="$key\\State"
state_value() { wine "$REG" query "$statekey" </dev/null 2>/dev/null | tr -d '\r' | sed -n "s/^    $1    REG_[A-Z_]*    //p"; }
# state_is DESCRIPTION VERIFY_JSON_FILE|- [NAME=VALUE...]: the key holds the values of docs/fleet.md
# with their types, says what /verify /json said, and holds each NAME=VALUE.
state_is() {
  _d=$1
  shift
  wine "$REG" query "$statekey" </dev/null >"$work/state.txt" 2>/dev/null
  if _why=$(python3 "$(dirname "$0")/state_matches.py" "$work/state.txt" "$@"); then ok "$_d"; else not_ok "$_d: $_why"; fi
}
# wait_state NAME VALUE SECONDS: until the key's NAME is VALUE (a pass writes it after its event).
wait_state() {
  _end=$(($(now_ms) + $3 * 1000))
  while [ "$(state_value "$1")" != "$2" ] && [ "$(now_ms)" -lt "$_end" ]; do sleep 0.1; done
}
verify_json() { run_exe "$exe" /verify /json; printf '%s\n' "$out" >"$work/verify.json"; }

# wait_for REGEX SECONDS: until the trace has a line matching REGEX; sets $waited_ms.
wait_for() {
  _start=$(now_ms)
  _end=$((_start + $2 * 1000))
  while [ "$(now_ms)" -lt "$_end" ]; do
    if grep -Eq -- "$1" "$trace" 2>/dev/null; then
      waited_ms=$(($(now_ms) - _start))
      return 0
    fi
    sleep 0.2
  done
  waited_ms=$(($(now_ms) - _start))
  return 1
}

# expect_trace REGEX SECONDS DESCRIPTION
expect_trace() {
  # On a failure, what the configuration keys hold too: a change the service missed is then told
  # apart from one that was never written.
  if wait_for "$1" "$2"; then ok "$3 (after ${waited_ms} ms)"; else not_ok "$3: /$1/ not in the trace within $2 s; trace:
$(tail -12 "$trace" 2>/dev/null)
policy key: $(wine "$REG" query "$pol" </dev/null 2>&1 | tr -d '\r' | grep REG_ | tr -s ' ' | paste -sd ';')
installer key: $(wine "$REG" query "$key" </dev/null 2>&1 | tr -d '\r' | grep REG_ | tr -s ' ' | paste -sd ';')"; fi
}

cleanup() {
  quiet wine "$SC" stop dloagent
  quiet wine "$exe" /uninstall
  quiet wine "$SC" delete DLOMaintenanceSvc
  quiet wine "$REG" delete "$key" /f
  quiet wine "$REG" delete 'HKLM\SOFTWARE\Policies\Arctera' /f
  rm -rf "$work"
  rm -f "$trace" "$tracedir/planted-$$.log" "$outside"
  [ -d "$tracedir" ] && chmod o-w "$tracedir"
}
trap cleanup EXIT

# A clean start, whatever an earlier run left.
cleanup
mkdir -p "$work"
reg_set "$key" TraceFile "$tracename"
reg_set "$key" BOIMode nonboi
# Roles come from detection (nothing of DLO in the prefix yet) plus the Desktop Agent.
reg_set "$key" AddRoles client
quiet wine "$REG" delete "$rules_key" /f
quiet wine "$REG" add "$rules_key" /f

# --- elevation ---
run_exe "$unelevated" "$wexe" /install
expect_rc 3 "/install without administrator rights"
expect_match "$err" '/install needs administrator rights' "it says why"
run_exe "$unelevated" "$wexe" /uninstall
expect_rc 3 "/uninstall without administrator rights"
run_exe "$unelevated" "$wexe" /run
expect_rc 3 "/run without administrator rights"
run_exe "$unelevated" "$wexe" /apply /roles:client /mode:nonboi
expect_rc 3 "/apply without administrator rights"
expect_match "$err" '/apply changes the firewall and needs administrator rights' "/apply says why"
if [ -z "$(owned)" ]; then ok "the refused /apply wrote no rule"; else not_ok "rules appeared after a refused /apply"; fi
run_exe "$unelevated" "$wexe" /remove
expect_rc 3 "/remove without administrator rights"
run_exe "$unelevated" "$wexe" /verify /roles:client /mode:nonboi
expect_rc 1 "/verify needs no administrator rights (exit 1: nothing applied yet)"
if [ "$(state)" = "" ]; then ok "nothing was installed by the refused /install"; else not_ok "a service exists after a refused /install"; fi

# --- install ---
run_exe "$exe" /install
expect_rc 0 "/install"
expect_match "$out" '^Installed service dloagent' "/install says what it did"
sc=$(wine "$SC" query dloagent </dev/null 2>/dev/null | tr -d '\r')
expect_match "$sc" 'SERVICE_NAME: dloagent' "sc query shows the service"
expect_match "$sc" 'STATE *: *1 *STOPPED' "installed, not started"
svc=$(wine "$REG" query "$svckey" </dev/null 2>/dev/null | tr -d '\r')
image=$(printf '%s\n' "$svc" | sed -n 's/^ *ImagePath *REG_[A-Z_]* *//p')
if [ "$image" = "\"$wexe\" /service" ]; then ok "ImagePath is the quoted path with /service"; else not_ok "ImagePath is $image, expected \"$wexe\" /service"; fi
expect_match "$svc" 'Start +REG_DWORD +0x2$' "automatic start"
expect_match "$svc" 'ObjectName +REG_SZ +LocalSystem$' "runs as LocalSystem"
expect_match "$svc" 'DisplayName +REG_SZ +Arctera DLO Firewall Agent$' "display name"
expect_match "$svc" 'Description +REG_SZ +Keeps the Windows Firewall rules' "description"
ev=$(wine "$REG" query "$evkey" </dev/null 2>/dev/null | tr -d '\r')
expect_match "$ev" "EventMessageFile +REG_EXPAND_SZ +$(printf '%s' "$wexe" | sed 's/[\\.]/\\&/g')\$" "Event Log source points at dloagent.exe"
expect_match "$ev" 'TypesSupported +REG_DWORD +0x7$' "Event Log source types"
run_exe "$exe" /install
expect_rc 0 "/install again (an upgrade) updates in place"

# --- start: a pass at start ---
quiet wine "$SC" start dloagent
expect_trace ' 1000 info dloagent ' 10 "event 1000: service started"
expect_trace ' 1002 info configuration in effect: BOIMode=nonboi \(installer\)' 10 "event 1002: the configuration at start"
expect_trace ' 1100 info pass \(start\): firewall rules applied for mode nonboi, roles client \(detected, \+ AddRoles\): 7 added' 10 "a pass at start applies the client's Non-BOI rules (event 1100)"
# The pass records its state; /verify, finding the same, then rewrites LastPass alone.
wait_state Compliant 0x1 5
run_exe "$exe" /version
version=${out#dloagent }
state_is "the start pass recorded the State key" - Compliant=1 RulesPlanned=7 RulesRight=7 \
  Missing=0 Drifted=0 Stale=0 Problems= LastError= Mode=nonboi Roles=client "Version=$version" \
  "PolicyRelease=Arctera DLO 10.0" "LastChange=$(state_value LastPass)"
expect_match "$(state_value LastPass)" '^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z$' "LastPass is UTC ISO 8601"
changed=$(state_value LastChange)
next_second "$changed"
verify_json
state_is "the State key says what /verify /json says" "$work/verify.json" "LastChange=$changed"
subkeys=$(wine "$REG" query "$key" </dev/null 2>/dev/null | tr -d '\r' | grep '^HKEY.*\\FirewallAgent\\' | sed 's/.*\\//')
if [ "$subkeys" = "State" ]; then ok "the State key is the only subkey: no State.new or State.old left"; else not_ok "subkeys of the installer key: $subkeys"; fi
expect_compliant "after the start pass"
if owned_names | grep -qx 'Arctera DLO - SQL Server (TCP-Out)'; then ok "the store holds the client's SQL Server rule"; else not_ok "no SQL Server rule in the store: $(owned_names)"; fi
if [ "$(state)" = "RUNNING" ]; then ok "sc query: RUNNING"; else not_ok "state is $(state), expected RUNNING"; fi

# --- a configuration change: a pass within seconds, no restart ---
reg_set "$key" BOIMode occasional
expect_trace 'pass \(configuration changed[^)]*\): .*mode occasional' 10 "BOIMode changed in the installer key: pass"
expect_compliant "after the change to Occasional BOI"
if owned | grep 'Name=Arctera DLO - SQL Server (TCP-Out)|' | grep -q '|Profile=Domain|' &&
   ! owned | grep 'Name=Arctera DLO - SQL Server (TCP-Out)|' | grep -q 'Profile=Public'; then
  ok "Occasional BOI: the SQL Server rule is on the Domain profile only"
else
  not_ok "Occasional BOI: SQL Server rule is $(owned | grep 'SQL Server (TCP-Out)')"
fi
# The policy key does not exist yet: its creation is seen through the watch on its parent.
reg_set "$pol" BOIMode exclusive
expect_trace 'BOIMode=exclusive \(policy\)' 10 "policy key created: the policy value wins"
expect_trace 'pass \(configuration changed[^)]*\): .*mode exclusive' 10 "and a pass applies it"
expect_compliant "after the policy's change to Exclusive BOI"
names=$(owned_names)
if [ "$names" = "Arctera DLO - Edge Server HTTPS (TCP-Out)" ]; then ok "Exclusive BOI: the client keeps only its Edge Server rule"; else not_ok "Exclusive BOI: owned rules are: $names"; fi

# A burst of changes makes one pass.
before=$(passes)
reg_set "$pol" AddRoles client
reg_set "$pol" ExcludeRoles storage
reg_set "$pol" SqlPort 1433 REG_DWORD
expect_trace 'SqlPort=1433 \(policy\)' 15 "burst of three changes applied"
# What is checked here and below is that no pass comes, which has no state to wait for: each
# window outlasts the service's 2 s coalescing delay (DLO_COALESCE_QUIET_MS) with a margin for the pass.
sleep 3
n=$(($(passes) - before))
if [ "$n" -ge 1 ] && [ "$n" -le 2 ]; then ok "three changes in a burst made $n pass(es)"; else not_ok "three changes in a burst made $n passes"; fi

# Rewriting the same values (as Group Policy does at every refresh) causes no pass.
before=$(passes)
reg_set "$pol" BOIMode exclusive
sleep 4
if [ "$(passes)" -eq "$before" ]; then ok "an unchanged rewrite causes no pass"; else not_ok "an unchanged rewrite caused $(($(passes) - before)) pass(es)"; fi

# --- a bad value: reported, rules kept, the loop goes on ---
kept=$(owned)
reg_set "$pol" EdgeServers 10.0.0.300
expect_trace ' 1200 error configuration invalid, firewall rules left as they are: HKLM\\SOFTWARE\\Policies\\Arctera\\DLO\\FirewallAgent value EdgeServers holds REG_SZ "10\.0\.0\.300"' 10 "event 1200 names the key, the value and what it holds"
if [ "$(state)" = "RUNNING" ]; then ok "still RUNNING after a bad value"; else not_ok "state is $(state) after a bad value"; fi
# The failed pass records its state after its event: once it has, the pass is over.
wait_state Compliant 0x0 5
if [ "$(owned)" = "$kept" ]; then ok "a bad value leaves every rule of the agent as it was"; else not_ok "the rules changed after a bad value"; fi
state_is "the failed pass recorded Compliant 0, the error, and the last counts" - Compliant=0 RulesPlanned=1 RulesRight=1
expect_match "$(state_value LastError)" 'EdgeServers holds REG_SZ "10\.0\.0\.300"' "LastError says what the event says"
run_exe "$exe" /verify
expect_rc 2 "/verify with the bad value: exit 2"
before=$(passes)
reg_set "$pol" EdgeServers '10.0.0.0/8, LocalSubnet'
expect_trace 'EdgeServers=10\.0\.0\.0/255\.0\.0\.0,LocalSubnet \(policy\)' 10 "fixed value: configuration in effect again"
if wait_until 10 passes_above "$before"; then ok "and the loop reconciles again"; else not_ok "no pass after the fix"; fi
wait_state Compliant 0x1 5
state_is "the next pass records Compliant 1 and no error" - Compliant=1 LastError=

# --- a DLO component installed later: its rules within seconds ---
# DLOMaintenanceSvc is the Maintenance Server's service (policies/dlo-10.0.detect).
quiet wine "$SC" create DLOMaintenanceSvc binPath= 'C:\windows\system32\notepad.exe' start= demand
expect_trace 'pass \(.*services created or deleted' 20 "service created: pass"
expect_trace ' 1500 info DLO role maintenance-server appeared' 5 "event 1500: the Maintenance Server appeared"
if owned_names | grep -qx 'Arctera DLO - File Sharing (TCP-Out)'; then ok "its File Sharing rule is in the store"; else not_ok "no File Sharing rule after the Maintenance Server appeared: $(owned_names)"; fi
expect_compliant "with the Maintenance Server detected"

# --- the drift-repair timer, and a damaged rule repaired as soon as the firewall's key changes ---
reg_set "$key" TestReconcileIntervalSeconds 2 REG_DWORD
expect_trace 'pass \(drift-repair interval\)' 15 "drift-repair pass after the interval"
line=$(owned | grep 'Name=Arctera DLO - Edge Server HTTPS (TCP-Out)|')
id=$(printf '%s' "$line" | cut -f1)
good=$(printf '%s' "$line" | cut -f2)
changed=$(state_value LastChange)
next_second "$changed"
quiet wine "$REG" add "$rules_key" /v "$id" /t REG_SZ /d "$(printf '%s' "$good" | sed 's/|RPort=443|/|RPort=4443|/')" /f
expect_trace ' 1101 warning pass \([^)]*firewall changed[^)]*\): firewall rules changed by someone else were put back.*0 added, 1 updated, 0 removed' 15 "event 1101: the damaged rule repaired when the rule store changed"
# The repairing pass records the state it left (compliant), and LastChange: it changed the firewall.
_end=$(($(now_ms) + 5000))
while [ "$(state_value LastChange)" = "$changed" ] && [ "$(now_ms)" -lt "$_end" ]; do sleep 0.1; done
verify_json
state_is "after the repair: the State key says compliant, as /verify /json" "$work/verify.json" Compliant=1 Drifted=0
if [ "$(state_value LastChange)" != "$changed" ]; then ok "the repair moved LastChange ($changed -> $(state_value LastChange))"; else not_ok "LastChange stayed $changed after the repair"; fi
now=$(owned | grep 'Name=Arctera DLO - Edge Server HTTPS (TCP-Out)|' | cut -f2)
if [ "$now" = "$good" ]; then ok "the damaged rule is back as it was"; else not_ok "the rule is now: $now"; fi
quiet wine "$SC" delete DLOMaintenanceSvc

# --- stop: prompt and clean ---
start=$(now_ms)
quiet wine "$SC" stop dloagent
while [ "$(state)" != "STOPPED" ] && [ $(($(now_ms) - start)) -lt 10000 ]; do sleep 0.1; done
took=$(($(now_ms) - start))
if [ "$(state)" = "STOPPED" ]; then ok "stopped (${took} ms after sc stop)"; else not_ok "not stopped 10 s after sc stop"; fi
expect_trace ' 1001 info stop requested' 5 "event 1001: service stopped"
# One process from start to stop: Wine did not end and restart it behind the test's back (it
# does when the wineserver is not persistent).
starts=$(grep -c ' 1000 info' "$trace")
if [ "$starts" -eq 1 ]; then ok "one service process from start to stop"; else not_ok "the service started $starts times: was it ended by Wine in between?"; fi

# --- the State key without the service: a drift /verify finds is recorded at once ---
line=$(owned | grep 'Name=Arctera DLO - Edge Server HTTPS (TCP-Out)|')
quiet wine "$REG" add "$rules_key" /v "$(printf '%s' "$line" | cut -f1)" /t REG_SZ /d "$(printf '%s' "$line" | cut -f2 | sed 's/|RPort=443|/|RPort=4443|/')" /f
verify_json
expect_rc 1 "/verify after a drift"
state_is "/verify records the drift: Compliant 0, as /verify /json says" "$work/verify.json" Compliant=0 Drifted=1
last=$(state_value LastPass)
next_second "$last"
run_exe "$unelevated" "$wexe" /verify
expect_rc 1 "unelevated /verify"
expect_empty "$err" "unelevated /verify says nothing of the State key"
if [ "$(state_value LastPass)" = "$last" ]; then ok "unelevated /verify records nothing"; else not_ok "unelevated /verify wrote LastPass $(state_value LastPass)"; fi
run_exe "$exe" /verify /roles:client /mode:exclusive
if [ "$(state_value LastPass)" = "$last" ]; then ok "/verify with a plan of its own (/roles, /mode) records nothing"; else not_ok "/verify /roles wrote the State key"; fi
run_exe "$exe" /apply
expect_rc 0 "/apply repairs the drift"
verify_json
state_is "/apply records its result: Compliant 1, as /verify /json says" "$work/verify.json" Compliant=1 Drifted=0

# --- /run in the console, stopped by Ctrl+C (Wine turns SIGINT into CTRL_C_EVENT) ---
wine "$exe" /run /mode:occasional </dev/null >"$work/run.out" 2>"$work/run.err" &
pid=$!
if wait_for 'pass \(start\): .*mode occasional' 10; then ok "/run: a pass at start with the /mode override"; else not_ok "/run made no start pass"; fi
kill -INT "$pid"
wait "$pid"
rc=$?
if [ "$rc" -eq 0 ]; then ok "/run: Ctrl+C stops it, exit 0"; else not_ok "/run exit $rc after Ctrl+C"; fi
expect_match "$(tr -d '\r' <"$work/run.err")" 'dloagent: info: stopped; the firewall rules stay as they are' "/run says it stopped"

# --- the trace refuses what it must not write to, and says so ---
# run_refused NAME: /run with TraceFile=NAME until it has said why it writes no trace; sets $said.
# Each run writes files of its own: a run that outlives its Ctrl+C on a busy machine then cannot
# put its words into the next one's (seen once: the next check read "2 hard links").
refused_runs=0
run_refused() {
  refused_runs=$((refused_runs + 1))
  local err="$work/refused-$refused_runs.err"
  reg_set "$key" TraceFile "$1"
  wine "$exe" /run </dev/null >"$work/refused-$refused_runs.out" 2>"$err" &
  pid=$!
  i=0
  while ! grep -q 'no trace file' "$err" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
  # Ctrl+C; on a busy machine it may come before the handler is in place and be lost, so a
  # watchdog ends it for good rather than leave the script waiting.
  kill -INT "$pid"
  (sleep 20 && kill -KILL "$pid") </dev/null >/dev/null 2>&1 &
  watchdog=$!
  wait "$pid"
  kill "$watchdog" 2>/dev/null
  said=$(tr -d '\r' <"$err")
}
: >"$outside"
ln "$outside" "$tracedir/planted-$$.log"
run_refused "planted-$$.log"
expect_match "$said" "dloagent: warning: no trace file: .*planted-$$\.log has 2 hard links; expected exactly one" "a hard link planted at the trace name is refused, and /run says so"
if [ -s "$outside" ]; then not_ok "the linked file was written: $(cat "$outside")"; else ok "the file the link points at stays empty"; fi
rm -f "$tracedir/planted-$$.log"
chmod o+w "$tracedir"
run_refused "$tracename"
chmod o-w "$tracedir"
expect_match "$said" 'no trace file: the folder .*\\Trace may be changed by S-1-1-0' "a trace folder everyone may change is refused"
run_refused 'Z:\tmp\trace.log'
expect_match "$said" 'no trace file: TraceFile holds "Z:\\tmp\\trace\.log"; expected a file name only' "a path in TraceFile is refused"
reg_set "$key" TraceFile "$tracename"

# --- /remove: the agent enforces nothing any more, and the State key goes with its rules ---
run_exe "$exe" /remove
expect_rc 0 "/remove"
if quiet wine "$REG" query "$statekey"; then not_ok "the State key is still there after /remove"; else ok "/remove deleted the State key"; fi

# --- /uninstall of a running service ---
quiet wine "$SC" start dloagent
wait_until 10 running || not_ok "the service did not start again: $(state)"
run_exe "$exe" /uninstall
expect_rc 0 "/uninstall"
expect_match "$out" 'Stopped service dloagent' "/uninstall stopped the running service"
expect_match "$out" 'Removed service dloagent' "/uninstall removed it"
if wine "$SC" query dloagent </dev/null 2>/dev/null | grep -q SERVICE_NAME; then not_ok "the service is still there"; else ok "no service left"; fi
if quiet wine "$REG" query "$svckey"; then not_ok "the service key is still there"; else ok "no service key left"; fi
if quiet wine "$REG" query "$evkey"; then not_ok "the Event Log source is still there"; else ok "no Event Log source left"; fi
run_exe "$exe" /uninstall
expect_rc 0 "/uninstall again"
expect_match "$out" 'not installed' "/uninstall again says there is nothing"

finish
