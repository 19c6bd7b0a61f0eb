#!/usr/bin/env bash
# Shared helpers for end-to-end tests (sourced). Each test runs in its own scratch
# folder, starts the real servers it needs on loopback, prints TAP, and stops what it
# started by PID when it exits.
#
#   . "$(dirname "$0")/lib.sh"
#   port=$(start_redis)              # redis-server in $SCRATCH, PID recorded
#   ok "redis answers" redis-cli -p "$port" ping
#   is "$(hb validate x.yaml; echo $?)" 2 "bad recipe exits 2"
#   done_testing
set -uo pipefail

# Debian installs the daemons the tests start (sshd, slurmctld, munged, nginx, mariadbd)
# in sbin, which a non-root or non-login PATH lacks.
for _d in /usr/local/sbin /usr/sbin /sbin; do
	case ":$PATH:" in *":$_d:"*) ;; *) PATH=$PATH:$_d ;; esac
done
export PATH
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${HPCBENCH_BUILD:-$TOP/build}
HPCBENCH=$BUILD/hpcbench
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/hpcbench-t.XXXXXX")
chmod 755 "$SCRATCH"
export HOME_ORIG=${HOME:-/root}
# Keep tests away from the user's own config and state.
export XDG_CONFIG_HOME=$SCRATCH/config XDG_STATE_HOME=$SCRATCH/state
unset HPCBENCH_CONFIG
_test_n=0
_test_failed=0
_pids=()
_cleanups=()

# Runs hpcbench from the build under test.
hb() { "$HPCBENCH" "$@"; }

