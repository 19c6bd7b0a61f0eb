#!/usr/bin/env bash
# A rendered native mysql job run for real with MariaDB: a fresh data folder in the job
# folder initialised at start, readiness by SELECT 1, then the database, the user with
# its password, init_script and the root password, from a 0600 SQL file. The job runs
# with a PATH that lacks /usr/sbin, where Debian puts mysqld.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-render.sh
. "$(dirname "$0")/lib-render.sh"

need mysqld mariadb-install-db mysql
user_arg=
if [ "$(id -u)" = 0 ]; then
	user_arg='"--user=root"' # mysqld refuses root unless told
fi
cat >"$SCRATCH/db.yaml" <<YAML
service:
  name: db
  type: mysql
  runtime: native
  command: mysqld
  args: [$user_arg]
  ports: [$(free_port)]
  root_password: "r00t'pw \$(x)"
  database: bench
  user: bench
  password: "bench pw"
  init_script: |
    CREATE TABLE bench.t (id INT PRIMARY KEY);
    INSERT INTO bench.t VALUES (7);
  health_check: {timeout: 120, interval: 0.3}
YAML
id=$(render_to "$SCRATCH/jobs" "$SCRATCH/db.yaml")
if grep -qE "r00t|bench pw" "$SCRATCH/jobs/$id.sh"; then r=yes; else r=no; fi
is "$r" no "no password in the script"
# The job runs with a user's PATH, without the sbin folder where Debian puts mysqld:
# the job finds it there itself.
job_path=/usr/bin:/bin
is "$(PATH=$job_path command -v mysqld)" "" "mysqld is not on the job's PATH"
PATH=$job_path start_job "$SCRATCH/jobs" "$id"
ok "the database becomes ready" wait_state "$RUN/$id" READY 120
port=$(json_get "$RUN/$id/endpoint.json" port)
is "$(json_get "$RUN/$id/endpoint.json" url)" "mysql://127.0.0.1:$port" "endpoint.json: mysql://HOST:PORT"
sql() { mysql --no-defaults --protocol=TCP -h 127.0.0.1 -P "$port" -N -B "$@" 2>&1; }
is "$(sql -ubench -p'bench pw' -e 'SELECT id FROM bench.t')" 7 \
	"the user logs in with its password and sees init_script's data"
is "$(sql -uroot -p"r00t'pw \$(x)" -e 'SELECT 1')" 1 "root has the recipe's password"
like "$(sql -uroot -e 'SELECT 1')" 'Access denied' "  and no longer none"
ok "the data folder is the job's own" test -d "$RUN/$id/data/bench"

kill -TERM "$JOB_PID"
ok "the job stops on TERM" wait_exit "$JOB_PID" 60
like "$(cat "$RUN/$id/state")" '^CANCELLED 0 ' "state CANCELLED 0 (stopped by TERM)"
if listening "$port"; then r=up; else r=down; fi
is "$r" down "the server was stopped"

done_testing
