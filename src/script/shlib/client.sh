# Waits up to $2 s for the target's endpoint.json ($1: its job folder), then loads
# endpoint.env. Fails at once if the target job ended.
hb_wait_endpoint() {
	local dir=$1 timeout=$2 start now state
	printf -v start '%(%s)T' -1
	until [ -e "$dir/endpoint.json" ]; do
		state=
		[ -r "$dir/state" ] && read -r state _ <"$dir/state"
		case $state in
		COMPLETED | FAILED | CANCELLED) hb_fail "the target service ended before it was ready ($dir/state)" ;;
		esac
		printf -v now '%(%s)T' -1
		if [ $((now - start)) -ge "$timeout" ]; then
			hb_fail "no endpoint.json in $dir after ${timeout}s"
		fi
		sleep 1
	done
	# shellcheck source=/dev/null
	. "$dir/endpoint.env"
}
