#!/usr/bin/env bash
# `hpcbench load chroma` against a real Chroma server (npm chromadb, started here on a free
# port with a temporary --path): inserts checked against Chroma's own count, recall against
# exact neighbours computed independently (Python brute force over a tiny .fvecs dataset),
# the ann-benchmarks HDF5 format, open loop, --keep/--reuse, clean-up, and bad input.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib-chroma.sh
. "$(dirname "$0")/lib-chroma.sh"

[ -n "$CHROMA_BIN" ] || skip_all "chroma is not installed (scripts/install-deps.sh)"
port=$(start_chroma) || exit 1
url=http://127.0.0.1:$port

# Random vectors: 1000 x 16 in batches of 64 over 3 streams, 300 queries over 4 connections.
hb load chroma "$url" --collection t-random --documents 1000 --dimension 16 --batch-size 64 \
	--insert-streams 3 -n 300 -c 4 --top-k 5 --keep --json "$SCRATCH/r1.json" \
	>"$SCRATCH/r1.out" 2>&1
is "$?" 0 "random vectors: insert and query run"
r=$SCRATCH/r1.json
is "$(chroma_count "$port" t-random)" 1000 "chroma itself counts 1000 records (--keep kept them)"
is "$(jv "$r" 'r["vector"]["insert"]["documents_ok"]')" 1000 "1000 documents acknowledged"
is "$(jv "$r" 'r["vector"]["insert"]["batches_ok"]')" 16 "in 16 batches (15 x 64 + 40)"
is "$(jv "$r" 'r["vector"]["insert"]["streams"]')" 3 "over 3 insert streams"
is "$(jv "$r" 'r["vector"]["count"]["server"], r["vector"]["count"]["match"]')" "(1000, True)" \
	"the result file holds the server's count, matching"
is "$(jv "$r" 'r["requests"]["ok"], r["requests"]["errors"]')" "(300, 0)" "300 queries answered"
is "$(jv "$r" 'r["vector"]["recall"]["truth"], r["vector"]["recall"]["queries"]')" \
	"('brute_force', 300)" "recall of every query against brute-force truth"
cmp_num "$(jv "$r" 'int(r["vector"]["recall"]["mean"] * 1000)')" -ge 800 \
	"HNSW recall@5 on 1000 vectors is high (>= 0.8)"
is "$(jv "$r" 'r["client"]["protocol"], r["schema"]')" "('chroma', 'hpcbench.result/1')" \
	"the usual result schema"
ok "latency percentiles and intervals like every protocol" \
	jv "$r" 'r["latency_us"]["p99"] > 0 and len(r["intervals"]) >= 1'
like "$(cat "$SCRATCH/r1.out")" "chroma counts 1000, acknowledged 1000 .match." \
	"the summary shows the count check"

# --reuse queries the kept collection without inserting; then it is deleted.
hb load chroma "$url" --collection t-random --documents 1000 --dimension 16 --reuse -n 50 \
	--top-k 5 --json "$SCRATCH/r2.json" >"$SCRATCH/r2.out" 2>&1
is "$?" 0 "--reuse queries the existing collection"
is "$(jv "$SCRATCH/r2.json" 'r["vector"]["insert"]')" None "no insert phase"
is "$(jv "$SCRATCH/r2.json" 'r["vector"]["recall"]["truth"]')" brute_force \
	"same seed and size: the exact neighbours still hold"
# Dimension mismatch with the existing collection: one clear message, exit 1.
out=$(hb load chroma "$url" --collection t-random --dimension 32 --reuse -n 10 2>&1)
is "$?" 1 "a dimension that does not match the collection fails"
like "$out" "holds vectors of dimension 16, the queries have 32" "and says which dimensions"
is "$(printf '%s\n' "$out" | grep -c 'error')" 1 "one error line"
is "$(chroma_count "$port" t-random)" 1000 "the failed run left the collection alone"

# Without --keep the collection is deleted at the end.
hb load chroma "$url" --collection t-gone --documents 100 --dimension 4 -n 20 >/dev/null 2>&1
is "$?" 0 "a run without --keep"
like "$(chroma_api "$port" /t-gone)" "NotFoundError" "deleted its collection"

# A tiny dataset with exact neighbours computed here, independently, in Python.
"$VEC_TOOL" fvecs "$SCRATCH/base.fvecs" 300 8 7
"$VEC_TOOL" fvecs "$SCRATCH/q.fvecs" 20 8 8
python3 - "$SCRATCH" <<'PY'
import struct, sys
d = sys.argv[1]
def fvecs(p):
    b = open(p, "rb").read(); out = []; i = 0
    while i < len(b):
        n = struct.unpack_from("<i", b, i)[0]; out.append(struct.unpack_from("<%df" % n, b, i + 4)); i += 4 + 4 * n
    return out
base, qs = fvecs(d + "/base.fvecs"), fvecs(d + "/q.fvecs")
def write(p, rows):
    with open(p, "wb") as f:
        for r in rows: f.write(struct.pack("<i", len(r)) + struct.pack("<%di" % len(r), *r))
