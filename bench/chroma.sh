#!/usr/bin/env bash
# Side-by-side: hpcbench load chroma vs Chroma's official JS client (npm chromadb,
# bench/chroma-query.cjs) against one Chroma server on loopback: the same collection
# (DOCS random vectors of DIM floats, inserted once by hpcbench), the same QUERIES query
# vectors (one .fvecs file both read), N top-K queries with the same include fields at
# concurrency C, closed loop. Prints each tool's query throughput (as it reports it),
# client CPU per query (user+sys of the client process / queries, from /usr/bin/time;
# node's start-up included), the server's CPU per query over the same run, and the
# ratios hpcbench / JS. Recall@K of the collection is printed from the insert run.
#
#   bench/chroma.sh                   DOCS=5000 DIM=384 N=2000 C=8 K=10
#   N=5000 C=16 HPCBENCH_BUILD=build-x bench/chroma.sh
#
# Targets of issue 9: throughput >= 1.0x, client CPU per query <= 0.5x the JS client's,
# and hpcbench's CPU <= 5 % of the server's.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

DOCS=${DOCS:-5000}
DIM=${DIM:-384}
QUERIES=${QUERIES:-1000}
N=${N:-2000}
C=${C:-8}
K=${K:-10}
CHROMA_NODE_DIR=${CHROMA_NODE_DIR:-/opt/hpcbench/chroma}
export CHROMA_NODE_DIR

chroma=$(command -v chroma || echo "$CHROMA_NODE_DIR/node_modules/.bin/chroma")
[ -x "$chroma" ] || die "chroma is not installed (scripts/install-deps.sh)"
command -v node >/dev/null || die "node is not installed"
[ -x "$HPCBENCH" ] || die "$HPCBENCH not built (make)"
VEC_TOOL=$BENCH_BUILD/helpers/vec-tool
[ -x "$VEC_TOOL" ] || die "$VEC_TOOL not built (make unit)"

port=$(free_port)
"$chroma" run --path "$BENCH_TMP/data" --host 127.0.0.1 --port "$port" >"$BENCH_TMP/chroma.log" 2>&1 &
server=$!
track "$server"
for _ in $(seq 300); do
	curl -sf "http://127.0.0.1:$port/api/v2/heartbeat" >/dev/null 2>&1 && break
	sleep 0.1
done
url=http://127.0.0.1:$port

"$VEC_TOOL" fvecs "$BENCH_TMP/base.fvecs" "$DOCS" "$DIM" 1 || die "vec-tool failed"
"$VEC_TOOL" fvecs "$BENCH_TMP/q.fvecs" "$QUERIES" "$DIM" 2 || die "vec-tool failed"
"$HPCBENCH" load chroma "$url" --collection bench --data "$BENCH_TMP/base.fvecs" \
	--query-data "$BENCH_TMP/q.fvecs" --batch-size 1000 --insert-streams 2 -n "$QUERIES" \
	-c "$C" --top-k "$K" --keep --no-progress --json "$BENCH_TMP/insert.json" \
	>"$BENCH_TMP/insert.out" 2>&1 || die "insert failed: $(tail -3 "$BENCH_TMP/insert.out")"
read -r docs_s recall < <(python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["vector"]
print("%.0f" % v["insert"]["documents_per_s"], "%.4f" % v["recall"]["mean"])' "$BENCH_TMP/insert.json")

# The JS client.
s0=$(proc_cpu_s "$server")
measure "$BENCH_TMP/js" node "$BENCH_TOP/bench/chroma-query.cjs" "$url" bench \
	"$BENCH_TMP/q.fvecs" "$N" "$C" "$K" || die "node client failed: $(cat "$BENCH_TMP/js.err")"
s1=$(proc_cpu_s "$server")
read -r js_n js_qps < <(python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).read())
print(r["ok"], "%.1f" % r["qps"])' "$BENCH_TMP/js.out")
js_cpu=$(per_req "$M_CPU_S" "$js_n")
js_srv=$(per_req "$(awk -v a="$s0" -v b="$s1" 'BEGIN { print b - a }')" "$js_n")

# hpcbench: the same queries on the same collection (--reuse: no insert, no recall work).
measure "$BENCH_TMP/hb" "$HPCBENCH" load chroma "$url" --collection bench --reuse --keep \
	--data "$BENCH_TMP/base.fvecs" --query-data "$BENCH_TMP/q.fvecs" --no-recall \
	--include distances,metadatas,documents -n "$N" -c "$C" --top-k "$K" --no-progress \
	--json "$BENCH_TMP/hb.json" || die "hpcbench failed: $(tail -3 "$BENCH_TMP/hb.err")"
s2=$(proc_cpu_s "$server")
read -r hb_n hb_qps enc < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))
print(r["requests"]["ok"], "%.1f" % r["throughput_rps"], "%.2f" % r["vector"]["encode_us_per_query"])' "$BENCH_TMP/hb.json")
hb_cpu=$(per_req "$M_CPU_S" "$hb_n")
hb_srv=$(per_req "$(awk -v a="$s1" -v b="$s2" 'BEGIN { print b - a }')" "$hb_n")

f='%-30s %-14s %9s %10s %14s %16s %12s\n'
# shellcheck disable=SC2059
{
	printf "$f" "case" "tool" "queries" "q/s" "cpu us/query" "server us/query" "cpu/server"
	printf "$f" "$DOCS x $DIM, top-$K, c$C, n$N" "chromadb-js" "$js_n" "$js_qps" "$js_cpu" \
		"$js_srv" "$(ratio "$js_cpu" "$js_srv")"
	printf "$f" "" hpcbench "$hb_n" "$hb_qps" "$hb_cpu" "$hb_srv" "$(ratio "$hb_cpu" "$hb_srv")"
	printf "$f" "" "ratio hb/js" "" "$(ratio "$hb_qps" "$js_qps")" "$(ratio "$hb_cpu" "$js_cpu")" \
		"$(ratio "$hb_srv" "$js_srv")" ""
}
echo "insert (hpcbench, 2 streams, batches of 1000): $docs_s docs/s; recall@$K $recall"
echo "hpcbench encodes a $DIM-float query in $enc us (JSON text, before the clock)"
"$VEC_TOOL" encode 1536 2000
echo "client CPU = user+sys of the client process; machine: $(nproc) cores, $(uname -r)"
