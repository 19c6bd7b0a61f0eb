#!/usr/bin/env bash
# The old mysql_benchmark.yaml, end to end on this machine with the local executor:
# its MySQL service (runtime native, command mariadbd, as the seed names it otherwise)
# starts in the job's own data folder with --no-defaults on the chosen port, even as
# root; its client command `python /app/mysql_benchmark.py ...` runs the built-in sql
# client instead, and the transactions it reports are the ones MariaDB counted.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

command -v mariadbd >/dev/null || skip_all "no mariadbd"
seed=$TOP/tests/fixtures/seed-recipes

json() { jq -r "$2" "$1"; }

# The seed service with runtime native and MariaDB's binary name; the seed client with
# 4 connections of 25 transactions instead of 10 of 1000: its UPDATE scans the whole
# table, so concurrent transactions deadlock often and are retried (this machine is
# shared).
port=$(free_port)
python3 - "$seed/services/mysql.yaml" "$SCRATCH/svc.yaml" "$port" <<'PY'
import sys, yaml
r = yaml.safe_load(open(sys.argv[1]))
s = r["service"]
s["runtime"] = "native"
s["command"] = "mariadbd"
s["ports"] = [int(sys.argv[3])]
s["health_check"] = {"timeout": 120, "interval": 0.5}
yaml.safe_dump(r, open(sys.argv[2], "w"))
PY
python3 - "$seed/clients/mysql_benchmark.yaml" "$SCRATCH/client.yaml" <<'PY'
import sys, yaml
r = yaml.safe_load(open(sys.argv[1]))
r["client"]["parameters"]["transactions_per_client"] = 25
r["client"]["parameters"]["num_connections"] = 4
r["client"]["parameters"]["wait_for_service"] = 120
yaml.safe_dump(r, open(sys.argv[2], "w"))
PY

out=$(hb render "$SCRATCH/client.yaml" 2>&1)
like "$out" "load 'sql' \"mysql://[^ ]+ -c \"4\" --workload mysql_benchmark --phase prepare,run" \
	"render: the old script's command runs the built-in sql client"
unlike "$out" "mysql_benchmark.py" "  and the script that never existed here is not called"
unlike "$out" "benchmark_pass" "  and the password stays in its 0600 file"

id=$(hb up "$SCRATCH/svc.yaml" 2>"$SCRATCH/up.err")
is "$?" 0 "up of the mysql service (native, command mariadbd) exits 0"
on_exit "hb stop '$id'"
ep=$(hb endpoint "$id")
is "$ep" "mysql://127.0.0.1:$port" "  it listens on the chosen port"
svcdir=$(dirname "$(find "$XDG_STATE_HOME/hpcbench/runs" -path "*/$id/endpoint.json" | head -n 1)")
ok "  its data folder is the job's" test -d "$svcdir/data/mysql"
ok "  its socket is the job's" test -S "$svcdir/run/mysqld.sock"
has_cmd() { grep -q -- "$1" "$svcdir/job.sh"; }
ok "  and the server got --no-defaults" has_cmd '"mariadbd" --no-defaults'
# shellcheck disable=SC2016 # the literal word of the script
ok "  and the chosen port" has_cmd '--port="$HPCBENCH_PORT"'

mysql_root() {
	MYSQL_PWD=$(cat "$svcdir/secrets/root_password") mariadb --no-defaults \
		-S "$svcdir/run/mysqld.sock" -uroot -N -B -e "$1"
}
status() { mysql_root "SHOW GLOBAL STATUS LIKE '$1'" | awk '{print $2}'; }

ins0=$(status Com_insert)
com0=$(status Com_commit)
upd0=$(status Com_update)
hb run "$SCRATCH/client.yaml" --target-service "$id" --out "$SCRATCH/out" \
	>"$SCRATCH/run.out" 2>"$SCRATCH/run.err"
is "$?" 0 "run of the old client recipe exits 0"
res=$(find "$SCRATCH/out" -name result.json | head -n 1)
ok "  it wrote a result file" test -s "$res"
is "$(json "$res" .requests.ok)" 100 "  100 transactions (4 connections x 25)"
retries=$(json "$res" .sql.retries.total)
is "$(($(status Com_commit) - com0))" 100 "  MariaDB committed 100 (Com_commit)"
is "$(($(status Com_update) - upd0))" $((100 + retries)) \
	"  and ran one UPDATE per attempt (Com_update; $retries deadlocks retried)"
# +1: the 1000 rows the table starts with, in one INSERT, as the old script did.
is "$(($(status Com_insert) - ins0))" $((1 + 100 + retries)) "  and one INSERT per attempt"
is "$(mysql_root 'SELECT COUNT(*) FROM benchmark_db.benchmark_data')" 1100 \
	"  benchmark_data: 1000 seed rows and 100 committed"
is "$(json "$res" .client.parameters.user)" benchmark_user "  as the recipe's MYSQL_USER"
unlike "$(cat "$res" "$SCRATCH/run.out" "$SCRATCH/run.err")" "benchmark_pass" \
	"  the password is in no output"

hb stop "$id" >/dev/null 2>&1
is "$?" 0 "stop exits 0"

done_testing
