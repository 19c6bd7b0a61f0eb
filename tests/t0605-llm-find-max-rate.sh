#!/usr/bin/env bash
# hpcbench load llm --find-max-rate answers with a rate that was measured: a probe holds
# only if the load it asked for was delivered (throughput within 10% of the offered
# rate, nothing failed or dropped, enough requests to judge the SLO percentile), so the
# answer is never far above a throughput the run saw; the result says how it was found.
#
# The shape of the docs/llm.md example (a large --max-concurrency, few requests per
# probe) once let every probe "hold" while a burst of 40 requests went out at once, and
# answered 838860800 req/s after measuring about 1000 req/s.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-llm.sh
. "$(dirname "$0")/lib-llm.sh"

# About 35 ms a request: a probe of 40 requests lasts 40/R s plus one latency, so only
# rates up to about 120 req/s can deliver 90% of what they ask.
port=$(start_llm_server --ttft-ms 20 --itl-ms 5 --tokens 4) || exit 1
url=http://127.0.0.1:$port

# 1. Too few requests to judge p99: refused before anything is sent.
before=$(llm_stat "$port" chat_completions)
out=$(hb load llm "$url" --api openai-chat --model llama3 --max-concurrency 512 -n 40 --rate 2 \
	--slo ttft_ms=1000,tpot_ms=50 --find-max-rate 2>&1)
is "$?" 2 "-n 40 cannot judge p99: exit 2"
like "$out" "needs at least 100 requests per probe \(-n 40\)" "and says how many it needs"
is "$(llm_stat "$port" chat_completions)" "$before" "nothing was sent"

# 2. The docs' shape at p90 (10 requests judge it): the search stops where the load
# asked for is no longer delivered, not 24 doublings later.
r=$SCRATCH/find.json
out=$(hb load llm "$url" --api openai-chat --model llama3 --max-tokens 4 --max-concurrency 512 \
	-n 40 --rate 25 --arrival poisson --slo ttft_ms=1000,tpot_ms=50 --slo-percentile 90 \
	--find-max-rate --find-steps 2 --no-progress --json "$r" 2>&1)
is "$?" 0 "--find-max-rate exits 0"
ok "the result is strict JSON (no duplicate keys)" json_strict "$r"
max=$(jq_py "$r" 'r["find_max_rate"]["max_rate"]')
got=$(jq_py "$r" 'r["find_max_rate"]["max_rate_throughput_rps"]')
top=$(jq_py "$r" 'max(p["throughput_rps"] for p in r["find_max_rate"]["probes"])')
cmp_num "$max" -gt 0 "a rate held ($max req/s)"
# The bound that matters: the answer is within the tolerance of a measured throughput.
cmp_num "$max" -le "$(awk -v g="$got" 'BEGIN { print g / 0.9 }')" \
	"max_rate is at most its probe's throughput / 0.9 ($got req/s)"
cmp_num "$max" -le "$(awk -v g="$top" 'BEGIN { print g / 0.9 }')" \
	"and never above what any probe measured / 0.9 ($top req/s)"
is "$(jq_py "$r" 'all(p["throughput_rps"] >= 0.9 * p["rate"] for p in r["find_max_rate"]["probes"] if p["holds"])')" \
	true "every probe that held delivered 90% of its rate"
is "$(jq_py "$r" 'r["find_max_rate"]["bracketed"]')" true "a failing rate bounds it above"
low=$(jq_py "$r" 'r["find_max_rate"]["lowest_failing_rate"]')
cmp_num "$low" -gt "$max" "the lowest failing rate is above it ($low req/s)"
like "$(jq_py "$r" '[p["why"] for p in r["find_max_rate"]["probes"] if not p["holds"]]')" \
	"delivered [0-9.]+ req/s of the [0-9.]+ asked|schedule lag" \
	"a probe that did not hold says why"
is "$(jq_py "$r" 'len(r["results"]) == len(r["find_max_rate"]["probes"])')" true \
	"one full result per probe"
is "$(jq_py "$r" 'r["find_max_rate"]["criteria"]["min_throughput_fraction"]')" 0.9 \
	"the criteria are in the result"
like "$(jq_py "$r" 'r["find_max_rate"]["method"]')" "from 25 req/s, doubled .* bisected 2 times" \
	"and how it was searched"
like "$out" "highest rate with the SLOs met: [0-9.]+ req/s offered, [0-9.]+ req/s delivered" \
	"the summary gives the rate offered and the rate delivered"

# 3. -d: a probe too short to hold 10 requests cannot be judged; the search goes up
# (more requests per probe) instead of calling it a success or a failure.
r=$SCRATCH/short.json
out=$(hb load llm "$url" --api openai-chat --model llama3 --max-tokens 2 -d 1s --rate 4 --max-concurrency 1 \
	--slo e2e_ms=5000 --slo-percentile 90 --find-max-rate --find-steps 1 --no-progress \
	--json "$r" 2>&1)
is "$(jq_py "$r" 'r["find_max_rate"]["probes"][0]["outcome"]')" too_few_requests \
	"4 req/s for 1 s cannot judge p90"
is "$(jq_py "$r" 'r["find_max_rate"]["probes"][0]["holds"]')" false "and does not count as held"
cmp_num "$(jq_py "$r" 'r["find_max_rate"]["probes"][1]["rate"]')" -eq 8 "the next probe doubles"
ok "strict JSON" json_strict "$r"

done_testing
