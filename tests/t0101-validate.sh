#!/usr/bin/env bash
# hpcbench validate: every old recipe loads; every kind of bad recipe gets exit 2 and
# exactly the expected FILE:LINE:COL: messages (tests/fixtures/recipes/bad/*.err).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

fixtures=$TOP/tests/fixtures

# The old tool's recipes: the copy in the repository, and the shared seed when present.
for dir in "$fixtures/seed-recipes" "$TOP/../shared/seed/recipes"; do
	[ -d "$dir" ] || continue
	for f in "$dir"/services/*.yaml "$dir"/clients/*.yaml; do
		out=$(hb validate "$f" 2>"$SCRATCH/err")
		rc=$?
		if grep -q "cannot run yet: this build has no 'hpcbench load" "$SCRATCH/err"; then
			# Its client type has no load protocol in this build (test-service
			# checks the registry): refused at validation, never on the cluster.
			is "$rc" 2 "old recipe $(basename "$f") is refused: no load protocol yet"
			continue
		fi
		is "$rc" 0 "old recipe $(basename "$(dirname "$f")")/$(basename "$f") validates"
		like "$out" "^$f: ok \([0-9]+ services?, [0-9]+ clients?\)$" \
			"  and says ok with its counts"
		is "$(cat "$SCRATCH/err")" "" "  and prints nothing on stderr"
	done
done

out=$(hb validate "$fixtures/seed-recipes/services/mysql_with_monitoring.yaml")
like "$out" 'ok \(2 services, 0 clients\)' "the old monitoring: section counts as a service"
out=$(hb validate "$fixtures/seed-recipes/clients/redis_benchmark.yaml")
like "$out" 'ok \(0 services, 1 client\)' "a client recipe counts one client"

# Good fixtures of the new features.
for f in "$fixtures"/recipes/good/*.yaml; do
	hb validate "$f" >"$SCRATCH/out" 2>&1
	is "$?" 0 "good/$(basename "$f") validates"
done
out=$(hb validate "$fixtures/recipes/good/session-redis.yaml")
like "$out" 'ok \(1 service, 2 clients\)' "services: and clients: lists are counted"

# Bad fixtures: exit 2, nothing on stdout, stderr exactly the golden messages.
cd "$fixtures/recipes" || exit 1
for f in bad/*.yaml; do
	hb validate "$f" >"$SCRATCH/out" 2>"$SCRATCH/err"
	is "$?" 2 "$f exits 2"
	is "$(cat "$SCRATCH/out")" "" "  with nothing on stdout"
	is "$(cat "$SCRATCH/err")" "$(cat "${f%.yaml}.err")" "  and exactly the expected errors"
done

# Every error of every file, in one run; the good file is still reported ok.
hb validate good/command-client.yaml bad/unknown-keys.yaml bad/bad-values.yaml \
	>"$SCRATCH/out" 2>"$SCRATCH/err"
is "$?" 2 "one bad file among several: exit 2"
is "$(cat "$SCRATCH/out")" "good/command-client.yaml: ok (0 services, 1 client)" \
	"  the good file is reported on stdout"
is "$(wc -l <"$SCRATCH/err")" \
	"$(cat bad/unknown-keys.err bad/bad-values.err | wc -l)" \
	"  every error of both bad files is on stderr"
bad_lines=$(grep -cvE '^bad/[a-z-]+\.yaml:[0-9]+:[0-9]+: [a-z]' "$SCRATCH/err")
is "$bad_lines" 0 "  every stderr line is FILE:LINE:COL: lowercase message"

out=$(hb validate --quiet good/command-client.yaml good/session-redis.yaml 2>&1)
is "$?" 0 "--quiet: valid recipes exit 0"
is "$out" "" "--quiet: and print nothing"
out=$(hb validate good/command-client.yaml -q 2>&1)
is "$out" "" "-q after the recipe works too"
hb validate -q bad/empty.yaml >/dev/null 2>"$SCRATCH/err"
is "$?" 2 "--quiet still fails on a bad recipe"
is "$(cat "$SCRATCH/err")" "$(cat bad/empty.err)" "--quiet still prints the errors"

out=$(hb validate 2>&1)
is "$?" 2 "no recipe: exit 2"
like "$out" "validate: no recipe given" "no recipe: says so"
out=$(hb validate --frobnicate x.yaml 2>&1)
is "$?" 2 "unknown option: exit 2"
like "$out" "unknown option '--frobnicate'" "unknown option: named"
out=$(hb validate "$SCRATCH/missing.yaml" 2>&1)
is "$?" 2 "missing recipe: exit 2"
is "$out" "$SCRATCH/missing.yaml: cannot open: No such file or directory" \
	"missing recipe: one clear line"

# Values that reach a shell are kept verbatim ($HOME expands in the job, not here).
mkdir -p "$SCRATCH/r"
cat >"$SCRATCH/r/dollar.yaml" <<'EOF'
service:
  name: redis
  container: {image_path: "$HOME/containers/redis.sif"}
  environment: {A: "$(rm -rf ~)", B: "`x`; *"}
EOF
find "$SCRATCH/r" | sort >"$SCRATCH/before"
(cd "$SCRATCH/r" && hb validate dollar.yaml >/dev/null)
is "$?" 0 "shell-looking values are accepted as data"
find "$SCRATCH/r" | sort >"$SCRATCH/after"
ok "validate writes no file" cmp "$SCRATCH/before" "$SCRATCH/after"

# Files a recipe names are read as run would read them: a missing script: is an error
# at its line and column, also for validate (render would fail on it).
mkdir -p "$SCRATCH/s"
cat >"$SCRATCH/s/custom.yaml" <<'EOF'
service:
  name: custom
  type: generic
  runtime: native
  script: start-custom.sh
  ports: [9000]
EOF
out=$(hb validate "$SCRATCH/s/custom.yaml" 2>&1)
is "$?" 2 "a missing script: file: exit 2"
like "$out" "custom.yaml:5:11: script: .*start-custom.sh: cannot open" "  at its line and column"
out=$(hb render "$SCRATCH/s/custom.yaml" 2>&1)
is "$?" 2 "render says the same"
# shellcheck disable=SC2016 # the script's own variable
printf 'my-server --port "$HPCBENCH_PORT" &\n' >"$SCRATCH/s/start-custom.sh"
(cd / && hb validate "$SCRATCH/s/custom.yaml" >/dev/null)
is "$?" 0 "with the file next to the recipe: ok (from any folder)"

done_testing
