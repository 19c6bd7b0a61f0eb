#!/usr/bin/env bash
# shellcheck disable=SC2034 # the variables set here are read by the scripts that source it
# Shared helpers for the side-by-side benchmark scripts in bench/ (sourced).
# Each script starts the servers it needs on loopback in a temporary folder, runs
# hpcbench and the reference tool with the same settings, and prints one table.
#
#   . "$(dirname "$0")/lib.sh"
#   measure OUT_PREFIX CMD...   runs CMD under /usr/bin/time; sets M_CPU_S (user+sys,
#                               seconds), M_RSS_KB (peak resident), M_WALL_S; CMD's
#                               stdout/stderr go to OUT_PREFIX.out / OUT_PREFIX.err
set -uo pipefail

BENCH_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_BUILD=${HPCBENCH_BUILD:-$BENCH_TOP/build}
HPCBENCH=$BENCH_BUILD/hpcbench
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hpcbench-bench.XXXXXX")
chmod 755 "$BENCH_TMP"
_bench_pids=()

bench_cleanup() {
	local p
	for p in "${_bench_pids[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ -z "${KEEP_BENCH_TMP:-}" ]; then rm -rf "$BENCH_TMP"; fi
}
trap bench_cleanup EXIT

die() {
	echo "bench: $*" >&2
	exit 1
}

# Prints a free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_port PORT: until something accepts on 127.0.0.1:PORT (10 s).
wait_port() {
	local _
	for _ in $(seq 200); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.05
	done
	return 1
}

# track PID: stopped when the script ends.
track() { _bench_pids+=("$1"); }

measure() {
	local prefix=$1
	shift
	/usr/bin/time -f '%U %S %M %e' -o "$prefix.time" "$@" >"$prefix.out" 2>"$prefix.err"
	local rc=$?
	read -r _u _s M_RSS_KB M_WALL_S <"$prefix.time"
	M_CPU_S=$(awk -v u="$_u" -v s="$_s" 'BEGIN { printf "%.3f", u + s }')
	return $rc
}

# ratio A B: A/B with 2 decimals ("-" if B is 0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
# per_req CPU_S N: microseconds of CPU per request.
# CPU seconds (user+sys) a running process has used so far, from /proc/PID/stat.
proc_cpu_s() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"
}

per_req() { awk -v c="$1" -v n="$2" 'BEGIN { printf "%.3f", c * 1e6 / n }'; }
