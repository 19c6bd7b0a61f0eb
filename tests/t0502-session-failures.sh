#!/usr/bin/env bash
# Sessions that go wrong, through the local executor: a service that never becomes
# ready (clear error, exit 1, its client never runs), a service that dies under its
# client, the `run` process killed with -9 (status tells the truth, stop --run cleans
# up), Ctrl-C, hostile environment values through a `command` client, and two hpcbench
# processes using the state database at once.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

need redis-server

# status_field RUN JOB_INDEX FIELD (or "state" for the run with JOB_INDEX -)
status_field() {
	hb status "$1" --json | python3 -c 'import json,sys
r = json.load(sys.stdin)["runs"][0]
print(r[sys.argv[2]] if sys.argv[1] == "-" else r["jobs"][int(sys.argv[1])][sys.argv[2]])' "$2" "$3"
}
# wait_job_state RUN JOB_INDEX STATE: up to 30 s.
wait_job_state() {
	local _
	for _ in $(seq 150); do
		[ "$(status_field "$1" "$2" state 2>/dev/null)" = "$3" ] && return 0
		sleep 0.2
	done
	return 1
}
# latest_run: the id of the most recent run.
latest_run() { hb status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["runs"][-1]["id"])'; }
# next_run PREV: waits (up to 10 s) for a run newer than PREV and prints its id.
next_run() {
	local r _
	for _ in $(seq 50); do
		r=$(latest_run 2>/dev/null)
		[ -n "$r" ] && [ "$r" != "$1" ] && break
		sleep 0.2
	done
	echo "$r"
}
# A process group id that names no process any more (an empty id is no proof).
gone() { [ "${1:-0}" -gt 1 ] && ! kill -0 -- "-$1" 2>/dev/null; }

# --- a service that never becomes ready: nothing listens on its port.
port=$(free_port)
cat >"$SCRATCH/never.yaml" <<YAML
services:
  - name: deaf
    type: generic
    runtime: native
    command: sleep
    args: ["300"]
    ports: [$port]
    health_check: {endpoint: "tcp://localhost:$port", timeout: 2, interval: 0.2}
clients:
  - name: never
    command: touch
    args: ["$SCRATCH/client-ran"]
    target_service: {name: deaf}
YAML
out=$(hb run "$SCRATCH/never.yaml" 2>&1 >/dev/null)
is "$?" 1 "a service that never becomes ready: exit 1"
like "$out" "service deaf_[0-9a-f]{8} never became ready \(FAILED" "  the error names the service and its state"
like "$out" "err.log \(last lines\)" "  with the tail of its log"
ok "  its client never ran" test ! -e "$SCRATCH/client-ran"
run=$(latest_run)
is "$(status_field "$run" - state)" FAILED "  the run is FAILED"
is "$(status_field "$run" 1 state)" CANCELLED "  the client is recorded as never started"
ok "  the service's processes are gone" gone "$(status_field "$run" 0 native_id)"

# --- a service that dies while its client runs.
port=$(free_port)
cat >"$SCRATCH/dies.yaml" <<YAML
services:
  - name: redis
    type: redis
    runtime: native
    command: redis-server
    ports: [$port]
    persistence: none
    health_check: {timeout: 20, interval: 0.2}
clients:
  - name: load
    type: redis
    target_service: {name: redis}
    parameters: {duration: 6s, connections: 2, warmup: 0}
YAML
# "$HPCBENCH" itself in the background (not the hb function: $! must be hpcbench).
"$HPCBENCH" run "$SCRATCH/dies.yaml" >"$SCRATCH/dies.out" 2>"$SCRATCH/dies.err" &
runpid=$!
run=$(next_run "$run")
ok "the client starts" wait_job_state "$run" 1 RUNNING
rpid=$(redis-cli -p "$port" info server | tr -d '\r' | awk -F: '/^process_id:/ {print $2}')
kill -KILL "$rpid"
wait "$runpid"
is "$?" 1 "a service that dies under its client: exit 1"
like "$(cat "$SCRATCH/dies.err")" "service redis_[0-9a-f]{8} ended while its clients ran" \
	"  the error says the service ended while its client ran"
is "$(status_field "$run" - state)" FAILED "  the run is FAILED"
for j in 0 1; do
	ok "  job $j's processes are gone" gone "$(status_field "$run" "$j" native_id)"
done

# --- the run process killed with -9: status tells the truth, stop --run cleans up.
port=$(free_port)
sed "s/ports: \[[0-9]*\]/ports: [$port]/; s/duration: 6s/duration: 60s/" "$SCRATCH/dies.yaml" \
	>"$SCRATCH/long.yaml"
"$HPCBENCH" run "$SCRATCH/long.yaml" >/dev/null 2>&1 &
runpid=$!
run=$(next_run "$run")
ok "the long client starts" wait_job_state "$run" 1 RUNNING
kill -KILL "$runpid"
wait "$runpid" 2>/dev/null
out=$(hb status "$run")
like "$out" "run $run +ORPHANED" "after kill -9 of run, status says ORPHANED"
like "$out" "redis_[0-9a-f]{8} +service +READY" "  the service is still READY (true)"
like "$out" "load_[0-9a-f]{8} +client +RUNNING" "  the client is still RUNNING (true)"
is "$(redis-cli -p "$port" ping)" PONG "  and redis does answer"
pg0=$(status_field "$run" 0 native_id)
pg1=$(status_field "$run" 1 native_id)
out=$(hb stop --run "$run")
is "$?" 0 "stop --run exits 0"
is "$(printf '%s\n' "$out" | wc -l)" 2 "  and prints the two jobs it stopped"
ok "  the service's processes are gone" gone "$pg0"
ok "  the client's processes are gone" gone "$pg1"
is "$(status_field "$run" - state)" CANCELLED "  the run is CANCELLED"

