#!/usr/bin/env bash
# Side-by-side: hpcbench load redis vs redis-benchmark against one redis-server on
# loopback, same connections, one client thread, same pipeline depth, same command
# (GET over a 100000-key space, 3-byte values), same request count. Prints each
# tool's throughput (as it reports it), client CPU time per request (user+sys of the
# client process / requests, from /usr/bin/time) and peak RSS, with the ratios
# hpcbench / redis-benchmark.
#
#   bench/redis.sh                  all cases
#   N_P1=500000 N_P16=4000000 bench/redis.sh
#   HPCBENCH_BUILD=build-x bench/redis.sh
#
# Cases: 50 connections pipeline 1; 50 connections pipeline 16; 4096 connections
# (target: hpcbench peak RSS <= 64 MiB). Targets of issue 3: at P1 throughput >= 1.0x
# and CPU/request <= 0.8x redis-benchmark's; at P16 >= 1.0x and <= 1.0x.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

N_P1=${N_P1:-300000}
N_P16=${N_P16:-2000000}
N_4K=${N_4K:-400000}
KEYSPACE=100000

command -v redis-server >/dev/null || die "redis-server is not installed"
command -v redis-benchmark >/dev/null || die "redis-benchmark is not installed"
[ -x "$HPCBENCH" ] || die "$HPCBENCH not built (make)"
ulimit -n 20000 2>/dev/null || die "cannot raise the open files limit to 20000"

port=$(free_port)
redis-server --port "$port" --bind 127.0.0.1 --dir "$BENCH_TMP" --save '' --appendonly no \
	--maxclients 10000 --daemonize no --logfile "$BENCH_TMP/redis.log" >/dev/null 2>&1 &
track $!
wait_port "$port" || die "redis-server did not start"
# Fill the keyspace so that GET returns values, not nils, for both tools.
redis-benchmark -h 127.0.0.1 -p "$port" -c 50 -n $((KEYSPACE * 3)) -t set -r "$KEYSPACE" -d 3 \
	-P 16 -q >/dev/null 2>&1

printf '%-22s %-16s %12s %14s %10s\n' "case" "tool" "req/s" "cpu us/req" "rss MiB"
# run_case NAME CONNECTIONS PIPELINE REQUESTS
run_case() {
	local name=$1 c=$2 p=$3 n=$4 rb_rps hb_rps rb_cpu hb_cpu rb_rss hb_rss
	measure "$BENCH_TMP/rb" redis-benchmark -h 127.0.0.1 -p "$port" -c "$c" -P "$p" -n "$n" \
		-t get -r "$KEYSPACE" -d 3 --csv || die "redis-benchmark failed: $(cat "$BENCH_TMP/rb.err")"
	rb_rps=$(awk -F'"' '$2 == "GET" { print $4 }' "$BENCH_TMP/rb.out")
	rb_cpu=$(per_req "$M_CPU_S" "$n")
	rb_rss=$(awk -v k="$M_RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')
	measure "$BENCH_TMP/hb" "$HPCBENCH" load redis "127.0.0.1:$port" -t 1 -c "$c" --pipeline "$p" \
		-n "$n" --tests get --keyspace "$KEYSPACE" --value-size 3 --no-progress \
		--json "$BENCH_TMP/hb.json" || die "hpcbench failed: $(cat "$BENCH_TMP/hb.err")"
	hb_rps=$(python3 -c 'import json,sys; print("%.2f" % json.load(open(sys.argv[1]))["throughput_rps"])' \
		"$BENCH_TMP/hb.json")
	hb_cpu=$(per_req "$M_CPU_S" "$n")
	hb_rss=$(awk -v k="$M_RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')
	printf '%-22s %-16s %12s %14s %10s\n' "$name" "redis-benchmark" "$rb_rps" "$rb_cpu" "$rb_rss"
	printf '%-22s %-16s %12s %14s %10s\n' "" "hpcbench" "$hb_rps" "$hb_cpu" "$hb_rss"
	printf '%-22s %-16s %12s %14s %10s\n' "" "ratio hb/rb" "$(ratio "$hb_rps" "$rb_rps")" \
		"$(ratio "$hb_cpu" "$rb_cpu")" "$(ratio "$hb_rss" "$rb_rss")"
}

run_case "c50 P1 n=$N_P1" 50 1 "$N_P1"
run_case "c50 P16 n=$N_P16" 50 16 "$N_P16"
run_case "c4096 P1 n=$N_4K" 4096 1 "$N_4K"
echo "client CPU = user+sys of the client process; machine: $(nproc) cores, $(uname -r)"
