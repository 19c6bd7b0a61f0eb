#!/usr/bin/env bash
# A rendered native `generic` service job, run for real: port choice (the preferred
# port is taken), readiness through a real HTTP GET, endpoint.json/endpoint.env and the
# state file, a clean stop on TERM; and the two ways a service fails to become ready.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-render.sh
. "$(dirname "$0")/lib-render.sh"

busy=$(free_port)
# Something else already listens on the preferred port.
python3 -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(120)' "$busy" &
track_pid $!
wait_port "$busy" 10

mkdir -p "$SCRATCH/www"
echo "served by the job" >"$SCRATCH/www/hello.txt"
cat >"$SCRATCH/http.yaml" <<YAML
service:
  name: web
  type: generic
  runtime: native
  command: python3
  args: ["-m", "http.server", "\${HPCBENCH_PORT}", "--bind", "127.0.0.1",
         "--directory", "$SCRATCH/www"]
  ports: [$busy]
  health_check: {endpoint: "http://localhost:$busy/hello.txt", timeout: 20, interval: 0.2}
YAML

id=$(render_to "$SCRATCH/jobs" "$SCRATCH/http.yaml")
like "$id" '^web_[0-9a-f]{8}$' "render -o prints the job script it wrote"
start_job "$SCRATCH/jobs" "$id"
jd=$RUN/$id

ok "endpoint.json appears once the server answers" wait_file "$jd/endpoint.json" 40
ok "the state file says READY (written after endpoint.json)" wait_state "$jd" READY 5
port=$(json_get "$jd/endpoint.json" port)
isnt_busy=$([ "$port" != "$busy" ] && echo yes)
is "$isnt_busy" yes "the taken preferred port $busy was not used (got $port)"
is "$(json_get "$jd/endpoint.json" host)" 127.0.0.1 "endpoint.json host is the advertised one"
is "$(json_get "$jd/endpoint.json" url)" "http://127.0.0.1:$port" "endpoint.json url"
is "$(json_get "$jd/endpoint.json" job_id)" "$id" "endpoint.json job_id"
like "$(json_get "$jd/endpoint.json" ready_at)" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T' \
	"endpoint.json ready_at is a timestamp"
ok "the port lock is free again: the server did not inherit it" \
	flock -n "$SCRATCH/hpcbench-ports-$(id -u).lock" true
is "$(curl -s "http://127.0.0.1:$port/hello.txt")" "served by the job" \
	"the server really listens on the chosen port (\${HPCBENCH_PORT} reached its args)"
is "$(bash -c '. "$1"; echo "$HPCBENCH_TARGET_HOST:$HPCBENCH_TARGET_PORT"' _ "$jd/endpoint.env")" \
	"127.0.0.1:$port" "endpoint.env holds the same endpoint as shell assignments"

kill -TERM "$JOB_PID"
ok "the job ends after TERM" wait_exit "$JOB_PID" 30
is "$JOB_RC" 0 "a service stopped by TERM exits 0"
like "$(cat "$jd/state")" '^CANCELLED 0 [0-9]+ stopped by a signal$' "state: CANCELLED 0 <epoch> stopped by a signal (as status shows it)"
if listening "$port"; then r=still; else r=gone; fi
is "$r" gone "the trap stopped the server (nothing listens on $port any more)"
is "$(find "$jd" -name '*.tmp.*' | wc -l)" 0 "no temporary files left behind"

# Never ready: the probe fails until the timeout; the server is stopped.
cat >"$SCRATCH/never.yaml" <<YAML
service:
  name: never
  type: generic
  runtime: native
  command: sleep
  args: ["300"]
  ports: [$busy]
  health_check: {endpoint: "http://localhost:$busy/", timeout: 1, interval: 0.2}
YAML
id=$(render_to "$SCRATCH/jobs2" "$SCRATCH/never.yaml")
start_job "$SCRATCH/jobs2" "$id"
ok "a never-ready job ends by itself" wait_exit "$JOB_PID" 40
is "$JOB_RC" 1 "  with exit status 1"
like "$(cat "$RUN/$id/state")" '^FAILED 1 [0-9]+ not ready after 1s' "  state FAILED with the reason"
like "$(cat "$RUN/$id/err.log")" 'hpcbench: not ready after 1s \(probe: hb_probe_http' \
	"  err.log says why"
ok "  no endpoint.json" test ! -e "$RUN/$id/endpoint.json"
pids=$(pgrep -s "$JOB_PID" 2>/dev/null || true)
is "$pids" "" "  the server (sleep 300) was stopped with the job"

# A server that exits at once: reported as such, not as a timeout.
cat >"$SCRATCH/dies.yaml" <<YAML
service:
  name: dies
  type: generic
  runtime: native
  command: "false"
  health_check: {endpoint: "tcp://localhost:1", timeout: 30, interval: 0.2}
YAML
id=$(render_to "$SCRATCH/jobs3" "$SCRATCH/dies.yaml")
start_job "$SCRATCH/jobs3" "$id"
ok "a job whose server dies ends by itself" wait_exit "$JOB_PID" 30
like "$(cat "$RUN/$id/state")" '^FAILED 1 [0-9]+ the server exited before it was ready' \
	"  state FAILED: the server exited before it was ready"

# setup: lines, a script: body that starts the server, a cmd: probe.
cat >"$SCRATCH/body.sh" <<'BODY'
python3 -m http.server "$HPCBENCH_PORT" --bind 127.0.0.1 --directory "$JOB_DIR/www" \
	>"$JOB_DIR/http.log" 2>&1 &
HPCBENCH_SERVER_PID=$!
BODY
cat >"$SCRATCH/body.yaml" <<'YAML'
service:
  name: body
  type: generic
  runtime: native
  setup:
    - mkdir -p "$JOB_DIR/www"
    - printf 'made by setup on %s\n' "$HPCBENCH_PORT" >"$JOB_DIR/www/index.html"
  script: body.sh
  health_check:
    endpoint: 'cmd:curl -sf "http://127.0.0.1:$HPCBENCH_PORT/index.html" >/dev/null'
    timeout: 20
    interval: 0.2
YAML
id=$(render_to "$SCRATCH/jobs4" "$SCRATCH/body.yaml")
start_job "$SCRATCH/jobs4" "$id"
ok "a script: body with setup lines and a cmd: probe becomes ready" wait_state "$RUN/$id" READY 40
port=$(json_get "$RUN/$id/endpoint.json" port)
is "$(curl -s "http://127.0.0.1:$port/index.html")" "made by setup on $port" \
	"setup ran before the body, with HPCBENCH_PORT set"
kill -TERM "$JOB_PID"
ok "  it stops on TERM" wait_exit "$JOB_PID" 30
if listening "$port"; then r=up; else r=down; fi
is "$r" down "  the body's server (HPCBENCH_SERVER_PID) was stopped"

done_testing
