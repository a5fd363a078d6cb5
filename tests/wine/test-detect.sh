#!/bin/sh
# Usage: test-detect.sh PATH/TO/dloagent.exe
# Component detection on a real (Wine) registry and service manager: services, Uninstall
# entries in both registry views, a SQL Server instance and its port make /detect report the
# roles with their evidence; taking them away removes the roles. File evidence counts only when
# no standard user could have written the file: under Wine every file belongs to the Wine user
# (S-1-5-21-0-0-0-1000), so a file planted here is reported as ignored and its role is not
# detected; that a trusted file is counted is tested on the host (tests/unit/test_detect.c).
# Two SQL Server instances with different ports: SqlInstance (registry or switch) picks the
# named one's port in /detect and /plan; a name that is not there is reported, not guessed.
# Everything created here is deleted again, also when the script is interrupted.
. "$(dirname "$0")/lib.sh"
exe=$1
: "${WINEPREFIX:?WINEPREFIX must be set}"

uninstall='HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall'
sql='HKLM\SOFTWARE\Microsoft\Microsoft SQL Server'
ipall="$sql"'\MSSQL16.DLOTEST\MSSQLServer\SuperSocketNetLib\Tcp\IPAll'
bin='C:\windows\system32\notepad.exe'
console_dir="$WINEPREFIX/drive_c/Program Files/Arctera/Arctera DLO"
config='HKLM\SOFTWARE\Arctera\DLO\FirewallAgent'
tmp=$(mktemp -d)

quiet() { "$@" </dev/null >/dev/null 2>&1; }

# A setup step that fails is reported as such, not left to show up as a wrong detection.
must() { quiet "$@" || not_ok "setup: $*"; }

# create_service NAME DISPLAY-NAME: a service deleted a moment ago may still be marked for
# deletion, and creating it again fails until the SCM lets go of it.
create_service() {
  _try=0
  until quiet wine "$SC" create "$1" binPath= "$bin" start= demand DisplayName= "$2"; do
    _try=$((_try + 1))
    if [ $_try -ge 10 ]; then
      not_ok "setup: cannot create service $1"
      return
    fi
    sleep 0.5
  done
}

remove_all() {
  for svc in DLOAdminSvcu DLOTestJournal 'MSSQL$DLOTEST' SQLBrowser MSSQLSERVER 'MSSQL$DLO'; do
    quiet wine "$SC" delete "$svc"
  done
  quiet wine "$REG" delete "$uninstall"'\{DLO-TEST-EDGE}' /f /reg:64
  quiet wine "$REG" delete "$uninstall"'\{DLO-TEST-IO}' /f /reg:32
  quiet wine "$REG" delete "$sql"'\Instance Names\SQL' /v DLOTEST /f /reg:64
  quiet wine "$REG" delete "$sql"'\MSSQL16.DLOTEST' /f /reg:64
  for inst in MSSQLSERVER DLO; do
    quiet wine "$REG" delete "$sql"'\Instance Names\SQL' /v $inst /f /reg:64
    quiet wine "$REG" delete "$sql"'\MSSQL16.'$inst /f /reg:64
  done
  quiet wine "$REG" delete "$config" /v SqlInstance /f /reg:64
  quiet wine "$REG" delete 'HKLM\SOFTWARE\DloagentTest' /f /reg:32
  rm -rf "$console_dir"
}
trap 'remove_all; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

# json_check JSON PYTHON-EXPRESSION DESCRIPTION: the expression sees the document as d.
json_check() {
  if printf '%s' "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if eval(sys.argv[1]) else 1)' "$2" 2>"$tmp/pyerr"; then
    ok "$3"
  else
    not_ok "$3: [$2] does not hold ($(cat "$tmp/pyerr")) in: $1"
  fi
}

# Python helpers for the checks: the evidence list of a role, and one evidence item by kind.
ev='(lambda role: [r for r in d["roles"] if r["role"] == role][0].get("evidence", []))'

remove_all

run_exe "$exe" /detect /json
expect_rc 0 "/detect /json on a clean machine"
json_check "$out" 'd["detected"] == []' "nothing detected on a clean machine"
json_check "$out" '"admin-server" in d["not_found"] and "client" in d["not_found"]' \
  "roles looked for are listed as not found"
json_check "$out" 'd["sql"]["tcp_ports"] == "1433" and d["sql"]["port_source"] == "default"' \
  "SQL port defaults to 1433"

