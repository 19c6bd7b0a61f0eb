# --- service jobs: port choice, start, readiness, endpoint files ---
HB_PORT_LOCK=
HB_CADVISOR_PORT=

# True if TCP port $1 is in use on this node: listening, or the local port of any
# connection (a server cannot bind it then). grep over the kernel's socket tables,
# because a busy node lists many thousands of connections.
hb_port_busy() {
	local hex
	printf -v hex '%04X' "$1"
	if [ -r /proc/net/tcp ]; then
		grep -qE "^ *[0-9]+: [0-9A-F]+:$hex " /proc/net/tcp /proc/net/tcp6 2>/dev/null
		return
	fi
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Chooses a free TCP port into HB_CHOSEN_PORT: $1 when free, else a random free one,
# never $2. Holds a per-node lock (fd 8) until hb_port_release, so that two jobs
# starting together do not pick the same port; whatever the job starts meanwhile must
# not inherit fd 8 (8>&-), or it would hold the lock for its whole life.
# shellcheck disable=SC2034 # HB_CHOSEN_PORT is read by the job
hb_choose_port() {
	local p=$1 tries=0 low=32768 _
	# Random ports come from below the kernel's ephemeral range, where outgoing
	# connections do not take them.
	if [ -r /proc/sys/net/ipv4/ip_local_port_range ]; then
		read -r low _ </proc/sys/net/ipv4/ip_local_port_range
	fi
	[ "$low" -gt 11024 ] || low=61024
	if [ -z "$HB_PORT_LOCK" ] && command -v flock >/dev/null; then
		exec 8>"${TMPDIR:-/tmp}/hpcbench-ports-$(id -u).lock"
		HB_PORT_LOCK=1
		flock -w 120 8 || true
	fi
	while hb_port_busy "$p" || [ "$p" = "${2:-}" ]; do
		tries=$((tries + 1))
		[ "$tries" -le 200 ] || hb_fail "no free TCP port found on $(hostname)"
		p=$((10000 + RANDOM % (low - 10000)))
	done
	HB_CHOSEN_PORT=$p
}

# Releases the port lock (once the server listens, or when the job ends).
hb_port_release() {
	if [ -n "$HB_PORT_LOCK" ]; then
		exec 8>&-
		HB_PORT_LOCK=
	fi
}

# Starts the server in the background; its PID is HB_PID.
hb_start() {
	"$@" 8>&- &
	HB_PID=$!
}

# Probes until "$@" succeeds: $1 timeout (s), $2 interval (s), then the probe command.
hb_wait_ready() {
	local timeout=$1 interval=$2 start now
	shift 2
	printf -v start '%(%s)T' -1
	while :; do
		if ! kill -0 "$HB_PID" 2>/dev/null; then
			wait "$HB_PID" 2>/dev/null || true
			HB_PID=
			hb_fail "the server exited before it was ready (see out.log and err.log)"
		fi
		if [ -n "$HB_PORT_LOCK" ] && hb_port_busy "$HPCBENCH_PORT"; then
			hb_port_release
		fi
		if "$@" >/dev/null 2>&1; then
			hb_port_release
			return 0
		fi
		printf -v now '%(%s)T' -1
		if [ $((now - start)) -ge "$timeout" ]; then
			hb_fail "not ready after ${timeout}s (probe: $*)"
		fi
		sleep "$interval"
	done
}

# Escapes $1 for a JSON string into HB_JSON.
hb_json() {
	local s=${1//\\/\\\\}
	s=${s//\"/\\\"}
	HB_JSON=$s
}

# Writes endpoint.env then endpoint.json (a reader waits for the latter): $1 scheme.
hb_endpoint() {
	local scheme=$1 host url now
	host=${HPCBENCH_ADVERTISE_HOST:-$(hostname)}
	url="$scheme://$host:$HPCBENCH_PORT"
	printf -v now '%(%Y-%m-%dT%H:%M:%S%z)T' -1
	{
		printf 'HPCBENCH_TARGET_HOST=%q\n' "$host"
		printf 'HPCBENCH_TARGET_PORT=%q\n' "$HPCBENCH_PORT"
		printf 'HPCBENCH_TARGET_URL=%q\n' "$url"
		printf 'HPCBENCH_TARGET_TYPE=%q\n' "$HB_TYPE"
		printf 'HPCBENCH_TARGET_JOB_ID=%q\n' "$HB_JOB_ID"
		printf 'HPCBENCH_TARGET_CADVISOR_PORT=%q\n' "${HB_CADVISOR_PORT:-}"
	} | hb_write "$JOB_DIR/endpoint.env"
	hb_json "$host"
	local jhost=$HB_JSON
	hb_json "$url"
	printf '{"host":"%s","port":%s,"url":"%s","job_id":"%s","type":"%s","ready_at":"%s"%s}\n' \
		"$jhost" "$HPCBENCH_PORT" "$HB_JSON" "$HB_JOB_ID" "$HB_TYPE" "$now" \
		"${HB_CADVISOR_PORT:+,\"cadvisor_port\":$HB_CADVISOR_PORT}" |
		hb_write "$JOB_DIR/endpoint.json"
}
