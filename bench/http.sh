#!/usr/bin/env bash
# Side-by-side: hpcbench load http vs wrk against one nginx on loopback, keep-alive,
# one client thread and 64 connections each, the same small static file, the same
# duration. Prints each tool's throughput (as it reports it), client CPU time per
# request (user+sys of the client process / requests it completed, from /usr/bin/time)
# and peak RSS, with the ratios hpcbench / wrk.
#
#   bench/http.sh                  DURATION=10s by default
#   DURATION=5s CONNECTIONS=64 HPCBENCH_BUILD=build-x bench/http.sh
#
# Targets of issue 3: throughput >= 1.0x wrk's, CPU per request <= 1.0x wrk's.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}

command -v nginx >/dev/null || die "nginx is not installed"
command -v wrk >/dev/null || die "wrk is not installed"
[ -x "$HPCBENCH" ] || die "$HPCBENCH not built (make)"

port=$(free_port)
mkdir -p "$BENCH_TMP/www" "$BENCH_TMP/nginx"
printf 'hello from nginx\n' >"$BENCH_TMP/www/index.html"
chmod 755 "$BENCH_TMP/www"
chmod 644 "$BENCH_TMP/www/index.html"
cat >"$BENCH_TMP/nginx/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $BENCH_TMP/nginx/nginx.pid;
error_log $BENCH_TMP/nginx/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $BENCH_TMP/nginx/body;
	proxy_temp_path $BENCH_TMP/nginx/proxy;
	fastcgi_temp_path $BENCH_TMP/nginx/fastcgi;
	uwsgi_temp_path $BENCH_TMP/nginx/uwsgi;
	scgi_temp_path $BENCH_TMP/nginx/scgi;
	keepalive_requests 100000000;
	server {
		listen 127.0.0.1:$port;
		root $BENCH_TMP/www;
	}
}
NGINX
nginx -c "$BENCH_TMP/nginx/nginx.conf" -p "$BENCH_TMP/nginx" >/dev/null 2>&1 &
track $!
wait_port "$port" || die "nginx did not start"
url=http://127.0.0.1:$port/index.html
# The worker's CPU per request tells whether the server was the limit (a worker at
# one full core), and how the client's sending pattern changed the server's cost.
worker=$(pgrep -P "${_bench_pids[-1]}" | head -1)
[ -n "$worker" ] || die "no nginx worker process"

# wrk prints "N requests in Ts, ..." and "Requests/sec: R".
s0=$(proc_cpu_s "$worker")
measure "$BENCH_TMP/wrk" wrk -t 1 -c "$CONNECTIONS" -d "$DURATION" "$url" ||
	die "wrk failed: $(cat "$BENCH_TMP/wrk.err")"
wrk_n=$(awk '/requests in/ { print $1 }' "$BENCH_TMP/wrk.out")
wrk_rps=$(awk '/^Requests\/sec/ { print $2 }' "$BENCH_TMP/wrk.out")
wrk_cpu=$(per_req "$M_CPU_S" "$wrk_n")
wrk_rss=$(awk -v k="$M_RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')
s1=$(proc_cpu_s "$worker")
wrk_srv=$(per_req "$(awk -v a="$s0" -v b="$s1" 'BEGIN { print b - a }')" "$wrk_n")

measure "$BENCH_TMP/hb" "$HPCBENCH" load http "$url" -t 1 -c "$CONNECTIONS" -d "$DURATION" \
	--no-progress --json "$BENCH_TMP/hb.json" || die "hpcbench failed: $(cat "$BENCH_TMP/hb.err")"
read -r hb_n hb_rps < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))
print(r["requests"]["ok"], "%.2f" % r["throughput_rps"])' "$BENCH_TMP/hb.json")
hb_cpu=$(per_req "$M_CPU_S" "$hb_n")
hb_rss=$(awk -v k="$M_RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')
s2=$(proc_cpu_s "$worker")
hb_srv=$(per_req "$(awk -v a="$s1" -v b="$s2" 'BEGIN { print b - a }')" "$hb_n")
srv_busy=$(awk -v a="$s1" -v b="$s2" -v d="$DURATION" 'BEGIN { sub(/s$/, "", d); printf "%.0f", (b - a) * 100 / d }')

f='%-26s %-12s %12s %12s %14s %10s %15s\n'
# shellcheck disable=SC2059
{
	printf "$f" "case" "tool" "requests" "req/s" "cpu us/req" "rss MiB" "server us/req"
	printf "$f" "t1 c$CONNECTIONS keep-alive $DURATION" wrk \
		"$wrk_n" "$wrk_rps" "$wrk_cpu" "$wrk_rss" "$wrk_srv"
	printf "$f" "" hpcbench "$hb_n" "$hb_rps" "$hb_cpu" "$hb_rss" "$hb_srv"
	printf "$f" "" "ratio hb/wrk" "" "$(ratio "$hb_rps" "$wrk_rps")" \
		"$(ratio "$hb_cpu" "$wrk_cpu")" "$(ratio "$hb_rss" "$wrk_rss")" \
		"$(ratio "$hb_srv" "$wrk_srv")"
}
echo "nginx worker busy during the hpcbench run: ${srv_busy}% of one core"
echo "client CPU = user+sys of the client process; machine: $(nproc) cores, $(uname -r)"
