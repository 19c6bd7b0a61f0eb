#!/usr/bin/env bash
# hpcbench merge and the replica options of hpcbench load, against a real Redis: three
# load generators (--replica I/3, one --start-at) whose merged request count is the one
# Redis counted, whose merged p99 is the p99 of their histograms added by hand
# (tests/helpers/hist-by-hand.py), and whose open-loop rate adds up to what was asked.
# A replica killed mid-run (SIGKILL: no result file) is reported and the others kept.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

need redis-server redis-cli python3
# shellcheck disable=SC2119 # start_redis takes optional server arguments
port=$(start_redis) || bail "redis-server did not start"
track_pid "$(redis_pid "$port")"
rc() { redis-cli -p "$port" "$@"; }
calls() {
	local v
	v=$(rc info commandstats | tr -d '\r' | sed -n "s/^cmdstat_$1:calls=\([0-9]*\),.*/\1/p")
	echo "${v:-0}"
}
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
byhand() { python3 "$TOP/tests/helpers/hist-by-hand.py" "$@"; }
cd "$SCRATCH" || bail "no scratch folder"

# Bad replica options are usage errors.
out=$(hb load redis "127.0.0.1:$port" --replica 3/3 -n 10 2>&1)
is "$?" 2 "--replica 3/3 exits 2"
like "$out" "--replica: '3/3' is not I/N with 0 <= I < N" "and says why"
out=$(hb load redis "127.0.0.1:$port" --start-at "$(date +%s)" -n 10 2>&1)
is "$?" 2 "--start-at in seconds (not ns) exits 2"
like "$out" "--start-at: '[0-9]+' is not a wall-clock time in ns since 1970" "and says why"

# Three replicas, open loop 3000 req/s in total, one start instant 0.5 s ahead.
rc config resetstat >/dev/null
at=$(($(date +%s%N) + 500000000))
pids=()
for i in 0 1 2; do
	hb load redis "127.0.0.1:$port" --replica "$i/3" --start-at "$at" --rate 3000 -d 1s \
		-c 4 --no-progress --json "r$i.json" >"r$i.out" 2>&1 &
	pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
is "$fails" 0 "the three replicas exit 0"
for i in 0 1 2; do
	is "$(json "r$i.json" 'd["client"]["parameters"]["rate"]')" 1000 \
		"replica $i sends its share: 1000 of the 3000 req/s"
	is "$(json "r$i.json" 'd["started_at_ns"] >= d["start_barrier"]["at_ns"]')" True \
		"replica $i began its window at or after the barrier, never before"
done
is "$(json r0.json 'd["client"]["parameters"]["seed"] != json.load(open("r1.json"))["client"]["parameters"]["seed"]')" \
	True "replicas draw from different seeds"

out=$(hb merge --json merged.json r0.json r1.json r2.json)
is "$?" 0 "merge of three complete replicas exits 0"
like "$out" "merged 3 of 3 replicas" "the summary says so"
redis_total=$(($(calls set) + $(calls get)))
is "$(json merged.json 'd["requests"]["ok"]')" "$redis_total" \
	"merged ok = SET+GET calls Redis counted ($redis_total)"
is "$(json merged.json 'd["requests"]["ok"]')" \
	"$(($(json r0.json 'd["requests"]["ok"]') + $(json r1.json 'd["requests"]["ok"]') + $(json r2.json 'd["requests"]["ok"]')))" \
	"merged ok = the sum of the replicas' ok"
is "$(json merged.json 'd["client"]["parameters"]["rate"]')" 3000 "the merged result names the total rate"
for q in 50 99 99.9; do
	key=$([ "$q" = 99.9 ] && echo p999 || echo "p$q")
	is "$(json merged.json "'%.3f' % d['latency_us']['$key']")" \
		"$(byhand latency_us "$q" r0.json r1.json r2.json)" \
		"merged $key = the p$q of the three histograms added by hand"
done
is "$(json merged.json '"\n".join("%d %d" % (v, c) for v, c in d["latency_us"]["histogram"]["buckets"])')" \
	"$(byhand --buckets latency_us r0.json r1.json r2.json)" \
	"the merged histogram is the bucket-by-bucket sum"
is "$(json merged.json 'sum(i["ok"] for i in d["intervals"])')" "$(json merged.json 'd["requests"]["ok"]')" \
	"the merged intervals account for every request"
is "$(json merged.json 'd["replicas"]["count"], d["replicas"]["merged"], len(d["replicas"]["list"])')" \
	"3 3 3" "replicas: count, merged and one entry each"
skew=$(json merged.json 'd["replicas"]["start_skew_ms"]')
want=$(python3 -c "import json; s=[json.load(open(f'r{i}.json'))['started_at_ns'] for i in range(3)]; print(round((max(s)-min(s))/1e6, 3))")
cmp_num "$skew" -eq "$want" "start_skew_ms is the spread of the replicas' starts ($skew ms)"

# A replica killed mid-run (SIGKILL: it writes nothing) is reported, the others kept.
rc config resetstat >/dev/null
at=$(($(date +%s%N) + 300000000))
pids=()
for i in 0 1 2; do
	# hpcbench itself, not the hb function: $! must be the process to kill
	"$HPCBENCH" load redis "127.0.0.1:$port" --replica "$i/3" --start-at "$at" --rate 1500 -d 2s \
		-c 2 --no-progress --json "k$i.json" >/dev/null 2>&1 &
	pids+=($!)
