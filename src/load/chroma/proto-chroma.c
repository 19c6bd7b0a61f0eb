/*
 * `hpcbench load chroma URL`: a vector database load against Chroma's REST API v2.
 * Batched inserts, then top-k similarity queries (closed or open loop), with recall
 * measured against exact neighbours. The phases are in chroma-run.c; this file holds the
 * options, the data prepared before the clock, the hot path (encode a batch or copy a
 * pre-rendered query, parse a reply, count recall) and the report.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "common/error.h"
#include "common/timeutil.h"
#include "common/units.h"
#include "common/xalloc.h"
#include "load/chroma/chroma-cfg.h"
#include "load/chroma/chroma-reply.h"
#include "load/chroma/vec-hdf5.h"
#include "load/chroma/vec-json.h"
#include "load/core/run.h"

enum {
	OPT_COLLECTION = LOAD_OPT_PROTO,
	OPT_TENANT,
	OPT_DATABASE,
	OPT_SPACE,
	OPT_HNSW_M,
	OPT_EF_CONSTRUCTION,
	OPT_EF_SEARCH,
	OPT_DOCUMENTS,
	OPT_DIMENSION,
	OPT_BATCH,
	OPT_INSERT_STREAMS,
	OPT_QUERIES,
	OPT_TOP_K,
	OPT_WHERE,
	OPT_INCLUDE,
	OPT_DATA,
	OPT_QUERY_DATA,
	OPT_TRUTH,
	OPT_NO_RECALL,
	OPT_NO_METADATA,
	OPT_KEEP,
	OPT_REUSE,
	OPT_ENCODING,
	OPT_INSERT_TIMEOUT,
};

const char *const chroma_insert_kinds[] = { "add" };
const char *const chroma_query_kinds[] = { "query" };
static const char *const chroma_err_kinds[] = { "http_4xx" };
#define ERR_HTTP_4XX LOAD_ERR_PROTO

#define DEFAULT_DOCUMENTS 10000
#define DEFAULT_DIM 384
#define DEFAULT_QUERIES 1000
#define MAX_TOP_K 10000

/* Per request: what it carried. */
struct chroma_req {
	uint64_t item;	/* batch or query index */
	uint32_t ndocs; /* documents of a batch */
};

struct chroma_conn {
	bool inited;
	struct chroma_reply reply;
	struct strbuf body; /* an add body being encoded */
};

/* Per worker thread. */
struct chroma_ts {
	unsigned k;
	uint64_t docs_ok;
	uint64_t recall_n; /* queries whose recall was measured */
	uint64_t short_replies;
	uint64_t *hits; /* [k + 1]: queries with that many true neighbours returned */
};

static void *chroma_create(void)
{
	struct chroma_cfg *cfg = xcalloc(1, sizeof(*cfg));
	cfg->collection = xstrdup("hpcbench");
	cfg->tenant = xstrdup("default_tenant");
	cfg->database = xstrdup("default_database");
	cfg->space = VEC_L2;
	cfg->hnsw_m = cfg->ef_construction = cfg->ef_search = -1;
	cfg->documents = DEFAULT_DOCUMENTS;
	cfg->dim = DEFAULT_DIM;
	cfg->batch = 100;
	cfg->insert_streams = 1;
	cfg->insert_timeout_us = 300 * 1000000ull;
	cfg->top_k = 10;
	cfg->recall = cfg->metadata = true;
	strbuf_init(&cfg->add_head, 0);
	strbuf_init(&cfg->qreqs, 0);
	cfg->next = xcalloc(1, sizeof(*cfg->next));
	hist_init(&cfg->ins.latency, HIST_PRECISE_BITS);
	return cfg;
}

static void chroma_destroy(void *p)
{
	struct chroma_cfg *cfg = p;
	free(cfg->collection);
	free(cfg->tenant);
	free(cfg->database);
	free(cfg->where);
	free(cfg->include);
	free(cfg->collection_id);
	free(cfg->qoff);
	free(cfg->next);
	http_url_release(&cfg->url);
	vec_set_release(&cfg->base);
	vec_set_release(&cfg->qset);
	vec_truth_release(&cfg->truth);
	strbuf_release(&cfg->add_head);
	strbuf_release(&cfg->qreqs);
	hist_release(&cfg->ins.latency);
	free(cfg);
}

static int u64_opt(const char *name, const char *arg, uint64_t min, uint64_t max, uint64_t *out,
		   struct strbuf *err)
{
	if (parse_uint(arg, min, max, out))
		return error(err, "%s: '%s' is not a whole number from %llu to %llu", name, arg,
			     (unsigned long long)min, (unsigned long long)max);
	return 0;
}

