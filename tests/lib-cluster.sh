#!/usr/bin/env bash
# Cluster helpers for end-to-end tests (sourced after lib.sh): a real single-node SLURM
# (munge + slurmctld + slurmd on 127.0.0.1) and a real sshd on 127.0.0.1, everything in
# the test's $SCRATCH, on free ports, stopped by PID when the test ends.
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/lib-cluster.sh"
#   start_slurm || bail "slurm did not start"        # exports SLURM_CONF
#   start_slurm_nodes 3 || bail "..."                # 3 nodes: node1..node3 (SLURM_NODES)
#   start_sshd || bail "sshd did not start"          # sets SSHD_PORT, SSH_CONFIG, SSH_KEY
#   sq -j "$id"                                      # squeue wrapped in a timeout
#
# Facts behind the choices: /work/shared/notes/real-components.md (SLURM, OpenSSH).

SLURM_DIR=$SCRATCH/slurm
SSHD_DIR=$SCRATCH/sshd

# Client commands retry for a long time when the controller is gone: always bound them.
sq() { timeout 15 squeue "$@"; }
sc() { timeout 15 scancel "$@"; }

# _wait_until TIMEOUT_S CMD...: runs CMD every 0.2 s until it succeeds.
_wait_until() {
	local t=$1 _
	shift
	for _ in $(seq $((t * 5))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# _slurm_nodes_idle N: true when sinfo lists N nodes, every one idle.
_slurm_nodes_idle() {
	local st
	st=$(timeout 5 sinfo -h -N -o '%t' 2>/dev/null)
	[ "$(grep -c . <<<"$st")" = "$1" ] && ! grep -qv '^idle$' <<<"$st"
}

# start_slurm: one node named after this host (below). start_slurm_nodes N: N nodes.
start_slurm() { _start_slurm 1; }
start_slurm_nodes() { _start_slurm "$1"; }

# _start_slurm N: munged, slurmctld and slurmd, state in $SLURM_DIR. Exports
# SLURM_CONF; sets SLURM_NODE (the first node) and SLURM_NODES (every node name,
# space-separated). Returns 1 when a node never got idle.
#   N = 1: one node named after this host.
#   N >= 2: N nodes node1..nodeN on this machine, one slurmd each (`slurmd -N nodeK`);
#   each node has its own Port= and its own spool, pid and log files (%n in the
#   paths), all with NodeHostname = this host and NodeAddr 127.0.0.1. Each claims the
#   machine's CPUs and memory: the nodes share them, which the tests only need for
#   placement (one step per node), never for capacity.
# The partition lets up to 4 jobs share a core (OverSubscribe=FORCE:4): a service and
# its client each asking for every CPU of a small test machine must run side by side.
_start_slurm() {
	local n=$1 d=$SLURM_DIR ctld_port slurmd_port pid mem host k nodes_conf=''
	host=$(hostname -s)
	mkdir -p "$d/munge" "$d/state" "$d/spool" "$d/log"
	chmod 755 "$d/munge"
	mungekey --create --keyfile="$d/munge/munge.key" || return 1
	munged --socket="$d/munge/munge.sock" --key-file="$d/munge/munge.key" \
		--pid-file="$d/munge/munged.pid" --log-file="$d/log/munged.log" \
		--seed-file="$d/munge/munge.seed" || return 1
	pid=$(cat "$d/munge/munged.pid")
	track_pid "$pid"

	# the node as slurmd sees the hardware: never more CPUs or memory than there are
	mem=$(slurmd -C 2>/dev/null | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
	[ -n "$mem" ] || mem=1000
	ctld_port=$(free_port)
	slurmd_port=$(free_port)
	local hw
	hw="CPUs=$(nproc) Sockets=1 CoresPerSocket=$(nproc) ThreadsPerCore=1 RealMemory=$mem"
	SLURM_NODES=
	if [ "$n" -le 1 ]; then
		SLURM_NODES=$host
		nodes_conf="NodeName=$host NodeAddr=127.0.0.1 $hw State=UNKNOWN"
	else
		for k in $(seq "$n"); do
			SLURM_NODES="${SLURM_NODES:+$SLURM_NODES }node$k"
			nodes_conf+="NodeName=node$k NodeHostname=$host NodeAddr=127.0.0.1 Port=$(free_port) $hw State=UNKNOWN"$'\n'
		done
	fi
	# shellcheck disable=SC2034 # read by the tests that source this file
	SLURM_NODE=${SLURM_NODES%% *}
	cat >"$d/slurm.conf" <<CONF
ClusterName=hbtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$d/munge/munge.sock
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool/%n
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd-%n.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$d/log/jobcomp.txt
MailProg=/bin/true
ReturnToService=2
MpiDefault=none
MaxJobCount=20000
MaxArraySize=10001
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,sched_interval=1
$nodes_conf
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
	export SLURM_CONF=$d/slurm.conf
	slurmctld -D -f "$SLURM_CONF" >"$d/log/slurmctld.out" 2>&1 &
	track_pid $!
	SLURMCTLD_PID=$!
	SLURMD_PIDS=()
	for k in $SLURM_NODES; do
		mkdir -p "$d/spool/$k"
		slurmd -D -f "$SLURM_CONF" -N "$k" >"$d/log/slurmd-$k.out" 2>&1 &
		track_pid $!
		SLURMD_PIDS+=($!)
	done
	on_exit stop_slurm
	if ! _wait_until 30 _slurm_nodes_idle "$(wc -w <<<"$SLURM_NODES")"; then
		echo "# slurm nodes never all became idle; slurmctld log:" >&2
		tail -5 "$d/log/slurmctld.log" | sed 's/^/#   /' >&2
		return 1
	fi
}

# stop_slurm: cancels every job of this private cluster (job steps outlive slurmd), then
# stops the daemons by PID. Runs at exit; safe to call twice.
stop_slurm() {
	local ids='' _ pid
	[ -n "${SLURMCTLD_PID:-}" ] || return 0
	# a stopped controller cannot cancel anything (and clients would wait 10 s for it)
	pid_alive "$SLURMCTLD_PID" && ids=$(sq -h -o '%i' 2>/dev/null)
	if [ -n "$ids" ]; then
		# shellcheck disable=SC2086 # one id per word
		sc $ids 2>/dev/null
		for _ in $(seq 25); do
			[ -z "$(sq -h -o '%i' -t PD,R,CG,S 2>/dev/null)" ] && break
			sleep 0.2
		done
	fi
	for pid in "${SLURMD_PIDS[@]}"; do stop_pid "$pid"; done
	stop_pid "$SLURMCTLD_PID"
	SLURMCTLD_PID=
}

# job_ids_in_queue: the ids squeue knows in pending/running/completing states, one a line.
job_ids_in_queue() { sq -h -t PD,R,CG,S,CF -o '%i' 2>/dev/null; }

# start_sshd: sshd on 127.0.0.1:$SSHD_PORT for the current user with a generated key.
# Sets SSH_KEY (client private key), SSH_KNOWN_HOSTS, SSH_CONFIG (an ssh_config where
# Host "hbcluster" is this sshd) and exports HPCBENCH_SSH_CONFIG=$SSH_CONFIG. Remote
# sessions get SLURM_CONF (when set) as a login node has its cluster config.
start_sshd() {
	local d=$SSHD_DIR user
	user=$(id -un)
	mkdir -p "$d" /run/sshd
	chmod 755 "$d"
	ssh-keygen -q -t ed25519 -N '' -f "$d/host_key" || return 1
	ssh-keygen -q -t ed25519 -N '' -f "$d/client_key" || return 1
	cp "$d/client_key.pub" "$d/authorized_keys"
	chmod 644 "$d/authorized_keys"
	SSHD_PORT=$(free_port)
	{
		echo "Port $SSHD_PORT"
		echo "ListenAddress 127.0.0.1"
		echo "HostKey $d/host_key"
		echo "PidFile $d/sshd.pid"
		echo "AuthorizedKeysFile $d/authorized_keys"
		echo "PasswordAuthentication no"
		echo "KbdInteractiveAuthentication no"
		echo "UsePAM no"
		echo "StrictModes no"
		echo "PermitRootLogin prohibit-password"
		echo "MaxSessions 64"
		echo "MaxStartups 64"
		[ -n "${SLURM_CONF:-}" ] && echo "SetEnv SLURM_CONF=$SLURM_CONF"
	} >"$d/sshd_config"
	/usr/sbin/sshd -t -f "$d/sshd_config" || return 1
	/usr/sbin/sshd -D -f "$d/sshd_config" -E "$d/sshd.log" &
	track_pid $!
	wait_port "$SSHD_PORT" 10 || return 1

	SSH_KEY=$d/client_key
	SSH_KNOWN_HOSTS=$d/known_hosts
	echo "[127.0.0.1]:$SSHD_PORT $(cut -d' ' -f1,2 "$d/host_key.pub")" >"$SSH_KNOWN_HOSTS"
	SSH_CONFIG=$d/ssh_config
	cat >"$SSH_CONFIG" <<CONF
Host hbcluster
	HostName 127.0.0.1
	Port $SSHD_PORT
	User $user
	IdentityFile $SSH_KEY
	IdentitiesOnly yes
Host *
	UserKnownHostsFile $SSH_KNOWN_HOSTS
	GlobalKnownHostsFile /dev/null
	StrictHostKeyChecking yes
CONF
	export HPCBENCH_SSH_CONFIG=$SSH_CONFIG
}

# ssh_t CMD...: runs CMD on the test's sshd (for checks made by the test itself).
ssh_t() { timeout 20 ssh -F "$SSH_CONFIG" -o BatchMode=yes hbcluster "$@"; }
