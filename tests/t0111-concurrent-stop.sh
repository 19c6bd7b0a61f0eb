#!/usr/bin/env bash
# Concurrent `stop`s of one job (issue 14, defect 9): three at once used to each report
# the job as stopped by them. Exactly one says it stopped it (its id on stdout); the
# others say it already ended; all exit 0, and the service's processes are gone.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$SCRATCH" || exit 1
need redis-server

port=$(free_port)
cat >svc.yaml <<YAML
service:
  name: redis
  type: redis
  runtime: native
  command: redis-server
  ports: [$port]
  persistence: none
  health_check: {timeout: 20, interval: 0.2}
YAML
id=$(hb up svc.yaml 2>up.err)
is "$?" 0 "up exits 0"
pgid=$(hb status --json | python3 -c 'import json,sys
for r in json.load(sys.stdin)["runs"]:
    for j in r["jobs"]:
        if j["id"] == sys.argv[1]: print(j["native_id"])' "$id")
on_exit "kill -KILL -- -$pgid 2>/dev/null"
is "$(redis-cli -p "$port" ping)" PONG "the service answers"

for i in 1 2 3; do
	hb stop "$id" >"stop$i.out" 2>"stop$i.err" &
	pids[i]=$!
done
for i in 1 2 3; do
	wait "${pids[i]}"
	is "$?" 0 "stop #$i exits 0"
done
is "$(cat stop1.out stop2.out stop3.out | grep -c "^$id\$")" 1 \
	"exactly one of the three reports it stopped $id"
is "$(cat stop1.err stop2.err stop3.err | grep -c "$id already ended")" 2 \
	"the other two say it already ended"
ok "the service's process group is gone" bash -c "! kill -0 -- -$pgid 2>/dev/null"
like "$(hb status --all)" "$id +service +CANCELLED" "status says CANCELLED"

done_testing
