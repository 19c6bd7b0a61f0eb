#!/usr/bin/env bash
# hpcbench list and hpcbench render: the type lists; every old recipe renders into
# scripts that pass bash -n and shellcheck; -o writes scripts and side files (secrets
# 0600, never in a script), nothing for an invalid recipe; a generated Prometheus
# config passes promtool; ids are reproducible with --seed.
# shellcheck disable=SC2016 # patterns match the literal $NAME words of the scripts
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

seeds=$TOP/tests/fixtures/seed-recipes

# has FILE REGEX DESCRIPTION: FILE has a line matching REGEX (grep on the file itself:
# no pipe that an early match could break).
has() {
	local f=$1 re=$2
	shift 2
	ok "$*" grep -qE -- "$re" "$f"
}

out=$(hb list services)
is "$(echo "$out" | cut -d' ' -f1 | tr '\n' ' ')" \
	"chroma generic grafana mysql ollama postgres prometheus redis vllm " \
	"list services: every service type, sorted"
like "$out" $'^redis  Redis' "  one per line: name, two spaces, description"
out=$(hb list clients)
is "$(echo "$out" | cut -d' ' -f1 | tr '\n' ' ')" "chroma http llm redis sql " \
	"list clients: every client type"
hb list nonsense >/dev/null 2>"$SCRATCH/err"
is "$?" 2 "list of something else exits 2"
like "$(cat "$SCRATCH/err")" "cannot list 'nonsense' \(services or clients\)" "  and says what it can list"

# Every old recipe renders; every script is clean.
n=0
for f in "$seeds"/services/*.yaml "$seeds"/clients/*.yaml "$TOP"/recipes/*/*.yaml \
	"$TOP"/tests/golden/*.yaml; do
	name=$(basename "$(dirname "$f")")/$(basename "$f" .yaml)
	dir=$SCRATCH/seed/$name
	hb render "$f" -o "$dir" --run-id seed --run-dir /tmp/hb-runs/seed --seed 1 >/dev/null \
		2>"$SCRATCH/err"
	rc=$?
	if grep -q "cannot run yet: this build has no 'hpcbench load" "$SCRATCH/err"; then
		# A client type without a load protocol in this build (test-service checks
		# the registry): refused before anything renders.
		is "$rc" 2 "render $name is refused: no load protocol yet"
		continue
	fi
	is "$rc:$(cat "$SCRATCH/err")" "0:" "render $name"
	for s in "$dir"/*.sh; do
		n=$((n + 1))
		ok "  $(basename "$s") passes bash -n" bash -n "$s"
		ok "  $(basename "$s") passes shellcheck" shellcheck "$s"
	done
done
cmp_num "$n" -ge 35 "every recipe rendered at least one script ($n)"

# The bash library embedded in every job: shellcheck-clean on its own, and shlib.c is
# generated from it.
for f in "$TOP"/src/script/shlib/*.sh; do
	ok "library $(basename "$f") passes shellcheck" shellcheck -s bash "$f"
done
ok "src/script/shlib.c is up to date with the .sh files" python3 "$TOP/scripts/gen-shlib.py" --check

# Secrets of the old mysql recipe: in 0600 side files only.
dir=$SCRATCH/seed/services/mysql
if grep -rqE 'mysecretpassword|benchmark_pass' "$dir"/*.sh; then r=yes; else r=no; fi
is "$r" no "mysql passwords are not in the script"
modes=$(find "$dir" -path '*secrets*' -type f -exec stat -c %a {} + | sort -u | tr '\n' ' ')
is "$modes" "600 " "every secret side file is 0600"
ok "the root password reached a secret file" grep -rq mysecretpassword "$dir"/*/secrets
hb render "$seeds/services/mysql.yaml" --run-id x --run-dir /tmp/x --seed 1 >"$SCRATCH/mysql.out"
ok "render on stdout does not show secrets" test "$(grep -c mysecretpassword "$SCRATCH/mysql.out")" = 0
has "$SCRATCH/mysql.out" '### side file mysql_[0-9a-f]{8}/secrets/init.sql \(mode 0600\)' \
	"  but lists the secret side files"

