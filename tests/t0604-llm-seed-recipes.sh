#!/usr/bin/env bash
# The old tool's Ollama client recipes (tests/fixtures/seed-recipes/clients/ollama_*.yaml),
# pointed at the fake Ollama server through target_service.endpoint, run end to end with
# `hpcbench run --executor local`. The result files hold what the old parameters asked
# for, counted by the server itself. Then a whole session with the fake server as a
# native service.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-llm.sh
. "$(dirname "$0")/lib-llm.sh"

SEED=${HPCBENCH_SEED:-$TOP/tests/fixtures/seed-recipes}
[ -f "$SEED/clients/ollama_benchmark.yaml" ] || bail "no seed recipes found"

# Fast server: no delays, 8 tokens; the old recipes ask for model llama2, which it
# does not have until pulled.
port=$(start_llm_server --tokens 8 --models llama3) || exit 1
url=http://127.0.0.1:$port

# with_endpoint SEED_FILE OUT: the recipe with target_service.endpoint set to the server.
with_endpoint() {
	sed "s|^    name: ollama\$|    name: ollama\n    endpoint: $url|" "$1" >"$2"
	grep -q "endpoint: $url" "$2"
}

# run_client RECIPE NAME: `hpcbench run` with the local executor; sets rc and job_dir.
run_client() {
	hb run "$1" --executor local --out "$SCRATCH/runs-$2" >"$SCRATCH/$2.out" 2>&1
	rc=$?
	job_dir=$(find "$SCRATCH/runs-$2" -type d -name "${2}_*" | head -1)
	[ -n "$job_dir" ] || job_dir=$SCRATCH/no-job-folder
}

# ollama_benchmark.yaml: model llama2, num_requests 10, concurrent_requests 2,
# prompt_length 50, max_tokens 100.
with_endpoint "$SEED/clients/ollama_benchmark.yaml" "$SCRATCH/ob.yaml"
ok "the seed recipe with an endpoint validates" hb validate "$SCRATCH/ob.yaml"
run_client "$SCRATCH/ob.yaml" ollama_benchmark
is "$rc" 0 "ollama_benchmark runs to the end"
like "$(cat "$SCRATCH/ollama_benchmark.out")" "ollama_benchmark" "run prints the client in its summary"
r=$job_dir/result.json
ok "it wrote result.json" test -s "$r"
is "$(jq_py "$r" 'r["client"]["protocol"]')" llm "an llm result"
is "$(jq_py "$r" 'r["requests"]["ok"]')" 10 "num_requests 10"
is "$(jq_py "$r" 'r["client"]["parameters"]["connections"]')" 2 "concurrent_requests 2"
is "$(jq_py "$r" 'r["client"]["parameters"]["input_tokens"]')" 50 "prompt_length 50"
is "$(jq_py "$r" 'r["client"]["parameters"]["max_tokens"]')" 100 "max_tokens 100"
is "$(jq_py "$r" 'r["llm"]["input_tokens"]')" 500 "the server counted 10 x 50 prompt tokens"
is "$(jq_py "$r" 'r["llm"]["output_tokens"]')" 80 "and 10 x 8 output tokens"
is "$(llm_stat "$port" pulls)" 1 "model llama2 was pulled before the clock"

# ollama_parametric.yaml: concurrency 1,2,5,10,20 x prompt lengths 50..500 x max
# tokens 50..500, operations_per_test 20 -> 16 result files of a 5-point sweep each.
with_endpoint "$SEED/clients/ollama_parametric.yaml" "$SCRATCH/op.yaml"
before=$(llm_stat "$port" generate)
run_client "$SCRATCH/op.yaml" ollama_parametric_benchmark
is "$rc" 0 "ollama_parametric runs to the end"
n=$(find "$job_dir" -name 'result*.json' | wc -l)
is "$n" 16 "16 result files (prompt length x max tokens)"
f=$(find "$job_dir" -name 'result*input-tokens200_max-tokens50.json' | head -1)
ok "the point input 200, max tokens 50 is there" test -s "$f"
is "$(jq_py "$f" '[p["concurrency"] for p in r["sweep"]["points"]]')" "[1, 2, 5, 10, 20]" "a concurrency sweep inside"
is "$(jq_py "$f" '[x["requests"]["ok"] for x in r["results"]]')" "[20, 20, 20, 20, 20]" "20 requests per point"
is "$(jq_py "$f" 'r["results"][0]["llm"]["input_tokens"]')" 4000 "20 x 200 prompt tokens"
is "$(($(llm_stat "$port" generate) - before))" $((16 * 5 * 20 + 16)) \
	"the server saw every request (+1 readiness check per file)"

# A whole session: the fake server as a native service (the session picks its port,
# probes it, writes its endpoint), the llm client against it by name, then teardown.
cat >"$SCRATCH/session.yaml" <<YAML
services:
  - name: fakellm
    type: generic
    runtime: native
    command: $LLM_SERVER
    args: ["--port", "\${HPCBENCH_PORT}", "--ttft-ms", "20", "--itl-ms", "5", "--tokens", "6"]
    ports: [11434]
    health_check: {endpoint: "http://127.0.0.1:\${HPCBENCH_PORT}/api/tags", timeout: 30, interval: 0.2}
clients:
  - name: llm
    type: llm
    target_service: {name: fakellm}
    parameters: {api: ollama, model: llama3, requests: 20, connections: 2, input_tokens: 16}
YAML
hb run "$SCRATCH/session.yaml" --out "$SCRATCH/session" >"$SCRATCH/session.out" 2>&1
is "$?" 0 "a session with the fake server as a service completes"
r=$(find "$SCRATCH/session" -path '*llm_*/result.json' | head -1)
ok "the client wrote its result" test -s "$r"
is "$(jq_py "$r" 'r["llm"]["output_tokens"]')" 120 "20 x 6 tokens"
cmp_num "$(jq_py "$r" 'r["llm"]["ttft_ms"]["p50"]')" -ge 20 "TTFT p50 >= 20 ms"
sport=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' \
	"$(find "$SCRATCH/session" -path '*fakellm_*/endpoint.json' | head -1)")
if (exec 3<>"/dev/tcp/127.0.0.1/$sport") 2>/dev/null; then stopped=no; else stopped=yes; fi
is "$stopped" yes "the service was stopped at the end"

done_testing
