#!/usr/bin/env bash
# hpcbench load sql against a real MariaDB: the sysbench write workloads (write_only,
# update_index, insert) and the user's own --query / --script with generators do on
# the server what they say (SHOW GLOBAL STATUS Com_*, and the rows themselves); bad
# scripts end in one message, exit 2 (or 1 when the server refuses a statement), and
# no result file.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-sql.sh
. "$(dirname "$0")/lib-sql.sh"

command -v mariadbd >/dev/null || skip_all "no mariadbd"
port=$(start_mariadb) || { echo "Bail out! mariadb did not start"; exit 1; }
url="mysql://bench@127.0.0.1:$port/bench"
pw=(--password-file "$SQL_PW_FILE")
st() { my_status "$port" "$1"; }
rows() { my_sql "$port" "SELECT COUNT(*) FROM bench.$1"; }

hb load sql "$url" "${pw[@]}" --workload write_only --table-size 1000 --phase prepare \
	>/dev/null 2>&1
is "$?" 0 "prepare one sbtest table of 1000 rows"

# write_only: BEGIN, 2 UPDATEs, DELETE, INSERT (of the id deleted), COMMIT. One
# connection: no deadlock, so every count is exact.
for c in update delete insert commit stmt_execute; do eval "${c}0=\$(st Com_$c)"; done
hb load sql "$url" "${pw[@]}" --workload write_only --table-size 1000 -c 1 -n 120 \
	--json "$SCRATCH/wo.json" >/dev/null 2>&1
is "$?" 0 "write_only -n 120 exits 0"
# shellcheck disable=SC2154 # set by the eval above
{
	is "$(($(st Com_update) - update0))" 240 "  240 UPDATEs (Com_update)"
	is "$(($(st Com_delete) - delete0))" 120 "  120 DELETEs (Com_delete)"
	is "$(($(st Com_insert) - insert0))" 120 "  120 INSERTs (Com_insert)"
	is "$(($(st Com_commit) - commit0))" 120 "  120 COMMITs (Com_commit)"
	is "$(($(st Com_stmt_execute) - stmt_execute0))" $((120 * 6)) \
		"  all 6 statements as prepared ones (Com_stmt_execute)"
}
is "$(jq -c '.sql.queries' "$SCRATCH/wo.json")" \
	'{"read":0,"write":480,"other":240,"total":720}' "  the result counts 480 writes"
is "$(rows sbtest1)" 1000 "  each DELETE was followed by its INSERT (1000 rows still)"

# update_index: one UPDATE k=k+1 of an existing row per request: SUM(k) grows by it.
k0=$(my_sql "$port" 'SELECT SUM(k) FROM bench.sbtest1')
upd0=$(st Com_update)
hb load sql "$url" "${pw[@]}" --workload update_index --table-size 1000 -c 4 -n 300 \
	--json "$SCRATCH/ui.json" >/dev/null 2>&1
is "$?" 0 "update_index -c 4 -n 300 exits 0"
is "$(($(st Com_update) - upd0))" 300 "  300 UPDATEs (Com_update)"
is "$(($(my_sql "$port" 'SELECT SUM(k) FROM bench.sbtest1') - k0))" 300 \
	"  and SUM(k) grew by exactly 300"

# insert: new rows with new ids.
ins0=$(st Com_insert)
hb load sql "$url" "${pw[@]}" --workload insert --table-size 1000 -c 4 -n 250 \
	--json "$SCRATCH/ins.json" >/dev/null 2>&1
is "$?" 0 "insert -c 4 -n 250 exits 0"
is "$(($(st Com_insert) - ins0))" 250 "  250 INSERTs (Com_insert)"
is "$(rows sbtest1)" 1250 "  and 250 more rows"
is "$(jq '.sql.queries.write' "$SCRATCH/ins.json")" 250 "  the result counts 250 writes"

# --query with generators: {seq} ids are unique over the connections, {str} lengths
# stay in their range, {zipf} puts the low values first.
my_sql "$port" "CREATE TABLE bench.kv (id BIGINT PRIMARY KEY, v VARCHAR(64), z INT, u INT)"
ins0=$(st Com_insert)
hb load sql "$url" "${pw[@]}" -c 4 -n 2000 --json "$SCRATCH/q.json" \
	--query "INSERT INTO kv (id, v, z, u) VALUES ({seq:1}, {str:5:20}, {zipf:1:50}, {uniform:-3:3})" \
	>"$SCRATCH/q.out" 2>&1
