#!/usr/bin/env bash
# The CLI skeleton: help, version, unknown commands and options, exit codes.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

out=$(hb version)
like "$out" '^hpcbench [0-9]+\.[0-9]+\.[0-9]+$' "version prints hpcbench X.Y.Z"

out=$(hb help)
like "$out" 'usage: hpcbench' "help prints the usage"
for c in $(hb help | awk '/^commands:/ {f = 1; next} /^$/ {f = 0} f && /^  [a-z]/ {print $1}'); do
	hb "$c" --help >"$SCRATCH/h.out" 2>&1
	is "$?" 0 "'$c --help' exits 0"
	like "$(cat "$SCRATCH/h.out")" "usage: hpcbench $c" "'$c --help' shows its usage"
done

out=$(hb versoin 2>&1)
is "$?" 2 "unknown command exits 2"
like "$out" "unknown command 'versoin' \(did you mean 'version'\?\)" "unknown command suggests the nearest"

out=$(hb --frobnicate version 2>&1)
is "$?" 2 "unknown global option exits 2"
like "$out" "unknown option '--frobnicate'" "unknown global option is named"

out=$(hb 2>&1)
is "$?" 2 "no command exits 2 with the usage"

out=$(hb vers)
is "$out" "$(hb version)" "a unique prefix selects the command"

done_testing