static int i64_opt(const char *name, const char *arg, int64_t *out, struct strbuf *err)
{
	uint64_t v;
	if (u64_opt(name, arg, 1, 1000000, &v, err))
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* "distances,metadatas" -> ["distances","metadatas"], each checked. */
static int parse_include(struct chroma_cfg *cfg, const char *arg, struct strbuf *err)
{
	static const char *const known[] = { "distances", "documents", "embeddings", "metadatas",
					     "uris" };
	struct strbuf sb = STRBUF_INIT;
	const char *s = arg;
	strbuf_addch(&sb, '[');
	while (*s) {
		size_t n = strcspn(s, ","), i;
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strlen(known[i]) == n && !strncmp(s, known[i], n))
				break;
		if (i == sizeof(known) / sizeof(known[0])) {
			strbuf_release(&sb);
			return error(err,
				     "--include: '%.*s' is not a field (distances, documents, "
				     "embeddings, metadatas, uris)",
				     (int)n, s);
		}
		strbuf_addf(&sb, "%s\"%s\"", sb.len > 1 ? "," : "", known[i]);
		s += n;
		if (*s == ',')
			s++;
	}
	strbuf_addch(&sb, ']');
	free(cfg->include);
	cfg->include = strbuf_detach(&sb, NULL);
	return 0;
}

