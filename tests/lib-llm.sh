#!/usr/bin/env bash
# Helpers for the LLM client tests (sourced after lib.sh): the fake streaming server
# (tests/helpers/llm-server.c) and reading result files.

LLM_SERVER=$BUILD/helpers/llm-server

# Servers started here, one PID a line. start_llm_server runs in a command substitution
# (a subshell), where track_pid would be lost: the file carries the PIDs to the test's
# own shell, which stops them when it exits.
LLM_PIDS=$SCRATCH/llm-server.pids
: >"$LLM_PIDS"
stop_llm_servers() {
	local p
	while read -r p; do stop_pid "$p"; done <"$LLM_PIDS"
}
on_exit stop_llm_servers

# start_llm_server [LLM-SERVER OPTIONS...]: starts the fake Ollama/OpenAI server on a
# free loopback port (chosen by the kernel), prints the port; it is stopped at exit.
start_llm_server() {
	local pf _
	pf=$(mktemp "$SCRATCH/llm-port.XXXXXX")
	rm -f "$pf"
	"$LLM_SERVER" --port-file "$pf" "$@" >>"$SCRATCH/llm-server.log" 2>&1 &
	echo $! >>"$LLM_PIDS"
	for _ in $(seq 100); do
		[ -s "$pf" ] && break
		sleep 0.05
	done
	[ -s "$pf" ] || { echo "llm-server did not start" >&2; return 1; }
	cat "$pf"
}

# llm_stat PORT NAME: one of the server's own counters (GET /stats).
llm_stat() {
	curl -s "http://127.0.0.1:$1/stats" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}

# jq_py FILE EXPR: evaluates a Python expression over the JSON file bound to r.
jq_py() {
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print(v if not isinstance(v, bool) else str(v).lower())' "$1" "$2"
}
