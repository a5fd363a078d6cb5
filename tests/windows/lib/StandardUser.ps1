<#
  A standard user for run.ps1 (dot-sourced): a local account made for the run with a random
  password and removed after it, in no group but those Windows gives every account, and
  programs started as that account with a time limit.
#>

$script:StandardUserName = 'dloagent-std'

# 32 characters from the system's cryptographic generator, starting with one of each kind the
# default password complexity policy asks for. Never printed.
function New-RandomPassword {
    $alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'
    $bytes = New-Object byte[] 28
    $rng = [Security.Cryptography.RandomNumberGenerator]::Create()
    $rng.GetBytes($bytes)
    $rng.Dispose()
    $secure = New-Object Security.SecureString
    foreach ($c in ('Aa1-' + (-join ($bytes | ForEach-Object { $alphabet[$_ % $alphabet.Length] }))).ToCharArray()) {
        $secure.AppendChar($c)
    }
    $secure.MakeReadOnly()
    return $secure
}

# Makes the account (one of that name already there means the machine is not clean) and returns
# its credential and SID. It is put in no group; Windows counts every account that logs on as a
# member of Users. New-LocalUser takes a description of at most 48 characters.
function New-StandardUser {
    $name = $script:StandardUserName
    if (Get-OrNothing { Get-LocalUser -Name $name -ErrorAction Stop }) { throw "a local user $name exists already: not a clean machine" }
    $password = New-RandomPassword
    $script:restore.User = $name
    $null = New-LocalUser -Name $name -Password $password -AccountNeverExpires -PasswordNeverExpires `
        -Description 'tests/windows/run.ps1: removed after the run' -ErrorAction Stop
    $sid = (New-Object Security.Principal.NTAccount($env:COMPUTERNAME, $name)).Translate([Security.Principal.SecurityIdentifier]).Value
    Write-Note "standard user $env:COMPUTERNAME\$name made: $sid"
    return [pscustomobject]@{
        Credential = New-Object Management.Automation.PSCredential($name, $password)
        Sid        = $sid
    }
}

# The account and its profile (LoadUserProfile made one at its first logon) gone.
function Remove-StandardUser {
    if (-not $script:restore.User) { return }
    $sid = (Get-LocalUser -Name $script:restore.User -ErrorAction Stop).SID.Value
    $filter = "SID = '$sid'"
    # Windows unloads a profile a little after the last process of its account ended.
    $null = Wait-Until { -not (Get-CimInstance -ClassName Win32_UserProfile -Filter $filter -ErrorAction Stop | Where-Object { $_.Loaded }) } 60 'the profile unloaded'
    $userProfile = Get-CimInstance -ClassName Win32_UserProfile -Filter $filter -ErrorAction Stop
    if ($userProfile) { $userProfile | Remove-CimInstance -ErrorAction Stop }
    Remove-LocalUser -Name $script:restore.User -ErrorAction Stop
    $script:restore.User = $null
}

# Runs a program as the standard user, with a time limit, in $workDir (which the user must be able
# to read). Start-Process -Credential hands back a process opened again by its ID, through which
# an administrator may not read another account's exit code nor wait on it (PowerShell issues
# 17033, 21073); Process.Start with the same credential keeps the handle CreateProcessWithLogonW
# returned. Nothing is redirected (msiexec prints nothing; its log is the output). Returns Code
# ($null when it did not finish in time, then killed) and Seconds.
function Invoke-ExeAs([object]$user, [string]$exe, [string[]]$arguments, [string]$workDir, [int]$timeoutSeconds = 300) {
    $limit = Get-TimeLimit $timeoutSeconds
    Write-Host "> as $($user.Credential.UserName): $(Split-Path -Leaf $exe) $($arguments -join ' ')   (limit $limit s)"
    $start = New-Object Diagnostics.ProcessStartInfo
    $start.FileName = $exe
    $start.Arguments = ConvertTo-ArgumentText $arguments
    $start.UseShellExecute = $false
    $start.CreateNoWindow = $true
    $start.LoadUserProfile = $true
    $start.UserName = $user.Credential.UserName
    $start.Domain = $env:COMPUTERNAME
    $start.Password = $user.Credential.Password
    $start.WorkingDirectory = $workDir
    $began = [DateTime]::UtcNow
    $p = [Diagnostics.Process]::Start($start)
    $code = Wait-Limited $p $limit
    Show-Exit $code $began
    return [pscustomobject]@{ Code = $code; Seconds = ([DateTime]::UtcNow - $began).TotalSeconds }
}

# The user's token, as whoami reads it in a process started as that user: not in Administrators
# (not even deny-only), at the Medium integrity level.
function Test-StandardToken([object]$user, [string]$workDir) {
    $file = Join-Path $workDir 'whoami-groups.csv'
    $cmd = Join-Path $env:SystemRoot 'System32\cmd.exe'
    if ($file -match '[\s&|<>^%!]') { throw "the user's folder must be a path cmd reads as it is: $file" }
    $r = Invoke-ExeAs $user $cmd @('/d', '/c', 'whoami', '/groups', '/fo', 'csv', '>', $file) $workDir 60
    Check ($r.Code -eq 0) "whoami /groups as the standard user: exit $($r.Code)"
    if ($r.Code -ne 0) { return }
    $groups = @(Import-Csv -LiteralPath $file)
    $sids = @($groups | ForEach-Object { $_.SID })
    Write-Note "the standard user's groups: $(($groups | ForEach-Object { "$($_.'Group Name') ($($_.SID))" }) -join ', ')"
    Check ($sids.Count -gt 0 -and $sids -notcontains 'S-1-5-32-544') "the standard user's token holds no Administrators group ($($sids.Count) groups read)"
    Check ($sids -contains 'S-1-16-8192') 'the standard user runs at the Medium integrity level (S-1-16-8192)'
}
