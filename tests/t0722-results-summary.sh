#!/usr/bin/env bash
# What `run` and `results` show after a session with a repeated Redis sweep and an LLM
# concurrency sweep (the stand-in server): one row per point, the columns of each kind
# (LLM: TTFT, TPOT, tokens/s, goodput), the numbers the servers counted (never 0 for a
# nested sweep), aligned columns with a long client name; `results --csv` one row per
# point; a figure that cannot be read shows "-" with a warning; `results` alone takes
# the latest run with a client, not a later bare `up`; `run` relays client progress.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-llm.sh
. "$(dirname "$0")/lib-llm.sh"

need redis-server
port=$(start_redis) || bail "redis-server did not start"
track_pid "$(redis_pid "$port")"
TTFT=20
lport=$(start_llm_server --ttft-ms $TTFT --itl-ms 5 --tokens 4) || exit 1
calls() {
	redis-cli -p "$port" info commandstats | tr -d '\r' |
		awk -F'[=,:]' '/^cmdstat_(set|get):/ {n += $3} END {print n + 0}'
}
LONG=kv-load-with-a-rather-long-client-name
cat >"$SCRATCH/session.yaml" <<YAML
clients:
  - name: $LONG
    type: redis
    endpoint: 127.0.0.1:$port
    repeat: 2
    parameters: {requests: 1000, connections: [2, 4], warmup: 0}
  - name: llm
    type: llm
    endpoint: http://127.0.0.1:$lport
    parameters: {api: ollama, model: llama3, requests: 6, concurrent_requests: "1,2",
                 warmup: 0}
  - name: slow
    type: redis
    endpoint: 127.0.0.1:$port
    parameters: {duration: 3s, rate: 200, connections: 2, progress_interval: 500ms}
