#!/bin/sh
# Usage: build-msi.sh OUT.msi VERSION DLOAGENT.exe CUSTOMACTION.dll DLOAGENT.wxs ICON.ico README
# Builds the package with wixl, then adds with msibuild what wixl 0.101 cannot express:
#  - each configuration component (a Registry row whose value is "[PROP]" or "#[PROP]" for
#    the value NAME) gets the condition 'DloNAMEWrite': a private property that the custom
#    action DloCheckProperties sets, before costing, for a value it accepted or carried over
#    from the key, and clears for every other. No property a user passes turns a component
#    on, and an uninstall removes what was carried over (Windows and Wine evaluate component
#    conditions then too);
#  - those components are Transitive, so a repair re-evaluates the condition rather than
#    rewriting a value from an empty property;
#  - those properties join SecureCustomProperties, so a managed install (Group Policy, SCCM)
#    passes them on to the server side;
#  - rollback custom actions get their in-script and rollback bits, which wixl leaves out;
#  - the major upgrade removes the old version by its features (see below), and another build
#    of this same version is refused rather than installed beside it (ICE61 forbids removing
#    it: WiX's AllowSameVersionUpgrades);
#  - dloagent.exe's version and language in the File table, read from its VERSIONINFO (wixl
#    leaves them empty), and no hash for it (ICE60: a versioned file is compared by version);
#  - the Vital bit of the service's ErrorControl: a service that cannot be installed fails the
#    install.
set -eu
[ $# -eq 7 ] || { echo "usage: $0 OUT.msi VERSION DLOAGENT.exe CUSTOMACTION.dll DLOAGENT.wxs ICON.ico README" >&2; exit 2; }
out=$1
version=$2
exe=$3
dll=$4
wxs=$5
icon=$6
readme=$7
tmp=$out.tmp
stage=$out.files
trap 'rm -rf "$tmp" "$tmp.rows" "$stage"' EXIT
tab=$(printf '\t')

# wixl 0.101 finds sources only relative to the folder it runs in.
rm -rf "$tmp" "$stage"
mkdir -p "$stage"
cp "$exe" "$stage/dloagent.exe"
cp "$dll" "$stage/dloagent-msica.dll"
cp "$icon" "$stage/dloagent.ico"
cp "$readme" "$stage/README.txt"
case "$wxs" in /*) ;; *) wxs=$(pwd)/$wxs ;; esac
case "$tmp" in /*) ;; *) tmp=$(pwd)/$tmp ;; esac
(cd "$stage" && wixl -a x64 -D "Version=$version" -o "$tmp" "$wxs")

# The exe's VS_FIXEDFILEINFO (signature 0xFEEF04BD, then the structure version, then
# dwFileVersionMS and dwFileVersionLS, little-endian) and the language of its VarFileInfo
# Translation (the value after the key "Translation" in UTF-16, aligned to 4 bytes).
offset_of() { LC_ALL=C grep -obUaP "$1" "$exe" | head -n 1 | cut -d: -f1; }
words() { od -An -tu2 -j "$1" -N "$2" "$exe"; }
fixed=$(offset_of '\xbd\x04\xef\xfe')
translation=$(offset_of 'T\x00r\x00a\x00n\x00s\x00l\x00a\x00t\x00i\x00o\x00n\x00\x00\x00')
[ -n "$fixed" ] && [ -n "$translation" ] || { echo "build-msi.sh: $exe has no VERSIONINFO with a Translation" >&2; exit 1; }
file_version=$(words $((fixed + 8)) 8 | awk '{ print $2 "." $1 "." $4 "." $3 }')
file_language=$(words $(((translation + 24 + 3) / 4 * 4)) 2 | tr -d ' ')

# msiinfo export prints three header lines, then one tab-separated row per line.
rows() { msiinfo export "$tmp" "$1" | tail -n +4 | tr -d '\r'; }

rows Registry >"$tmp.rows"
set --
props=""
while IFS="$tab" read -r _id _root _key _name value comp; do
  prop=$(printf '%s' "$value" | sed -n 's/^#\{0,1\}\[\([A-Z][A-Z0-9_]*\)\]$/\1/p')
  [ -n "$prop" ] || continue
  attrs=$(rows Component | awk -F "$tab" -v c="$comp" '$1 == c { print $4 }')
  [ -n "$attrs" ] || { echo "build-msi.sh: no component $comp" >&2; exit 1; }
  # 64: msidbComponentAttributesTransitive.
  set -- "$@" -q "UPDATE \`Component\` SET \`Condition\` = 'Dlo${_name}Write', \`Attributes\` = $((attrs | 64)) WHERE \`Component\` = '$comp'"
  props="$props;$prop"
done <"$tmp.rows"
[ -n "$props" ] || { echo "build-msi.sh: no configuration value in the Registry table" >&2; exit 1; }

set -- "$@" -q "UPDATE \`File\` SET \`Version\` = '$file_version', \`Language\` = '$file_language' WHERE \`File\` = 'dloagent.exe'"
set -- "$@" -q "DELETE FROM \`MsiFileHash\` WHERE \`File_\` = 'dloagent.exe'"
# 0x8000: msidbServiceInstallErrorControlVital.
error_control=$(rows ServiceInstall | awk -F "$tab" '$2 == "dloagent" { print $6 }')
[ -n "$error_control" ] || { echo "build-msi.sh: no ServiceInstall row for dloagent" >&2; exit 1; }
set -- "$@" -q "UPDATE \`ServiceInstall\` SET \`ErrorControl\` = $((error_control | 0x8000)) WHERE \`Name\` = 'dloagent'"

secure=$(rows Property | awk -F "$tab" '$1 == "SecureCustomProperties" { print $2 }')
# Execute="rollback": msidbCustomActionTypeInScript (0x400) | msidbCustomActionTypeRollback
# (0x100), which wixl drops.
rollbacks=$(xmllint --xpath '//*[local-name()="CustomAction"][@Execute="rollback"]/@Id' "$wxs" |
  sed 's/ *Id="\([^"]*\)"/\1 /g')
for ca in $rollbacks; do
  type=$(rows CustomAction | awk -F "$tab" -v a="$ca" '$1 == a { print $2 }')
  [ -n "$type" ] || { echo "build-msi.sh: no custom action $ca" >&2; exit 1; }
  set -- "$@" -q "UPDATE \`CustomAction\` SET \`Type\` = $((type | 0x500)) WHERE \`Action\` = '$ca'"
done

# The row that finds older versions (wixl's MajorUpgrade: VersionMax this version, exclusive, so
# ICE61 holds) names the features in its Remove column instead of leaving it empty, so the old
# version is removed with REMOVE=<features> rather than REMOVE=ALL: its uninstall-only action
# /remove does not run, and the rules pass to the new version. Windows also sets
# UPGRADINGPRODUCTCODE there; Wine does not, so that alone would not do.
upgrade_code=$(rows Property | awk -F "$tab" '$1 == "UpgradeCode" { print $2 }')
features=$(rows Feature | awk -F "$tab" '{ printf "%s%s", sep, $1; sep = "," }')
set -- "$@" -q "UPDATE \`Upgrade\` SET \`Remove\` = '$features' WHERE \`ActionProperty\` = 'WIX_UPGRADE_DETECTED'"
# Another build of this version (another ProductCode): found, only detected (770:
# msidbUpgradeAttributesOnlyDetect | -VersionMinInclusive | -VersionMaxInclusive), and refused.
set -- "$@" -q "INSERT INTO \`Upgrade\` (\`UpgradeCode\`, \`VersionMin\`, \`VersionMax\`, \`Attributes\`, \`ActionProperty\`) VALUES ('$upgrade_code', '$version', '$version', 770, 'DLO_SAME_VERSION_DETECTED')"
set -- "$@" -q "INSERT INTO \`LaunchCondition\` (\`Condition\`, \`Description\`) VALUES ('NOT DLO_SAME_VERSION_DETECTED', 'Another build of the Arctera DLO Firewall Agent [ProductVersion] is already installed. Uninstall it first, or install a package with a higher version.')"
secure="$secure;DLO_SAME_VERSION_DETECTED"
set -- "$@" -q "UPDATE \`Property\` SET \`Value\` = '$secure$props' WHERE \`Property\` = 'SecureCustomProperties'"
msibuild "$tmp" "$@"

# msibuild says nothing when an UPDATE matches no row: check that every change took.
want=$(printf '%s' "$props" | tr ';' '\n' | grep -c .)
got=$(rows Component | awk -F "$tab" '$5 ~ /^Dlo[A-Za-z0-9]+Write$/' | wc -l)
[ "$got" -eq "$want" ] || { echo "build-msi.sh: $got of $want components got their condition" >&2; exit 1; }
rows Property | grep -q "^SecureCustomProperties$tab.*$(printf '%s' "$props" | sed 's/.*;//')\$" ||
  { echo "build-msi.sh: SecureCustomProperties was not updated" >&2; exit 1; }
for ca in $rollbacks; do
  rows CustomAction | awk -F "$tab" -v a="$ca" '$1 == a && int($2 / 256) % 8 == 5 { found = 1 } END { exit !found }' ||
    { echo "build-msi.sh: $ca is not a rollback action" >&2; exit 1; }
done
rows Upgrade | awk -F "$tab" -v f="$features" '$7 == "WIX_UPGRADE_DETECTED" && $5 == 1 && $6 == f { found = 1 } END { exit !found }' ||
  { echo "build-msi.sh: the Upgrade row was not updated" >&2; exit 1; }
rows File | awk -F "$tab" -v v="$file_version" -v l="$file_language" '$1 == "dloagent.exe" && $5 == v && $6 == l { found = 1 } END { exit !found }' ||
  { echo "build-msi.sh: the File table does not carry dloagent.exe's version $file_version ($file_language)" >&2; exit 1; }
rows ServiceInstall | awk -F "$tab" '$2 == "dloagent" && int($6 / 32768) % 2 == 1 { found = 1 } END { exit !found }' ||
  { echo "build-msi.sh: the service is not marked vital" >&2; exit 1; }
rows Upgrade | grep -q "${tab}DLO_SAME_VERSION_DETECTED\$" ||
  { echo "build-msi.sh: the Upgrade row for this version's other builds is missing" >&2; exit 1; }
mv "$tmp" "$out"
