#!/usr/bin/env bash
# Side-by-side: hpcbench load sql vs sysbench (MariaDB: oltp_point_select,
# oltp_read_only) and vs pgbench (PostgreSQL: -S select-only, and the default TPC-B
# like script), against one server each on loopback, same connections, tables and
# duration, one run each. Prints each tool's throughput (transactions/s as it reports
# it) and client CPU time per transaction (user+sys of the client process from
# /usr/bin/time / transactions it reports), with the ratios hpcbench / reference.
#
#   bench/sql.sh
#   CONNS=16 DURATION=10 TABLE_SIZE=100000 bench/sql.sh
#
# Settings shared by both tools: CONNS connections (sysbench: one thread per
# connection; pgbench: -j 1; hpcbench: one event-loop thread), TABLES sysbench tables
# of TABLE_SIZE rows, pgbench scale 1, DURATION seconds. pgbench runs with -M prepared,
# the protocol hpcbench uses on PostgreSQL; on MariaDB both sysbench (its default) and
# hpcbench send server-side prepared statements (COM_STMT_EXECUTE).
# Targets of issue 9: throughput >= 1.0x each; client CPU per transaction <= 0.7x
# sysbench's and <= 1.0x pgbench's.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

CONNS=${CONNS:-8}
DURATION=${DURATION:-5}
TABLES=${TABLES:-1}
TABLE_SIZE=${TABLE_SIZE:-10000}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

command -v mariadbd >/dev/null || die "mariadbd is not installed"
command -v sysbench >/dev/null || die "sysbench is not installed"
[ -x "$PG_BIN/pgbench" ] || die "no pgbench in $PG_BIN"
[ -x "$HPCBENCH" ] || die "$HPCBENCH not built (make)"

pwfile=$BENCH_TMP/pw
printf 'bench-%s\n' "$RANDOM$RANDOM" >"$pwfile"
chmod 644 "$pwfile"
pw=$(cat "$pwfile")

# --- MariaDB
myport=$(free_port)
mydir=$BENCH_TMP/mariadb
mkdir -p "$mydir/data"
chown -R mysql:mysql "$mydir" 2>/dev/null || true
mariadb-install-db --no-defaults --user=mysql --datadir="$mydir/data" \
	--auth-root-authentication-method=socket --skip-test-db >"$mydir/init.log" 2>&1 ||
	die "mariadb-install-db failed"
mariadbd --no-defaults --user=mysql --datadir="$mydir/data" --port="$myport" \
	--bind-address=127.0.0.1 --socket="$mydir/sock" --skip-log-bin \
	--innodb-buffer-pool-size=256M --max-connections=1000 --log-error="$mydir/err.log" \
	>/dev/null 2>&1 &
track $!
wait_port "$myport" || die "mariadbd did not start"
for _ in $(seq 100); do [ -S "$mydir/sock" ] && break; sleep 0.1; done
mariadb --no-defaults -S "$mydir/sock" -uroot -e "CREATE DATABASE bench;
	CREATE USER 'bench'@'%' IDENTIFIED BY '$pw'; GRANT ALL ON *.* TO 'bench'@'%';" ||
	die "cannot create the bench user"

# --- PostgreSQL (as the postgres user: it refuses root)
pgport=$(free_port)
pgdir=$BENCH_TMP/postgres
mkdir -p "$pgdir"
run=()
if [ "$(id -u)" = 0 ]; then
	chown postgres "$pgdir"
	run=(runuser -u postgres --)
fi
"${run[@]}" "$PG_BIN/initdb" -D "$pgdir/data" -U bench --pwfile="$pwfile" --auth-local=trust \
	--auth-host=scram-sha-256 >"$pgdir/init.log" 2>&1 || die "initdb failed"
"${run[@]}" "$PG_BIN/postgres" -D "$pgdir/data" -p "$pgport" -k "$pgdir" \
	-c listen_addresses=127.0.0.1 -c max_connections=1000 -c autovacuum=off \
	>"$pgdir/log" 2>&1 &
track $!
wait_port "$pgport" || die "postgres did not start"
"$PG_BIN/psql" -h "$pgdir" -p "$pgport" -U bench -d postgres -qc "CREATE DATABASE bench" ||
	die "cannot create the bench database"
export PGPASSWORD=$pw # pgbench only (bench machine, loopback)

sb=(--db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$myport" --mysql-user=bench
	"--mysql-password=$pw" --mysql-db=bench --tables="$TABLES" --table-size="$TABLE_SIZE")
sysbench oltp_read_only "${sb[@]}" prepare >"$BENCH_TMP/sb-prepare.log" 2>&1 ||
	die "sysbench prepare failed: $(tail -3 "$BENCH_TMP/sb-prepare.log")"
