#!/usr/bin/env bash
# The local executor on hand-written job scripts: jobs outlive the process that
# submitted them, logs land in the job folder, the state file drives READY, time limits
# and cancel stop every process the job started (also ones that left its process
# group), and a job whose processes vanish is reported as such.
# Job bodies are single-quoted on purpose: they expand inside the job.
# shellcheck disable=SC2016
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

tool=$BUILD/helpers/exec-tool
[ -x "$tool" ] || bail "exec-tool helper not built"
et() { "$tool" local "$@"; }

# new_job NAME BODY: a job folder whose job.sh runs BODY.
new_job() {
	local d=$SCRATCH/$1
	mkdir -p "$d"
	printf '#!/bin/bash\n%s\n' "$2" >"$d/job.sh"
	echo "$d"
}

# pid_file_gone FILE: FILE names a process that is gone (a missing FILE is no proof).
pid_file_gone() {
	local pid
	pid=$(cat "$1" 2>/dev/null) && [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null
}

# wait_state DIR ID STATE [TIMEOUT_S]: polls until the state (first word) is STATE.
wait_state() {
	local s _
	for _ in $(seq $((${4:-10} * 10))); do
		s=$(et poll "$1" "$2")
		[ "${s%% *}" = "$3" ] && break
		sleep 0.1
	done
	echo "$s"
}

# A job that becomes READY through its state file, then completes.
d=$(new_job ok 'echo "RUNNING $(date +%s)" >state
echo to-stdout; echo to-stderr >&2
touch go.wait; while [ -e go.wait ]; do sleep 0.05; done
echo "READY $(date +%s)" >state.tmp && mv state.tmp state
while [ ! -e finish ]; do sleep 0.05; done
echo "COMPLETED 0 $(date +%s)" >state')
id=$(et submit "$d")
is "$?" 0 "submit succeeds"
like "$id" '^[0-9]+$' "the native id is a process group id"
ok "the job runs after the submitting process exited" pid_alive "$id"
ok "the job is the leader of its own process group" test "$(ps -o pgid= -p "$id" | tr -d ' ')" = "$id"
like "$(wait_state "$d" "$id" RUNNING)" '^RUNNING -1' "poll says RUNNING"
rm -f "$d/go.wait"
like "$(wait_state "$d" "$id" READY)" '^READY' "the state file's READY is reported"
touch "$d/finish"
is "$(wait_state "$d" "$id" COMPLETED)" "COMPLETED 0 -" "exit 0 is COMPLETED"
is "$(cat "$d/out.log")" "to-stdout" "stdout goes to out.log"
is "$(cat "$d/err.log")" "to-stderr" "stderr goes to err.log"
like "$(cat "$d/local.exit")" '^EXIT 0 [0-9]+$' "the outcome is recorded"
ok "nothing of the job is left" bash -c "! kill -0 -$id 2>/dev/null"

# A failing job: the script's reason and exit code are reported.
d=$(new_job fail 'echo "FAILED 3 $(date +%s) redis never answered PING" >state; exit 3')
id=$(et submit "$d")
is "$(wait_state "$d" "$id" FAILED)" "FAILED 3 redis never answered PING" \
	"a non-zero exit is FAILED with the script's reason"

# Background processes left behind by a finished script are stopped, including one
# that started its own session (setsid) and so left the job's process group.
d=$(new_job leftover 'sleep 300 & echo $! >bg.pid
setsid sleep 300 & echo $! >escaped.pid
sleep 0.2; exit 0')
id=$(et submit "$d")
is "$(wait_state "$d" "$id" COMPLETED)" "COMPLETED 0 -" "the script itself completed"
for f in bg escaped; do
	ok "its $f process is gone" pid_file_gone "$d/$f.pid"
done

# Time limit from resources.time: TERM, then the job is TIMEOUT.
d=$(new_job slow 'trap "echo got TERM; exit 143" TERM
sleep 300 & echo $! >bg.pid; wait')
id=$(et submit "$d" 1)
is "$(wait_state "$d" "$id" TIMEOUT 15)" "TIMEOUT -1 time limit of 1 s reached" \
	"a job over its time limit is TIMEOUT"
is "$(cat "$d/out.log")" "got TERM" "the job got TERM first"
ok "its background process is gone" pid_file_gone "$d/bg.pid"

# A job that ignores TERM is killed after the grace period.
d=$(new_job stubborn 'trap "" TERM; echo $$ >me.pid; while :; do sleep 0.1; done')
id=$(et submit "$d" 1)
like "$(wait_state "$d" "$id" TIMEOUT 25)" '^TIMEOUT' "a job ignoring TERM still ends at its limit"
ok "and its process is gone" pid_file_gone "$d/me.pid"

# Cancel: every process of the job is gone when cancel returns, also escaped ones.
d=$(new_job cancel 'echo "RUNNING $(date +%s)" >state
sleep 300 & echo $! >bg.pid
setsid sleep 300 & echo $! >escaped.pid
wait')
id=$(et submit "$d")
like "$(wait_state "$d" "$id" RUNNING)" '^RUNNING' "the job to cancel runs"
for _ in $(seq 50); do [ -s "$d/escaped.pid" ] && break; sleep 0.1; done
out=$(et cancel "$d" "$id")
is "$out" "CANCELLED -1 cancelled" "cancel reports CANCELLED"
ok "the job's group is gone" bash -c "! kill -0 -$id 2>/dev/null"
ok "its escaped process is gone" pid_file_gone "$d/escaped.pid"
is "$(et poll "$d" "$id")" "CANCELLED -1 cancelled" "a later poll still says CANCELLED"

# A job whose processes vanish (supervisor and group killed) is FAILED, not RUNNING.
d=$(new_job vanish 'sleep 300')
id=$(et submit "$d")
read -r _ sup _ <"$d/local.pid"
kill -KILL "$sup" 2>/dev/null
kill -KILL -- "-$id" 2>/dev/null
like "$(wait_state "$d" "$id" FAILED)" '^FAILED -1 vanished' "a vanished job is FAILED (vanished)"

# A missing script is refused at submission.
mkdir -p "$SCRATCH/empty"
out=$(et submit "$SCRATCH/empty" 2>&1)
is "$?" 1 "submitting a folder without job.sh fails"
like "$out" "no such job script" "and says why"

done_testing
