#!/usr/bin/env bash
# hpcbench load llm when things go wrong, and its checks: server errors (503), cut
# streams and malformed streams are counted by kind, never crashed on; a server that
# reports no token counts is said to; model pull before the clock; SLOs, goodput and
# --slo-check; sweeps and --find-max-rate; API keys; bad input exits 2 with a clear
# message.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-llm.sh
. "$(dirname "$0")/lib-llm.sh"

# 1. Every 4th request answered 503 (Ollama's "server busy").
port=$(start_llm_server --ttft-ms 5 --itl-ms 1 --tokens 4 --fail-every 4) || exit 1
r=$SCRATCH/503.json
out=$(hb load llm "http://127.0.0.1:$port" --api ollama --model llama3 --no-prepare -c 2 -n 20 \
	--json "$r" 2>&1)
is "$?" 1 "503s make the run fail"
is "$(jq_py "$r" 'r["requests"]["errors_by_kind"]["server"]')" 5 "5 of 20 counted as server errors"
is "$(jq_py "$r" 'r["requests"]["ok"]')" 15 "15 ok"
is "$(llm_stat "$port" errors_sent)" 5 "the server sent 5 errors"
like "$out" "http 503: .*server busy" "the first error message is shown"
is "$(jq_py "$r" 'r["llm"]["output_tokens"]')" 60 "tokens only from the successful requests"
hb load llm "http://127.0.0.1:$port" --api ollama --model llama3 --no-prepare -c 2 -n 8 \
	--allow-errors >/dev/null 2>&1
is "$?" 0 "--allow-errors accepts them"

# 2. Every 3rd stream cut after 2 tokens: counted as read errors, the rest go on.
port=$(start_llm_server --ttft-ms 5 --itl-ms 2 --tokens 6 --cut-every 3 --cut-after 2) || exit 1
for api in ollama openai-chat; do
	r=$SCRATCH/cut-$api.json
	out=$(hb load llm "http://127.0.0.1:$port" --api "$api" --model llama3 --no-prepare -c 3 -n 12 \
		--json "$r" --allow-errors 2>&1)
	is "$?" 0 "$api: cut streams, run completes"
	is "$(jq_py "$r" 'r["requests"]["errors_by_kind"]["read"]')" 4 "$api: 4 cut streams counted"
	is "$(jq_py "$r" 'r["requests"]["ok"]')" 8 "$api: 8 whole ones ok"
	like "$out" "stream cut" "$api: the note says the stream was cut"
done

# 3. Malformed streams: a message that is not JSON.
port=$(start_llm_server --ttft-ms 1 --tokens 4 --garbage-every 2) || exit 1
for api in ollama openai-completions; do
	r=$SCRATCH/bad-$api.json
	out=$(hb load llm "http://127.0.0.1:$port" --api "$api" --model llama3 --no-prepare -c 1 -n 10 \
		--json "$r" 2>&1)
	is "$?" 1 "$api: malformed streams fail the run"
	is "$(jq_py "$r" 'r["requests"]["errors_by_kind"]["malformed_stream"]')" 5 "$api: 5 malformed streams"
	like "$out" "malformed stream: a streamed message is not json" "$api: the note says why"
done

# 4. A server without token counts: said so, nothing guessed.
port=$(start_llm_server --ttft-ms 1 --tokens 5 --no-usage) || exit 1
r=$SCRATCH/nousage.json
out=$(hb load llm "http://127.0.0.1:$port" --api openai-chat --model llama3 -c 2 -n 6 --json "$r" 2>&1)
is "$?" 0 "no usage: exits 0"
is "$(jq_py "$r" 'r["llm"]["output_tokens"]')" None "output_tokens is null"
is "$(jq_py "$r" 'r["llm"]["token_counts"]["output"]')" absent "token counts: absent"
is "$(jq_py "$r" 'r["llm"]["tpot_ms"]')" None "no TPOT without token counts"
is "$(jq_py "$r" 'r["llm"]["content_chunks"]')" 30 "content chunks still counted"
like "$out" "reported no token counts" "the summary says so"

