<#
.SYNOPSIS
  The conformance suite and dloagent end to end against the real Windows Firewall.

.DESCRIPTION
  Runs on an elevated Windows machine (a CI runner or a test VM, see README.md beside this file),
  under Windows PowerShell 5.1 or PowerShell 7:
    0. every PowerShell script of the repository read by this PowerShell's own parser;
    1. conformance.exe against the real firewall; its "observed:" lines kept in observed.txt;
    2. dloagent.exe end to end on a plan with overlapping remote-address scopes: /apply, then
       what it wrote read back independently (Get-NetFirewallRule and its filters, in the local
       and the active store) against /plan /json, /verify, /verify /strict /json with the warnings
       this machine must get, a drift, /verify exit 1, the repair, /remove; the same with every
       peer scoped and the corporate rules on the networks this machine is on, where /verify
       /strict must pass; /export:powershell of an Edge and Administration Server plan with
       scope keywords saved from cmd, run by Windows PowerShell 5.1 (every rule added, then
       every rule unchanged, one rule changed and one deleted give one replaced and one added)
       and PowerShell 7, read back, /verify; a rule name holding U+2019 stays one string token
       and runs nothing; /export:netsh of the same plan run as a .cmd file; a client with the
       RPC keywords, read back; a rule bound to a service named DLOAdminSvcu keeps its program
       and service while a program that is no service listens on 127.0.0.2:3999 beside it and
       after it stopped; /apply and /verify timed against this store (timing.md);
    3. the MSI installed silently, /verify retried until the service has applied the plan, read
       back, the MSI uninstalled: no service, no rule, no program left; the MSI run by a local
       standard user in every way test_msi.py runs it under Wine: the installer key byte for
       byte in both registry views, the product and its exe still there, each run refused;
       Users allowed to set values of the key: /plan exit 2, event 1200; the compliance scripts
       of policies/compliance compliant, with a rule deleted and the service stopped, and after
       remediate.ps1; an owned rule deleted with Remove-NetFirewallRule while the service runs,
       put back within 20 s, LastDriftBy and event 1101 naming WmiPrvSE.exe or PowerShell and
       this runner's account; this machine's KnownDLLs against tests/known-dlls.txt (printed);
    4. every rule of someone else the same as before, unless the firewall's log names someone
       else for its change; five rules planted to look like the agent's among them.
  Prints "ok: ..." or "FAIL: ..." per check (also in checks.txt); exits 1 if any failed. Every
  program's output, the MSI logs, the plans and the answers go to -OutDir.

.PARAMETER BinDir
  The folder with dloagent.exe, dloagent.msi, conformance.exe, listen_service.exe and
  probe_listen.exe, and dloagent-next.msi if there is one (the same package with a higher
  version), in it or below it (the CI artifact, or build/windows copied over).

.PARAMETER OutDir
  Where the outputs go (created; default: dloagent-run in the temporary folder).

.PARAMETER TimeoutMinutes
  The whole run's limit: no program is waited for past it, and the cleanup still runs.
#>
param(
    [Parameter(Mandatory = $true)][string]$BinDir,
    [string]$OutDir = (Join-Path $env:TEMP 'dloagent-run'),
    [int]$TimeoutMinutes = 75
)

$ErrorActionPreference = 'Stop'
foreach ($lib in 'Exec', 'ReadBack', 'Warnings', 'Foreign', 'Timing', 'ExportRun', 'StandardUser', 'MsiUser', 'KeyTrust', 'Compliance', 'Drift') {
    . (Join-Path (Join-Path $PSScriptRoot 'lib') "$lib.ps1")
}

$owned = 'Arctera DLO Firewall Agent'
$suiteGroup = 'dloagent conformance suite'
$script:OutDir = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutDir)
$script:Deadline = [DateTime]::UtcNow.AddMinutes($TimeoutMinutes)
$null = New-Item -ItemType Directory -Force -Path $script:OutDir
Set-Content -LiteralPath (Join-Path $script:OutDir 'checks.txt') -Value "run.ps1 on $(Get-Date -Format o)"

# The plan of step 2: the scopes overlap (10.1.2.3 lies in 10.0.0.0/8) and are not in Windows'
# order; the Dashboard rules, whose peers are the three roles, join them all.
$plan = @('/roles:edge-server', '/mode:occasional', '/adminservers:10.0.0.0/8',
    '/adminconsoles:192.168.10.5,10.1.2.3', '/edgeservers:2001:db8::/64')

