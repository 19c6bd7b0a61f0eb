#!/usr/bin/env bash
# Server metrics in a session's results: with a Prometheus service in the recipe, the
# client job asks it over the measured window, and the result agrees with what
# Prometheus answers to the same range query; without one, a Redis target's own INFO
# is read, and it counted the requests the client sent.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

need redis-server prometheus prometheus-node-exporter curl
neport=$(free_port)
prometheus-node-exporter --web.listen-address="127.0.0.1:$neport" --no-collector.systemd \
	>"$SCRATCH/ne.log" 2>&1 &
track_pid $!
wait_port "$neport" 10 || bail "node exporter did not start"

# 1. Redis, a Prometheus scraping a node exporter, a client: Prometheus is asked.
cat >"$SCRATCH/with-prom.yaml" <<YAML
services:
  - name: redis
    type: redis
    runtime: native
    command: redis-server
    ports: [$(free_port)]
    persistence: none
    health_check: {timeout: 20, interval: 0.2}
  - name: prom
    type: prometheus
    runtime: native
    command: prometheus
    ports: [$(free_port)]
    scrape_interval: 1s
    monitoring_targets:
      - {host: 127.0.0.1, port: $neport, job_name: node}
    health_check: {timeout: 30, interval: 0.2}
clients:
  - name: load
    type: redis
    target_service: {name: redis}
    parameters: {duration: 3s, warmup: 6s, connections: 2, wait_for_service: 60}
YAML
hb run "$SCRATCH/with-prom.yaml" --json >"$SCRATCH/s1.json" 2>"$SCRATCH/s1.err"
is "$?" 0 "a session with a Prometheus service completes"
run=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$SCRATCH/s1.json")
res=$(find "$XDG_STATE_HOME/hpcbench/runs/$run" -path '*load_*' -name result.json | head -n 1)
ok "the client wrote its result" test -s "$res"
script=$(find "$XDG_STATE_HOME/hpcbench/runs/$run" -path '*load_*' -name job.sh | head -n 1)
# shellcheck disable=SC2016 # a literal $RUN_DIR in the script
like "$(cat "$script")" 'hb_metrics_prometheus "\$RUN_DIR/prom_[0-9a-f]+"' \
	"the client job looks up the recipe's Prometheus"
# The session stopped its Prometheus: start one again on the same storage, scraping
# nothing, and ask it the query the result recorded.
tsdb=$(dirname "$(find "$XDG_STATE_HOME/hpcbench/runs/$run" -path '*prom_*' -name job.sh)")/data
pport=$(free_port)
printf 'global: {scrape_interval: 1m}\n' >"$SCRATCH/empty.yml"
prometheus --config.file="$SCRATCH/empty.yml" --storage.tsdb.path="$tsdb" \
	--web.listen-address="127.0.0.1:$pport" >"$SCRATCH/prom2.log" 2>&1 &
track_pid $!
for _ in $(seq 100); do
	curl -sf "http://127.0.0.1:$pport/-/ready" >/dev/null && break
	sleep 0.2
done
python3 - "$res" "$pport" >"$SCRATCH/compare.out" 2>&1 <<'PY'
import json, subprocess, sys, urllib.parse
d = json.load(open(sys.argv[1]))
(spec, src), = d["server_metrics"]["sources"].items()
assert spec.startswith("prometheus://127.0.0.1:") and src["error"] is None, (spec, src)
qs = spec.split("?", 1)[1]
hostport = "127.0.0.1:" + sys.argv[2]
query = urllib.parse.parse_qs(qs)["query"][0]
assert query == '{job=~".+",job!="prometheus"}', query
qr = src["query_range"]
ans = json.loads(subprocess.run(
    ["curl", "-s", "--get", f"http://{hostport}/api/v1/query_range",
     "--data-urlencode", f"query={query}", "--data-urlencode", f"start={qr['start']:.3f}",
     "--data-urlencode", f"end={qr['end']:.3f}", "--data-urlencode", f"step={qr['step']:.3f}"],
    capture_output=True, text=True, check=True).stdout)
