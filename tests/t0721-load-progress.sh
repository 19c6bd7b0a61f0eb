#!/usr/bin/env bash
# Progress of `hpcbench load` when stderr is not a terminal (a client job's log): one
# plain line every --progress-interval with the requests done so far (never more than
# the run's final count), req/s, errors and the time left, with trial i/N under
# --repeat; none with --progress-interval 0 or --no-progress, and none in a run shorter
# than the interval. An open loop that cannot keep its schedule says so, once; one that
# can says nothing. Against a real Redis.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

need redis-server
port=$(start_redis) || bail "redis-server did not start"
track_pid "$(redis_pid "$port")"
t=127.0.0.1:$port

# 1. Plain lines every second of a 3 s run, each a whole line (no carriage return).
hb load redis "$t" -c 2 --rate 500 -d 3s --progress-interval 1s --json "$SCRATCH/p.json" \
	>"$SCRATCH/p.out" 2>"$SCRATCH/p.err"
is "$?" 0 "a run with --progress-interval 1s exits 0"
n=$(grep -c '^hpcbench: progress: load ' "$SCRATCH/p.err")
cmp_num "$n" -ge 1 "stderr has plain progress lines ($n)"
cmp_num "$n" -le 4 "  at most one a second (3 s run)"
ok "  and no carriage return or escape sequence (a log file, not a terminal)" \
	bash -c "! grep -q $'[\r\033]' '$SCRATCH/p.err'"
ok "each line has requests done, req/s, errors and the time left" \
	bash -c "grep '^hpcbench: progress:' '$SCRATCH/p.err' | grep -Evq '[0-9]+ requests done  [0-9]+ req/s  [0-9]+ errors.*[0-9]+ s left' && exit 1 || exit 0"
ok "requests done grow and never pass the run's final count" python3 -c '
import json, re, sys
sent = json.load(open(sys.argv[1]))["requests"]["sent"]
done = [int(m.group(1)) for m in re.finditer(r"progress: .* (\d+) requests done", open(sys.argv[2]).read())]
assert done and done == sorted(done) and done[-1] <= sent and done[-1] > 0, (done, sent)' \
	"$SCRATCH/p.json" "$SCRATCH/p.err"
ok "the progress goes to stderr only: stdout has the summary alone" \
	bash -c "! grep -q progress '$SCRATCH/p.out'"

# 2. Under --repeat each line says which trial it belongs to.
hb load redis "$t" -c 2 --rate 400 -d 2s --repeat 2 --progress-interval 500ms \
	>/dev/null 2>"$SCRATCH/r.err"
is "$?" 0 "--repeat 2 with progress exits 0"
like "$(cat "$SCRATCH/r.err")" "progress: trial 1/2 load " "lines of trial 1 say trial 1/2"
like "$(cat "$SCRATCH/r.err")" "progress: trial 2/2 load " "lines of trial 2 say trial 2/2"
ok "a line says when each trial is done, with its requests" python3 -c '
import json, re, sys
done = re.findall(r"progress: trial (\d)/2 done [0-9.]+ s  (\d+) requests done", open(sys.argv[1]).read())
assert [d[0] for d in done] == ["1", "2"] and all(int(d[1]) > 0 for d in done), done' "$SCRATCH/r.err"

# 3. Off: --progress-interval 0, --no-progress; and a run shorter than the default 10 s.
for opt in "--progress-interval 0" --no-progress ""; do
	# shellcheck disable=SC2086 # opt is one option with its value, or none
	hb load redis "$t" -c 2 --rate 500 -d 1500ms $opt >/dev/null 2>"$SCRATCH/off.err"
	is "$(grep -c progress "$SCRATCH/off.err")" 0 "no progress line with '${opt:-the default 10 s interval}'"
done
out=$(hb load redis "$t" -n 10 --progress-interval 50ms 2>&1)
is "$?" 2 "--progress-interval below 100ms exits 2"
like "$out" "--progress-interval: '50ms' is not 0 or a duration from 100ms to 1h" "  and says why"

# 4. An open loop asked for far more than one connection can carry: warned, once.
hb load redis "$t" -c 1 --rate 200000 --max-inflight 10000000 -d 2s --allow-errors \
	--progress-interval 0 >/dev/null 2>"$SCRATCH/lag.err"
is "$(grep -c 'open loop behind schedule' "$SCRATCH/lag.err")" 1 \
	"an open loop far behind its schedule warns once"
like "$(cat "$SCRATCH/lag.err")" "lag p99 [0-9.]+ ms > 1.000 ms" "  with the lag p99 and the limit"
# 50 req/s over 2 connections: 20 ms between a thread's requests, a 10 ms limit.
hb load redis "$t" -c 2 --rate 50 -d 2s --progress-interval 0 --json "$SCRATCH/calm.json" \
	>/dev/null 2>"$SCRATCH/calm.err"
lag=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["schedule_lag_us"]["p99"])' "$SCRATCH/calm.json")
if python3 -c "import sys; sys.exit(0 if $lag < 10000 else 1)"; then
	is "$(grep -c 'behind schedule' "$SCRATCH/calm.err")" 0 "a calm open loop (lag p99 $lag us) does not warn"
else
	ok "a calm open loop warns only when its lag p99 ($lag us) is above the limit" \
		grep -q 'behind schedule' "$SCRATCH/calm.err"
fi

done_testing