# --- Put DLO on the machine ---
create_service DLOAdminSvcu "DLO Administration Service"
create_service DLOTestJournal "Veritas DLO Change Journal Service"
create_service 'MSSQL$DLOTEST' "SQL Server (DLOTEST)"
create_service SQLBrowser "SQL Server Browser"
must wine "$REG" add "$uninstall"'\{DLO-TEST-EDGE}' /v DisplayName /t REG_SZ /d "Arctera DLO Edge Server" /f /reg:64
must wine "$REG" add "$uninstall"'\{DLO-TEST-IO}' /v DisplayName /t REG_SZ /d "Veritas DLO IO Server" /f /reg:32
must wine "$REG" add "$sql"'\Instance Names\SQL' /v DLOTEST /t REG_SZ /d MSSQL16.DLOTEST /f /reg:64
must wine "$REG" add "$ipall" /v TcpPort /t REG_SZ /d 14330 /f /reg:64
must wine "$REG" add "$ipall" /v TcpDynamicPorts /t REG_SZ /d "" /f /reg:64
mkdir -p "$console_dir"
: >"$console_dir/DLOConsoleu.exe"

run_exe "$exe" /detect /json
expect_rc 0 "/detect /json with DLO installed"
json_check "$out" 'sorted(d["detected"]) == sorted(["admin-server", "edge-server", "io-server", "client", "sql-server"])' \
  "detects exactly the installed roles, not the one a planted file would show"
json_check "$out" "[e for e in $ev('admin-server') if e['kind'] == 'service' and e['service'] == 'DLOAdminSvcu' and e['confirmed'] and e['state'] == 'stopped']" \
  "admin-server from service DLOAdminSvcu"
json_check "$out" "[e for e in $ev('client') if e['kind'] == 'service-display' and e['service'] == 'DLOTestJournal' and e['display_name'] == 'Veritas DLO Change Journal Service']" \
  "client from the Change Journal service's display name"
json_check "$out" "[e for e in $ev('edge-server') if e['kind'] == 'uninstall' and e['view'] == 64 and e['key'].endswith(r'\\Uninstall\\{DLO-TEST-EDGE}') and not e['confirmed']]" \
  "edge-server from an Uninstall entry in the 64-bit view, marked unconfirmed"
json_check "$out" "[e for e in $ev('io-server') if e['kind'] == 'uninstall' and e['view'] == 32 and e['display_name'] == 'Veritas DLO IO Server']" \
  "io-server from an Uninstall entry in the 32-bit view"
json_check "$out" "[i for i in d['ignored'] if i['role'] == 'admin-console' and i['evidence']['kind'] == 'file' and i['evidence']['path'].lower() == r'c:\\program files\\arctera\\arctera dlo\\dloconsoleu.exe' and 'is owned by S-1-5-21-0-0-0-1000' in i['reason']]" \
  "a file under %ProgramFiles% the Wine user owns is ignored as admin-console evidence, saying why"
json_check "$out" "[e for e in $ev('sql-server') if e['kind'] == 'sql-instance' and e['service'] == 'MSSQL\$DLOTEST']" \
  "sql-server from the instance beside the Administration Server"
json_check "$out" 'd["sql"]["instance"] == "DLOTEST" and d["sql"]["instance_id"] == "MSSQL16.DLOTEST"' \
  "SQL instance and its id"
json_check "$out" 'd["sql"]["tcp_ports"] == "14330" and d["sql"]["port_source"] == "static" and d["sql"]["port_origin"].endswith(r"\IPAll\TcpPort (64-bit view)")' \
  "SQL port from IPAll TcpPort"
json_check "$out" 'd["sql"]["browser"] is True' "SQL Server Browser reported"
json_check "$out" 'sorted(d["not_found"]) == ["admin-console", "dedupe-server", "maintenance-server"] and len(d["warnings"]) == 1 and "is not counted as evidence of admin-console: the file" in d["warnings"][0] and d["partial"] is False' \
  "the rest not found; one warning, for the ignored file, and the result is complete"

run_exe "$exe" /detect
expect_rc 0 "/detect (text)"
expect_match "$out" '^  admin-server \(DLO Administration Server\)$' "text lists admin-server"
expect_match "$out" 'service DLOAdminSvcu "DLO Administration Service" \(stopped\)  \[line [0-9]+\]' \
  "text shows the service evidence and its table line"
