#!/usr/bin/env bash
# hpcbench compare on real Redis runs and hand-made variants of them: verdicts and exit
# codes (worse beyond the threshold exits 1), different workloads said to be
# incomparable (exit 2), trials judged by Welch's t-test rather than the bare change,
# provenance differences warned about, --json.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

need redis-server python3
# shellcheck disable=SC2119 # no extra redis-server arguments
port=$(start_redis) || bail "redis-server did not start"
track_pid "$(redis_pid "$port")"

hb load redis "127.0.0.1:$port" -c 4 -n 4000 --json "$SCRATCH/a.json" >/dev/null 2>&1
is "$?" 0 "base run"
hb load redis "127.0.0.1:$port" -c 4 -n 4000 --json "$SCRATCH/b.json" >/dev/null 2>&1
is "$?" 0 "second run, same workload"
hb load redis "127.0.0.1:$port" -c 8 -n 4000 --json "$SCRATCH/c8.json" >/dev/null 2>&1
is "$?" 0 "a run with another connection count"

# edit IN OUT PYTHON: a hand-made variant of a result (d is the result object).
edit() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $3; json.dump(d, open(sys.argv[2], 'w'))" "$1" "$2"
}

# Two real runs of one workload: with a threshold wider than this shared machine's
# noise, nothing is worse.
out=$(hb compare "$SCRATCH/a.json" "$SCRATCH/b.json" --threshold 10000 2>&1)
is "$?" 0 "same workload within a wide threshold exits 0"
like "$out" "throughput \\(req/s\\) +[0-9]+ +[0-9]+ +[-+][0-9.]+% +within noise" \
	"each figure has base, new, change and verdict"
like "$out" "a vs b: 0 better, 0 worse, [0-9]+ within noise \\(threshold 10000%, one result per side" \
	"the summary line says how verdicts were reached"

# A hand-made worse result: half the throughput, three times the p99.
edit "$SCRATCH/a.json" "$SCRATCH/worse.json" \
	'd["throughput_rps"] /= 2; d["latency_us"]["p99"] *= 3'
out=$(hb compare "$SCRATCH/a.json" "$SCRATCH/worse.json" 2>&1)
is "$?" 1 "worse beyond the threshold exits 1"
like "$out" "throughput \\(req/s\\) .* -50\\.0% +worse" "throughput halved is worse"
like "$out" "p99 latency \\(us\\) .* \\+200\\.0% +worse" "p99 tripled is worse"
like "$out" "p50 latency \\(us\\) .* \\+0\\.0% +within noise" "an unchanged figure is within noise"
out=$(hb compare "$SCRATCH/worse.json" "$SCRATCH/a.json" 2>&1)
is "$?" 0 "the other way round nothing is worse: exit 0"
like "$out" "throughput \\(req/s\\) .* \\+100\\.0% +better" "and throughput is better"
out=$(hb compare "$SCRATCH/a.json" "$SCRATCH/worse.json" --threshold 300 2>&1)
is "$?" 0 "a threshold above the change: within noise, exit 0"

# Errors from zero are worse whatever the threshold.
edit "$SCRATCH/a.json" "$SCRATCH/errs.json" 'd["requests"]["errors"] = 3'
out=$(hb compare "$SCRATCH/a.json" "$SCRATCH/errs.json" --threshold 10000 2>&1)
is "$?" 1 "errors where there were none exit 1"
like "$out" "errors \\(requests\\) +0 +3 +from 0 +worse" "errors from 0 are worse"

# Different workloads are not compared.
out=$(hb compare "$SCRATCH/a.json" "$SCRATCH/c8.json" 2>&1)
is "$?" 2 "different workloads exit 2"
like "$out" "incomparable: different workloads \\(parameter connections: 4 vs 8\\)" \
	"and the difference is named"
unlike "$out" "throughput \\(req/s\\)" "no figure is compared"

# Trials: three results per side in a folder. A 10 % drop with tight trials is worse
# (Welch p < 0.05); a bigger drop in the mean with widely spread trials is noise.
mkdir -p "$SCRATCH/base" "$SCRATCH/tight" "$SCRATCH/spread"
i=0
for v in 1000 1010 990; do
	i=$((i + 1))
	edit "$SCRATCH/a.json" "$SCRATCH/base/t$i.json" "d['throughput_rps'] = $v"
done
i=0
for v in 900 905 895; do
	i=$((i + 1))
	edit "$SCRATCH/a.json" "$SCRATCH/tight/t$i.json" "d['throughput_rps'] = $v"
done
i=0
for v in 400 1200 800; do
	i=$((i + 1))
	edit "$SCRATCH/a.json" "$SCRATCH/spread/t$i.json" "d['throughput_rps'] = $v"
done
out=$(hb compare "$SCRATCH/base" "$SCRATCH/tight" 2>&1)
is "$?" 1 "a consistent 10 % drop over three trials exits 1"
like "$out" "throughput \\(req/s\\) +1000 +900 +-10\\.0% +worse \\(p=[0-9.e-]+, n=3/3\\)" \
	"worse, with Welch's p and the trial counts"
like "$out" "Welch's t-test over the trials" "the summary names the test"
out=$(hb compare "$SCRATCH/base" "$SCRATCH/spread" 2>&1)
is "$?" 0 "a drop within the trials' spread exits 0"
like "$out" "throughput \\(req/s\\) +1000 +800 +-20\\.0% +within noise \\(p=0\\.[2-9]" \
	"-20 % with widely spread trials is within noise"

# Provenance differences are warned about on stderr.
edit "$SCRATCH/a.json" "$SCRATCH/otherhost.json" \
	'd["provenance"]["hostname"] = "node042"; d["provenance"]["server_version"] = "7.2.4"'
err=$(hb compare "$SCRATCH/a.json" "$SCRATCH/otherhost.json" 2>&1 >/dev/null)
like "$err" "warning: provenance differs: hostname: base \"[^\"]+\", new \"node042\"" \
	"a different host is warned about"
like "$err" "warning: provenance differs: server_version: base null, new \"7.2.4\"" \
	"a different server version is warned about"

# --json
hb compare "$SCRATCH/a.json" "$SCRATCH/worse.json" --json >"$SCRATCH/cmp.json" 2>/dev/null
is "$?" 1 "--json keeps the exit code"
ok "--json holds the verdicts and counts" python3 - "$SCRATCH/cmp.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "hpcbench.compare/1"
f = {x["figure"]: x for x in d["points"][0]["figures"]}
assert f["throughput_rps"]["verdict"] == "worse" and round(f["throughput_rps"]["change_pct"]) == -50, f
assert d["counts"]["worse"] == 2, d["counts"]
EOF

# Bad usage.
out=$(hb compare "$SCRATCH/a.json" 2>&1)
is "$?" 2 "one argument exits 2"
like "$out" "needs BASE and NEW" "and says what is missing"
out=$(hb compare "$SCRATCH/a.json" "$SCRATCH/b.json" --threshold abc 2>&1)
is "$?" 2 "a bad threshold exits 2"
like "$out" "--threshold: 'abc' is not a percentage" "and says why"

done_testing
