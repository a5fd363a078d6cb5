<#
  The service's watch on the rule store, against the real firewall (dot-sourced by run.ps1): an
  owned rule deleted with Remove-NetFirewallRule is put back within a bound, and the repair
  names who deleted it, in the State key's LastDriftBy and in event 1101: the program
  (Remove-NetFirewallRule goes through WMI, so WmiPrvSE.exe, or PowerShell itself) and this
  runner's account, read from the firewall's own event channel (README, "Who changed a rule:
  attribution"). The time it took is printed as observed, beside the Wine benchmark's.
#>

# Generous for a busy runner: the service's own figure under Wine is under a second.
$script:DriftBound = 20

function Test-DriftAttribution([string]$text, [string]$where) {
    $account = [Security.Principal.WindowsIdentity]::GetCurrent().Name
    Check ($text -match '(?i)WmiPrvSE\.exe|powershell|pwsh') "${where} names the program (WmiPrvSE.exe or PowerShell): $text"
    Check ($text.IndexOf($account, [StringComparison]::OrdinalIgnoreCase) -ge 0) "${where} names the runner's account ${account}: $text"
}

function Step-DriftWatch {
    if (-not (Install-Agent 'drift-install')) { return }
    $victim = @(Get-GroupRules $owned 'PersistentStore')[0]
    Check ($null -ne $victim) 'a rule of the agent to delete'
    if ($victim) {
        $began = Get-Date
        Remove-NetFirewallRule -PolicyStore PersistentStore -Name $victim.Name -ErrorAction Stop
        $back = Wait-Until { @(Get-NetFirewallRule -PolicyStore PersistentStore -DisplayName $victim.DisplayName -ErrorAction SilentlyContinue).Count -eq 1 } $script:DriftBound 'repaired'
        $took = ((Get-Date) - $began).TotalMilliseconds
        Check $back "'$($victim.DisplayName)' deleted with Remove-NetFirewallRule is back within $($script:DriftBound) s"
        Write-Note ("observed: the service put the rule back {0:N0} ms after Remove-NetFirewallRule was called" -f $took)
        $read = { "$((Get-OrNothing { Get-ItemProperty -LiteralPath $script:StatePath -ErrorAction Stop }).LastDriftBy)" }
        $null = Wait-Until { (& $read) -ne '' } 10 'LastDriftBy'
        $by = & $read
        Test-DriftAttribution $by 'the State key LastDriftBy'
        $event = Get-OrNothing { Get-WinEvent -FilterHashtable @{ LogName = 'Application'; ProviderName = 'dloagent'; Id = 1101; StartTime = $began } -ErrorAction Stop } | Select-Object -First 1
        Check ($null -ne $event) 'event 1101 after the deletion'
        if ($event) { Test-DriftAttribution $event.Message 'event 1101' }
    }
    Uninstall-Agent 'drift-uninstall'
}
