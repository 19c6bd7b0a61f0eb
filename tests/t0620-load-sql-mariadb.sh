#!/usr/bin/env bash
# hpcbench load sql against a real MariaDB: what it reports is what the server counted
# (SHOW GLOBAL STATUS Com_*), and bad input ends in one clear message, exit 1, and no
# result file.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-sql.sh
. "$(dirname "$0")/lib-sql.sh"

command -v mariadbd >/dev/null || skip_all "no mariadbd"
port=$(start_mariadb) || { echo "Bail out! mariadb did not start"; exit 1; }
url="mysql://bench@127.0.0.1:$port/bench"
pw=(--password-file "$SQL_PW_FILE")

# prepare: the sysbench tables, loaded with multi-row INSERTs.
out=$(hb load sql "$url" "${pw[@]}" --workload read_only --tables 2 --table-size 500 \
	--phase prepare 2>&1)
is "$?" 0 "--phase prepare exits 0"
like "$out" "prepare: 2 table\(s\) sbtest1..2 of 500 rows" "  and says what it loaded"
is "$(my_sql "$port" 'SELECT COUNT(*) FROM bench.sbtest2')" 500 "  sbtest2 holds 500 rows"
is "$(my_sql "$port" "SELECT COUNT(*) FROM information_schema.statistics WHERE
	table_schema='bench' AND table_name='sbtest1' AND index_name='k_1'")" 1 \
	"  with sysbench's index on k"

# read_only: 14 SELECTs between BEGIN and COMMIT per transaction.
sel0=$(my_status "$port" Com_select)
beg0=$(my_status "$port" Com_begin)
com0=$(my_status "$port" Com_commit)
prep0=$(my_status "$port" Com_stmt_prepare)
exe0=$(my_status "$port" Com_stmt_execute)
hb load sql "$url" "${pw[@]}" --workload read_only --tables 2 --table-size 500 -c 4 -n 200 \
	--json "$SCRATCH/ro.json" >"$SCRATCH/ro.out" 2>&1
is "$?" 0 "read_only -n 200 exits 0"
is "$(jq .requests.ok "$SCRATCH/ro.json")" 200 "  200 transactions succeeded"
# +2: the check that both tables exist, before the clock.
is "$(($(my_status "$port" Com_select) - sel0))" $((200 * 14 + 2)) \
	"  the server ran 14 SELECTs per transaction (Com_select)"
is "$(($(my_status "$port" Com_begin) - beg0))" 200 "  and 200 BEGINs (Com_begin)"
is "$(($(my_status "$port" Com_commit) - com0))" 200 "  and 200 COMMITs (Com_commit)"
is "$(jq -c '.sql.queries' "$SCRATCH/ro.json")" \
	'{"read":2800,"write":0,"other":400,"total":3200}' "  the result splits the queries alike"
# Server-side prepared statements, as sysbench sends them: each of the 4 connections
# prepares the distinct statements once (the 5 distinct SELECTs of each table: 2 x 5;
# BEGIN, COMMIT and ROLLBACK), then every statement is one COM_STMT_EXECUTE.
is "$(($(my_status "$port" Com_stmt_prepare) - prep0))" $((4 * (2 * 5 + 3))) \
	"  each connection prepared its 13 distinct statements once (Com_stmt_prepare)"
is "$(($(my_status "$port" Com_stmt_execute) - exe0))" $((200 * 16)) \
	"  and executed each statement of each transaction (Com_stmt_execute)"
like "$(cat "$SCRATCH/ro.out")" "transactions/s, [0-9.]+ queries/s" "  the summary shows both rates"
is "$(jq -r '.client.parameters.workload' "$SCRATCH/ro.json")" read_only \
	"  the parameters name the workload"
if grep -qF "$(cat "$SQL_PW_FILE")" "$SCRATCH/ro.json" "$SCRATCH/ro.out"; then
	ok "  the password is nowhere in the result or the output" false
else
	ok "  the password is nowhere in the result or the output" true
fi

# read_write: 2 UPDATEs, a DELETE and an INSERT more.
upd0=$(my_status "$port" Com_update)
del0=$(my_status "$port" Com_delete)
ins0=$(my_status "$port" Com_insert)
hb load sql "$url" "${pw[@]}" --workload read_write --tables 2 --table-size 500 -c 3 -n 150 \
	--json "$SCRATCH/rw.json" >/dev/null 2>&1
