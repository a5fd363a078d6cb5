#!/bin/sh
# Usage: test-cli.sh PATH/TO/dloagent.exe
# The real executable under Wine: help, version, bad usage, and which stream each goes to.
. "$(dirname "$0")/lib.sh"
exe=$1

run_exe "$exe" /help
expect_rc 0 "/help"
expect_match "$out" '^Usage: dloagent\.exe' "/help prints usage on stdout"
expect_match "$out" '/version' "/help lists /version"
expect_empty "$err" "/help writes nothing to stderr"

run_exe "$exe" '/?'
expect_rc 0 "/?"
expect_match "$out" '^Usage: dloagent\.exe' "/? prints usage"

run_exe "$exe" -HELP
expect_rc 0 "-HELP (dash, upper case)"

run_exe "$exe" /version
expect_rc 0 "/version"
expect_match "$out" '^dloagent [0-9]+\.[0-9]+\.[0-9]+$' "/version prints the version"

run_exe "$exe" /version /json
expect_rc 0 "/version /json"
expect_match "$out" '^\{"name": "dloagent", "version": "[0-9.]+"\}$' "/version /json prints JSON"

run_exe "$exe" /frobnicate
expect_rc 2 "unknown switch"
expect_match "$err" "unknown switch '/frobnicate'" "unknown switch is named on stderr"
expect_empty "$out" "unknown switch prints nothing on stdout"

run_exe "$exe"
expect_rc 2 "no arguments"
expect_match "$err" "no command given" "no arguments says a command is needed"

run_exe "$exe" /help /version
expect_rc 2 "two commands"

run_exe "$exe" /plan /roles:client /PLAN
expect_rc 2 "a command given twice"
expect_match "$err" "/plan is given twice" "the repeated switch is named"

# A right-to-left override in an argument is shown escaped on stderr, never raw (the argument
# reaches the exe as UTF-16 through a UTF-8 locale).
rlo=$(printf '\342\200\256')
LC_ALL=C.UTF-8
export LC_ALL
run_exe "$exe" /plan "/roles:cli${rlo}ent"
unset LC_ALL
expect_rc 2 "an unknown role holding U+202E"
expect_match "$err" "unknown role 'cli<U\+202E>ent'" "the override is shown escaped"
if printf '%s' "$err" | grep -q "$rlo"; then not_ok "a raw U+202E on stderr"; else ok "no raw U+202E on stderr"; fi

run_exe "$exe" /help:yes
expect_rc 2 "value on a command switch"

# The VERSIONINFO resource is there and matches /version.
run_exe "$exe" /version
ver=${out#dloagent }
if strings -el "$exe" | grep -qx "$ver"; then ok "VERSIONINFO carries $ver"; else not_ok "VERSIONINFO lacks $ver"; fi
if strings "$exe" | grep -q 'requestedExecutionLevel level="asInvoker"'; then ok "manifest asks for asInvoker"; else not_ok "no asInvoker manifest"; fi

finish
