#!/usr/bin/env bash
# hpcbench load --repeat N: N independent trials against a real Redis, every one in the
# result file, each headline figure summarized over them (mean, 95 % CI with Student's
# t, min, max) exactly as the formula says on the trials' own values; Redis counted
# every request of every trial. An LLM sweep repeated: each point has N trials, and the
# stand-in server saw all of them. Bad values exit 2.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-llm.sh
. "$(dirname "$0")/lib-llm.sh"

need redis-server
port=$(start_redis) || bail "redis-server did not start"
track_pid "$(redis_pid "$port")"
calls() {
	redis-cli -p "$port" info commandstats | tr -d '\r' |
		awk -F'[=,:]' '/^cmdstat_(set|get):/ {n += $3} END {print n + 0}'
}
# check FILE PYTHON: runs PYTHON with d = the result, t = its trials; fails on assert.
check() { python3 -c 'import json,sys,math
d = json.load(open(sys.argv[1])); t = d.get("trials", [])
exec(sys.argv[2])' "$@"; }

# 1. Three trials of -n 3000: each exact, Redis counted 9000.
redis-cli -p "$port" config resetstat >/dev/null
out=$(hb load redis "127.0.0.1:$port" -c 4 -n 3000 --seed 7 --repeat 3 \
	--json "$SCRATCH/r.json" 2>"$SCRATCH/r.err")
is "$?" 0 "--repeat 3 exits 0"
r=$SCRATCH/r.json
is "$(check "$r" 'print(len(t))')" 3 "the result keeps 3 trials"
is "$(check "$r" 'print(",".join(str(x["requests"]["ok"]) for x in t))')" "3000,3000,3000" \
	"each trial sent exactly -n 3000"
is "$(calls)" 9000 "Redis counted 3 x 3000 SET+GET calls"
is "$(check "$r" 'print(",".join(str(x["client"]["parameters"]["seed"]) for x in t))')" "7,8,9" \
	"trial K runs with seed + K - 1 (independent schedules and keys)"
is "$(check "$r" 'print(d["client"]["parameters"]["repeat"], d["repeat"]["trials"], d["repeat"]["interval"])')" \
	"3 3 student-t" "client.parameters.repeat and the repeat object say 3 trials, Student t"
like "$out" "== trial 3/3 \(seed 9\) ==" "the summary shows each trial"
like "$out" "3 trials: mean, 95% confidence interval of the mean" "and the summary over them"

# The summary of every figure is the formula applied to the trials' own values.
ok "mean, min, max and the 95% CI of each figure follow from the trials" check "$r" '
T975_DF2 = 4.302652729911275   # Student t quantile 0.975, 2 degrees of freedom
def get(x, path):
    for k in path.split("."):
        x = x[k]
    return x
s = d["summary"]
for key in ("throughput_rps", "latency_us.p50", "latency_us.p99", "requests.ok"):
    v = [get(x, key) for x in t]
    m = sum(v) / 3
    sd = math.sqrt(sum((a - m) ** 2 for a in v) / 2)
    half = T975_DF2 * sd / math.sqrt(3)
    f = s[key]
    assert f["n"] == 3, (key, f)
    tol = 1e-5 * max(1.0, abs(m))
    assert abs(f["mean"] - m) <= tol, (key, f["mean"], m)
    assert f["min"] == min(v) and f["max"] == max(v), (key, f, v)
    assert abs(f["stddev"] - sd) <= tol, (key, f["stddev"], sd)
    assert abs(f["ci95_half_width"] - half) <= tol, (key, f, half)
    assert abs(f["ci95_low"] - (m - half)) <= tol and abs(f["ci95_high"] - (m + half)) <= tol, (key, f)
    assert f["min"] <= f["mean"] <= f["max"], (key, f)
'
ok "the trials' throughputs differ (independent measurements, not one copied)" check "$r" '
v = [x["throughput_rps"] for x in t]; assert len(set(v)) > 1, v'

# 2. One trial: no confidence interval (null), never a made-up number.
hb load redis "127.0.0.1:$port" -c 2 -n 500 --repeat 1 --json "$SCRATCH/one.json" >/dev/null 2>&1
is "$?" 0 "--repeat 1 exits 0"
ok "--repeat 1 writes the usual single result (no trials wrapper)" check "$SCRATCH/one.json" '
assert "trials" not in d and d["requests"]["ok"] == 500, d.keys()'

# 3. Bad values: exit 2, a clear message, nothing written.
out=$(hb load redis "127.0.0.1:$port" -n 10 --repeat 0 --json "$SCRATCH/bad.json" 2>&1)
is "$?" 2 "--repeat 0 exits 2"
like "$out" "--repeat: '0' is not a number from 1 to 1000" "  and says why"
ok "  and writes no result" test ! -e "$SCRATCH/bad.json"

# 4. An LLM sweep, repeated: every point has 2 trials; the server saw every request.
TOKENS=4
lport=$(start_llm_server --ttft-ms 20 --itl-ms 5 --tokens $TOKENS) || exit 1
before=$(llm_stat "$lport" generate)
hb load llm "http://127.0.0.1:$lport" --api ollama --model llama3 --no-prepare -n 6 \
	--sweep concurrency=1,2 --repeat 2 --json "$SCRATCH/llm.json" >"$SCRATCH/llm.out" 2>&1
is "$?" 0 "an LLM sweep with --repeat 2 exits 0"
is "$(($(llm_stat "$lport" generate) - before))" 24 "the server saw 2 trials x 2 points x 6 requests"
l=$SCRATCH/llm.json
is "$(check "$l" 'print(len(t), [len(x["results"]) for x in t], len(d["points"]))')" "2 [2, 2] 2" \
	"2 trials of 2 points each, and one summary per point"
ok "each point's summary is the mean of that point over the trials" check "$l" '
for i, p in enumerate(d["points"]):
    v = [x["results"][i]["llm"]["ttft_ms"]["p50"] for x in t]
    f = p["summary"]["llm.ttft_ms.p50"]
    assert f["n"] == 2 and abs(f["mean"] - sum(v) / 2) < 1e-6, (i, f, v)
    assert p["summary"]["requests.ok"]["mean"] == 6, p["summary"]["requests.ok"]
    assert p["parameters"]["connections"] == [1, 2][i], p["parameters"]
    assert f["mean"] >= 20, f   # the server waits 20 ms before the first token
'
ok "output tokens per trial and point are the server's" check "$l" '
assert all(r["llm"]["output_tokens"] == 6 * '"$TOKENS"' for x in t for r in x["results"])'
json_strict "$r" "$l" >/dev/null 2>&1
is "$?" 0 "the repeated result files are strict JSON (no NaN, no inf)"

done_testing
