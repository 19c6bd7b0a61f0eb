/*
 * The configuration of `hpcbench load chroma`, shared by its modules: proto-chroma.c
 * (options, data before the clock, the per-request hot path, reporting) and chroma-run.c
 * (the phases: collection, insert, count, queries, clean-up).
 */
#ifndef HPCBENCH_LOAD_CHROMA_CHROMA_CFG_H
#define HPCBENCH_LOAD_CHROMA_CHROMA_CFG_H

#include <stdbool.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "load/chroma/chroma-api.h"
#include "load/chroma/vec-data.h"
#include "load/core/hist.h"
#include "load/core/opts.h"
#include "load/core/proto.h"
#include "load/core/stats.h"
#include "load/http/http-req.h"

enum chroma_phase { CHROMA_INSERT, CHROMA_QUERY };
enum chroma_encoding { CHROMA_ENC_AUTO, CHROMA_ENC_JSON, CHROMA_ENC_BASE64 };

/* What the insert phase measured (kept for the report of the query phase). */
struct chroma_insert {
	bool ran;
	uint64_t batches, batches_ok, docs_ok, errors;
	uint64_t err[LOAD_MAX_ERR_KINDS];
	char first_error[LOAD_NOTE_MAX];
	double duration_s;
	struct hist latency; /* per batch, from send to reply */
	unsigned streams;
	bool base64;
};

struct chroma_cfg {
	/* Options. */
	char *collection, *tenant, *database;
	enum vec_space space;
	bool space_given;
	int64_t hnsw_m, ef_construction, ef_search; /* -1: the server's default */
	uint64_t documents, queries, batch;
	bool documents_given, dim_given, queries_given;
	unsigned dim, top_k, insert_streams;
	uint64_t insert_timeout_us;
	char *where;   /* compact JSON, or NULL */
	char *include; /* JSON array text, or NULL (the server's default) */
	const char *data_path, *query_path, *truth_path;
	bool recall, metadata, keep, reuse;
	enum chroma_encoding encoding;
	bool requests_given;

	/* Set up by configure / prepare (main thread). */
	const char *target;
	struct http_url url;
	struct chroma_api api;
	struct vec_set base, qset;  /* documents (base.n >= documents) and query vectors */
	struct vec_truth truth;	    /* rows of truth.k ids; recall uses the first top_k */
	const char *truth_source;   /* "dataset", "brute_force" or NULL (no recall) */
	const char *recall_skipped; /* why there is no recall, or NULL */
	double data_s, truth_s;
	bool base64; /* add sends base64 embeddings */
	uint64_t max_batch;

	/* Set by the run, read-only on workers. */
	enum chroma_phase phase;
	char *collection_id;
	struct strbuf add_head; /* "POST .../add HTTP/1.1\r\n...Content-Length: " */
	struct strbuf qreqs;	/* every query request, whole, one after another */
	size_t *qoff;		/* [queries + 1] offsets into qreqs */
	double encode_us_per_query;
	uint64_t nbatches;
	uint64_t *next; /* shared work counter (atomic fetch-add by workers) */

	/* Results of earlier phases (main thread). */
	struct chroma_insert ins;
	bool count_checked;
	uint64_t count_expected, count_server;
	uint64_t existing; /* documents already in a --reuse'd collection */
	bool deleted;	   /* the collection was deleted after the queries */
};

/* The phases (chroma-run.c), for load_proto.run. */
int chroma_run(void *cfg, const struct load_opts *o, const struct load_target *t,
	       struct strbuf *text, struct strbuf *json, struct strbuf *err);

/* Renders every query request (after the collection id is known). */
void chroma_render_queries(struct chroma_cfg *cfg);

/* The insert phase's own numbers from its merged thread state. */
uint64_t chroma_result_docs_ok(const void *ts);

extern const struct load_proto load_proto_chroma;

/* Kinds of requests and errors (the same for both phases' targets). */
extern const char *const chroma_insert_kinds[];
extern const char *const chroma_query_kinds[];

#endif
