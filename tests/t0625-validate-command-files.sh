#!/usr/bin/env bash
# A client command that names a file this machine does not have (the old tool's
# container scripts: python /app/x.py) is a validation warning with its position; the
# recognised old mysql_benchmark.py is not (it runs the built-in sql client), nor is a
# file that exists.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

seed=$TOP/tests/fixtures/seed-recipes
cat >"$SCRATCH/r.yaml" <<'EOF2'
services:
  - name: db
    type: redis
clients:
  - name: old
    command: python
    args: ["/app/other_benchmark.py", "--n", "3"]
  - name: tool
    command: /opt/nowhere/bin/runme
  - name: here
    command: /bin/sh
    args: ["-c", "true"]
EOF2
err=$(hb validate "$SCRATCH/r.yaml" 2>&1 >"$SCRATCH/out")
is "$?" 0 "a recipe whose commands name missing files still validates (exit 0)"
like "$(cat "$SCRATCH/out")" "r.yaml: ok \(1 service, 3 clients\)" "  and says ok"
like "$err" "r.yaml:7:12: warning: client.command: /app/other_benchmark.py does not exist on this machine; the job fails unless the compute nodes have it" \
	"  a warning at the script's position for python /app/other_benchmark.py"
like "$err" "r.yaml:9:14: warning: client.command: /opt/nowhere/bin/runme is not an executable file" \
	"  a warning for a missing program"
is "$(echo "$err" | grep -c warning)" 2 "  no warning for /bin/sh, which exists"

err=$(hb validate "$seed/clients/mysql_benchmark.yaml" 2>&1 >/dev/null)
is "$?" 0 "the old mysql_benchmark.yaml validates"
is "$err" "" "  without a warning: python /app/mysql_benchmark.py runs the built-in sql client"

done_testing
