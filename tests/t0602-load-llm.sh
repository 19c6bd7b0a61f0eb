#!/usr/bin/env bash
# hpcbench load llm against the fake streaming server, for each API: the measured TTFT,
# ITL, TPOT and E2E match what the server was told (TTFT 40 ms, one token every 10 ms,
# 6 tokens) within a small tolerance; token counts are the server's, not words; the
# server's own counters match what the client reports.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-llm.sh
. "$(dirname "$0")/lib-llm.sh"

TTFT=40 ITL=10 TOKENS=6 N=24 IN=32
port=$(start_llm_server --ttft-ms $TTFT --itl-ms $ITL --tokens $TOKENS) || exit 1
url=http://127.0.0.1:$port

for api in ollama ollama-chat openai-chat openai-completions; do
	r=$SCRATCH/$api.json
	before=$(curl -s "$url/stats")
	hb load llm "$url" --api "$api" --model llama3 -c 4 -n $N --input-tokens $IN \
		--max-tokens 100 --json "$r" --requests-out "$SCRATCH/$api.jsonl" \
		>"$SCRATCH/$api.out" 2>&1
	is "$?" 0 "$api: exits 0"
	is "$(jq_py "$r" 'r["requests"]["ok"]')" $N "$api: $N requests ok"
	# TTFT: from the send to the first content chunk (OpenAI chat's role-only chunk,
	# sent at once, does not count).
	cmp_num "$(jq_py "$r" 'r["llm"]["ttft_ms"]["p50"]')" -ge $TTFT "$api: TTFT p50 >= $TTFT ms"
	cmp_num "$(jq_py "$r" 'r["llm"]["ttft_ms"]["p50"]')" -le $((TTFT + 8)) "$api: TTFT p50 <= $((TTFT + 8)) ms"
	cmp_num "$(jq_py "$r" 'r["llm"]["itl_ms"]["p50"]')" -ge $((ITL - 1)) "$api: ITL p50 >= $((ITL - 1)) ms"
	cmp_num "$(jq_py "$r" 'r["llm"]["itl_ms"]["p50"]')" -le $((ITL + 2)) "$api: ITL p50 <= $((ITL + 2)) ms"
	is "$(jq_py "$r" 'r["llm"]["itl_ms"]["count"]')" $((N * (TOKENS - 1))) "$api: one gap per pair of chunks"
	cmp_num "$(jq_py "$r" 'r["llm"]["tpot_ms"]["p50"]')" -ge $((ITL - 1)) "$api: TPOT p50 >= $((ITL - 1)) ms"
	cmp_num "$(jq_py "$r" 'r["llm"]["tpot_ms"]["p50"]')" -le $((ITL + 2)) "$api: TPOT p50 <= $((ITL + 2)) ms"
	e2e=$((TTFT + (TOKENS - 1) * ITL))
	cmp_num "$(jq_py "$r" 'r["llm"]["e2e_ms"]["p50"]')" -ge $e2e "$api: E2E p50 >= $e2e ms"
	cmp_num "$(jq_py "$r" 'r["llm"]["e2e_ms"]["p50"]')" -le $((e2e + 10)) "$api: E2E p50 <= $((e2e + 10)) ms"
	# Tokens: the server's counts. Its token texts are word fragments (" lo", "rem"):
	# counting words would give half.
	is "$(jq_py "$r" 'r["llm"]["output_tokens"]')" $((N * TOKENS)) "$api: output tokens from the server"
	is "$(jq_py "$r" 'r["llm"]["input_tokens"]')" $((N * IN)) "$api: input tokens from the server"
	is "$(jq_py "$r" 'r["llm"]["token_counts"]["output"]')" server "$api: counts said to come from the server"
	is "$(jq_py "$r" 'r["llm"]["content_chunks"]')" $((N * TOKENS)) "$api: content chunks"
	# The server's own count of requests on this API's endpoint.
	key=$(case $api in ollama) echo generate ;; ollama-chat) echo chat ;;
		openai-chat) echo chat_completions ;; *) echo completions ;; esac)
	b=$(printf '%s' "$before" | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$key")
	a=$(llm_stat "$port" "$key")
	extra=0
	[ "$api" = ollama ] && extra=1 # the readiness check generates one token
	is "$((a - b))" $((N + extra)) "$api: the server saw $N requests (+$extra readiness)"
	is "$(wc -l <"$SCRATCH/$api.jsonl")" $N "$api: --requests-out has one line per request"
	like "$(head -1 "$SCRATCH/$api.jsonl")" '"ttft_ms":[0-9.]+.*"output_tokens":6' "$api: with TTFT and tokens"
done

# Ollama's own timings and the client's overhead.
r=$SCRATCH/ollama.json
cmp_num "$(jq_py "$r" 'r["llm"]["server"]["eval_ms"]["p50"]')" -eq $(((TOKENS - 1) * ITL)) "ollama: eval_duration aggregated"
cmp_num "$(jq_py "$r" 'r["llm"]["server"]["client_overhead_ms"]["p50"]')" -lt 5 "ollama: client overhead under 5 ms"
cmp_num "$(jq_py "$r" 'r["llm"]["server"]["client_overhead_ms"]["p50"]')" -ge 0 "ollama: client overhead not negative"
like "$(cat "$SCRATCH/ollama.out")" "TTFT +mean" "human summary has TTFT"

# --max-tokens caps the output; --ignore-eos makes it exact (OpenAI API).
r=$SCRATCH/cap.json
hb load llm "$url" --api openai-chat --model llama3 -c 2 -n 6 --max-tokens 3 --json "$r" >/dev/null 2>&1
is "$(jq_py "$r" 'r["llm"]["output_tokens"]')" 18 "--max-tokens 3: 3 tokens each"
hb load llm "$url" --api openai-completions --model llama3 -c 2 -n 4 --max-tokens 9 --ignore-eos \
	--json "$r" >/dev/null 2>&1
is "$(jq_py "$r" 'r["llm"]["output_tokens"]')" 36 "--ignore-eos --max-tokens 9: 9 tokens each"

# Not streamed: one body, TTFT equals E2E, tokens still from usage.
r=$SCRATCH/nostream.json
hb load llm "$url" --api openai-chat --model llama3 -c 2 -n 6 --no-stream --json "$r" >/dev/null 2>&1
is "$?" 0 "--no-stream exits 0"
is "$(jq_py "$r" 'r["llm"]["output_tokens"]')" $((6 * TOKENS)) "--no-stream: tokens from usage"
is "$(jq_py "$r" 'abs(r["llm"]["ttft_ms"]["p50"] - r["llm"]["e2e_ms"]["p50"]) < 0.01')" true "--no-stream: TTFT = E2E"

# A dataset of chat messages with per-line max_tokens.
printf '%s\n' '{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"one two three"}],"max_tokens":2}' \
	'' '{"messages":[{"role":"user","content":"four five six seven"}],"max_tokens":2}' >"$SCRATCH/ds.jsonl"
r=$SCRATCH/ds.json
hb load llm "$url" --api openai-chat --model llama3 -c 1 -n 10 --dataset "$SCRATCH/ds.jsonl" --json "$r" >/dev/null 2>&1
is "$?" 0 "a dataset run exits 0"
is "$(jq_py "$r" 'r["llm"]["output_tokens"]')" 20 "dataset max_tokens per line honoured"
# 5 words (system + user) or 4 words per request.
is "$(jq_py "$r" '40 <= r["llm"]["input_tokens"] <= 50')" true "dataset prompts sent (every message counted)"

# OpenAI without --model: the first model /v1/models lists.
r=$SCRATCH/nomodel.json
hb load llm "$url" --api openai-chat -c 1 -n 2 --json "$r" >"$SCRATCH/nomodel.out" 2>&1
is "$?" 0 "openai without --model exits 0"
is "$(jq_py "$r" 'r["llm"]["model"]')" llama3 "it took the server's first model"

# Without -n or -d: 100 requests (not the core's 10 seconds).
r=$SCRATCH/default.json
hb load llm "$url" --api openai-chat --model llama3 -c 8 --max-tokens 1 --json "$r" >/dev/null 2>&1
is "$(jq_py "$r" 'r["requests"]["ok"]')" 100 "100 requests by default"

# Two worker threads: statistics and request lines of both merged.
r=$SCRATCH/threads.json
hb load llm "$url" --api openai-chat --model llama3 -t 2 -c 4 -n 40 --json "$r" \
	--requests-out "$SCRATCH/threads.jsonl" >/dev/null 2>&1
is "$?" 0 "-t 2 exits 0"
is "$(jq_py "$r" 'r["llm"]["output_tokens"]')" $((40 * TOKENS)) "-t 2: tokens of both threads"
is "$(jq_py "$r" 'r["llm"]["ttft_ms"]["count"]')" 40 "-t 2: TTFT of every request"
is "$(wc -l <"$SCRATCH/threads.jsonl")" 40 "-t 2: one line per request"

# No prompt is sent twice (a prefix cache would answer it from memory): not across
# threads, not after the warm-up, not from one sweep point to the next.
port2=$(start_llm_server --tokens 2) || exit 1
hb load llm "http://127.0.0.1:$port2" --api openai-completions --model llama3 -t 2 -c 4 \
	--warmup 5 -n 40 --sweep max_tokens=1,2 >/dev/null 2>&1
is "$?" 0 "warm-up, two threads, two points: exits 0"
is "$(llm_stat "$port2" completions)" 85 "the server saw 5 + 2 x 40 requests"
is "$(llm_stat "$port2" repeated_prompts)" 0 "and never the same prompt twice"
before=$(llm_stat "$port2" repeated_prompts)
hb load llm "http://127.0.0.1:$port2" --api openai-completions --model llama3 --seed 9 \
	--prompts 10 -n 30 >/dev/null 2>&1
is "$(($(llm_stat "$port2" repeated_prompts) - before))" 20 "--prompts 10 for 30 requests: each sent 3 times"

# Load models from the core: rate with a gamma schedule, capped concurrency.
r=$SCRATCH/rate.json
before=$(llm_stat "$port" generate)
hb load llm "$url" --api ollama --model llama3 --no-prepare --rate 200 --arrival gamma --burstiness 0.5 \
	--max-concurrency 3 -n 30 --json "$r" >/dev/null 2>&1
is "$?" 0 "rate mode with --max-concurrency exits 0"
is "$(($(llm_stat "$port" generate) - before))" 30 "exactly 30 requests reached the server"
is "$(jq_py "$r" 'r["client"]["parameters"]["connections"]')" 3 "--max-concurrency 3 is the connection count"

done_testing
