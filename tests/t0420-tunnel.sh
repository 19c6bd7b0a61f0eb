#!/usr/bin/env bash
# hpcbench tunnel: the ssh -L command for a service recorded in the state database,
# and --open holding a real forward through a real sshd on 127.0.0.1 to a real Redis
# (the "compute node" is 127.0.0.1 here): bytes sent through the tunnel reach Redis.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-cluster.sh
. "$(dirname "$0")/lib-cluster.sh"

[ -x "$HPCBENCH" ] || bail "hpcbench not built"
need sqlite3 sshd ssh redis-server
start_sshd || bail "sshd did not start"
# shellcheck disable=SC2119 # no extra redis-server arguments
rport=$(start_redis) || bail "redis did not start"
# start_redis ran in a subshell: its track_pid did not reach this shell
track_pid "$(redis_pid "$rport")"

cat >"$SCRATCH/cluster.yaml" <<YAML
hpc:
  hostname: hbcluster
YAML
export HPCBENCH_CONFIG=$SCRATCH/cluster.yaml

out=$(hb tunnel redis_00000000 2>&1)
is "$?" 2 "an unknown id exits 2"
like "$out" "no job 'redis_00000000'" "and says so"
db=$XDG_STATE_HOME/hpcbench/state.db
ok "the state database exists" test -f "$db"

# job ID KIND EXECUTOR STATE ENDPOINT: records a job the way a session does.
job() {
	local ep=NULL
	[ -n "$5" ] && ep="'$5'"
	sqlite3 "$db" "INSERT INTO jobs (id, run_id, kind, name, executor, job_dir, state, endpoint)
		VALUES ('$1', 'r1', '$2', 'redis', '$3', '/x/$1', '$4', $ep);"
}
sqlite3 "$db" "INSERT INTO runs (id, command, recipes, executor, run_dir, host, pid, state, created_at)
	VALUES ('r1', 'up', 'redis.yaml', 'ssh', '/x', 'here', 1, 'UP', 1);"
job redis_11111111 service ssh READY "redis://127.0.0.1:$rport"
job bench_22222222 client ssh RUNNING ""
job redis_33333333 service ssh PENDING ""
job redis_44444444 service ssh COMPLETED "redis://127.0.0.1:$rport"
job redis_55555555 service slurm READY "redis://mel2001:6379"

out=$(hb tunnel redis_11111111)
is "$?" 0 "tunnel prints the forward"
is "$out" "ssh -F $SSH_CONFIG -N -L $rport:127.0.0.1:$rport hbcluster" \
	"ssh -L LOCAL:NODE:PORT through the login node, local port = service port"
like "$(hb tunnel redis_11111111 16379)" " -L 16379:127.0.0.1:$rport " "LOCAL_PORT is used"

lport=$(free_port)
"$HPCBENCH" tunnel redis_11111111 "$lport" --open >"$SCRATCH/tunnel.out" 2>"$SCRATCH/tunnel.err" &
tpid=$!
track_pid "$tpid"
ok "--open holds a forward on the local port" wait_port "$lport" 15
is "$(head -1 "$SCRATCH/tunnel.out")" "redis://localhost:$lport" "--open prints the local address"
is "$(redis-cli -p "$lport" set through tunnel-bytes)" "OK" "a command goes through the tunnel"
is "$(redis-cli -p "$rport" get through)" "tunnel-bytes" "and reached the real Redis"
stop_pid "$tpid"
ok "the forward is gone once the tunnel process is stopped" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$lport) 2>/dev/null"

out=$(hb tunnel bench_22222222 2>&1)
is "$?" 2 "a client id exits 2"
like "$out" "is a client" "and says a tunnel goes to a service"
out=$(hb tunnel redis_33333333 2>&1)
is "$?" 1 "a service without endpoint exits 1"
like "$out" "has no endpoint yet \(state PENDING\)" "and gives its state"
out=$(hb tunnel redis_44444444 2>&1)
is "$?" 1 "an ended service exits 1"
like "$out" "no longer running" "and says so"
out=$(hb tunnel redis_55555555 2>"$SCRATCH/slurm.err")
is "$?" 0 "a slurm-executor service prints the command for your own machine"
like "$out" "^ssh (-F [^ ]+ )?-N -L 6379:mel2001:6379 .*$(hostname)\$" "through this login node"
out=$(hb tunnel redis_55555555 --open 2>&1)
is "$?" 2 "--open is refused without the ssh executor"
out=$(hb tunnel redis_11111111 70000 2>&1)
is "$?" 2 "a bad local port exits 2"

done_testing
