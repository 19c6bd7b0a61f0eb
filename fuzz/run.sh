#!/usr/bin/env bash
# Runs every libFuzzer target in BINDIR for SECONDS each (make fuzz FUZZ_TIME=SECONDS).
# Per target: first the reproducers kept in fuzz/crashes/NAME/ (each must now pass),
# then fuzzing from the seeds in fuzz/corpus/NAME/ with fuzz/NAME.dict when present.
# New corpus entries go to build-fuzz/corpus/NAME (not the tree); a crash leaves its
# input in build-fuzz/artifacts/ and makes this script fail. Prints one line per target:
# executions, seconds, corpus size.
set -uo pipefail
bindir=${1:?usage: fuzz/run.sh BINDIR SECONDS}
secs=${2:-10}
cd "$(dirname "$0")/.." || exit 1
work=build-fuzz
mkdir -p "$work/artifacts"
failed=0
printf '%-16s %12s %8s %8s  %s\n' target executions seconds corpus result
for bin in "$bindir"/fuzz-*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	name=${name#fuzz-}
	log="$work/$name.log"
	if [ -d "fuzz/crashes/$name" ] && [ -n "$(ls -A "fuzz/crashes/$name")" ]; then
		if ! "$bin" "fuzz/crashes/$name"/* >"$log" 2>&1; then
			printf '%-16s %12s %8s %8s  %s\n' "$name" - - - "reproducer fails: see $log"
			failed=1
			continue
		fi
	fi
	mkdir -p "$work/corpus/$name" "fuzz/corpus/$name"
	dict=()
	[ -f "fuzz/$name.dict" ] && dict=("-dict=fuzz/$name.dict")
	start=$(date +%s)
	# -rss_limit_mb: the library's own caps must keep memory bounded (ASan adds its share).
	"$bin" -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 \
		-artifact_prefix="$work/artifacts/$name-" "${dict[@]}" \
		"$work/corpus/$name" "fuzz/corpus/$name" >"$log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	corpus=$(find "$work/corpus/$name" "fuzz/corpus/$name" -type f | wc -l)
	if [ $rc -eq 0 ]; then
		result=ok
	else
		result="FAILED (exit $rc): see $log and $work/artifacts/"
		failed=1
	fi
	printf '%-16s %12s %8s %8s  %s\n' "$name" "${execs:-?}" "$took" "$corpus" "$result"
done
exit $failed
