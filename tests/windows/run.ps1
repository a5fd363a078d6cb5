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
       /strict must pass; the plan through /export:powershell run by Windows PowerShell 5.1 and
       PowerShell 7, read back; a client with the RPC keywords, read back; a rule bound to a
       service named DLOAdminSvcu keeps its program and service while a program that is no
       service listens on 127.0.0.2:3999 beside it and after it stopped; /apply and /verify
       timed against this store (timing.md);
    3. the MSI installed silently, /verify retried until the service has applied the plan, read
       back, the MSI uninstalled: no service, no rule, no program left;
    4. every rule of someone else the same as before, unless the firewall's log names someone
       else for its change; five rules planted to look like the agent's among them.
  Prints "ok: ..." or "FAIL: ..." per check (also in checks.txt); exits 1 if any failed. Every
  program's output, the MSI logs, the plans and the answers go to -OutDir.

.PARAMETER BinDir
  The folder with dloagent.exe, dloagent.msi, conformance.exe, listen_service.exe and
  probe_listen.exe, in it or below it (the CI artifact, or build/windows copied over).

.PARAMETER OutDir
  Where the outputs go (created; default: dloagent-run in the temporary folder).

.PARAMETER TimeoutMinutes
  The whole run's limit: no program is waited for past it, and the cleanup still runs.
#>
param(
    [Parameter(Mandatory = $true)][string]$BinDir,
    [string]$OutDir = (Join-Path $env:TEMP 'dloagent-run'),
    [int]$TimeoutMinutes = 30
)

$ErrorActionPreference = 'Stop'
foreach ($lib in 'Exec', 'ReadBack', 'Warnings', 'Foreign', 'Timing') {
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

function Find-Binary([string]$name) {
    $hit = Get-ChildItem -Path $BinDir -Recurse -Filter $name -File | Select-Object -First 1
    if (-not $hit) { throw "no $name under $BinDir" }
    return $hit.FullName
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

# Step 2b: the PowerShell export, run by Windows PowerShell 5.1 and then PowerShell 7 (5.1 again
# without it) against the local store: it replaces the rules of the agent's Group there.
function Step-Export {
    $file = Join-Path $script:OutDir 'dlo-export.ps1'
    $r = Invoke-Exe $agent (@('/export:powershell') + $plan) 'export'
    Check ($r.Code -eq 0 -and $r.Out.Trim()) "/export:powershell: exit $($r.Code) with a script"
    [IO.File]::WriteAllText($file, $r.Out)
    Test-ParsedFile $file
    $hosts = @("$env:SystemRoot\System32\WindowsPowerShell\v1.0\powershell.exe")
    $pwsh = Get-OrNothing { Get-Command -Name pwsh.exe -CommandType Application -ErrorAction Stop }
    $hosts += $(if ($pwsh) { @($pwsh)[0].Path } else { $hosts[0] })
    for ($run = 1; $run -le $hosts.Count; $run++) {
        $h = $hosts[$run - 1]
        $x = Invoke-Exe $h @('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', $file) "export-run$run"
        Check ($x.Code -eq 0) "the export, run $run by $h`: exit $($x.Code)"
        $v = Invoke-Exe $agent (@('/verify') + $plan) "export-verify$run"
        Check ($v.Code -eq 0) "/verify after the export's run ${run}: exit $($v.Code)"
    }
    $planned = Get-AgentJson $agent (@('/plan', '/json') + $plan) 'export-plan'
    if ($planned) {
        Compare-PlanWithStore $planned $owned 'PersistentStore' 'export'
        Compare-PlanWithStore $planned $owned 'ActiveStore' 'export'
    }
    Test-Remove 'export'
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

# Step 3: the MSI, silently, with the service running in between.
function Step-Msi {
    $i = Invoke-Msi '/i' $msi @('BOIMODE=occasional', 'ADDROLES=edge-server') 'msi-install'
    Check ($i.Code -eq 0) "msiexec /i /qn: exit $($i.Code) (msi-install.log)"
    $running = Wait-Until { "$((Get-OrNothing { Get-Service -Name dloagent -ErrorAction Stop }).Status)" -eq 'Running' } 30 'running'
    Check $running 'the service is installed and running'
    $installed = Join-Path $env:ProgramFiles 'Arctera\DLO Firewall Agent\dloagent.exe'
    $v = Wait-Compliant $installed @() 'installed-verify' 120
    Check ($v.Code -eq 0) "installed dloagent.exe /verify: exit $($v.Code) once the service applied the plan"
    $planned = Get-AgentJson $installed @('/plan', '/json') 'installed-plan'
    if ($planned) { Compare-PlanWithStore $planned $owned 'PersistentStore' 'service' }
    $x = Invoke-Msi '/x' $msi @() 'msi-uninstall'
    Check ($x.Code -eq 0) "msiexec /x /qn: exit $($x.Code) (msi-uninstall.log)"
    Check ($null -eq (Get-OrNothing { Get-Service -Name dloagent -ErrorAction Stop })) 'no service after the uninstall'
    Check (@(Get-GroupRules $owned 'PersistentStore').Count -eq 0) 'no rule of the agent after the uninstall'
    Check (-not (Test-Path -LiteralPath (Split-Path -Parent $installed))) 'no program folder after the uninstall'
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
    $model = Get-AgentJson $agent (@('/plan', '/json') + $plan) 'plan-canaries'
    $script:restore.Canaries = @(Add-Canaries $model $owned)
    $since = Get-Date
    $before = Read-ForeignRules @($owned, $suiteGroup)
    Step-Parser
    Step-Conformance
    Step-EndToEnd
    Step-Strict
    Step-Export
    Step-Rpc
    Step-Binding
    Measure-RealStore $agent
    Test-Remove 'timing'
    Step-Msi
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
        { if (Get-OrNothing { Get-Service -Name dloagent -ErrorAction Stop }) { $null = Invoke-Msi '/x' $msi @() 'cleanup-msi-uninstall' } },
        { if (@(Get-GroupRules $owned 'PersistentStore').Count) { $null = Invoke-Exe $agent @('/remove') 'cleanup-remove' } },
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
if (@(Get-GroupRules $owned 'PersistentStore').Count -ne 0) { throw "rules of '$owned' exist already: not a clean machine" }
$script:connected = @(Get-ConnectedProfiles)
Show-Machine

$script:restore = @{ Log = $null; OffProfiles = @(); Canaries = @(); Listener = $null; Service = $null }
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
