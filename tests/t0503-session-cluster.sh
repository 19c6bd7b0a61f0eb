#!/usr/bin/env bash
# The same Redis sessions through --executor slurm and --executor ssh (real SLURM, real
# sshd on 127.0.0.1, real Redis): `up` + a client-only `run --target-service` whose
# counts Redis confirms, `stop`, then a whole `run --out`; afterwards squeue is empty
# and no redis-server of the test is left.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-cluster.sh
. "$(dirname "$0")/lib-cluster.sh"

need slurmctld slurmd munged mungekey sshd ssh redis-server
start_slurm || bail "slurm did not start"
start_sshd || bail "sshd did not start"

json() { python3 -c 'import json,sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]:
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)' "$@"; }

# Ports chosen here, free now: 6379 may be taken by other tests on a shared machine.
p1=$(free_port)
p2=$(free_port)
cat >"$SCRATCH/svc.yaml" <<YAML
service:
  name: redis
  type: redis
  runtime: native
  command: redis-server
  ports: [$p1]
  persistence: none
  resources: {time: "00:10:00", cpus_per_task: 1, mem: 256M}
  health_check: {timeout: 30, interval: 0.2}
YAML
cat >"$SCRATCH/client.yaml" <<YAML
client:
  name: load
  type: redis
  target_service: {name: redis}
  resources: {time: "00:05:00", cpus_per_task: 1}
  parameters: {requests: 3000, connections: 4, threads: 1, ratio: "1:1", warmup: 0,
               wait_for_service: 60}
YAML
cat >"$SCRATCH/session.yaml" <<YAML
services:
  - name: redis
    type: redis
    runtime: native
    command: redis-server
    ports: [$p2]
    persistence: none
    resources: {time: "00:10:00", cpus_per_task: 1, mem: 256M}
    health_check: {timeout: 30, interval: 0.2}
clients:
  - name: load
    type: redis
    target_service: {name: redis}
    resources: {time: "00:05:00", cpus_per_task: 1}
    parameters: {requests: 2000, connections: 2, ratio: "1:1", warmup: 0}
YAML