# --- Ctrl-C during run tears the session down.
port=$(free_port)
sed "s/ports: \[[0-9]*\]/ports: [$port]/" "$SCRATCH/long.yaml" >"$SCRATCH/int.yaml"
"$HPCBENCH" run "$SCRATCH/int.yaml" >/dev/null 2>"$SCRATCH/int.err" &
runpid=$!
run=$(next_run "$run")
ok "the session to interrupt runs its client" wait_job_state "$run" 1 RUNNING
kill -INT "$runpid"
wait "$runpid"
is "$?" 1 "Ctrl-C: exit 1"
like "$(cat "$SCRATCH/int.err")" "interrupted: tearing the session down" "  says it tears down"
for j in 0 1; do
	ok "  job $j's processes are gone" gone "$(status_field "$run" "$j" native_id)"
done
is "$(status_field "$run" - state)" CANCELLED "  the run is CANCELLED"

# --- hostile environment values arrive literally through a command client.
# YAML single quotes: '' is one quote. $$ is a literal $ (docs/recipes.md).
cat >"$SCRATCH/hostile.yaml" <<'YAML'
clients:
  - name: echo
    command: printenv
    args: [HOSTILE]
    environment:
      HOSTILE: 'a''b "c" $(touch pwned1) `touch pwned2` ; * \ ~ $$HOME %s	tab'
YAML
# The rendered client still resolves a target; nothing needs to listen there.
hb run "$SCRATCH/hostile.yaml" --out "$SCRATCH/hostile" --target-endpoint 127.0.0.1:9 \
	>/dev/null 2>"$SCRATCH/hostile.err"
is "$?" 0 "a command client runs"
# shellcheck disable=SC2016 # the expected bytes, literally
want=$(printf '%s' 'a'"'"'b "c" $(touch pwned1) `touch pwned2` ; * \ ~ $HOME %s	tab')
got=$(cat "$SCRATCH"/hostile/echo_*/out.log)
is "$got" "$want" "the value arrives byte for byte"
ok "nothing in it was executed" test ! -e "$SCRATCH"/hostile/echo_*/pwned1

# --- a cluster that cannot be reached: exit 3, nothing submitted.
printf 'hpc:\n  hostname: 127.0.0.1\n  port: %s\n' "$(free_port)" >"$SCRATCH/unreachable.yaml"
before=$(latest_run)
out=$(hb --config "$SCRATCH/unreachable.yaml" run "$SCRATCH/dies.yaml" --executor ssh 2>&1)
is "$?" 3 "an unreachable login node: exit 3"
like "$out" "cannot reach 127.0.0.1" "  with a message that says so"
is "$(latest_run)" "$before" "  and no run was recorded"

# --- the ssh executor without hpc.hostname: bad configuration, exit 2, nothing recorded.
printf 'slurm:\n  partition: cpu\n' >"$SCRATCH/nohost.yaml"
for cmd in run up; do
	out=$(hb --config "$SCRATCH/nohost.yaml" "$cmd" "$SCRATCH/dies.yaml" --executor ssh 2>&1)
	is "$?" 2 "$cmd --executor ssh without hpc.hostname: exit 2"
	like "$out" "needs hpc.hostname in the config \(.*nohost.yaml\)" "  naming the key and the file"
done
is "$(latest_run)" "$before" "  and no run was recorded"

# --- two hpcbench processes using the state database at once.
p1=$(free_port)
p2=$(free_port)
sed "s/ports: \[[0-9]*\]/ports: [$p1]/" "$SCRATCH/dies.yaml" >"$SCRATCH/c1.yaml"
sed "s/ports: \[[0-9]*\]/ports: [$p2]/" "$SCRATCH/dies.yaml" >"$SCRATCH/c2.yaml"
"$HPCBENCH" up "$SCRATCH/c1.yaml" >"$SCRATCH/c1.out" 2>/dev/null &
u1=$!
"$HPCBENCH" up "$SCRATCH/c2.yaml" >"$SCRATCH/c2.out" 2>/dev/null &
u2=$!
for _ in 1 2 3 4 5; do hb status --all --json >/dev/null 2>>"$SCRATCH/status.err"; done
wait "$u1"
r1=$?
wait "$u2"
r2=$?
is "$r1.$r2" "0.0" "two concurrent 'up' both succeed"
is "$(cat "$SCRATCH/status.err")" "" "concurrent status calls saw no database error"
id1=$(cat "$SCRATCH/c1.out")
id2=$(cat "$SCRATCH/c2.out")
like "$id1 $id2" '^redis_[0-9a-f]{8} redis_[0-9a-f]{8}$' "each printed its own id"
is "$(redis-cli -p "$p1" ping)/$(redis-cli -p "$p2" ping)" "PONG/PONG" "both services answer"
out=$(hb stop --all 2>/dev/null | sort)
is "$out" "$(printf '%s\n' "$id1" "$id2" | sort)" "stop --all stops exactly those two"
is "$(hb status --all --json | python3 -c 'import json,sys
print(sum(1 for r in json.load(sys.stdin)["runs"] for j in r["jobs"]
          if j["state"] not in ("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT")))')" 0 \
	"no job of any run is left unfinished"

done_testing
