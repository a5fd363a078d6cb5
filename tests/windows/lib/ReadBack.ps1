<#
  An independent read-back of what the agent wrote (dot-sourced by run.ps1): each rule of
  /plan /json against what Get-NetFirewallRule and its port, address, application and service
  filters say, in a policy store. Lists are compared by meaning, as Windows may read them back
  in its own order and spelling: addresses and ports as merged ranges, keywords as themselves.
  Nothing here comes from the agent's code; the spellings are the NetSecurity cmdlets'
  (New-NetFirewallRule on Microsoft Learn).
#>

# Windows PowerShell 5.1 may not have loaded the assembly; PowerShell 7 has the type built in.
if (-not ('System.Numerics.BigInteger' -as [type])) { Add-Type -AssemblyName System.Numerics }
$BigInt = [System.Numerics.BigInteger]

# The cmdlets' spelling of keywords where the plan (COM, MS-FASP) spells them otherwise.
$script:KeywordAliases = @{
    'RPCEPMAP' = 'RPC-EPMAP'; 'INTRANETREMOTEACCESS' = 'RMTINTRANET'; 'REMOTEINTRANET' = 'RMTINTRANET'
    'PLAYTODEVICE' = 'PLY2RENDERS'
}

# Ranges are objects (Kind: v4, v6, port or keyword; First and Last numbers, or Name), never
# nested arrays, which PowerShell's pipelines would unroll.
function New-Range([string]$kind, [object]$first, [object]$last) {
    [pscustomobject]@{ Kind = $kind; First = $first; Last = $last; Name = $null }
}

function ConvertTo-Keyword([string]$entry) {
    $k = $entry.ToUpperInvariant()
    if ($script:KeywordAliases.ContainsKey($k)) { $k = $script:KeywordAliases[$k] }
    [pscustomobject]@{ Kind = 'keyword'; First = $null; Last = $null; Name = $k }
}

# An IPv4 or IPv6 address as a number, through its bytes in hex (a leading 0 keeps it positive).
function ConvertTo-Number([string]$address) {
    $hex = (([Net.IPAddress]::Parse($address)).GetAddressBytes() | ForEach-Object { $_.ToString('x2') }) -join ''
    return $BigInt::Parse("0$hex", [Globalization.NumberStyles]::AllowHexSpecifier)
}

# The length of a prefix written as a dotted mask: the count of its one bits (the agent writes
# only contiguous masks, and Windows refuses others).
function Get-MaskLength([string]$mask) {
    $ones = ([Net.IPAddress]::Parse($mask)).GetAddressBytes() |
        ForEach-Object { [Convert]::ToString($_, 2).Replace('0', '').Length }
    return [int](($ones | Measure-Object -Sum).Sum)
}

# One address entry: an address, address/prefix, address/mask, first-last, or a keyword.
function ConvertTo-AddressRange([string]$entry) {
    $e = $entry.Trim()
    if ($e -notmatch '[.:]') { return ConvertTo-Keyword $e }
    $family = if ($e.Contains(':')) { 'v6' } else { 'v4' }
    if ($e -match '^([^-]+)-([^-]+)$') {
        return New-Range $family (ConvertTo-Number $Matches[1]) (ConvertTo-Number $Matches[2])
    }
    $bits = if ($family -eq 'v6') { 128 } else { 32 }
    $prefix = $bits
    if ($e -match '^(.+)/(.+)$') {
        $e = $Matches[1]
        $prefix = if ($Matches[2].Contains('.')) { Get-MaskLength $Matches[2] } else { [int]$Matches[2] }
    }
    $size = $BigInt::Pow(2, $bits - $prefix)
    $first = $BigInt::Multiply($BigInt::Divide((ConvertTo-Number $e), $size), $size)
    return New-Range $family $first ($BigInt::Subtract($BigInt::Add($first, $size), 1))
}

# One port entry: a number, first-last, or a keyword (RPC, RPC-EPMap).
function ConvertTo-PortRange([string]$entry) {
    if ($entry -match '^(\d+)(-(\d+))?$') {
        $last = if ($Matches[3]) { $Matches[3] } else { $Matches[1] }
        return New-Range 'port' ($BigInt::Parse($Matches[1])) ($BigInt::Parse($last))
    }
    return ConvertTo-Keyword $entry
}

