<#
  /apply and /verify timed against this machine's real rule store (dot-sourced by run.ps1),
  for docs/performance.md: the plan of tests/bench (Administration Server, Console
  and SQL Server, Occasional BOI), so the row sits beside the figures measured against the
  double. Wall time of the whole process, as there.
#>

$script:BenchPlan = @('/roles:admin-server,admin-console,sql-server', '/mode:occasional')

function Measure-AgentRun([string]$agent, [string[]]$arguments, [string]$label) {
    $script:timedRun = $null
    $t = Measure-Command { $script:timedRun = Invoke-Exe $agent $arguments $label 300 }
    Check ($script:timedRun.Code -eq 0) ("timed {0}: exit {1} in {2:N2} s" -f $label, $script:timedRun.Code, $t.TotalSeconds)
    return $t.TotalSeconds
}

function Get-Median([double[]]$values) {
    $sorted = @($values | Sort-Object)
    return $sorted[[int][Math]::Floor($sorted.Count / 2)]
}

# Times a first /apply (none of the agent's rules there), then three more /apply and three
# /verify, writes timing.md in $OutDir and prints its row. The rules stay for the caller to remove.
function Measure-RealStore([string]$agent) {
    $local = (Get-Item -LiteralPath $script:LocalRulesKey -ErrorAction Stop).ValueCount
    $gpKey = 'HKLM:\SOFTWARE\Policies\Microsoft\WindowsFirewall\FirewallRules'
    $gp = if (Test-Path -LiteralPath $gpKey) { (Get-Item -LiteralPath $gpKey).ValueCount } else { 0 }
    $plan = (Invoke-Exe $agent (@('/plan', '/json') + $script:BenchPlan) 'timing-plan').Out | ConvertFrom-Json
    $first = Measure-AgentRun $agent (@('/apply') + $script:BenchPlan) 'timing-apply-first'
    $again = @(1..3 | ForEach-Object { Measure-AgentRun $agent (@('/apply') + $script:BenchPlan) "timing-apply-again$_" })
    $verify = @(1..3 | ForEach-Object { Measure-AgentRun $agent (@('/verify') + $script:BenchPlan) "timing-verify$_" })
    # A GitHub-hosted runner names its image in ImageOS and ImageVersion.
    $where = if ($env:ImageOS) { "GitHub runner $env:ImageOS $env:ImageVersion" } else { $env:COMPUTERNAME }
    $machine = 'Windows {0}, {1}, PowerShell {2}' -f [Environment]::OSVersion.Version, $where, $PSVersionTable.PSVersion
    $row = '| {0} | {1:N0} ({2:N0} Group Policy) | {3} | {4:N2} | {5:N2} | {6:N2} |' -f $machine, $local, $gp,
        @($plan.rules).Count, $first, (Get-Median $again), (Get-Median $verify)
    $table = @(
        '| machine | rules in the store (local, Group Policy) | planned rules | /apply on a store without the agent''s rules, s | /apply again, s (median of 3) | /verify, s (median of 3) |',
        '|---|---|---|---|---|---|',
        $row)
    Write-OutFile 'timing.md' $table
    $table | ForEach-Object { Write-Note "timing: $_" }
}
