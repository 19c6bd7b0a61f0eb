#!/usr/bin/env bash
# Sessions through the local executor, end to end with a real Redis: `up` prints only
# the service id and leaves it running; a client-only `run --target-service` sends
# exactly the requests Redis itself counts; `stop` leaves no process behind; a whole
# `run` session completes, writes its run folder, and tears down what it started.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

need redis-server

json() { python3 -c 'import json,sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]:
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)' "$@"; }

# gone PGID: true when no process of the process group is left.
# A process group id that names no process any more (an empty id is no proof).
gone() { [ "${1:-0}" -gt 1 ] && ! kill -0 -- "-$1" 2>/dev/null; }

port=$(free_port)
cat >"$SCRATCH/svc.yaml" <<YAML
service:
  name: redis
  type: redis
  runtime: native
  command: redis-server
  ports: [$port]
  persistence: none
  health_check: {timeout: 20, interval: 0.2}
YAML
cat >"$SCRATCH/client.yaml" <<YAML
client:
  name: load
  type: redis
  target_service: {name: redis}
  parameters: {requests: 3000, connections: 4, threads: 1, ratio: "1:1", value_size: 32,
               warmup: 0, wait_for_service: 30}
YAML

# --- up: stdout carries only the id; the service outlives hpcbench.
id=$(hb up "$SCRATCH/svc.yaml" 2>"$SCRATCH/up.err")
is "$?" 0 "up exits 0"
like "$id" '^redis_[0-9a-f]{8}$' "up prints only the service id"
is "$(hb endpoint "$id")" "redis://127.0.0.1:$port" "endpoint prints the service URL"
is "$(json "$(hb endpoint "$id" --json >"$SCRATCH/ep.json"; echo "$SCRATCH/ep.json")" port)" \
	"$port" "endpoint --json prints endpoint.json"
