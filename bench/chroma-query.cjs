// The official Chroma JS client (npm chromadb) running the queries hpcbench runs in
// bench/chroma.sh: the same query vectors (a TEXMEX .fvecs file), the same collection,
// top-k, include fields and concurrency (C async loops sharing one counter, each
// awaiting its query before the next, as hpcbench's closed loop does), N queries in all.
//
//   node bench/chroma-query.cjs URL COLLECTION QUERIES.fvecs N C K
//
// Prints one JSON line: {"ok", "errors", "seconds", "qps"}. The chromadb package is
// loaded from $CHROMA_NODE_DIR (default /opt/hpcbench/chroma, scripts/install-deps.sh).
"use strict";
const fs = require("fs");
const path = require("path");
const dir = process.env.CHROMA_NODE_DIR || "/opt/hpcbench/chroma";
const { ChromaClient } = require(path.join(dir, "node_modules", "chromadb"));

function readFvecs(file) {
	const b = fs.readFileSync(file);
	const out = [];
	for (let off = 0; off < b.length; ) {
		const d = b.readInt32LE(off);
		const v = new Array(d);
		for (let j = 0; j < d; j++) v[j] = b.readFloatLE(off + 4 + 4 * j);
		out.push(v);
		off += 4 + 4 * d;
	}
	return out;
}

async function main() {
	const [url, name, qfile, nArg, cArg, kArg] = process.argv.slice(2);
	const u = new URL(url);
	const n = Number(nArg), c = Number(cArg), k = Number(kArg);
	const queries = readFvecs(qfile);
	const client = new ChromaClient({ host: u.hostname, port: Number(u.port), ssl: false });
	const coll = await client.getCollection({ name });
	let next = 0, ok = 0, errors = 0;
	async function loop() {
		for (;;) {
			const i = next++;
			if (i >= n) return;
			try {
				await coll.query({
					queryEmbeddings: [queries[i % queries.length]],
					nResults: k,
					include: ["distances", "metadatas", "documents"],
				});
				ok++;
			} catch (e) {
				if (!errors) console.error(String(e));
				errors++;
			}
		}
	}
	const t0 = process.hrtime.bigint();
	await Promise.all(Array.from({ length: c }, loop));
	const s = Number(process.hrtime.bigint() - t0) / 1e9;
	console.log(JSON.stringify({ ok, errors, seconds: s, qps: ok / s }));
}

main().catch((e) => {
	console.error(String(e));
	process.exit(1);
});
