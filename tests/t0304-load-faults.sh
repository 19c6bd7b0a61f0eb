#!/usr/bin/env bash
# Faults during a run: replies that never come (timeouts), connections killed by the
# server, a server that goes away and comes back, a schedule the server cannot keep
# (dropped requests), and Ctrl-C. Each is counted by kind, the run carries on, and the
# counts add up.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

need redis-server
server=$BUILD/helpers/delay-server
[ -x "$server" ] || bail "delay-server helper not built (make unit)"
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# 1. Timeouts: redis frozen for 1 s, the client waits 200 ms per request. The
# requests outstanding then time out (their connections are closed and reopened), and
# the run carries on once redis is back.
# shellcheck disable=SC2119 # start_redis takes optional server arguments
port=$(start_redis) || bail "redis-server did not start"
# $(start_redis) runs in a subshell, whose track_pid the test never sees:
# track the server here, so that it is stopped when the test ends.
track_pid "$(redis_pid "$port")"
rpid=$(redis_pid "$port")
on_exit "kill -CONT $rpid"
(sleep 0.5 && kill -STOP "$rpid" && sleep 1 && kill -CONT "$rpid") &
stopper=$!
out=$(hb load redis "127.0.0.1:$port" -c 2 -d 2500ms --timeout 200ms --json "$SCRATCH/t.json" 2>&1)
is "$?" 1 "timeouts fail the run"
wait "$stopper"
cmp_num "$(json "$SCRATCH/t.json" 'd["requests"]["errors_by_kind"]["timeout"]')" -ge 2 \
	"each connection's outstanding request timed out"
like "$(json "$SCRATCH/t.json" 'd["requests"]["error_samples"]["timeout"]')" "no reply within 0.200 s" \
	"the timeout sample says how long"
is "$(json "$SCRATCH/t.json" 'd["requests"]["sent"] == d["requests"]["ok"] + d["requests"]["errors"]')" \
	True "sent = ok + errors"
cmp_num "$(json "$SCRATCH/t.json" 'd["intervals"][-1]["rps"]')" -gt 0 "requests succeed after the stall"
like "$out" "request.* failed" "the message counts the failed requests"

# A server slower than --timeout is caught by the readiness check, before the clock.
dport=$(free_port)
"$server" "$dport" 300000 >/dev/null 2>&1 &
track_pid $!
wait_port "$dport" 10 || bail "delay-server did not start"
out=$(hb load redis "127.0.0.1:$dport" -c 2 -n 6 --timeout 100ms 2>&1)
is "$?" 1 "a server slower than --timeout fails the readiness check"
like "$out" "no reply within 0.100 s" "and says so"
hb load redis "127.0.0.1:$dport" -c 2 -n 6 --timeout 1s --command PING >/dev/null 2>&1
is "$?" 0 "the same server within --timeout is fine"

# 2. The server kills our connections mid-run: read errors, reconnects, carries on.
(sleep 0.7 && redis-cli -p "$port" client kill type normal >/dev/null) &
killer=$!
hb load redis "127.0.0.1:$port" -c 5 -d 1500ms --allow-errors --json "$SCRATCH/k.json" >/dev/null 2>&1
is "$?" 0 "killed connections with --allow-errors exit 0"
wait "$killer"
cmp_num "$(json "$SCRATCH/k.json" 'd["requests"]["errors_by_kind"]["read"]')" -ge 1 \
	"requests outstanding on killed connections count as read errors"
is "$(json "$SCRATCH/k.json" 'd["requests"]["sent"] == d["requests"]["ok"] + d["requests"]["errors"]')" \
	True "sent = ok + errors"
is "$(json "$SCRATCH/k.json" 'all(i["rps"] > 0 for i in d["intervals"])')" True \
	"requests kept succeeding after the reconnects"
like "$(json "$SCRATCH/k.json" 'd["requests"]["error_samples"]["read"]')" "closed|reset" \
	"the first read error is kept as a sample"

# Killed while writing large pipelined values: EPIPE is a write error, never a SIGPIPE
# that would end hpcbench (exit 141).
(sleep 0.5 && redis-cli -p "$port" client kill type normal >/dev/null) &
killer=$!
hb load redis "127.0.0.1:$port" -c 4 --pipeline 8 --command 'SET big __data__' --value-size 1M \
	-d 1500ms --allow-errors --json "$SCRATCH/w.json" >/dev/null 2>&1
is "$?" 0 "connections killed in the middle of a write: hpcbench carries on"
wait "$killer"
cmp_num "$(json "$SCRATCH/w.json" 'd["requests"]["errors"]')" -ge 1 "the requests cut off are counted"
redis-cli -p "$port" del big >/dev/null

# 3. The server goes away and comes back on the same port: connect errors, recovery.
rpid=$(redis_pid "$port")
(sleep 0.5 && kill "$rpid" && sleep 0.5 && {
	redis-server --port "$port" --bind 127.0.0.1 --dir "$SCRATCH" --save '' --appendonly no \
		--daemonize no >/dev/null 2>&1 &
	echo $! >"$SCRATCH/redis2.pid"
}) &
restarter=$!
out=$(hb load redis "127.0.0.1:$port" -c 3 -d 2500ms --json "$SCRATCH/r.json" 2>&1)
is "$?" 1 "a server restart mid-run fails the run without --allow-errors"
wait "$restarter"
track_pid "$(cat "$SCRATCH/redis2.pid")"
cmp_num "$(json "$SCRATCH/r.json" 'd["requests"]["errors_by_kind"]["connect"]')" -ge 1 \
	"failed reconnection attempts are counted"
cmp_num "$(json "$SCRATCH/r.json" 'd["intervals"][-1]["rps"]')" -gt 0 \
	"requests succeed again once the server is back"
like "$out" "connection attempt.* failed" "the message counts the failed connection attempts"

# 4. A schedule the server cannot keep: dropped requests are counted, never hidden.
# shellcheck disable=SC2119 # start_redis takes optional server arguments
port=$(start_redis) || bail "redis-server did not start"
track_pid "$(redis_pid "$port")"
rpid=$(redis_pid "$port")
on_exit "kill -CONT $rpid"
(sleep 0.5 && kill -STOP "$rpid" && sleep 0.5 && kill -CONT "$rpid") &
stopper=$!
out=$(hb load redis "127.0.0.1:$port" -c 2 --rate 1000 --max-inflight 10 -d 1500ms \
	--json "$SCRATCH/d.json" 2>&1)
is "$?" 1 "dropped requests fail the run"
wait "$stopper"
dropped=$(json "$SCRATCH/d.json" 'd["requests"]["dropped"]')
cmp_num "$dropped" -ge 300 "about 500 requests due during the stall were dropped ($dropped)"
like "$out" "dropped" "the message says so"
is "$(json "$SCRATCH/d.json" 'd["requests"]["sent"] + d["requests"]["dropped"]')" 1500 \
	"sent + dropped = the 1500 requests the schedule asked for"

# 5. Ctrl-C ends the run early, with a summary and a result file.
# (hpcbench itself in the background, not a shell function: the signal must reach it)
"$HPCBENCH" load redis "127.0.0.1:$port" -c 2 -d 60s --json "$SCRATCH/int.json" >"$SCRATCH/int.out" 2>&1 &
hpid=$!
sleep 1
kill -INT "$hpid"
wait "$hpid"
is "$?" 0 "SIGINT ends the run cleanly"
like "$(cat "$SCRATCH/int.out")" "requests +[0-9]+ sent" "the summary is printed"
cmp_num "$(json "$SCRATCH/int.json" 'd["duration_s"]')" -lt 30 "the run stopped early"

done_testing
