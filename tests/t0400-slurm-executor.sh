#!/usr/bin/env bash
# The SLURM executor against a real single-node SLURM (slurmctld + slurmd + munge, no
# accounting): submit, poll to completion with exit codes and reasons, READY from the
# job's state file, cancel, client dependencies with --kill-on-invalid-dep, the
# environment scrub, and the state-file fallback for jobs SLURM no longer knows.
# shellcheck disable=SC2016 # job bodies are single-quoted on purpose: they run in the job
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-cluster.sh
. "$(dirname "$0")/lib-cluster.sh"

tool=$BUILD/helpers/exec-tool
[ -x "$tool" ] || bail "exec-tool helper not built"
need slurmctld slurmd munged mungekey
start_slurm || bail "slurm did not start"
et() { timeout 120 "$tool" slurm "$@"; }

# new_job NAME BODY: a job folder whose job.sh (with an #SBATCH header) runs BODY.
new_job() {
	local d=$SCRATCH/run/$1
	mkdir -p "$d"
	printf '#!/bin/bash\n#SBATCH --job-name=hb-%s\n%s\n' "$1" "$2" >"$d/job.sh"
	echo "$d"
}

# wait_for DIR ID STATE: polls (one exec-tool poll each) until the first word is STATE.
wait_for() {
	local s _
	for _ in $(seq 100); do
		s=$(et poll "$1" "$2")
		[ "${s%% *}" = "$3" ] && break
		sleep 0.2
	done
	echo "$s"
}

out=$(et open)
like "$out" "bin=/" "open: job scripts run hpcbench by absolute path"
out=$(PATH=/nonexistent "$tool" slurm open 2>&1)
is "$?" 3 "no sbatch on this machine: exit 3 (no cluster here)"
like "$out" "no SLURM here: .*sbatch.*--executor ssh" "with advice"
out=$(SLURM_CONF=$SCRATCH/missing.conf "$tool" slurm open 2>&1)
is "$?" 3 "a SLURM_CONF that does not exist: exit 3 at once"
like "$out" "SLURM_CONF names $SCRATCH/missing.conf, which cannot be read" "and says so"