expect_match "$out" '\{DLO-TEST-IO\} "Veritas DLO IO Server" \(32-bit view\)  \[line [0-9]+, unconfirmed\]' \
  "text shows the 32-bit Uninstall entry"
expect_match "$out" 'TCP port 14330 \(static: ' "text shows the SQL port"
expect_match "$out" '^  maintenance-server \(DLO Maintenance Server\), looked for:$' \
  "text lists a role looked for and not found"
expect_match "$out" '^Evidence ignored \(not trusted: a non-administrator could have written it\):$' \
  "text has the ignored evidence"
expect_match "$out" '^      the file C:\\Program Files\\Arctera\\Arctera DLO\\DLOConsoleu\.exe is owned by S-1-5-21-0-0-0-1000' \
  "text says why the file is ignored"
expect_empty "$err" "/detect writes nothing to stderr"

# --- Dynamic and garbage SQL ports ---
must wine "$REG" add "$ipall" /v TcpPort /t REG_SZ /d "" /f /reg:64
must wine "$REG" add "$ipall" /v TcpDynamicPorts /t REG_SZ /d 49823 /f /reg:64
run_exe "$exe" /detect /json
json_check "$out" 'd["sql"]["tcp_ports"] == "49823" and d["sql"]["port_source"] == "dynamic"' \
  "SQL port from IPAll TcpDynamicPorts"
must wine "$REG" add "$ipall" /v TcpPort /t REG_SZ /d "14x" /f /reg:64
must wine "$REG" add "$ipall" /v TcpDynamicPorts /t REG_SZ /d "" /f /reg:64
run_exe "$exe" /detect /json
json_check "$out" 'd["sql"]["tcp_ports"] == "1433" and d["sql"]["port_source"] == "default"' \
  "garbage SQL port falls back to 1433"
json_check "$out" '[w for w in d["warnings"] if "IPAll value TcpPort" in w and "14x" in w]' \
  "garbage SQL port is a warning naming the key, value and data"

# --- A detection table of one's own: a file named by a registry value, both views ---
must wine "$REG" add 'HKLM\SOFTWARE\DloagentTest' /v InstallDir /t REG_SZ /d 'C:\Program Files\Arctera\Arctera DLO' /f /reg:32
cat >"$tmp/site.detect" <<'EOF'
# A site's own table.
dlo-detect 1
dedupe-server  unconfirmed  regfile          HKLM\SOFTWARE\DloagentTest InstallDir DLOConsoleu.exe
edge-server    confirmed    service          "DLOTest*"
EOF
site=$(printf 'Z:%s' "$tmp/site.detect" | tr / '\\')
run_exe "$exe" /detect /json "/detection:$site"
expect_rc 0 "/detect with /detection:FILE"
json_check "$out" 'd["table"].endswith("site.detect") and sorted(d["detected"]) == ["edge-server"]' \
  "/detection:FILE replaces the built-in table"
ign='(lambda role: [i["evidence"] for i in d["ignored"] if i["role"] == role])'
json_check "$out" "[e for e in $ign('dedupe-server') if e['kind'] == 'regfile' and e['view'] == 32 and e['from'] == r'HKLM\\SOFTWARE\\DloagentTest\\InstallDir']" \
  "a file found through a registry value of the 32-bit view, ignored as the Wine user's"
must wine "$REG" add 'HKLM\SOFTWARE\DloagentTest' /v InstallDir /t REG_EXPAND_SZ /d '%ProgramFiles%\Arctera\Arctera DLO' /f /reg:32
run_exe "$exe" /detect /json "/detection:$site"
json_check "$out" "[e for e in $ign('dedupe-server') if e['kind'] == 'regfile' and e['path'].lower() == r'c:\\program files\\arctera\\arctera dlo\\dloconsoleu.exe']" \
  "a REG_EXPAND_SZ path is read expanded"

# --- A bad table ---
cat >"$tmp/bad.detect" <<'EOF'
dlo-detect 1
client confirmed service DLOAdminSvcu
admin-server confirmed services DLOAdminSvcu
EOF
bad=$(printf 'Z:%s' "$tmp/bad.detect" | tr / '\\')
run_exe "$exe" /detect "/detection:$bad"
expect_rc 2 "bad detection table"
expect_match "$err" "bad\.detect:3: unknown kind of evidence 'services'; expected one of service" \
  "the error names the file, the line and what was expected"
