# Sets HPCBENCH_TARGET_HOST/PORT/URL from an endpoint given as a URL or HOST:PORT:
# $1 the endpoint, $2 the port when it names none, $3 the URL scheme for HOST:PORT.
# shellcheck disable=SC2034 # the job exports them
hb_target_endpoint() {
	local ep=$1 hp
	hp=${ep#*://}
	hp=${hp%%/*}
	HPCBENCH_TARGET_HOST=${hp%:*}
	HPCBENCH_TARGET_PORT=${hp##*:}
	if [ "$hp" = "${hp%:*}" ]; then
		HPCBENCH_TARGET_PORT=$2
		hp="$hp:$2"
	fi
	case $ep in
	*://*) HPCBENCH_TARGET_URL=$ep ;;
	*) HPCBENCH_TARGET_URL="$3://$hp" ;;
	esac
}
