<#
  The MSI run by a standard user (dot-sourced by run.ps1), as tests/wine/test_msi.py runs it
  under Wine (standard_user_cases): every REMOVE, REINSTALL and REINSTALLMODE a user can pass,
  with no property and with every configuration property changed, and the other ways in. After
  each run the installer key must be byte for byte as `reg export` wrote it before, in both
  registry views, and the product and its exe still there.
#>

$script:ConfigKey = 'HKLM\SOFTWARE\Arctera\DLO\FirewallAgent'
$script:ConfigPath = 'HKLM:\SOFTWARE\Arctera\DLO\FirewallAgent'
$script:RegExe = Join-Path $env:SystemRoot 'System32\reg.exe'
$script:Msiexec = Join-Path $env:SystemRoot 'System32\msiexec.exe'
$script:IcaclsExe = Join-Path $env:SystemRoot 'System32\icacls.exe'
$script:ProductName = 'Arctera DLO Firewall Agent'
$script:msiRuns = 0

# Every configuration property set to another valid value than the key holds: what a standard
# user would pass to open ports or widen scopes (test_msi.py's ATTACK).
$script:AttackProperties = @('ADDROLES=storage,sql-server', 'BOIMODE=nonboi', 'EDGESERVERS=*',
    'CLIENTNETWORKS=*', 'DEDUPESERVERS=*', 'SQLPORT=1', 'RECONCILEINTERVALMINUTES=1', 'BINDTOSERVICES=0',
    'CORPORATEPROFILES=domain,private,public', 'PUSHINSTALLPORTS=rpc', 'CLOSEPUSHPORTSWHENINSTALLED=0',
    'EXCLUDEROLES=client')

# Values of every type the key can hold, and one in the 32-bit view. The REG_MULTI_SZ would be
# written back as a REG_SZ (the same list to the agent, other bytes), so even a plain repair by
# the user changes the key while it is there. [name, type, data, view]
$script:SeedValues = @(
    @('ClientNetworks', 'REG_SZ', '10.0.0.0/8', '64'),
    @('ReconcileIntervalMinutes', 'REG_DWORD', '45', '64'),
    @('ExcludeRoles', 'REG_MULTI_SZ', 'storage\0dedupe-storage', '64'),
    @('BOIMode', 'REG_SZ', 'occasional', '32'))

# A folder of $OutDir the user may write (its msiexec logs, its administrative image), and read
# access to the packages it is given (the installed one from where the administrator installed
# it, so that its source is the one Windows Installer registered). Undone by Remove-UserGrants.
function Grant-StandardUser([string]$sid, [string[]]$packages) {
    $dir = Join-Path $script:OutDir 'standard-user'
    $null = New-Item -ItemType Directory -Force -Path $dir
    $grants = New-Object System.Collections.Generic.List[object]
    $grants.Add(@($dir, "*${sid}:(OI)(CI)M"))
    foreach ($p in @($packages | Where-Object { $_ })) { $grants.Add(@($p, "*${sid}:(R)")) }
    foreach ($g in $grants) {
        $script:restore.Grants.Add(@($g[0], $sid))
        $r = Invoke-Exe $script:IcaclsExe @($g[0], '/grant', $g[1]) 'standard-user-grant' 60
        Check ($r.Code -eq 0) "icacls grants the standard user $($g[1]) on $($g[0]): exit $($r.Code)"
    }
    return $dir
}

function Remove-UserGrants {
    foreach ($g in @($script:restore.Grants)) {
        $null = Invoke-Exe $script:IcaclsExe @($g[0], '/remove:g', "*$($g[1])") 'standard-user-ungrant' 60
    }
    $script:restore.Grants.Clear()
}

function Add-SeedValues {
    $wow = [Microsoft.Win32.RegistryKey]::OpenBaseKey('LocalMachine', 'Registry32')
    $script:restore.Wow32Arctera = $null -eq $wow.OpenSubKey('SOFTWARE\Arctera')
    $wow.Dispose()
    $script:restore.Seeded = $true
    foreach ($v in $script:SeedValues) {
        $r = Invoke-Exe $script:RegExe @('add', $script:ConfigKey, '/v', $v[0], '/t', $v[1], '/d', $v[2], '/f', "/reg:$($v[3])") "seed-$($v[0])" 60
        Check ($r.Code -eq 0) "reg add $($v[0]) ($($v[1]), $($v[3])-bit view): exit $($r.Code)"
    }
}