is "$?" 0 "--query INSERT with 4 generators, -n 2000, exits 0"
is "$(($(st Com_insert) - ins0))" 2000 "  2000 INSERTs (Com_insert)"
is "$(my_sql "$port" 'SELECT COUNT(DISTINCT id) FROM bench.kv')" 2000 \
	"  2000 distinct {seq} ids from 4 connections (no duplicate key)"
is "$(my_sql "$port" 'SELECT MIN(LENGTH(v)) >= 5 AND MAX(LENGTH(v)) <= 20 FROM bench.kv')" 1 \
	"  {str:5:20}: every string 5 to 20 characters"
is "$(my_sql "$port" "SELECT COUNT(*) FROM bench.kv WHERE v NOT REGEXP '^[a-zA-Z0-9]+\$'")" 0 \
	"  of [a-zA-Z0-9] only"
is "$(my_sql "$port" 'SELECT MIN(u) = -3 AND MAX(u) = 3 FROM bench.kv')" 1 \
	"  {uniform:-3:3}: both ends drawn"
is "$(my_sql "$port" 'SELECT MIN(z) = 1 AND MAX(z) <= 50 FROM bench.kv')" 1 "  {zipf:1:50} in 1..50"
# Zipf with s=0.99: P(1)/P(2) is 2^0.99; with 2000 draws rank 1 is well ahead.
is "$(my_sql "$port" 'SELECT (SELECT COUNT(*) FROM bench.kv WHERE z=1) >
	1.4 * (SELECT COUNT(*) FROM bench.kv WHERE z=2) AND (SELECT COUNT(*) FROM bench.kv
	WHERE z=2) > 1.4 * (SELECT COUNT(*) FROM bench.kv WHERE z=4)')" 1 \
	"  {zipf}: rank 1 drawn more than rank 2, rank 2 more than rank 4"
is "$(jq -r '.client.parameters.query' "$SCRATCH/q.json")" \
	"INSERT INTO kv (id, v, z, u) VALUES ({seq:1}, {str:5:20}, {zipf:1:50}, {uniform:-3:3})" \
	"  the result file keeps the query as written"

# --script: a transaction whose statements share values through variables; a '?'
# and a ';' between quotes are text, a -- comment is not a statement.
my_sql "$port" "CREATE TABLE bench.kv2 (id BIGINT PRIMARY KEY, v VARCHAR(64), note VARCHAR(20));
	CREATE TABLE bench.kv3 (id BIGINT PRIMARY KEY, v VARCHAR(64))"
z0=$(my_sql "$port" 'SELECT SUM(z) FROM bench.kv')
cat >"$SCRATCH/tx.sql" <<'EOF'
-- two tables, one id; a comment with a ; in it
BEGIN;
INSERT INTO kv2 (id, v, note) VALUES ({x=seq:100001}, {s=str:12}, 'why?; {no}');
UPDATE kv SET z = z + 1 WHERE id = {uniform:1:2000};  -- any row
INSERT INTO kv3 (id, v) VALUES ({x}, {s});
SELECT v FROM kv2 WHERE id = {x};
COMMIT;
EOF
for c in insert update select commit begin; do eval "${c}0=\$(st Com_$c)"; done
hb load sql "$url" "${pw[@]}" -c 3 -n 300 --script "$SCRATCH/tx.sql" \
	--json "$SCRATCH/s.json" >/dev/null 2>&1
is "$?" 0 "--script of 6 statements, -c 3 -n 300, exits 0"
# shellcheck disable=SC2154 # set by the eval above
{
	is "$(($(st Com_begin) - begin0))" 300 "  300 BEGINs (Com_begin)"
	is "$(($(st Com_insert) - insert0))" 600 "  600 INSERTs (Com_insert)"
	is "$(($(st Com_update) - update0))" 300 "  300 UPDATEs (Com_update)"
	is "$(($(st Com_select) - select0))" 300 "  300 SELECTs (Com_select)"
	is "$(($(st Com_commit) - commit0))" 300 "  300 COMMITs (Com_commit)"
}
is "$(rows kv2)" 300 "  300 rows in the second table"
is "$(my_sql "$port" "SELECT COUNT(*) FROM bench.kv2 WHERE note = 'why?; {no}'")" 300 \
	"  the quoted '?', ';' and braces arrived as written"
