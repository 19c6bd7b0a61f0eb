#!/usr/bin/env bash
# Client replicas on the 3-node test SLURM (tests/lib-cluster.sh: three slurmd on this
# machine) against one redis-server: RUNS sessions of one client with `replicas: 3`,
# open loop RATE req/s in total for DURATION. For each run it prints the start skew of
# the merged result (latest minus earliest start of the three measured windows), how
# late each replica began after the --start-at barrier, and whether the merged request
# count equals the SET+GET calls Redis counted; then the time `hpcbench merge` takes.
#
#   bench/merge.sh                   5 runs, 3000 req/s, 2 s
#   RUNS=10 RATE=6000 bench/merge.sh
#
# The three nodes share this machine's clock, so the skew is the replicas' own start-up
# jitter (srun step start, connect, wake-up at the barrier), not clock offset between
# machines: on a real cluster add the nodes' NTP/PTP offset.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../tests/lib.sh"
# shellcheck source=tests/lib-cluster.sh
. "$(dirname "$0")/../tests/lib-cluster.sh"

RUNS=${RUNS:-5}
RATE=${RATE:-3000}
DURATION=${DURATION:-2s}
[ -x "$HPCBENCH" ] || { echo "bench: $HPCBENCH not built (make)" >&2; exit 1; }
start_slurm_nodes 3 >/dev/null || { echo "bench: the 3-node test SLURM did not start" >&2; exit 1; }

port=$(free_port)
cfg=$SCRATCH/config.yaml
printf 'workdir: %s\n' "$SCRATCH/work" >"$cfg"
cat >"$SCRATCH/svc.yaml" <<YAML
service:
  name: redis
  type: redis
  runtime: native
  command: redis-server
  ports: [$port]
  persistence: none
  resources: {time: "00:30:00", cpus_per_task: 1}
  health_check: {timeout: 30, interval: 0.2}
YAML
cat >"$SCRATCH/client.yaml" <<YAML
client:
  name: fan
  type: redis
  replicas: 3
  target_service: {name: redis}
  resources: {time: "00:05:00", cpus_per_task: 1}
  parameters: {rate: $RATE, duration: $DURATION, connections: 4, ratio: "1:1", warmup: 0}
YAML
h() { timeout 300 "$HPCBENCH" --config "$cfg" "$@"; }
id=$(h up "$SCRATCH/svc.yaml" --executor slurm 2>/dev/null) || { echo "bench: up failed" >&2; exit 1; }
h endpoint "$id" --json >"$SCRATCH/ep.json"
host=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["host"])' "$SCRATCH/ep.json")
calls() {
	redis-cli -h "$host" -p "$port" info commandstats | tr -d '\r' |
		awk -F'[=,:]' '/^cmdstat_(set|get):/ {n += $3} END {print n + 0}'
}

echo "3 replicas on 3 nodes (srun steps), open loop $RATE req/s in total, $DURATION, $RUNS runs"
echo "| run | start skew ms | late after barrier ms (per replica) | merged ok | Redis SET+GET | equal |"
echo "|---:|---:|---|---:|---:|---|"
for r in $(seq "$RUNS"); do
	before=$(calls)
	h run "$SCRATCH/client.yaml" --target-service "$id" --executor slurm --json \
		>"$SCRATCH/sum.json" 2>/dev/null
	delta=$(($(calls) - before))
	run_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$SCRATCH/sum.json")
	res=$(compgen -G "$SCRATCH/work/runs/$run_id/fan_*/result.json")
	python3 - "$res" "$r" "$delta" <<'PY'
import glob, json, os, sys
res, run, delta = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = json.load(open(res))
late = []
for f in sorted(glob.glob(os.path.join(os.path.dirname(res), "result-replica-*.json"))):
    late.append("%.3f" % json.load(open(f))["start_barrier"]["late_ms"])
ok = d["requests"]["ok"]
print("| %s | %.3f | %s | %d | %d | %s |" % (run, d["replicas"]["start_skew_ms"], ", ".join(late),
      ok, delta, "yes" if ok == delta else "NO"))
PY
done

# The merge itself: the last run's three replica files, merged 20 times; CPU time
# (user+sys, /usr/bin/time) as well as wall time, which a busy machine inflates.
dir=$(dirname "$res")
cpu=0
wall=0
for _ in $(seq 20); do
	/usr/bin/time -f '%U %S %e' -o "$SCRATCH/t" "$HPCBENCH" merge --json "$SCRATCH/m.json" \
		"$dir"/result-replica-*.json >/dev/null
	read -r u s e <"$SCRATCH/t"
	cpu=$(awk -v a="$cpu" -v u="$u" -v s="$s" 'BEGIN { print a + u + s }')
	wall=$(awk -v a="$wall" -v e="$e" 'BEGIN { print a + e }')
done
echo
echo "hpcbench merge of 3 replica files ($(du -ch "$dir"/result-replica-*.json | tail -n 1 | cut -f1) of JSON): $(awk -v c="$cpu" 'BEGIN { printf "%.0f", c / 20 * 1000 }') ms CPU, $(awk -v w="$wall" 'BEGIN { printf "%.0f", w / 20 * 1000 }') ms wall per merge (mean of 20; load average $(cut -d' ' -f1 /proc/loadavg))"
h stop "$id" >/dev/null
