#!/bin/sh
# Usage: build-msi.sh OUT.msi VERSION DLOAGENT.exe CUSTOMACTION.dll DLOAGENT.wxs
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
#  - the major upgrade also replaces a build of the same version (WiX's
#    AllowSameVersionUpgrades), so a rebuilt package never installs beside the one it
#    replaces, and removes the old version by its features (see below).
set -eu
[ $# -eq 5 ] || { echo "usage: $0 OUT.msi VERSION DLOAGENT.exe CUSTOMACTION.dll DLOAGENT.wxs" >&2; exit 2; }
out=$1
version=$2
exe=$3
dll=$4
wxs=$5
tmp=$out.tmp
stage=$out.files
trap 'rm -rf "$tmp" "$tmp.rows" "$stage"' EXIT
tab=$(printf '\t')

# wixl 0.101 finds sources only relative to the folder it runs in.
rm -rf "$tmp" "$stage"
mkdir -p "$stage"
cp "$exe" "$stage/dloagent.exe"
cp "$dll" "$stage/dloagent-msica.dll"
case "$wxs" in /*) ;; *) wxs=$(pwd)/$wxs ;; esac
case "$tmp" in /*) ;; *) tmp=$(pwd)/$tmp ;; esac
(cd "$stage" && wixl -a x64 -D "Version=$version" -o "$tmp" "$wxs")

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

# The row that finds older versions also finds this one: 513 is msidbUpgradeAttributes-
# MigrateFeatures | -VersionMaxInclusive. Attributes is part of the key: replace the row.
# Its Remove column names the features instead of leaving it empty, so the old version is
# removed with REMOVE=<features> rather than REMOVE=ALL: its uninstall-only actions (/remove,
# /uninstall) do not run, and the rules and the service pass to the new version. Windows also
# sets UPGRADINGPRODUCTCODE there; Wine does not, so that alone would not do.
upgrade_code=$(rows Property | awk -F "$tab" '$1 == "UpgradeCode" { print $2 }')
features=$(rows Feature | awk -F "$tab" '{ printf "%s%s", sep, $1; sep = "," }')
set -- "$@" -q "DELETE FROM \`Upgrade\` WHERE \`ActionProperty\` = 'WIX_UPGRADE_DETECTED'"
set -- "$@" -q "INSERT INTO \`Upgrade\` (\`UpgradeCode\`, \`VersionMax\`, \`Attributes\`, \`Remove\`, \`ActionProperty\`) VALUES ('$upgrade_code', '$version', 513, '$features', 'WIX_UPGRADE_DETECTED')"
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
rows Upgrade | awk -F "$tab" -v f="$features" '$7 == "WIX_UPGRADE_DETECTED" && $5 == 513 && $6 == f { found = 1 } END { exit !found }' ||
  { echo "build-msi.sh: the Upgrade row was not updated" >&2; exit 1; }
mv "$tmp" "$out"
