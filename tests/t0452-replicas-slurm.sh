#!/usr/bin/env bash
# Client replicas on a 3-node test SLURM against one real Redis: `replicas: 3` renders
# one job of 3 tasks on 3 nodes whose load generators are srun steps, one per node,
# started at one instant; the job merges their results, and the merged request count
# is what Redis itself counted. `run --replicas` overrides the recipe. A replica whose
# step is killed mid-run (scancel --signal=KILL JOB.STEP) is reported as failed and the
# others' requests are kept. Afterwards squeue is empty and no load generator is left.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-cluster.sh
. "$(dirname "$0")/lib-cluster.sh"

need slurmctld slurmd munged mungekey srun redis-server redis-cli python3 shellcheck
start_slurm_nodes 3 || bail "a 3-node slurm did not start"

json() { python3 -c 'import json,sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]:
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)' "$@"; }
calls() {
	redis-cli -h "$host" -p "$port" info commandstats | tr -d '\r' |
		awk -F'[=,:]' '/^cmdstat_(set|get):/ {n += $3} END {print n + 0}'
}
cfg=$SCRATCH/config.yaml
printf 'workdir: %s\n' "$SCRATCH/work" >"$cfg"
h() { timeout 240 "$HPCBENCH" --config "$cfg" "$@"; }

p=$(free_port)
cat >"$SCRATCH/svc.yaml" <<YAML
service:
  name: redis
  type: redis
  runtime: native
  command: redis-server
  ports: [$p]
  persistence: none
  resources: {time: "00:10:00", cpus_per_task: 1, mem: 256M}
  health_check: {timeout: 30, interval: 0.2}
YAML
cat >"$SCRATCH/client.yaml" <<YAML
client:
  name: fan
  type: redis
  replicas: 3
  target_service: {name: redis}
  resources: {time: "00:05:00", cpus_per_task: 1}
  parameters: {rate: 900, duration: 2s, connections: 2, ratio: "1:1", warmup: 0,
               wait_for_service: 60}
YAML

id=$(h up "$SCRATCH/svc.yaml" --executor slurm 2>"$SCRATCH/up.err")
is "$?" 0 "up: the Redis service is ready"
h endpoint "$id" --json >"$SCRATCH/ep.json" 2>&1
host=$(json "$SCRATCH/ep.json" host 2>/dev/null)
port=$(json "$SCRATCH/ep.json" port 2>/dev/null)

# The rendered client job: 3 tasks on 3 nodes, the replicas library, shellcheck-clean.
h render "$SCRATCH/client.yaml" -o "$SCRATCH/rendered" >/dev/null 2>&1
job=$(find "$SCRATCH/rendered" -name 'fan_*.sh' | head -n 1)
like "$(grep -E '^#SBATCH --(nodes|ntasks)=' "$job" | tr '\n' ' ')" \
	'^#SBATCH --nodes=3 #SBATCH --ntasks=3 $' "the client job asks for 3 tasks on 3 nodes"
# shellcheck disable=SC2016 # the job's own variables, literally
like "$(cat "$job")" 'hb_replicas "\$JOB_DIR/result.json" 3 "\$HPCBENCH_BIN" load' \
	"its load runs through hb_replicas, 3 replicas"
ok "the rendered job passes shellcheck" shellcheck -s bash "$job"

before=$(calls)
h run "$SCRATCH/client.yaml" --target-service "$id" --executor slurm --out "$SCRATCH/out" \
	>"$SCRATCH/run.out" 2>"$SCRATCH/run.err"
is "$?" 0 "run with 3 replicas exits 0"
res=$(find "$SCRATCH/out" -name result.json | head -n 1)
ok "the client's merged result.json came back" test -s "$res"
delta=$(($(calls) - before))
is "$(json "$res" requests ok 2>&1)" "$delta" "merged ok = the SET+GET calls Redis counted ($delta)"
is "$(json "$res" replicas merged 2>&1)" 3 "3 of 3 replicas merged"
is "$(python3 -c 'import json,sys; print(" ".join(sorted(r["node"] for r in json.load(open(sys.argv[1]))["replicas"]["list"])))' "$res" 2>&1)" \
	"node1 node2 node3" "one replica ran on each of the 3 nodes"