is "$?" 0 "read_write -n 150 exits 0"
is "$(($(my_status "$port" Com_update) - upd0))" 300 "  300 UPDATEs (Com_update)"
is "$(($(my_status "$port" Com_delete) - del0))" 150 "  150 DELETEs (Com_delete)"
is "$(($(my_status "$port" Com_insert) - ins0))" 150 "  150 INSERTs (Com_insert)"
is "$(jq '.sql.queries.write' "$SCRATCH/rw.json")" 600 "  the result counts 600 writes"
is "$(my_sql "$port" 'SELECT (SELECT COUNT(*) FROM bench.sbtest1) + (SELECT COUNT(*) FROM bench.sbtest2)')" \
	1000 "  every DELETE was followed by its INSERT (row count unchanged)"

# Open loop: the same counts, latency from the schedule.
sel0=$(my_status "$port" Com_select)
hb load sql "$url" "${pw[@]}" --table-size 500 -c 2 --rate 400 -n 200 \
	--json "$SCRATCH/rate.json" >/dev/null 2>&1
is "$?" 0 "point_select --rate 400 -n 200 exits 0"
is "$(($(my_status "$port" Com_select) - sel0))" 201 "  the server ran 200 SELECTs (+1 check)"
ok "  the result has schedule lag" jq -e '.schedule_lag_us.max >= 0' "$SCRATCH/rate.json"

# The old mysql_benchmark.py transaction, its table created on first use.
ins0=$(my_status "$port" Com_insert)
hb load sql "$url" "${pw[@]}" --workload mysql_benchmark --phase prepare,run -c 2 -n 50 \
	--json "$SCRATCH/legacy.json" >/dev/null 2>&1
is "$?" 0 "mysql_benchmark -n 50 exits 0"
is "$(my_sql "$port" 'SELECT COUNT(*) FROM bench.benchmark_data')" 1050 \
	"  1000 seed rows plus one INSERT per committed transaction"
# Its UPDATE scans the table (no index on name), so two connections deadlock now and
# then: those transactions are rolled back and run again, and counted.
retries=$(jq '.sql.retries.total' "$SCRATCH/legacy.json")
is "$(($(my_status "$port" Com_insert) - ins0))" $((1 + 50 + retries)) \
	"  Com_insert: the seed's, 50, and one per retried transaction ($retries)"
is "$(jq '.sql.retries.deadlocks' "$SCRATCH/legacy.json")" "$retries" \
	"  every retry was a deadlock"

# Bad input: one message, exit 1, no result file.
printf 'not-the-password\n' >"$SCRATCH/wrong.pw"
err=$(hb load sql "$url" --password-file "$SCRATCH/wrong.pw" -n 10 --json "$SCRATCH/bad1.json" 2>&1)
is "$?" 1 "a wrong password exits 1"
like "$err" "^hpcbench: error: cannot connect to mysql://127.0.0.1:$port/bench as bench: Access denied" \
	"  with the server's reason"
is "$(echo "$err" | wc -l)" 1 "  on one line"
ok "  and writes no result file" test ! -e "$SCRATCH/bad1.json"

err=$(hb load sql "$url" "${pw[@]}" --tables 3 --table-size 500 -n 10 --json "$SCRATCH/bad2.json" 2>&1)
is "$?" 1 "a missing table exits 1"
like "$err" "needs table sbtest3, which cannot be read \(42S02: .*doesn't exist\); create it with --phase prepare,run" \
	"  naming the table and the way to create it"
ok "  and writes no result file" test ! -e "$SCRATCH/bad2.json"

dead=$(free_port)
err=$(hb load sql "mysql://bench@127.0.0.1:$dead/bench" "${pw[@]}" -n 10 --json "$SCRATCH/bad3.json" 2>&1)
is "$?" 1 "an unreachable server exits 1"
like "$err" "cannot connect to mysql://127.0.0.1:$dead/bench" "  and says which"
ok "  and writes no result file" test ! -e "$SCRATCH/bad3.json"

err=$(hb load sql "mysql://bench:secret@127.0.0.1:$port/bench" -n 1 2>&1)
is "$?" 2 "a password in the URL is refused (exit 2)"
unlike "$err" "secret" "  without echoing it"

err=$(hb load sql "$url" --workload nope 2>&1)
is "$?" 2 "an unknown workload exits 2"
like "$err" "unknown workload 'nope' \(known: point_select, read_only" "  listing the known ones"

# cleanup drops what prepare made.
hb load sql "$url" "${pw[@]}" --workload read_only --tables 2 --phase cleanup >/dev/null 2>&1
is "$?" 0 "--phase cleanup exits 0"
is "$(my_sql "$port" "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='bench' AND table_name LIKE 'sbtest%'")" \
	0 "  and the sbtest tables are gone"

done_testing
