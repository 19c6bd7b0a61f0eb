#!/usr/bin/env bash
# hpcbench load sql against a real PostgreSQL: the sysbench write workloads (write_only,
# update_index, insert) and a --script transaction with generators change what the
# server counted (pg_stat_user_tables n_tup_ins/upd/del, pg_stat_database
# tup_inserted) and the rows themselves; a statement the server refuses ends in one
# message, exit 1, and no result file.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-sql.sh
. "$(dirname "$0")/lib-sql.sh"

[ -x "$PG_BIN/postgres" ] || skip_all "no postgres in $PG_BIN"
port=$(start_postgres) || { echo "Bail out! postgres did not start"; exit 1; }
url="postgres://bench@127.0.0.1:$port/bench"
pw=(--password-file "$SQL_PW_FILE")

# A statistics query once the server's counters have settled: a backend flushes its
# counters when it exits, a moment after its client left; read until two reads 0.5 s
# apart agree (these reads change none of the counters they read), for at most 15 s.
settled() {
	local a b _
	a=$(pg_sql "$port" "$1")
	for _ in $(seq 30); do
		sleep 0.5
		b=$(pg_sql "$port" "$1")
		[ "$a" = "$b" ] && break
		a=$b
	done
	echo "$b"
}
tup() { # tup TABLE: inserted updated deleted
	settled "SELECT n_tup_ins || ' ' || n_tup_upd || ' ' || n_tup_del FROM pg_stat_user_tables
		WHERE relname = '$1'"
}
delta() { # delta "A B C" "D E F": "D-A E-B F-C"
	local -a x y
	read -ra x <<<"$1"
	read -ra y <<<"$2"
	echo "$((y[0] - x[0])) $((y[1] - x[1])) $((y[2] - x[2]))"
}

hb load sql "$url" "${pw[@]}" --workload write_only --table-size 1000 --phase prepare \
	>/dev/null 2>&1
is "$?" 0 "prepare one sbtest table of 1000 rows"

# write_only, one connection (no deadlock: exact counts): 2 UPDATEs, a DELETE and an
# INSERT of the id deleted per transaction.
t0=$(tup sbtest1)
hb load sql "$url" "${pw[@]}" --workload write_only --table-size 1000 -c 1 -n 120 \
	--json "$SCRATCH/wo.json" >/dev/null 2>&1
is "$?" 0 "write_only -n 120 exits 0"
is "$(delta "$t0" "$(tup sbtest1)")" "120 240 120" \
	"  the server counted 120 inserted, 240 updated, 120 deleted rows (pg_stat_user_tables)"
is "$(pg_sql "$port" 'SELECT COUNT(*) FROM sbtest1')" 1000 "  1000 rows still"
is "$(jq '.sql.queries.write' "$SCRATCH/wo.json")" 480 "  the result counts 480 writes"

# update_index: SUM(k) grows by one per request.
k0=$(pg_sql "$port" 'SELECT SUM(k) FROM sbtest1')
t0=$(tup sbtest1)
hb load sql "$url" "${pw[@]}" --workload update_index --table-size 1000 -c 4 -n 300 \
	>/dev/null 2>&1
is "$?" 0 "update_index -c 4 -n 300 exits 0"
is "$(delta "$t0" "$(tup sbtest1)")" "0 300 0" "  300 rows updated (n_tup_upd)"
is "$(($(pg_sql "$port" 'SELECT SUM(k) FROM sbtest1') - k0))" 300 "  SUM(k) grew by 300"

# insert: new ids from the sequence, which prepare moved past the loaded rows.
ins0=$(settled "SELECT tup_inserted FROM pg_stat_database WHERE datname = 'bench'")
hb load sql "$url" "${pw[@]}" --workload insert --table-size 1000 -c 4 -n 250 \
	--json "$SCRATCH/ins.json" >/dev/null 2>&1
is "$?" 0 "insert -c 4 -n 250 exits 0"
is "$(($(settled "SELECT tup_inserted FROM pg_stat_database WHERE datname = 'bench'") - ins0))" \
	250 "  250 rows inserted (pg_stat_database.tup_inserted)"
is "$(pg_sql "$port" 'SELECT COUNT(*) FROM sbtest1')" 1250 "  1250 rows now"

# --script: a transaction whose statements share {x} and {s}.
pg_sql "$port" "CREATE TABLE a (id BIGINT PRIMARY KEY, v TEXT, z INT);
	CREATE TABLE b (id BIGINT PRIMARY KEY, v TEXT)"
cat >"$SCRATCH/tx.sql" <<'EOF'
BEGIN;
INSERT INTO a (id, v, z) VALUES ({x=seq:1}, {s=str:4:16}, {zipf:1:1000:1.2});
INSERT INTO b (id, v) VALUES ({x}, {s}); -- the same id and string
SELECT v FROM a WHERE id = {x} AND v <> 'a?b';
COMMIT;
EOF
hb load sql "$url" "${pw[@]}" -c 3 -n 400 --script "$SCRATCH/tx.sql" \
	--json "$SCRATCH/s.json" >/dev/null 2>&1
is "$?" 0 "--script of 5 statements, -c 3 -n 400, exits 0"
is "$(tup b)" "400 0 0" "  400 rows inserted into b (n_tup_ins)"
is "$(pg_sql "$port" 'SELECT COUNT(*) FROM a JOIN b USING (id, v)')" 400 \
	"  each transaction's {x} and {s} went to both tables"
is "$(pg_sql "$port" 'SELECT MIN(id) = 1 AND COUNT(DISTINCT id) = 400 FROM a')" t \
	"  {seq:1}: 400 distinct ids from 1"
is "$(jq -c '.sql.queries' "$SCRATCH/s.json")" \
	'{"read":400,"write":800,"other":800,"total":2000}' "  the result splits the 2000 statements"

# The server refuses a statement: exit 1 before the clock.
err=$(hb load sql "$url" "${pw[@]}" -n 5 --query "UPDATE a SET nope = 1 WHERE id = {uniform:1:5}" \
	--json "$SCRATCH/refused.json" 2>&1)
is "$?" 1 "a --query on a missing column: exit 1"
like "$err" 'refuses statement 1 of --query \(UPDATE a SET nope = 1 WHERE id = \?\): 42703: column "nope" of relation "a" does not exist' \
	"  with the statement and the server's reason (SQLSTATE 42703)"
is "$(echo "$err" | wc -l)" 1 "  on one line"
ok "  no result file" test ! -e "$SCRATCH/refused.json"

done_testing
