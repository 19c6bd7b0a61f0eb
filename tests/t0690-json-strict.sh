#!/usr/bin/env bash
# Every JSON hpcbench writes is strict JSON (tests/helpers/json-strict.py: no key twice
# in an object, no NaN or Infinity, UTF-8): the result file of each load protocol in
# each of its shapes (closed and open loop, errors by kind, LLM sweeps and rate
# searches, --requests-out lines), and the --json output of the session commands.
# A JSON reader keeps the last of two equal keys and silently loses the first, as
# find_max_rate's "probes" once did. (done_testing also checks every .json file any
# test leaves in its scratch folder; this test makes sure each writer is exercised.)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-llm.sh
. "$(dirname "$0")/lib-llm.sh"
# shellcheck source=tests/lib-chroma.sh
. "$(dirname "$0")/lib-chroma.sh"

command -v redis-server >/dev/null || skip_all "redis-server is not installed"
command -v nginx >/dev/null || skip_all "nginx is not installed"

covered=()
# strict NAME FILE: one test; the protocol of NAME (before the first space) is covered.
strict() {
	covered+=("${1%% *}")
	ok "$1: strict JSON" json_strict "$2"
}

# The checker itself: what it must refuse.
printf '{"a": 1, "a": 2}\n' >"$SCRATCH/dup.json"
printf '{"a": NaN}\n' >"$SCRATCH/nan.json"
printf '{"a": 1}\n{"b": 1, "b": 2}\n' >"$SCRATCH/dup.jsonl"
json_unchecked "$SCRATCH/dup.json" "$SCRATCH/nan.json" "$SCRATCH/dup.jsonl"
out=$(json_strict "$SCRATCH/dup.json" "$SCRATCH/nan.json" "$SCRATCH/dup.jsonl" 2>&1)
is "$?" 1 "the checker refuses bad files"
like "$out" "dup.json: key 'a' twice" "a duplicate key, named"
like "$out" "nan.json: NaN is not JSON" "NaN"
like "$out" "dup.jsonl:2: key 'b' twice" "a bad line of a .jsonl file, with its number"

# redis: closed loop, open loop, and error replies counted by kind.
# shellcheck disable=SC2119 # start_redis takes optional server arguments
port=$(start_redis) || exit 1
hb load redis "127.0.0.1:$port" -c 4 -n 2000 --json "$SCRATCH/redis.json" >/dev/null 2>&1
strict "redis closed loop" "$SCRATCH/redis.json"
hb load redis "127.0.0.1:$port" -c 4 --rate 500 -d 1s --arrival poisson \
	--json "$SCRATCH/redis-rate.json" >/dev/null 2>&1
strict "redis open loop" "$SCRATCH/redis-rate.json"
hb load redis "127.0.0.1:$port" -c 2 -n 200 --command 'NOSUCHCOMMAND x' --allow-errors \
	--json "$SCRATCH/redis-err.json" >/dev/null 2>&1
is "$(jq_py "$SCRATCH/redis-err.json" 'r["requests"]["errors"]')" 200 "redis: errors counted"
strict "redis with errors" "$SCRATCH/redis-err.json"

# http: against nginx, with 2xx and 4xx.
hport=$(start_nginx) || exit 1
hb load http "http://127.0.0.1:$hport/" -c 4 -n 2000 --json "$SCRATCH/http.json" >/dev/null 2>&1
strict "http closed loop" "$SCRATCH/http.json"
hb load http "http://127.0.0.1:$hport/missing" -c 2 -n 100 --rate 200 --allow-errors \
	--json "$SCRATCH/http-404.json" >/dev/null 2>&1
is "$(jq_py "$SCRATCH/http-404.json" 'r["requests"]["errors"]')" 100 "http: 404s counted"
strict "http open loop with 4xx" "$SCRATCH/http-404.json"

