<#
.SYNOPSIS
  The conformance suite and dloagent end to end against the real Windows Firewall.

.DESCRIPTION
  Runs on an elevated Windows machine (a CI runner or a test VM, see README.md beside this file):
    1. conformance.exe against the real firewall (tests/conformance);
    2. dloagent.exe /apply on a plan with overlapping remote-address scopes, /verify (exit 0),
       a drift made with Set-NetFirewallRule, /verify (exit 1), /apply, /verify (exit 0),
       /remove: no rule of the agent left; the same plan through /export:powershell, run twice
       by Windows PowerShell 5.1, /verify (exit 0), /remove; a client with
       /pushinstallports:rpc: the RPC-EPMap and RPC keyword rules read back, /verify (exit 0);
       a rule bound to a service named DLOAdminSvcu keeps ApplicationName and ServiceName while
       a program that is no service listens on 127.0.0.2:3999, beside it and after it stopped;
    3. the MSI installed silently, the service running and applying rules, the MSI uninstalled
       silently: no service and no rule of the agent left;
  and checks that every rule not the agent's (or the suite's) is the same before and after.
  Prints "ok: ..." or "FAIL: ..." per check; exits 1 if any failed.

.PARAMETER BinDir
  The folder with dloagent.exe, dloagent.msi, conformance.exe, listen_service.exe and
  probe_listen.exe (the CI artifact, or build/windows copied over: found anywhere below it).
#>
param([Parameter(Mandatory = $true)][string]$BinDir)

$ErrorActionPreference = 'Stop'
$owned = 'Arctera DLO Firewall Agent'
$suiteGroup = 'dloagent conformance suite'
$script:failures = 0

function Check([bool]$cond, [string]$what) {
    if ($cond) { Write-Host "ok: $what" } else { Write-Host "FAIL: $what"; $script:failures++ }
}

function Find-Binary([string]$name) {
    $hit = Get-ChildItem -Path $BinDir -Recurse -Filter $name -File | Select-Object -First 1
    if (-not $hit) { throw "no $name under $BinDir" }
    return $hit.FullName
}

# Runs a program, shows its output, returns its exit code.
function Invoke-Exe([string]$exe, [string[]]$arguments) {
    Write-Host "> $(Split-Path -Leaf $exe) $($arguments -join ' ')"
    & $exe @arguments | Out-Host
    return $LASTEXITCODE
}

# Every rule that is neither the agent's nor the suite's, one line each, through the same COM
# API the agent uses, sorted: what must not change.
function Export-ForeignRules {
    $fw = New-Object -ComObject HNetCfg.FwPolicy2
    $fw.Rules | Where-Object { $_.Grouping -ne $owned -and $_.Grouping -ne $suiteGroup } |
        ForEach-Object {
            '{0}|{1}|{2}|{3}|{4}|{5}|{6}|{7}|{8}|{9}|{10}|{11}|{12}' -f $_.Name, $_.Grouping,
            $_.Enabled, $_.Direction, $_.Action, $_.Protocol, $_.LocalPorts, $_.RemotePorts,
            $_.LocalAddresses, $_.RemoteAddresses, $_.Profiles, $_.ApplicationName, $_.ServiceName
        } | Sort-Object
}

function Get-OwnedRules {
    @(Get-NetFirewallRule -ErrorAction SilentlyContinue | Where-Object { $_.Group -eq $owned })
}

function Wait-Until([scriptblock]$cond, [int]$seconds) {
    $deadline = (Get-Date).AddSeconds($seconds)
    while ((Get-Date) -lt $deadline) {
        if (& $cond) { return $true }
        Start-Sleep -Seconds 1
    }
    return [bool](& $cond)
}

$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw 'run.ps1 needs an elevated PowerShell (the agent and the suite write firewall rules)'
}
$agent = Find-Binary 'dloagent.exe'
$msi = Find-Binary 'dloagent.msi'
$suite = Find-Binary 'conformance.exe'
Write-Host "Windows $([Environment]::OSVersion.Version), binaries from $BinDir"
if ((Get-OwnedRules).Count -ne 0) { throw "rules of '$owned' exist already: not a clean machine" }

# /verify reports a profile with the firewall off as non-compliance (firewall-off): turn any off
# profile on for the run and back off at the end.
$offProfiles = @(Get-NetFirewallProfile | Where-Object { -not $_.Enabled } | ForEach-Object { $_.Name })
if ($offProfiles.Count) {
    Write-Host "firewall off for $($offProfiles -join ', '): on for this run"
    Set-NetFirewallProfile -Profile $offProfiles -Enabled True
}