# 5. Ollama model readiness: a missing model is pulled before the clock.
port=$(start_llm_server --ttft-ms 1 --tokens 2 --models other --pull-ms 200) || exit 1
out=$(hb load llm "http://127.0.0.1:$port" --api ollama --model llama3 --no-pull -n 2 2>&1)
is "$?" 1 "--no-pull with a missing model exits 1"
like "$out" "model 'llama3' is not on" "and says the model is missing"
r=$SCRATCH/pull.json
hb load llm "http://127.0.0.1:$port" --api ollama --model llama3 -c 1 -n 3 --json "$r" >/dev/null 2>&1
is "$?" 0 "the model is pulled, then measured"
is "$(llm_stat "$port" pulls)" 1 "the server saw one pull"
cmp_num "$(jq_py "$r" 'r["duration_s"]')" -lt 0.2 "the pull (200 ms) is outside the measured window"
hb load llm "http://127.0.0.1:$port" --api ollama --model llama3 -c 1 -n 1 >/dev/null 2>&1
is "$(llm_stat "$port" pulls)" 1 "a present model is not pulled again"
out=$(hb load llm "http://127.0.0.1:$port" --api openai-chat --model nope -n 1 2>&1)
is "$?" 1 "an openai model the server does not serve exits 1"
like "$out" "not served by .*it serves: other, llama3" "and lists what it serves"

# 6. SLOs: goodput, and --slo-check at the SLO percentile.
port=$(start_llm_server --ttft-ms 30 --itl-ms 2 --tokens 4) || exit 1
url=http://127.0.0.1:$port
r=$SCRATCH/slo.json
out=$(hb load llm "$url" --api ollama --model llama3 -c 2 -n 10 --slo ttft_ms=10,tpot_ms=50 \
	--slo-check --json "$r" 2>&1)
is "$?" 1 "--slo-check with a missed TTFT SLO exits 1"
like "$out" "slo missed: p99 ttft" "and names the missed SLO"
is "$(jq_py "$r" 'r["llm"]["goodput_rps"]')" 0.0 "goodput 0 when no request meets the SLOs"
is "$(jq_py "$r" 'r["llm"]["slo"]["met"]')" false "slo.met is false"
hb load llm "$url" --api ollama --model llama3 -c 2 -n 10 --slo ttft_ms=1000,e2e_ms=5000 \
	--slo-check --json "$r" >/dev/null 2>&1
is "$?" 0 "met SLOs exit 0"
is "$(jq_py "$r" 'r["llm"]["slo"]["requests_within"]')" 10 "every request within the SLOs"
is "$(jq_py "$r" 'abs(r["llm"]["goodput_rps"] - r["throughput_rps"]) < 0.01')" true "goodput = throughput"

# 7. Sweeps: one result per point; the server saw the concurrency asked for.
r=$SCRATCH/sweep.json
port=$(start_llm_server --ttft-ms 20 --itl-ms 5 --tokens 8) || exit 1
url=http://127.0.0.1:$port
out=$(hb load llm "$url" --api openai-completions --model llama3 -n 12 --sweep concurrency=1,3 \
	--sweep max_tokens=2,4 --json "$r" 2>&1)
is "$?" 0 "a 2x2 sweep exits 0"
is "$(jq_py "$r" 'len(r["results"])')" 4 "four results"
is "$(jq_py "$r" '[p["concurrency"] for p in r["sweep"]["points"]]')" "[1, 1, 3, 3]" "points in order"
is "$(jq_py "$r" '[x["llm"]["output_tokens"] for x in r["results"]]')" "[24, 48, 24, 48]" "max_tokens varied"
is "$(jq_py "$r" '[x["client"]["parameters"]["connections"] for x in r["results"]]')" "[1, 1, 3, 3]" "concurrency varied"
is "$(llm_stat "$port" max_active)" 3 "the server saw at most 3 at once"
like "$out" "== point concurrency=3 max_tokens=4 ==" "the summary names each point"