# Old recipes' specifics.
s=$(echo "$SCRATCH"/seed/services/ollama_with_cadvisor/*.sh)
has "$s" '"\$HB_APPTAINER" exec --nv ' "a gpu gres gives apptainer --nv"
has "$s" 'flock -w 3600 9' "the image pull is serialised by a lock"
has "$s" "hb_pull_image \"docker://ollama/ollama:latest\"" "  from the recipe's docker_source"
has "$s" 'hb_wait_ready 30 10 hb_probe_http "http://127.0.0.1:\$HPCBENCH_PORT"'"'/api/tags'" \
	"the recipe's health_check becomes an HTTP probe on the chosen port"
has "$s" 'cadvisor' "enable_cadvisor starts the cAdvisor sidecar"
s=$(echo "$SCRATCH"/seed/services/redis/*.sh)
has "$s" '# \(recipe args set by the job itself and not repeated: /redis/config/redis.conf\)' \
	"the old redis config path is replaced by the generated one, with a note"
has "$s" '#SBATCH --mem=4096M' "resources.mem becomes --mem"
has "$s" '#SBATCH --job-name=hb-seed-redis_[0-9a-f]{8}' "the job name carries the run id"
has "$s" '#SBATCH --output=/tmp/hb-runs/seed/redis_[0-9a-f]{8}/out.log' "  output in the job folder"
s=$(echo "$SCRATCH"/seed/clients/ollama_parametric/*.sh)
has "$s" "load 'llm' \"\\\$HPCBENCH_TARGET_URL\".* --sweep \"concurrency=1,2,5,10,20\"" \
	"ollama_parametric: concurrency sweeps inside hpcbench load llm"
has "$s" 'for hb_v1 in "50" "100" "200" "500"; do' "  prompt lengths loop in the script"
s=$(echo "$SCRATCH"/seed/clients/redis_benchmark/*.sh)
has "$s" "load 'redis' \"\\\$HPCBENCH_TARGET_HOST:\\\$HPCBENCH_TARGET_PORT\" -c \"50\" --value-size \"256\" --pipeline \"1\" --tests \"ping,set,get\" -n \"300000\" \"\\\${HB_METRICS\\[@\\]}\" --json \"\\\$JOB_DIR/result.json\"" \
	"redis_benchmark: old parameter names become hpcbench load options (-n per test, as redis-benchmark)"

# Prometheus configs.
for p in "$SCRATCH"/seed/services/prometheus_with_cadvisor/*/prometheus.yml \
	"$SCRATCH"/seed/services/mysql_with_monitoring/*/prometheus.yml; do
	ok "promtool check config $(basename "$(dirname "$(dirname "$p")")")" promtool check config "$p"
done
cat >"$SCRATCH/prom.yaml" <<'YAML'
services:
  - name: app
    type: generic
    runtime: native
    command: sleep
    args: ["1000"]
    enable_cadvisor: true
  - name: prom
    type: prometheus
    runtime: native
    scrape_interval: 5s
    monitoring_targets:
      - {host: "node-7", port: 9100, job_name: "node's exporter"}
      - {service_id: app, port: 8080}
YAML
hb render "$SCRATCH/prom.yaml" -o "$SCRATCH/prom" --run-id p --run-dir /tmp/p --seed 1 >/dev/null
p=$(echo "$SCRATCH"/prom/prom_*/prometheus.yml)
ok "promtool accepts static, service and cAdvisor targets" promtool check config "$p"
has "$p" "job_name: 'node''s exporter'" "  values are YAML-quoted"
has "$p" "targets: \['node-7:9100'\]" "  a host target is static"
has "$p" "job_name: 'app-cadvisor'" "  a service with enable_cadvisor is scraped"

# -o: nothing at all for an invalid recipe.
printf 'service:\n  name: redis\n  resorces: {}\n' >"$SCRATCH/bad.yaml"
hb render "$SCRATCH/bad.yaml" -o "$SCRATCH/nothing" >/dev/null 2>"$SCRATCH/err"
is "$?" 2 "an invalid recipe exits 2"
like "$(cat "$SCRATCH/err")" "bad.yaml:3:3: unknown key 'resorces'" "  with the position"
ok "  and nothing is written" test ! -e "$SCRATCH/nothing"
printf 'service:\n  name: g\n  type: generic\n  runtime: native\n' >"$SCRATCH/nocmd.yaml"
hb render "$SCRATCH/nocmd.yaml" -o "$SCRATCH/nothing2" >/dev/null 2>"$SCRATCH/err"
is "$?" 2 "a generic service without command exits 2"
like "$(cat "$SCRATCH/err")" "nocmd.yaml:2:3: service 'g': type generic needs a command" \
	"  and says so with the position"