_tap() {
	_test_n=$((_test_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $_test_n - $2"
	else
		echo "not ok $_test_n - $2"
		_test_failed=$((_test_failed + 1))
	fi
}

# ok DESCRIPTION CMD...: passes if CMD exits 0.
ok() {
	local desc=$1
	shift
	if "$@" >"$SCRATCH/.ok.out" 2>&1; then
		_tap 0 "$desc"
	else
		_tap 1 "$desc"
		sed 's/^/#   /' "$SCRATCH/.ok.out" | head -40
	fi
}

# is GOT WANT DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then
		_tap 0 "$3"
	else
		_tap 1 "$3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2" | head -40
	fi
}

# like TEXT REGEX DESCRIPTION (extended regex, text may span lines)
like() {
	# A here-string, not a pipe: under pipefail, grep -q quitting early would fail printf.
	if grep -qE -- "$2" <<<"$1"; then
		_tap 0 "$3"
	else
		_tap 1 "$3"
		printf '#   text: %s\n#   does not match: %s\n' "$(head -20 <<<"$1")" "$2"
	fi
}

# unlike TEXT REGEX DESCRIPTION
unlike() {
	if grep -qE -- "$2" <<<"$1"; then
		_tap 1 "$3"
		printf '#   text: %s\n#   matches: %s\n' "$(head -20 <<<"$1")" "$2"
	else
		_tap 0 "$3"
	fi
}

# cmp_num A OP B DESCRIPTION  (OP: -lt -le -gt -ge -eq; floats allowed)
cmp_num() {
	if awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN {
		r = (op=="-lt") ? a<b : (op=="-le") ? a<=b : (op=="-gt") ? a>b : (op=="-ge") ? a>=b : a==b;
		exit !r }'; then
		_tap 0 "$4"
	else
		_tap 1 "$4"
		echo "#   $1 $2 $3 is false"
	fi
}

# The suite assumes a machine set up by scripts/install-deps.sh (tests/preflight.sh
# checks the rest): a missing program, or a server that does not start, is a failure
# with its reason, never a skip. skip_all remains for what no package can provide; the
# runner counts a file that ran no test as failed all the same. tests/run.sh names
# the reason of a skip.
skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

# bail REASON: ends the test file now as failed, with REASON as its last result.
bail() {
	_tap 1 "$1"
	echo "1..$_test_n"
	exit 1
}

# need PROGRAM...: bails unless every PROGRAM is on PATH (a word with a slash is a path
# or a glob, e.g. /usr/lib/postgresql/*/bin/initdb).
need() {
	local p missing=()
	for p in "$@"; do
		case $p in
		*/*) [ -n "$(compgen -G "$p")" ] || missing+=("$p") ;;
		*) command -v "$p" >/dev/null || missing+=("$p") ;;
		esac
	done
	[ ${#missing[@]} -eq 0 ] ||
		bail "missing ${missing[*]}: the machine is not set up (run: bash scripts/install-deps.sh)"
}

# json_strict FILE...: true when each file is strict JSON (a .jsonl file: each line):
# no key twice in an object, no NaN/Infinity, UTF-8 (tests/helpers/json-strict.py).
json_strict() { python3 "$TOP/tests/helpers/json-strict.py" "$@"; }

# json_unchecked FILE...: files the test writes as bad JSON on purpose (input for a
# negative test), left out of the check done_testing makes.
_json_unchecked=()
json_unchecked() { _json_unchecked+=("$@"); }

# Every .json/.jsonl file under $SCRATCH (results, endpoint and state files, run
# folders) must be strict JSON: one more test, when the test wrote any.
_json_scan() {
	local files=() f u skip
	while IFS= read -r -d '' f; do
		skip=
		for u in "${_json_unchecked[@]}"; do [ "$f" -ef "$u" ] && skip=1; done
		[ -n "$skip" ] || files+=("$f")
	done < <(find "$SCRATCH" -type f \( -name '*.json' -o -name '*.jsonl' \) -size -64M \
		-print0 2>/dev/null)
	[ ${#files[@]} -gt 0 ] || return 0
	ok "the ${#files[@]} JSON files written are strict JSON" json_strict "${files[@]}"
}

done_testing() {
	_json_scan
	echo "1..$_test_n"
	[ "$_test_failed" -eq 0 ]
}

# Records a PID to be stopped when the test ends. Also written to a file, because
# helpers such as start_redis run in a command substitution (a subshell) whose
# variables never reach the test.
track_pid() {
	_pids+=("$1")
	echo "$1" >>"$SCRATCH/.pids"
}
# Records a command to run when the test ends (before PIDs are stopped).
on_exit() { _cleanups+=("$*"); }

# True while PID is alive and not a zombie.
pid_alive() {
	local st
	[ -r "/proc/$1/stat" ] || return 1
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# Stops PID: TERM, wait up to 5 s, then KILL.
stop_pid() {
	local pid=$1 _
	pid_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 50); do
		pid_alive "$pid" || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

_lib_exit() {
	local c p
	for c in "${_cleanups[@]}"; do eval "$c" >/dev/null 2>&1; done
	for p in "${_pids[@]}"; do stop_pid "$p"; done
	if [ -f "$SCRATCH/.pids" ]; then
		while read -r p; do stop_pid "$p"; done <"$SCRATCH/.pids"
	fi
	if [ -z "${KEEP_SCRATCH:-}" ]; then rm -rf "$SCRATCH"; fi
}
trap _lib_exit EXIT

# Prints a free TCP port on 127.0.0.1 (bound briefly by the kernel's choice).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_port PORT [TIMEOUT_S]: waits until something accepts on 127.0.0.1:PORT.
wait_port() {
	local port=$1 t=${2:-10} _
	for _ in $(seq $((t * 20))); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
		sleep 0.05
	done
	return 1
}

# start_redis [EXTRA ARGS...]: starts redis-server on a free port in $SCRATCH/redis-PORT,
# prints the port. Its PID is in $SCRATCH/redis-PORT/pid.
# shellcheck disable=SC2120 # extra server arguments are optional
start_redis() {
	local port dir
	port=$(free_port)
	dir=$SCRATCH/redis-$port
	mkdir -p "$dir"
	redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly no \
		--daemonize no --logfile "$dir/log" "$@" >/dev/null 2>&1 &
	echo $! >"$dir/pid"
	track_pid $!
	wait_port "$port" 10 || { echo "redis did not start" >&2; return 1; }
	echo "$port"
}

# redis_pid PORT
redis_pid() { cat "$SCRATCH/redis-$1/pid"; }

# start_nginx: serves $SCRATCH/www on a free port with an access log; prints the port.
# Files: $SCRATCH/nginx-PORT/{access.log,error.log}. Workers may run as another user,
# so the served folder is world-readable.
start_nginx() {
	local port dir
	port=$(free_port)
	dir=$SCRATCH/nginx-$port
	mkdir -p "$dir" "$SCRATCH/www"
	chmod 755 "$SCRATCH/www"
	[ -f "$SCRATCH/www/index.html" ] || printf 'hello from nginx\n' >"$SCRATCH/www/index.html"
	chmod 644 "$SCRATCH/www/index.html"
	cat >"$dir/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 8192; }
http {
	access_log $dir/access.log;
	client_body_temp_path $dir/body;
	proxy_temp_path $dir/proxy;
	fastcgi_temp_path $dir/fastcgi;
	uwsgi_temp_path $dir/uwsgi;
	scgi_temp_path $dir/scgi;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$port;
		root $SCRATCH/www;
		location /echo { return 200 "echo\n"; }
	}
}
NGINX
	nginx -c "$dir/nginx.conf" -p "$dir" >/dev/null 2>&1 &
	track_pid $!
	wait_port "$port" 10 || { echo "nginx did not start" >&2; return 1; }
	echo "$port"
}