is "$(redis-cli -p "$port" ping)" PONG "the service answers after up returned"
redis_pid=$(redis-cli -p "$port" info server | tr -d '\r' | awk -F: '/^process_id:/ {print $2}')
out=$(hb status)
like "$out" "$id +service +READY .*redis://127.0.0.1:$port" "status shows it READY with its URL"
like "$out" "run [0-9]{8}-[0-9]{6}-[0-9a-f]{4} +UP" "its run is UP"
pgid=$(hb status --json | python3 -c 'import json,sys
for r in json.load(sys.stdin)["runs"]:
    for j in r["jobs"]:
        if j["id"] == sys.argv[1]: print(j["native_id"])' "$id")

# --- a client-only run against it: counts match Redis's own.
hb run "$SCRATCH/client.yaml" --target-service "$id" --out "$SCRATCH/out1" \
	>"$SCRATCH/run1.out" 2>"$SCRATCH/run1.err"
is "$?" 0 "run --target-service exits 0"
res=$(find "$SCRATCH/out1" -name result.json | head -n 1)
ok "the result file is in the --out folder" test -s "$res"
is "$(json "$res" requests ok)" 3000 "result: 3000 successful requests"
calls=$(redis-cli -p "$port" info commandstats | tr -d '\r' |
	awk -F'[=,:]' '/^cmdstat_(set|get):/ {n += $3} END {print n + 0}')
setget=$(python3 -c 'import json,sys
b = json.load(open(sys.argv[1])).get("by_kind", {})
print(sum(v["ok"] for k, v in b.items() if k.lower() in ("set", "get")))' "$res")
is "$calls" "$setget" "Redis counted exactly the SET+GET calls the result reports ($calls)"
like "$(cat "$SCRATCH/run1.out")" "load_[0-9a-f]{8} +COMPLETED +3000 +0 " "run prints the summary table"
is "$(json "$SCRATCH/out1/summary.json" state)" COMPLETED "summary.json: COMPLETED"
is "$(redis-cli -p "$port" ping)" PONG "the targeted service is left running"

# --- logs of the service: redis-server's own output.
like "$(hb logs "$id" 2>/dev/null)" "Ready to accept connections" "logs prints the job's out.log"

# --- stop: the id is printed; nothing of the job is left.
is "$(hb stop "$id")" "$id" "stop prints the id it stopped"
ok "redis-server is gone" bash -c "! kill -0 $redis_pid 2>/dev/null"
ok "the job's process group is gone" gone "$pgid"
out=$(hb status --all)
like "$out" "$id +service +CANCELLED" "status --all: the service CANCELLED"
like "$out" "run [0-9a-f-]+ +CANCELLED" "  and the run of 'up' CANCELLED"
out=$(hb stop "$id" 2>&1)
is "$?" 0 "stopping it again exits 0"
like "$out" "already ended \(CANCELLED\)" "  and says it already ended"
out=$(hb stop nosuch_00000000 2>&1)
is "$?" 2 "stop of an unknown id exits 2"
like "$out" "no job 'nosuch_00000000'" "  and names it"
out=$(hb endpoint "$id" 2>&1)
is "$?" 1 "endpoint of a stopped service exits 1"
like "$out" "is not ready \(CANCELLED" "  and says why"

# --- a whole session: services, readiness, client, results, teardown.
cat >"$SCRATCH/session.yaml" <<YAML
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
    parameters: {requests: 2000, connections: 2, ratio: "1:1", warmup: 0}
YAML
hb run "$SCRATCH/session.yaml" --json >"$SCRATCH/summary.out" 2>"$SCRATCH/run2.err"
is "$?" 0 "a whole session exits 0"
is "$(json "$SCRATCH/summary.out" state)" COMPLETED "run --json prints summary.json: COMPLETED"
run=$(json "$SCRATCH/summary.out" run_id)
rundir=$XDG_STATE_HOME/hpcbench/runs/$run
ok "the run folder is under \$XDG_STATE_HOME/hpcbench/runs" test -d "$rundir"
svc=$(json "$SCRATCH/summary.out" jobs 0 id)
cli=$(json "$SCRATCH/summary.out" jobs 1 id)
for f in recipe.yaml summary.json "$svc/job.sh" "$svc/out.log" "$svc/endpoint.json" \
	"$cli/job.sh" "$cli/result.json"; do
	ok "run folder has $f" test -s "$rundir/$f"
done
ok "recipe.yaml (as run) validates" hb validate "$rundir/recipe.yaml"
is "$(json "$rundir/$cli/result.json" requests ok)" 2000 "the client's result: 2000 ok"
is "$(json "$SCRATCH/summary.out" jobs 1 results 0 requests ok)" 2000 "summary.json carries it"
st=$(hb status "$run" --json)
for j in 0 1; do
	pg=$(printf '%s' "$st" | python3 -c 'import json,sys; print(json.load(sys.stdin)["runs"][0]["jobs"][int(sys.argv[1])]["native_id"])' "$j")
	ok "job $j's process group is gone after the session" gone "$pg"
done
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then r=listening; else r=closed; fi
is "$r" closed "the session's redis-server was stopped"
like "$(hb status "$run")" "run $run +COMPLETED" "status: the run COMPLETED"

# --- results: the table, and --pull copies the files.
out=$(hb results "$run")
like "$out" "$cli +COMPLETED +2000 +0 " "results shows the client's numbers"
hb results "$run" --pull "$SCRATCH/pulled" >/dev/null
is "$?" 0 "results --pull exits 0"
cmp_out=$(cmp "$rundir/$cli/result.json" "$SCRATCH/pulled/$cli/result.json" && echo same)
is "$cmp_out" same "--pull copied result.json byte for byte"
ok "--pull wrote summary.json" test -s "$SCRATCH/pulled/summary.json"

# --- two recipes, one session: the client-only recipe follows the earlier service.
hb run "$SCRATCH/svc.yaml" "$SCRATCH/client.yaml" --json >"$SCRATCH/two.json" 2>"$SCRATCH/two.err"
is "$?" 0 "a service recipe and a client recipe run as one session"
is "$(json "$SCRATCH/two.json" jobs 1 results 0 requests ok)" 3000 "  the client reached the service"
like "$(hb logs "$(json "$SCRATCH/two.json" jobs 1 id)" -f 2>&1)" "." \
	"logs -f of an ended job prints its logs and returns"

# --- state: one database, 0600.
is "$(stat -c %a "$XDG_STATE_HOME/hpcbench/state.db")" 600 "state.db is 0600"

done_testing
