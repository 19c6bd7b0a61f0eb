#!/usr/bin/env bash
# The old tool's Chroma client recipes (tests/fixtures/seed-recipes/clients/chroma_*.yaml)
# run end to end with `hpcbench run --executor local`: chroma_small with the chroma service
# type run natively (the session starts `chroma run`, probes it, stops it), and the
# parametric sweep, trimmed to 2 x 2 x 2, against a Chroma started here, whose own state
# shows that each point's collection was deleted. The larger presets render the same
# command with their own sizes.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-chroma.sh
. "$(dirname "$0")/lib-chroma.sh"

SEED=${HPCBENCH_SEED:-$TOP/tests/fixtures/seed-recipes}
[ -f "$SEED/clients/chroma_small.yaml" ] || skip_all "no seed recipes found"
[ -n "$CHROMA_BIN" ] || skip_all "chroma is not installed (scripts/install-deps.sh)"

# run_client OUTNAME RECIPE...: `hpcbench run` with the local executor; sets rc, job_dir.
run_client() {
	local name=$1
	shift
	hb run "$@" --executor local --out "$SCRATCH/runs-$name" >"$SCRATCH/$name.out" 2>&1
	rc=$?
	job_dir=$(find "$SCRATCH/runs-$name" -maxdepth 1 -type d -name 'chroma_*benchmark*' | head -1)
	[ -n "$job_dir" ] || job_dir=$SCRATCH/no-job-folder
}

# chroma_small: 5000 documents of dimension 384, batches of 500, 50 queries, top 10.
run_client small "$TOP/recipes/services/chroma-native.yaml" "$SEED/clients/chroma_small.yaml"
is "$rc" 0 "chroma_small runs to the end against a native chroma service"
r=$job_dir/result.json
ok "it wrote result.json" test -s "$r"
is "$(jv "$r" 'r["vector"]["insert"]["documents_ok"], r["vector"]["count"]["server"]')" \
	"(5000, 5000)" "5000 documents inserted, and chroma counted 5000"
is "$(jv "$r" 'r["vector"]["dimension"], r["vector"]["insert"]["batches_ok"]')" "(384, 10)" \
	"dimension 384 in 10 batches of 500"
is "$(jv "$r" 'r["requests"]["ok"], r["client"]["parameters"]["connections"]')" "(50, 1)" \
	"50 queries, one at a time as the old tool ran them"
is "$(jv "$r" 'r["vector"]["top_k"], r["vector"]["collection"]')" \
	"(10, 'benchmark_collection_small')" "top 10 from the recipe's collection"
is "$(jv "$r" 'r["vector"]["collection_deleted"]')" True "its collection was deleted afterwards"
ok "recall was measured" jv "$r" 'r["vector"]["recall"]["queries"] == 50'
svc=$(find "$SCRATCH/runs-small" -name endpoint.json -path '*chroma_*' | head -1)
sport=$(jv "$svc" 'r["port"]')
if curl -sf "http://127.0.0.1:$sport/api/v2/heartbeat" >/dev/null 2>&1; then
	stopped=no
else
	stopped=yes
fi
is "$stopped" yes "the chroma service was stopped at the end"

# chroma_parametric: 4 x 4 x 4 in the recipe, trimmed to 2 x 2 x 2 and 100 queries,
# against a chroma started here (target_service.endpoint).
port=$(start_chroma) || exit 1
sed -e 's|"500,1000,2000,5000"|"500,1000"|' -e 's|"192,384,768,1536"|"192,384"|' \
	-e 's|"50,100,200,500"|"50,100"|' -e 's|num_queries: 1000|num_queries: 100|' \
	-e "s|^    name: chroma\$|    name: chroma\n    endpoint: http://127.0.0.1:$port|" \
	"$SEED/clients/chroma_parametric.yaml" >"$SCRATCH/param.yaml"
like "$(cat "$SCRATCH/param.yaml")" 'num_documents: "500,1000"' "the sweep is trimmed"
ok "the trimmed recipe validates" hb validate "$SCRATCH/param.yaml"
run_client param "$SCRATCH/param.yaml"
is "$rc" 0 "the parametric sweep runs to the end"
is "$(find "$job_dir" -name 'result-*.json' | wc -l)" 8 "8 result files (2 x 2 x 2)"
f=$(find "$job_dir" -name 'result-*documents1000*dimension384*batch-size50*.json' | head -1)
ok "the point 1000 documents, dimension 384, batch 50 is there" test -s "$f"
is "$(jv "$f" 'r["vector"]["count"]["server"], r["vector"]["dimension"], r["vector"]["insert"]["batches_ok"]')" \
	"(1000, 384, 20)" "chroma counted its 1000 documents of dimension 384, 20 batches of 50"
is "$(jv "$f" 'r["requests"]["ok"], r["vector"]["collection"]')" "(100, 'bench')" \
	"100 queries in the collection named by collection_prefix"
n=0
for f in "$job_dir"/result-*.json; do
	[ "$(jv "$f" 'r["vector"]["collection_deleted"] and r["vector"]["count"]["match"]')" = True ] &&
		n=$((n + 1))
done
is "$n" 8 "every point's count matched and its collection was deleted"
is "$(chroma_api "$port" "" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 0 \
	"chroma holds no collection after the sweep (the old tool left 64)"

# The larger presets: the same command with their own sizes (not run: minutes to hours).
for preset in medium:100000:384:1000:500 large:1000000:384:5000:1000 hd:500000:1536:2500:500; do
	IFS=: read -r name docs dim batch nq <<<"$preset"
	hb render "$SEED/clients/chroma_$name.yaml" -o "$SCRATCH/render-$name" >/dev/null 2>&1
	line=$(grep -h 'load .chroma' "$SCRATCH/render-$name"/*.sh)
	like "$line" "--documents \"$docs\" --dimension \"$dim\" --batch-size \"$batch\" -n \"$nq\"" \
		"chroma_$name: $docs documents of dimension $dim, batches of $batch, $nq queries"
done

done_testing
