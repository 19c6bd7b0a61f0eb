#!/usr/bin/env bash
# The quickstart shape, run for real from rendered scripts: a native redis service job
# (generated redis.conf with a password, RESP PING with AUTH as readiness) and a client
# job that waits for its endpoint.json and runs `hpcbench load redis` with --auth.
# Checked against the server's own counters.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-render.sh
. "$(dirname "$0")/lib-render.sh"

need redis-server
port=$(free_port)
pw="pa'ss \"word\" \$(x)"
cat >"$SCRATCH/session.yaml" <<YAML
services:
  - name: redis
    type: redis
    runtime: native
    command: redis-server
    ports: [$port]
    persistence: none
    password: '$(printf '%s' "$pw" | sed "s/'/''/g")'
    health_check: {timeout: 20, interval: 0.2}
clients:
  - name: load
    type: redis
    target_service: {name: redis}
    parameters: {requests: 2000, connections: 4, ratio: "1:1", value_size: 64,
                 wait_for_service: 30}
YAML

mapfile -t ids < <(render_to "$SCRATCH/jobs" "$SCRATCH/session.yaml")
is "${#ids[@]}" 2 "two jobs: the service, then the client"
svc=${ids[0]} cli=${ids[1]}
for id in "$svc" "$cli"; do
	if grep -qF "pa'ss" "$SCRATCH/jobs/$id.sh"; then r=yes; else r=no; fi
	is "$r" no "the password is not in $id.sh"
done
is "$(stat -c %a "$SCRATCH/jobs/$svc/redis.conf")" 600 "redis.conf (with requirepass) is 0600"

# The client starts first: it waits for the service's endpoint.json.
start_job "$SCRATCH/jobs" "$cli"
cli_pid=$JOB_PID
start_job "$SCRATCH/jobs" "$svc"
svc_pid=$JOB_PID
ok "the service becomes ready" wait_file "$RUN/$svc/endpoint.json" 40
is "$(json_get "$RUN/$svc/endpoint.json" url)" "redis://127.0.0.1:$port" \
	"endpoint.json: redis://HOST:PORT on the preferred (free) port"
export REDISCLI_AUTH=$pw
is "$(redis-cli -p "$port" ping 2>&1)" PONG "the server requires and accepts the password"
is "$(env -u REDISCLI_AUTH redis-cli -p "$port" ping 2>&1 | head -c 6)" NOAUTH \
	"  and refuses clients without it"

ok "the client job ends" wait_exit "$cli_pid" 60
is "$JOB_RC" 0 "the client exits 0"
like "$(cat "$RUN/$cli/state")" '^COMPLETED 0 ' "client state COMPLETED 0"
okreq=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"]["ok"])' \
	"$RUN/$cli/result.json" 2>&1)
is "$okreq" 2000 "result.json: 2000 successful requests (-n from parameters.requests)"
calls=$(redis-cli -p "$port" info commandstats | tr -d '\r' |
	awk -F'[=,:]' '/^cmdstat_(set|get):/ {n += $3} END {print n + 0}')
cmp_num "$calls" -ge 2000 "the server counted at least those SET/GET calls ($calls)"
key=$(redis-cli -p "$port" --scan --pattern 'key:*' | head -n 1)
vsize=$(redis-cli -p "$port" strlen "$key")
is "$vsize" 64 "values have value_size bytes (--value-size)"

kill -TERM "$svc_pid"
ok "the service job stops on TERM" wait_exit "$svc_pid" 30
like "$(cat "$RUN/$svc/state")" '^CANCELLED 0 ' "service state CANCELLED 0 (stopped by TERM)"
if listening "$port"; then r=up; else r=down; fi
is "$r" down "redis-server was stopped"

done_testing
