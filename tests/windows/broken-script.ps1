# A script with six mistakes, for the test style.powershell-catches: the check of the project's
# PowerShell must report each at its line and column.
param([string]$BinDir)

# A pipeline chain operator: PowerShell 7 only, where the project's scripts must run on 5.1.
Test-Path $BinDir && Write-Host 'found'

# A try with neither catch nor finally.
try { Remove-Item $BinDir }

# An operator without its right operand.
$count = (1 + )

# An en dash in a file without a byte order mark: 5.1 reads its last byte as a double quote.
Write-Host "copied – done"

# A typographic apostrophe, which PowerShell takes for the closing quote (and, without a byte
# order mark, another character outside ASCII).
Write-Host 'the Edge Server’s rule'

# A block never closed.
if ($BinDir) {
    Write-Host 'open'
