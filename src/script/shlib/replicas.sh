# hb_replicas OUT N CMD...: runs the load generator CMD as N replicas started together,
# then merges their results into OUT (hpcbench merge). Replica I gets --replica I/N
# (its share of --rate and -n), one --start-at instant HB_REPLICA_LEAD_S seconds ahead
# (default 3: time for every step to start and connect) and its own files
# OUT-without-.json-replica-I.{json,log}. Inside a SLURM job each replica is its own job
# step on node I mod the job's node count (srun --relative; --overlap so that steps may
# share a node); elsewhere a local process. A replica that fails is named in the merge
# (--note) and the others are still merged. Returns the merge's status.
hb_replicas() {
	local out=$1 n=$2 base at i rc nodes last failed=0 pids=() notes=() files=()
	shift 2
	base=${out%.json}
	nodes=${SLURM_JOB_NUM_NODES:-1}
	at=$(($(date +%s%N) + ${HB_REPLICA_LEAD_S:-3} * 1000000000))
	for ((i = 0; i < n; i++)); do
		files+=("$base-replica-$i.json")
		if [ -n "${SLURM_JOB_ID:-}" ]; then
			srun --nodes=1 --ntasks=1 --relative=$((i % nodes)) --overlap \
				--kill-on-bad-exit=0 --output="$base-replica-$i.log" \
				"$@" --replica "$i/$n" --start-at "$at" --json "$base-replica-$i.json" &
		else
			"$@" --replica "$i/$n" --start-at "$at" --json "$base-replica-$i.json" \
				>"$base-replica-$i.log" 2>&1 &
		fi
		pids+=($!)
		HB_SIDECARS+=($!)
	done
	for ((i = 0; i < n; i++)); do
		rc=0
		wait "${pids[i]}" || rc=$?
		if [ "$rc" -ne 0 ]; then
			failed=$((failed + 1))
			notes+=(--note "$i=exit status $rc")
			last=$(tail -n 1 "$base-replica-$i.log" 2>/dev/null)
			printf 'hpcbench: replica %d of %d failed (exit status %d)%s\n' "$i" "$n" \
				"$rc" "${last:+: $last}" >&2
		fi
	done
	HB_SIDECARS=()
	rc=0
	"$HPCBENCH_BIN" merge --json "$out" "${notes[@]}" "${files[@]}" || rc=$?
	if [ "$rc" -ne 0 ] && [ "$failed" -gt 0 ] && [ -e "$out" ]; then
		# shellcheck disable=SC2034 # hb_on_exit (common.sh) writes it into the state file
		HB_REASON="$failed of $n replicas failed; the others are merged in ${out##*/}"
	fi
	return "$rc"
}