# cluster EXECUTOR: the checks for one executor.
cluster() {
	local ex=$1 cfg=$SCRATCH/config-$1.yaml id ep host port res calls setget run out
	cat >"$cfg" <<YAML
hpc:
  hostname: hbcluster
  remote_bin: $HPCBENCH
workdir: $SCRATCH/work-$ex
YAML
	h() { timeout 180 "$HPCBENCH" --config "$cfg" "$@"; }

	id=$(h up "$SCRATCH/svc.yaml" --executor "$ex" --out "$SCRATCH/up-out-$ex" \
		2>"$SCRATCH/up-$ex.err")
	is "$?" 0 "$ex: up exits 0"
	like "$id" '^redis_[0-9a-f]{8}$' "$ex: up prints only the id"
	like "$(cat "$SCRATCH/up-out-$ex/$id/endpoint.json" 2>&1)" '"url": *"redis://' \
		"$ex: up --out copies the service's endpoint.json back"
	ok "$ex: and its job script" grep -q '^#SBATCH --job-name=' "$SCRATCH/up-out-$ex/$id/job.sh"
	ep=$(h endpoint "$id" --json 2>&1 >"$SCRATCH/ep-$ex.json"; cat "$SCRATCH/ep-$ex.json")
	host=$(json "$SCRATCH/ep-$ex.json" host 2>/dev/null)
	port=$(json "$SCRATCH/ep-$ex.json" port 2>/dev/null)
	is "$(redis-cli -h "$host" -p "$port" ping 2>&1)" PONG "$ex: the service answers at its endpoint ($ep)"
	like "$(h status)" "$id +service +READY" "$ex: status shows it READY"
	like "$(sq -h -o '%i %T')" "RUNNING" "$ex: its SLURM job runs"

	h run "$SCRATCH/client.yaml" --target-service "$id" --out "$SCRATCH/out-$ex" \
		>"$SCRATCH/run-$ex.out" 2>"$SCRATCH/run-$ex.err"
	is "$?" 0 "$ex: run --target-service exits 0"
	res=$(find "$SCRATCH/out-$ex" -name result.json | head -n 1)
	ok "$ex: --out received result.json" test -s "$res"
	is "$(json "$res" requests ok 2>&1)" 3000 "$ex: 3000 successful requests"
	calls=$(redis-cli -h "$host" -p "$port" info commandstats | tr -d '\r' |
		awk -F'[=,:]' '/^cmdstat_(set|get):/ {n += $3} END {print n + 0}')
	setget=$(python3 -c 'import json,sys
b = json.load(open(sys.argv[1])).get("by_kind", {})
print(sum(v["ok"] for k, v in b.items() if k.lower() in ("set", "get")))' "$res" 2>&1)
	is "$calls" "$setget" "$ex: Redis counted exactly the SET+GET calls of the result ($calls)"

	is "$(h stop "$id")" "$id" "$ex: stop prints the id"
	is "$(job_ids_in_queue)" "" "$ex: squeue is empty after stop"
	for _ in $(seq 50); do redis-cli -h "$host" -p "$port" ping >/dev/null 2>&1 || break; sleep 0.1; done
	ok "$ex: the redis-server is gone" bash -c "! redis-cli -h $host -p $port ping >/dev/null 2>&1"

	h run "$SCRATCH/session.yaml" --executor "$ex" --out "$SCRATCH/whole-$ex" --json \
		>"$SCRATCH/whole-$ex.json" 2>"$SCRATCH/whole-$ex.err"
	is "$?" 0 "$ex: a whole session exits 0"
	if [ -s "$SCRATCH/whole-$ex.json" ]; then
		is "$(json "$SCRATCH/whole-$ex.json" state)" COMPLETED "$ex: summary: COMPLETED"
		run=$(json "$SCRATCH/whole-$ex.json" run_id)
		out=$SCRATCH/whole-$ex
		for f in recipe.yaml summary.json; do ok "$ex: --out has $f" test -s "$out/$f"; done
		ok "$ex: --out has the client's result.json" \
			bash -c "ls '$out'/load_*/result.json >/dev/null"
		ok "$ex: --out has the service's job.sh and out.log" \
			bash -c "ls '$out'/redis_*/job.sh '$out'/redis_*/out.log >/dev/null"
		ok "$ex: the run folder is under workdir" test -d "$SCRATCH/work-$ex/runs/$run"
		like "$(h status "$run")" "run $run +COMPLETED" "$ex: status: COMPLETED"
		h results "$run" --pull "$SCRATCH/pulled-$ex" >/dev/null
		is "$?" 0 "$ex: results --pull exits 0"
		is "$(cd "$SCRATCH" && cmp "whole-$ex"/load_*/result.json "pulled-$ex"/load_*/result.json &&
			echo same)" same "$ex: --pull brought result.json back byte for byte"
		like "$(h logs "$(json "$SCRATCH/whole-$ex.json" jobs 0 id)" 2>/dev/null)" \
			"Ready to accept connections" "$ex: logs prints the service's out.log"
		if [ "$ex" = ssh ]; then
			# The login node out of reach: results falls back to the copies pulled.
			printf 'hpc:\n  hostname: 127.0.0.1\n  port: %s\n' "$(free_port)" \
				>"$SCRATCH/unreachable.yaml"
			out=$(timeout 60 "$HPCBENCH" --config "$SCRATCH/unreachable.yaml" results "$run" \
				2>"$SCRATCH/unreachable.err")
			is "$?" 0 "ssh unreachable: results still exits 0"
			like "$out" "load_[0-9a-f]{8} +COMPLETED +2000 " "  and shows the pulled result"
			like "$(cat "$SCRATCH/unreachable.err")" "showing the copies pulled earlier" \
				"  saying where the numbers come from"
		fi
	else
		sed 's/^/#   /' "$SCRATCH/whole-$ex.err" | tail -20
	fi
	is "$(job_ids_in_queue)" "" "$ex: squeue is empty after the session"
}

cluster slurm
cluster ssh

# A service that never becomes ready under SLURM: clear error, the client never runs,
# nothing left in squeue.
p3=$(free_port)
cat >"$SCRATCH/never.yaml" <<YAML
services:
  - name: deaf
    type: generic
    runtime: native
    command: sleep
    args: ["300"]
    ports: [$p3]
    resources: {time: "00:05:00", cpus_per_task: 1}
    health_check: {endpoint: "tcp://localhost:$p3", timeout: 2, interval: 0.2}
clients:
  - name: never
    command: touch
    args: ["$SCRATCH/client-ran"]
    target_service: {name: deaf}
YAML
out=$(timeout 180 "$HPCBENCH" --config "$SCRATCH/config-slurm.yaml" run "$SCRATCH/never.yaml" \
	--executor slurm 2>&1 >/dev/null)
is "$?" 1 "slurm: a service that never becomes ready: exit 1"
like "$out" "service deaf_[0-9a-f]{8} never became ready \(FAILED" "  with a clear error"
ok "  its client never ran" test ! -e "$SCRATCH/client-ran"
is "$(job_ids_in_queue)" "" "  nothing left in squeue"

done_testing
