#!/usr/bin/env bash
# `make quickstart` (after install + build): a real benchmark session on this machine.
# A native redis-server (recipes/sessions/redis-local.yaml) is started by the local
# executor, probed until it answers PING, loaded by `hpcbench load redis` for 10 s, then
# stopped; the summary table and the result file's path are printed.
#   BUILD=dir   the build folder (default: build)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
hb=$top/${BUILD:-build}/hpcbench
recipe=recipes/sessions/redis-local.yaml

if [ ! -x "$hb" ]; then
	echo "quickstart: $hb is missing: run 'make' first" >&2
	exit 1
fi
if ! command -v redis-server >/dev/null; then
	echo "quickstart: redis-server is missing: run 'make deps' (scripts/install-deps.sh)" >&2
	exit 1
fi

cd "$top"
echo "quickstart: hpcbench run $recipe"
echo "quickstart: a native Redis and a load client on this machine (about 20 s)"
echo
summary=$(mktemp "${TMPDIR:-/tmp}/hpcbench-quickstart.XXXXXX")
trap 'rm -f "$summary"' EXIT
rc=0
"$hb" -v run "$recipe" --json >"$summary" || rc=$?
if [ ! -s "$summary" ]; then
	echo "quickstart: the session did not start (exit $rc)" >&2
	exit "$rc"
fi
run=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$summary")
echo
"$hb" results "$run"
echo
python3 - "$summary" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for job in s["jobs"]:
    for r in job.get("results", []):
        print("result file: %s/%s" % (s["run_dir"], r["file"]))
PY
# The run's report, in its run folder: charts, tables, provenance, .hgrm files.
report_dir=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_dir"])' "$summary")/report
if "$hb" report "$run" -o "$report_dir" --title "hpcbench quickstart: run $run" >/dev/null; then
	echo "report: $report_dir/report.html"
else
	echo "quickstart: the report could not be written" >&2
	[ "$rc" -ne 0 ] || rc=1
fi
exit "$rc"
