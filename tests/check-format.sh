#!/bin/sh
# Usage: check-format.sh CLANG_FORMAT SOURCE_DIR
# Fails listing every C file under agent/, include/, installer/ and tests/ that .clang-format
# would change.
clang_format=$1
cd "$2" || exit 1
files=$(find agent include installer tests -name '*.c' -o -name '*.h' | sort)
[ -n "$files" ] || { echo "no C files found"; exit 1; }
# shellcheck disable=SC2086
"$clang_format" --dry-run --Werror $files
status=$?
[ $status -eq 0 ] && echo "$(echo "$files" | wc -l) files formatted as .clang-format says"
exit $status
