#!/usr/bin/env bash
# A rendered native postgres job run for real (as the postgres user when the tests run
# as root: PostgreSQL refuses root): initdb into the job folder with the recipe's user
# and password, readiness by SELECT 1 through psql, then the database and init_script.
# The job runs with a user's PATH, without any link to PostgreSQL's programs: it finds
# them where Debian puts them, /usr/lib/postgresql/VERSION/bin.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-render.sh
. "$(dirname "$0")/lib-render.sh"

need psql '/usr/lib/postgresql/*/bin/initdb' '/usr/lib/postgresql/*/bin/postgres'
job_path=/usr/bin:/bin
is "$(PATH=$job_path command -v initdb; PATH=$job_path command -v postgres)" "" \
	"initdb and postgres are not on the job's PATH"
as=()
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || bail "running as root without a postgres user (package postgresql makes it)"
	as=(runuser -u postgres --)
fi
cat >"$SCRATCH/pg.yaml" <<YAML
service:
  name: pg
  type: postgres
  runtime: native
  command: postgres
  ports: [$(free_port)]
  user: bench
  password: "pg pw'"
  database: benchdb
  init_script: "CREATE TABLE t (id int); INSERT INTO t VALUES (42);"
  health_check: {timeout: 120, interval: 0.3}
YAML
id=$(render_to "$SCRATCH/jobs" "$SCRATCH/pg.yaml")
if grep -qF "pg pw" "$SCRATCH/jobs/$id.sh"; then r=yes; else r=no; fi
is "$r" no "no password in the script"
mkdir -p "$RUN/$id"
cp -a "$SCRATCH/jobs/$id/." "$RUN/$id/"
cp "$SCRATCH/jobs/$id.sh" "$RUN/$id/job.sh"
if [ ${#as[@]} -gt 0 ]; then
	chown -R postgres "$RUN" "$SCRATCH/jobs"
	chmod 755 "$SCRATCH"
fi
TMPDIR=$RUN HPCBENCH_BIND_ADDR=127.0.0.1 HPCBENCH_ADVERTISE_HOST=127.0.0.1 \
	setsid "${as[@]}" env PATH="$job_path" bash "$RUN/$id/job.sh" >"$RUN/$id/out.log" 2>"$RUN/$id/err.log" &
pid=$!
track_pid "$pid"
ok "postgres becomes ready" wait_state "$RUN/$id" READY 120
port=$(json_get "$RUN/$id/endpoint.json" port)
is "$(json_get "$RUN/$id/endpoint.json" url)" "postgres://127.0.0.1:$port" \
	"endpoint.json: postgres://HOST:PORT"
is "$(PGPASSWORD="pg pw'" psql -h 127.0.0.1 -p "$port" -U bench -d benchdb -tAc 'SELECT id FROM t' 2>&1)" \
	42 "the user logs in with its password; init_script ran in the database"
like "$(PGPASSWORD=wrong psql -h 127.0.0.1 -p "$port" -U bench -d benchdb -tAc 'SELECT 1' 2>&1)" \
	'password authentication failed' "a wrong password is refused"
is "$(stat -c %a "$RUN/$id/secrets/pgpass")" 600 "the pgpass file is 0600"

# TERM goes to the job itself: runuser, between us and the job, would answer a TERM by
# killing the job 2 s later, before PostgreSQL's shutdown checkpoint ends on a busy machine.
if [ ${#as[@]} -gt 0 ]; then
	pkill -TERM -P "$pid"
else
	kill -TERM "$pid"
fi
ok "the job stops on TERM" wait_exit "$pid" 60
like "$(cat "$RUN/$id/state")" '^CANCELLED 0 ' "state CANCELLED 0 (stopped by TERM)"
if listening "$port"; then r=up; else r=down; fi
is "$r" down "the server was stopped"

done_testing
