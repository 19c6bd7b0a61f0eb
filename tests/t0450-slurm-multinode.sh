#!/usr/bin/env bash
# The multi-node test SLURM (tests/lib-cluster.sh, start_slurm_nodes 3): three slurmd on this
# machine, each its own node with its own port; a 3-node job runs one step per node,
# and stopping the cluster leaves no daemon or job step behind.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-cluster.sh
. "$(dirname "$0")/lib-cluster.sh"

need slurmctld slurmd munged mungekey sbatch srun
start_slurm_nodes 3 || bail "a 3-node slurm did not start"

is "$SLURM_NODES" "node1 node2 node3" "three nodes, named node1..node3"
is "$(timeout 5 sinfo -h -N -o '%N %t' | sort | tr '\n' ' ')" \
	"node1 idle node2 idle node3 idle " "sinfo: every node idle"
ports=$(sed -n 's/^NodeName=node[0-9]* .* Port=\([0-9]*\) .*/\1/p' "$SLURM_CONF" | sort -u | wc -l)
is "$ports" 3 "each node has its own slurmd port"

# One job over the three nodes: srun runs one task per node, each under its slurmd.
mkdir -p "$SCRATCH/job"
cat >"$SCRATCH/job/job.sh" <<'JOB'
#!/bin/bash
#SBATCH --nodes=3
#SBATCH --ntasks-per-node=1
srun --ntasks=3 --ntasks-per-node=1 bash -c 'echo "$SLURM_NODEID $SLURMD_NODENAME"' | sort
JOB
id=$(cd "$SCRATCH/job" && timeout 15 sbatch --parsable -o out.log job.sh)
like "$id" '^[0-9]+$' "a 3-node job is accepted"
for _ in $(seq 150); do
	[ -z "$(job_ids_in_queue)" ] && break
	sleep 0.2
done
is "$(cat "$SCRATCH/job/out.log")" "0 node1
1 node2
2 node3" "srun ran one task on each of the three nodes"
is "$(job_ids_in_queue)" "" "the job left the queue"

# A job asking for more nodes than exist never starts: SLURM says why.
id=$(cd "$SCRATCH/job" && timeout 15 sbatch --parsable -N 4 --wrap true 2>&1)
for _ in $(seq 50); do
	r=$(sq -h -j "$id" -o '%T %r')
	[ "$r" != "PENDING None" ] && break
	sleep 0.2
done
like "$r" "^PENDING (PartitionNodeLimit|Resources|PartitionConfig)" \
	"a 4-node job on 3 nodes stays pending with SLURM's reason ($r)"

# Stopping (cancels the pending job first): every slurmd and the controller end.
ctld=$SLURMCTLD_PID
stop_slurm
alive=0
for p in "${SLURMD_PIDS[@]}"; do pid_alive "$p" && alive=$((alive + 1)); done
is "$alive" 0 "every slurmd stopped (by PID)"
ok "slurmctld stopped (by PID)" bash -c "! grep -qs ' [RSD] ' /proc/$ctld/stat"

done_testing
