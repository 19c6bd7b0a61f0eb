#!/usr/bin/env bash
# One truth for a run, whoever tells it: a service stopped at the end of a session is
# CANCELLED in its own state file, in status, in status --json and in summary.json;
# run's last line names the run's state exactly as results does; and render puts the
# run folder where run does (one function, run_dir_path).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
need redis-server

port=$(free_port)
cat >"$SCRATCH/s.yaml" <<YAML
services:
  - name: cache
    type: redis
    runtime: native
    command: redis-server
    ports: [$port]
    persistence: none
    health_check: {timeout: 20, interval: 0.2}
clients:
  - name: hello
    command: "true"
YAML

# --- render first: the run folder it announces for a run id.
hb render "$SCRATCH/s.yaml" --run-id RID >"$SCRATCH/render.out" 2>"$SCRATCH/render.err"
is "$?" 0 "render exits 0"
rdir=$(sed -n 's|^### hpcbench job [^ ]* ([^)]*) -> \(.*\)/[^/]*/job.sh$|\1|p' "$SCRATCH/render.out" | sort -u)
is "$rdir" "$XDG_STATE_HOME/hpcbench/runs/RID" "render: RUN_DIR is the state folder's runs/RID, as for run"
hb render "$SCRATCH/s.yaml" --run-id RID --executor slurm >"$SCRATCH/render-slurm.out"
like "$(head -1 "$SCRATCH/render-slurm.out")" "-> $HOME/hpcbench/runs/RID/" \
	"render --executor slurm: HOME/hpcbench/runs/RID, as run --executor slurm"
out=$(hb render "$SCRATCH/s.yaml" --executor nowhere 2>&1)
is "$?" 2 "render --executor nowhere: exit 2"
like "$out" "unknown executor 'nowhere' \(local, slurm or ssh\)" "  the choices come from the registry"

# --- a real session.
hb run "$SCRATCH/s.yaml" >"$SCRATCH/run.out" 2>"$SCRATCH/run.err"
is "$?" 0 "run exits 0"
run=$(hb status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["runs"][-1]["id"])')
st() { hb status "$run" --json | python3 -c 'import json,sys
r = json.load(sys.stdin)["runs"][0]
print(r[sys.argv[1]] if sys.argv[2] == "-" else [j for j in r["jobs"] if j["kind"] == sys.argv[2]][0][sys.argv[1]])' "$@"; }
rundir=$(st run_dir -)
is "$(dirname "$rundir")" "$XDG_STATE_HOME/hpcbench/runs" "run: the same folder render announced"

svc=$(st id service)
is "$(st state service)" CANCELLED "status --json: the service stopped at the end is CANCELLED"
like "$(cut -d' ' -f1,2 "$rundir/$svc/state")" "^CANCELLED 0$" "  its own state file says CANCELLED 0"
like "$(cat "$rundir/$svc/state")" " stopped by a signal$" "  and why"
like "$(hb status "$run")" "$svc +service +CANCELLED" "  status (text) says CANCELLED"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([j["state"] for j in d["jobs"] if j["kind"] == "service"][0])' "$rundir/summary.json")" \
	CANCELLED "  summary.json says CANCELLED"
is "$(st state client)" COMPLETED "the client that ran 'true' is COMPLETED"

last_run=$(tail -1 "$SCRATCH/run.out")
last_results=$(hb results "$run" | tail -1)
is "$last_run" "run $run: COMPLETED; run folder $rundir" "run's last line: the run's state word"
is "$last_results" "$last_run" "  the same line results prints"
is "$(st state -)" COMPLETED "  and the state status --json shows"

done_testing