done
sleep 1
kill -KILL "${pids[1]}"
for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
ok "the killed replica left no result file" test ! -e k1.json
out=$(hb merge --json mk.json --note '1=killed (SIGKILL)' k0.json k1.json k2.json 2>&1)
is "$?" 1 "merge with a missing replica exits 1"
like "$out" "merged 2 of 3 replicas" "the summary counts the merged ones"
like "$out" "1 of 3 replicas failed" "and says one failed"
is "$(json mk.json 'd["replicas"]["list"][1]["status"]')" failed "replica 1 is failed in replicas.list"
like "$(json mk.json 'd["replicas"]["list"][1]["reason"]')" "^killed \(SIGKILL\); no result file" \
	"with the note given and the reason"
is "$(json mk.json 'd["requests"]["ok"]')" \
	"$(($(json k0.json 'd["requests"]["ok"]') + $(json k2.json 'd["requests"]["ok"]')))" \
	"the two others' requests are all kept"
ok "--allow-failed: exit 0 with a failed replica" hb merge --allow-failed --json mk2.json k0.json k1.json k2.json

# Files that are not results are refused with their reason; nothing to merge: exit 1.
echo '{"schema": "hpcbench.result/1",' >bad.json
json_unchecked "$SCRATCH/bad.json"
out=$(hb merge bad.json k1.json 2>&1)
is "$?" 1 "no readable replica: exit 1"
like "$out" "replica 0 \(bad.json\): bad.json:[0-9]+: " "a broken file: FILE:LINE: reason"
ok "nothing written when nothing merged" test ! -e none.json
out=$(hb merge 2>&1)
is "$?" 2 "merge without files exits 2"

# The local executor runs a client's replicas as local processes, merged the same way;
# -n is split so that the total is exact.
cat >"$SCRATCH/local.yaml" <<YAML
client:
  name: fan
  type: redis
  replicas: 3
  endpoint: "127.0.0.1:$port"
  parameters: {requests: 3001, connections: 2, ratio: "1:1", warmup: 0}
YAML
rc config resetstat >/dev/null
printf 'workdir: %s\n' "$SCRATCH/work" >"$SCRATCH/config.yaml"
out=$(timeout 120 "$HPCBENCH" --config "$SCRATCH/config.yaml" run "$SCRATCH/local.yaml" 2>&1)
is "$?" 0 "local executor: a client with 3 replicas completes"
res=$(find "$SCRATCH/work" -name result.json | head -n 1)
is "$(json "$res" 'd["requests"]["ok"], d["replicas"]["merged"]')" "3001 3" \
	"-n 3001 over 3 replicas: exactly 3001 requests, 3 replicas merged"
is "$(json "$res" 'sorted(r["requests"]["ok"] for r in d["replicas"]["list"])')" \
	"[1000, 1000, 1001]" "split 1001 + 1000 + 1000"
is "$(($(calls set) + $(calls get)))" 3001 "Redis counted 3001 SET+GET"
# A sweep with replicas: each point runs its replicas and is merged into its own file.
cat >"$SCRATCH/sweep.yaml" <<YAML
client:
  name: swept
  type: redis
  replicas: 2
  endpoint: "127.0.0.1:$port"
  parameters: {requests: 1000, value_size: "8,64", connections: 2, ratio: "1:1", warmup: 0}
YAML
rc config resetstat >/dev/null
out=$(timeout 120 "$HPCBENCH" --config "$SCRATCH/config.yaml" run "$SCRATCH/sweep.yaml" 2>&1)
is "$?" 0 "local executor: a 2-point sweep with 2 replicas completes"
jd=$(dirname "$(find "$SCRATCH/work" -path '*swept_*' -name results.txt | head -n 1)")
is "$(tr '\n' ' ' <"$jd/results.txt")" "result-value-size8.json result-value-size64.json " \
	"results.txt lists one merged file per point"
is "$(json "$jd/result-value-size64.json" 'd["requests"]["ok"], d["replicas"]["merged"], d["client"]["parameters"]["value_size"]')" \
	"1000 2 64" "each point: 1000 requests from 2 replicas, with the point's value size"
is "$(($(calls set) + $(calls get)))" 2000 "Redis counted the 2 x 1000 SET+GET"
# run warns when the open-loop rate per replica and thread is above what one redis
# thread was measured to send (bench/RESULTS.md), and not once replicas share it.
cat >"$SCRATCH/fast.yaml" <<YAML
client:
  name: fast
  type: redis
  endpoint: "127.0.0.1:$port"
  parameters: {rate: 400000, duration: 100ms, connections: 2, warmup: 0}
YAML
out=$(timeout 60 "$HPCBENCH" --config "$SCRATCH/config.yaml" run "$SCRATCH/fast.yaml" 2>&1)
like "$out" "warning: client 'fast': rate 400000 over 1 replica x 1 thread is 400000 req/s per load-generator thread, above the 151018 req/s one redis thread was measured to send" \
	"run warns when one thread would have to send 400000 req/s"
out=$(timeout 60 "$HPCBENCH" --config "$SCRATCH/config.yaml" run "$SCRATCH/fast.yaml" --replicas 3 2>&1)
unlike "$out" "warning: client 'fast'" "no warning once 3 replicas share it (133333 req/s each)"
bad=$(sed 's/^  replicas: 3$/  replicas: 3\n  command: "true"/' "$SCRATCH/local.yaml")
printf '%s\n' "$bad" >"$SCRATCH/cmd.yaml"
out=$(timeout 60 "$HPCBENCH" --config "$SCRATCH/config.yaml" run "$SCRATCH/cmd.yaml" 2>&1)
is "$?" 2 "replicas on a client with its own command: exit 2"
like "$out" "cmd.yaml:[0-9]+:[0-9]+: client 'fan': .*cannot have replicas" "with FILE:LINE:COL"
out=$(timeout 60 "$HPCBENCH" --config "$SCRATCH/config.yaml" run "$SCRATCH/local.yaml" --replicas 0 2>&1)
is "$?" 2 "run --replicas 0: exit 2"

done_testing
