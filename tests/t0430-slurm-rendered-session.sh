#!/usr/bin/env bash
# The contract between rendered job scripts (hpcbench render) and the SLURM executors,
# against real SLURM, real sshd and real Redis, driven step by step with exec-tool: the
# Redis service job becomes READY through its own state file, the load client submitted
# --after it runs `hpcbench load` and writes result.json, whose counts match Redis's own
# counters; cancelling the service leaves nothing in squeue and no redis-server behind.
# Once with the slurm executor, once with the ssh executor.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-cluster.sh
. "$(dirname "$0")/lib-cluster.sh"

tool=$BUILD/helpers/exec-tool
[ -x "$tool" ] || bail "exec-tool helper not built"
[ -x "$HPCBENCH" ] || bail "hpcbench not built"
need slurmctld slurmd munged mungekey sshd ssh redis-server
start_slurm || bail "slurm did not start"
start_sshd || bail "sshd did not start"

cat >"$SCRATCH/session.yaml" <<'YAML'
services:
  - name: redis
    type: redis
    runtime: native
    command: redis-server
    ports: [6379]
    persistence: none
    resources: {time: "00:10:00", cpus_per_task: 1, mem: 512M}
    health_check: {timeout: 30, interval: 0.2}
clients:
  - name: redis-load
    type: redis
    target_service: {name: redis}
    resources: {time: "00:05:00", cpus_per_task: 1}
    parameters:
      connections: 4
      threads: 1
      duration: 2s
      value_size: 64
      ratio: "1:4"
      keyspace: 1000
YAML
cat >"$SCRATCH/cluster.yaml" <<YAML
hpc:
  hostname: hbcluster
  remote_bin: $HPCBENCH
YAML

# json FILE EXPR: a value from a JSON file (python3 is part of the test toolbox).
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# session EXECUTOR: renders, uploads, submits and checks one session.
session() {
	local ex=$1 run=$SCRATCH/run-$1 out=$SCRATCH/render-$1 svc cli sdir cdir f id sid cid st mode
	et() { timeout 120 "$tool" --config "$SCRATCH/cluster.yaml" "$ex" "$@"; }
	"$HPCBENCH" render "$SCRATCH/session.yaml" -o "$out" --run-dir "$run" --bin "$HPCBENCH" \
		>"$out.list" || return 1
	svc=$(basename "$(grep '/redis_' "$out.list")" .sh)
	cli=$(basename "$(grep '/redis-load_' "$out.list")" .sh)
	sdir=$run/$svc
	cdir=$run/$cli
	for id in "$svc" "$cli"; do
		et mkdir "$run/$id"
		et put "$run/$id/job.sh" 0755 <"$out/$id.sh"
		if [ -d "$out/$id" ]; then
			for f in "$out/$id"/*; do
				mode=$(stat -c %a "$f")
				et put "$run/$id/${f##*/}" "$mode" <"$f"
			done
		fi
	done

	sid=$(et submit "$sdir" 600)
	cid=$(et submit "$cdir" 300 --after "$sid")
	st=$(et until READY 120 "$sdir" "$sid" 2>&1)
	is "${st%% *}" READY "$ex: the rendered service job becomes READY"
	if [ "${st%% *}" != READY ]; then
		echo "# $st"
		tail -5 "$sdir/err.log" | sed 's/^/#   /'
		return 1
	fi
	ok "$ex: the service wrote endpoint.json" test -s "$sdir/endpoint.json"
	port=$(json "$sdir/endpoint.json" 'd["port"]')
	is "$(redis-cli -p "$port" ping)" PONG "$ex: Redis answers on the endpoint's port"

	is "$(et wait 120 "$cdir" "$cid" 2>/dev/null)" "COMPLETED 0 -" "$ex: the client job completes"
	ok "$ex: the client wrote result.json" test -s "$cdir/result.json"
	okc=$(json "$cdir/result.json" 'd["requests"]["ok"]')
	calls=$(redis-cli -p "$port" info commandstats |
		awk -F'[=,:]' '/^cmdstat_(get|set):/ {n += $3} END {print n + 0}')
	echo "# $ex: result.json ok=$okc, redis get+set calls=$calls"
	cmp_num "$okc" -gt 0 "$ex: the client counted successful requests"
	cmp_num "$calls" -ge "$okc" "$ex: Redis saw at least every request the client counted"
	cmp_num "$((calls - okc))" -le 4 "$ex: and at most one in flight per connection more"

	ok "$ex: cancel the service" et cancel "$sdir" "$sid"
	like "$(et wait 60 "$sdir" "$sid" 2>/dev/null)" "^CANCELLED" "$ex: the service is CANCELLED"
	is "$(job_ids_in_queue)" "" "$ex: nothing left in squeue"
	for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 || break; sleep 0.1; done
	ok "$ex: the Redis server is gone" bash -c "! redis-cli -p $port ping >/dev/null 2>&1"
}

session slurm
session ssh

done_testing
