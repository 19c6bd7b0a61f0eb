#!/usr/bin/env bash
# A rendered native Prometheus job, run for real next to a rendered service: the
# generated config scrapes Prometheus itself and the recipe's service (found through
# its endpoint.env, on the port it chose), checked through Prometheus' query API.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-render.sh
. "$(dirname "$0")/lib-render.sh"

need prometheus
mkdir -p "$SCRATCH/www"
printf '# TYPE hb_test_metric gauge\nhb_test_metric 42\n' >"$SCRATCH/www/metrics"
cat >"$SCRATCH/session.yaml" <<YAML
services:
  - name: web
    type: generic
    runtime: native
    command: python3
    args: ["-m", "http.server", "\${HPCBENCH_PORT}", "--bind", "127.0.0.1",
           "--directory", "$SCRATCH/www"]
    ports: [$(free_port)]
    health_check: {endpoint: "http://localhost/metrics", timeout: 20, interval: 0.2}
  - name: prom
    type: prometheus
    runtime: native
    command: prometheus
    ports: [$(free_port)]
    scrape_interval: 1s
    monitoring_targets:
      - {service_id: web, job_name: web}
    health_check: {timeout: 30, interval: 0.2}
YAML
mapfile -t ids < <(render_to "$SCRATCH/jobs" "$SCRATCH/session.yaml")
web=${ids[0]} prom=${ids[1]}
ok "the generated config passes promtool" promtool check config "$SCRATCH/jobs/$prom/prometheus.yml"
start_job "$SCRATCH/jobs" "$prom"
prom_pid=$JOB_PID
start_job "$SCRATCH/jobs" "$web"
web_pid=$JOB_PID
ok "prometheus becomes ready (GET /-/ready)" wait_state "$RUN/$prom" READY 30
ok "the web service becomes ready" wait_state "$RUN/$web" READY 20
pport=$(json_get "$RUN/$prom/endpoint.json" port)

# query EXPR: the first value of an instant query, or nothing.
query() {
	curl -s --get "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
		python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}
got='' self=''
for _ in $(seq 240); do
	got=$(query 'hb_test_metric{job="web"}')
	self=$(query 'up{job="prometheus"}')
	[ "$got" = 42 ] && [ "$self" = 1 ] && break
	sleep 0.5
done
is "$got" 42 "the recipe's service is scraped on the port it chose"
if [ "$got" != 42 ]; then
	tail -5 "$RUN/$prom/err.log" "$RUN/$web/err.log" | sed 's/^/#   /'
fi
is "$self" 1 "prometheus scrapes itself on its chosen port"
wport=$(json_get "$RUN/$web/endpoint.json" port)
like "$(cat "$RUN/$prom/targets/web.json")" "\"127.0.0.1:$wport\"" "targets/web.json names the service's endpoint"

kill -TERM "$web_pid" "$prom_pid"
ok "both jobs stop on TERM" wait_exit "$prom_pid" 40
wait_exit "$web_pid" 40
like "$(cat "$RUN/$prom/state")" '^CANCELLED 0 ' "prometheus job CANCELLED 0 (stopped by TERM)"
if listening "$pport"; then r=up; else r=down; fi
is "$r" down "prometheus was stopped"

done_testing
