# Prints prometheus://HOST:PORT of the recipe's Prometheus ($1: its job folder) once its
# endpoint.json exists, waiting up to $2 s; returns 1 (prints nothing) if it never
# comes or the job ended: the load then runs without server metrics.
hb_metrics_prometheus() {
	local dir=$1 timeout=$2 start now state
	printf -v start '%(%s)T' -1
	until [ -e "$dir/endpoint.json" ]; do
		state=
		[ -r "$dir/state" ] && read -r state _ <"$dir/state"
		case $state in COMPLETED | FAILED) return 1 ;; esac
		printf -v now '%(%s)T' -1
		[ $((now - start)) -lt "$timeout" ] || return 1
		sleep 1
	done
	(
		# shellcheck source=/dev/null
		. "$dir/endpoint.env"
		printf 'prometheus://%s:%s' "$HPCBENCH_TARGET_HOST" "$HPCBENCH_TARGET_PORT"
	)
}
