#!/usr/bin/env bash
# Coordinated omission: a real redis-server frozen (SIGSTOP) for one second in the
# middle of a run. Under a rate schedule, the requests that were due during the stall
# count their wait, so p99 approaches the second; in a closed loop the stall holds up
# one request per connection, so it shows only in max.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

need redis-server
# shellcheck disable=SC2119 # start_redis takes optional server arguments
port=$(start_redis) || bail "redis-server did not start"
# $(start_redis) runs in a subshell, whose track_pid the test never sees:
# track the server here, so that it is stopped when the test ends.
track_pid "$(redis_pid "$port")"
rpid=$(redis_pid "$port")
on_exit "kill -CONT $rpid"
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# Freezes redis 1.5 s from now, for 1 s.
stall() {
	(sleep 1.5 && kill -STOP "$rpid" && sleep 1 && kill -CONT "$rpid") &
	stall_pid=$!
}

stall
hb load redis "127.0.0.1:$port" -c 10 --rate 1000 -d 4s --json "$SCRATCH/open.json" >/dev/null 2>&1
is "$?" 0 "open loop through the stall exits 0 (nothing lost, only late)"
wait "$stall_pid"
p99=$(json "$SCRATCH/open.json" 'd["latency_us"]["p99"]')
max=$(json "$SCRATCH/open.json" 'd["latency_us"]["max"]')
cmp_num "$p99" -ge 800000 "open loop: p99 ($p99 us) approaches the 1 s stall"
cmp_num "$max" -ge 900000 "open loop: max ($max us) is the stall"
svc=$(json "$SCRATCH/open.json" 'd["service_time_us"]["p50"]')
cmp_num "$svc" -lt 100000 "open loop: median service time ($svc us) stays small"
lag=$(json "$SCRATCH/open.json" 'd["schedule_lag_us"]["p99"]')
cmp_num "$lag" -ge 500000 "open loop: the schedule lag ($lag us) shows requests waited to be sent"

stall
hb load redis "127.0.0.1:$port" -c 10 -d 4s --json "$SCRATCH/closed.json" >/dev/null 2>&1
is "$?" 0 "closed loop through the stall exits 0"
wait "$stall_pid"
p99=$(json "$SCRATCH/closed.json" 'd["latency_us"]["p99"]')
max=$(json "$SCRATCH/closed.json" 'd["latency_us"]["max"]')
cmp_num "$max" -ge 900000 "closed loop: max ($max us) shows the stall"
cmp_num "$p99" -lt 100000 "closed loop: p99 ($p99 us) hides it"

done_testing
