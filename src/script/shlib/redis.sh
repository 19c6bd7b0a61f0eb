# Redis probe: PING over RESP (AUTH first when $JOB_DIR/secrets/redis_password exists).
hb_probe_redis() {
	local reply pw LC_ALL=C
	exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
	if [ -r "$JOB_DIR/secrets/redis_password" ]; then
		IFS= read -r -d '' pw <"$JOB_DIR/secrets/redis_password" || true
		printf '*2\r\n\0444\r\nAUTH\r\n\044%d\r\n%s\r\n' "${#pw}" "$pw" >&3
		read -r -t 5 reply <&3 || reply=
		[[ $reply == +OK* ]] || { exec 3<&-; return 1; }
	fi
	printf '*1\r\n\0444\r\nPING\r\n' >&3
	read -r -t 5 reply <&3 || reply=
	exec 3<&-
	[[ $reply == +PONG* ]]
}
