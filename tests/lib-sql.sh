#!/usr/bin/env bash
# SQL servers for end-to-end tests (sourced after lib.sh): a real MariaDB and a real
# PostgreSQL in $SCRATCH on a free loopback port, stopped by PID when the test ends.
#
#   . "$(dirname "$0")/lib-sql.sh"
#   port=$(start_mariadb)           # user bench / password in $SCRATCH/bench.pw, db bench
#   my_sql "$port" 'SHOW GLOBAL STATUS LIKE "Com_select"'
#   port=$(start_postgres)          # same user, password and database
#   pg_sql "$port" 'SELECT 1'

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
SQL_PW_FILE=$SCRATCH/bench.pw

_sql_password() {
	[ -f "$SQL_PW_FILE" ] || { printf 'bench-pw-%s\n' "$RANDOM$RANDOM" >"$SQL_PW_FILE"; }
	chmod 644 "$SQL_PW_FILE"
}

# start_mariadb: prints the port; the data folder is $SCRATCH/mariadb-PORT.
start_mariadb() {
	local port dir pw _
	_sql_password
	pw=$(cat "$SQL_PW_FILE")
	port=$(free_port)
	dir=$SCRATCH/mariadb-$port
	mkdir -p "$dir/data"
	chown -R mysql:mysql "$dir" 2>/dev/null || true
	mariadb-install-db --no-defaults --user=mysql --datadir="$dir/data" \
		--auth-root-authentication-method=socket --skip-test-db >"$dir/init.log" 2>&1 ||
		{ echo "mariadb-install-db failed" >&2; return 1; }
	mariadbd --no-defaults --user=mysql --datadir="$dir/data" --port="$port" \
		--bind-address=127.0.0.1 --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" \
		--skip-log-bin --innodb-buffer-pool-size=64M --log-error="$dir/err.log" \
		>/dev/null 2>&1 &
	echo $! >"$dir/pid"
	track_pid $!
	wait_port "$port" 30 || { echo "mariadbd did not start" >&2; return 1; }
	for _ in $(seq 100); do
		[ -S "$dir/mysqld.sock" ] && break
		sleep 0.1
	done
	mariadb --no-defaults -S "$dir/mysqld.sock" -uroot -e "
		CREATE DATABASE bench;
		CREATE USER 'bench'@'%' IDENTIFIED BY '$pw';
		GRANT ALL PRIVILEGES ON *.* TO 'bench'@'%';" ||
		{ echo "mariadb: cannot create the bench user" >&2; return 1; }
	echo "$port"
}

# my_sql PORT SQL: runs SQL as root over the socket, tab-separated, no headers.
my_sql() {
	mariadb --no-defaults -S "$SCRATCH/mariadb-$1/mysqld.sock" -uroot -N -B -e "$2"
}

# my_status PORT NAME: a SHOW GLOBAL STATUS counter.
my_status() {
	my_sql "$1" "SHOW GLOBAL STATUS LIKE '$2'" | awk '{print $2}'
}

# start_postgres: prints the port; the data folder is $SCRATCH/postgres-PORT (owned by
# the postgres user: the server refuses to run as root). No autovacuum: its
# transactions would count in pg_stat_database.
start_postgres() {
	local port dir run
	_sql_password
	port=$(free_port)
	dir=$SCRATCH/postgres-$port
	mkdir -p "$dir"
	chown postgres "$dir"
	run=(runuser -u postgres --)
	[ "$(id -u)" = 0 ] || run=()
	"${run[@]}" "$PG_BIN/initdb" -D "$dir/data" -U bench --pwfile="$SQL_PW_FILE" \
		--auth-local=trust --auth-host=scram-sha-256 >"$dir/init.log" 2>&1 ||
		{ echo "initdb failed" >&2; return 1; }
	"${run[@]}" "$PG_BIN/postgres" -D "$dir/data" -p "$port" -k "$dir" \
		-c listen_addresses=127.0.0.1 -c fsync=off -c autovacuum=off >"$dir/log" 2>&1 &
	echo $! >"$dir/pid"
	track_pid $!
	wait_port "$port" 30 || { echo "postgres did not start" >&2; return 1; }
	pg_sql "$port" "CREATE DATABASE bench" postgres >/dev/null ||
		{ echo "postgres: cannot create the bench database" >&2; return 1; }
	echo "$port"
}

# pg_sql PORT SQL [DB]: runs SQL as bench over the socket (trusted), unaligned.
pg_sql() {
	"$PG_BIN/psql" -h "$SCRATCH/postgres-$1" -p "$1" -U bench -d "${3:-bench}" -tAqc "$2"
}
