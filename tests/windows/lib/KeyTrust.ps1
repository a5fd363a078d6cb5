<#
  The installer key believed only while nobody else can change it (dot-sourced by run.ps1;
  docs/security.md: "The configuration keys are believed only when nobody else can change
  them"): Users given SetValue on the key, the installed agent's /plan exits 2 naming Users, the
  service logs event 1200 and leaves the rules; with the key's own DACL back, /plan exits 0.
#>

$script:UsersSid = 'S-1-5-32-545'

# The key's DACL alone, as SDDL, so that it can be written back whole: Set-Acl writes only the
# sections of the object that were changed.
function Get-KeyDacl([string]$path) {
    return (Get-Acl -LiteralPath $path -ErrorAction Stop).GetSecurityDescriptorSddlForm('Access')
}

function Set-KeyDacl([string]$path, [string]$sddl) {
    $acl = New-Object Security.AccessControl.RegistrySecurity
    $acl.SetSecurityDescriptorSddlForm($sddl, 'Access')
    Set-Acl -LiteralPath $path -AclObject $acl -ErrorAction Stop
}

function Restore-KeyDacl {
    if (-not $script:restore.KeyDacl) { return }
    Set-KeyDacl $script:ConfigPath $script:restore.KeyDacl
    $script:restore.KeyDacl = $null
}

# The agent's rules as the local store has them, in one text: what a refused configuration must
# leave as it is.
function Get-OwnedRulesText {
    return ((Get-GroupRules $owned 'PersistentStore' | ForEach-Object { "$($_.Name)|$($_.DisplayName)|$($_.Enabled)" } |
        Sort-Object) -join "`n")
}

function Test-KeyDaclRefused([string]$installed) {
    $path = $script:ConfigPath
    $mode = (Get-ItemProperty -LiteralPath $path -Name BOIMode -ErrorAction Stop).BOIMode
    $rules = Get-OwnedRulesText
    $script:restore.KeyDacl = Get-KeyDacl $path
    $acl = Get-Acl -LiteralPath $path -ErrorAction Stop
    $users = New-Object Security.Principal.SecurityIdentifier($script:UsersSid)
    $acl.AddAccessRule((New-Object Security.AccessControl.RegistryAccessRule($users, 'SetValue', 'Allow')))
    $since = Get-Date
    Set-Acl -LiteralPath $path -AclObject $acl -ErrorAction Stop
    Write-Note "installer key's DACL with Users SetValue: $(Get-KeyDacl $path)"
    # A value written wakes the service's watch on the key, as a change by such a user would.
    Set-ItemProperty -LiteralPath $path -Name BOIMode -Value 'nonboi' -ErrorAction Stop
    $r = Invoke-Exe $installed @('/plan') 'key-users-plan'
    Check ($r.Code -eq 2 -and $r.Err.Contains($script:UsersSid)) "/plan with Users allowed to set values of the installer key: exit $($r.Code) (2 expected), naming $script:UsersSid"
    $filter = @{ LogName = 'Application'; ProviderName = 'dloagent'; Id = 1200; StartTime = $since }
    $logged = Wait-Until { $null -ne (Get-OrNothing { Get-WinEvent -FilterHashtable $filter -MaxEvents 1 -ErrorAction Stop }) } 60 'event 1200'
    $event = Get-OrNothing { Get-WinEvent -FilterHashtable $filter -MaxEvents 1 -ErrorAction Stop }
    Check $logged "the service logged event 1200 in the Application log: $(if ($event) { $event.Message })"
    Check ((Get-OwnedRulesText) -ceq $rules) 'the service left the rules as they were (BOIMode=nonboi not applied)'
    Restore-KeyDacl
    Set-ItemProperty -LiteralPath $path -Name BOIMode -Value $mode -ErrorAction Stop
    Check ((Invoke-Exe $installed @('/plan') 'key-restored-plan').Code -eq 0) 'with its own DACL back the key is used again: /plan exit 0'
}
