/*
 * `hpcbench load llm URL`: LLM inference requests (Ollama or OpenAI-compatible API),
 * streamed by default, with per-chunk timestamps for TTFT, ITL and TPOT.
 *
 * The hot path: a request is one of the prompts rendered before the run (llm_wire),
 * picked by the thread's seeded generator and copied out. The reply goes through the
 * HTTP parser, whose body callback feeds the SSE/NDJSON framer, whose message callback
 * scans the JSON chunk (jscan, no allocation) and records content-chunk times. When
 * the request ends, complete() turns what it saw into one llm_sample.
 *
 * LLM requests are never pipelined: one outstanding request per connection, so the
 * connection's state is the request's state.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/timeutil.h"
#include "common/units.h"
#include "common/xalloc.h"
#include "load/http/http-parse.h"
#include "load/llm/llm-cfg.h"
#include "load/core/run.h"
#include "load/core/stats.h"
#include "load/http/stream.h"

enum {
	OPT_API = LOAD_OPT_PROTO,
	OPT_MODEL,
	OPT_MAX_TOKENS,
	OPT_TEMPERATURE,
	OPT_IGNORE_EOS,
	OPT_EXTRA_BODY,
	OPT_API_KEY_FILE,
	OPT_NO_STREAM,
	OPT_STREAM,
	OPT_INPUT_TOKENS,
	OPT_INPUT_SPREAD,
	OPT_SHARED_PREFIX,
	OPT_PROMPTS,
	OPT_DATASET,
	OPT_WARMUP,
	OPT_MAX_CONCURRENCY,
	OPT_SLO,
	OPT_SLO_CHECK,
	OPT_SLO_PERCENTILE,
	OPT_REQUESTS_OUT,
	OPT_SWEEP,
	OPT_FIND_MAX_RATE,
	OPT_FIND_STEPS,
	OPT_NO_PREPARE,
	OPT_NO_PULL,
	OPT_READY_TIMEOUT,
	OPT_PULL_TIMEOUT,
	OPT_TIMEOUT,
	OPT_PATH,
};

/* Error kinds of the LLM client (after the core's). */
enum { ERR_HTTP_4XX = LOAD_ERR_PROTO, ERR_STREAM };
static const char *const llm_err_kinds[] = { "http_4xx", "malformed_stream" };
static const char *const llm_kinds[] = { "request" };

#define BODY_CAP (4u << 20) /* a non-streamed body */
#define SNIPPET_CAP 300	    /* bytes of an error body kept for the note */
#define JSONL_FLUSH (64u << 10)

/* Per request (req->priv). */
struct llm_req {
	uint64_t first_ns, last_ns, chunks;
	struct llm_chunk last; /* accumulated counts and timings */
	bool done, stream_error;
};

struct llm_conn {
	bool inited;
	struct http_parser hp;
	struct stream_parser sp;
	const struct llm_cfg *cfg;
	struct llm_req *cur;
	uint64_t *itl; /* gaps of the current request */
	size_t nitl, alloc_itl;
	struct strbuf body; /* non-streamed body, or an error body snippet */
	const char *why;    /* why the stream was rejected */
};

struct llm_thread {
	struct llm_stats stats;
	uint64_t sent; /* requests encoded: this thread's position in the prompt order */
	struct strbuf jsonl;
	FILE *out;
	int64_t wall_minus_mono;
};

/* ---- options ---------------------------------------------------------------- */

static void *llm_create(void)
{
	struct llm_cfg *cfg = xcalloc(1, sizeof(*cfg));
	cfg->api = LLM_API_OLLAMA;
	cfg->req.temperature = -1;
	cfg->req.stream = true;
	cfg->wl.input_tokens = 128;
	cfg->wl.prompts = 1000;
	cfg->wl.seed = 1;
	cfg->slo.percentile = 99;
	cfg->find_steps = 5;
	cfg->prepare = true;
	cfg->pull = true;
	cfg->ready_timeout_ms = 60000;
	cfg->pull_timeout_ms = 3600000;
	return cfg;
}

static void llm_destroy(void *p)
{
	struct llm_cfg *cfg = p;
	for (size_t i = 0; i < cfg->nwire; i++)
		free(cfg->wire[i].buf);
	free(cfg->wire);
	for (size_t i = 0; i < cfg->nsweep; i++)
		free(cfg->sweep[i].values);
	llm_prompt_set_release(&cfg->prompts);
	http_url_release(&cfg->url);
	strlist_clear(&cfg->headers);
	free(cfg->model);
	free(cfg->extra_body);
	free(cfg->api_key);
	free(cfg->path);
	free(cfg);
}

static int parse_u64_opt(const char *name, const char *arg, uint64_t min, uint64_t max,
			 uint64_t *out, struct strbuf *err)
{
	if (parse_uint(arg, min, max, out))
		return error(err, "%s: '%s' is not a whole number from %llu to %llu", name, arg,
			     (unsigned long long)min, (unsigned long long)max);
	return 0;
}

