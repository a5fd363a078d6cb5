<#
  The warnings /verify /strict must give for a plan on this machine (dot-sourced by run.ps1),
  computed without the agent's judgement: unscoped from /plan /json, profile-mismatch from the
  plan's rules, the port matrix's network of each of their rows (/matrix /json) and the
  networks Windows' Network Location Awareness puts this machine on.
#>

$script:ProfileOfCategory = @{ 'DomainAuthenticated' = 'domain'; 'Private' = 'private'; 'Public' = 'public' }
$script:SettingOfNetwork = @{ 'corporate' = 'CorporateProfiles'; 'internet' = 'InternetProfiles' }

# The firewall profiles of the networks this machine is connected to, as NLA categorises them.
function Get-ConnectedProfiles {
    $profiles = Get-OrNothing { Get-NetConnectionProfile -ErrorAction Stop }
    return @($profiles | Where-Object { $_ } | ForEach-Object { $script:ProfileOfCategory["$($_.NetworkCategory)"] } |
        Sort-Object -Unique)
}

# The firewall's own answer (INetFwPolicy2::CurrentProfileTypes, what the agent reads), for the log.
function Get-FirewallCurrentProfiles {
    $bits = (New-Object -ComObject HNetCfg.FwPolicy2).CurrentProfileTypes
    return @(@{ 1 = 'domain'; 2 = 'private'; 4 = 'public' }.GetEnumerator() |
        Where-Object { $bits -band $_.Key } | ForEach-Object { $_.Value } | Sort-Object)
}

# Expected warnings as objects: Kind, Settings (the configuration values that mend it, sorted,
# joined by ","), Rule (the rule an unscoped warning names, else $null).
function Get-ExpectedWarnings([object]$plan, [object]$matrix, [string[]]$connected) {
    $expected = New-Object System.Collections.Generic.List[object]
    foreach ($w in @($plan.warnings | Where-Object { $_ -and $_.kind -eq 'unscoped' })) {
        $expected.Add([pscustomobject]@{ Kind = 'unscoped'; Settings = (@($w.values) | Sort-Object) -join ','; Rule = $w.rule })
    }
    if (@($connected).Count -eq 0) { return $expected }
    $network = @{}
    foreach ($row in @($matrix.rows)) { $network[$row.id] = $row.network }
    foreach ($net in 'corporate', 'internet') {
        $rules = @($plan.rules | Where-Object { @($_.rows | Where-Object { $network[$_] -eq $net }).Count -gt 0 })
        if ($rules.Count -eq 0) { continue }
        $profiles = @($rules | ForEach-Object { $_.profiles } | Sort-Object -Unique)
        if (@($profiles | Where-Object { $connected -contains $_ }).Count -eq 0) {
            $expected.Add([pscustomobject]@{ Kind = 'profile-mismatch'; Settings = $script:SettingOfNetwork[$net]; Rule = $null })
        }
    }
    return $expected
}

# The first name in single quotes in a warning's message: the rule it blames.
function Get-NamedRule([string]$message) {
    if ($message -match "'([^']+)'") { return $Matches[1] }
    return $null
}

# A warning of a kind the plan does not predict (overexposed, may-block, ...) comes from a rule
# of someone else on this machine: it must name one that exists in the active store and is not
# the agent's.
function Test-ForeignWarning([object]$warning, [string]$owned) {
    $name = Get-NamedRule $warning.message
    if ($null -eq $name) {
        Check $false "warning $($warning.kind) names a rule: $($warning.message)"
        return
    }
    # Every rule, filtered here: -DisplayName would take the name as a wildcard pattern.
    $rules = @(Get-NetFirewallRule -PolicyStore ActiveStore -ErrorAction Stop |
        Where-Object { $_.DisplayName -ceq $name -and $_.Group -cne $owned })
    $seen = ($rules | ForEach-Object { "Group '$($_.Group)', $($_.Direction) $($_.Action), enabled $($_.Enabled)" }) -join '; '
    Check ($rules.Count -gt 0) "warning $($warning.kind) blames a rule of someone else that exists: '$name' ($seen)"
}

# /verify /strict /json ($result: the Invoke-Exe result) against the expected warnings.
function Test-StrictVerify([object]$result, [object[]]$expected, [string]$owned, [string]$what) {
    if ($result.Code -ne 0 -and $result.Code -ne 1) {
        Check $false "${what}: /verify /strict /json answered (exit $($result.Code))"
        return
    }
    $verify = $result.Out | ConvertFrom-Json
    $got = @($verify.warnings | Where-Object { $_ })
    Check ($verify.compliant -eq $true) "${what}: every planned rule right (compliant: $($verify.compliant))"
    Write-Note "${what}: expected warnings: $(@($expected | ForEach-Object { "$($_.Kind) [$($_.Settings)]" }) -join ', ')"
    $matched = New-Object System.Collections.Generic.List[object]
    foreach ($e in @($expected)) {
        $hit = @($got | Where-Object {
                $_.kind -eq $e.Kind -and ((@($_.settings) | Sort-Object) -join ',') -eq $e.Settings -and
                ($null -eq $e.Rule -or (Get-NamedRule $_.message) -ceq $e.Rule) -and -not $matched.Contains($_) })
        if ($hit.Count) { $matched.Add($hit[0]) }
        Check ($hit.Count -gt 0) "${what}: warning $($e.Kind) [$($e.Settings)]$(if ($e.Rule) { " on '$($e.Rule)'" }) given"
    }
    foreach ($w in $got) {
        if ($matched.Contains($w)) { continue }
        if ($w.kind -eq 'unscoped' -or $w.kind -eq 'profile-mismatch') {
            Check $false "${what}: no warning the plan does not predict: $($w.kind): $($w.message)"
        } else {
            Test-ForeignWarning $w $owned
        }
    }
    $want = if ($got.Count -gt 0) { 1 } else { 0 }
    Check ($result.Code -eq $want) "${what}: /verify /strict exit $($result.Code), $want with $($got.Count) warning(s)"
}
