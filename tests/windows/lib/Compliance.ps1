<#
  The compliance scripts of policies/compliance (dot-sourced by run.ps1), run as Intune and
  Configuration Manager run them: Windows PowerShell, 64-bit, -NoProfile -ExecutionPolicy Bypass
  -File, as an administrator (both tools run them as SYSTEM). docs/fleet.md, "Compliance with SCCM
  (Configuration Manager) or Intune": each prints exactly one line, "Compliant: ..." or
  "Non-compliant: ..."; intune-detect.ps1 exits 1 when not compliant, configmgr-discover.ps1
  always exits 0; remediate.ps1 exits 0 once the machine is compliant.
#>

$script:WinPs64 = Join-Path $env:SystemRoot 'System32\WindowsPowerShell\v1.0\powershell.exe'
$script:WinPs32 = Join-Path $env:SystemRoot 'SysWOW64\WindowsPowerShell\v1.0\powershell.exe'
$script:StatePath = 'HKLM:\SOFTWARE\Arctera\DLO\FirewallAgent\State'

function Invoke-ComplianceScript([string]$file, [string]$label, [string]$shell) {
    return Invoke-Exe $shell @('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', $file) $label 180
}

# One detection or discovery run: its exit code, and one line of output that starts with
# "$verdict:" (and matches $detail, a pattern, when given). Returns that line.
function Test-Detection([string]$file, [int]$exit, [string]$verdict, [string]$detail, [string]$label, [string]$shell = $script:WinPs64) {
    $r = Invoke-ComplianceScript $file $label $shell
    $lines = @($r.Out -split '\r?\n' | Where-Object { $_.Trim() })
    $line = if ($lines.Count) { $lines[0] } else { '(nothing)' }
    $ok = $r.Code -eq $exit -and $lines.Count -eq 1 -and $line.StartsWith("${verdict}:") -and (-not $detail -or $line -match $detail)
    Check $ok ("{0}: exit {1} ({2} expected), {3} line(s), {4}: {5}" -f $label, $r.Code, $exit, $lines.Count,
        "'${verdict}:'$(if ($detail) { " and /$detail/" }) expected", $line)
    return $line
}

# The record the service left is trusted until it is older than twice the reconcile interval
# plus 10 minutes (docs/fleet.md, the compliance table): a LastPass that old is what a service stopped
# for that long leaves, without waiting for it.
function Set-RecordAged {
    $old = (Get-ItemProperty -LiteralPath $script:StatePath -Name LastPass -ErrorAction Stop).LastPass
    Set-ItemProperty -LiteralPath $script:StatePath -Name LastPass -Value '2000-01-01T00:00:00Z' -ErrorAction Stop
    Write-Note "State LastPass $old set to 2000-01-01T00:00:00Z: the record of a service stopped long ago"
}
