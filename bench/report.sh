#!/usr/bin/env bash
# How long `hpcbench report` takes and how big report.html gets, for the issue's two
# cases: a sweep of 1,000 points (a 40 x 25 grid of connections x pipeline) and 10 runs
# overlaid. The points are copies of one real result (a real redis-server run) whose
# throughput and latency figures are scaled per point, so every chart has real shapes.
# A real result carries its whole histograms (about 0.8 MB of JSON per point for a
# 20,000-request run), so a 1,000-point sweep file would be 0.8 GB: the 1,000-point case
# is measured without the histograms (figures only, no .hgrm), and a 100-point sweep and
# the 10 runs with them (one .hgrm per histogram). Each case is rendered RUNS times; wall
# time is from /usr/bin/time.
#
#   bench/report.sh              RUNS=3 by default
#
# Targets of issue 10 §6: under 1 s and under 2 MB of report.html per case.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

RUNS=${RUNS:-3}
command -v redis-server >/dev/null || die "redis-server is not installed"
[ -x "$HPCBENCH" ] || die "$HPCBENCH not built (make)"

port=$(free_port)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$BENCH_TMP" \
	>/dev/null 2>&1 &
_bench_pids+=($!)
wait_port "$port" || die "redis-server did not start"
"$HPCBENCH" load redis "127.0.0.1:$port" -c 8 -n 20000 \
	--json "$BENCH_TMP/one.json" >/dev/null 2>&1 || die "the load run failed"

python3 - "$BENCH_TMP" <<'PY'
import copy, json, os, sys
tmp = sys.argv[1]
one = json.load(open(os.path.join(tmp, "one.json")))

def strip(o):
    if isinstance(o, dict):
        o.pop("histogram", None)
        for v in o.values():
            strip(v)
    return o

bare = strip(copy.deepcopy(one))

def point(c, p, full=False):
    r = copy.deepcopy(one if full else bare)
    f = (1 + c / 40) * (1 + p / 25)
    r["client"]["parameters"]["connections"] = c
    r["client"]["parameters"]["pipeline"] = p
    r["throughput_rps"] = one["throughput_rps"] * f
    for k in ("p50", "p90", "p99", "p999"):
        r["latency_us"][k] = one["latency_us"][k] * (c / 10 + p / 5)
    return r

def sweep(name, conns, pipes, full):
    pts = [{"connections": c, "pipeline": p} for c in conns for p in pipes]
    doc = {"schema": "hpcbench.result/1", "tool": one["tool"], "client": one["client"],
           "started_at": one["started_at"],
           "sweep": {"parameters": {"connections": conns, "pipeline": pipes}, "points": pts},
           "results": [point(q["connections"], q["pipeline"], full) for q in pts]}
    json.dump(doc, open(os.path.join(tmp, name), "w"))

sweep("sweep-1000.json", list(range(1, 41)), list(range(1, 26)), False)
sweep("sweep-100-hist.json", list(range(1, 11)), list(range(1, 11)), True)
os.makedirs(os.path.join(tmp, "runs"), exist_ok=True)
for i in range(10):
    r = point(8, 1, True)
    r["throughput_rps"] *= 1 + i / 20
    json.dump(r, open(os.path.join(tmp, "runs", "run%02d.json" % i), "w"))
PY

# case NAME ARGS...: renders RUNS times, prints the median wall time and the sizes.
case_() {
	local name=$1 i walls=() out
	shift
	for i in $(seq "$RUNS"); do
		rm -rf "$BENCH_TMP/out-$name"
		measure "$BENCH_TMP/$name-$i" "$HPCBENCH" report "$@" -o "$BENCH_TMP/out-$name"
		walls+=("$M_WALL_S")
	done
	out=$BENCH_TMP/out-$name
	printf '%-22s %s s (runs: %s)  report.html %s bytes, %s files, %s bytes in all, %s .hgrm\n' \
		"$name" "$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")" \
		"${walls[*]}" "$(stat -c %s "$out/report.html")" "$(find "$out" -type f | wc -l)" \
		"$(du -sb "$out" | cut -f1)" "$(find "$out" -name '*.hgrm' | wc -l)"
}

for f in sweep-1000.json sweep-100-hist.json; do
	echo "input: $f $(stat -c %s "$BENCH_TMP/$f") bytes"
done
case_ sweep-1000-points "$BENCH_TMP/sweep-1000.json"
case_ sweep-100-histograms "$BENCH_TMP/sweep-100-hist.json"
runs=()
for f in "$BENCH_TMP"/runs/*.json; do runs+=("$f"); done
echo "input: 10 runs, $(du -cb "${runs[@]}" | tail -1 | cut -f1) bytes"
case_ 10-runs-histograms "${runs[@]}"
