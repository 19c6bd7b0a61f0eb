#!/usr/bin/env bash
# hpcbench load --server-metrics against real servers on loopback: Redis INFO, a node
# exporter's /metrics and the Redis process's /proc figures, sampled off the load
# threads. The result's server_metrics must agree with the servers' own counters: Redis
# counted exactly the requests hpcbench sent (plus the INFO commands of the sampler),
# the node exporter's MemTotal is /proc/meminfo's. Bad specs exit 2, an unreachable
# source exits 1 before any load, and no result file is written then.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

need redis-server redis-cli prometheus-node-exporter
port=$(start_redis --loglevel notice) || bail "redis-server did not start"
track_pid "$(redis_pid "$port")"
rpid=$(redis_pid "$port")
neport=$(free_port)
prometheus-node-exporter --web.listen-address="127.0.0.1:$neport" --no-collector.systemd \
	>"$SCRATCH/ne.log" 2>&1 &
track_pid $!
wait_port "$neport" 10 || bail "node exporter did not start"
# json FILE EXPR: a value from a result file (python3 json, EXPR on d; sm = the sources)
json() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sm=d['server_metrics']['sources']; print($2)" "$1"
}
R="redis://127.0.0.1:$port"
N="http://127.0.0.1:$neport/metrics"

# 1. Three sources at once, a sampling period of 250 ms.
out=$(hb load redis "127.0.0.1:$port" -c 4 -d 2s --ratio 1:4 --metrics-interval 250ms \
	--server-metrics "$R" --server-metrics "$N" --server-metrics "pid:$rpid" \
	--json "$SCRATCH/r1.json" 2>&1)
is "$?" 0 "a run with three metrics sources exits 0"
like "$out" "server +$R: [0-9]+ series, [0-9]+ scrapes, 0 failed" "the summary names the redis source"
like "$out" "server +pid:$rpid: 9 series" "the summary names the process source"
sent=$(json "$SCRATCH/r1.json" 'd["requests"]["sent"]')
info=$(json "$SCRATCH/r1.json" "int(sm['$R']['series']['redis_commands_total{cmd=\"info\"}']['increase'])")
total=$(json "$SCRATCH/r1.json" "int(sm['$R']['series']['redis_total_commands_processed']['increase'])")
is "$total" "$((sent + info))" "redis total_commands_processed grew by the requests sent plus the sampler's INFO commands"
is "$(json "$SCRATCH/r1.json" "int(sm['$R']['series']['redis_commands_total{cmd=\"get\"}']['increase'])")" \
	"$(json "$SCRATCH/r1.json" 'd["by_kind"]["GET"]["ok"]')" "redis counted as many GET as hpcbench reports"
is "$(json "$SCRATCH/r1.json" "sm['$R']['series']['redis_total_commands_processed']['type']")" counter \
	"total_commands_processed is a counter"
ok "its rate is the increase over the span of the samples bracketing the window" python3 -c '
import json,sys; s=json.load(open(sys.argv[1]))["server_metrics"]["sources"][sys.argv[2]]["series"]["redis_total_commands_processed"]
assert abs(s["rate"] - s["increase"] / s["span_s"]) <= 1e-6 * s["rate"] + s["rate"] * 0.001 / s["span_s"], s
assert 2.0 <= s["span_s"] <= 2.0 + 2 * 0.25 + 0.2, s' "$SCRATCH/r1.json" "$R"
is "$(json "$SCRATCH/r1.json" "sm['$R']['series']['redis_connected_clients']['type'], sm['$R']['series']['redis_used_memory']['unit']")" \
	"gauge bytes" "connected_clients is a gauge, used_memory in bytes"
ok "redis saw the 4 load connections (plus the sampler's)" python3 -c '
import json,sys; s=json.load(open(sys.argv[1]))["server_metrics"]["sources"][sys.argv[2]]["series"]["redis_connected_clients"]
assert s["max"] >= 5 and s["min"] <= s["p50"] <= s["p99"] <= s["max"], s' "$SCRATCH/r1.json" "$R"
memtotal=$(awk '/^MemTotal:/ {print $2 * 1024}' /proc/meminfo)
is "$(json "$SCRATCH/r1.json" "int(sm['$N']['series']['node_memory_MemTotal_bytes']['last'])")" "$memtotal" \
	"node exporter: MemTotal is /proc/meminfo's"