res = ans["data"]["result"]
assert len(res) > 100, f"only {len(res)} series: prometheus did not scrape the node exporter"
mism = []
for r in res:
    m = dict(r["metric"]); name = m.pop("__name__")
    key = name + "{" + ",".join(f'{k}="{v}"' for k, v in m.items()) + "}"
    s = src["series"].get(key)
    vals = [float(v) for _, v in r["values"]]
    if s is None:
        mism.append(("missing", key)); continue
    if s["type"] == "gauge":
        if abs(s["mean"] - sum(vals) / len(vals)) > 1e-9 * max(1, abs(s["mean"])) or s["last"] != vals[-1]:
            mism.append((key, s, vals))
    else:
        inc = sum(b - a if b >= a else b for a, b in zip(vals, vals[1:]))
        if abs(s["increase"] - inc) > 1e-9 * max(1, inc):
            mism.append((key, s, inc))
assert not mism, mism[:3]
mem = [v for k, v in src["series"].items() if k.startswith("node_memory_MemTotal_bytes{")]
assert len(mem) == 1 and mem[0]["type"] == "gauge", mem
print(len(res), "series agree")
PY
rc=$?
is "$rc" 0 "the result's series agree with Prometheus' answer to the same range query"
[ "$rc" = 0 ] || sed 's/^/#   /' "$SCRATCH/compare.out" | head -20
ok "counters from Prometheus are summarised as counters" python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); s=next(iter(d["server_metrics"]["sources"].values()))["series"]
c=[v for k,v in s.items() if k.startswith("node_cpu_seconds_total{")]
assert c and all(v["type"] == "counter" and v["rate_unit"] == "seconds/s" for v in c), c[:2]' "$res"

# 2. Without Prometheus: the Redis target's INFO, read by the client's load generator.
cat >"$SCRATCH/no-prom.yaml" <<YAML
services:
  - name: redis
    type: redis
    runtime: native
    command: redis-server
    ports: [$(free_port)]
    persistence: none
    health_check: {timeout: 20, interval: 0.2}
clients:
  - name: load
    type: redis
    target_service: {name: redis}
    parameters: {requests: 5000, connections: 2, metrics_interval: 200ms, wait_for_service: 30}
YAML
hb run "$SCRATCH/no-prom.yaml" --json >"$SCRATCH/s2.json" 2>"$SCRATCH/s2.err"
is "$?" 0 "a session without Prometheus completes"
run=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$SCRATCH/s2.json")
res=$(find "$XDG_STATE_HOME/hpcbench/runs/$run" -path '*load_*' -name result.json | head -n 1)
ok "redis counted the 5000 requests (and the sampler's INFO commands)" python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); (spec, src), = d["server_metrics"]["sources"].items()
assert spec.startswith("redis://127.0.0.1:"), spec
s = src["series"]; info = s["redis_commands_total{cmd=\"info\"}"]["increase"]
assert s["redis_total_commands_processed"]["increase"] == 5000 + info, s["redis_total_commands_processed"]' "$res"

# 3. server_metrics in the parameters replaces the automatic choice (empty: none).
sed 's/metrics_interval: 200ms,/server_metrics: [],/' "$SCRATCH/no-prom.yaml" >"$SCRATCH/none.yaml"
hb run "$SCRATCH/none.yaml" --json >"$SCRATCH/s3.json" 2>"$SCRATCH/s3.err"
is "$?" 0 "server_metrics: [] runs"
run=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$SCRATCH/s3.json")
res=$(find "$XDG_STATE_HOME/hpcbench/runs/$run" -path '*load_*' -name result.json | head -n 1)
is "$(python3 -c 'import json,sys; print("server_metrics" in json.load(open(sys.argv[1])))' "$res")" False \
	"and collects no server metrics"

done_testing
