#!/usr/bin/env bash
# hpcbench report on two real Redis runs, checked as a person sees it: the page renders in
# headless Chromium without fetching anything, has as many charts as the report says,
# every chart has axis labels with units and a legend where it has several series, no
# NaN/inf anywhere, every SVG is well-formed XML; the summary CSV and the .hgrm files hold
# the numbers of the results (Redis's own command counts, the result's p50); bad input
# exits 2 and writes nothing.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

need redis-server redis-cli chromium xmllint python3
# shellcheck disable=SC2119 # no extra redis-server arguments
port=$(start_redis) || bail "redis-server did not start"
track_pid "$(redis_pid "$port")"
calls() {
	local v
	v=$(redis-cli -p "$port" info commandstats | tr -d '\r' |
		sed -n "s/^cmdstat_$1:calls=\([0-9]*\),.*/\1/p")
	echo "${v:-0}"
}
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# Two real runs: 4 and 16 connections, SET and GET mixed (two request kinds).
redis-cli -p "$port" config resetstat >/dev/null
hb load redis "127.0.0.1:$port" -c 4 -n 6000 --tests set,get --interval 200ms \
	--json "$SCRATCH/c4.json" >/dev/null 2>&1
is "$?" 0 "first load run exits 0"
hb load redis "127.0.0.1:$port" -c 16 -n 8000 --tests set,get --interval 200ms \
	--json "$SCRATCH/c16.json" >/dev/null 2>&1
is "$?" 0 "second load run exits 0"

out=$(hb report "$SCRATCH/c4.json" "$SCRATCH/c16.json" -o "$SCRATCH/rep" --title "c4 vs c16" 2>&1)
is "$?" 0 "report exits 0"
like "$out" "report: $SCRATCH/rep/report.html \\(2 runs, 2 results, [0-9]+ charts" \
	"report prints the page's path and what it holds"
charts=$(sed -n 's/.* results, \([0-9]*\) charts.*/\1/p' <<<"$out")
html=$SCRATCH/rep/report.html
ok "report.html exists" test -s "$html"
is "$(find "$SCRATCH/rep" -name 'chart-*.svg' | wc -l)" "$charts" "one standalone .svg per chart"
is "$(find "$SCRATCH/rep" -name 'chart-*.csv' | wc -l)" "$charts" "one .csv per chart"
# Two results with intervals and two request kinds: percentiles, throughput, latency and
# errors over time, throughput and latency by kind.
is "$charts" 6 "six charts for two lone results with two request kinds"

# The summary table holds Redis's own counts.
ok "summary.csv has a row per run with Redis's counts" python3 - "$SCRATCH/rep/summary.csv" \
	"$(($(calls set) + $(calls get)))" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [r["run"] for r in rows] == ["c4", "c16"], rows
assert sum(int(r["requests_ok"]) for r in rows) == int(sys.argv[2]), (rows, sys.argv[2])
EOF
is "$(($(calls set) + $(calls get)))" 14000 "redis counted every request of both runs"

# Rendered by a browser, offline: nothing may be fetched (every host resolves to nothing).
dom=$(timeout 120 chromium --headless --no-sandbox --disable-gpu --enable-logging=stderr \
	--host-resolver-rules='MAP * ~NOTFOUND' --dump-dom "file://$html" 2>"$SCRATCH/chromium.err")
is "$?" 0 "chromium renders the page"
like "$dom" "<h1>c4 vs c16</h1>" "the page loaded (its title is in the DOM)"
is "$(grep -o '<svg' <<<"$dom" | wc -l)" "$charts" "the DOM holds one <svg> per chart"
unlike "$(cat "$SCRATCH/chromium.err")" "net::ERR|Failed to load resource|Uncaught" \
	"no failed request and no script error in the browser's log"
timeout 120 chromium --headless --no-sandbox --disable-gpu --host-resolver-rules='MAP * ~NOTFOUND' \
	--screenshot="$SCRATCH/shot.png" --window-size=1200,2000 "file://$html" >/dev/null 2>&1
ok "a screenshot is written" test -s "$SCRATCH/shot.png"
cmp_num "$(stat -c %s "$SCRATCH/shot.png")" -gt 50000 "the screenshot is not blank"

# Self-contained: no script, no external reference of any kind.
unlike "$(cat "$html")" "<script|<link|<img|<iframe|@import|url\\(|src=" "no script, stylesheet, image or frame"
unlike "$(grep -o 'href="[^"]*"' "$html" | grep -v 'href="chart-[0-9][0-9]-[a-z-]*\.\(svg\|csv\)"' |
	grep -v 'href="[A-Za-z0-9._=-]*\.hgrm"')" "href" "links point only at the report's own files"
