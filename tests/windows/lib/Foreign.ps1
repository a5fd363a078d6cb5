<#
  The rules of someone else, before and after the run (dot-sourced by run.ps1). What the agent
  could touch is the local rule store, which INetFwPolicy2 enumerates: it is read whole, every
  field of every rule as the firewall keeps it (the rule strings of MS-GPFAS 2.2.2.19 under the
  key below). Windows changes rules of its own while the run goes on (Microsoft Edge's, Hyper-V's,
  Docker's on a CI runner): a difference counts against the run unless the firewall's own log
  names someone else for every change of that rule. A change the log does not explain counts.
#>

$script:LocalRulesKey = 'HKLM:\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\FirewallRules'
$script:FirewallChannel = 'Microsoft-Windows-Windows Firewall With Advanced Security/Firewall'

function Get-RuleField([string]$text, [string]$field) {
    if ($text -match "\|$field=([^|]*)\|") { return $Matches[1] }
    return ''
}

# Every rule of the local store whose Grouping (EmbedCtxt) is none of $groups, compared with
# case as the agent compares it: rule ID (upper case) -> rule string.
function Read-ForeignRules([string[]]$groups) {
    $key = Get-Item -LiteralPath $script:LocalRulesKey -ErrorAction Stop
    $rules = @{}
    foreach ($id in $key.GetValueNames()) {
        $text = [string]$key.GetValue($id)
        if ($groups -cnotcontains (Get-RuleField $text 'EmbedCtxt')) { $rules[$id.ToUpperInvariant()] = $text }
    }
    if ($rules.Count -eq 0) { throw "no rule of someone else in the local store ($script:LocalRulesKey): nothing to compare" }
    return $rules
}

# The firewall's log of rule changes, on and large enough for the run; returns what to restore.
function Enable-FirewallLog {
    $log = Get-WinEvent -ListLog $script:FirewallChannel -ErrorAction Stop
    $saved = [pscustomobject]@{ Enabled = $log.IsEnabled; Size = $log.MaximumSizeInBytes }
    $size = 67108864 # 64 MiB: every rule the suite and the agent write is an event
    if (-not $log.IsEnabled -or $log.MaximumSizeInBytes -lt $size) {
        $log.IsEnabled = $true
        $log.MaximumSizeInBytes = [Math]::Max($log.MaximumSizeInBytes, $size)
        $log.SaveChanges()
    }
    Write-Note "firewall log '$script:FirewallChannel': was enabled $($saved.Enabled), $($saved.Size) bytes"
    return $saved
}

function Restore-FirewallLog([object]$saved) {
    $log = Get-WinEvent -ListLog $script:FirewallChannel -ErrorAction Stop
    $log.IsEnabled = $saved.Enabled
    $log.MaximumSizeInBytes = $saved.Size
    $log.SaveChanges()
}

# Who changed which rule since $since, from the firewall's log: rule ID (upper case) -> list of
# authors (User: the SID, App: the program, Event: the event ID).
function Get-RuleAuthors([DateTime]$since) {
    $filter = @{ LogName = $script:FirewallChannel; StartTime = $since }
    $events = @(Get-OrNothing { Get-WinEvent -FilterHashtable $filter -ErrorAction Stop })
    $authors = @{}
    foreach ($e in ($events | Where-Object { $_ })) {
        $data = @{}
        foreach ($d in ([xml]$e.ToXml()).Event.EventData.Data) { $data[$d.GetAttribute('Name')] = $d.InnerText }
        if (-not $data['RuleId']) { continue }
        $id = $data['RuleId'].ToUpperInvariant()
        if (-not $authors.ContainsKey($id)) { $authors[$id] = New-Object System.Collections.Generic.List[object] }
        $authors[$id].Add([pscustomobject]@{ User = $data['ModifyingUser']; App = $data['ModifyingApplication']; Event = $e.Id })
    }
    return $authors
}

# An author is the run's when it is this account (run.ps1, the agent it starts, the export and
# the suite; the NetSecurity cmdlets write as their caller) or the agent's service and installer
# (LocalSystem, under their own programs).
function Test-RunAuthor([object]$author, [string]$sid) {
    $app = if ($author.App) { Split-Path -Leaf $author.App } else { '' }
    return ($author.User -eq $sid -or $app -eq 'dloagent.exe' -or $app -eq 'msiexec.exe')
}

# Compares the foreign rules before and after; one check that none changed but by someone else,
# one that the comparison compared something. The differences go to foreign-diff.txt.
function Compare-ForeignRules([hashtable]$before, [hashtable]$after, [DateTime]$since) {
    $sid = [Security.Principal.WindowsIdentity]::GetCurrent().User.Value
    $authors = Get-RuleAuthors $since
    $ids = (@($before.Keys) + @($after.Keys)) | Sort-Object -Unique
    $compared = 0
    $counted = New-Object System.Collections.Generic.List[string]
    $others = New-Object System.Collections.Generic.List[string]
    foreach ($id in $ids) {
        $old = $before[$id]
        $new = $after[$id]
        if ($null -ne $old -and $old -ceq $new) { $compared++; continue }
        $what = if ($null -eq $old) { 'added' } elseif ($null -eq $new) { 'removed' } else { 'changed' }
        $name = Get-RuleField $(if ($new) { $new } else { $old }) 'Name'
        $by = @($authors[$id] | Where-Object { $_ })
        $who = ($by | ForEach-Object { "$($_.App) as $($_.User) (event $($_.Event))" } | Sort-Object -Unique) -join ', '
        $line = "$what $id '$name' by $(if ($who) { $who } else { 'no logged change' })`n    before: $old`n    after:  $new"
        if ($by.Count -gt 0 -and @($by | Where-Object { Test-RunAuthor $_ $sid }).Count -eq 0) {
            $others.Add($line)
        } else {
            $counted.Add($line)
            $compared++
        }
    }
    $report = @("rules of someone else compared: $compared", "changed by this run or unexplained:") + @($counted) +
        @("changed by someone else (not compared):") + @($others)
    Write-OutFile 'foreign-diff.txt' $report
    $others | ForEach-Object { Write-Note "not the run's: $_" }
    $counted | ForEach-Object { Write-Note "the run's or unexplained: $_" }
    Check ($compared -gt 0) "rules of someone else compared before and after: $compared ($($others.Count) changed by others, not compared)"
    Check ($counted.Count -eq 0) "no rule of someone else changed by the run, nor changed without a logged author ($($counted.Count))"
}

# Rules of someone else made to look like the agent's, planted before the run and removed after:
# the name of a planned inbound rule with no Group, with the agent's Group in other case, with a
# longer Group; the name the agent gives a rule it is about to remove; a Block rule on the same
# port. All disabled, so they change nothing /verify judges, but an agent that took ownership
# from a name, or from a Group compared without case, would touch them. Returns their IDs.
function Add-Canaries([object]$plan, [string]$owned) {
    $model = @($plan.rules | Where-Object { $_.direction -eq 'in' -and $_.local_ports })[0]
    $common = @{
        Direction = 'Inbound'; Protocol = "$($model.protocol)".ToUpperInvariant(); Enabled = 'False'
        LocalPort = @($model.local_ports -split ','); PolicyStore = 'PersistentStore'
    }
    $specs = @(
        @{ Name = 'dloagent-canary-same-name'; DisplayName = $model.name; Action = 'Allow' },
        @{ Name = 'dloagent-canary-group-case'; DisplayName = $model.name; Action = 'Allow'; Group = $owned.ToLowerInvariant() },
        @{ Name = 'dloagent-canary-group-longer'; DisplayName = $model.name; Action = 'Allow'; Group = "$owned (not the agent's)" },
        @{ Name = 'dloagent-canary-remove-name'; DisplayName = 'dloagent-remove-0123456789abcdef0123456789abcdef'; Action = 'Allow' },
        @{ Name = 'dloagent-canary-disabled-block'; DisplayName = "$($model.name), blocked (disabled)"; Action = 'Block' })
    foreach ($spec in $specs) {
        $null = New-NetFirewallRule @common @spec -ErrorAction Stop
        Write-Note "planted $($spec.Name): '$($spec.DisplayName)', Group '$($spec.Group)', $($spec.Action), disabled"
    }
    return @($specs | ForEach-Object { $_.Name })
}

function Remove-Canaries([string[]]$ids) {
    foreach ($id in $ids) { $null = Get-OrNothing { Remove-NetFirewallRule -Name $id -ErrorAction Stop } }
}