is "$(json "$SCRATCH/r1.json" "sm['$N']['series']['node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}']['rate_unit']")" \
	"seconds/s" "node_cpu_seconds_total is a counter in seconds, its rate in seconds/s"
ok "the redis process used CPU time while it served the load" python3 -c '
import json,sys; s=json.load(open(sys.argv[1]))["server_metrics"]["sources"][sys.argv[2]]["series"]
assert s["process_cpu_seconds_total"]["rate"] > 0, s["process_cpu_seconds_total"]
assert s["process_resident_memory_bytes"]["min"] > 1 << 20, s["process_resident_memory_bytes"]' \
	"$SCRATCH/r1.json" "pid:$rpid"
rss_kb=$(ps -o rss= -p "$rpid" | tr -d ' ')
ok "its resident memory is what ps shows (within a factor 2)" python3 -c '
import json,sys; s=json.load(open(sys.argv[1]))["server_metrics"]["sources"][sys.argv[2]]["series"]
v = s["process_resident_memory_bytes"]["last"]; ps = int(sys.argv[3]) * 1024
assert ps / 2 <= v <= ps * 2, (v, ps)' "$SCRATCH/r1.json" "pid:$rpid" "$rss_kb"
ok "every interval carries the three sources' values" python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); iv=d["intervals"]
assert iv and all(set(i["server_metrics"]) == set(sys.argv[2:]) for i in iv), iv[0].keys()
assert all(i["server_metrics"][sys.argv[2]]["redis_total_commands_processed"] > 0 for i in iv)' \
	"$SCRATCH/r1.json" "$R" "$N" "pid:$rpid"

# 2. --metrics-match keeps only the series asked for.
hb load redis "127.0.0.1:$port" -c 2 -d 1s --server-metrics "$N" --metrics-match 'node_load*' \
	--metrics-match node_memory_MemTotal_bytes --json "$SCRATCH/r2.json" >/dev/null 2>&1
is "$?" 0 "--metrics-match runs"
is "$(json "$SCRATCH/r2.json" "' '.join(sorted(sm['$N']['series']))")" \
	"node_load1 node_load15 node_load5 node_memory_MemTotal_bytes" "only the matching series are kept"

# 3. A password is never written to the result.
hb load redis "127.0.0.1:$port" -c 1 -n 100 --server-metrics "redis://:s3cret@127.0.0.1:$port" \
	--json "$SCRATCH/r3.json" >"$SCRATCH/r3.out" 2>&1
is "$?" 1 "a wrong Redis password fails the run"
like "$(cat "$SCRATCH/r3.out")" "server metrics: redis: .*AUTH" "with Redis's own answer"
unlike "$(cat "$SCRATCH/r3.out")" "s3cret" "and without the password"
ok "no result file is written" test ! -e "$SCRATCH/r3.json"

# 4. Bad usage: exit 2, the reason.
out=$(hb load redis "127.0.0.1:$port" -n 10 --server-metrics ftp://x 2>&1)
is "$?" 2 "an unknown source exits 2"
like "$out" "--server-metrics: 'ftp://x' is not one of: http://HOST:PORT/metrics" "and lists the forms"
out=$(hb load redis "127.0.0.1:$port" -n 10 --metrics-match 'x*' 2>&1)
is "$?" 2 "--metrics-match without a source exits 2"
out=$(hb load redis "127.0.0.1:$port" -n 10 --server-metrics "$R" --metrics-interval 1ms 2>&1)
is "$?" 2 "a sampling period under 100ms exits 2"
like "$out" "metrics-interval: '1ms' is not a duration from 100ms" "with the allowed range"

# 5. An unreachable source: exit 1 before the load, named.
dead=$(free_port)
redis-cli -p "$port" config resetstat >/dev/null
out=$(hb load redis "127.0.0.1:$port" -n 1000 --server-metrics "http://127.0.0.1:$dead/metrics" \
	--json "$SCRATCH/r5.json" 2>&1)
is "$?" 1 "an unreachable metrics source exits 1"
like "$out" "server metrics: http://127.0.0.1:$dead/metrics: .*(refused|timed out)" "and says which and why"
ok "no result file is written" test ! -e "$SCRATCH/r5.json"
calls=$(redis-cli -p "$port" info commandstats | tr -d '\r' | grep -c '^cmdstat_get' || true)
is "$calls" 0 "no load was sent"

done_testing