unlike "$(cat "$SCRATCH"/rep/*.svg "$html")" "NaN|[^a-z]inf[^a-z]|Infinity" "no NaN or inf anywhere"

# Every chart: well-formed, axis labels with a unit, a legend where several series.
for f in "$SCRATCH"/rep/chart-*.svg; do
	n=$(basename "$f")
	ok "$n is well-formed XML" xmllint --noout "$f"
	ok "$n has axis labels with units" python3 - "$f" <<'EOF'
import re, sys, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
labels = {e.get("class"): "".join(e.itertext()) for e in t.iter(ns + "text") if e.get("class")}
assert labels.get("title"), labels
assert re.search(r"\(.+\)", labels.get("ylabel", "")), labels
if "percentiles" not in sys.argv[1] and "by-kind" not in sys.argv[1]:
    assert re.search(r"\(.+\)", labels.get("xlabel", "")), labels
EOF
	ok "$n has a legend naming each of its series when there are several" python3 - "$f" <<'EOF'
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
lines = len(t.findall(ns + "polyline"))
bars = {r.get("fill") for r in t.findall(ns + "rect")} - {"#ffffff"}
series = max(lines, len(bars))
legend = [g for g in t.findall(ns + "g") if g.get("class") == "legend"]
names = ["".join(e.itertext()) for g in legend for e in g.iter(ns + "text")]
assert series <= 1 or len(names) == series, (series, names)
EOF
done

# The .hgrm of each latency histogram: HdrHistogram's layout, the run's count and p50.
h=$SCRATCH/rep/c4-latency_us.hgrm
ok "c4-latency_us.hgrm is written" test -s "$h"
like "$(head -1 "$h")" "^ +Value +Percentile +TotalCount 1/\\(1-Percentile\\)$" "hgrm header"
like "$(tail -3 "$h" | head -1)" "^#\\[Mean += +[0-9.]+, StdDeviation += +[0-9.]+\\]$" "hgrm mean line"
is "$(sed -n 's/^#\[Max .*Total count *= *\([0-9]*\)\]$/\1/p' "$h")" \
	"$(json "$SCRATCH/c4.json" 'd["requests"]["ok"]')" "hgrm total count = the run's ok requests"
is "$(awk '$2 == "0.500000000000" {print $1}' "$h")" \
	"$(json "$SCRATCH/c4.json" '"%.3f" % (d["latency_us"]["p50"] / 1000)')" \
	"hgrm's 50th percentile = the result's p50 (ms)"
cmp_num "$(wc -l <"$h")" -lt 400 "hgrm stays compact (5 ticks per half distance)"
ok "hgrm percentiles ascend to 1 and values never decrease" python3 - "$h" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l[:1] == " " and l.split() and l.split()[0][0].isdigit()]
v = [float(r[0]) for r in rows]; p = [float(r[1]) for r in rows]
assert v == sorted(v) and p == sorted(p) and p[-1] == 1.0, rows[-3:]
EOF

# A folder of results is one run; a run id without runs, a missing file, or a file that
# is not a result: exit 2 with the reason, nothing written.
mkdir -p "$SCRATCH/both" && cp "$SCRATCH/c4.json" "$SCRATCH/c16.json" "$SCRATCH/both/"
out=$(hb report "$SCRATCH/both" -o "$SCRATCH/rep2" 2>&1)
is "$?" 0 "a folder of results reports"
like "$out" "\\(1 run, 2 results" "a folder's files form one run"
out=$(hb report "$SCRATCH/nope.json" -o "$SCRATCH/bad1" 2>&1)
is "$?" 2 "a missing file exits 2"
like "$out" "nope.json: No such file" "and says which"
ok "nothing is written for bad input" test ! -e "$SCRATCH/bad1"
echo '{"a": 1}' >"$SCRATCH/other.json"
out=$(hb report "$SCRATCH/c4.json" "$SCRATCH/other.json" -o "$SCRATCH/bad2" 2>&1)
is "$?" 2 "a JSON file that is not a result exits 2"
like "$out" "other.json: not an hpcbench result" "and says why"
ok "nothing is written when one input is bad" test ! -e "$SCRATCH/bad2"
out=$(hb report -o "$SCRATCH/bad3" 2>&1)
is "$?" 2 "no argument and no runs exits 2"
like "$out" "no runs yet" "and says so"

done_testing