static int parse_sweep(struct llm_cfg *cfg, const char *arg, struct strbuf *err)
{
	static const struct {
		const char *name;
		enum llm_sweep_param param;
	} names[] = {
		{ "concurrency", LLM_SWEEP_CONCURRENCY },
		{ "connections", LLM_SWEEP_CONCURRENCY },
		{ "rate", LLM_SWEEP_RATE },
		{ "input_tokens", LLM_SWEEP_INPUT_TOKENS },
		{ "prompt_length", LLM_SWEEP_INPUT_TOKENS },
		{ "max_tokens", LLM_SWEEP_MAX_TOKENS },
	};
	const char *eq = strchr(arg, '=');
	struct llm_sweep_dim *d;
	size_t i;
	if (!eq)
		return error(err, "--sweep: '%s' is not NAME=V1,V2,...", arg);
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (strlen(names[i].name) == (size_t)(eq - arg) &&
		    !strncmp(names[i].name, arg, (size_t)(eq - arg)))
			break;
	if (i == ARRAY_SIZE(names))
		return error(err,
			     "--sweep: unknown parameter '%.*s' (concurrency, rate, "
			     "input_tokens, max_tokens)",
			     (int)(eq - arg), arg);
	for (size_t k = 0; k < cfg->nsweep; k++)
		if (cfg->sweep[k].param == names[i].param)
			return error(err, "--sweep: '%.*s' given twice", (int)(eq - arg), arg);
	d = &cfg->sweep[cfg->nsweep];
	d->param = names[i].param;
	char *copy = xstrdup(eq + 1), *save = NULL;
	for (char *v = strtok_r(copy, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
		char *end;
		double x = strtod(v, &end);
		bool whole = d->param != LLM_SWEEP_RATE;
		if (end == v || *end || !(x > 0) || (whole && x != floor(x)) || x > 1e9 ||
		    (!whole && (x < LOAD_RATE_MIN || x > LOAD_RATE_MAX))) {
			/* The message first: v points into copy. */
			if (!whole)
				error(err, "--sweep: '%s' is not a rate from %g to %.0f requests/s",
				      v, LOAD_RATE_MIN, LOAD_RATE_MAX);
			else
				error(err,
				      "--sweep: '%s' is not a whole number from 1 to 1000000000",
				      v);
			free(copy);
			free(d->values);
			d->values = NULL;
			d->n = 0;
			return -1;
		}
		d->values = xrealloc(d->values, (d->n + 1) * sizeof(*d->values));
		d->values[d->n++] = x;
	}
	free(copy);
	if (!d->n)
		return error(err, "--sweep: no values in '%s'", arg);
	cfg->nsweep++;
	return 0;
}

static int read_secret(const char *path, char **out, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	if (read_file_max(path, &sb, FILE_MAX_SECRET, "secret", err) < 0)
		return -1;
	strbuf_rtrim(&sb);
	if (!sb.len || strpbrk(sb.buf, "\r\n")) {
		strbuf_release(&sb);
		return error(err, "%s: expected one line holding the api key", path);
	}
	free(*out);
	*out = strbuf_detach(&sb, NULL);
	return 0;
}

static int llm_option(void *p, struct load_opts *o, int val, const char *arg, struct strbuf *err)
{
	struct llm_cfg *cfg = p;
	uint64_t v;
	char *end;
	switch (val) {
	case OPT_API:
		if (llm_api_parse(arg, &cfg->api))
			return error(err,
				     "--api: '%s' is not one of ollama, ollama-chat, "
				     "openai-chat, openai-completions",
				     arg);
		cfg->api_given = true;
		return 0;
	case OPT_MODEL:
		free(cfg->model);
		cfg->model = xstrdup(arg);
		return 0;
	case OPT_MAX_TOKENS:
		return parse_u64_opt("--max-tokens", arg, 1, 10000000, &cfg->req.max_tokens, err);
	case OPT_TEMPERATURE:
		cfg->req.temperature = strtod(arg, &end);
		if (end == arg || *end || cfg->req.temperature < 0 || cfg->req.temperature > 100)
			return error(err, "--temperature: '%s' is not a number >= 0", arg);
		return 0;
	case OPT_IGNORE_EOS:
		cfg->req.ignore_eos = true;
		return 0;
	case OPT_EXTRA_BODY:
		free(cfg->extra_body);
		cfg->extra_body = xstrdup(arg);
		return 0;
	case OPT_API_KEY_FILE:
		return read_secret(arg, &cfg->api_key, err);
	case OPT_NO_STREAM:
		cfg->req.stream = false;
		return 0;
	case OPT_STREAM:
		cfg->req.stream = true;
		return 0;
	case OPT_INPUT_TOKENS:
		return parse_u64_opt("--input-tokens", arg, 1, 10000000, &cfg->wl.input_tokens,
				     err);
	case OPT_INPUT_SPREAD:
		cfg->wl.input_spread = strtod(arg, &end);
		if (end == arg || *end || cfg->wl.input_spread < 0 || cfg->wl.input_spread >= 1)
			return error(err, "--input-spread: '%s' is not a fraction in [0, 1)", arg);
		return 0;
	case OPT_SHARED_PREFIX:
		return parse_u64_opt("--shared-prefix-tokens", arg, 0, 10000000,
				     &cfg->wl.shared_prefix, err);
	case OPT_PROMPTS:
		cfg->prompts_given = true;
		return parse_u64_opt("--prompts", arg, 1, 10000000, &cfg->wl.prompts, err);
	case OPT_DATASET:
		cfg->wl.dataset = arg;
		return 0;
	case OPT_WARMUP:
		/* A bare count means requests; a duration goes to the core. */
		if (!parse_uint(arg, 0, 100000000, &v)) {
			cfg->warmup_requests = v;
			return 0;
		}
		return load_opts_set(o, LOAD_OPT_WARMUP, arg, err) < 0 ? -1 : 0;
	case 'n':
	case 'd':
		cfg->length_given = true;
		return load_opts_set(o, val, arg, err) < 0 ? -1 : 0;
	case 'c':
	case OPT_MAX_CONCURRENCY:
		cfg->connections_given = true;
		return load_opts_set(o, 'c', arg, err) < 0 ? -1 : 0;
	case OPT_TIMEOUT:
		cfg->timeout_given = true;
		return load_opts_set(o, LOAD_OPT_TIMEOUT, arg, err) < 0 ? -1 : 0;
	case OPT_SLO:
		return llm_slo_parse(&cfg->slo, arg, err);
	case OPT_SLO_CHECK:
		cfg->slo_check = true;
		return 0;
	case OPT_SLO_PERCENTILE:
		cfg->slo.percentile = strtod(arg, &end);
		if (end == arg || *end || !(cfg->slo.percentile > 0) || cfg->slo.percentile > 100)
			return error(err, "--slo-percentile: '%s' is not in (0, 100]", arg);
		return 0;
	case OPT_REQUESTS_OUT:
		cfg->requests_out = arg;
		return 0;
	case OPT_SWEEP:
		if (cfg->nsweep == LLM_MAX_SWEEP_DIMS)
			return error(err, "--sweep: at most %d parameters", LLM_MAX_SWEEP_DIMS);
		return parse_sweep(cfg, arg, err);
	case OPT_FIND_MAX_RATE:
		cfg->find_max_rate = true;
		return 0;
	case OPT_FIND_STEPS:
		if (parse_u64_opt("--find-steps", arg, 1, 30, &v, err))
			return -1;
		cfg->find_steps = (unsigned)v;
		return 0;
	case OPT_NO_PREPARE:
		cfg->prepare = false;
		return 0;
	case OPT_NO_PULL:
		cfg->pull = false;
		return 0;
	case OPT_READY_TIMEOUT:
	case OPT_PULL_TIMEOUT:
		if (parse_duration_us(arg, &v))
			return error(
			    err, "%s: '%s' is not a duration (e.g. 60s)",
			    val == OPT_READY_TIMEOUT ? "--ready-timeout" : "--pull-timeout", arg);
		*(val == OPT_READY_TIMEOUT ? &cfg->ready_timeout_ms : &cfg->pull_timeout_ms) =
		    v / 1000;
		return 0;
	case OPT_PATH:
		if (arg[0] != '/' || strpbrk(arg, " \r\n"))
			return error(err, "--path: '%s' must start with / and have no spaces", arg);
		free(cfg->path);
		cfg->path = xstrdup(arg);
		return 0;
	default:
		return error(err, "unknown llm option");
	}
}

int llm_render_requests(struct llm_cfg *cfg, uint64_t max_tokens, struct strbuf *err)
{
	struct http_url at = cfg->url;
	struct llm_request_opts ro = cfg->req;
	struct strbuf body = STRBUF_INIT, req = STRBUF_INIT;
	int ret = 0;

	ro.max_tokens = max_tokens;
	at.path = cfg->path;
	for (size_t i = 0; i < cfg->nwire; i++)
		free(cfg->wire[i].buf);
	free(cfg->wire);
	cfg->nwire = 0;
	cfg->wire = xcalloc(cfg->prompts.nr, sizeof(*cfg->wire));
	for (size_t i = 0; i < cfg->prompts.nr && !ret; i++) {
		strbuf_reset(&body);
		strbuf_reset(&req);
		if (llm_encode_body(&body, cfg->api, &ro, &cfg->prompts.items[i], err) < 0) {
			ret = -1;
			break;
		}
		http_request_render(&req, "POST", &at, &cfg->headers, body.buf, body.len, true);
		cfg->wire[cfg->nwire].len = req.len;
		cfg->wire[cfg->nwire++].buf = strbuf_detach(&req, NULL);
	}
	strbuf_release(&body);
	strbuf_release(&req);
	return ret;
}

/* The request path: --path, else the URL's own path, else the API's. */
static char *request_path(const struct llm_cfg *cfg)
{
	const char *up = cfg->url.path;
	bool openai = cfg->api == LLM_API_OPENAI_CHAT || cfg->api == LLM_API_OPENAI_COMPLETIONS;
	if (cfg->path)
		return xstrdup(cfg->path);
	if (!strcmp(up, "/") || (openai && (!strcmp(up, "/v1") || !strcmp(up, "/v1/"))))
		return xstrdup(llm_api_path(cfg->api));
	return xstrdup(up);
}

static int llm_configure(void *p, const char *target, struct load_opts *o, struct load_target *t,
			 struct strbuf *err)
{
	struct llm_cfg *cfg = p;
	if (http_url_parse(&cfg->url, target, err) < 0)
		return -1;
	cfg->target = target;
	if (!cfg->api_given && strcmp(cfg->url.port, "11434"))
		cfg->api = LLM_API_OPENAI_CHAT; /* Ollama's port means Ollama; else OpenAI */
	if (!cfg->model && (cfg->api == LLM_API_OLLAMA || cfg->api == LLM_API_OLLAMA_CHAT))
		return error(err, "--model is required with --api %s", llm_api_name(cfg->api));
	if (cfg->req.ignore_eos && (cfg->api == LLM_API_OLLAMA || cfg->api == LLM_API_OLLAMA_CHAT))
		return error(err, "--ignore-eos: ollama has no such option (use --max-tokens "
				  "with a prompt that does not end early, or an openai api)");
	if (o->pipeline != 1)
		return error(err, "--pipeline: llm requests are never pipelined");
	if (cfg->slo_check && !cfg->slo.any)
		return error(err, "--slo-check needs --slo (e.g. --slo ttft_ms=500,tpot_ms=50)");
	if (cfg->find_max_rate && !cfg->slo.any)
		return error(err, "--find-max-rate needs --slo: the highest rate at which what "
				  "holds?");
	if (cfg->find_max_rate && cfg->nsweep)
		return error(err, "--find-max-rate and --sweep do not go together");
	for (size_t i = 0; i < cfg->nsweep; i++)
		if (cfg->sweep[i].param == LLM_SWEEP_INPUT_TOKENS && cfg->wl.dataset)
			return error(err,
				     "--sweep input_tokens does not apply to --dataset prompts");
	if (cfg->extra_body) {
		struct strbuf tmp = STRBUF_INIT;
		struct llm_prompt probe = { .text = "", .text_len = 0 };
		cfg->req.extra_body = cfg->extra_body;
		int r = llm_encode_body(&tmp, cfg->api, &cfg->req, &probe, err);
		strbuf_release(&tmp);
		if (r < 0)
			return -1;
	}
	if (!cfg->timeout_given)
		o->timeout_us = 600 * 1000000ull; /* generations take minutes, not seconds */
	if (!cfg->length_given) {
		/* A request count, not the core's 10 s: one request may take that long. */
		o->requests = LLM_DEFAULT_REQUESTS;
		o->duration_us = 0;
	}
	if (cfg->find_max_rate && o->requests &&
	    o->requests < llm_percentile_min_samples(cfg->slo.percentile))
		return error(err,
			     "--find-max-rate judges p%g of each probe: that needs at least %llu "
			     "requests per probe (-n %llu), or a lower --slo-percentile",
			     cfg->slo.percentile,
			     (unsigned long long)llm_percentile_min_samples(cfg->slo.percentile),
			     (unsigned long long)o->requests);
	bool open_loop = o->rate > 0 || cfg->find_max_rate;
	for (size_t i = 0; i < cfg->nsweep; i++)
		open_loop |= cfg->sweep[i].param == LLM_SWEEP_RATE;
	if (open_loop && !cfg->connections_given)
		o->connections = 256; /* open loop: enough room for requests to overlap */
	if (o->seed_given)
		cfg->wl.seed = o->seed;
	if (!cfg->prompts_given && o->requests) {
		/* Enough distinct prompts for every request of every point, within reason. */
		uint64_t points = cfg->find_max_rate ? 32 : 1, total;
		for (size_t i = 0; i < cfg->nsweep; i++)
			points *= cfg->sweep[i].n;
		/* Threads' quotas differ by one at most: slack of a thread per run. */
		total = cfg->warmup_requests + (o->requests + o->threads) * points + o->threads;
		cfg->wl.prompts = total < LLM_MAX_AUTO_PROMPTS ? total : LLM_MAX_AUTO_PROMPTS;
	}
	if (llm_workload_build(&cfg->prompts, &cfg->wl, err) < 0)
		return -1;
	if (cfg->prompts.has_messages && !llm_api_is_chat(cfg->api))
		return error(err, "%s holds chat messages: use --api openai-chat or ollama-chat",
			     cfg->wl.dataset);
	cfg->path = request_path(cfg);
	strlist_push(&cfg->headers, "Content-Type: application/json");
	if (cfg->api_key) {
		char *h = xasprintf("Authorization: Bearer %s", cfg->api_key);
		strlist_push_owned(&cfg->headers, h);
	}
	cfg->req.model = cfg->model;
	t->host = cfg->url.host;
	t->port = cfg->url.port;
	t->display = target;
	t->kinds = llm_kinds;
	t->nkinds = ARRAY_SIZE(llm_kinds);
	t->err_kinds = llm_err_kinds;
	t->nerr_kinds = ARRAY_SIZE(llm_err_kinds);
	return 0;
}

static int llm_prepare_hook(void *p, const struct load_opts *o, struct strbuf *err)
{
	struct llm_cfg *cfg = p;
	(void)o;
	if (cfg->prepare && llm_prepare(cfg, err) < 0)
		return -1;
	cfg->req.model = cfg->model; /* prepare may have found it (OpenAI) */
	if (!cfg->model)
		return error(err, "no --model given and the server lists none");
	return llm_render_requests(cfg, cfg->req.max_tokens, err);
}

/* ---- threads ------------------------------------------------------------------ */

static void *llm_thread_init(const void *p, unsigned thread)
{
	const struct llm_cfg *cfg = p;
	struct llm_thread *ts = xcalloc(1, sizeof(*ts));
	llm_stats_init(&ts->stats);
	strbuf_init(&ts->jsonl, 0);
	ts->out = cfg->requests_file;
	ts->wall_minus_mono = (int64_t)wall_ns() - (int64_t)mono_ns();
	return ts;
}

static void jsonl_flush(struct llm_thread *ts)
{
	if (ts->out && ts->jsonl.len)
		fwrite(ts->jsonl.buf, 1, ts->jsonl.len, ts->out);
	strbuf_reset(&ts->jsonl);
}

static void llm_thread_merge(const void *cfg, void *dst, const void *src)
{
	struct llm_thread *d = dst, *s = (struct llm_thread *)src;
	(void)cfg;
	llm_stats_merge(&d->stats, &s->stats);
	if (s->sent > d->sent)
		d->sent = s->sent;
	jsonl_flush(s);
}

static void llm_thread_free(const void *cfg, void *p)
{
	struct llm_thread *ts = p;
	(void)cfg;
	if (!ts)
		return;
	jsonl_flush(ts);
	llm_stats_release(&ts->stats);
	strbuf_release(&ts->jsonl);
	free(ts);
}

/* ---- connections and the hot path --------------------------------------------- */

static void apply_chunk(struct llm_conn *lc, const struct llm_chunk *ch, uint64_t ts)
{
	struct llm_req *rq = lc->cur;
	if (!rq)
		return;
	if (ch->content) {
		if (!rq->chunks) {
			rq->first_ns = ts;
		} else {
			ALLOC_GROW(lc->itl, lc->nitl + 1, lc->alloc_itl);
			lc->itl[lc->nitl++] = ts - rq->last_ns;
		}
		rq->last_ns = ts;
		rq->chunks++;
	}
	if (ch->has_prompt_tokens) {
		rq->last.has_prompt_tokens = true;
		rq->last.prompt_tokens = ch->prompt_tokens;
	}
	if (ch->has_output_tokens) {
		rq->last.has_output_tokens = true;
		rq->last.output_tokens = ch->output_tokens;
	}
	if (ch->has_server_timings) {
		rq->last.has_server_timings = true;
		rq->last.total_ns = ch->total_ns;
		rq->last.load_ns = ch->load_ns;
		rq->last.prompt_eval_ns = ch->prompt_eval_ns;
		rq->last.eval_ns = ch->eval_ns;
	}
	if (ch->done)
		rq->done = true;
}

static int on_message(void *ctx, const char *msg, size_t len, uint64_t ts)
{
	struct llm_conn *lc = ctx;
	struct llm_chunk ch;
	if (llm_decode_chunk(lc->cfg->api, msg, len, &ch) < 0) {
		lc->why = "a streamed message is not json";
		return -1;
	}
	if (ch.error && lc->cur && !lc->cur->stream_error) {
		lc->cur->stream_error = true;
		strbuf_reset(&lc->body);
		strbuf_add(&lc->body, msg, len < SNIPPET_CAP ? len : SNIPPET_CAP);
	}
	apply_chunk(lc, &ch, ts);
	return 0;
}

static int on_body(void *ctx, const char *data, size_t len, uint64_t ts)
{
	struct llm_conn *lc = ctx;
	if (lc->hp.status != 200) {
		size_t room = lc->body.len < SNIPPET_CAP ? SNIPPET_CAP - lc->body.len : 0;
		strbuf_add(&lc->body, data, len < room ? len : room);
		return 0;
	}
	if (lc->cfg->req.stream) {
		if (stream_feed(&lc->sp, data, len, ts) < 0) {
			if (!lc->why)
				lc->why = lc->sp.error;
			return -1;
		}
		return 0;
	}
	if (lc->body.len + len > BODY_CAP) {
		lc->why = "a response body over 4 MiB";
		return -1;
	}
	strbuf_add(&lc->body, data, len);
	return 0;
}

static void llm_conn_reset(struct load_conn *c)
{
	struct llm_conn *lc = c->proto;
	const struct llm_cfg *cfg = c->cfg;
	if (!lc->inited) {
		http_parser_init(&lc->hp, 0);
		stream_init(&lc->sp, llm_api_stream_format(cfg->api), on_message, lc);
		strbuf_init(&lc->body, 0);
		lc->cfg = cfg;
		lc->inited = true;
	}
	lc->hp.on_body = on_body;
	lc->hp.body_ctx = lc;
	http_parser_reset(&lc->hp);
	stream_reset(&lc->sp);
	lc->cur = NULL;
}

static void llm_conn_release(struct load_conn *c)
{
	struct llm_conn *lc = c->proto;
	if (!lc->inited)
		return;
	http_parser_release(&lc->hp);
	stream_release(&lc->sp);
	strbuf_release(&lc->body);
	free(lc->itl);
	lc->itl = NULL;
	lc->nitl = lc->alloc_itl = 0;
	lc->inited = false;
}

static void llm_encode(struct load_conn *c, struct load_req *req, struct strbuf *out)
{
	const struct llm_cfg *cfg = c->cfg;
	struct llm_conn *lc = c->proto;
	struct llm_thread *ts = c->tstate;
	struct llm_req *rq = req->priv;
	/*
	 * Prompts go out in order, thread t taking t, t + T, t + 2T...: no prompt is sent
	 * twice (a prefix cache would answer the second from memory) until all were sent.
	 */
	size_t i =
	    (size_t)((cfg->prompt_base + c->thread + cfg->run_threads * ts->sent++) % cfg->nwire);

	memset(rq, 0, sizeof(*rq));
	req->kind = 0;
	lc->cur = rq;
	lc->nitl = 0;
	lc->why = NULL;
	strbuf_reset(&lc->body);
	strbuf_add(out, cfg->wire[i].buf, cfg->wire[i].len);
}

/* The HTTP response ended: decide how the request went. */
static void finish_response(struct load_conn *c, struct load_req *req, uint64_t now)
{
	struct llm_conn *lc = c->proto;
	struct llm_req *rq = lc->cur;
	int status = lc->hp.status;

	req->err = LOAD_OK;
	if (status < 200 || status >= 300) {
		unsigned kind = status >= 500	? LOAD_ERR_SERVER
				: status >= 400 ? ERR_HTTP_4XX
						: LOAD_ERR_PROTOCOL;
		req->err = kind;
		load_conn_note(c, kind, "http %d: %.*s", status, (int)lc->body.len, lc->body.buf);
		return;
	}
	if (lc->cfg->req.stream) {
		if (stream_finish(&lc->sp, now) < 0) {
			req->err = ERR_STREAM;
			load_conn_note(c, ERR_STREAM, "malformed stream: %s",
				       lc->why ? lc->why : "bad last line");
		} else if (rq->stream_error) {
			req->err = LOAD_ERR_SERVER;
			load_conn_note(c, LOAD_ERR_SERVER, "error in the stream: %.*s",
				       (int)lc->body.len, lc->body.buf);
		} else if (!rq->done) {
			req->err = ERR_STREAM;
			load_conn_note(c, ERR_STREAM,
				       "the stream ended without its final message "
				       "(%s)",
				       lc->cfg->api == LLM_API_OLLAMA ||
					       lc->cfg->api == LLM_API_OLLAMA_CHAT
					   ? "\"done\": true"
					   : "data: [DONE]");
		}
		return;
	}
	/* Not streamed: the whole body is one message, its content arrives at once. */
	if (on_message(lc, lc->body.buf, lc->body.len, now) < 0) {
		req->err = ERR_STREAM;
		load_conn_note(c, ERR_STREAM, "the response body is not json");
	} else if (rq->stream_error) {
		req->err = LOAD_ERR_SERVER;
		load_conn_note(c, LOAD_ERR_SERVER, "error: %.*s", (int)lc->body.len, lc->body.buf);
	}
}

static enum load_step llm_parse(struct load_conn *c, struct load_req *req, const char *data,
				size_t len, size_t *used, uint64_t now_ns)
{
	struct llm_conn *lc = c->proto;
	int r;
	lc->cur = req ? req->priv : NULL;
	r = http_parse(&lc->hp, data, len, now_ns, used);
	if (r == HTTP_PARSE_MORE)
		return LOAD_MORE;
	if (r == HTTP_PARSE_ERROR) {
		if (lc->why)
			load_conn_note(c, ERR_STREAM, "malformed stream: %s", lc->why);
		else
			load_conn_note(c, LOAD_ERR_PROTOCOL, "%s", lc->hp.error);
		return LOAD_FAIL;
	}
	if (req)
		finish_response(c, req, now_ns);
	if (!lc->hp.keep_alive)
		c->close_after = true;
	http_parser_reset(&lc->hp);
	stream_reset(&lc->sp);
	return LOAD_DONE;
}

static enum load_step llm_eof(struct load_conn *c, struct load_req *req, uint64_t now_ns)
{
	struct llm_conn *lc = c->proto;
	struct llm_req *rq = req ? req->priv : NULL;
	lc->cur = rq;
	if (http_parse_eof(&lc->hp) == HTTP_PARSE_DONE && req) {
		finish_response(c, req, now_ns);
		return LOAD_DONE;
	}
	if (rq)
		load_conn_note(c, LOAD_ERR_READ,
			       "the server closed the connection after %llu "
			       "content chunks (stream cut)",
			       (unsigned long long)rq->chunks);
	return LOAD_FAIL;
}

static const char *err_name(unsigned kind)
{
	return kind >= LOAD_ERR_PROTO ? llm_err_kinds[kind - LOAD_ERR_PROTO] : load_err_name(kind);
}

/* One line of --requests-out. */
static void jsonl_line(struct llm_thread *ts, const struct load_conn *c, const struct load_req *req,
		       const struct llm_sample *x, bool good, uint64_t done_ns)
{
	const struct llm_req *rq = req->priv;
	struct strbuf *sb = &ts->jsonl;
	strbuf_addf(sb, "{\"conn\":%u,\"seq\":%llu,\"ok\":%s", c->index, (unsigned long long)c->seq,
		    x->ok ? "true" : "false");
	if (!x->ok)
		strbuf_addf(sb, ",\"error\":\"%s\"", err_name(req->err));
	strbuf_addf(sb, ",\"intended_unix_s\":%.6f,\"sent_unix_s\":%.6f,\"done_unix_s\":%.6f",
		    (double)((int64_t)req->intended_ns + ts->wall_minus_mono) / 1e9,
		    (double)((int64_t)req->sent_ns + ts->wall_minus_mono) / 1e9,
		    (double)((int64_t)done_ns + ts->wall_minus_mono) / 1e9);
	strbuf_addf(sb, ",\"e2e_ms\":%.3f", (double)x->e2e_ns / 1e6);
	if (rq->chunks)
		strbuf_addf(sb, ",\"ttft_ms\":%.3f", (double)x->ttft_ns / 1e6);
	strbuf_addf(sb, ",\"content_chunks\":%llu", (unsigned long long)rq->chunks);
	if (x->has_input)
		strbuf_addf(sb, ",\"input_tokens\":%llu", (unsigned long long)x->input_tokens);
	if (x->has_output)
		strbuf_addf(sb, ",\"output_tokens\":%llu", (unsigned long long)x->output_tokens);
	if (x->has_output && x->output_tokens > 1 && rq->chunks)
		strbuf_addf(sb, ",\"tpot_ms\":%.3f",
			    (double)(x->e2e_ns - x->ttft_ns) / (double)(x->output_tokens - 1) /
				1e6);
	if (x->has_server)
		strbuf_addf(sb, ",\"server_total_ms\":%.3f", (double)x->srv_total_ns / 1e6);
	strbuf_addf(sb, ",\"within_slo\":%s}\n", good ? "true" : "false");
	if (sb->len > JSONL_FLUSH)
		jsonl_flush(ts);
}

static void llm_complete(struct load_conn *c, const struct load_req *req, uint64_t done_ns)
{
	const struct llm_cfg *cfg = c->cfg;
	struct llm_conn *lc = c->proto;
	struct llm_thread *ts = c->tstate;
	const struct llm_req *rq = req->priv;
	struct llm_sample x = { 0 };
	bool good;

	lc->cur = NULL;
	if (req->warmup)
		return;
	x.ok = req->err == LOAD_OK;
	x.e2e_ns = done_ns > req->sent_ns ? done_ns - req->sent_ns : 0;
	x.chunks = rq->chunks;
	x.ttft_ns = rq->chunks && rq->first_ns > req->sent_ns ? rq->first_ns - req->sent_ns : 0;
	x.itl_ns = lc->itl;
	x.nitl = lc->nitl;
	x.has_input = rq->last.has_prompt_tokens;
	x.input_tokens = rq->last.prompt_tokens;
	x.has_output = rq->last.has_output_tokens;
	x.output_tokens = rq->last.output_tokens;
	x.has_server = rq->last.has_server_timings;
	x.srv_total_ns = rq->last.total_ns;
	x.srv_load_ns = rq->last.load_ns;
	x.srv_prompt_ns = rq->last.prompt_eval_ns;
	x.srv_eval_ns = rq->last.eval_ns;
	good = llm_stats_record(&ts->stats, &x, &cfg->slo);
	if (ts->out)
		jsonl_line(ts, c, req, &x, good, done_ns);
}

/* ---- reporting ------------------------------------------------------------------ */

const struct llm_stats *llm_result_stats(const struct load_result *r)
{
	const struct llm_thread *ts = r->proto_ts;
	return ts ? &ts->stats : NULL;
}

uint64_t llm_result_prompts_used(const struct load_result *r)
{
	const struct llm_thread *ts = r->proto_ts;
	return ts ? ts->sent * r->opts->threads : 0;
}

static void llm_params_json(const void *p, struct jsonw *w)
{
	const struct llm_cfg *cfg = p;
	jsonw_str(w, "api", llm_api_name(cfg->api));
	jsonw_str(w, "model", cfg->model);
	jsonw_str(w, "path", cfg->path);
	jsonw_bool(w, "stream", cfg->req.stream);
	if (cfg->req.max_tokens)
		jsonw_u64(w, "max_tokens", cfg->req.max_tokens);
	else
		jsonw_null(w, "max_tokens");
	if (cfg->req.temperature >= 0)
		jsonw_double(w, "temperature", cfg->req.temperature, -1);
	jsonw_bool(w, "ignore_eos", cfg->req.ignore_eos);
	if (cfg->wl.dataset) {
		jsonw_str(w, "dataset", cfg->wl.dataset);
	} else {
		jsonw_u64(w, "input_tokens", cfg->wl.input_tokens);
		jsonw_double(w, "input_spread", cfg->wl.input_spread, -1);
		jsonw_u64(w, "shared_prefix_tokens", cfg->wl.shared_prefix);
	}
	jsonw_u64(w, "prompts", cfg->prompts.nr);
	jsonw_u64(w, "prompt_seed", cfg->wl.seed);
	jsonw_u64(w, "warmup_requests", cfg->warmup_requests);
}

static void llm_report_json(const void *p, const void *tsp, const struct load_result *r,
			    struct jsonw *w)
{
	const struct llm_cfg *cfg = p;
	const struct llm_thread *ts = tsp;
	jsonw_obj_open(w, "llm");
	jsonw_str(w, "api", llm_api_name(cfg->api));
	jsonw_str(w, "model", cfg->model);
	jsonw_bool(w, "stream", cfg->req.stream);
	if (ts)
		llm_stats_json(&ts->stats, &cfg->slo, r->duration_s, w);
	jsonw_close(w);
}

static void llm_report_text(const void *p, const void *tsp, const struct load_result *r,
			    struct strbuf *out)
{
	const struct llm_cfg *cfg = p;
	const struct llm_thread *ts = tsp;
	if (ts)
		llm_stats_text(&ts->stats, &cfg->slo, r->duration_s, out);
}

static double llm_output_tokens(const void *p, const void *tsp)
{
	const struct llm_thread *ts = tsp;
	(void)p;
	/* Only when every successful request carried the server's count. */
	if (!ts || !ts->stats.ok || ts->stats.with_output != ts->stats.ok)
		return -1;
	return (double)ts->stats.output_tokens;
}

static int llm_verdict(const void *p, const void *tsp, const struct load_result *r,
		       struct strbuf *err)
{
	const struct llm_cfg *cfg = p;
	const struct llm_thread *ts = tsp;
	(void)r;
	if (!cfg->slo_check || !ts)
		return 0;
	return llm_slo_verdict(&ts->stats, &cfg->slo, err);
}

static const struct option llm_longopts[] = {
	{ "api", required_argument, NULL, OPT_API },
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "max-tokens", required_argument, NULL, OPT_MAX_TOKENS },
	{ "temperature", required_argument, NULL, OPT_TEMPERATURE },
	{ "ignore-eos", no_argument, NULL, OPT_IGNORE_EOS },
	{ "extra-body", required_argument, NULL, OPT_EXTRA_BODY },
	{ "api-key-file", required_argument, NULL, OPT_API_KEY_FILE },
	{ "no-stream", no_argument, NULL, OPT_NO_STREAM },
	{ "stream", no_argument, NULL, OPT_STREAM },
	{ "input-tokens", required_argument, NULL, OPT_INPUT_TOKENS },
	{ "input-spread", required_argument, NULL, OPT_INPUT_SPREAD },
	{ "shared-prefix-tokens", required_argument, NULL, OPT_SHARED_PREFIX },
	{ "prompts", required_argument, NULL, OPT_PROMPTS },
	{ "dataset", required_argument, NULL, OPT_DATASET },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "connections", required_argument, NULL, 'c' },
	{ "concurrency", required_argument, NULL, 'c' },
	{ "max-concurrency", required_argument, NULL, OPT_MAX_CONCURRENCY },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "slo", required_argument, NULL, OPT_SLO },
	{ "slo-check", no_argument, NULL, OPT_SLO_CHECK },
	{ "slo-percentile", required_argument, NULL, OPT_SLO_PERCENTILE },
	{ "requests-out", required_argument, NULL, OPT_REQUESTS_OUT },
	{ "sweep", required_argument, NULL, OPT_SWEEP },
	{ "find-max-rate", no_argument, NULL, OPT_FIND_MAX_RATE },
	{ "find-steps", required_argument, NULL, OPT_FIND_STEPS },
	{ "no-prepare", no_argument, NULL, OPT_NO_PREPARE },
	{ "no-pull", no_argument, NULL, OPT_NO_PULL },
	{ "ready-timeout", required_argument, NULL, OPT_READY_TIMEOUT },
	{ "pull-timeout", required_argument, NULL, OPT_PULL_TIMEOUT },
	{ "path", required_argument, NULL, OPT_PATH },
	{ 0 },
};

