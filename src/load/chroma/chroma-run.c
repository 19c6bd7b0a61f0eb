/*
 * The phases of `hpcbench load chroma` (load_proto.run):
 *
 *   1. collection: delete and create it (or, with --reuse, take it as it is)
 *   2. insert: ceil(documents / batch) add requests over --insert-streams connections,
 *      a load run of its own (per-batch latency, documents/s)
 *   3. count: the server's own count against what was acknowledged
 *   4. query: the measured run, with the user's -n/-d, -c and --rate
 *   5. delete the collection (unless --keep), also when a phase failed
 *
 * The result file is the query run's result object with a "vector" section holding the
 * insert phase, the count check and recall (proto-chroma.c, report_json).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/jsonw.h"
#include "common/log.h"
#include "load/chroma/chroma-cfg.h"
#include "load/core/run.h"
#include "load/core/worker.h"

/* The configuration JSON of a new collection: HNSW space and the parameters given. */
static void collection_config(const struct chroma_cfg *cfg, struct strbuf *out)
{
	struct jsonw w;
	jsonw_init(&w, out, 0);
	jsonw_obj_open(&w, NULL);
	jsonw_obj_open(&w, "hnsw");
	jsonw_str(&w, "space", vec_space_name(cfg->space));
	if (cfg->ef_construction > 0)
		jsonw_i64(&w, "ef_construction", cfg->ef_construction);
	if (cfg->ef_search > 0)
		jsonw_i64(&w, "ef_search", cfg->ef_search);
	if (cfg->hnsw_m > 0)
		jsonw_i64(&w, "max_neighbors", cfg->hnsw_m);
	jsonw_close(&w);
	jsonw_close(&w);
}

/* Phase 1. Returns 0, or -1 with err; *created says whether the collection is ours. */
static int setup_collection(struct chroma_cfg *cfg, bool *created, struct strbuf *err)
{
	struct strbuf conf = STRBUF_INIT;
	long dim = -1;
	bool existed;
	int ret = -1;

	*created = false;
	if (strcmp(cfg->database, "default_database") && chroma_ensure_database(&cfg->api, err) < 0)
		return -1;
	if (cfg->reuse) {
		int r = chroma_collection_get(&cfg->api, cfg->collection, &cfg->collection_id, &dim,
					      err);
		if (r < 0)
			return -1;
		if (r == 0)
			return error(err,
				     "--reuse: there is no collection '%s' in %s/%s (run once "
				     "with --keep to make it)",
				     cfg->collection, cfg->tenant, cfg->database);
		if (dim >= 0 && (unsigned long)dim != cfg->dim)
			return error(err,
				     "collection '%s' holds vectors of dimension %ld, the queries "
				     "have %u (--dimension or --data must match it)",
				     cfg->collection, dim, cfg->dim);
		if (chroma_count(&cfg->api, cfg->collection_id, &cfg->existing, err) < 0)
			return -1;
		return 0;
	}
	if (chroma_collection_delete(&cfg->api, cfg->collection, &existed, err) < 0)
		return -1;
	if (existed)
		log_info("collection '%s' existed and was deleted", cfg->collection);
	collection_config(cfg, &conf);
	if (chroma_collection_create(&cfg->api, cfg->collection, conf.buf, &cfg->collection_id,
				     err) == 0) {
		*created = true;
		ret = 0;
	}
	strbuf_release(&conf);
	return ret;
}

/* Phase 2: the add requests, as a load run of their own. */
static int insert(struct chroma_cfg *cfg, const struct load_opts *o, const struct load_target *t,
		  struct strbuf *text, struct strbuf *err)
{
	struct load_opts io = *o;
	struct load_target it = *t;
	struct load_result r;
	struct chroma_insert *in = &cfg->ins;