static int chroma_option(void *p, struct load_opts *o, int val, const char *arg, struct strbuf *err)
{
	struct chroma_cfg *cfg = p;
	uint64_t v;
	switch (val) {
	case 'n':
	case 'd':
		cfg->requests_given = val == 'n';
		return load_opts_set(o, val, arg, err) < 0 ? -1 : 0;
	case OPT_COLLECTION:
		if (strlen(arg) < 3 || strlen(arg) > 512 ||
		    strspn(arg,
			   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
			strlen(arg))
			return error(err,
				     "--collection: '%s' is not a chroma collection name (3 to 512 "
				     "characters from a-z A-Z 0-9 . _ -)",
				     arg);
		free(cfg->collection);
		cfg->collection = xstrdup(arg);
		return 0;
	case OPT_TENANT:
		free(cfg->tenant);
		cfg->tenant = xstrdup(arg);
		return 0;
	case OPT_DATABASE:
		free(cfg->database);
		cfg->database = xstrdup(arg);
		return 0;
	case OPT_SPACE:
		if (vec_space_parse(arg, &cfg->space))
			return error(err, "--space: '%s' is not l2, cosine or ip", arg);
		cfg->space_given = true;
		return 0;
	case OPT_HNSW_M:
		return i64_opt("--hnsw-m", arg, &cfg->hnsw_m, err);
	case OPT_EF_CONSTRUCTION:
		return i64_opt("--ef-construction", arg, &cfg->ef_construction, err);
	case OPT_EF_SEARCH:
		return i64_opt("--ef-search", arg, &cfg->ef_search, err);
	case OPT_DOCUMENTS:
		cfg->documents_given = true;
		return u64_opt("--documents", arg, 1, UINT32_MAX, &cfg->documents, err);
	case OPT_DIMENSION:
		cfg->dim_given = true;
		if (u64_opt("--dimension", arg, 1, VEC_MAX_DIM, &v, err))
			return -1;
		cfg->dim = (unsigned)v;
		return 0;
	case OPT_BATCH:
		return u64_opt("--batch-size", arg, 1, 1000000, &cfg->batch, err);
	case OPT_INSERT_STREAMS:
		if (u64_opt("--insert-streams", arg, 1, 4096, &v, err))
			return -1;
		cfg->insert_streams = (unsigned)v;
		return 0;
	case OPT_QUERIES:
		cfg->queries_given = true;
		return u64_opt("--queries", arg, 1, 10000000, &cfg->queries, err);
	case OPT_TOP_K:
		if (u64_opt("--top-k", arg, 1, MAX_TOP_K, &v, err))
			return -1;
		cfg->top_k = (unsigned)v;
		return 0;
	case OPT_WHERE: {
		json_error_t je;
		json_t *j = json_loads(arg, JSON_REJECT_DUPLICATES, &je);
		if (!j || !json_is_object(j)) {
			json_decref(j);
			return error(
			    err,
			    "--where: not a JSON object (%s), e.g. '{\"batch\": {\"$lt\": 5}}'",
			    j ? "another JSON value" : je.text);
		}
		free(cfg->where);
		cfg->where = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		return 0;
	}
	case OPT_INCLUDE:
		return parse_include(cfg, arg, err);
	case OPT_DATA:
		cfg->data_path = arg;
		return 0;
	case OPT_QUERY_DATA:
		cfg->query_path = arg;
		return 0;
	case OPT_TRUTH:
		cfg->truth_path = arg;
		return 0;
	case OPT_NO_RECALL:
		cfg->recall = false;
		return 0;
	case OPT_NO_METADATA:
		cfg->metadata = false;
		return 0;
	case OPT_KEEP:
		cfg->keep = true;
		return 0;
	case OPT_REUSE:
		cfg->reuse = true;
		return 0;
	case OPT_INSERT_TIMEOUT:
		if (parse_duration_us(arg, &cfg->insert_timeout_us) || !cfg->insert_timeout_us)
			return error(err, "--insert-timeout: '%s' is not a duration, e.g. 300s",
				     arg);
		return 0;
	case OPT_ENCODING:
		if (!strcmp(arg, "auto"))
			cfg->encoding = CHROMA_ENC_AUTO;
		else if (!strcmp(arg, "json"))
			cfg->encoding = CHROMA_ENC_JSON;
		else if (!strcmp(arg, "base64"))
			cfg->encoding = CHROMA_ENC_BASE64;
		else
			return error(err, "--add-encoding: '%s' is not auto, json or base64", arg);
		return 0;
	default:
		return error(err, "unknown chroma option");
	}
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcasecmp(s + n - m, suffix);
}

static bool is_hdf5(const char *path)
{
	return ends_with(path, ".hdf5") || ends_with(path, ".h5");
}

/* Loads or generates the documents and queries. */
static int load_data(struct chroma_cfg *cfg, uint64_t seed, struct strbuf *err)
{
	if (!cfg->data_path) {
		vec_random(&cfg->base, cfg->documents, cfg->dim, seed, 0);
		vec_random(&cfg->qset, cfg->queries, cfg->dim, seed, 1);
		return 0;
	}
	size_t max = cfg->documents_given ? cfg->documents : 0;
	if (is_hdf5(cfg->data_path)) {
		enum vec_space sp;
		int found;
		if (vec_read_hdf5(cfg->data_path, max, &cfg->base, &cfg->qset, &cfg->truth, &sp,
				  &found, err) < 0)
			return -1;
		if (found && !cfg->space_given)
			cfg->space = sp;
	} else {
		if (vec_read_fvecs(cfg->data_path, max, &cfg->base, err) < 0 ||
		    vec_read_fvecs(cfg->query_path, 0, &cfg->qset, err) < 0)
			return -1;
		if (cfg->qset.dim != cfg->base.dim)
			return error(err, "%s: queries have dimension %u, %s has %u",
				     cfg->query_path, cfg->qset.dim, cfg->data_path, cfg->base.dim);
		if (cfg->truth_path && vec_read_ivecs(cfg->truth_path, 0, &cfg->truth, err) < 0)
			return -1;
		if (cfg->truth.ids && cfg->truth.nq != cfg->qset.n)
			return error(err, "%s: %zu rows of neighbours for %zu queries",
				     cfg->truth_path, cfg->truth.nq, cfg->qset.n);
	}
	if (max && cfg->base.n < max)
		return error(err, "%s holds %zu vectors, --documents asks for %llu", cfg->data_path,
			     cfg->base.n, (unsigned long long)max);
	cfg->documents = cfg->base.n;
	cfg->dim = cfg->base.dim;
	if (cfg->queries_given && cfg->qset.n > cfg->queries)
		cfg->qset.n = cfg->queries;
	if (cfg->truth.nq > cfg->qset.n)
		cfg->truth.nq = cfg->qset.n;
	cfg->queries = cfg->qset.n;
	return 0;
}

static int chroma_configure(void *p, const char *target, struct load_opts *o, struct load_target *t,
			    struct strbuf *err)
{
	struct chroma_cfg *cfg = p;
	if (http_url_parse(&cfg->url, target, err) < 0)
		return -1;
	if (cfg->data_path && !is_hdf5(cfg->data_path) && !ends_with(cfg->data_path, ".fvecs"))
		return error(err,
			     "--data %s: want an ann-benchmarks .hdf5 file or a TEXMEX .fvecs "
			     "file",
			     cfg->data_path);
	if ((cfg->query_path || cfg->truth_path) && (!cfg->data_path || is_hdf5(cfg->data_path)))
		return error(err, "--query-data and --truth go with --data FILE.fvecs (an .hdf5 "
				  "file has its own test vectors and neighbours)");
	if (cfg->data_path && !is_hdf5(cfg->data_path) && !cfg->query_path)
		return error(err, "--data %s needs --query-data FILE.fvecs (the query vectors)",
			     cfg->data_path);
	if (cfg->data_path && cfg->dim_given)
		return error(err, "--dimension comes from --data; leave it out");
	if (o->pipeline != 1)
		return error(err, "--pipeline: chroma's http server answers one request per "
				  "connection at a time; use -c for concurrency");
	if (cfg->reuse && (cfg->hnsw_m > 0 || cfg->ef_construction > 0 || cfg->ef_search > 0))
		return error(err, "--hnsw-m, --ef-construction and --ef-search apply when the "
				  "collection is created; a --reuse'd one keeps its own");
	if (!cfg->queries_given)
		cfg->queries = cfg->requests_given && o->requests < DEFAULT_QUERIES
				   ? o->requests
				   : DEFAULT_QUERIES;
	if (cfg->where && cfg->recall) {
		cfg->recall = false;
		cfg->recall_skipped = "a --where filter changes the exact neighbours";
	}
	cfg->target = target;
	cfg->api.url = &cfg->url;
	cfg->api.tenant = cfg->tenant;
	cfg->api.database = cfg->database;
	cfg->api.timeout_ms = o->timeout_us / 1000 > 60000 ? o->timeout_us / 1000 : 60000;
	t->host = cfg->url.host;
	t->port = cfg->url.port;
	t->display = target;
	t->kinds = chroma_query_kinds;
	t->nkinds = 1;
	t->err_kinds = chroma_err_kinds;
	t->nerr_kinds = 1;
	/* The data now, so that a broken file is bad input (exit 2) and nothing was sent. */
	uint64_t t0 = mono_ns();
	if (load_data(cfg, o->seed, err) < 0)
		return -1;
	cfg->data_s = (double)(mono_ns() - t0) / 1e9;
	return 0;
}

/* Data and exact neighbours, before the clock. */
static int chroma_prepare(void *p, const struct load_opts *o, struct strbuf *err)
{
	struct chroma_cfg *cfg = p;
	uint64_t t1;

	if (chroma_heartbeat(&cfg->api, err) < 0)
		return -1;
	if (chroma_preflight(&cfg->api, &cfg->max_batch, &cfg->base64, err) < 0)
		return -1;
	if (cfg->max_batch && cfg->batch > cfg->max_batch)
		return error(err,
			     "--batch-size %llu is more than this server takes in one add "
			     "(%llu, from /api/v2/pre-flight-checks)",
			     (unsigned long long)cfg->batch, (unsigned long long)cfg->max_batch);
	if (cfg->encoding == CHROMA_ENC_BASE64 && !cfg->base64)
		return error(err, "--add-encoding base64: this server does not take base64 "
				  "embeddings");
	if (cfg->encoding == CHROMA_ENC_JSON)
		cfg->base64 = false;
	(void)o;
	t1 = mono_ns();
	if (!cfg->recall) {
		if (!cfg->recall_skipped)
			cfg->recall_skipped = "--no-recall";
		vec_truth_release(&cfg->truth);
		return 0;
	}
	/* The dataset's neighbours hold for the whole train set, and for k up to theirs. */
	if (cfg->truth.ids && cfg->truth.k >= cfg->top_k && !cfg->documents_given) {
		cfg->truth_source = "dataset";
		return 0;
	}
	vec_truth_release(&cfg->truth);
	vec_brute_force(&cfg->base, cfg->documents, &cfg->qset, cfg->space, cfg->top_k, 0,
			&cfg->truth);
	cfg->truth_s = (double)(mono_ns() - t1) / 1e9;
	cfg->truth_source = "brute_force";
	return 0;
}

void chroma_render_queries(struct chroma_cfg *cfg)
{
	struct strbuf path = STRBUF_INIT, body = STRBUF_INIT;
	uint64_t t0 = mono_ns();
	chroma_path(&cfg->api, &path, "/");
	strbuf_addf(&path, "%s/query", cfg->collection_id);
	free(cfg->qoff);
	cfg->qoff = xcalloc(cfg->queries + 1, sizeof(size_t));
	strbuf_reset(&cfg->qreqs);
	for (uint64_t q = 0; q < cfg->queries; q++) {
		strbuf_reset(&body);
		strbuf_addstr(&body, "{\"query_embeddings\":[");
		vec_json_array(&body, cfg->qset.v + q * cfg->dim, cfg->dim);
		strbuf_addf(&body, "],\"n_results\":%u", cfg->top_k);
		if (cfg->include)
			strbuf_addf(&body, ",\"include\":%s", cfg->include);
		if (cfg->where)
			strbuf_addf(&body, ",\"where\":%s", cfg->where);
		strbuf_addch(&body, '}');
		strbuf_addf(&cfg->qreqs,
			    "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
			    "Content-Length: %zu\r\n\r\n",
			    path.buf, cfg->url.hostport, body.len);
		strbuf_add(&cfg->qreqs, body.buf, body.len);
		cfg->qoff[q + 1] = cfg->qreqs.len;
	}
	cfg->encode_us_per_query =
	    cfg->queries ? (double)(mono_ns() - t0) / 1e3 / (double)cfg->queries : 0;
	strbuf_reset(&cfg->add_head);
	strbuf_addf(&cfg->add_head,
		    "POST %.*s/add HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
		    "Content-Length: ",
		    (int)(path.len - strlen("/query")), path.buf, cfg->url.hostport);
	strbuf_release(&path);
	strbuf_release(&body);
}

static void *chroma_thread_init(const void *p, unsigned thread)
{
	const struct chroma_cfg *cfg = p;
	struct chroma_ts *ts = xcalloc(1, sizeof(*ts));
	(void)thread;
	ts->k = cfg->top_k;
	ts->hits = xcalloc(cfg->top_k + 1, sizeof(uint64_t));
	return ts;
}

static void chroma_thread_merge(const void *p, void *dst, const void *src)
{
	struct chroma_ts *d = dst;
	const struct chroma_ts *s = src;
	(void)p;
	d->docs_ok += s->docs_ok;
	d->recall_n += s->recall_n;
	d->short_replies += s->short_replies;
	for (unsigned i = 0; i <= d->k; i++)
		d->hits[i] += s->hits[i];
}

static void chroma_thread_free(const void *p, void *t)
{
	struct chroma_ts *ts = t;
	(void)p;
	if (ts)
		free(ts->hits);
	free(ts);
}

uint64_t chroma_result_docs_ok(const void *t)
{
	const struct chroma_ts *ts = t;
	return ts ? ts->docs_ok : 0;
}

static void chroma_conn_reset(struct load_conn *c)
{
	struct chroma_conn *cc = c->proto;
	if (!cc->inited) {
		chroma_reply_init(&cc->reply);
		strbuf_init(&cc->body, 0);
		cc->inited = true;
	}
	chroma_reply_reset(&cc->reply);
}

static void chroma_conn_release(struct load_conn *c)
{
	struct chroma_conn *cc = c->proto;
	if (cc->inited) {
		chroma_reply_release(&cc->reply);
		strbuf_release(&cc->body);
	}
	cc->inited = false;
}

/* The next unit of work of the phase, shared by every connection of every thread. */
static uint64_t take(const struct chroma_cfg *cfg)
{
	return __atomic_fetch_add(cfg->next, 1, __ATOMIC_RELAXED);
}

/* Appends the add body of batch b to sb; returns the documents in it. */
static uint32_t encode_batch(const struct chroma_cfg *cfg, uint64_t b, struct strbuf *sb)
{
	uint64_t first = b * cfg->batch, end = first + cfg->batch;
	if (end > cfg->documents)
		end = cfg->documents;
	if (first > end)
		first = end; /* more requests than batches: an empty add (the server refuses) */
	strbuf_addstr(sb, "{\"ids\":[");
	for (uint64_t i = first; i < end; i++)
		strbuf_addf(sb, "%s\"%llu\"", i > first ? "," : "", (unsigned long long)i);
	strbuf_addstr(sb, "],\"embeddings\":[");
	for (uint64_t i = first; i < end; i++) {
		if (i > first)
			strbuf_addch(sb, ',');
		if (cfg->base64)
			vec_json_base64(sb, cfg->base.v + i * cfg->dim, cfg->dim);
		else
			vec_json_array(sb, cfg->base.v + i * cfg->dim, cfg->dim);
	}
	strbuf_addch(sb, ']');
	if (cfg->metadata) {
		strbuf_addstr(sb, ",\"metadatas\":[");
		for (uint64_t i = first; i < end; i++)
			strbuf_addf(sb, "%s{\"index\":%llu,\"batch\":%llu}", i > first ? "," : "",
				    (unsigned long long)i, (unsigned long long)b);
		strbuf_addch(sb, ']');
	}
	strbuf_addch(sb, '}');
	return (uint32_t)(end - first);
}

static void chroma_encode(struct load_conn *c, struct load_req *req, struct strbuf *out)
{
	const struct chroma_cfg *cfg = c->cfg;
	struct chroma_conn *cc = c->proto;
	struct chroma_req *r = req->priv;
	uint64_t n = take(cfg);

	if (cfg->phase == CHROMA_INSERT) {
		req->kind = 0;
		r->item = n;
		strbuf_reset(&cc->body);
		r->ndocs = encode_batch(cfg, n, &cc->body);
		strbuf_add(out, cfg->add_head.buf, cfg->add_head.len);
		strbuf_addf(out, "%zu\r\n\r\n", cc->body.len);
		strbuf_add(out, cc->body.buf, cc->body.len);
		return;
	}
	req->kind = 0;
	r->item = n % cfg->queries;
	r->ndocs = 0;
	strbuf_add(out, cfg->qreqs.buf + cfg->qoff[r->item],
		   cfg->qoff[r->item + 1] - cfg->qoff[r->item]);
}

/* Sorts a whole reply: status, server message, recall of a query. */
static void finish(struct load_conn *c, struct load_req *req)
{
	const struct chroma_cfg *cfg = c->cfg;
	struct chroma_conn *cc = c->proto;
	struct chroma_ts *ts = c->tstate;
	struct chroma_req *r = req->priv;
	int status = cc->reply.parser.status;
	const struct strbuf *body = &cc->reply.body;

	req->err = LOAD_OK;
	if (status < 200 || status >= 300) {
		struct strbuf m = STRBUF_INIT;
		chroma_error_text(body->buf, body->len, &m, LOAD_NOTE_MAX - 40);
		req->err = status >= 500 ? LOAD_ERR_SERVER : ERR_HTTP_4XX;
		load_conn_note(c, req->err, "http status %d: %s", status, m.buf);
		strbuf_release(&m);
		return;
	}
	if (cfg->phase == CHROMA_INSERT) {
		if (!req->warmup)
			ts->docs_ok += r->ndocs;
		return;
	}
	const uint32_t *truth = cfg->truth_source ? cfg->truth.ids + r->item * cfg->truth.k : NULL;
	unsigned hits = 0, returned = 0;
	if (chroma_scan_query(body->buf, body->len, truth, cfg->top_k, &hits, &returned) < 0) {
		req->err = LOAD_ERR_PROTOCOL;
		load_conn_note(c, LOAD_ERR_PROTOCOL, "query reply without an ids list: %.80s",
			       body->buf);
		return;
	}
	if (req->warmup)
		return;
	if (returned < cfg->top_k && returned < cfg->documents)
		ts->short_replies++;
	if (truth) {
		ts->hits[hits <= cfg->top_k ? hits : cfg->top_k]++;
		ts->recall_n++;
	}
}

static enum load_step chroma_parse(struct load_conn *c, struct load_req *req, const char *data,
				   size_t len, size_t *used, uint64_t now_ns)
{
	struct chroma_conn *cc = c->proto;
	int r = chroma_reply_feed(&cc->reply, data, len, now_ns, used);
	if (r == HTTP_PARSE_MORE)
		return LOAD_MORE;
	if (r == HTTP_PARSE_ERROR) {
		load_conn_note(c, LOAD_ERR_PROTOCOL, "%s", cc->reply.parser.error);
		return LOAD_FAIL;
	}
	if (!req) {
		load_conn_note(c, LOAD_ERR_PROTOCOL, "a reply to no request");
		return LOAD_FAIL;
	}
	finish(c, req);
	if (!cc->reply.parser.keep_alive)
		c->close_after = true;
	chroma_reply_reset(&cc->reply);
	return LOAD_DONE;
}

static void chroma_params_json(const void *p, struct jsonw *w)
{
	const struct chroma_cfg *cfg = p;
	jsonw_str(w, "collection", cfg->collection);
	jsonw_str(w, "tenant", cfg->tenant);
	jsonw_str(w, "database", cfg->database);
	jsonw_str(w, "space", vec_space_name(cfg->space));
	if (cfg->hnsw_m > 0)
		jsonw_i64(w, "hnsw_m", cfg->hnsw_m);
	if (cfg->ef_construction > 0)
		jsonw_i64(w, "ef_construction", cfg->ef_construction);
	if (cfg->ef_search > 0)
		jsonw_i64(w, "ef_search", cfg->ef_search);
	jsonw_u64(w, "documents", cfg->documents);
	jsonw_u64(w, "dimension", cfg->dim);
	jsonw_u64(w, "batch_size", cfg->batch);
	jsonw_u64(w, "insert_streams", cfg->insert_streams);
	jsonw_double(w, "insert_timeout_s", (double)cfg->insert_timeout_us / 1e6, -1);
	jsonw_u64(w, "queries", cfg->queries);
	jsonw_u64(w, "top_k", cfg->top_k);
	if (cfg->where)
		jsonw_raw(w, "where", cfg->where);
	if (cfg->include)
		jsonw_raw(w, "include", cfg->include);
	jsonw_str(w, "data", cfg->data_path ? cfg->data_path : "random");
	if (cfg->query_path)
		jsonw_str(w, "query_data", cfg->query_path);
	if (cfg->truth_path)
		jsonw_str(w, "truth", cfg->truth_path);
	jsonw_bool(w, "metadata", cfg->metadata);
	jsonw_bool(w, "keep", cfg->keep);
	jsonw_bool(w, "reuse", cfg->reuse);
}

/* Recall below or at which a fraction q (0..1] of the measured queries fall. */
static double recall_pct(const struct chroma_ts *ts, double q)
{
	uint64_t rank = (uint64_t)(q * (double)ts->recall_n + 0.999999), seen = 0;
	if (rank < 1)
		rank = 1;
	for (unsigned h = 0; h <= ts->k; h++) {
		seen += ts->hits[h];
		if (seen >= rank)
			return (double)h / ts->k;
	}
	return 1;
}

static double recall_mean(const struct chroma_ts *ts)
{
	double sum = 0;
	for (unsigned h = 0; h <= ts->k; h++)
		sum += (double)ts->hits[h] * h;
	return ts->recall_n ? sum / ((double)ts->recall_n * ts->k) : 0;
}

static void chroma_report_json(const void *p, const void *t, const struct load_result *r,
			       struct jsonw *w)
{
	const struct chroma_cfg *cfg = p;
	const struct chroma_ts *ts = t;
	const struct chroma_insert *in = &cfg->ins;
	(void)r;

	jsonw_obj_open(w, "vector");
	jsonw_str(w, "collection", cfg->collection);
	jsonw_bool(w, "collection_deleted", cfg->deleted);
	jsonw_str(w, "space", vec_space_name(cfg->space));
	jsonw_u64(w, "dimension", cfg->dim);
	jsonw_u64(w, "documents", cfg->documents);
	jsonw_u64(w, "top_k", cfg->top_k);
	jsonw_u64(w, "distinct_queries", cfg->queries);
	jsonw_obj_open(w, "prepare_s");
	jsonw_double(w, "data", cfg->data_s, 6);
	jsonw_double(w, "truth", cfg->truth_s, 6);
	jsonw_close(w);
	jsonw_double(w, "encode_us_per_query", cfg->encode_us_per_query, 3);

	if (in->ran) {
		jsonw_obj_open(w, "insert");
		jsonw_str(w, "embedding_encoding", in->base64 ? "base64" : "json");
		jsonw_u64(w, "batch_size", cfg->batch);
		jsonw_u64(w, "streams", in->streams);
		jsonw_u64(w, "batches", in->batches);
		jsonw_u64(w, "batches_ok", in->batches_ok);
		jsonw_u64(w, "documents_ok", in->docs_ok);
		jsonw_u64(w, "errors", in->errors);
		jsonw_double(w, "duration_s", in->duration_s, 6);
		jsonw_double(w, "documents_per_s",
			     in->duration_s > 0 ? (double)in->docs_ok / in->duration_s : 0, 3);
		jsonw_double(w, "batches_per_s",
			     in->duration_s > 0 ? (double)in->batches_ok / in->duration_s : 0, 3);
		load_pcts_json(w, "batch_latency_us", &in->latency);
		jsonw_obj_open(w, "errors_by_kind");
		for (unsigned k = 1; k < LOAD_ERR_PROTO + 1; k++)
			if (in->err[k])
				jsonw_u64(w, k == ERR_HTTP_4XX ? "http_4xx" : load_err_name(k),
					  in->err[k]);
		jsonw_close(w);
		if (in->first_error[0])
			jsonw_str(w, "first_error", in->first_error);
		jsonw_close(w);
	} else {
		jsonw_null(w, "insert");
	}

	if (cfg->count_checked) {
		jsonw_obj_open(w, "count");
		jsonw_u64(w, "expected", cfg->count_expected);
		jsonw_u64(w, "server", cfg->count_server);
		jsonw_bool(w, "match", cfg->count_expected == cfg->count_server);
		jsonw_close(w);
	}

	if (cfg->truth_source && ts) {
		jsonw_obj_open(w, "recall");
		jsonw_u64(w, "k", cfg->top_k);
		jsonw_str(w, "truth", cfg->truth_source);
		jsonw_u64(w, "queries", ts->recall_n);
		jsonw_double(w, "mean", recall_mean(ts), 6);
		jsonw_double(w, "min", ts->recall_n ? recall_pct(ts, 0) : 0, 6);
		jsonw_double(w, "p1", recall_pct(ts, 0.01), 6);
		jsonw_double(w, "p5", recall_pct(ts, 0.05), 6);
		jsonw_double(w, "p50", recall_pct(ts, 0.5), 6);
		jsonw_obj_open(w, "distribution");
		for (unsigned h = 0; h <= ts->k; h++) {
			char key[32];
			if (!ts->hits[h])
				continue;
			snprintf(key, sizeof(key), "%g", (double)h / ts->k);
			jsonw_u64(w, key, ts->hits[h]);
		}
		jsonw_close(w);
		jsonw_u64(w, "short_replies", ts->short_replies);
		jsonw_close(w);
	} else {
		jsonw_null(w, "recall");
		jsonw_str(w, "recall_skipped",
			  cfg->recall_skipped ? cfg->recall_skipped : "unknown");
	}
	jsonw_close(w);
}

static void chroma_report_text(const void *p, const void *t, const struct load_result *r,
			       struct strbuf *out)
{
	const struct chroma_cfg *cfg = p;
	const struct chroma_ts *ts = t;
	(void)r;
	if (cfg->truth_source && ts && ts->recall_n)
		strbuf_addf(
		    out,
		    "  recall@%u     mean %.4f  p1 %.3f  p5 %.3f  p50 %.3f over %llu "
		    "queries (truth: %s%s)\n",
		    cfg->top_k, recall_mean(ts), recall_pct(ts, 0.01), recall_pct(ts, 0.05),
		    recall_pct(ts, 0.5), (unsigned long long)ts->recall_n, cfg->truth_source,
		    !strcmp(cfg->truth_source, "brute_force") ? ", computed before the clock" : "");
	else
		strbuf_addf(out, "  recall        not measured (%s)\n",
			    cfg->recall_skipped ? cfg->recall_skipped : "no query succeeded");
	if (ts && ts->short_replies)
		strbuf_addf(out, "  short replies %llu queries got fewer than %u results\n",
			    (unsigned long long)ts->short_replies, cfg->top_k);
	strbuf_addf(out, "  encoding      %.2f us per query (%u floats, before the clock)\n",
		    cfg->encode_us_per_query, cfg->dim);
	if (cfg->deleted)
		strbuf_addf(out, "  collection    '%s' deleted (--keep leaves it)\n",
			    cfg->collection);
}

static int chroma_verdict(const void *p, const void *t, const struct load_result *r,
			  struct strbuf *err)
{
	const struct chroma_cfg *cfg = p;
	(void)t;
	if (cfg->count_checked && cfg->count_expected != cfg->count_server)
		return error(err, "chroma counts %llu records in '%s', %llu were expected",
			     (unsigned long long)cfg->count_server, cfg->collection,
			     (unsigned long long)cfg->count_expected);
	if (cfg->ins.errors && !r->opts->allow_errors)
		return error(err, "%llu insert batch%s failed (--allow-errors to accept)",
			     (unsigned long long)cfg->ins.errors, cfg->ins.errors == 1 ? "" : "es");
	return 0;
}

static const struct option chroma_longopts[] = {
	{ "collection", required_argument, NULL, OPT_COLLECTION },
	{ "tenant", required_argument, NULL, OPT_TENANT },
	{ "database", required_argument, NULL, OPT_DATABASE },
	{ "space", required_argument, NULL, OPT_SPACE },
	{ "hnsw-m", required_argument, NULL, OPT_HNSW_M },
	{ "ef-construction", required_argument, NULL, OPT_EF_CONSTRUCTION },
	{ "ef-search", required_argument, NULL, OPT_EF_SEARCH },
	{ "documents", required_argument, NULL, OPT_DOCUMENTS },
	{ "dimension", required_argument, NULL, OPT_DIMENSION },
	{ "batch-size", required_argument, NULL, OPT_BATCH },
	{ "insert-streams", required_argument, NULL, OPT_INSERT_STREAMS },
	{ "queries", required_argument, NULL, OPT_QUERIES },
	{ "top-k", required_argument, NULL, OPT_TOP_K },
	{ "where", required_argument, NULL, OPT_WHERE },
	{ "include", required_argument, NULL, OPT_INCLUDE },
	{ "data", required_argument, NULL, OPT_DATA },
	{ "query-data", required_argument, NULL, OPT_QUERY_DATA },
	{ "truth", required_argument, NULL, OPT_TRUTH },
	{ "no-recall", no_argument, NULL, OPT_NO_RECALL },
	{ "no-metadata", no_argument, NULL, OPT_NO_METADATA },
	{ "keep", no_argument, NULL, OPT_KEEP },
	{ "reuse", no_argument, NULL, OPT_REUSE },
	{ "add-encoding", required_argument, NULL, OPT_ENCODING },
	{ "insert-timeout", required_argument, NULL, OPT_INSERT_TIMEOUT },
	{ "requests", required_argument, NULL, 'n' },
	{ "duration", required_argument, NULL, 'd' },
	{ 0 },
};

const struct load_proto load_proto_chroma = {
	.name = "chroma",
	.target_usage = "URL",
	.summary = "Chroma vector database (REST v2): batched inserts, top-k queries, recall",
	.help =
	    "chroma options (phases: (re)create the collection, insert, check the server's\n"
	    "count, query, delete the collection):\n"
	    "  --collection NAME    collection to (re)create (default hpcbench)\n"
	    "  --tenant T, --database D   where it lives (default default_tenant,\n"
	    "                       default_database; a missing database is created)\n"
	    "  --space S            l2 | cosine | ip (default l2, or the dataset's)\n"
	    "  --hnsw-m N, --ef-construction N, --ef-search N   HNSW index parameters\n"
	    "                       (default: the server's)\n"
	    "  --documents N        vectors to insert (default 10000; with --data: all)\n"
	    "  --dimension D        of random vectors (default 384)\n"
	    "  --batch-size B       vectors per add request (default 100)\n"
	    "  --insert-streams S   concurrent add requests (default 1)\n"
	    "  --insert-timeout T   per add request (default 300s: a batch may take long\n"
	    "                       while the index grows)\n"
	    "  --add-encoding E     auto | json | base64: how add sends embeddings (auto:\n"
	    "                       base64 when the server takes it)\n"
	    "  --no-metadata        add no {index, batch} metadata to each vector\n"
	    "  -n, -d, -c, --rate   the queries: count or duration, concurrency, open loop\n"
	    "  --queries Q          distinct query vectors, used in turn (default 1000,\n"
	    "                       or -n if smaller)\n"
	    "  --top-k K            results per query (default 10)\n"
	    "  --where JSON         metadata filter of every query (recall is then not\n"
	    "                       measured)\n"
	    "  --include LIST       fields returned, e.g. distances,metadatas (default:\n"
	    "                       the server's)\n"
	    "  --data FILE          vectors from an ann-benchmarks .hdf5 file (train, test,\n"
	    "                       neighbors) or a TEXMEX .fvecs file\n"
	    "  --query-data FILE    .fvecs query vectors (with --data FILE.fvecs)\n"
	    "  --truth FILE         .ivecs exact neighbours of the queries (optional)\n"
	    "  --no-recall          skip recall (and the brute-force search it may need)\n"
	    "  --keep               leave the collection in place afterwards\n"
	    "  --reuse              query an existing collection as it is (no insert)\n"
	    "vectors are random by default: unit-norm, reproducible with --seed. recall@k\n"
	    "of a query is (returned ids among its exact k nearest) / k, the exact\n"
	    "neighbours from the dataset or computed by brute force before the clock.\n"
	    "examples:\n"
	    "  hpcbench load chroma http://127.0.0.1:8000 --documents 100000 --dimension 384 \\\n"
	    "      --batch-size 1000 -n 1000 -c 8 --top-k 10\n"
	    "  hpcbench load chroma http://127.0.0.1:8000 --data sift-128-euclidean.hdf5 \\\n"
	    "      --ef-search 64 -d 30s --rate 500\n",
	.shortopts = "n:d:",
	.longopts = chroma_longopts,
	.conn_size = sizeof(struct chroma_conn),
	.req_size = sizeof(struct chroma_req),
	.create = chroma_create,
	.option = chroma_option,
	.configure = chroma_configure,
	.prepare = chroma_prepare,
	.destroy = chroma_destroy,
	.thread_init = chroma_thread_init,
	.thread_merge = chroma_thread_merge,
	.thread_free = chroma_thread_free,
	.conn_reset = chroma_conn_reset,
	.conn_release = chroma_conn_release,
	.encode = chroma_encode,
	.parse = chroma_parse,
	.params_json = chroma_params_json,
	.report_json = chroma_report_json,
	.report_text = chroma_report_text,
	.verdict = chroma_verdict,
	.run = chroma_run,
};
