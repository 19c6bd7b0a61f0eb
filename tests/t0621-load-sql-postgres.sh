#!/usr/bin/env bash
# hpcbench load sql against a real PostgreSQL (libpq, prepared statements): the
# transactions it reports are the ones the server committed (pg_stat_database), and
# bad input ends in one clear message, exit 1, and no result file.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-sql.sh
. "$(dirname "$0")/lib-sql.sh"

[ -x "$PG_BIN/postgres" ] || skip_all "no postgres in $PG_BIN"
port=$(start_postgres) || { echo "Bail out! postgres did not start"; exit 1; }
url="postgres://bench@127.0.0.1:$port/bench"
pw=(--password-file "$SQL_PW_FILE")

# xact_commit of the bench database once every backend has reported (a backend
# flushes its counters when it exits, a moment after its client left): read until
# three reads in a row grow by exactly one each (each read is itself a committed
# transaction), for at most 15 s. Prints the count less every read made so far but
# the last (which the count does not include yet): reads never count as work.
echo 0 >"$SCRATCH/reads"
commits() {
	local a b same=0 reads _
	reads=$(($(cat "$SCRATCH/reads") + 1))
	a=$(pg_sql "$port" "SELECT xact_commit FROM pg_stat_database WHERE datname='bench'")
	for _ in $(seq 30); do
		sleep 0.5
		b=$(pg_sql "$port" "SELECT xact_commit FROM pg_stat_database WHERE datname='bench'")
		reads=$((reads + 1))
		if [ "$b" = $((a + 1)) ]; then same=$((same + 1)); else same=0; fi
		a=$b
		[ "$same" -lt 2 ] || break
	done
	echo "$reads" >"$SCRATCH/reads"
	echo $((b - (reads - 1)))
}

hb load sql "$url" "${pw[@]}" --workload select-only --phase prepare >/dev/null 2>&1
is "$?" 0 "--phase prepare of the pgbench tables exits 0"
is "$(pg_sql "$port" 'SELECT COUNT(*) FROM pgbench_accounts')" 100000 \
	"  pgbench_accounts holds 100000 rows (scale 1)"
is "$(pg_sql "$port" 'SELECT COUNT(*) FROM pgbench_tellers')" 10 "  and 10 tellers"

# The same run with N and 3N transactions: the server commits exactly 2N more (what
# a run costs besides its transactions, set-up and prepared statements, is the same).
commits >"$SCRATCH/c0"
c0=$(cat "$SCRATCH/c0")
hb load sql "$url" "${pw[@]}" --workload tpcb-like -c 3 -n 100 --json "$SCRATCH/a.json" \
	>/dev/null 2>&1
is "$?" 0 "tpcb-like -n 100 exits 0"
commits >"$SCRATCH/c1"
c1=$(cat "$SCRATCH/c1")
hb load sql "$url" "${pw[@]}" --workload tpcb-like -c 3 -n 300 --json "$SCRATCH/b.json" \
	>/dev/null 2>&1
is "$?" 0 "tpcb-like -n 300 exits 0"
commits >"$SCRATCH/c2"
c2=$(cat "$SCRATCH/c2")
is "$(((c2 - c1) - (c1 - c0)))" 200 \
	"  200 more transactions reported, 200 more committed (pg_stat_database.xact_commit)"
is "$(jq .requests.ok "$SCRATCH/b.json")" 300 "  the result counts 300 transactions"
is "$(jq -c .sql.queries "$SCRATCH/b.json")" '{"read":300,"write":1200,"other":600,"total":2100}' \
	"  of 1 SELECT, 4 writes, BEGIN and COMMIT each"
is "$(pg_sql "$port" 'SELECT COUNT(*) FROM pgbench_history')" 400 \
	"  pgbench_history got one row per transaction"
is "$(pg_sql "$port" 'SELECT (SELECT SUM(abalance) FROM pgbench_accounts) = (SELECT SUM(delta) FROM pgbench_history)')" \
	t "  and the balances moved by exactly the history's deltas"

# sysbench workloads on PostgreSQL.
hb load sql "$url" "${pw[@]}" --workload read_write --table-size 500 --phase prepare,run,cleanup \
	-c 2 -n 50 --json "$SCRATCH/rw.json" >"$SCRATCH/rw.out" 2>&1
is "$?" 0 "read_write with prepare and cleanup exits 0"
is "$(jq -c .sql.queries "$SCRATCH/rw.json")" '{"read":700,"write":200,"other":100,"total":1000}' \
	"  14 reads, 4 writes, 2 others per transaction"
like "$(cat "$SCRATCH/rw.out")" "cleanup: tables dropped" "  and cleans up"
is "$(pg_sql "$port" "SELECT COUNT(*) FROM pg_tables WHERE tablename LIKE 'sbtest%'")" 0 \
	"  (no sbtest table left)"

# Open loop.
hb load sql "$url" "${pw[@]}" --workload select-only -c 2 --rate 300 -n 150 \
	--json "$SCRATCH/rate.json" >/dev/null 2>&1
is "$?" 0 "select-only --rate 300 -n 150 exits 0"
is "$(jq .requests.ok "$SCRATCH/rate.json")" 150 "  150 transactions"

# A failing statement counts under its SQLSTATE class, with the server's message.
hb load sql "$url" "${pw[@]}" --query 'SELECT 1/0' -c 1 -n 5 --json "$SCRATCH/div.json" \
	>/dev/null 2>&1
is "$?" 1 "a query that fails exits 1"
is "$(jq '.requests.errors_by_kind.sqlstate_22_data' "$SCRATCH/div.json")" 5 \
	"  each failure counted under sqlstate_22_data"
like "$(jq -r '.requests.error_samples.sqlstate_22_data' "$SCRATCH/div.json")" "22012: division by zero" \
	"  with the server's SQLSTATE and message"

# Bad input.
printf 'not-the-password\n' >"$SCRATCH/wrong.pw"
err=$(hb load sql "$url" --password-file "$SCRATCH/wrong.pw" -n 10 --json "$SCRATCH/bad1.json" 2>&1)
is "$?" 1 "a wrong password exits 1"
like "$err" "password authentication failed for user \"bench\"" "  with the server's reason"
is "$(echo "$err" | wc -l)" 1 "  on one line"
ok "  and writes no result file" test ! -e "$SCRATCH/bad1.json"

err=$(hb load sql "$url" "${pw[@]}" --workload point_select -n 10 --json "$SCRATCH/bad2.json" 2>&1)
is "$?" 1 "a missing table exits 1"
like "$err" 'needs table sbtest1, which cannot be read \(42P01: relation "sbtest1" does not exist\)' \
	"  naming the table"
ok "  and writes no result file" test ! -e "$SCRATCH/bad2.json"

done_testing
