#!/usr/bin/env bash
# Latency accuracy against a server that answers every request after exactly a known
# delay (tests/helpers/delay-server.c): the reported latency can never be below the
# delay, in closed and open loop alike, and in the open loop the latency from the
# intended send time is never below the service time from the actual send. How far above
# the delay the median sits depends on the machine's load: that is measured in bench/,
# not asserted here (a timed bound fails on a busy shared machine).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

server=$BUILD/helpers/delay-server
[ -x "$server" ] || bail "delay-server helper not built (make unit)"
delay_us=5000
port=$(free_port)
"$server" "$port" "$delay_us" >"$SCRATCH/delay.out" 2>&1 &
track_pid $!
wait_port "$port" 10 || bail "delay-server did not start"
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# Closed loop: 8 connections, pipeline 2.
hb load redis "127.0.0.1:$port" -c 8 --pipeline 2 -n 1600 --command 'PING' \
	--json "$SCRATCH/closed.json" >/dev/null 2>&1
is "$?" 0 "closed loop against the delay server exits 0"
is "$(json "$SCRATCH/closed.json" 'd["requests"]["ok"]')" 1600 "every request answered"
# The histogram reports a value at most 0.1 % above itself, so the floor is exact.
cmp_num "$(json "$SCRATCH/closed.json" 'd["latency_us"]["min"]')" -ge "$delay_us" \
	"no latency below the server's delay"
p50=$(json "$SCRATCH/closed.json" 'd["latency_us"]["p50"]')
cmp_num "$p50" -ge "$delay_us" "closed-loop p50 ($p50 us) is at least the delay"

# Open loop well below capacity.
hb load redis "127.0.0.1:$port" -c 8 --rate 400 -d 2s --command 'PING' \
	--json "$SCRATCH/open.json" >/dev/null 2>&1
is "$?" 0 "open loop against the delay server exits 0"
is "$(json "$SCRATCH/open.json" 'd["requests"]["dropped"]')" 0 "nothing dropped"
cmp_num "$(json "$SCRATCH/open.json" 'd["requests"]["ok"]')" -ge 790 "about 800 requests in 2 s at 400/s"
p50=$(json "$SCRATCH/open.json" 'd["latency_us"]["p50"]')
cmp_num "$p50" -ge "$delay_us" "open-loop p50 ($p50 us) is at least the delay"
st50=$(json "$SCRATCH/open.json" 'd["service_time_us"]["p50"]')
cmp_num "$p50" -ge "$st50" "open-loop p50 from the intended time ($p50 us) >= from the actual send ($st50 us)"
cmp_num "$(json "$SCRATCH/open.json" 'd["service_time_us"]["min"]')" -ge "$delay_us" \
	"service time is never below the delay either"

done_testing