expect_empty "$out" "a bad table prints nothing on stdout"
run_exe "$exe" /detect '/detection:C:\no\such.detect'
expect_rc 2 "missing detection table"
expect_match "$err" 'such\.detect' "a missing table is named"

# --- Two SQL Server instances: SqlInstance names DLO's ---
remove_all
create_service DLOAdminSvcu "DLO Administration Service"
create_service MSSQLSERVER "SQL Server (MSSQLSERVER)"
create_service 'MSSQL$DLO' "SQL Server (DLO)"
for inst in MSSQLSERVER:14331 DLO:14332; do
  name=${inst%%:*}
  port=${inst#*:}
  must wine "$REG" add "$sql"'\Instance Names\SQL' /v "$name" /t REG_SZ /d "MSSQL16.$name" /f /reg:64
  must wine "$REG" add "$sql"'\MSSQL16.'"$name"'\MSSQLServer\SuperSocketNetLib\Tcp\IPAll' /v TcpPort /t REG_SZ /d "$port" /f /reg:64
done
sql_rule='"name": "Arctera DLO - SQL Server \(TCP-In\)", "direction": "in", "protocol": "tcp", "local_ports": '

run_exe "$exe" /detect /json
expect_rc 0 "/detect /json with two instances"
json_check "$out" 'sorted(d["sql"]["instances"]) == ["DLO", "MSSQLSERVER"] and d["sql"]["instance"] is None and "sql-server" not in d["detected"]' \
  "two instances and none configured: neither is taken"
json_check "$out" '[w for w in d["warnings"] if "2 SQL Server instances" in w and "name DLO" in w]' \
  "the warning asks for the instance to be named"

must wine "$REG" add "$config" /v SqlInstance /t REG_SZ /d 'MSSQL$DLO' /f /reg:64
run_exe "$exe" /detect /json
expect_rc 0 "/detect /json with SqlInstance in the installer key"
json_check "$out" 'd["sql"]["instance"] == "DLO" and d["sql"]["tcp_ports"] == "14332" and "sql-server" in d["detected"] and d["warnings"] == []' \
  "SqlInstance picks the named instance and its port"
json_check "$out" "[e for e in $ev('sql-server') if e['service'] == 'MSSQL\$DLO' and e['reason'] == 'named by the configuration']" \
  "the evidence says why the instance is DLO's"
run_exe "$exe" /detect
expect_match "$out" 'SQL Server service MSSQL\$DLO \(stopped\): named by the configuration' \
  "/detect text says the configuration names it"
expect_match "$out" 'TCP port 14332 \(static: ' "/detect text shows the named instance's port"
run_exe "$exe" /config /json
json_check "$out" 'd["values"]["SqlInstance"] == {"value": "DLO", "source": "installer"}' \
  "/config shows SqlInstance in normal form"
run_exe "$exe" /plan /json /mode:nonboi
expect_rc 0 "/plan with SqlInstance"
expect_match "$out" "$sql_rule\"14332\"" "/plan opens the named instance's port"
run_exe "$exe" /plan /json /mode:nonboi /roles:sql-server
expect_match "$out" "$sql_rule\"14332\"" "/plan with configured roles still reads the named instance's port"
run_exe "$exe" /plan /json /mode:nonboi /sqlinstance:mssqlserver
expect_match "$out" "$sql_rule\"14331\"" "/sqlinstance: picks the other instance for one run"

must wine "$REG" add "$config" /v SqlInstance /t REG_SZ /d NOPE /f /reg:64
run_exe "$exe" /detect /json
expect_rc 0 "/detect /json with an instance that is not there"
json_check "$out" 'd["sql"]["instance"] is None and d["sql"]["tcp_ports"] == "1433" and "sql-server" not in d["detected"]' \
  "an instance not on the machine is not guessed"
json_check "$out" '[w for w in d["warnings"] if "instance \x27NOPE\x27 has no service here" in w and "no other instance is taken" in w]' \
  "the missing instance is a warning saying so"
run_exe "$exe" /detect '/sqlinstance:DLO-1'
expect_rc 2 "bad /sqlinstance:"
expect_match "$err" "'DLO-1' is not a SQL Server instance name" "a bad instance name is explained"

# --- Take DLO away again ---
remove_all
run_exe "$exe" /detect /json
expect_rc 0 "/detect /json after removal"
json_check "$out" 'd["detected"] == [] and d["sql"]["instances"] == [] and d["sql"]["browser"] is False' \
  "the roles go away with their evidence"

finish
