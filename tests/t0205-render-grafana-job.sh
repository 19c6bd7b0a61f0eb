#!/usr/bin/env bash
# A rendered native Grafana job (Grafana itself is not installable here: a stand-in
# grafana-server on PATH serves /api/health and records what it was given) next to a
# real rendered Prometheus job: the datasource names the session's Prometheus on the
# port it chose, the dashboards are provisioned, the admin password arrives only
# through the environment.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-render.sh
. "$(dirname "$0")/lib-render.sh"

need prometheus
mkdir -p "$SCRATCH/bin"
cat >"$SCRATCH/bin/grafana-server" <<'SH'
#!/usr/bin/env bash
# Stand-in for grafana-server: what Grafana reads from its environment, then /api/health.
set -eu
env | grep -E '^GF_' | sort >"$JOB_DIR/grafana-env"
printf '%s\n' "$@" >"$JOB_DIR/grafana-args"
mkdir -p "$GF_PATHS_DATA/www/api"
echo '{"database":"ok"}' >"$GF_PATHS_DATA/www/api/health"
exec python3 -m http.server "$GF_SERVER_HTTP_PORT" --bind "$GF_SERVER_HTTP_ADDR" \
	--directory "$GF_PATHS_DATA/www"
SH
chmod +x "$SCRATCH/bin/grafana-server"
echo '{"uid": "mine", "title": "my dashboard", "panels": []}' >"$SCRATCH/mine.json"
cat >"$SCRATCH/session.yaml" <<YAML
services:
  - name: prom
    type: prometheus
    runtime: native
    command: prometheus
    ports: [$(free_port)]
    health_check: {timeout: 60, interval: 0.2}
  - name: grafana
    type: grafana
    runtime: native
    command: grafana-server
    ports: [$(free_port)]
    admin_password: "adm'in \$(pw)"
    dashboards: [mine.json]
    health_check: {timeout: 60, interval: 0.2}
YAML
mapfile -t ids < <(render_to "$SCRATCH/jobs" "$SCRATCH/session.yaml")
prom=${ids[0]} graf=${ids[1]}
if grep -qF "adm'in" "$SCRATCH/jobs/$graf.sh"; then r=yes; else r=no; fi
is "$r" no "the admin password is not in the script"
ok "the built-in dashboard is valid JSON" python3 -m json.tool "$SCRATCH/jobs/$graf/dashboards/overview.json"
ok "the recipe's dashboard is provisioned too" cmp "$SCRATCH/mine.json" "$SCRATCH/jobs/$graf/dashboards/1-mine.json"

# Grafana first: it waits for the session's Prometheus before writing its datasource.
PATH=$SCRATCH/bin:$PATH start_job "$SCRATCH/jobs" "$graf"
graf_pid=$JOB_PID
start_job "$SCRATCH/jobs" "$prom"
prom_pid=$JOB_PID
ok "prometheus becomes ready" wait_state "$RUN/$prom" READY 60
ok "grafana becomes ready after it" wait_state "$RUN/$graf" READY 60
pport=$(json_get "$RUN/$prom/endpoint.json" port)
gport=$(json_get "$RUN/$graf/endpoint.json" port)
ds=$RUN/$graf/provisioning/datasources/hpcbench.yaml
ok "the datasource names the session's Prometheus on its chosen port" \
	grep -qx "    url: 'http://127.0.0.1:$pport'" "$ds"
ok "  and is valid YAML" python3 -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1]))' "$ds"
ok "grafana got its port, data and provisioning folders" \
	grep -qx "GF_SERVER_HTTP_PORT=$gport" "$RUN/$graf/grafana-env"
ok "  provisioning in its job folder" \
	grep -qx "GF_PATHS_PROVISIONING=$RUN/$graf/provisioning" "$RUN/$graf/grafana-env"
ok "the admin password arrived through the environment, byte for byte" \
	grep -qxF "GF_SECURITY_ADMIN_PASSWORD=adm'in \$(pw)" "$RUN/$graf/grafana-env"
ok "the dashboards provider points at the job's dashboards" \
	grep -qF "path: '$RUN/$graf/dashboards'" "$RUN/$graf/provisioning/dashboards/hpcbench.yaml"

kill -TERM "$graf_pid" "$prom_pid"
ok "both jobs stop on TERM" wait_exit "$graf_pid" 40
wait_exit "$prom_pid" 40
like "$(cat "$RUN/$graf/state")" '^CANCELLED 0 ' "grafana job CANCELLED 0 (stopped by TERM)"

done_testing
