#!/usr/bin/env bash
# hpcbench load redis against a real redis-server: the requests hpcbench reports as
# successful are the ones Redis counted (INFO commandstats), -n is exact over threads
# and connections, error replies and AUTH are handled, bad usage exits 2.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

need redis-server
port=$(start_redis) || bail "redis-server did not start"
# $(start_redis) runs in a subshell, whose track_pid the test never sees:
# track the server here, so that it is stopped when the test ends.
track_pid "$(redis_pid "$port")"
rc() { redis-cli -p "$port" "$@"; }
# calls of one command in INFO commandstats (0 if never called)
calls() {
	local v
	v=$(rc info commandstats | tr -d '\r' | sed -n "s/^cmdstat_$1:calls=\([0-9]*\),.*/\1/p")
	echo "${v:-0}"
}
# json FILE EXPR: a value from a result file (python3 json, EXPR on d)
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# 1. Default SET/GET mix, closed loop, exact -n, counts equal Redis's own.
rc config resetstat >/dev/null
out=$(hb load redis "127.0.0.1:$port" -c 10 -n 20000 --json "$SCRATCH/r1.json" 2>&1)
is "$?" 0 "a clean run exits 0"
like "$out" "20000 sent, 20000 ok, 0 errors" "the summary counts every request"
is "$(json "$SCRATCH/r1.json" 'd["requests"]["ok"]')" 20000 "-n 20000 gives exactly 20000 ok"
is "$(( $(calls set) + $(calls get) ))" 20000 "redis counted 20000 SET+GET calls"
is "$(json "$SCRATCH/r1.json" 'd["by_kind"]["SET"]["ok"]')" "$(calls set)" "SET count = redis cmdstat_set"
is "$(json "$SCRATCH/r1.json" 'd["by_kind"]["GET"]["ok"]')" "$(calls get)" "GET count = redis cmdstat_get"
# Each connection cycles SET, 10 x GET: 20000/11 SETs, rounded up per connection.
cmp_num "$(calls set)" -ge 1818 "the 1:10 mix: at least 20000/11 SET"
cmp_num "$(calls set)" -le 1828 "the 1:10 mix: at most one more per connection"
is "$(json "$SCRATCH/r1.json" 'd["schema"]')" "hpcbench.result/1" "result schema"
is "$(json "$SCRATCH/r1.json" '",".join(sorted(d["latency_us"]))')" \
	"histogram,max,mean,min,p50,p90,p99,p999" "latency_us has min mean p50 p90 p99 p999 max and its histogram"
ok "the latency histogram counts every ok request" python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); h=d["latency_us"]["histogram"]
assert h["total"] == d["requests"]["ok"] == sum(c for _, c in h["buckets"]) + h["above"], h["total"]' "$SCRATCH/r1.json"
is "$(json "$SCRATCH/r1.json" 'd["client"]["parameters"]["connections"], d["client"]["parameters"]["ratio"]')" \
	"10 1:10" "parameters as run are recorded"
ok "latency percentiles are ordered" python3 -c '
import json,sys; l=json.load(open(sys.argv[1]))["latency_us"]
assert 0 < l["min"] <= l["p50"] <= l["p90"] <= l["p99"] <= l["p999"] <= l["max"], l' "$SCRATCH/r1.json"
ok "intervals add up to the ok count" python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); iv=d["intervals"]
assert iv and all(set(i)=={"t","rps","p50_us","p99_us","errors","ok","histogram"} for i in iv)
assert sum(i["ok"] for i in iv) == d["requests"]["ok"], (sum(i["ok"] for i in iv), d["requests"]["ok"])
assert all(i["histogram"]["total"] == i["ok"] for i in iv)' "$SCRATCH/r1.json"

# 2. Threads x pipelining: still exact, still Redis's count.
rc config resetstat >/dev/null
hb load redis "127.0.0.1:$port" -t 2 -c 7 --pipeline 16 -n 30001 --ratio 1:1 \
	--json "$SCRATCH/r2.json" >/dev/null 2>&1
is "$?" 0 "2 threads, 7 connections, pipeline 16 exits 0"
is "$(json "$SCRATCH/r2.json" 'd["requests"]["sent"]')" 30001 "-n 30001 over 2 threads and 7 connections is exact"
is "$(( $(calls set) + $(calls get) ))" 30001 "redis counted 30001 calls"

# 3. redis-benchmark's tests, mixed: each command's count matches Redis's.
rc config resetstat >/dev/null
hb load redis "127.0.0.1:$port" -c 5 -n 10000 --tests ping,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100 \
	--json "$SCRATCH/r3.json" >/dev/null 2>&1
