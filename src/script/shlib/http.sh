# HTTP GET probe: succeeds on a 2xx/3xx answer. $1 URL (http://HOST:PORT/PATH or https).
hb_probe_http() {
	local url=$1 hostport path status
	if command -v curl >/dev/null; then
		curl -ksfo /dev/null --max-time 5 "$url"
		return
	fi
	[ "${url#http://}" != "$url" ] || return 1
	hostport=${url#http://}
	path=/${hostport#*/}
	[ "$hostport" != "${hostport#*/}" ] || path=/
	hostport=${hostport%%/*}
	exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}" || return 1
	printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$hostport" >&3
	read -r -t 5 _ status _ <&3 || status=
	exec 3<&-
	[[ $status == [23]?? ]]
}
