#!/usr/bin/env bash
# Helpers for the job-script tests (sourced after lib.sh): render a recipe into a
# folder, then run one job the way the local executor does (bash JOB_DIR/job.sh in
# its own session, out.log/err.log in the job folder, loopback addresses).

RUN=$SCRATCH/run

# render_to DIR RECIPE [ARGS...]: hpcbench render -o DIR with a fixed run id, run
# folder and seed; prints the job ids in plan order.
render_to() {
	local dir=$1 recipe=$2
	shift 2
	hb render "$recipe" -o "$dir" --run-id t --run-dir "$RUN" --seed 7 --bin "$HPCBENCH" "$@" |
		sed 's|.*/||; s|\.sh$||'
}

# start_job DIR JOB_ID: copies the script and side files into $RUN/JOB_ID and starts
# it in the background; its PID is in JOB_PID (stopped by TERM when the test ends).
# TMPDIR=$SCRATCH gives the test's jobs their own port lock.
start_job() {
	local dir=$1 id=$2
	mkdir -p "$RUN/$id"
	if [ -d "$dir/$id" ]; then
		cp -a "$dir/$id/." "$RUN/$id/"
	fi
	cp "$dir/$id.sh" "$RUN/$id/job.sh"
	TMPDIR=$SCRATCH HPCBENCH_BIND_ADDR=127.0.0.1 HPCBENCH_ADVERTISE_HOST=127.0.0.1 \
		setsid bash "$RUN/$id/job.sh" >"$RUN/$id/out.log" 2>"$RUN/$id/err.log" &
	JOB_PID=$!
	track_pid "$JOB_PID"
}

# wait_file FILE [TIMEOUT_S]: waits until FILE exists.
wait_file() {
	local _
	for _ in $(seq $((${2:-20} * 10))); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_state JOB_DIR STATE [TIMEOUT_S]: waits until the job's state file starts with STATE.
wait_state() {
	local _ st
	for _ in $(seq $((${3:-20} * 10))); do
		st=
		[ -r "$1/state" ] && read -r st _ <"$1/state"
		[ "$st" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_exit PID [TIMEOUT_S]: waits until PID has exited; its status in JOB_RC.
# shellcheck disable=SC2034 # JOB_RC is read by the tests
wait_exit() {
	local _
	for _ in $(seq $((${2:-20} * 10))); do
		if ! pid_alive "$1"; then
			JOB_RC=0
			wait "$1" || JOB_RC=$?
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# json_get FILE KEY: a top-level value of a JSON object.
json_get() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# listening PORT: true if something listens on 127.0.0.1:PORT.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