is "$?" 0 "--tests runs"
fails=
for t in set get incr lpush rpush lpop rpop sadd hset spop zadd zpopmin; do
	k=$(echo "$t" | tr "[:lower:]" "[:upper:]")
	got=$(json "$SCRATCH/r3.json" "d['by_kind']['$k']['ok']")
	[ "$got" = "$(calls "$t")" ] || fails="$fails $t:$got/$(calls "$t")"
done
is "$fails" "" "every test's ok count equals its cmdstat calls"
is "$(json "$SCRATCH/r3.json" "d['by_kind']['LRANGE_100']['ok']")" "$(calls lrange)" "LRANGE_100 = cmdstat_lrange"
is "$(( $(json "$SCRATCH/r3.json" "d['by_kind']['PING']['ok']") + 1 ))" "$(calls ping)" \
	"PING = cmdstat_ping minus the one readiness PING"

# 4. --command with __data__: the bytes arrive (list length and value size).
rc del mylist >/dev/null
hb load redis "127.0.0.1:$port" -c 3 -n 500 --command 'LPUSH mylist __data__' --value-size 100 >/dev/null 2>&1
is "$?" 0 "--command runs"
is "$(rc llen mylist)" 500 "500 LPUSH arrived"
is "$(rc lindex mylist 0 | tr -d '\n' | wc -c)" 100 "each value is --value-size bytes"
rc del k1 >/dev/null
hb load redis "127.0.0.1:$port" -c 1 -n 3 --command 'SET k1 "two words"' >/dev/null 2>&1
is "$(rc get k1)" "two words" "quoted arguments arrive as one"

# 5. Error replies are server errors: exit 1, counted, with a sample; --allow-errors.
out=$(hb load redis "127.0.0.1:$port" -c 2 -n 100 --command 'INCR mylist' --json "$SCRATCH/r5.json" 2>&1)
is "$?" 1 "error replies make the run fail"
is "$(json "$SCRATCH/r5.json" 'd["requests"]["errors_by_kind"]["server"]')" 100 "100 server errors counted"
is "$(json "$SCRATCH/r5.json" 'd["requests"]["ok"]')" 0 "none ok"
like "$out" "WRONGTYPE" "the server's message is shown once"
hb load redis "127.0.0.1:$port" -c 2 -n 100 --command 'INCR mylist' --command 'PING' --allow-errors >/dev/null 2>&1
is "$?" 0 "--allow-errors accepts them"

# 6. AUTH from a file; wrong or missing password is one clear message, exit 1.
aport=$(start_redis --requirepass 's3cret pw') || bail "redis with a password did not start"
track_pid "$(redis_pid "$aport")"
printf 's3cret pw\n' >"$SCRATCH/pw"
chmod 600 "$SCRATCH/pw"
hb load redis "127.0.0.1:$aport" -c 4 -n 1000 --auth "$SCRATCH/pw" >/dev/null 2>&1
is "$?" 0 "--auth with the right password"
is "$(redis-cli -p "$aport" -a 's3cret pw' --no-auth-warning info commandstats | tr -d '\r' | sed -n 's/^cmdstat_auth:calls=\([0-9]*\),.*/\1/p')" 6 \
	"one AUTH per connection (4), the readiness check's and redis-cli's own"
printf 'wrong\n' >"$SCRATCH/bad"
out=$(hb load redis "127.0.0.1:$aport" -n 10 --auth "$SCRATCH/bad" 2>&1)
is "$?" 1 "a wrong password exits 1"
like "$out" "AUTH failed: WRONGPASS" "and says why"
unlike "$out" "wrong" "the password is not printed"
out=$(hb load redis "127.0.0.1:$aport" -n 10 2>&1)
is "$?" 1 "no password exits 1"
like "$out" "NOAUTH" "and says the server wants one"

# 7. Unreachable server and bad usage.
dead=$(free_port)
out=$(hb load redis "127.0.0.1:$dead" -n 10 2>&1)
is "$?" 1 "connection refused exits 1"
like "$out" "cannot connect to 127.0.0.1:$dead" "and names the target"
out=$(hb load rdis "127.0.0.1:$port" 2>&1)
is "$?" 2 "unknown protocol exits 2"
like "$out" "did you mean 'redis'" "and suggests the nearest"
out=$(hb load redis 2>&1)
is "$?" 2 "missing target exits 2"
out=$(hb load redis "127.0.0.1:$port" --rate fast 2>&1)
is "$?" 2 "a bad --rate exits 2"
like "$out" "--rate: 'fast' is not a rate" "and names the option"
out=$(hb load redis "127.0.0.1:$port" --tests set,frob 2>&1)
is "$?" 2 "an unknown test exits 2"
like "$out" "unknown test 'frob'" "and names it"
out=$(hb load redis "127.0.0.1:$port" --arrival poisson 2>&1)
is "$?" 2 "--arrival without --rate exits 2"
out=$(hb load redis "127.0.0.1:$port" -t 4 -c 2 2>&1)
is "$?" 2 "more threads than connections exits 2"
hb load --value-size 10 -c 2 redis "127.0.0.1:$port" -n 10 >/dev/null 2>&1
is "$?" 0 "options (the protocol's too) may come before the protocol name"
out=$(hb load redis --options 2>&1)
like "$out" "--key-pattern" "--options lists the protocol's options"

