<#
  Checks, programs run with a time limit and their output kept, for run.ps1 (dot-sourced).
  Runs unchanged on Windows PowerShell 5.1 and PowerShell 7: no PowerShell 7 syntax, no .NET
  API that .NET Framework 4 lacks.
#>

# Set by run.ps1: $script:OutDir (where every output goes, uploaded as the CI artifact) and
# $script:Deadline (UTC: no program is waited for past it, so the cleanup still runs in time).
$script:failures = 0
$script:runs = 0

function Check([bool]$cond, [string]$what) {
    $line = if ($cond) { "ok: $what" } else { "FAIL: $what" }
    if (-not $cond) { $script:failures++ }
    Write-Host $line
    Add-Content -LiteralPath (Join-Path $script:OutDir 'checks.txt') -Value $line
}

# Writes lines (none is an empty file) to a file of $OutDir.
function Write-OutFile([string]$name, [object[]]$lines) {
    [IO.File]::WriteAllLines((Join-Path $script:OutDir $name), [string[]]@($lines | Where-Object { $null -ne $_ }))
}

function Write-Note([string]$text) {
    Write-Host $text
    Add-Content -LiteralPath (Join-Path $script:OutDir 'checks.txt') -Value "  $text"
}

# Seconds left before the deadline, at most $limit.
function Get-TimeLimit([int]$limit) {
    $left = [int]($script:Deadline - [DateTime]::UtcNow).TotalSeconds
    if ($left -le 0) { throw "the suite's time limit passed (-TimeoutMinutes)" }
    return [Math]::Min($limit, $left)
}

# One command-line argument as the program's C runtime reads it back: quoted when it holds a
# blank. An argument with a quote in it is refused rather than guessed at.
function ConvertTo-ArgumentText([string[]]$arguments) {
    $quoted = foreach ($a in @($arguments)) {
        if ($a.Contains('"')) { throw "argument with a quote: $a" }
        if ($a -match '\s' -or $a -eq '') { '"' + $a + '"' } else { $a }
    }
    return ($quoted -join ' ')
}

# The prefix of one program's output files in $OutDir: the run's number and $label.
function New-OutBase([string]$label) {
    $script:runs++
    return Join-Path $script:OutDir ('{0:D3}-{1}' -f $script:runs, ($label -replace '[^A-Za-z0-9.-]+', '_'))
}

# Waits for a started program at most $limit seconds: its exit code, or $null when it did not
# finish in time (it is then killed with its children). The caller holds the process's handle.
function Wait-Limited([Diagnostics.Process]$p, [int]$limit) {
    if ($p.WaitForExit($limit * 1000)) { return $p.ExitCode }
    & taskkill.exe /T /F /PID $p.Id | Out-Host
    if (-not $p.HasExited) { $p.Kill() }
    Write-Host "  did not finish in $limit s: killed"
    return $null
}

function Show-Exit([object]$code, [DateTime]$began) {
    Write-Host ('  exit {0} in {1:N2} s' -f $(if ($null -eq $code) { 'none' } else { $code }), ([DateTime]::UtcNow - $began).TotalSeconds)
}

# Runs a program with a time limit, its output and error output in files of $OutDir named after
# $label, shows them, and returns an object with Code (the exit code, or $null when it did not
# finish in time: it is then killed with its children), Out, Err, Seconds and the files' paths.
function Invoke-Exe([string]$exe, [string[]]$arguments, [string]$label, [int]$timeoutSeconds = 300) {
    $base = New-OutBase $label
    $outFile = "$base.out.txt"
    $errFile = "$base.err.txt"
    $limit = Get-TimeLimit $timeoutSeconds
    Write-Host "> $(Split-Path -Leaf $exe) $($arguments -join ' ')   (limit $limit s)"
    $began = [DateTime]::UtcNow
    $start = @{ FilePath = $exe; NoNewWindow = $true; PassThru = $true
        RedirectStandardOutput = $outFile; RedirectStandardError = $errFile }
    # Start-Process refuses an empty argument list.
    if (@($arguments).Count) { $start.ArgumentList = ConvertTo-ArgumentText $arguments }
    $p = Start-Process @start
    # Windows PowerShell's Process object forgets the exit code unless its handle was taken
    # while the process ran.
    $null = $p.Handle
    $code = Wait-Limited $p $limit
    $r = [pscustomobject]@{
        Code    = $code
        Out     = [IO.File]::ReadAllText($outFile)
        Err     = [IO.File]::ReadAllText($errFile)
        Seconds = ([DateTime]::UtcNow - $began).TotalSeconds
        OutFile = $outFile
    }
    if ($r.Out) { Write-Host $r.Out.TrimEnd() }
    if ($r.Err) { Write-Host $r.Err.TrimEnd() }
    Show-Exit $code $began
    return $r
}

# msiexec with a verbose log in $OutDir; returns the Invoke-Exe result.
function Invoke-Msi([string]$action, [string]$msi, [string[]]$properties, [string]$label) {
    $log = Join-Path $script:OutDir "$label.log"
    $arguments = @($action, $msi, '/qn', '/l*v', $log) + $properties
    return Invoke-Exe "$env:SystemRoot\System32\msiexec.exe" $arguments $label 600
}

# Asks $condition (a script block) once a second until it answers true or $seconds pass,
# printing each answer that is not; returns the last answer.
function Wait-Until([scriptblock]$condition, [int]$seconds, [string]$what) {
    $until = [DateTime]::UtcNow.AddSeconds($seconds)
    $try = 0
    while ($true) {
        $try++
        $ok = [bool](& $condition)
        if ($ok -or [DateTime]::UtcNow -ge $until) { return $ok }
        Write-Note "try ${try}: not yet $what"
        Start-Sleep -Seconds 1
    }
}

# Runs the agent's /verify until it exits 0 or $seconds pass, printing each try: the service may
# still be adding rules when it is first asked. Returns the last result.
function Wait-Compliant([string]$agent, [string[]]$arguments, [string]$label, [int]$seconds) {
    $script:lastVerify = $null
    $null = Wait-Until {
        $script:lastVerify = Invoke-Exe $agent (@('/verify') + $arguments) $label 60
        Write-Note "/verify exit $($script:lastVerify.Code): $(($script:lastVerify.Out -split "`n")[0])"
        $script:lastVerify.Code -eq 0
    } $seconds 'compliant'
    return $script:lastVerify
}

# Runs $action (a script block that takes no argument) and gives back what it returned, or
# $null when it failed because what it looked for does not exist (a missing service or rule,
# no event). Any other error is thrown: a check must never pass because its query failed.
function Get-OrNothing([scriptblock]$action) {
    try {
        return & $action
    } catch {
        if ($_.CategoryInfo.Category -eq 'ObjectNotFound') { return $null }
        throw
    }
}
