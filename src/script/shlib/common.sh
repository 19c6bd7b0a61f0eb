# --- hpcbench job library (generated; the same in every job) ---
HB_PID=
HB_REASON=
HB_STOPPING=0
HB_SIDECARS=()

# Writes the job's state file atomically: "RUNNING <epoch>", "READY <epoch>", ...
hb_state() {
	local state=$1 now
	shift
	printf -v now '%(%s)T' -1
	if [ "$#" -gt 1 ]; then
		printf '%s %s %s %s\n' "$state" "$1" "$now" "${*:2}" >"$JOB_DIR/state.tmp.$$"
	elif [ "$#" -eq 1 ]; then
		printf '%s %s %s\n' "$state" "$1" "$now" >"$JOB_DIR/state.tmp.$$"
	else
		printf '%s %s\n' "$state" "$now" >"$JOB_DIR/state.tmp.$$"
	fi
	mv -f "$JOB_DIR/state.tmp.$$" "$JOB_DIR/state"
}

# Stops the job with a message in err.log; the EXIT trap writes the FAILED state.
hb_fail() {
	HB_REASON=$*
	printf 'hpcbench: %s\n' "$*" >&2
	exit 1
}

# Stops one process: TERM, then KILL after 10 s.
hb_stop_pid() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

hb_on_exit() {
	local rc=$? pid
	trap - EXIT TERM INT
	if [ -n "$HB_PID" ]; then
		hb_stop_pid "$HB_PID"
	fi
	for pid in "${HB_SIDECARS[@]}"; do
		hb_stop_pid "$pid"
	done
	if [ "$HB_STOPPING" = 1 ] && [ "$HB_KIND" = service ]; then
		rc=0
	fi
	# Stopped (hpcbench stop, the end of a session, scancel): CANCELLED, as status says.
	if [ "$HB_STOPPING" = 1 ]; then
		hb_state CANCELLED "$rc" "$HB_REASON"
	elif [ "$rc" -eq 0 ]; then
		hb_state COMPLETED 0
	else
		hb_state FAILED "$rc" "${HB_REASON:-exit status $rc}"
	fi
	exit "$rc"
}

hb_on_signal() {
	HB_STOPPING=1
	HB_REASON="stopped by a signal"
	exit 143
}

# Runs a command in the background and waits for it, so that a TERM reaches the trap
# at once; the command's status becomes ours.
hb_run() {
	local rc=0
	"$@" &
	HB_PID=$!
	wait "$HB_PID" || rc=$?
	HB_PID=
	return "$rc"
}

# Writes a file atomically from stdin.
hb_write() {
	cat >"$1.tmp.$$"
	mv -f "$1.tmp.$$" "$1"
}
