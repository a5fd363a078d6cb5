<#
.SYNOPSIS
    Brings the Arctera DLO Firewall Agent's firewall rules back to the plan. Remediation script
    paired with intune-detect.ps1 (Intune remediation) and configmgr-discover.ps1 (Configuration
    Manager configuration item).
.DESCRIPTION
    Starts the agent's service if it is installed and stopped (its first pass repairs the
    rules and records the state under HKLM\SOFTWARE\Arctera\DLO\FirewallAgent\State), then
    runs `dloagent.exe /apply` at once rather than waiting for that pass, and checks the result
    with `dloagent.exe /verify /json`. Runs as SYSTEM (both tools do), 64-bit.

    Exit 0: compliant now. Exit 1: still not compliant (both consumers read a remediation's exit
    code so); the output says why (a bad configuration value is named, and is fixed in Group
    Policy or the installer's properties, not here).
#>
if ($env:PROCESSOR_ARCHITEW6432 -and -not [Environment]::Is64BitProcess) {
    & "$env:WINDIR\SysNative\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -ExecutionPolicy Bypass -File $PSCommandPath
    exit $LASTEXITCODE
}

$StateKey = 'HKLM:\SOFTWARE\Arctera\DLO\FirewallAgent\State'
$Agent = Join-Path $env:ProgramFiles 'Arctera\DLO Firewall Agent\dloagent.exe'

if (-not (Test-Path -LiteralPath $Agent)) {
    Write-Output "dloagent is not installed ($Agent): deploy dloagent.msi"
    exit 1
}

$service = Get-Service -Name dloagent -ErrorAction SilentlyContinue
if ($null -ne $service -and $service.Status -ne 'Running') {
    Write-Output "Starting the dloagent service (it was $($service.Status))"
    try {
        Start-Service -Name dloagent -ErrorAction Stop
    } catch {
        Write-Output "Could not start the dloagent service: $($_.Exception.Message)"
    }
}

# Everything the agent says, standard error included, goes to the output Intune keeps.
$apply = (& $Agent /apply 2>&1 | ForEach-Object { "$_" }) -join "`n"
Write-Output "dloagent /apply exited ${LASTEXITCODE}: $apply"
$verify = (& $Agent /verify /json 2>&1 | ForEach-Object { "$_" }) -join "`n"
$verified = $LASTEXITCODE
Write-Output "dloagent /verify exited ${verified}: $verify"
$state = Get-ItemProperty -Path $StateKey -ErrorAction SilentlyContinue
if ($null -ne $state) {
    Write-Output "State key: Compliant=$($state.Compliant) LastPass=$($state.LastPass) LastError=$($state.LastError)"
}
if ($verified -eq 0) { exit 0 }
exit 1