is "$(json "$res" client parameters rate 2>&1)" 900 "the merged result names the total rate"
is "$(python3 -c 'import json,sys; print(sorted({r["seed"] for r in json.load(open(sys.argv[1]))["replicas"]["list"]}))' "$res" 2>&1)" \
	"[1, 2, 3]" "each replica drew its own seed"
skew=$(json "$res" replicas start_skew_ms 2>&1)
cmp_num "$skew" -ge 0 "the start skew is measured and reported ($skew ms over 3 nodes)"
ok "each replica's own result and log are kept beside the merge in the run folder" \
	bash -c "ls '$SCRATCH'/work/runs/*/fan_*/result-replica-{0,1,2}.{json,log}"

# run --replicas overrides the recipe: 2 load generators.
h run "$SCRATCH/client.yaml" --target-service "$id" --executor slurm --replicas 2 \
	--out "$SCRATCH/out2" >/dev/null 2>&1
is "$?" 0 "run --replicas 2 exits 0"
res2=$(find "$SCRATCH/out2" -name result.json | head -n 1)
is "$(json "$res2" replicas count 2>&1)" 2 "--replicas 2 ran 2 replicas"

# A replica killed mid-run: its step gets SIGKILL, the others are merged.
sed -i 's/duration: 2s/duration: 6s/' "$SCRATCH/client.yaml"
before=$(calls)
h run "$SCRATCH/client.yaml" --target-service "$id" --executor slurm --out "$SCRATCH/out3" \
	>"$SCRATCH/run3.out" 2>"$SCRATCH/run3.err" &
runpid=$!
steps=
for _ in $(seq 150); do
	steps=$(sq -h -s -o '%i' 2>/dev/null | grep -E '^[0-9]+\.[0-9]+$' | sort)
	[ "$(grep -c . <<<"$steps")" -ge 3 ] && break
	sleep 0.2
done
victim=$(head -n 1 <<<"$steps")
sleep 3
ok "scancel --signal=KILL one replica's step ($victim)" sc --signal=KILL "$victim"
wait "$runpid"
is "$?" 1 "the run with a killed replica exits 1"
like "$(cat "$SCRATCH/run3.err")" "1 of 3 replicas failed; the others are merged in result.json" \
	"and says why: one replica failed, the others are merged"
res3=$(find "$SCRATCH/out3" -name result.json | head -n 1)
ok "the merged result.json is still written" test -s "$res3"
is "$(json "$res3" replicas merged 2>&1) $(json "$res3" replicas failed 2>&1)" "2 1" \
	"2 replicas merged, 1 failed"
like "$(python3 -c 'import json,sys; print([r.get("reason","") for r in json.load(open(sys.argv[1]))["replicas"]["list"] if r["status"] == "failed"][0])' "$res3" 2>&1)" \
	"exit status [0-9]+; no result file" "the failed replica's entry says why"
kept=$(python3 -c 'import json,sys; print(sum(r["requests"]["ok"] for r in json.load(open(sys.argv[1]))["replicas"]["list"] if r["status"] == "merged"))' "$res3" 2>&1)
is "$(json "$res3" requests ok 2>&1)" "$kept" "the merged count is the two others' requests ($kept)"
cmp_num "$(($(calls) - before))" -gt "$kept" "Redis saw those plus the killed replica's"

is "$(h stop "$id")" "$id" "stop the service"
is "$(job_ids_in_queue)" "" "squeue is empty"
stray=$(pgrep -f -- "$SCRATCH/work" 2>/dev/null | grep -vx "$$" | tr '\n' ' ')
is "$stray" "" "no load generator or job process of the test is left"

done_testing