# llm: one run with requests out, a sweep, a rate search, a run with server errors.
lport=$(start_llm_server --ttft-ms 2 --itl-ms 1 --tokens 3) || exit 1
url=http://127.0.0.1:$lport
hb load llm "$url" --api openai-chat --model llama3 -c 2 -n 20 --slo ttft_ms=500 \
	--requests-out "$SCRATCH/llm-req.jsonl" --json "$SCRATCH/llm.json" >/dev/null 2>&1
strict "llm single run" "$SCRATCH/llm.json"
strict "llm --requests-out" "$SCRATCH/llm-req.jsonl"
hb load llm "$url" --api ollama --model llama3 -n 12 --sweep concurrency=1,2 \
	--json "$SCRATCH/llm-sweep.json" >/dev/null 2>&1
strict "llm --sweep" "$SCRATCH/llm-sweep.json"
hb load llm "$url" --api openai-completions --model llama3 -n 20 --rate 20 --slo e2e_ms=2000 \
	--slo-percentile 90 --find-max-rate --find-steps 1 --json "$SCRATCH/llm-find.json" \
	>/dev/null 2>&1
strict "llm --find-max-rate" "$SCRATCH/llm-find.json"
is "$(jq_py "$SCRATCH/llm-find.json" 'type(r["find_max_rate"]["probes"]).__name__')" list \
	"find_max_rate.probes is the list of probes"
eport=$(start_llm_server --tokens 2 --fail-every 2 --no-usage) || exit 1
hb load llm "http://127.0.0.1:$eport" --api openai-chat --model llama3 -c 1 -n 10 \
	--allow-errors --json "$SCRATCH/llm-err.json" >/dev/null 2>&1
strict "llm with server errors, no usage" "$SCRATCH/llm-err.json"

# chroma: insert and query, with recall against brute force.
cport=$(start_chroma) || exit 1
hb load chroma "http://127.0.0.1:$cport" --collection strict --documents 200 --dimension 8 \
	-n 50 -c 2 --top-k 3 --json "$SCRATCH/chroma.json" >/dev/null 2>&1
is "$?" 0 "chroma: insert and query run"
strict "chroma insert and query" "$SCRATCH/chroma.json"

# Each registered protocol has a case above (the list comes from the binary).
protos=$(hb load 2>&1 | sed -n 's/.*which protocol? (\(.*\)).*/\1/p' | tr -d ,)
for p in $protos; do
	if [[ " ${covered[*]} " == *" $p "* ]]; then
		_tap 0 "protocol $p: its result file is checked here"
	else
		# A new protocol's own tests are still checked by done_testing.
		_test_n=$((_test_n + 1))
		echo "ok $_test_n # SKIP protocol $p has no case in this test yet"
	fi
done

# The session commands' --json output: a service up, a client run, status, results.
sport=$(free_port)
cat >"$SCRATCH/svc.yaml" <<YAML
service:
  name: redis
  type: redis
  runtime: native
  command: redis-server
  ports: [$sport]
  persistence: none
  health_check: {timeout: 20, interval: 0.2}
YAML
cat >"$SCRATCH/client.yaml" <<YAML
client:
  name: load
  type: redis
  target_service: {name: redis}
  parameters: {requests: 500, connections: 2, threads: 1, warmup: 0, wait_for_service: 30}
YAML
id=$(hb up "$SCRATCH/svc.yaml" 2>"$SCRATCH/up.err")
is "$?" 0 "up exits 0"
on_exit "'$HPCBENCH' stop --all"
hb endpoint "$id" --json >"$SCRATCH/endpoint-out.json"
strict "endpoint --json" "$SCRATCH/endpoint-out.json"
hb run "$SCRATCH/client.yaml" --target-service "$id" --json >"$SCRATCH/run-out.json" 2>/dev/null
is "$?" 0 "run --json exits 0"
strict "run --json" "$SCRATCH/run-out.json"
hb status --json >"$SCRATCH/status-out.json"
strict "status --json" "$SCRATCH/status-out.json"
hb results --json >"$SCRATCH/results-out.json"
strict "results --json" "$SCRATCH/results-out.json"
hb stop --all >/dev/null 2>&1
is "$?" 0 "stop --all"

done_testing
