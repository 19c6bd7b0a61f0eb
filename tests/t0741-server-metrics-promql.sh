#!/usr/bin/env bash
# hpcbench load --server-metrics prometheus://...: a real Prometheus scraping a node
# exporter and itself on loopback is asked with PromQL range queries over the measured
# window once it has ended. The result's server_metrics must be what Prometheus answers
# to the same query (its query_range repeated with curl); a bad query is reported in
# the result without failing the load.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

need redis-server prometheus prometheus-node-exporter curl
port=$(start_redis --loglevel notice) || bail "redis-server did not start"
track_pid "$(redis_pid "$port")"
neport=$(free_port) pport=$(free_port)
prometheus-node-exporter --web.listen-address="127.0.0.1:$neport" --no-collector.systemd \
	>"$SCRATCH/ne.log" 2>&1 &
track_pid $!
cat >"$SCRATCH/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: node
    static_configs: [{targets: ["127.0.0.1:$neport"]}]
  - job_name: prometheus
    static_configs: [{targets: ["127.0.0.1:$pport"]}]
YAML
prometheus --config.file="$SCRATCH/prometheus.yml" --storage.tsdb.path="$SCRATCH/tsdb" \
	--web.listen-address="127.0.0.1:$pport" >"$SCRATCH/prom.log" 2>&1 &
track_pid $!
wait_port "$pport" 20 || bail "prometheus did not start"
# instant EXPR: the first value of an instant query, or nothing.
instant() {
	curl -s --get "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
		python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}
for _ in $(seq 120); do
	[ "$(instant 'sum(up)')" = 2 ] && break
	sleep 0.25
done
is "$(instant 'sum(up)')" 2 "prometheus scrapes the node exporter and itself"

Q1='rate(node_cpu_seconds_total{mode="idle"}[5s])'
Q2='node_memory_MemTotal_bytes'
Q3='sum(rate(prometheus_http_requests_total[5s]))'
enc() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
SPEC="prometheus://127.0.0.1:$pport?query=$(enc "$Q1")&query=$(enc "$Q2")&query=$(enc "$Q3")"
out=$(hb load redis "127.0.0.1:$port" -c 2 -d 3s --server-metrics "$SPEC" \
	--json "$SCRATCH/r1.json" 2>&1)
is "$?" 0 "a run with PromQL range queries exits 0"
like "$out" "server +prometheus://127.0.0.1:$pport.*: [0-9]+ series from range queries" \
	"the summary counts the series the queries gave"

# The same range queries, made with curl from what the result recorded.
python3 - "$SCRATCH/r1.json" "$pport" "$Q1" "$Q2" "$Q3" >"$SCRATCH/compare.out" 2>&1 <<'PY'
import json, subprocess, sys
d = json.load(open(sys.argv[1]))
src = next(iter(d["server_metrics"]["sources"].values()))
qr = src["query_range"]
assert src["type"] == "promql" and src["error"] is None, src
checked = 0
for q in sys.argv[3:]:
    ans = json.loads(subprocess.run(
        ["curl", "-s", "--get", f"http://127.0.0.1:{sys.argv[2]}/api/v1/query_range",
         "--data-urlencode", f"query={q}", "--data-urlencode", f"start={qr['start']:.3f}",
         "--data-urlencode", f"end={qr['end']:.3f}", "--data-urlencode", f"step={qr['step']:.3f}"],
        capture_output=True, text=True, check=True).stdout)
    res = ans["data"]["result"]
    assert res, f"prometheus has nothing for {q}"
    for r in res:
        labels = ",".join(f'{k}="{v}"' for k, v in r["metric"].items() if k != "__name__")
        key = q + ("{" + labels + "}" if labels else "")
        vals = sorted(float(v) for _, v in r["values"])
        s = src["series"].get(key)
        assert s is not None, f"{key} missing from the result: {list(src['series'])}"
        assert s["type"] == "gauge" and s["samples"] == len(vals), (key, s, len(vals))
        mean = sum(vals) / len(vals)
        for name, want in (("min", vals[0]), ("max", vals[-1]), ("mean", mean),
                           ("last", float(r["values"][-1][1]))):
            assert abs(s[name] - want) <= 1e-9 * max(1.0, abs(want)), (key, name, s[name], want)
        checked += 1
assert len(src["series"]) == checked, (len(src["series"]), checked)
print(f"{checked} series agree")
PY
rc=$?
is "$rc" 0 "every series agrees with Prometheus' answer to the same range query"
[ "$rc" = 0 ] || sed 's/^/#   /' "$SCRATCH/compare.out"
is "$(python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); s=next(iter(d["server_metrics"]["sources"].values()))["series"]
print(int(s["node_memory_MemTotal_bytes{instance=\"127.0.0.1:'"$neport"'\",job=\"node\"}"]["last"]))' "$SCRATCH/r1.json")" \
	"$(awk '/^MemTotal:/ {print $2 * 1024}' /proc/meminfo)" "MemTotal through Prometheus is /proc/meminfo's"
ok "the window covers the measured part and the step is the sampling period" python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); s=next(iter(d["server_metrics"]["sources"].values()))
qr = s["query_range"]
assert abs(qr["end"] - qr["start"] - d["duration_s"]) < 0.002 and qr["step"] == 1, (qr, d["duration_s"])' \
	"$SCRATCH/r1.json"

# A query Prometheus rejects: the load result is still written, with the reason.
hb load redis "127.0.0.1:$port" -c 1 -d 1s \
	--server-metrics "prometheus://127.0.0.1:$pport?query=$(enc 'rate(up[')" \
	--json "$SCRATCH/r2.json" >"$SCRATCH/r2.out" 2>&1
is "$?" 0 "a rejected query does not fail the load"
like "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(next(iter(d["server_metrics"]["sources"].values()))["error"])' "$SCRATCH/r2.json")" \
	"HTTP 400" "the result says Prometheus rejected the query"

# Unreachable Prometheus: exit 1 before the load.
out=$(hb load redis "127.0.0.1:$port" -n 10 --server-metrics "prometheus://127.0.0.1:$(free_port)?query=up" 2>&1)
is "$?" 1 "an unreachable Prometheus exits 1"
like "$out" "server metrics: http://127.0.0.1:[0-9]+/api/v1/status/buildinfo: .*refused" "naming what failed"

done_testing
