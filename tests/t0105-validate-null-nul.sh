#!/usr/bin/env bash
# Hostile recipe values caught by `validate` with FILE:LINE:COL (issue 14, defects 1
# and 6): a name written with no value (it used to validate, then crash render/run/up),
# and a NUL byte in any string value (it used to cut the value silently).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 1

# check NAME YAML LINE:COL MESSAGE-REGEX: validate and render both refuse it, exit 2.
check() {
	local name=$1 yaml=$2 at=$3 msg=$4 out rc
	printf '%b\n' "$yaml" >"$name.yaml"
	out=$(hb validate "$name.yaml" 2>&1)
	rc=$?
	is "$rc" 2 "$name: validate exits 2"
	like "$out" "^$name.yaml:$at: $msg" "  with FILE:LINE:COL and the reason"
	out=$(hb render "$name.yaml" --out "$SCRATCH/r-$name" 2>&1)
	rc=$?
	is "$rc" 2 "  render exits 2 too (no crash)"
	ok "  and writes nothing" test ! -e "$SCRATCH/r-$name"
}

check null-name 'service: {name: ~, type: redis, runtime: native}' 1:17 \
	"service.name: expected a name, got nothing"
check empty-name 'service:\n  name:\n  type: redis\n  runtime: native' 2:8 \
	"service.name: expected a name, got nothing"
check bare-name 'service: {name, type: redis}' '1:[0-9]+' \
	"service.name: expected a name, got nothing"
check null-client-name \
	'services: [{name: r, type: redis, runtime: native}]\nclients:\n  - {name: null, type: redis, target_service: {name: r}}' \
	3:12 "client.name: expected a name, got nothing"
check null-monitoring-name \
	'service: {name: r, type: redis, runtime: native}\nmonitoring: {name: ~, runtime: native}' \
	2:20 "monitoring.name: expected a name, got nothing"

check nul-command \
	'service:\n  name: r\n  type: generic\n  runtime: native\n  command: "redis-server\\0; touch /tmp/x"' \
	5:12 'a NUL byte \(\\0\) in a value is not allowed'
check nul-env 'service: {name: r, type: redis, runtime: native, environment: {A: "x\\0y"}}' \
	'1:[0-9]+' 'a NUL byte'
check nul-key 'service: {name: r, type: redis, runtime: native, environment: {"A\\0B": x}}' \
	'1:[0-9]+' 'a NUL byte'
check nul-arg 'service: {name: r, type: redis, runtime: native, args: ["--a", "b\\0c"]}' \
	'1:[0-9]+' 'a NUL byte'

# A value of the wrong YAML kind anywhere is an error, never a crash later.
check list-type 'service: {name: r, type: [redis], runtime: native}' '1:[0-9]+' \
	'service.*type'
check map-command 'service: {name: r, type: generic, runtime: native, command: {a: 1}}' \
	'1:[0-9]+' 'service'

# The same recipe without the hostile value is fine (the checks are not blanket refusals).
printf 'service: {name: r, type: redis, runtime: native}\n' >good.yaml
out=$(hb validate good.yaml 2>&1)
is "$?" 0 "the same recipe with a name validates"
printf 'service:\n  name: r\n  type: generic\n  runtime: native\n  command: "redis-server --port 1"\n' >good2.yaml
hb render good2.yaml --out "$SCRATCH/r-good2" >/dev/null 2>&1
is "$?" 0 "a command without NUL renders"
ok "  and keeps the whole command" grep -rq -- 'redis-server --port 1' "$SCRATCH/r-good2"

done_testing