const struct load_proto load_proto_llm = {
	.name = "llm",
	.target_usage = "URL",
	.summary = "LLM inference: Ollama or OpenAI-compatible API, streamed, TTFT/ITL/TPOT",
	.help =
	    "llm options (docs/llm.md has the metric definitions and the result fields):\n"
	    "  --api API            ollama (/api/generate), ollama-chat (/api/chat),\n"
	    "                       openai-chat (/v1/chat/completions), openai-completions\n"
	    "                       (/v1/completions); default: ollama on port 11434,\n"
	    "                       else openai-chat\n"
	    "  --model M            model name (required for ollama; openai: the first\n"
	    "                       model /v1/models lists)\n"
	    "  --max-tokens N       output tokens asked per request (num_predict/max_tokens)\n"
	    "  --temperature T      sampling temperature (default: the server's)\n"
	    "  --ignore-eos         generate exactly --max-tokens (vLLM, SGLang; not Ollama)\n"
	    "  --extra-body JSON    extra request fields, e.g. '{\"top_p\":0.9}'\n"
	    "  --api-key-file FILE  send 'Authorization: Bearer KEY' (KEY read from FILE)\n"
	    "  --no-stream          one JSON body per request (TTFT then equals E2E)\n"
	    "  --path PATH          request path (default: the URL's, else the API's)\n"
	    "workload:\n"
	    "  --input-tokens N     synthetic prompts of about N tokens (default 128)\n"
	    "  --input-spread F     lengths uniform in N*(1-F) .. N*(1+F) (default 0)\n"
	    "  --shared-prefix-tokens K  K leading words shared by every prompt (default 0:\n"
	    "                       prompts differ from the first word, no prefix caching)\n"
	    "  --prompts N          distinct synthetic prompts, sent in order and reused only\n"
	    "                       after all were sent (default: one per request of the\n"
	    "                       run, up to 20000; 1000 with -d)\n"
	    "  --dataset FILE       JSONL prompts: {\"prompt\": ...} or {\"messages\": [...]},\n"
	    "                       optional \"max_tokens\" per line\n"
	    "  --seed N             the synthetic prompts (and the arrival schedule)\n"
	    "  --warmup N           N requests before the measurement, excluded (a duration\n"
	    "                       such as 10s is a timed warm-up instead)\n"
	    "load (with the core options --rate, --arrival, --burstiness, -t):\n"
	    "  -n, --requests N     measured requests (default 100)\n"
	    "  -d, --duration T     measure for T instead of a request count\n"
	    "  -c, --concurrency N  closed loop: N requests in flight\n"
	    "  --max-concurrency N  open loop (--rate): at most N in flight, later requests\n"
	    "                       wait (default 256 with --rate)\n"
	    "  --timeout T          per request (default 600s)\n"
	    "  --sweep P=V1,V2,...  one run per value: concurrency, rate, input_tokens or\n"
	    "                       max_tokens; repeat --sweep for a grid (every combination)\n"
	    "  --find-max-rate      bracket and bisect for the highest --rate that is\n"
	    "                       delivered (90% of it) with the SLOs met (starts at --rate\n"
	    "                       or 1 req/s; each probe needs enough requests to judge the\n"
	    "                       SLO percentile: 100 for p99)\n"
	    "  --find-steps N       bisection steps after bracketing (default 5)\n"
	    "metrics and checks:\n"
	    "  --slo ttft_ms=X,tpot_ms=Y,e2e_ms=Z  service levels: goodput counts requests\n"
	    "                       within all of them\n"
	    "  --slo-percentile P   the percentile --slo-check and --find-max-rate judge\n"
	    "                       (default 99)\n"
	    "  --slo-check          exit 1 if an SLO is missed at that percentile\n"
	    "  --requests-out FILE  one JSON line per request (times, tokens, errors)\n"
	    "readiness (before the clock):\n"
	    "  --no-prepare         skip the checks; --no-pull: never pull an Ollama model\n"
	    "  --ready-timeout T    wait for the server (default 60s); --pull-timeout T (1h)\n"
	    "examples:\n"
	    "  hpcbench load llm http://gpu01:11434 --api ollama --model llama3 -c 8 -n 200\n"
	    "  hpcbench load llm http://gpu01:8000 --api openai-chat --model meta-llama/\\\n"
	    "      Llama-3.1-8B-Instruct --rate 4 --arrival gamma --burstiness 0.5 -d 5m \\\n"
	    "      --slo ttft_ms=500,tpot_ms=50 --json result.json\n"
	    "  hpcbench load llm http://gpu01:8000 --sweep concurrency=1,4,16,64 -n 256\n",
	.shortopts = "c:n:d:",
	.longopts = llm_longopts,
	.conn_size = sizeof(struct llm_conn),
	.req_size = sizeof(struct llm_req),
	.create = llm_create,
	.option = llm_option,
	.configure = llm_configure,
	.prepare = llm_prepare_hook,
	.destroy = llm_destroy,
	.thread_init = llm_thread_init,
	.thread_merge = llm_thread_merge,
	.thread_free = llm_thread_free,
	.conn_reset = llm_conn_reset,
	.conn_release = llm_conn_release,
	.encode = llm_encode,
	.parse = llm_parse,
	.eof = llm_eof,
	.complete = llm_complete,
	.params_json = llm_params_json,
	.report_json = llm_report_json,
	.report_text = llm_report_text,
	.output_tokens = llm_output_tokens,
	.verdict = llm_verdict,
	.run = llm_run,
};
