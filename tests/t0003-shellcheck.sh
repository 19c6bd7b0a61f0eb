#!/usr/bin/env bash
# Every shell script we ship (install, quickstart, tests, bench, CI, the job library
# that rendered scripts embed) passes shellcheck with no warning: `make shellcheck`.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

need shellcheck
cd "$TOP" || exit 1
n=0
for f in scripts/*.sh tests/*.sh tests/helpers/*.sh bench/*.sh .ci/run; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	ok "$f passes shellcheck" shellcheck -x "$f"
done
for f in src/script/shlib/*.sh; do
	n=$((n + 1))
	ok "$f (job library) passes shellcheck" shellcheck -s bash "$f"
done
cmp_num "$n" -ge 40 "the scripts were found ($n)"

done_testing