is "$(my_sql "$port" 'SELECT COUNT(*) FROM bench.kv2 JOIN bench.kv3 USING (id, v)')" 300 \
	"  each transaction's {x} and {s} went to both tables ({NAME} repeats the value)"
is "$(($(my_sql "$port" 'SELECT SUM(z) FROM bench.kv') - z0))" 300 "  SUM(z) grew by 300"
is "$(jq -c '.sql.queries' "$SCRATCH/s.json")" \
	'{"read":300,"write":900,"other":600,"total":1800}' "  the result splits the 1800 statements"
is "$(jq '.client.parameters.statements | length' "$SCRATCH/s.json")" 6 \
	"  and lists the 6 statements"

# A statement the server cannot prepare (ER_UNSUPPORTED_PS) goes as text instead.
p0=$(st Com_prepare_sql)
hb load sql "$url" "${pw[@]}" -c 2 -n 20 --query "PREPARE hb_x FROM 'SELECT 1'" \
	--json "$SCRATCH/text.json" >/dev/null 2>&1
is "$?" 0 "a --query the prepared-statement protocol refuses (PREPARE ...) runs"
is "$(($(st Com_prepare_sql) - p0))" 20 "  as text: 20 SQL PREPAREs (Com_prepare_sql)"
is "$(jq .requests.ok "$SCRATCH/text.json")" 20 "  20 requests ok"

# Bad scripts: exit 2 before connecting, FILE:LINE, no result file.
bad() { # bad NAME EXPECTED-REGEX SCRIPT-TEXT
	printf '%s\n' "$3" >"$SCRATCH/$1.sql"
	err=$(hb load sql "$url" "${pw[@]}" -n 5 --script "$SCRATCH/$1.sql" \
		--json "$SCRATCH/$1.json" 2>&1)
	is "$?" 2 "$1: exit 2"
	like "$err" "$2" "  says where (FILE:LINE) and why"
	ok "  no result file" test ! -e "$SCRATCH/$1.json"
}
bad unknown-gen "unknown-gen.sql:2: unknown generator 'gauss'" \
	"SELECT 1;
SELECT {gauss:1:2}"
bad undefined-var "undefined-var.sql:1: \{y\}: no variable y was defined before" \
	"SELECT {y}"
bad placeholder "placeholder.sql:1: '\?' outside quotes would be a parameter nobody fills" \
	"SELECT c FROM sbtest1 WHERE id = ?"
bad range "range.sql:1: \{uniform\}: HI is below LO" "SELECT {uniform:5:1}"
bad unclosed "unclosed.sql:1: '\{' without its '\}'" "SELECT {uniform:1:2"

err=$(hb load sql "$url" "${pw[@]}" -n 5 --script "$SCRATCH/nope.sql" 2>&1)
is "$?" 2 "a missing --script file: exit 2"
like "$err" "nope.sql" "  naming it"
err=$(hb load sql "$url" "${pw[@]}" -n 5 --query "SELECT 1" --workload read_only 2>&1)
is "$?" 2 "--query with --workload: exit 2"
like "$err" "give one of --workload, --query and --script" "  says so"

# The server refuses a statement: exit 1 before the clock, which one and why.
err=$(hb load sql "$url" "${pw[@]}" -n 5 --query "SELECT x FROM missing WHERE id = {uniform:1:9}" \
	--json "$SCRATCH/refused.json" 2>&1)
is "$?" 1 "a --query on a missing table: exit 1"
like "$err" "the server refuses statement 1 of --query \(SELECT x FROM missing WHERE id = \?\): 42S02: Table 'bench.missing' doesn't exist" \
	"  with the statement and the server's reason"
is "$(echo "$err" | wc -l)" 1 "  on one line"
ok "  no result file" test ! -e "$SCRATCH/refused.json"

done_testing