truth = [sorted(range(len(base)), key=lambda i: sum((a - b) ** 2 for a, b in zip(q, base[i])))[:10] for q in qs]
write(d + "/gt.ivecs", truth)
write(d + "/wrong.ivecs", [[299 - x for x in row] for row in truth])
PY
hb load chroma "$url" --collection t-sift --data "$SCRATCH/base.fvecs" \
	--query-data "$SCRATCH/q.fvecs" --truth "$SCRATCH/gt.ivecs" --top-k 10 -n 40 -c 2 \
	--json "$SCRATCH/r3.json" >"$SCRATCH/r3.out" 2>&1
is "$?" 0 "a .fvecs dataset with its .ivecs ground truth"
r=$SCRATCH/r3.json
is "$(jv "$r" 'r["vector"]["documents"], r["vector"]["dimension"], r["vector"]["distinct_queries"]')" \
	"(300, 8, 20)" "300 documents of dimension 8, 20 queries"
is "$(jv "$r" 'r["vector"]["recall"]["truth"], r["vector"]["recall"]["mean"]')" "('dataset', 1.0)" \
	"recall 1.0 against the Python brute force on 300 vectors"
hb load chroma "$url" --collection t-sift --data "$SCRATCH/base.fvecs" \
	--query-data "$SCRATCH/q.fvecs" --top-k 10 -n 40 --json "$SCRATCH/r4.json" >/dev/null 2>&1
is "$(jv "$SCRATCH/r4.json" 'r["vector"]["recall"]["truth"], r["vector"]["recall"]["mean"]')" \
	"('brute_force', 1.0)" "the client's own brute force agrees"
hb load chroma "$url" --collection t-sift --data "$SCRATCH/base.fvecs" \
	--query-data "$SCRATCH/q.fvecs" --truth "$SCRATCH/wrong.ivecs" --top-k 10 -n 20 \
	--json "$SCRATCH/r5.json" >/dev/null 2>&1
cmp_num "$(jv "$SCRATCH/r5.json" 'int(r["vector"]["recall"]["mean"] * 100)')" -le 10 \
	"a wrong ground truth shows as low recall (it is really compared)"

# ann-benchmarks HDF5: train/test/neighbors and the distance attribute.
"$VEC_TOOL" hdf5 "$SCRATCH/tiny-angular.hdf5" angular
hb load chroma "$url" --collection t-hdf5 --data "$SCRATCH/tiny-angular.hdf5" -n 30 \
	--json "$SCRATCH/r6.json" >/dev/null 2>&1
is "$?" 0 "an ann-benchmarks .hdf5 file"
is "$(jv "$SCRATCH/r6.json" 'r["vector"]["space"], r["vector"]["documents"], r["vector"]["recall"]["truth"]')" \
	"('cosine', 200, 'dataset')" "space from its distance attribute, its train rows, its neighbours"
cmp_num "$(jv "$SCRATCH/r6.json" 'int(r["vector"]["recall"]["mean"] * 100)')" -ge 95 "recall >= 0.95"

# Open loop: latency from the scheduled time; a --where filter (recall not measured).
# shellcheck disable=SC2016 # a literal $lt
hb load chroma "$url" --collection t-open --documents 500 --dimension 8 --rate 40 -d 1s \
	--where '{"batch": {"$lt": 2}}' --include distances,metadatas --json "$SCRATCH/r7.json" \
	>/dev/null 2>&1
is "$?" 0 "open loop with a metadata filter"
is "$(jv "$SCRATCH/r7.json" 'r["client"]["parameters"]["load_model"], r["client"]["parameters"]["where"]')" \
	"('open', {'batch': {'\$lt': 2}})" "open loop, the filter recorded"
cmp_num "$(jv "$SCRATCH/r7.json" 'r["requests"]["ok"]')" -ge 30 "about 40 queries in 1 s"
is "$(jv "$SCRATCH/r7.json" 'r["vector"]["recall"]')" None "no recall under a filter"

# Bad input: unreachable server, malformed dataset file, usage errors.
dead=$(free_port)
out=$(hb load chroma "http://127.0.0.1:$dead" --documents 10 --dimension 4 -n 5 2>&1)
is "$?" 1 "an unreachable server fails"
like "$out" "is not reachable" "and says so"
is "$(printf '%s\n' "$out" | wc -l)" 1 "in one line"
head -c 50 "$SCRATCH/base.fvecs" >"$SCRATCH/cut.fvecs"
out=$(hb load chroma "$url" --data "$SCRATCH/cut.fvecs" --query-data "$SCRATCH/q.fvecs" -n 5 2>&1)
is "$?" 2 "a cut .fvecs file is bad input"
like "$out" "cut.fvecs: 50 bytes is not a whole number of 36-byte records" "named, with the reason"
is "$(chroma_api "$port" "" | python3 -c 'import json,sys; print(sorted(c["name"] for c in json.load(sys.stdin)))')" \
	"['t-random']" "nothing was created by the failed runs (only the kept collection is left)"
out=$(hb load chroma "$url" --space hamming 2>&1)
is "$?" 2 "an unknown space is a usage error"
like "$out" "--space: 'hamming' is not l2, cosine or ip" "with the choices"

done_testing