YAML
redis-cli -p "$port" config resetstat >/dev/null
gen0=$(llm_stat "$lport" generate)
hb run "$SCRATCH/session.yaml" >"$SCRATCH/run.out" 2>"$SCRATCH/run.err"
is "$?" 0 "the session exits 0"
slow_ok=$(python3 -c 'import json,glob,sys
for f in glob.glob(sys.argv[1] + "/hpcbench/runs/*/slow_*/result.json"):
    print(json.load(open(f))["requests"]["ok"])' "$XDG_STATE_HOME")
is "$(calls)" $((2 * 2 * 1000 + slow_ok)) "Redis counted 2 points x 2 trials x 1000 + the slow client's $slow_ok"
# 2 points x 6 measured requests, and the one-token generation of the prepare step
# (the model loads before the clock starts).
is "$(($(llm_stat "$lport" generate) - gen0))" 13 "the LLM server counted 2 points x 6 requests + 1 model load"
like "$(cat "$SCRATCH/run.err")" "hpcbench: slow_[0-9a-f]{8}: progress: load [0-9.]+ s  [0-9]+ requests done" \
	"run relays the progress lines the client writes to its log"

out=$(hb results 2>"$SCRATCH/res.err")
is "$?" 0 "results exits 0"
printf '%s\n' "$out" >"$SCRATCH/table.txt"
like "$out" "llm results:" "a table for the LLM results"
like "$out" "CLIENT +STATE +POINT +TRIALS +OK +ERRORS +RPS +TTFT_P50_MS +TPOT_P50_MS +TOKENS_S +GOODPUT_RPS +RESULT" \
	"  with TTFT, TPOT, tokens/s and goodput columns"
like "$out" "requests results:" "a table for the Redis results"
like "$out" "CLIENT +STATE +POINT +TRIALS +OK +ERRORS +RPS +P50_US +P99_US +RESULT" "  with RPS, p50 and p99"
ok "each LLM point has its own row with the server's 6 requests and TTFT >= $TTFT ms" python3 -c '
import re, sys
rows = [l.split() for l in open(sys.argv[1]) if l.startswith("llm_")]
assert [r[2] for r in rows] == ["concurrency=1", "concurrency=2"], rows
for r in rows:
    assert r[4] == "6" and r[5] == "0", r          # OK, ERRORS
    assert float(r[6]) > 0 and float(r[7]) >= float(sys.argv[2]), r   # RPS, TTFT p50
    assert float(r[9]) > 0, r                        # tokens/s
    assert r[10] == "-", r                           # no SLO: no goodput, not 0
' "$SCRATCH/table.txt" "$TTFT"
ok "the repeated Redis points show 2 trials, 1000 requests and mean +- CI" python3 -c '
import sys
rows = [l for l in open(sys.argv[1]) if l.startswith(sys.argv[2])]
assert len(rows) == 2, rows
for l, pt in zip(rows, ("c2", "c4")):
    f = l.split()
    assert f[2] == pt and f[3] == "2" and f[4] == "1000" and f[5] == "0", f
    assert f[7].startswith("+-"), f
' "$SCRATCH/table.txt" "$LONG"
ok "columns line up: every row ends each right-aligned column where its heading does" python3 -c '
import re, sys
lines = open(sys.argv[1]).read().split("\n")
tables, cur = [], None
for l in lines:
    if l.startswith("CLIENT"):
        cur = [l]; tables.append(cur)
    elif cur is not None and l and not l.endswith(":") and not l.startswith("("):
        cur.append(l)
    else:
        cur = None
assert len(tables) == 2, tables
for t in tables:
    head = t[0]
    for name in ("OK", "ERRORS", "RPS"):
        end = re.search(r"\b%s\b" % name, head).end()
        for row in t[1:]:
            assert row[end - 1] != " " and row[end] == " ", (name, head, row)
    start = head.index("RESULT")
    assert all(row[start - 2:start] == "  " and row[start] == "/" for row in t[1:]), t
' "$SCRATCH/table.txt"
is "$(cat "$SCRATCH/res.err")" "" "no warning when every figure was read"

# CSV: one row per point, a column per figure and parameter.
hb results --csv >"$SCRATCH/r.csv"
is "$?" 0 "results --csv exits 0"
run=$(sed -n 's/^run \([0-9a-f-]*\): .*/\1/p' "$SCRATCH/table.txt")
ok "the CSV has a row per point with its parameters and figures, as in the result files" python3 -c '
import csv, json, sys, glob
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
base = sys.argv[2]
by = {}
for r in rows:
    by.setdefault(r["client"].rsplit("_", 1)[0], []).append(r)
llm = by["llm"]; kv = by[sys.argv[3]]
assert [r["point"] for r in llm] == ["concurrency=1", "concurrency=2"], llm
assert [r["param.connections"] for r in llm] == ["1", "2"], llm
assert all(r["requests.ok"] == "6" and r["kind"] == "llm" for r in llm), llm
doc = json.load(open(glob.glob(base + "/llm_*/result.json")[0]))
for r, res in zip(llm, doc["results"]):
    assert abs(float(r["llm.ttft_ms.p50"]) - res["llm"]["ttft_ms"]["p50"]) < 1e-6, (r, res["llm"])
assert [r["param.connections"] for r in kv] == ["2", "4"] and all(r["trials"] == "2" for r in kv), kv
for r in kv:
    doc = json.load(open(glob.glob(base + "/%s_*/%s" % (sys.argv[3], r["file"].split("/")[-1]))[0]))
    v = [t["throughput_rps"] for t in doc["trials"]]
    assert abs(float(r["throughput_rps"]) - sum(v) / 2) < 1e-3, (r["throughput_rps"], v)
    assert float(r["throughput_rps.ci95_low"]) <= float(r["throughput_rps"]) <= float(r["throughput_rps.ci95_high"])
' "$SCRATCH/r.csv" "$XDG_STATE_HOME/hpcbench/runs/$run" "$LONG"

# A figure that cannot be read shows "-" and says so; a file that is not JSON too.
llmres=$(echo "$XDG_STATE_HOME/hpcbench/runs/$run"/llm_*/result.json)
python3 -c 'import json,sys
d = json.load(open(sys.argv[1])); d["results"][0]["throughput_rps"] = "fast"
json.dump(d, open(sys.argv[1], "w"))' "$llmres"
out=$(hb results "$run" 2>"$SCRATCH/bad.err")
is "$?" 0 "results with a damaged figure exits 0"
ok "  the damaged cell shows -, not 0" python3 -c '
import sys
rows = [l.split() for l in sys.stdin if l.startswith("llm_")]
assert rows[0][6] == "-" and rows[1][6] != "-", rows' <<<"$out"
like "$(cat "$SCRATCH/bad.err")" "warning: .*llm_[0-9a-f]{8}/result.json: throughput_rps is not a number: shown as -" \
	"  and a warning names the file and the figure"
echo '{"schema": "hpcbench.result/1", "requests": ' >"$llmres"
json_unchecked "$llmres"
out=$(hb results "$run" 2>"$SCRATCH/bad2.err")
like "$out" "llm_[0-9a-f]{8} +COMPLETED +- +- +- .*llm_[0-9a-f]{8}/result.json" "a file that is not JSON: its row shows -"
like "$(cat "$SCRATCH/bad2.err")" "result.json: cannot read: not JSON" "  and a warning says why"

# A later bare `up` (no client) does not hide the run with results.
sport=$(free_port)
cat >"$SCRATCH/svc.yaml" <<YAML
service:
  name: spare
  type: redis
  runtime: native
  command: redis-server
  ports: [$sport]
  persistence: none
  health_check: {timeout: 20, interval: 0.2}
YAML
id=$(hb up "$SCRATCH/svc.yaml" 2>/dev/null)
is "$?" 0 "a bare up after the session"
like "$(hb results 2>/dev/null)" "run $run: COMPLETED" "results alone shows the latest run with a client"
hb stop "$id" >/dev/null 2>&1

done_testing