# The plan of the export steps: an Edge and Administration Server whose clients' networks hold an
# IPv4 and an IPv6 prefix and, where this build takes them (Windows 10 1809, build 17763, and
# later), the keywords RmtIntranet and Ply2Renders, which each export spells its own way.
$build = [int](Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' -Name CurrentBuildNumber).CurrentBuildNumber
$clientNetworks = '10.8.0.0/16,fd00::/64'
if ($build -ge 17763) { $clientNetworks += ',RmtIntranet,Ply2Renders' }
$exportPlan = @('/roles:edge-server,admin-server', '/mode:occasional', "/clientnetworks:$clientNetworks")

$script:InstalledAgent = Join-Path $env:ProgramFiles 'Arctera\DLO Firewall Agent\dloagent.exe'
# The repository this script sits in ($null when tests/windows was copied alone): the policy
# file, the compliance scripts and the Known DLLs list are read from it.
$script:RepoRoot = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
if (-not (Test-Path -LiteralPath (Join-Path $script:RepoRoot 'policies'))) { $script:RepoRoot = $null }

function Find-Binary([string]$name, [bool]$optional = $false) {
    $hit = Get-ChildItem -Path $BinDir -Recurse -Filter $name -File | Select-Object -First 1
    if ($hit) { return $hit.FullName }
    if (-not $optional) { throw "no $name under $BinDir" }
    return $null
}

# A file of the repository, or a failed check saying it needs the repository (a copy of
# tests/windows alone has none).
function Get-RepoFile([string]$relative) {
    $path = if ($script:RepoRoot) { Join-Path $script:RepoRoot $relative }
    Check ($path -and (Test-Path -LiteralPath $path)) "the repository's $relative is there (run.ps1 run from the repository)"
    if ($path -and (Test-Path -LiteralPath $path)) { return $path }
    return $null
}

# Runs the agent and parses its JSON answer; $null (and a failed check) when it did not answer.
function Get-AgentJson([string]$agent, [string[]]$arguments, [string]$label) {
    $r = Invoke-Exe $agent $arguments $label
    Check ($r.Code -eq 0) "$label ($($arguments -join ' ')): exit $($r.Code)"
    if ($r.Code -ne 0) { return $null }
    return ($r.Out | ConvertFrom-Json)
}

# /apply of a plan, then what it wrote read back in the local and the active store.
function Test-ApplyReadBack([string]$agent, [string[]]$arguments, [string]$label) {
    $r = Invoke-Exe $agent (@('/apply') + $arguments) "$label-apply"
    Check ($r.Code -eq 0) "${label}: /apply exit $($r.Code)"
    $planned = Get-AgentJson $agent (@('/plan', '/json') + $arguments) "$label-plan"
    if ($planned) {
        Compare-PlanWithStore $planned $owned 'PersistentStore' $label
        Compare-PlanWithStore $planned $owned 'ActiveStore' $label
    }
    return $planned
}

# /verify /strict /json against the warnings this machine must get for the plan.
function Test-Warnings([string]$agent, [string[]]$arguments, [object]$planned, [string]$label) {
    $expected = @(Get-ExpectedWarnings $planned $script:matrix $script:connected)
    $r = Invoke-Exe $agent (@('/verify', '/strict', '/json') + $arguments) "$label-verify-strict"
    Test-StrictVerify $r $expected $owned $label
}

# Step 0: every PowerShell script of the repository (or, copied without it, of this folder) read
# by this PowerShell's own parser; the project's test command reads them with a grammar.
function Step-Parser {
    $root = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    if (-not (Test-Path -LiteralPath (Join-Path $root 'agent'))) { $root = $PSScriptRoot }
    $scripts = @(Get-ChildItem -Path $root -Recurse -Include '*.ps1', '*.psm1' -File |
        Where-Object { $_.FullName.Substring($root.Length) -notmatch '^\\build\\' -and $_.Name -ne 'broken-script.ps1' })
    Check ($scripts.Count -gt 0) "scripts to parse under ${root}: $($scripts.Count)"
    foreach ($s in $scripts) { Test-ParsedFile $s.FullName }
}

# This PowerShell's own parser on one script: no error.
function Test-ParsedFile([string]$path) {
    $tokens = $null
    $errors = $null
    $null = [Management.Automation.Language.Parser]::ParseFile($path, [ref]$tokens, [ref]$errors)
    $text = ($errors | ForEach-Object { "line $($_.Extent.StartLineNumber): $($_.Message)" }) -join '; '
    Check (@($errors).Count -eq 0) "PowerShell $($PSVersionTable.PSVersion) parses $(Split-Path -Leaf $path)$(if ($text) { ": $text" })"
}

function Test-Remove([string]$label) {
    Check ((Invoke-Exe $agent @('/remove') "$label-remove").Code -eq 0) "${label}: /remove exit 0"
    Check (@(Get-GroupRules $owned 'PersistentStore').Count -eq 0) "${label}: no rule of the agent left"
}

# Step 1: the conformance suite; what Windows answered where no public source says.
function Step-Conformance {
    $r = Invoke-Exe $suite @() 'conformance' 600
    Check ($r.Code -eq 0) "conformance suite against the Windows Firewall: exit $($r.Code)"
    $observed = @($r.Out -split '\r?\n' | Where-Object { $_ -match '^\s*observed:' })
    Write-OutFile 'observed.txt' $observed
    Write-Note "$($observed.Count) 'observed:' lines in observed.txt"
    Check (@(Get-GroupRules $suiteGroup 'PersistentStore').Count -eq 0) 'the conformance suite left no rule of its Group'
}

# Step 2: /apply read back, /verify, the warnings, a drift and its repair, /remove.
function Step-EndToEnd {
    $planned = Test-ApplyReadBack $agent $plan 'plan'
    Check ((Invoke-Exe $agent (@('/verify') + $plan) 'plan-verify').Code -eq 0) '/verify after /apply: exit 0 (compliant)'
    if ($planned) { Test-Warnings $agent $plan $planned 'plan' }
    $victim = @(Get-GroupRules $owned 'PersistentStore') | Select-Object -First 1
    if ($victim) {
        Set-NetFirewallRule -Name $victim.Name -RemoteAddress '198.51.100.7'
        $r = Invoke-Exe $agent (@('/verify') + $plan) 'plan-verify-drift'
        Check ($r.Code -eq 1) "/verify after Set-NetFirewallRule -RemoteAddress on '$($victim.DisplayName)': exit $($r.Code), 1 expected"
        Check ((Invoke-Exe $agent (@('/apply') + $plan) 'plan-apply-repair').Code -eq 0) '/apply repairs the drift: exit 0'
        Check ((Invoke-Exe $agent (@('/verify') + $plan) 'plan-verify-repaired').Code -eq 0) '/verify after the repair: exit 0'
        if ($planned) { Compare-PlanWithStore $planned $owned 'PersistentStore' 'plan, repaired' }
    }
    Test-Remove 'plan'
}

# Step 2, strict: every peer scoped and the corporate rules on the profiles of the networks this
# machine is on. A hosted runner is no domain member, so none of its networks can be on the
# Domain profile (Windows puts a network there only when it reaches the machine's domain
# controllers); CorporateProfiles moves those rules to the profiles it does have, as an
# administrator of a workgroup server would. /verify /strict must then pass.
function Step-Strict {
    if ($script:connected.Count -eq 0) {
        Write-Note 'no network connected: the corporate rules cannot be put on a current profile, strict pass skipped'
        return
    }
    $strict = $plan + @('/clientnetworks:10.20.0.0/16', '/webrestoremachines:10.30.0.5',
        "/corporateprofiles:$($script:connected -join ',')")
    $planned = Test-ApplyReadBack $agent $strict 'strict'
    if ($planned) { Test-Warnings $agent $strict $planned 'strict' }
    Test-Remove 'strict'
}

# Step 2b: the PowerShell export of an Edge and Administration Server plan, saved from cmd and
# run against the local store by Windows PowerShell 5.1: every rule added, then every rule
# unchanged; one rule changed (Set-NetFirewallPortFilter) and one deleted give exactly one
# replaced and one added, then every rule unchanged again, also when PowerShell 7 runs it.
function Step-Export {
    Write-Note "Windows build $build`: /clientnetworks:$clientNetworks$(if ($build -lt 17763) { ' (no 1809 keywords before build 17763)' })"
    $file = Join-Path $script:OutDir 'dlo-export.ps1'
    $r = Save-AgentOutput $agent (@('/export:powershell') + $exportPlan) $file 'export'
    Check ($r.Code -eq 0 -and (Get-Item -LiteralPath $file).Length -gt 0) "/export:powershell from cmd: exit $($r.Code) with a script"
    Test-ParsedFile $file
    $planned = Get-AgentJson $agent (@('/plan', '/json') + $exportPlan) 'export-plan'
    if (-not $planned) { return }
    $names = @($planned.rules | ForEach-Object { $_.name })
    $ps51 = "$env:SystemRoot\System32\WindowsPowerShell\v1.0\powershell.exe"
    $null = Test-ExportRun $ps51 $file (New-ExpectedLines $names 'added') 'export-run1'
    $null = Test-ExportRun $ps51 $file (New-ExpectedLines $names 'unchanged') 'export-run2'
    Check ((Invoke-Exe $agent (@('/verify') + $exportPlan) 'export-verify').Code -eq 0) '/verify after the export: exit 0'
    Compare-PlanWithStore $planned $owned 'PersistentStore' 'export'
    Compare-PlanWithStore $planned $owned 'ActiveStore' 'export'
    $expected = Invoke-ExportTamper $planned $names
    if ($expected) {
        $null = Test-ExportRun $ps51 $file $expected 'export-run3-repair'
        $null = Test-ExportRun $ps51 $file (New-ExpectedLines $names 'unchanged') 'export-run4'
    }
    $pwsh = Get-OrNothing { Get-Command -Name pwsh.exe -CommandType Application -ErrorAction Stop }
    if ($pwsh) {
        $null = Test-ExportRun @($pwsh)[0].Path $file (New-ExpectedLines $names 'unchanged') 'export-run-pwsh'
    } else {
        Write-Note 'no PowerShell 7 (pwsh.exe) here: the export ran in Windows PowerShell 5.1 only'
    }
    Check ((Invoke-Exe $agent (@('/verify') + $exportPlan) 'export-verify-last').Code -eq 0) '/verify after the last run of the export: exit 0'
    Test-Remove 'export'
}

# One inbound TCP rule of a single port moved to another port with Set-NetFirewallPortFilter,
# another rule deleted: what the next run must replace and add (every other rule unchanged).
function Invoke-ExportTamper([object]$planned, [string[]]$names) {
    $rules = @(Get-GroupRules $owned 'PersistentStore')
    $moved = @($planned.rules | Where-Object { $_.direction -eq 'in' -and $_.protocol -eq 'tcp' -and "$($_.local_ports)" -match '^\d+$' })[0]
    $deleted = @($planned.rules | Where-Object { $moved -and $_.name -cne $moved.name })[0]
    $a = @($rules | Where-Object { $moved -and $_.DisplayName -ceq $moved.name })
    $b = @($rules | Where-Object { $deleted -and $_.DisplayName -ceq $deleted.name })
    Check ($a.Count -eq 1 -and $b.Count -eq 1) "a rule to change ('$($moved.name)') and one to delete ('$($deleted.name)') in the store"
    if ($a.Count -ne 1 -or $b.Count -ne 1) { return $null }
    $port = "$([int]$moved.local_ports + 1)"
    Get-NetFirewallRule -PolicyStore PersistentStore -Name $a[0].Name -ErrorAction Stop | Get-NetFirewallPortFilter -ErrorAction Stop |
        Set-NetFirewallPortFilter -LocalPort $port -ErrorAction Stop
    Remove-NetFirewallRule -PolicyStore PersistentStore -Name $b[0].Name -ErrorAction Stop
    Write-Note "'$($moved.name)' moved to port $port with Set-NetFirewallPortFilter, '$($deleted.name)' deleted"
    $expected = New-ExpectedLines $names 'unchanged'
    $expected[$moved.name] = 'replaced'
    $expected[$deleted.name] = 'added'
    return $expected
}

# Step 2b, quotes: a policy file whose rule name holds U+2019 (which PowerShell ends a
# single-quoted string at) and a command after it. Its DisplayName must come out of the export as
# one string token equal to the name, and running the script must make a rule of exactly that
# name and run nothing the name holds.
function Step-ExportQuotes {
    $source = Get-RepoFile 'policies\dlo-10.0.ports'
    if (-not $source) { return }
    $q = [string][char]0x2019
    $title = "Admin$q -Direction Inbound; Write-Host pwned; ${q}x"
    # A checkout on Windows may have CRLF line ends; the policy parser takes LF.
    $text = [IO.File]::ReadAllText($source).Replace("`r`n", "`n")
    $line = "`n  rule       Administration Service`n"
    Check ($text.Contains($line)) "$source has the row titled Administration Service to rename"
    $policy = Join-Path $script:OutDir 'quotes.ports'
    [IO.File]::WriteAllText($policy, $text.Replace($line, "`n  rule       $title`n"), (New-Object Text.UTF8Encoding($false)))
    $arguments = @('/roles:admin-server', '/mode:nonboi', "/policy:$policy")
    $planned = Get-AgentJson $agent (@('/plan', '/json') + $arguments) 'quotes-plan'
    if (-not $planned) { return }
    $names = @($planned.rules | Where-Object { $_.name.Contains($title) } | ForEach-Object { $_.name })
    Check ($names.Count -gt 0) "rules named after the row: $($names.Count)"
    $file = Join-Path $script:OutDir 'dlo-export-quotes.ps1'
    $r = Save-AgentOutput $agent (@('/export:powershell') + $arguments) $file 'quotes-export'
    Check ($r.Code -eq 0) "/export:powershell with the policy file: exit $($r.Code)"
    $null = Test-DisplayNameTokens $file $names
    $ps51 = "$env:SystemRoot\System32\WindowsPowerShell\v1.0\powershell.exe"
    $x = Invoke-Exe $ps51 @('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', $file) 'quotes-run'
    Check ($x.Code -eq 0) "the export with the name run by Windows PowerShell: exit $($x.Code)"
    $pwned = @(($x.Out + "`n" + $x.Err) -split '\r?\n' | Where-Object { $_.Trim() -ceq 'pwned' })
    Check ($pwned.Count -eq 0) "Write-Host in the name did not run (no line 'pwned': $($pwned.Count))"
    $rules = @(Get-GroupRules $owned 'PersistentStore')
    foreach ($n in $names) {
        Check (@($rules | Where-Object { $_.DisplayName -ceq $n }).Count -eq 1) "a rule with exactly the DisplayName '$n' in the store"
    }
    Test-Remove 'quotes'
}

# Step 2b, netsh: the same plan as a .cmd file run by cmd /c. netsh cannot carry a scope keyword
# it has none for: that rule is refused (exit 2, named) and must not be made; every other rule
# must exist. netsh's "delete rule name=" deletes every rule of that name, whoever made it, so
# this runs before the planted rules are (and checks that no rule has such a name before).
function Step-ExportNetsh {
    $planned = Get-AgentJson $agent (@('/plan', '/json') + $exportPlan) 'netsh-plan'
    if (-not $planned) { return }
    $names = @($planned.rules | ForEach-Object { $_.name })
    $refused = @(Get-NetshRefused $planned)
    $file = Join-Path $script:OutDir 'dlo-export.cmd'
    $r = Save-AgentOutput $agent (@('/export:netsh') + $exportPlan) $file 'export-netsh'
    $want = if ($refused.Count) { 2 } else { 0 }
    Check ($r.Code -eq $want) "/export:netsh from cmd: exit $($r.Code), $want with $($refused.Count) rule(s) netsh has no keyword for"
    foreach ($n in $refused) { Check ($r.Err.Contains("rule `"$n`"")) "/export:netsh names the rule it refused: '$n'" }
    Check (@(Get-RulesNamed $names).Count -eq 0) "no rule has a name of the export's rules before the .cmd runs"
    $x = Invoke-Exe $script:CmdExe @('/d', '/c', $file) 'export-netsh-run'
    $ok = @($x.Out -split '\r?\n' | Where-Object { $_.Trim() -ceq 'Ok.' }).Count
    Check ($ok -eq $names.Count - $refused.Count) "cmd /c $(Split-Path -Leaf $file) (exit $($x.Code)): netsh said Ok. $ok times, once per rule it adds ($($names.Count - $refused.Count))"
    $made = @(Get-RulesNamed $names)
    $script:restore.NetshRules = @($made | ForEach-Object { $_.Name })
    foreach ($rule in @($planned.rules)) {
        $dir = if ($rule.direction -eq 'in') { 'Inbound' } else { 'Outbound' }
        $hits = @($made | Where-Object { $_.DisplayName -ceq $rule.name -and "$($_.Direction)" -eq $dir })
        $want = if ($refused -ccontains $rule.name) { 0 } else { 1 }
        Check ($hits.Count -eq $want) "Get-NetFirewallRule -DisplayName '$($rule.name)' ($dir): $($hits.Count) rule(s), $want expected$(if (-not $want) { ' (refused)' })"
    }
    Remove-NetshRules
    Check (@(Get-RulesNamed $names).Count -eq 0) 'the rules the .cmd made are removed'
}

# Step 2c: push installation as Windows' RPC keywords: the firewall must take RPC-EPMap and RPC
# on inbound TCP rules of their own and read them back as written. Only MS-FASP says so; this is
# where it is measured. Every profile, so that the rules apply on this machine's networks.
function Step-Rpc {
    $rpc = @('/roles:client', '/mode:nonboi', '/pushinstallports:rpc',
        '/corporateprofiles:domain,private,public', '/adminservers:10.0.0.0/8')
    $null = Test-ApplyReadBack $agent $rpc 'rpc'
    $fw = New-Object -ComObject HNetCfg.FwPolicy2
    $localPorts = @($fw.Rules | Where-Object { $_.Grouping -ceq $owned -and $_.Direction -eq 1 } |
        ForEach-Object { $_.LocalPorts })
    Check (($localPorts -ccontains 'RPC-EPMap') -and ($localPorts -ccontains 'RPC')) "the keyword rules read back through COM: $($localPorts -join '; ')"
    Check ((Invoke-Exe $agent (@('/verify') + $rpc) 'rpc-verify').Code -eq 0) '/verify /pushinstallports:rpc: exit 0 (compliant)'
    Test-Remove 'rpc'
}

# Step 2d: a binding no other program can strip. A service named DLOAdminSvcu
# (listen_service.exe, with a service SID) listens on 3999 and /apply binds the rule to it; a
# program that is no service (probe_listen.exe) then listens on 127.0.0.2:3999, beside it and
# after it stopped: /apply must keep ApplicationName and ServiceName. The second listener runs as
# the runner's account: what the agent judges is that it is no service, whoever started it.
function Get-AdminRule {
    $fw = New-Object -ComObject HNetCfg.FwPolicy2
    $fw.Rules | Where-Object { $_.Grouping -ceq $owned -and $_.Name -eq 'Arctera DLO - Administration Service (TCP-In)' } |
        Select-Object -First 1
}

function Step-Binding {
    $admin = @('/roles:admin-server', '/mode:nonboi', '/corporateprofiles:domain,private,public')
    $sc = Join-Path $env:WINDIR 'System32\sc.exe'
    # Invoke-Exe passes no argument holding a quote, so the image path must need none.
    if ($listenService -match '\s') { throw "listen_service.exe must sit in a path without blanks: $listenService" }
    $script:restore.Service = 'DLOAdminSvcu'
    foreach ($a in @(@('create', 'DLOAdminSvcu', 'binPath=', "$listenService 3999", 'start=', 'demand'),
                     @('sidtype', 'DLOAdminSvcu', 'unrestricted'), @('start', 'DLOAdminSvcu'))) {
        Check ((Invoke-Exe $sc $a "binding-sc-$($a[0])").Code -eq 0) "sc.exe $($a[0]) DLOAdminSvcu: exit 0"
    }
    Check ((Invoke-Exe $agent (@('/apply') + $admin) 'binding-apply').Code -eq 0) '/apply with DLOAdminSvcu listening: exit 0'
    $bound = Get-AdminRule
    Check ($null -ne $bound -and $bound.ApplicationName -eq $listenService -and $bound.ServiceName -eq 'DLOAdminSvcu') "bound: $($bound.ApplicationName), $($bound.ServiceName)"
    $script:restore.Listener = Start-Process -FilePath $listen -ArgumentList @('3999', '300', '127.0.0.2') -PassThru
    Start-Sleep -Seconds 2
    Check ((Invoke-Exe $agent (@('/apply') + $admin) 'binding-apply-beside').Code -eq 0) '/apply beside a listener on 127.0.0.2:3999: exit 0'
    $now = Get-AdminRule
    Check ($null -ne $now -and $now.ApplicationName -eq $bound.ApplicationName -and $now.ServiceName -eq 'DLOAdminSvcu') "the binding stays beside it: $($now.ApplicationName), $($now.ServiceName)"
    Check ((Invoke-Exe $sc @('stop', 'DLOAdminSvcu') 'binding-sc-stop').Code -eq 0) 'sc.exe stop DLOAdminSvcu: exit 0'
    Start-Sleep -Seconds 2
    Check ((Invoke-Exe $agent (@('/apply') + $admin) 'binding-apply-alone').Code -eq 0) '/apply with the service stopped and the listener alone: exit 0'
    $now = Get-AdminRule
    Check ($null -ne $now -and $now.ApplicationName -eq $bound.ApplicationName -and $now.ServiceName -eq 'DLOAdminSvcu') "the binding stays after the service stopped: $($now.ApplicationName), $($now.ServiceName)"
    Stop-Listener
    Test-Remove 'binding'
}

# The binding step's listener and service, gone whether the step ended or stopped.
function Stop-Listener {
    if ($script:restore.Listener) {
        if (-not $script:restore.Listener.HasExited) { Stop-Process -Id $script:restore.Listener.Id -Force -ErrorAction Stop }
        $script:restore.Listener = $null
    }
    if ($script:restore.Service) {
        $sc = Join-Path $env:WINDIR 'System32\sc.exe'
        $null = Invoke-Exe $sc @('stop', $script:restore.Service) 'binding-sc-stop-cleanup'
        $null = Invoke-Exe $sc @('delete', $script:restore.Service) 'binding-sc-delete'
        $script:restore.Service = $null
    }
}

# The MSI installed silently by this administrator, the service running and the plan applied
# (/verify of the installed agent retried until it exits 0: the service may still be adding
# rules when it is first asked). Returns whether it got there.
function Install-Agent([string]$label) {
    $i = Invoke-Msi '/i' $msi @('BOIMODE=occasional', 'ADDROLES=edge-server') $label
    Check ($i.Code -eq 0) "msiexec /i /qn: exit $($i.Code) ($label.log)"
    $running = Wait-Until { "$((Get-OrNothing { Get-Service -Name dloagent -ErrorAction Stop }).Status)" -eq 'Running' } 30 'running'
    Check $running "${label}: the service is installed and running"
    $v = Wait-Compliant $script:InstalledAgent @() "$label-verify" 120
    Check ($v.Code -eq 0) "${label}: installed dloagent.exe /verify: exit $($v.Code) once the service applied the plan"
    return ($i.Code -eq 0 -and $running -and $v.Code -eq 0)
}

function Uninstall-Agent([string]$label) {
    $x = Invoke-Msi '/x' $msi @() $label
    Check ($x.Code -eq 0) "msiexec /x /qn: exit $($x.Code) ($label.log)"
    Check ($null -eq (Get-OrNothing { Get-Service -Name dloagent -ErrorAction Stop })) "${label}: no service left"
}

# Step 3: the MSI, silently, with the service running in between.
# What the package's ServiceInstall row and DloConfigureService made of the service, read back
# through the Service Control Manager; and the Event Log source its Registry rows wrote.
$script:EventLogKey = 'HKLM:\SYSTEM\CurrentControlSet\Services\EventLog\Application\dloagent'
function Test-ServiceTables([string]$log) {
    $sc = Join-Path $env:SystemRoot 'System32\sc.exe'
    $qc = (Invoke-Exe $sc @('qc', 'dloagent', '4096') 'msi-sc-qc' 60).Out
    Check ($qc -match 'BINARY_PATH_NAME\s*:\s*"[^"]+dloagent\.exe"\s+/service') "the service's image path is quoted, with /service"
    Check ($qc -match 'DEPENDENCIES\s*:\s*MpsSvc') 'the service depends on MpsSvc (the firewall service)'
    Check ($qc -match 'SERVICE_START_NAME\s*:\s*LocalSystem' -and $qc -match 'START_TYPE\s*:\s*2') 'the service runs as LocalSystem and starts automatically'
    $qf = (Invoke-Exe $sc @('qfailure', 'dloagent', '4096') 'msi-sc-qfailure' 60).Out
    Check ($qf -match 'RESET_PERIOD[^:]*:\s*86400' -and ([regex]::Matches($qf, 'RESTART')).Count -ge 3) 'recovery: restart three times, reset after a day'
    $flag = (Invoke-Exe $sc @('qfailureflag', 'dloagent') 'msi-sc-qfailureflag' 60).Out
    Check ($flag -match 'TRUE') 'recovery also after an error exit (failure actions flag)'
    # Whether Windows Installer quotes the path itself is documented nowhere: seen here.
    $said = @(Select-String -LiteralPath $log -Pattern 'image path (quoted[^;]*)' | ForEach-Object { $_.Matches[0].Groups[1].Value })
    Write-Note "observed: DloConfigureService found the image path $($said -join '; ')"
    Check ($said.Count -ge 1) 'the MSI log has the line of DloConfigureService'
    Check (Test-Path -LiteralPath $script:EventLogKey) 'the Event Log source dloagent is registered'
}

function Step-Msi {
    $null = Install-Agent 'msi-install'
    Test-ServiceTables (Join-Path $script:OutDir 'msi-install.log')
    $planned = Get-AgentJson $script:InstalledAgent @('/plan', '/json') 'installed-plan'
    if ($planned) { Compare-PlanWithStore $planned $owned 'PersistentStore' 'service' }
    Uninstall-Agent 'msi-uninstall'
    Check (-not (Test-Path -LiteralPath $script:EventLogKey)) 'no Event Log source after the uninstall'
    Check (@(Get-GroupRules $owned 'PersistentStore').Count -eq 0) 'no rule of the agent after the uninstall'
    Check (-not (Test-Path -LiteralPath (Split-Path -Parent $script:InstalledAgent))) 'no program folder after the uninstall'
}

# Step 3b: the MSI run by a standard user, as tests/wine/test_msi.py runs it under Wine with a
# restricted token; here Windows Installer runs the deferred actions as SYSTEM, as it does for
# any user of a per-machine package once it is installed. A local account in no group but
# Users; the installer key seeded with a REG_SZ, a REG_DWORD, a REG_MULTI_SZ and a value in the
# 32-bit view; every run must leave both registry views of the key byte for byte, the product
# and its exe, and be refused. Without the REG_MULTI_SZ a plain repair by the user changes no
# byte and goes through.
function Step-MsiStandardUser {
    if (-not (Install-Agent 'msi-user-install')) { return }
    $product = @(Get-ProductKeys)
    Check ($product.Count -eq 1) "one Uninstall key names '$script:ProductName': $($product -join ', ')"
    if ($product.Count -ne 1) {
        Uninstall-Agent 'msi-user-uninstall'
        return
    }
    $user = New-StandardUser
    $dir = Grant-StandardUser $user.Sid @($msi, $next)
    Test-StandardToken $user $dir
    Add-SeedValues
    $baseline = Get-KeyExports 'msi-user-baseline' $true
    Write-Note "the installer key before the runs (64-bit view):`n$($baseline['64'])`n(32-bit view):`n$($baseline['32'])"
    if (-not $next) { Write-Note "no dloagent-next.msi under ${BinDir}: the next version's runs left out" }
    $outcomes = foreach ($case in (Get-StandardUserCases $msi $next $dir)) { Test-StandardUserCase $user $case $baseline $product[0] $dir }
    Write-Note "standard user runs: $((@($outcomes) | Group-Object | ForEach-Object { "$($_.Count) $($_.Name)" }) -join ', ')"
    Check ((Invoke-Exe $script:RegExe @('delete', $script:ConfigKey, '/v', 'ExcludeRoles', '/f') 'unseed-ExcludeRoles' 60).Code -eq 0) 'the REG_MULTI_SZ deleted'
    $baseline = Get-KeyExports 'msi-user-baseline2' $true
    foreach ($repair in @(@('REINSTALL=ALL', 'REINSTALLMODE=omus'), @('REMOVE=ALL', 'REINSTALL=ALL', 'REINSTALLMODE=omus'))) {
        $run = Invoke-MsiAs $user (@('/i', $msi) + $repair) $dir "plain repair $($repair -join ' ')"
        $after = Get-KeyExports 'msi-user-repair' $false
        $same = $after['64'] -ceq $baseline['64'] -and $after['32'] -ceq $baseline['32']
        Check ($run.Code -eq 0 -and $same) "standard user, plain repair $($repair -join ' '): exit $($run.Code) (0 expected), key $(if ($same) { 'byte for byte' } else { 'CHANGED' })"
    }
    $running = Wait-Until { "$((Get-OrNothing { Get-Service -Name dloagent -ErrorAction Stop }).Status)" -eq 'Running' } 30 'running'
    Check $running 'the service runs after the repairs'
    Test-KeyDaclRefused $script:InstalledAgent
    Remove-StandardUserSetup
    Uninstall-Agent 'msi-user-uninstall'
}

# What the standard user step made, gone: the user, its grants, the seeded values.
function Remove-StandardUserSetup {
    Remove-UserGrants
    Remove-StandardUser
    Remove-SeedValues
}

# Step 3c: the compliance scripts as Intune and Configuration Manager run them, against the agent
# the MSI installed: compliant; one owned rule deleted and the service stopped; remediated.
function Step-Compliance {
    $detect = Get-RepoFile 'policies\compliance\intune-detect.ps1'
    $discover = Get-RepoFile 'policies\compliance\configmgr-discover.ps1'
    $remediate = Get-RepoFile 'policies\compliance\remediate.ps1'
    if (-not ($detect -and $discover -and $remediate)) { return }
    if (-not (Install-Agent 'compliance-install')) { return }
    $null = Test-Detection $detect 0 'Compliant' '' 'intune-detect, compliant'
    $null = Test-Detection $discover 0 'Compliant' '' 'configmgr-discover, compliant'
    Stop-Service -Name dloagent -ErrorAction Stop
    $victim = @(Get-GroupRules $owned 'PersistentStore')[0]
    Check ($null -ne $victim) 'a rule of the agent to delete'
    if (-not $victim) { return }
    Remove-NetFirewallRule -PolicyStore PersistentStore -Name $victim.Name -ErrorAction Stop
    Write-Note "service stopped, '$($victim.DisplayName)' removed with Remove-NetFirewallRule"
    # The service's last record is seconds old and says compliant: the scripts report it until it
    # ages (docs/fleet.md), which is what this shows.
    $fresh = Invoke-ComplianceScript $detect 'intune-detect, record still fresh' $script:WinPs64
    Write-Note "observed: with the service's record still fresh, intune-detect exits $($fresh.Code): $($fresh.Out.Trim())"
    Set-RecordAged
    $null = Test-Detection $detect 1 'Non-compliant' '\b1 missing\b' 'intune-detect, one rule missing, service stopped'
    $null = Test-Detection $discover 0 'Non-compliant' '\b1 missing\b' 'configmgr-discover, one rule missing, service stopped'
    $null = Test-Detection $detect 1 'Non-compliant' '\b1 missing\b' 'intune-detect from 32-bit Windows PowerShell' $script:WinPs32
    $r = Invoke-ComplianceScript $remediate 'remediate' $script:WinPs64
    Check ($r.Code -eq 0) "remediate.ps1: exit $($r.Code) (0 expected)"
    Check ("$((Get-Service -Name dloagent -ErrorAction Stop).Status)" -eq 'Running') 'the service runs after remediate.ps1'
    $null = Test-Detection $detect 0 'Compliant' '' 'intune-detect after remediate.ps1'
    $null = Test-Detection $discover 0 'Compliant' '' 'configmgr-discover after remediate.ps1'
    Uninstall-Agent 'compliance-uninstall'
}

# This machine's Known DLLs (the registry's list) beside tests/known-dlls.txt, the list the
# shipped binaries' imports are held to. Printed as observed: the registry names the DLLs the
# loader maps first, \KnownDlls also holds what they import.
function Step-KnownDlls {
    $file = Get-RepoFile 'tests\known-dlls.txt'
    if (-not $file) { return }
    $key = Get-Item -LiteralPath 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager\KnownDLLs' -ErrorAction Stop
    $here = @($key.GetValueNames() | ForEach-Object { "$($key.GetValue($_))".ToLowerInvariant() } | Where-Object { $_ -like '*.dll' } | Sort-Object -Unique)
    $listed = @(Get-Content -LiteralPath $file | ForEach-Object { ($_ -replace '#.*$', '').Trim().ToLowerInvariant() } | Where-Object { $_ } | Sort-Object -Unique)
    Check ($here.Count -gt 0 -and $listed.Count -gt 0) "Known DLLs read: $($here.Count) in the registry, $($listed.Count) in tests/known-dlls.txt"
    $onlyListed = @($listed | Where-Object { $here -notcontains $_ })
    $onlyHere = @($here | Where-Object { $listed -notcontains $_ })
    $report = @("Windows build $build, KnownDLLs in the registry: $($here -join ' ')",
        "in tests/known-dlls.txt, not in the registry's list: $($onlyListed -join ' ')",
        "in the registry's list, not in tests/known-dlls.txt: $($onlyHere -join ' ')")
    Write-OutFile 'known-dlls.txt' $report
    $report | ForEach-Object { Write-Note "observed: $_" }
}

# Every step, between the two readings of the rules of someone else.
function Invoke-Steps {
    $script:restore.Log = Enable-FirewallLog
    $script:restore.OffProfiles = @(Get-NetFirewallProfile -PolicyStore ActiveStore |
        Where-Object { "$($_.Enabled)" -eq 'False' } | ForEach-Object { $_.Name })
    if ($script:restore.OffProfiles.Count) {
        # /verify reports a planned profile with the firewall off as firewall-off.
        Write-Note "firewall off for $($script:restore.OffProfiles -join ', '): on for this run"
        Set-NetFirewallProfile -Profile $script:restore.OffProfiles -Enabled True
    }
    $script:matrix = Get-AgentJson $agent @('/matrix', '/json') 'matrix'
    Step-ExportNetsh
    $model = Get-AgentJson $agent (@('/plan', '/json') + $plan) 'plan-canaries'
    $script:restore.Canaries = @(Add-Canaries $model $owned)
    $since = Get-Date
    $before = Read-ForeignRules @($owned, $suiteGroup)
    Step-Parser
    Step-Conformance
    Step-EndToEnd
    Step-Strict
    Step-Export
    Step-ExportQuotes
    Step-Rpc
    Step-Binding
    Measure-RealStore $agent
    Test-Remove 'timing'
    Step-Msi
    Step-MsiStandardUser
    Step-Compliance
    Step-DriftWatch
    Step-KnownDlls
    $after = Read-ForeignRules @($owned, $suiteGroup)
    foreach ($id in $script:restore.Canaries) {
        $key = $id.ToUpperInvariant()
        Check ($null -ne $before[$key] -and $before[$key] -ceq $after[$key]) "planted rule $id untouched"
    }
    Compare-ForeignRules $before $after $since
}

# Whatever a stopped run left, put back; each part on its own, so one failure stops no other.
function Invoke-Cleanup {
    $script:Deadline = [DateTime]::UtcNow.AddMinutes(5)
    $parts = @(
        { Restore-KeyDacl },
        { if (Get-OrNothing { Get-Service -Name dloagent -ErrorAction Stop }) { $null = Invoke-Msi '/x' $msi @() 'cleanup-msi-uninstall' } },
        { Remove-UserGrants },
        { Remove-StandardUser },
        { Remove-SeedValues },
        { if (@(Get-GroupRules $owned 'PersistentStore').Count) { $null = Invoke-Exe $agent @('/remove') 'cleanup-remove' } },
        { Remove-NetshRules },
        { Remove-Canaries $script:restore.Canaries },
        { Stop-Listener },
        { if (@($script:restore.OffProfiles).Count) { Set-NetFirewallProfile -Profile $script:restore.OffProfiles -Enabled False } },
        { if ($script:restore.Log) { Restore-FirewallLog $script:restore.Log } })
    foreach ($part in $parts) {
        try { & $part } catch { Write-Note "cleanup: $($_.Exception.Message)" }
    }
}

function Show-Machine {
    Write-Note "Windows $([Environment]::OSVersion.Version), PowerShell $($PSVersionTable.PSVersion) ($($PSVersionTable.PSEdition))"
    Write-Note "binaries from $BinDir, outputs in $script:OutDir"
    Get-OrNothing { Get-NetConnectionProfile -ErrorAction Stop } | Where-Object { $_ } |
        ForEach-Object { Write-Note "network '$($_.Name)' on $($_.InterfaceAlias): $($_.NetworkCategory)" }
    Write-Note "connected profiles (NLA): $($script:connected -join ', '); the firewall's current: $((Get-FirewallCurrentProfiles) -join ', ')"
    Get-NetFirewallProfile | ForEach-Object { Write-Note "firewall $($_.Name): enabled $($_.Enabled), inbound $($_.DefaultInboundAction), outbound $($_.DefaultOutboundAction)" }
}

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw 'run.ps1 needs an elevated PowerShell (the agent and the suite write firewall rules)'
}
$agent = Find-Binary 'dloagent.exe'
$msi = Find-Binary 'dloagent.msi'
$suite = Find-Binary 'conformance.exe'
$listenService = Find-Binary 'listen_service.exe'
$listen = Find-Binary 'probe_listen.exe'
$next = Find-Binary 'dloagent-next.msi' $true
if (@(Get-GroupRules $owned 'PersistentStore').Count -ne 0) { throw "rules of '$owned' exist already: not a clean machine" }
$script:connected = @(Get-ConnectedProfiles)
Show-Machine

$script:restore = @{ Log = $null; OffProfiles = @(); Canaries = @(); Listener = $null; Service = $null; NetshRules = @()
    User = $null; Grants = (New-Object System.Collections.Generic.List[object]); Seeded = $false; Wow32Arctera = $false
    KeyDacl = $null }
try {
    Invoke-Steps
} catch {
    Check $false "the run stopped: $($_.Exception.Message)"
    Write-Note "$($_.InvocationInfo.PositionMessage)`n$($_.ScriptStackTrace)"
} finally {
    Invoke-Cleanup
}

Write-Host "outputs in $script:OutDir"
if ($script:failures) {
    Write-Host "$script:failures checks failed"
    exit 1
}
Write-Host 'all checks passed'
exit 0
