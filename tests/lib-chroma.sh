#!/usr/bin/env bash
# Helpers for tests that run a real Chroma server (npm chromadb, `chroma` on PATH).
# Source after tests/lib.sh.

CHROMA_BIN=$(command -v chroma || true)
export VEC_TOOL=$BUILD/helpers/vec-tool

# start_chroma: starts `chroma run` on a free port with its data in $SCRATCH/chroma-PORT,
# waits for /api/v2/heartbeat, prints the port. Its PID is in $SCRATCH/chroma-PORT/pid.
start_chroma() {
	local port dir _
	port=$(free_port)
	dir=$SCRATCH/chroma-$port
	mkdir -p "$dir"
	"$CHROMA_BIN" run --path "$dir/data" --host 127.0.0.1 --port "$port" >"$dir/log" 2>&1 &
	echo $! >"$dir/pid"
	track_pid $!
	for _ in $(seq 300); do
		if curl -sf "http://127.0.0.1:$port/api/v2/heartbeat" >/dev/null 2>&1; then
			echo "$port"
			return 0
		fi
		sleep 0.1
	done
	echo "chroma did not start: $(tail -3 "$dir/log")" >&2
	return 1
}

# chroma_api PORT PATH: GET of a collections path of the default tenant and database.
chroma_api() {
	curl -s "http://127.0.0.1:$1/api/v2/tenants/default_tenant/databases/default_database/collections$2"
}

# chroma_count PORT NAME: the server's own count of collection NAME (empty if none).
chroma_count() {
	local id
	id=$(chroma_api "$1" "/$2" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("id",""))' 2>/dev/null)
	[ -n "$id" ] && chroma_api "$1" "/$id/count"
}

# jv FILE EXPR: evaluates a Python expression over the JSON file bound to r.
jv() {
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