"$PG_BIN/pgbench" -h 127.0.0.1 -p "$pgport" -U bench -i -s 1 -q bench \
	>"$BENCH_TMP/pgb-init.log" 2>&1 || die "pgbench -i failed"

hb_tps() { jq -r '.throughput_rps' "$1"; }
hb_tx() { jq -r '.requests.ok' "$1"; }

printf '%-26s %-12s %12s %16s\n' "case" "tool" "tx/s" "cpu us/tx"
# row NAME TOOL TPS CPU_S TX
row() {
	printf '%-26s %-12s %12.1f %16s\n' "$1" "$2" "$3" "$(per_req "$4" "$5")"
}
# compare NAME REF_TOOL REF_TPS REF_CPU REF_TX HB_JSON HB_CPU
compare() {
	local hb_t hb_n
	hb_t=$(hb_tps "$6")
	hb_n=$(hb_tx "$6")
	row "$1" "$2" "$3" "$4" "$5"
	row "" hpcbench "$hb_t" "$7" "$hb_n"
	printf '%-26s %-12s %12s %16s\n' "" "ratio hb/ref" "$(ratio "$hb_t" "$3")" \
		"$(ratio "$(per_req "$7" "$hb_n")" "$(per_req "$4" "$5")")"
}

# sysbench_case NAME SYSBENCH_TEST HPCBENCH_WORKLOAD
sysbench_case() {
	local name=$1 test=$2 wl=$3 tps tx cpu
	measure "$BENCH_TMP/sb" sysbench "$test" "${sb[@]}" --threads="$CONNS" --time="$DURATION" \
		--report-interval=0 run || die "sysbench failed: $(tail -3 "$BENCH_TMP/sb.err")"
	tx=$(awk '/transactions:/ { print $2 }' "$BENCH_TMP/sb.out")
	tps=$(awk -F'[(]' '/transactions:/ { split($2, a, " "); print a[1] }' "$BENCH_TMP/sb.out")
	cpu=$M_CPU_S
	measure "$BENCH_TMP/hb" "$HPCBENCH" load sql "mysql://bench@127.0.0.1:$myport/bench" \
		--password-file "$pwfile" --workload "$wl" --tables "$TABLES" \
		--table-size "$TABLE_SIZE" -t 1 -c "$CONNS" -d "${DURATION}s" --no-progress \
		--json "$BENCH_TMP/hb.json" || die "hpcbench failed: $(cat "$BENCH_TMP/hb.err")"
	compare "$name" sysbench "$tps" "$cpu" "$tx" "$BENCH_TMP/hb.json" "$M_CPU_S"
}

# pgbench_case NAME PGBENCH_ARGS HPCBENCH_WORKLOAD
pgbench_case() {
	local name=$1 args=$2 wl=$3 tps tx cpu
	# shellcheck disable=SC2086 # args is a list of options
	measure "$BENCH_TMP/pgb" "$PG_BIN/pgbench" -h 127.0.0.1 -p "$pgport" -U bench $args \
		-M prepared -c "$CONNS" -j 1 -T "$DURATION" bench ||
		die "pgbench failed: $(tail -3 "$BENCH_TMP/pgb.err")"
	tx=$(awk -F': ' '/number of transactions actually processed/ { print $2 }' "$BENCH_TMP/pgb.out")
	tps=$(awk '/^tps = / { print $3; exit }' "$BENCH_TMP/pgb.out")
	cpu=$M_CPU_S
	measure "$BENCH_TMP/hb" "$HPCBENCH" load sql "postgres://bench@127.0.0.1:$pgport/bench" \
		--password-file "$pwfile" --workload "$wl" -t 1 -c "$CONNS" -d "${DURATION}s" \
		--no-progress --json "$BENCH_TMP/hb.json" ||
		die "hpcbench failed: $(cat "$BENCH_TMP/hb.err")"
	compare "$name" pgbench "$tps" "$cpu" "$tx" "$BENCH_TMP/hb.json" "$M_CPU_S"
}

sysbench_case "mariadb point_select c$CONNS" oltp_point_select point_select
sysbench_case "mariadb read_only c$CONNS" oltp_read_only read_only
pgbench_case "postgres select-only c$CONNS" -S select-only
pgbench_case "postgres tpcb-like c$CONNS" "" tpcb-like
echo "each run ${DURATION}s; tables $TABLES x $TABLE_SIZE rows (pgbench scale 1);" \
	"client CPU = user+sys of the client process; machine: $(nproc) cores, $(uname -r)," \
	"load average $(cut -d' ' -f1-3 /proc/loadavg)"