ok "  and nothing is written" test ! -e "$SCRATCH/nothing2"
printf 'service:\n  name: r\n  type: redis\n  persistence: always\n' >"$SCRATCH/pers.yaml"
hb validate "$SCRATCH/pers.yaml" >/dev/null 2>"$SCRATCH/err"
is "$?" 2 "validate checks a type's own values (redis persistence)"
is "$(cat "$SCRATCH/err")" "$SCRATCH/pers.yaml:4:16: persistence: 'always' is not none, rdb, aof or both" \
	"  with the value's position"
printf 'service:\n  name: p\n  type: prometheus\n  monitoring_targets:\n    - {port: 9}\n' \
	>"$SCRATCH/targets.yaml"
hb validate "$SCRATCH/targets.yaml" >/dev/null 2>"$SCRATCH/err"
like "$?:$(cat "$SCRATCH/err")" "^2:.*targets.yaml:5:7: monitoring_targets: each entry needs service_id or host" \
	"validate checks prometheus targets"
printf 'service:\n  name: r\n  type: redis\n  resources: {partition: "cpu\\ntouch %s"}\n' \
	"$SCRATCH/injected" >"$SCRATCH/inject.yaml"
hb render "$SCRATCH/inject.yaml" -o "$SCRATCH/nothing3" >/dev/null 2>"$SCRATCH/err"
is "$?" 2 "a resource value that would break out of its #SBATCH line is refused"
like "$(cat "$SCRATCH/err")" 'inject.yaml:4:[0-9]+: service.resources.partition: "cpu\\ntouch .*" is not a SLURM word' \
	"  at the value's position, shown on one line"
ok "  and nothing is written" test ! -e "$SCRATCH/nothing3"
hb render "$SCRATCH/bad.yaml" --run-dir relative/dir >/dev/null 2>&1
is "$?" 2 "a relative --run-dir is refused"

# Reproducible with --seed, fresh without.
a=$(hb render "$TOP/recipes/sessions/redis-local.yaml" --run-id s --run-dir /tmp/s --seed 5 --bin hb)
b=$(hb render "$TOP/recipes/sessions/redis-local.yaml" --run-id s --run-dir /tmp/s --seed 5 --bin hb)
is "$a" "$b" "the same --seed renders the same scripts"
c=$(hb render "$TOP/recipes/sessions/redis-local.yaml" --run-id s --run-dir /tmp/s --bin hb)
isnt=$([ "$a" != "$c" ] && echo differ)
is "$isnt" differ "without --seed, job ids are fresh"
printf '%s\n' "$a" >"$SCRATCH/a.out"
has "$SCRATCH/a.out" "HB_TARGET_DIR=\"\\\$RUN_DIR/redis_[0-9a-f]{8}\"" "the client waits for the service of the recipe"

# The llm client's newer options have recipe parameters too.
cat >"$SCRATCH/llm-slo.yaml" <<'YAML'
client:
  name: llm_slo
  type: llm
  target_service: {endpoint: "http://127.0.0.1:11434"}
  parameters: {model: llama3, rate: 10, arrival: gamma, burstiness: 0.5, max_concurrency: 16,
               slo: "ttft_ms=500,tpot_ms=50", slo_check: true, requests_out: "$HOME/r.jsonl"}
YAML
hb render "$SCRATCH/llm-slo.yaml" >"$SCRATCH/llm-slo.out" 2>&1
has "$SCRATCH/llm-slo.out" "load 'llm' .*--burstiness \"0.5\" --max-concurrency \"16\" --slo \"ttft_ms=500,tpot_ms=50\" --slo-check --requests-out \"\\\$\{HOME\}/r.jsonl\"" \
	"llm SLO, burstiness, max_concurrency and requests_out parameters become load options"

done_testing
