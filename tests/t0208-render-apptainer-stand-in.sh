#!/usr/bin/env bash
# Rendered apptainer jobs, run with a stand-in `apptainer` on PATH (Apptainer is not
# installable here) that records its calls and runs `exec` commands natively: two jobs
# that need the same missing image pull it once (the lock), into a temporary name
# renamed when complete; exec gets --bind JOB_DIR, the recipe's binds, --nv for a GPU
# job, and the recipe's environment also as APPTAINERENV_ variables.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-render.sh
. "$(dirname "$0")/lib-render.sh"

need redis-server
mkdir -p "$SCRATCH/bin" "$SCRATCH/containers"
cat >"$SCRATCH/bin/apptainer" <<'SH'
#!/usr/bin/env bash
# Stand-in for apptainer: pull writes a file after a second; exec runs natively.
set -eu
log=${APPTAINER_STANDIN_LOG:?}
case $1 in
pull)
	echo "pull $3 -> $2" >>"$log"
	sleep 1
	echo "image of $3" >"$2"
	;;
exec)
	shift
	opts=()
	while [ "${1#-}" != "$1" ]; do
		case $1 in
		--bind) opts+=("$1 $2"); shift 2 ;;
		*) opts+=("$1"); shift ;;
		esac
	done
	image=$1
	shift
	echo "exec image=$image opts=${opts[*]} cmd=$1 env=${APPTAINERENV_GREETING:-}" >>"$log"
	exec "$@"
	;;
*) exit 2 ;;
esac
SH
chmod +x "$SCRATCH/bin/apptainer"
export APPTAINER_STANDIN_LOG=$SCRATCH/apptainer.log
cat >"$SCRATCH/two.yaml" <<YAML
services:
  - name: cpu
    type: redis
    container:
      docker_source: docker://redis:7-alpine
      image_path: $SCRATCH/containers/redis.sif
      bind_mounts: ["$SCRATCH/containers:/mnt/c"]
    ports: [$(free_port)]
    environment: {GREETING: "hello there"}
    health_check: {timeout: 60, interval: 0.2}
  - name: gpu
    type: redis
    container:
      docker_source: docker://redis:7-alpine
      image_path: $SCRATCH/containers/redis.sif
    resources: {gres: "gpu:1"}
    ports: [$(free_port)]
    health_check: {timeout: 60, interval: 0.2}
YAML
mapfile -t ids < <(render_to "$SCRATCH/jobs" "$SCRATCH/two.yaml")
cpu=${ids[0]} gpu=${ids[1]}
PATH=$SCRATCH/bin:$PATH start_job "$SCRATCH/jobs" "$cpu"
PATH=$SCRATCH/bin:$PATH start_job "$SCRATCH/jobs" "$gpu"
ok "the first job becomes ready" wait_state "$RUN/$cpu" READY 60
ok "the second job becomes ready" wait_state "$RUN/$gpu" READY 60
is "$(grep -c '^pull' "$SCRATCH/apptainer.log")" 1 "the image was pulled once for both jobs"
ok "  from the docker source into image_path" \
	grep -qE "^pull docker://redis:7-alpine -> $SCRATCH/containers/redis\.sif\.tmp\.[0-9]+\$" \
	"$SCRATCH/apptainer.log"
is "$(cat "$SCRATCH/containers/redis.sif")" "image of docker://redis:7-alpine" \
	"the image is complete under its final name"
is "$(find "$SCRATCH/containers" -name '*.tmp.*' | wc -l)" 0 "no temporary image left"
ok "exec binds the job folder and the recipe's mounts" \
	grep -qF "opts=--bind $RUN/$cpu --bind $SCRATCH/containers:/mnt/c cmd=redis-server env=hello there" \
	"$SCRATCH/apptainer.log"
ok "a GPU job gets --nv" grep -qF "opts=--nv --bind $RUN/$gpu cmd=redis-server" "$SCRATCH/apptainer.log"
port=$(json_get "$RUN/$gpu/endpoint.json" port)
is "$(redis-cli -p "$port" ping)" PONG "the server started through exec answers"

done_testing