# The values seeded, where they still are (an uninstall removes those the package carried over),
# and the 32-bit view's Arctera key when the run made it.
function Remove-SeedValues {
    if (-not $script:restore.Seeded) { return }
    $key = Get-OrNothing { Get-Item -LiteralPath $script:ConfigPath -ErrorAction Stop }
    foreach ($v in @($script:SeedValues | Where-Object { $_[3] -eq '64' })) {
        if ($key -and $key.GetValueNames() -contains $v[0]) { Remove-ItemProperty -LiteralPath $script:ConfigPath -Name $v[0] -ErrorAction Stop }
    }
    if ($script:restore.Wow32Arctera) {
        $wow = [Microsoft.Win32.RegistryKey]::OpenBaseKey('LocalMachine', 'Registry32')
        $wow.DeleteSubKeyTree('SOFTWARE\Arctera', $false)
        $wow.Dispose()
    }
    $script:restore.Seeded = $false
}

# The installer key's own section in one registry view as `reg export` writes it: its header
# and values, no subkey (the service rewrites State after each pass). The export stays in
# $OutDir when $keep, else it is deleted once read. reg export walks the subkeys too, and the
# service swaps State for a new key at each pass (docs/fleet.md, The State key): an export that failed
# is tried again, up to three times, and one that never succeeded differs from every reading.
function Get-KeyExport([string]$view, [string]$label, [bool]$keep) {
    $file = Join-Path $script:OutDir "$label-reg$view.reg"
    for ($try = 1; $try -le 3; $try++) {
        $r = Invoke-Exe $script:RegExe @('export', $script:ConfigKey, $file, "/reg:$view", '/y') "$label-reg$view" 60
        if ($r.Code -eq 0) { break }
        Write-Note "reg export /reg:$view, try ${try}: exit $($r.Code)"
        Start-Sleep -Seconds 1
    }
    if ($r.Code -ne 0) { return "(reg export /reg:$view exit $($r.Code))" }
    $own = New-Object System.Collections.Generic.List[string]
    $headers = 0
    foreach ($line in ([IO.File]::ReadAllText($file) -split '\r?\n')) {
        if ($line.StartsWith('[')) { $headers++ }
        if ($headers -gt 1) { break }
        if ($headers -eq 1) { $own.Add($line) }
    }
    if (-not $keep) { Remove-Item -LiteralPath $file -ErrorAction Stop }
    return ($own -join "`n")
}

function Get-KeyExports([string]$label, [bool]$keep) {
    return @{ '64' = (Get-KeyExport '64' $label $keep); '32' = (Get-KeyExport '32' $label $keep) }
}

# The product's Uninstall keys (64-bit view, the package is x64): their registry paths.
function Get-ProductKeys {
    $root = 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall'
    return @(Get-ChildItem -LiteralPath $root -ErrorAction Stop |
        Where-Object { "$($_.GetValue('DisplayName'))" -ceq $script:ProductName } | ForEach-Object { $_.Name })
}

# The runs a standard user makes, as standard_user_cases() in tests/wine/test_msi.py. Kind says
# what may refuse it: 'change' (a reinstall or ADDLOCAL: the package's check), 'none' (neither
# REMOVE nor REINSTALL: a maintenance install that reinstalls nothing writes nothing, so the
# check may let it go), 'removal' (REMOVE without REINSTALL, msiexec /x) and 'next' (another
# product), which Windows may refuse to a standard user before the package runs, and 'admin'
# (an administrative image, which writes no configuration).
function Get-StandardUserCases([string]$msi, [string]$next, [string]$dir) {
    $cases = New-Object System.Collections.Generic.List[object]
    foreach ($withProperties in $false, $true) {
        $props = @(if ($withProperties) { $script:AttackProperties })
        $tag = if ($withProperties) { 'with properties' } else { 'no property' }
        foreach ($remove in '', 'ALL', 'all', 'Agent') {
            foreach ($reinstall in '', 'ALL', 'Agent') {
                foreach ($mode in @(if ($reinstall) { 'omus', 'amus', 'vomus' } else { '' })) {
                    $a = @("REMOVE=$remove", "REINSTALL=$reinstall") + @(if ($mode) { "REINSTALLMODE=$mode" })
                    $kind = if ($reinstall) { 'change' } elseif ($remove) { 'removal' } else { 'none' }
                    $cases.Add((New-UserCase "$($a -join ' '), $tag" (@('/i', $msi) + $a + $props) $kind))
                }
            }
        }
        $cases.Add((New-UserCase "ADDLOCAL=ALL, $tag" (@('/i', $msi, 'ADDLOCAL=ALL') + $props) 'change'))
        if ($next) { $cases.Add((New-UserCase "the next version, $tag" (@('/i', $next) + $props) 'next')) }
    }
    $cases.Add((New-UserCase 'msiexec /x' @('/x', $msi) 'removal'))
    $image = Join-Path $dir 'admin-image'
    $cases.Add((New-UserCase 'an administrative image' (@('/a', $msi, "TARGETDIR=$image") + $script:AttackProperties) 'admin'))
    return $cases
}