	cfg->nbatches = (cfg->documents + cfg->batch - 1) / cfg->batch;
	io.connections =
	    cfg->insert_streams < cfg->nbatches ? cfg->insert_streams : (unsigned)cfg->nbatches;
	io.threads = o->threads < io.connections ? o->threads : io.connections;
	io.requests = cfg->nbatches;
	io.duration_us = 0;
	io.warmup_us = 0;
	io.rate = 0;
	io.pipeline = 1;
	io.timeout_us = cfg->insert_timeout_us;
	io.json_path = NULL;
	it.kinds = chroma_insert_kinds;
	cfg->phase = CHROMA_INSERT;
	__atomic_store_n(cfg->next, 0, __ATOMIC_RELAXED);
	if (load_run(&load_proto_chroma, cfg, &io, &it, &r, err) < 0)
		return -1;
	in->ran = true;
	in->base64 = cfg->base64;
	in->streams = io.connections;
	in->batches = r.stats.sent;
	in->batches_ok = r.stats.ok;
	in->errors = r.stats.errors;
	in->duration_s = r.duration_s;
	in->docs_ok = chroma_result_docs_ok(r.proto_ts);
	memcpy(in->err, r.stats.err, sizeof(in->err));
	for (unsigned k = 1; k < LOAD_MAX_ERR_KINDS && !in->first_error[0]; k++)
		if (r.stats.note[k][0])
			snprintf(in->first_error, sizeof(in->first_error), "%s", r.stats.note[k]);
	hist_merge(&in->latency, &r.stats.latency);
	strbuf_addf(text,
		    "chroma insert: %llu documents of dimension %u in %llu batches of %llu over "
		    "%u stream%s (%s embeddings), %.3f s\n"
		    "  inserted      %llu documents, %.1f docs/s; %llu batch%s failed%s%s\n"
		    "  batch latency p50 %.1f  p90 %.1f  p99 %.1f  max %.1f ms\n",
		    (unsigned long long)cfg->documents, cfg->dim, (unsigned long long)cfg->nbatches,
		    (unsigned long long)cfg->batch, in->streams, in->streams == 1 ? "" : "s",
		    in->base64 ? "base64" : "json", in->duration_s, (unsigned long long)in->docs_ok,
		    in->duration_s > 0 ? (double)in->docs_ok / in->duration_s : 0,
		    (unsigned long long)in->errors, in->errors == 1 ? "" : "es",
		    in->first_error[0] ? ": " : "", in->first_error,
		    (double)hist_percentile(&in->latency, 50) / 1e6,
		    (double)hist_percentile(&in->latency, 90) / 1e6,
		    (double)hist_percentile(&in->latency, 99) / 1e6, (double)in->latency.max / 1e6);
	load_result_release(&r);
	return 0;
}

/* Phase 5: deletes what phase 1 created, unless --keep. */
static void cleanup(struct chroma_cfg *cfg, bool created, struct strbuf *text, struct strbuf *err)
{
	struct strbuf e = STRBUF_INIT;
	bool existed;
	if (!created || cfg->keep)
		return;
	if (chroma_collection_delete(&cfg->api, cfg->collection, &existed, &e) < 0) {
		error(err, "could not delete collection '%s': %s", cfg->collection, e.buf);
	} else {
		cfg->deleted = true;
	}
	strbuf_release(&e);
}

int chroma_run(void *p, const struct load_opts *o, const struct load_target *t, struct strbuf *text,
	       struct strbuf *json, struct strbuf *err)
{
	struct chroma_cfg *cfg = p;
	struct load_result r;
	struct strbuf v = STRBUF_INIT;
	struct jsonw w;
	bool created = false;
	int ret = -1;

	if (setup_collection(cfg, &created, err) < 0)
		goto out;
	chroma_render_queries(cfg);
	if (!cfg->reuse) {
		if (insert(cfg, o, t, text, err) < 0)
			goto out;
		cfg->count_expected = cfg->ins.docs_ok;
	} else {
		cfg->count_expected = cfg->existing;
		cfg->documents = cfg->existing < cfg->documents ? cfg->existing : cfg->documents;
		if (cfg->truth_source && cfg->existing != cfg->base.n) {
			/* Not the collection these exact neighbours were computed for. */
			cfg->truth_source = NULL;
			cfg->recall_skipped = "the reused collection does not hold the documents "
					      "this run would have inserted (its count differs)";
		}
	}
	if (chroma_count(&cfg->api, cfg->collection_id, &cfg->count_server, err) < 0)
		goto out;
	cfg->count_checked = true;
	strbuf_addf(text, "  count         chroma counts %llu, %s %llu%s\n",
		    (unsigned long long)cfg->count_server,
		    cfg->reuse ? "before the run" : "acknowledged",
		    (unsigned long long)cfg->count_expected,
		    cfg->count_server == cfg->count_expected ? " (match)" : " (MISMATCH)");
	if (load_stop_requested) {
		error(err, "interrupted after the insert phase");
		ret = EXIT_FAILED;
		goto out;
	}

	cfg->phase = CHROMA_QUERY;
	__atomic_store_n(cfg->next, 0, __ATOMIC_RELAXED);
	if (load_run(&load_proto_chroma, cfg, o, t, &r, err) < 0)
		goto out;
	/* Deleted before the report, so that the result file says it was. */
	cleanup(cfg, created, text, err);
	created = false;
	load_result_text(&r, text);
	jsonw_init(&w, json, 2);
	load_result_json(&r, &w, NULL);
	strbuf_addch(json, '\n');
	ret = load_result_verdict(&r, err);
	load_result_release(&r);
out:
	cleanup(cfg, created, text, err);
	if (ret == EXIT_OK && err->len)
		ret = EXIT_FAILED;
	strbuf_release(&v);
	return ret;
}