# A failing job: exit code and the script's own reason.
d=$(new_job fail 'echo "RUNNING $(date +%s)" >state
echo hello from the job
echo "FAILED 3 $(date +%s) redis never answered PING" >state
exit 3')
id=$(et submit "$d")
is "$?" 0 "sbatch --parsable submission succeeds"
like "$id" '^[0-9]+$' "the native id is the SLURM job id"
out=$(et wait 60 "$d" "$id" 2>"$SCRATCH/wait.err")
is "$out" "FAILED 3 redis never answered PING" "a failing job is FAILED with its exit code and reason"
is "$(cat "$d/out.log")" "hello from the job" "its stdout is in JOB_DIR/out.log"
is "$(et nodes "$d" "$id")" "$SLURM_NODE" "poll reports the node"
like "$(cat "$SCRATCH/wait.err")" "^polls [0-9]+$" "wait follows the executor's poll advice"

# A service-like job: READY comes from its state file while SLURM says RUNNING.
d=$(new_job svc 'echo "RUNNING $(date +%s)" >state
echo "READY $(date +%s)" >state.tmp && mv state.tmp state
while [ ! -e finish ]; do sleep 0.1; done
echo "COMPLETED 0 $(date +%s)" >state')
id=$(et submit "$d" 600)
like "$(wait_for "$d" "$id" READY)" "^READY -1" "RUNNING + state file READY is READY"
is "$(sq -h -j "$id" -o '%l')" "10:00" "the time limit reaches sbatch"
touch "$d/finish"
is "$(et wait 60 "$d" "$id" 2>/dev/null)" "COMPLETED 0 -" "exit 0 is COMPLETED"

# Cancel leaves nothing in the queue.
d=$(new_job cancel 'echo "RUNNING $(date +%s)" >state; sleep 300')
id=$(et submit "$d")
wait_for "$d" "$id" RUNNING >/dev/null
out=$(et cancel "$d" "$id")
is "$?" 0 "scancel succeeds"
like "$out" "^(CANCELLED|RUNNING)" "cancel polls once: the job shows its new state"
like "$(et wait 30 "$d" "$id" 2>/dev/null)" "^CANCELLED" "a cancelled job is CANCELLED"
is "$(job_ids_in_queue)" "" "squeue has no pending or running job left"

# A client after its service (after: = once the service started, or was cancelled):
# it waits with reason Dependency. When the service is cancelled while pending, SLURM
# releases the client, which then fails on its missing endpoint instead of hanging.
dsvc=$(new_job held '#SBATCH --begin=now+1hour
sleep 300')
svc=$(et submit "$dsvc")
dcli=$(new_job client 'if [ ! -e ../held/endpoint.json ]; then
	echo "FAILED 1 $(date +%s) no endpoint from the service" >state; exit 1
fi')
cli=$(et submit "$dcli" --after "$svc")
out=$(et poll "$dsvc" "$svc" "$dcli" "$cli")
is "$out" "PENDING -1 BeginTime
PENDING -1 Dependency" "pending jobs keep their reasons (one poll for both)"
like "$(timeout 15 scontrol show job "$cli")" "Dependency=after:${svc}[(]unfulfilled[)]" \
	"the client depends on the service (after:)"
ok "cancel the service" et cancel "$dsvc" "$svc"
out=$(et wait 30 "$dcli" "$cli" 2>/dev/null)
is "$out" "FAILED 1 no endpoint from the service" "the released client fails instead of waiting forever"
is "$(job_ids_in_queue)" "" "nothing left in squeue"

# Inherited SLURM_*/SBATCH_* (as inside another job) must not leak into the submission.
d=$(new_job scrub 'env | grep -E "^(SLURM_FOO|SBATCH_)" | sort; echo "name=$SLURM_JOB_NAME"')
id=$(SLURM_FOO=leak SBATCH_JOB_NAME=hijacked SBATCH_TIMELIMIT=1 et submit "$d")
et wait 60 "$d" "$id" >/dev/null 2>&1
is "$(cat "$d/out.log")" "name=hb-scrub" "inherited SBATCH_*/SLURM_* are scrubbed"

# Jobs SLURM does not know (purged; accounting disabled): the job's state file decides,
# and a job without a final state is reported as vanished, never as COMPLETED.
d=$(new_job gone-ok ':')
echo "COMPLETED 0 1764426000" >"$d/state"
is "$(et poll "$d" 999991)" "COMPLETED 0 -" "a forgotten job with a final state file"
d=$(new_job gone-running ':')
echo "RUNNING 1764426000" >"$d/state"
like "$(et poll "$d" 999992)" "^FAILED -1 vanished: .*says 'RUNNING 1764426000'" \
	"a forgotten job whose state file says RUNNING vanished"
d=$(new_job gone-nothing ':')
like "$(et poll "$d" 999993)" "^FAILED -1 vanished: .*state file is missing" \
	"a forgotten job without a state file vanished"

# Bad submissions fail with sbatch's reason.
d=$(new_job bad '#SBATCH --partition=no-such-partition
true')
out=$(et submit "$d" 2>&1)
is "$?" 1 "a refused submission exits 1"
like "$out" "sbatch failed \(exit 1\): .*(invalid partition|Invalid partition)" "and quotes sbatch"

# A controller that does not answer is an unreachable cluster (exit 3), not a failure.
is "$(job_ids_in_queue)" "" "no job is running before the controller stops"
stop_pid "$SLURMCTLD_PID"
d=$(new_job late ':')
out=$(et poll "$d" 1 2>&1)
is "$?" 3 "a poll without a SLURM controller exits 3"
like "$out" "squeue: the SLURM controller does not answer" "and says so"

done_testing