# 8. --find-max-rate: with at most 2 requests in flight and 60 ms each, the client
# keeps up to about 33 req/s; past that requests wait and the rate does not hold.
# (p90: 24 requests per probe are enough to judge it; t0605 checks the search itself.)
port=$(start_llm_server --ttft-ms 20 --itl-ms 10 --tokens 5) || exit 1
r=$SCRATCH/find.json
out=$(hb load llm "http://127.0.0.1:$port" --api ollama --model llama3 --max-concurrency 2 \
	--rate 8 -n 24 --slo e2e_ms=1000 --slo-percentile 90 --find-max-rate --find-steps 2 \
	--json "$r" 2>&1)
is "$?" 0 "--find-max-rate exits 0"
max=$(jq_py "$r" 'r["find_max_rate"]["max_rate"]')
low=$(jq_py "$r" 'r["find_max_rate"]["lowest_failing_rate"]')
# Bounds that hold on a loaded machine too (a preempted probe may fail early).
cmp_num "$max" -gt 0 "a rate that holds was found ($max req/s)"
cmp_num "$max" -lt 64 "max rate below the capacity of 2 x 1/60 ms"
cmp_num "$low" -gt "$max" "the lowest failing rate is above it ($low)"
is "$(jq_py "$r" 'len(r["results"]) == len(r["find_max_rate"]["probes"])')" true "one result per probe"
like "$out" "highest rate with the SLOs met" "the summary gives the rate"

# 9. An API key read from a file; the server (like vLLM --api-key) refuses others.
port=$(start_llm_server --tokens 2 --api-key s3cr3t-key) || exit 1
url=http://127.0.0.1:$port
printf 's3cr3t-key\n' >"$SCRATCH/key"
chmod 600 "$SCRATCH/key"
r=$SCRATCH/key.json
out=$(hb load llm "$url" --api openai-chat --model llama3 -n 4 --json "$r" 2>&1)
is "$?" 1 "without the key: refused"
is "$(jq_py "$r" 'r["requests"]["errors_by_kind"]["http_4xx"]')" 4 "4 http_4xx errors"
like "$out" "http 401" "the note shows the status"
hb load llm "$url" --api openai-chat --model llama3 -n 4 --api-key-file "$SCRATCH/key" \
	--requests-out "$SCRATCH/key.jsonl" --json "$r" >"$SCRATCH/key.out" 2>&1
is "$?" 0 "with --api-key-file: accepted"
is "$(jq_py "$r" 'r["requests"]["ok"]')" 4 "4 requests ok"
unlike "$(cat "$r" "$SCRATCH/key.jsonl" "$SCRATCH/key.out")" "s3cr3t" "the key appears in no output"

# 10. Bad input exits 2 with a clear message.
url=http://127.0.0.1:$port
printf '{"prompt": "ok"}\n{"prompt": 3}\n' >"$SCRATCH/bad.jsonl"
out=$(hb load llm "$url" --model llama3 --dataset "$SCRATCH/bad.jsonl" -n 1 2>&1)
is "$?" 2 "a bad dataset line exits 2"
like "$out" "bad.jsonl:2: needs \"prompt\"" "with file:line"
out=$(hb load llm "$url" --api nonsense -n 1 2>&1)
is "$?" 2 "an unknown --api exits 2"
like "$out" "not one of ollama" "and lists the APIs"
out=$(hb load llm "$url" --model m --sweep colour=1 -n 1 2>&1)
is "$?" 2 "an unknown sweep parameter exits 2"
out=$(hb load llm "$url" --model m --slo-check -n 1 2>&1)
is "$?" 2 "--slo-check without --slo exits 2"
out=$(hb load llm "$url" --api ollama -n 1 2>&1)
is "$?" 2 "ollama without --model exits 2"
like "$out" "--model is required" "and says so"
out=$(hb load llm "$url" --model m --extra-body '[1]' -n 1 2>&1)
is "$?" 2 "--extra-body that is not an object exits 2"
out=$(hb load llm "$url" --model m --api ollama --ignore-eos -n 1 2>&1)
is "$?" 2 "--ignore-eos with ollama exits 2"

done_testing