# A list as the plan writes it ("", "*" or "a,b,...") or as a filter reads it ("Any", or an
# array joined by ","), in one spelling: keywords sorted, then ranges sorted with overlapping
# and adjacent ones merged. Two lists with the same text mean the same.
function Format-List([object]$value, [scriptblock]$parse) {
    $entries = @("$value" -split ',' | ForEach-Object { $_.Trim() } | Where-Object { $_ })
    if ($entries.Count -eq 0 -or ($entries.Count -eq 1 -and $entries[0] -match '^(\*|Any)$')) { return 'any' }
    $parsed = @($entries | ForEach-Object { & $parse $_ })
    $text = New-Object System.Collections.Generic.List[string]
    $parsed | Where-Object { $_.Kind -eq 'keyword' } | ForEach-Object { $_.Name } | Sort-Object -Unique |
        ForEach-Object { $text.Add($_) }
    $last = $null
    $sorted = $parsed | Where-Object { $_.Kind -ne 'keyword' } | Sort-Object -Property 'Kind', 'First'
    foreach ($r in $sorted) {
        if ($last -and $last.Kind -eq $r.Kind -and $BigInt::Compare($r.First, $BigInt::Add($last.Last, 1)) -le 0) {
            if ($BigInt::Compare($r.Last, $last.Last) -gt 0) { $last.Last = $r.Last }
            continue
        }
        if ($last) { $text.Add("$($last.Kind):$($last.First)-$($last.Last)") }
        $last = New-Range $r.Kind $r.First $r.Last
    }
    if ($last) { $text.Add("$($last.Kind):$($last.First)-$($last.Last)") }
    return ($text -join ',')
}

function Format-Addresses([object]$value) { Format-List $value ${function:ConvertTo-AddressRange} }
function Format-Ports([object]$value) { Format-List $value ${function:ConvertTo-PortRange} }

# The profiles of a rule as the plan lists them ("domain", "private", "public"), from the
# cmdlet's Profile ("Any", or names joined by ", ").
function Format-Profiles([object]$value) {
    $names = @("$value" -split ',\s*' | ForEach-Object { $_.Trim().ToLowerInvariant() } | Where-Object { $_ })
    if ($names -contains 'any') { $names = @('domain', 'private', 'public') }
    return (($names | Sort-Object) -join ',')
}

# What one planned rule should read back as, property by property, in the spellings above.
function Get-PlannedView([object]$rule) {
    [ordered]@{
        direction       = $(if ($rule.direction -eq 'in') { 'Inbound' } else { 'Outbound' })
        action          = $(if ($rule.action -eq 'allow') { 'Allow' } else { 'Block' })
        enabled         = $(if ($rule.enabled) { 'True' } else { 'False' })
        profiles        = (($rule.profiles | ForEach-Object { "$_".ToLowerInvariant() } | Sort-Object) -join ',')
        protocol        = "$($rule.protocol)".ToUpperInvariant()
        localPorts      = Format-Ports $rule.local_ports
        remotePorts     = Format-Ports $rule.remote_ports
        remoteAddresses = Format-Addresses $rule.remote_addresses
        program         = $(if ($rule.application) { $rule.application } else { 'Any' })
        service         = $(if ($rule.service) { $rule.service } else { 'Any' })
    }
}

# The same view of a rule as Get-NetFirewallRule and its filters read it.
function Get-FirewallView([object]$rule) {
    $ports = $rule | Get-NetFirewallPortFilter
    $addresses = $rule | Get-NetFirewallAddressFilter
    $app = $rule | Get-NetFirewallApplicationFilter
    $svc = $rule | Get-NetFirewallServiceFilter
    [ordered]@{
        direction       = "$($rule.Direction)"
        action          = "$($rule.Action)"
        enabled         = "$($rule.Enabled)"
        profiles        = Format-Profiles $rule.Profile
        protocol        = "$($ports.Protocol)".ToUpperInvariant()
        localPorts      = Format-Ports ($ports.LocalPort -join ',')
        remotePorts     = Format-Ports ($ports.RemotePort -join ',')
        remoteAddresses = Format-Addresses ($addresses.RemoteAddress -join ',')
        program         = "$($app.Program)"
        service         = "$($svc.Service)"
    }
}

# Every rule of $group in $store (none is an empty list; any other error throws). The cmdlet's
# -Group matches without regard to case, the agent's ownership with it: filtered again here.
function Get-GroupRules([string]$group, [string]$store) {
    $rules = Get-OrNothing { Get-NetFirewallRule -PolicyStore $store -Group $group -ErrorAction Stop }
    return @($rules | Where-Object { $_.Group -ceq $group })
}

# Compares /plan /json ($plan, parsed) with the rules of $group in $store: one check per
# planned rule, and none of the group's rules unplanned.
function Compare-PlanWithStore([object]$plan, [string]$group, [string]$store, [string]$what) {
    $rules = @(Get-GroupRules $group $store)
    $planned = @($plan.rules)
    Check ($planned.Count -gt 0) "${what}: the plan has rules to read back ($($planned.Count))"
    Check ($rules.Count -eq $planned.Count) "${what}: $($rules.Count) rules of the Group in $store, $($planned.Count) planned"
    foreach ($p in $planned) {
        $hits = @($rules | Where-Object { $_.DisplayName -ceq $p.name })
        if ($hits.Count -ne 1) {
            Check $false "${what}: '$($p.name)' is in $store once (found $($hits.Count))"
            continue
        }
        $want = Get-PlannedView $p
        $got = Get-FirewallView $hits[0]
        $diff = @($want.Keys | Where-Object { $want[$_] -ne $got[$_] } |
            ForEach-Object { "$_ is '$($got[$_])', planned '$($want[$_])'" })
        Check ($diff.Count -eq 0) "${what}: '$($p.name)' in $store as planned$(if ($diff.Count) { ': ' + ($diff -join '; ') })"
    }
}
