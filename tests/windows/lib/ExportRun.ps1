<#
  The agent's exports run as an administrator would run them (dot-sourced by run.ps1): saved
  from cmd, which keeps the agent's bytes (the PowerShell export's byte order mark among them);
  the PowerShell script run by Windows PowerShell 5.1 and PowerShell 7, its one line per rule
  held to what each run must do, its names read back by PowerShell's own tokenizer; the netsh
  export run as a .cmd file.
#>

$script:CmdExe = Join-Path $env:SystemRoot 'System32\cmd.exe'
$script:ExportVerbs = '^(added|replaced|unchanged|removed) +(.*)$'

# Runs the agent from cmd with its output redirected to $file. cmd reads the line itself, so
# every part of it must be one cmd reads as it is.
function Save-AgentOutput([string]$agent, [string[]]$arguments, [string]$file, [string]$label) {
    foreach ($part in @($agent, $file) + $arguments) {
        if ($part -match '[\s&|<>^%!"]') { throw "not a part cmd reads as it is: $part" }
    }
    return Invoke-Exe $script:CmdExe (@('/d', '/c', $agent) + $arguments + @('>', $file)) $label
}

# One line of the script's output for a rule: its verb and the rest (the name; a replaced rule's
# name is followed by what differed, in parentheses).
function Test-ExportLine([string]$line, [string]$verb, [string]$name) {
    if ($line -notmatch $script:ExportVerbs -or $Matches[1] -cne $verb) { return $false }
    $rest = $Matches[2]
    return ($rest -ceq $name -or ($verb -eq 'replaced' -and $rest.StartsWith("$name (")))
}

# Runs the export's script in $shell (-File, as an administrator runs it) and holds its output to
# $expected (DisplayName -> added, replaced or unchanged): exactly one line per planned rule with
# its verb, and no other line of a verb (no rule removed). Returns the run.
function Test-ExportRun([string]$shell, [string]$file, [hashtable]$expected, [string]$label) {
    $r = Invoke-Exe $shell @('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', $file) $label
    Check ($r.Code -eq 0) "${label}: the export run by $shell`: exit $($r.Code)"
    $lines = @($r.Out -split '\r?\n' | Where-Object { $_ -match $script:ExportVerbs })
    $wrong = @($expected.Keys | Where-Object {
            $name = $_
            @($lines | Where-Object { Test-ExportLine $_ $expected[$name] $name }).Count -ne 1
        } | ForEach-Object { "'$_' not once $($expected[$_])" })
    $counts = ($lines | ForEach-Object { ($_ -split ' ')[0] } | Group-Object | ForEach-Object { "$($_.Count) $($_.Name)" }) -join ', '
    $want = ($expected.Values | Group-Object | ForEach-Object { "$($_.Count) $($_.Name)" }) -join ', '
    Check ($lines.Count -eq $expected.Count -and $wrong.Count -eq 0) "${label}: one line per rule: $counts ($want expected)$(if ($wrong.Count) { ': ' + ($wrong -join '; ') })"
    return $r
}

# DisplayName -> $verb for every name.
function New-ExpectedLines([string[]]$names, [string]$verb) {
    $expected = @{}
    foreach ($n in $names) { $expected[$n] = $verb }
    return $expected
}

# The script as PowerShell's own tokenizer reads it: every "DisplayName = ..." of a rule is one
# string token alone on its line, each of $names is the value of one of them, and no token is a
# command named Write-Host. Returns the DisplayName values.
function Test-DisplayNameTokens([string]$file, [string[]]$names) {
    $tokens = $null
    $errors = $null
    $null = [Management.Automation.Language.Parser]::ParseFile($file, [ref]$tokens, [ref]$errors)
    Check (@($errors).Count -eq 0) "PowerShell $($PSVersionTable.PSVersion) parses $(Split-Path -Leaf $file): $(@($errors).Count) errors"
    $values = New-Object System.Collections.Generic.List[string]
    $odd = New-Object System.Collections.Generic.List[string]
    for ($i = 0; $i + 3 -lt $tokens.Count; $i++) {
        if ($tokens[$i].Text -cne 'DisplayName' -or $tokens[$i + 1].Kind -ne 'Equals') { continue }
        $t = $tokens[$i + 2]
        if ($t.Kind -eq 'StringLiteral' -and $tokens[$i + 3].Kind -eq 'NewLine') { $values.Add($t.Value) }
        else { $odd.Add("line $($t.Extent.StartLineNumber): $($t.Kind) $($t.Text) then $($tokens[$i + 3].Kind)") }
    }
    Check ($values.Count -gt 0 -and $odd.Count -eq 0) "every DisplayName of $(Split-Path -Leaf $file) is one string token on its line ($($values.Count))$(if ($odd.Count) { ': ' + ($odd -join '; ') })"
    foreach ($n in $names) { Check ($values -ccontains $n) "the token of a DisplayName is exactly the name '$n'" }
    $commands = @($tokens | Where-Object { ($_.TokenFlags -band [Management.Automation.Language.TokenFlags]::CommandName) -ne 0 } |
        ForEach-Object { $_.Text })
    Check ($commands -notcontains 'Write-Host') "no token of $(Split-Path -Leaf $file) is a command Write-Host (commands: $(($commands | Sort-Object -Unique) -join ', '))"
    return $values
}

# The rules of a plan netsh cannot carry (docs/fleet.md, "Delivering the rules"): a remote address
# keyword netsh has none for, or a keyword in the remote ports. Their names.
$script:NetshLacks = @('intranet', 'rmtintranet', 'internet', 'ply2renders')

function Get-NetshRefused([object]$planned) {
    return @($planned.rules | Where-Object {
            $entries = @("$($_.remote_addresses)" -split ',' | ForEach-Object { $_.Trim().ToLowerInvariant() })
            @($entries | Where-Object { $script:NetshLacks -contains $_ }).Count -gt 0 -or "$($_.remote_ports)" -match '[A-Za-z]'
        } | ForEach-Object { $_.name })
}

# Every rule of the local store whose DisplayName is one of $names, with case.
function Get-RulesNamed([string[]]$names) {
    foreach ($n in $names) {
        Get-OrNothing { Get-NetFirewallRule -PolicyStore PersistentStore -DisplayName ([WildcardPattern]::Escape($n)) -ErrorAction Stop } |
            Where-Object { $_ -and $_.DisplayName -ceq $n }
    }
}

function Remove-NetshRules {
    foreach ($id in @($script:restore.NetshRules)) {
        $null = Get-OrNothing { Remove-NetFirewallRule -PolicyStore PersistentStore -Name $id -ErrorAction Stop }
    }
    $script:restore.NetshRules = @()
}