function New-UserCase([string]$what, [string[]]$arguments, [string]$kind) {
    return [pscustomobject]@{ What = $what; Arguments = $arguments; Kind = $kind }
}

# Who refused a run: 'package' (exit 1603 and the package's check's "Nothing was changed" in
# its log), 'windows' (1625, "This installation is forbidden by system policy", or 1730, "You
# must be an Administrator to remove this application", as the exit code or the log's error),
# 'none' (exit 0), else what it exited with.
function Get-MsiRefusal([object]$code, [string]$log) {
    if ($code -eq 1603 -and $log.Contains('Nothing was changed')) { return 'package' }
    if ($code -eq 1625 -or $code -eq 1730 -or ($null -ne $code -and $code -ne 0 -and $log -match 'Error 1730\.')) { return 'windows' }
    if ($code -eq 0) { return 'none' }
    return "exit $code"
}

$script:AllowedRefusals = @{
    change = @('package'); none = @('package', 'none'); removal = @('package', 'windows'); next = @('package', 'windows')
}

# msiexec as the standard user with a verbose log in its folder; the exit code and the log.
function Invoke-MsiAs([object]$user, [string[]]$arguments, [string]$dir, [string]$label) {
    $script:msiRuns++
    $log = Join-Path $dir ('{0:D3}-{1}.log' -f $script:msiRuns, ($label -replace '[^A-Za-z0-9.-]+', '_'))
    $r = Invoke-ExeAs $user $script:Msiexec (@($arguments[0..1]) + @('/qn', '/l*v', $log) + @($arguments | Select-Object -Skip 2)) $dir 300
    $text = if (Test-Path -LiteralPath $log) { [IO.File]::ReadAllText($log) } else { '' }
    return [pscustomobject]@{ Code = $r.Code; Log = $text; LogFile = $log }
}

# One run as the standard user: who refused it, and the key, the product and its exe as before.
function Test-StandardUserCase([object]$user, [object]$case, [hashtable]$baseline, [string]$productKey, [string]$dir) {
    $run = Invoke-MsiAs $user $case.Arguments $dir $case.What
    $after = Get-KeyExports 'msi-user-after' $false
    $kept = @('64', '32' | Where-Object { $after[$_] -cne $baseline[$_] })
    # A changed key is exported again and kept, for the record.
    if ($kept.Count) { $null = Get-KeyExports "msi-user-changed-$script:msiRuns" $true }
    $refusal = Get-MsiRefusal $run.Code $run.Log
    $product = Test-Path -LiteralPath "Registry::$productKey"
    $exe = Test-Path -LiteralPath $script:InstalledAgent
    # An administrative image writes no configuration: only what it leaves is judged.
    $allowed = if ($case.Kind -eq 'admin') { @($refusal) } else { $script:AllowedRefusals[$case.Kind] }
    $changed = if ($kept.Count) { "key CHANGED in the $($kept -join ', ')-bit view" } else { 'key byte for byte in both views' }
    Check ($kept.Count -eq 0 -and $product -and $exe -and $allowed -contains $refusal) ("standard user, {0}: outcome {1} (allowed: {2}); {3}; Uninstall key {4}, dloagent.exe {5} ({6})" -f
        $case.What, $refusal, ($allowed -join ', '), $changed, $(if ($product) { 'there' } else { 'GONE' }),
        $(if ($exe) { 'there' } else { 'GONE' }), (Split-Path -Leaf $run.LogFile))
    return $refusal
}
