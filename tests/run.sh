#!/usr/bin/env bash
# Runs the whole suite: every unit test binary (cmocka, TAP output) and every
# tests/tNNNN-*.sh end-to-end script (TAP via tests/lib.sh). Ends with the line
# "N passed, N failed". Usage: tests/run.sh [PATTERN]  (only test files whose name matches it)
# First tests/preflight.sh checks what the suite assumes about the machine (root, the
# hostname resolves, cgroups mounted, ...); when any does not hold, nothing runs.
# A file that ran no test fails, also when it skipped itself (skip_all): the suite is
# green only when every test ran.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${HPCBENCH_BUILD:-$top/build}
pattern=${1:-}
export HPCBENCH_BUILD=$build
export CMOCKA_MESSAGE_OUTPUT=TAP

if ! bash "$top/tests/preflight.sh"; then
	echo "0 passed, 1 failed"
	exit 1
fi

passed=0
failed=0
failed_names=()
logdir=$(mktemp -d "${TMPDIR:-/tmp}/hpcbench-tests.XXXXXX")

# Runs one test program, echoes its output, adds its TAP results to the totals.
run_one() {
	local name=$1
	shift
	local log rc p f why
	log="$logdir/$(basename "$name").log"
	echo "# --- $name"
	timeout -k 10 900 "$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(grep -cE '^ok ' "$log")
	f=$(grep -cE '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc"
		f=1
	fi
	# A skipped file fails the suite too: a green suite ran every test. skip_all's
	# reason says what is missing; scripts/install-deps.sh installs it.
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		why=$(sed -n 's/^1\.\.0 # SKIP //p' "$log" | head -1)
		if [ -n "$why" ]; then
			echo "not ok - $name skipped ($why): a skipped file fails the suite;" \
				"scripts/install-deps.sh installs what the tests need"
		else
			echo "not ok - $name ran no test"
		fi
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		failed_names+=("$name")
	fi
}

for bin in "$build"/tests/test-*; do
	[ -x "$bin" ] || continue
	case "${bin##*/}" in *"$pattern"*) ;; *) continue ;; esac
	run_one "unit/$(basename "$bin")" "$bin"
done

for t in "$top"/tests/t[0-9][0-9][0-9][0-9]-*.sh; do
	[ -f "$t" ] || continue
	case "${t##*/}" in *"$pattern"*) ;; *) continue ;; esac
	run_one "$(basename "$t")" bash "$t"
done

rm -rf "$logdir"
if [ ${#failed_names[@]} -gt 0 ]; then
	echo "# failed: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