$foreignBefore = Export-ForeignRules

# 1. The conformance suite against the real firewall.
Check ((Invoke-Exe $suite @()) -eq 0) 'conformance suite against the Windows Firewall'

# 2. The agent end to end. The scopes overlap (10.1.2.3 lies in 10.0.0.0/8) and are not in
#    Windows' order; the Dashboard rules, whose peers are the three roles, join them all: the
#    plan must verify compliant in whatever form Windows reads it back.
$plan = @('/roles:edge-server', '/mode:occasional', '/adminservers:10.0.0.0/8',
          '/adminconsoles:192.168.10.5,10.1.2.3', '/edgeservers:2001:db8::/64')
Check ((Invoke-Exe $agent (@('/apply') + $plan)) -eq 0) '/apply: exit 0'
Check ((Get-OwnedRules).Count -gt 0) '/apply created rules of the agent'
Check ((Invoke-Exe $agent (@('/verify') + $plan)) -eq 0) '/verify after /apply: exit 0 (compliant)'

$victim = Get-OwnedRules | Select-Object -First 1
Set-NetFirewallRule -Name $victim.Name -RemoteAddress '198.51.100.7'
Check ((Invoke-Exe $agent (@('/verify') + $plan)) -eq 1) "/verify after Set-NetFirewallRule on '$($victim.DisplayName)': exit 1"
Check ((Invoke-Exe $agent (@('/apply') + $plan)) -eq 0) '/apply repairs the drift: exit 0'
Check ((Invoke-Exe $agent (@('/verify') + $plan)) -eq 0) '/verify after the repair: exit 0'
Check ((Invoke-Exe $agent @('/remove')) -eq 0) '/remove: exit 0'
Check ((Get-OwnedRules).Count -eq 0) '/remove left no rule of the agent'

# 2b. The PowerShell export, run by Windows PowerShell 5.1 against the local store, twice (it
#     replaces the rules of the agent's Group): /verify then finds the plan, then /remove.
$script = Join-Path $env:TEMP 'dlo-export.ps1'
& $agent (@('/export:powershell') + $plan) | Set-Content -Path $script -Encoding ASCII
Check ($LASTEXITCODE -eq 0) '/export:powershell: exit 0'
foreach ($run in 1, 2) {
    & powershell.exe -NoProfile -ExecutionPolicy Bypass -File $script | Out-Host
    Check ($LASTEXITCODE -eq 0) "the export, run $run by Windows PowerShell 5.1: exit 0"
    Check ((Invoke-Exe $agent (@('/verify') + $plan)) -eq 0) "/verify after the export's run ${run}: exit 0"
}
Check ((Invoke-Exe $agent @('/remove')) -eq 0) '/remove after the export: exit 0'
Remove-Item $script

# 2c. Push installation as Windows' RPC keywords (PushInstallPorts=rpc): the firewall must take
#     RPC-EPMap and RPC on inbound TCP rules of their own and read them back as written. Only
#     MS-FASP says so; this is where it is measured. Every profile, so that a runner that is no
#     domain member still has the rules apply.
$rpc = @('/roles:client', '/mode:nonboi', '/pushinstallports:rpc',
         '/corporateprofiles:domain,private,public', '/adminservers:10.0.0.0/8')
Check ((Invoke-Exe $agent (@('/apply') + $rpc)) -eq 0) '/apply /pushinstallports:rpc: exit 0'
$fw = New-Object -ComObject HNetCfg.FwPolicy2
$localPorts = @($fw.Rules | Where-Object { $_.Grouping -eq $owned -and $_.Direction -eq 1 } |
    ForEach-Object { $_.LocalPorts })
Check (($localPorts -contains 'RPC-EPMap') -and ($localPorts -contains 'RPC')) "the keyword rules read back through COM: $($localPorts -join '; ')"
Check ((Invoke-Exe $agent (@('/verify') + $rpc)) -eq 0) '/verify /pushinstallports:rpc: exit 0 (compliant)'
Check ((Invoke-Exe $agent @('/remove')) -eq 0) '/remove after the RPC keywords: exit 0'

