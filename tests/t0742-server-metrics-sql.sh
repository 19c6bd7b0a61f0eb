#!/usr/bin/env bash
# hpcbench load sql --server-metrics against a real MariaDB (SHOW GLOBAL STATUS) and a
# real PostgreSQL (pg_stat_database): the counters in the result are the ones the
# servers keep, over the measured window; the password never reaches the result.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-sql.sh
. "$(dirname "$0")/lib-sql.sh"

need mariadbd "$PG_BIN/postgres"
port=$(start_mariadb) || bail "mariadb did not start"
pw=$(cat "$SQL_PW_FILE")
url="mysql://bench@127.0.0.1:$port/bench"
M="mysql://bench:$pw@127.0.0.1:$port"
# sm FILE EXPR: a value from the result's server_metrics sources (python3, s = sources)
sm() {
	python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['server_metrics']['sources']; print($2)" "$1"
}
hb load sql "$url" --password-file "$SQL_PW_FILE" --workload read_only --tables 1 \
	--table-size 200 --phase prepare >/dev/null 2>&1 || bail "prepare failed"

# 1. MariaDB: 14 SELECTs per read_only transaction, counted by the server.
hb load sql "$url" --password-file "$SQL_PW_FILE" --workload read_only --tables 1 \
	--table-size 200 -c 2 -d 1500ms --server-metrics "$M" --metrics-interval 200ms \
	--json "$SCRATCH/m.json" >"$SCRATCH/m.out" 2>&1
is "$?" 0 "load sql with a MariaDB metrics source exits 0"
K="mysql://bench:***@127.0.0.1:$port"
n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"]["ok"])' "$SCRATCH/m.json")
# +1: hpcbench checks that the table exists after the first sample, before the clock.
is "$(sm "$SCRATCH/m.json" "int(s['$K']['series']['mysql_global_status_com_select']['increase'])")" \
	$((14 * n + 1)) "Com_select grew by 14 per transaction run (+1, the table check)"
is "$(sm "$SCRATCH/m.json" "int(s['$K']['series']['mysql_global_status_com_commit']['increase'])")" "$n" \
	"Com_commit grew by the transactions run"
is "$(sm "$SCRATCH/m.json" "s['$K']['series']['mysql_global_status_threads_connected']['type']")" gauge \
	"Threads_connected is a gauge"
ok "Threads_connected saw the 2 load connections and the sampler's" python3 -c '
import json,sys; s=json.load(open(sys.argv[1]))["server_metrics"]["sources"][sys.argv[2]]["series"]
assert s["mysql_global_status_threads_connected"]["max"] >= 3, s["mysql_global_status_threads_connected"]
assert s["mysql_global_status_bytes_received"]["unit"] == "bytes"' "$SCRATCH/m.json" "$K"
if grep -qF "$pw" "$SCRATCH/m.json" "$SCRATCH/m.out"; then r=found; else r=absent; fi
is "$r" absent "the password is nowhere in the result or the output"

out=$(hb load sql "$url" --password-file "$SQL_PW_FILE" --workload read_only --tables 1 \
	--table-size 200 -n 10 --server-metrics "mysql://bench:wrong@127.0.0.1:$port" 2>&1)
is "$?" 1 "a refused MariaDB metrics login exits 1"
like "$out" "server metrics: mysql://bench:\*\*\*@127.0.0.1:$port: Access denied" "with the server's reason"

# 2. PostgreSQL: pg_stat_database of the bench database.
pport=$(start_postgres) || bail "postgres did not start"
purl="postgres://bench@127.0.0.1:$pport/bench"
hb load sql "$purl" --password-file "$SQL_PW_FILE" --workload select-only --phase prepare \
	>/dev/null 2>&1 || bail "pgbench prepare failed"
P="postgres://bench:$pw@127.0.0.1:$pport/bench"
hb load sql "$purl" --password-file "$SQL_PW_FILE" --workload select-only -c 2 -d 2s \
	--server-metrics "$P" --metrics-interval 250ms --json "$SCRATCH/p.json" >"$SCRATCH/p.out" 2>&1
is "$?" 0 "load sql with a PostgreSQL metrics source exits 0"
PK="postgres://bench:***@127.0.0.1:$pport/bench"
ok "xact_commit of the bench database grew by about the transactions run" python3 -c '
import json,sys; d=json.load(open(sys.argv[1])); s=d["server_metrics"]["sources"][sys.argv[2]]["series"]
c = s["pg_stat_database_xact_commit{datname=\"bench\"}"]; ok = d["requests"]["ok"]
# PostgreSQL publishes a backend'"'"'s counts at most once a second: the last second may
# be missing from the last sample, the sampler'"'"'s own queries are in.
assert c["type"] == "counter" and 0.5 * ok <= c["increase"] <= ok + 100, (c, ok)
assert s["pg_stat_database_numbackends{datname=\"bench\"}"]["max"] >= 3' "$SCRATCH/p.json" "$PK"
if grep -qF "$pw" "$SCRATCH/p.json" "$SCRATCH/p.out"; then r=found; else r=absent; fi
is "$r" absent "the password is nowhere in the result or the output"

done_testing