# 8. -d: the window is the duration asked; warm-up is reported apart.
hb load redis "127.0.0.1:$port" -c 4 -d 500ms --warmup 200ms --json "$SCRATCH/r8.json" >/dev/null 2>&1
is "$?" 0 "-d 500ms --warmup 200ms runs"
cmp_num "$(json "$SCRATCH/r8.json" 'd["duration_s"]')" -ge 0.5 "the measured window is at least -d"
cmp_num "$(json "$SCRATCH/r8.json" 'd["warmup"]["sent"]')" -gt 0 "warm-up requests are counted apart"
is "$(json "$SCRATCH/r8.json" 'd["requests"]["sent"] == d["requests"]["ok"] + d["requests"]["errors"]')" True \
	"sent = ok + errors"

# 9. Keys: a sequential pattern over a keyspace of 100 writes exactly those 100 keys.
rc flushall >/dev/null
hb load redis "127.0.0.1:$port" -c 1 -n 100 --keyspace 100 --key-pattern sequential \
	--command 'SET __key__ v' >/dev/null 2>&1
is "$(rc dbsize)" 100 "100 sequential SETs over a keyspace of 100 make 100 keys"
is "$(rc exists key:000000000000 key:000000000099)" 2 "from key:000000000000 to key:000000000099"

# 10. Intervals and progress.
hb load redis "127.0.0.1:$port" -c 2 -d 1s --interval 250ms --json "$SCRATCH/iv.json" >/dev/null 2>&1
is "$(json "$SCRATCH/iv.json" 'len(d["intervals"]), d["intervals"][1]["t"]')" "4 0.25" \
	"--interval 250ms: four intervals in one second"
hb load redis "127.0.0.1:$port" -c 2 -d 1200ms --progress >/dev/null 2>"$SCRATCH/progress"
like "$(tr '\r' '\n' <"$SCRATCH/progress")" "load [0-9.]+ s  [0-9]+ requests done  [0-9]+ req/s  0 errors" \
	"--progress draws the live line on stderr"
hb load redis "127.0.0.1:$port" -c 2 -d 300ms >/dev/null 2>"$SCRATCH/quiet"
is "$(cat "$SCRATCH/quiet")" "" "no progress when stderr is not a terminal"

# 11. Open loop with -n: the schedule sends exactly N, whatever the arrival law.
for law in "constant" "poisson" "gamma --burstiness 0.5"; do
	# shellcheck disable=SC2086 # $law holds an option and its value
	hb load redis "127.0.0.1:$port" -c 4 --rate 2000 --arrival $law -n 600 \
		--json "$SCRATCH/a.json" >/dev/null 2>&1
	is "$?" 0 "--rate 2000 --arrival $law runs"
	is "$(json "$SCRATCH/a.json" 'd["requests"]["sent"], d["requests"]["dropped"]')" "600 0" \
		"--arrival $law: -n 600 sends exactly 600"
	is "$(json "$SCRATCH/a.json" 'd["client"]["parameters"]["arrival"]')" "${law%% *}" \
		"the arrival law is recorded"
done
cmp_num "$(json "$SCRATCH/a.json" 'd["client"]["parameters"]["burstiness"]')" -eq 0.5 \
	"the burstiness is recorded"

# 12. 4096 connections at once: all opened, every request answered, small memory.
if ulimit -n 12000 2>/dev/null; then
	bport=$(start_redis --maxclients 10000) || bail "redis-server did not start"
	track_pid "$(redis_pid "$bport")"
	before=$(redis-cli -p "$bport" info stats | tr -d '\r' | sed -n 's/^total_connections_received://p')
	/usr/bin/time -f '%M' -o "$SCRATCH/rss" "$HPCBENCH" load redis "127.0.0.1:$bport" -c 4096 \
		-n 8192 --json "$SCRATCH/r9.json" >/dev/null 2>&1
	is "$?" 0 "4096 connections exit 0"
	after=$(redis-cli -p "$bport" info stats | tr -d '\r' | sed -n 's/^total_connections_received://p')
	cmp_num "$((after - before))" -ge 4096 "redis saw 4096 connections"
	is "$(json "$SCRATCH/r9.json" 'd["requests"]["ok"]')" 8192 "every request answered"
	cmp_num "$(cat "$SCRATCH/rss")" -le 65536 "peak RSS $(cat "$SCRATCH/rss") KiB <= 64 MiB"
fi

done_testing