# 2d. A binding no other program can strip: a service named DLOAdminSvcu (listen_service.exe)
#     listens on 3999 and /apply binds the rule to it; a program that is no service
#     (probe_listen.exe) then listens on 127.0.0.2:3999, beside it and after it stopped: /apply
#     must keep ApplicationName and ServiceName. The second listener runs as the runner's
#     account: what the agent judges is that it is no service, whoever started it.
$listenService = Find-Binary 'listen_service.exe'
$listen = Find-Binary 'probe_listen.exe'
$admin = @('/roles:admin-server', '/mode:nonboi', '/corporateprofiles:domain,private,public')
function Get-AdminRule {
    $fw = New-Object -ComObject HNetCfg.FwPolicy2
    $fw.Rules | Where-Object { $_.Grouping -eq $owned -and $_.Name -eq 'Arctera DLO - Administration Service (TCP-In)' } |
        Select-Object -First 1
}
& sc.exe create DLOAdminSvcu binPath= "`"$listenService`" 3999" start= demand | Out-Host
& sc.exe sidtype DLOAdminSvcu unrestricted | Out-Host
& sc.exe start DLOAdminSvcu | Out-Host
Check ((Invoke-Exe $agent (@('/apply') + $admin)) -eq 0) '/apply with DLOAdminSvcu listening: exit 0'
$bound = Get-AdminRule
Check ($bound.ApplicationName -eq $listenService -and $bound.ServiceName -eq 'DLOAdminSvcu') "bound: $($bound.ApplicationName), $($bound.ServiceName)"
$user = Start-Process -FilePath $listen -ArgumentList @('3999', '300', '127.0.0.2') -PassThru
Start-Sleep -Seconds 2
Check ((Invoke-Exe $agent (@('/apply') + $admin)) -eq 0) '/apply beside a listener on 127.0.0.2:3999: exit 0'
$now = Get-AdminRule
Check ($now.ApplicationName -eq $bound.ApplicationName -and $now.ServiceName -eq 'DLOAdminSvcu') "the binding stays beside it: $($now.ApplicationName), $($now.ServiceName)"
& sc.exe stop DLOAdminSvcu | Out-Host
Start-Sleep -Seconds 2
Check ((Invoke-Exe $agent (@('/apply') + $admin)) -eq 0) '/apply with the service stopped and the listener alone: exit 0'
$now = Get-AdminRule
Check ($now.ApplicationName -eq $bound.ApplicationName -and $now.ServiceName -eq 'DLOAdminSvcu') "the binding stays after the service stopped: $($now.ApplicationName), $($now.ServiceName)"
Stop-Process -Id $user.Id -Force
& sc.exe delete DLOAdminSvcu | Out-Host
Check ((Invoke-Exe $agent @('/remove')) -eq 0) '/remove after the binding case: exit 0'

# 3. The MSI, silently, with the service running in between.
$log = Join-Path $env:TEMP 'dloagent-install.log'
$p = Start-Process msiexec.exe -ArgumentList @('/i', "`"$msi`"", '/qn', 'BOIMODE=occasional',
    'ADDROLES=edge-server', '/l*v', "`"$log`"") -Wait -PassThru
Check ($p.ExitCode -eq 0) "msiexec /i /qn: exit $($p.ExitCode) (log $log)"
Check (Wait-Until { (Get-Service dloagent -ErrorAction SilentlyContinue).Status -eq 'Running' } 30) 'the service is running'
Check (Wait-Until { (Get-OwnedRules).Count -gt 0 } 60) 'the service applied the rules'
$installed = Join-Path ${env:ProgramFiles} 'Arctera\DLO Firewall Agent\dloagent.exe'
Check ((Invoke-Exe $installed @('/verify')) -eq 0) 'installed dloagent.exe /verify: exit 0'
$p = Start-Process msiexec.exe -ArgumentList @('/x', "`"$msi`"", '/qn', '/l*v',
    "`"$(Join-Path $env:TEMP 'dloagent-uninstall.log')`"") -Wait -PassThru
Check ($p.ExitCode -eq 0) "msiexec /x /qn: exit $($p.ExitCode)"
Check (-not (Get-Service dloagent -ErrorAction SilentlyContinue)) 'no service after the uninstall'
Check ((Get-OwnedRules).Count -eq 0) 'no rule of the agent after the uninstall'

# Foreign rules: exactly as before.
$foreignAfter = Export-ForeignRules
$diff = @(Compare-Object -ReferenceObject @($foreignBefore) -DifferenceObject @($foreignAfter))
$diff | ForEach-Object { Write-Host "  $($_.SideIndicator) $($_.InputObject)" }
Check ($diff.Count -eq 0) "every other rule unchanged ($(@($foreignBefore).Count) rules)"

if ($offProfiles.Count) { Set-NetFirewallProfile -Profile $offProfiles -Enabled False }
if ($script:failures) { Write-Host "$script:failures checks failed"; exit 1 }
Write-Host 'all checks passed'
exit 0
