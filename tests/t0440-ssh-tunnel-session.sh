#!/usr/bin/env bash
# A service started by `hpcbench up --executor ssh` (real sshd on 127.0.0.1 in front of
# a real single-node SLURM) reached through `hpcbench tunnel --open`: bytes sent to the
# local port reach its Redis; `status` with the login node out of reach shows the last
# known states and exits 3; `stop` leaves squeue empty and no redis-server behind; a
# session against an unreachable login node exits 3. (Whole sessions through slurm and
# ssh are in t0503-session-cluster.sh.)
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-cluster.sh
. "$(dirname "$0")/lib-cluster.sh"

[ -x "$HPCBENCH" ] || bail "hpcbench not built"
need slurmctld slurmd munged mungekey sshd ssh redis-server
start_slurm || bail "slurm did not start"
start_sshd || bail "sshd did not start"

cat >"$SCRATCH/redis.yaml" <<'YAML'
services:
  - name: redis
    type: redis
    runtime: native
    command: redis-server
    ports: [6379]
    persistence: none
    resources: {time: "00:10:00", cpus_per_task: 1, mem: 512M}
    health_check: {timeout: 30, interval: 0.2}
YAML
wd=$SCRATCH/wd
cat >"$SCRATCH/cluster.yaml" <<YAML
workdir: $wd
hpc:
  hostname: hbcluster
  remote_bin: $HPCBENCH
YAML
export HPCBENCH_CONFIG=$SCRATCH/cluster.yaml
# The same workdir behind a login node that does not answer.
cat >"$SCRATCH/down.yaml" <<YAML
workdir: $wd
hpc:
  hostname: 127.0.0.1
  port: $(free_port)
YAML

# no_jobs_left: squeue has no pending/running/completing job (teardown may still be
# completing the last one for a moment).
no_jobs_left() { _wait_until 20 test -z "$(job_ids_in_queue)"; }
# servers_left: redis-servers of this test's runs (Redis rewrites its command line, but
# it runs in its --dir, JOB_DIR/data under the workdir).
servers_left() {
	local p
	for p in $(pgrep redis-server); do
		case $(readlink "/proc/$p/cwd") in "$wd"/*) echo "$p" ;; esac
	done
}

# up / endpoint / tunnel / stop of a service over ssh.
id=$(hb up "$SCRATCH/redis.yaml" --executor ssh 2>"$SCRATCH/up.err")
is "$?" 0 "ssh: up exits 0"
like "$id" '^redis_[0-9a-f]{8}$' "ssh: up prints the service id only"
like "$(servers_left)" '^[0-9]+$' "ssh: its redis-server runs (in the job folder)"
url=$(hb endpoint "$id")
like "$url" '^redis://[^:]+:[0-9]+$' "ssh: endpoint prints the service URL"
lport=$(free_port)
"$HPCBENCH" tunnel "$id" "$lport" --open >/dev/null 2>"$SCRATCH/tunnel.err" &
tpid=$!
track_pid "$tpid"
ok "ssh: tunnel --open forwards a local port" wait_port "$lport" 15
is "$(redis-cli -p "$lport" set via tunnel)" OK "ssh: a command goes through the tunnel"
is "$(redis-cli -p "${url##*:}" get via)" tunnel "ssh: and reaches the service's Redis"
stop_pid "$tpid"
out=$(HPCBENCH_CONFIG=$SCRATCH/down.yaml hb status 2>&1)
is "$?" 3 "ssh: status with the login node out of reach exits 3"
like "$out" "last known" "ssh: and says the states shown are the last known"
like "$out" "$id +service +READY" "ssh: the service is shown as last seen (READY)"
is "$(hb stop "$id")" "$id" "ssh: stop names the stopped service"
ok "ssh: nothing left in squeue after stop" no_jobs_left
_wait_until 10 test -z "$(servers_left)"
is "$(servers_left)" "" "ssh: the service's redis-server is gone"

# An unreachable login node: exit 3, nothing submitted.
out=$(HPCBENCH_CONFIG=$SCRATCH/down.yaml hb up "$SCRATCH/redis.yaml" --executor ssh 2>&1)
is "$?" 3 "ssh: up against an unreachable login node exits 3"
like "$out" "cannot reach 127.0.0.1:[0-9]+ over ssh" "ssh: and says where"

done_testing
