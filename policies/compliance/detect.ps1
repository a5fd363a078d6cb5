<#
.SYNOPSIS
    Is the Arctera DLO Firewall Agent's firewall as planned on this machine? Detection script
    for an Intune remediation or a Configuration Manager configuration item.
.DESCRIPTION
    Reads the compliance state the agent's service records after each pass under
    HKLM\SOFTWARE\Arctera\DLO\FirewallAgent\State (README, "Fleet"), without running the
    agent. When that key is absent, incomplete, or its last pass is older than twice the
    reconcile interval plus 10 minutes (the service stopped, or an agent that does not record
    its state), it runs `dloagent.exe /verify /json` instead, which checks the firewall now and
    changes nothing.

    Exit 0 and one line beginning "Compliant": compliant. Exit 1 and one line beginning
    "Non-compliant": not compliant, or the agent is missing or could not check (Intune then
    runs remediate.ps1). Configuration Manager: setting type Script, data type String, compliance
    rule "begins with Compliant"; run as 64-bit.
#>
# A 32-bit host (Intune's default) sees the WOW6432Node view and Program Files (x86): run the
# script again in 64-bit PowerShell.
if ($env:PROCESSOR_ARCHITEW6432 -and -not [Environment]::Is64BitProcess) {
    & "$env:WINDIR\SysNative\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -ExecutionPolicy Bypass -File $PSCommandPath
    exit $LASTEXITCODE
}

$StateKey = 'HKLM:\SOFTWARE\Arctera\DLO\FirewallAgent\State'
$ConfigKeys = 'HKLM:\SOFTWARE\Policies\Arctera\DLO\FirewallAgent', 'HKLM:\SOFTWARE\Arctera\DLO\FirewallAgent'
$Agent = Join-Path $env:ProgramFiles 'Arctera\DLO Firewall Agent\dloagent.exe'

# Runs the agent; its standard output and its standard error apart, and its exit code.
function Invoke-Agent {
    $lines = & $Agent @args 2>&1
    [pscustomobject]@{
        Code = $LASTEXITCODE
        Out  = (($lines | Where-Object { $_ -is [string] }) -join "`n").Trim()
        Err  = (($lines | Where-Object { $_ -isnot [string] } | ForEach-Object { "$_" }) -join "`n").Trim()
    }
}

# ReconcileIntervalMinutes as the agent reads it: Group Policy first, then the installer's, 60.
function Get-ReconcileMinutes {
    foreach ($key in $ConfigKeys) {
        $v = (Get-ItemProperty -Path $key -Name ReconcileIntervalMinutes -ErrorAction SilentlyContinue).ReconcileIntervalMinutes
        if ($v -is [int] -and $v -ge 1 -and $v -le 1440) { return $v }
    }
    return 60
}

# The State key's values when they are complete and recent, else $null.
function Get-RecordedState {
    $s = Get-ItemProperty -Path $StateKey -ErrorAction SilentlyContinue
    if ($null -eq $s -or $null -eq $s.Compliant -or [string]::IsNullOrEmpty($s.LastPass)) { return $null }
    $styles = [Globalization.DateTimeStyles]::AssumeUniversal -bor [Globalization.DateTimeStyles]::AdjustToUniversal
    $last = [datetime]::MinValue
    if (-not [datetime]::TryParse($s.LastPass, [Globalization.CultureInfo]::InvariantCulture, $styles, [ref]$last)) { return $null }
    $maxAge = [timespan]::FromMinutes(2 * (Get-ReconcileMinutes) + 10)
    if (([datetime]::UtcNow - $last) -gt $maxAge) { return $null }
    return $s
}

$state = Get-RecordedState
if ($null -ne $state) {
    $counts = "$($state.RulesRight) of $($state.RulesPlanned) rules right, $($state.Missing) missing, $($state.Drifted) drifted, $($state.Stale) stale"
    $where = "pass at $($state.LastPass), agent $($state.Version), $($state.PolicyRelease), mode $($state.Mode)"
    if ($state.Compliant -eq 1) {
        Write-Output "Compliant: $counts ($where)"
        exit 0
    }
    $why = $counts
    if ($state.Problems) { $why += "; problems: $($state.Problems)" }
    if ($state.LastError) { $why += "; last error: $($state.LastError)" }
    Write-Output "Non-compliant: $why ($where)"
    exit 1
}

if (-not (Test-Path -LiteralPath $Agent)) {
    Write-Output "Non-compliant: dloagent is not installed ($Agent)"
    exit 1
}
$run = Invoke-Agent /verify /json
try {
    $report = $run.Out | ConvertFrom-Json
} catch {
    $report = $null
}
if ($run.Code -eq 0) {
    Write-Output "Compliant: $($report.right) of $($report.planned) rules right (dloagent /verify)"
    exit 0
}
if ($run.Code -eq 1 -and $null -ne $report) {
    $kinds = ($report.problems | ForEach-Object { $_.kind }) -join ','
    Write-Output ("Non-compliant: $($report.right) of $($report.planned) rules right, " +
        "$(@($report.missing).Count) missing, $(@($report.drifted).Count) drifted, " +
        "$(@($report.stale).Count) stale; problems: $kinds (dloagent /verify)")
    exit 1
}
# 2: bad configuration (remediation will not help until it is fixed); 3: could not check.
Write-Output "Non-compliant: dloagent /verify exited $($run.Code): $($run.Err) $($run.Out)"
exit 1
