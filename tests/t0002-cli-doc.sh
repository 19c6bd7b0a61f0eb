#!/usr/bin/env bash
# docs/cli.md is generated from the help texts; it must match the binary under test.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

bash "$TOP/scripts/gen-cli-doc.sh" "$HPCBENCH" >"$SCRATCH/cli.md"
if diff -u "$TOP/docs/cli.md" "$SCRATCH/cli.md" >"$SCRATCH/diff"; then
	_tap 0 "docs/cli.md is current (scripts/gen-cli-doc.sh)"
else
	_tap 1 "docs/cli.md is current (scripts/gen-cli-doc.sh)"
	sed 's/^/#   /' "$SCRATCH/diff" | head -40
fi

# Every command in the table has a help text that names its options.
for c in $(hb help | awk '/^commands:/ {f = 1; next} /^$/ {f = 0} f && /^  [a-z]/ {print $1}'); do
	n=$(hb help "$c" | wc -l)
	cmp_num "$n" -ge 4 "'help $c' says more than its usage line"
done

done_testing
