/*
 * llm-server: a fake LLM inference server for tests and benchmarks, speaking Ollama's
 * API (NDJSON) and the OpenAI-compatible API (server-sent events) over HTTP/1.1 with
 * exactly controlled timing, so that a client's measurements can be checked against
 * what the server was told to do.
 *
 *   llm-server --port-file F [--port P] [--threads N] [--ttft-ms X] [--itl-ms X]
 *              [--tokens N] [--fail-every N] [--fail-status S] [--cut-every N]
 *              [--cut-after K] [--no-usage] [--models a,b] [--pull-ms X]
 *              [--garbage-every N] [--api-key K]
 *
 * Timing of a generation whose request was read at t0: the response head (and, for
 * OpenAI chat, a role-only chunk with empty content, as vLLM sends) goes out at once;
 * content token i (0-based) at t0 + ttft + i * itl; the final message (finish reason,
 * usage, Ollama's done line with its durations, [DONE]) right after the last token. A
 * non-streamed request gets its whole body at the time of the last token. With ttft
 * and itl 0 ("fast mode") a response is written with one write().
 *
 * Output length: --tokens N (default 16) is where the "model" stops by itself;
 * max_tokens / options.num_predict caps it; ignore_eos makes it exactly max_tokens.
 * Prompt tokens are the whitespace-separated words of the prompt (or messages).
 * Every content chunk carries exactly one token, and tokens are word fragments, so
 * counting words of the text gives a wrong number on purpose.
 *
 * Faults: every Nth generation request answers --fail-status (503) with the server's
 * error JSON; every Nth is cut (the connection closed) after K content tokens; every
 * Nth (--garbage-every) sends a message that is not JSON after its first token. With
 * --api-key K, requests without "Authorization: Bearer K" get 401, as vLLM answers.
 * Unknown models get 404 until pulled (POST /api/pull streams progress over --pull-ms).
 *
 * GET /stats answers the server's own counters as JSON (requests by endpoint, tokens
 * sent, errors sent, cuts, the most generations in flight at once, prompts seen before).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "common/jscan.h"

#define MAX_REQUEST (4u << 20)
#define MAX_MODELS 32

static struct {
	int port;
	const char *port_file;
	unsigned threads;
	uint64_t ttft_ns, itl_ns;
	uint64_t tokens;
	uint64_t fail_every, cut_every, cut_after, garbage_every;
	int fail_status;
	bool no_usage;
	uint64_t pull_ns;
	const char *api_key; /* like vLLM --api-key: other requests get 401 */
} opt = { .threads = 1, .tokens = 16, .fail_status = 503 };

/* Models present (pull adds). */
static pthread_mutex_t models_lock = PTHREAD_MUTEX_INITIALIZER;
static char *models[MAX_MODELS];
static unsigned nmodels;

static struct {
	atomic_ullong repeated_prompts, unauthorized, requests, generate, chat, completions,
	    chat_completions, tags, pulls, shows, other, errors_sent, cut, tokens_sent,
	    prompt_tokens, active, max_active;
} st;

enum api { API_NONE, API_GENERATE, API_CHAT, API_COMPLETIONS, API_CHAT_COMPLETIONS, API_PULL };

struct conn {
	int fd;
	struct strbuf in, out;
	size_t out_off;
	bool want_out, close_after, closing;
	/* The generation or pull being streamed (one at a time: later requests wait). */
	bool busy;
	enum api api;
	bool stream, usage;
	uint64_t t0, next_at;
	uint64_t ntokens, sent, prompt_tokens, cut_at; /* cut_at 0: never */
	bool garbage; /* send a message that is not JSON after the first token */
	char model[128];
	unsigned seq;
	struct conn *next_timed; /* in the worker's list of timed streams */
	bool timed;
};

struct worker {
	int epfd, lfd, tfd;
	struct conn *timed; /* streams waiting for a deadline */
};

static atomic_ullong gen_counter;

static const char *const toks[] = { " lo", "rem", " ip", "sum" };

static bool model_present(const char *name)
{
	bool found = false;
	size_t n = strlen(name);
	pthread_mutex_lock(&models_lock);
	for (unsigned i = 0; i < nmodels && !found; i++) {
		size_t m = strlen(models[i]);
		/* "llama3" names "llama3:latest", as in Ollama. */
		found =
		    !strcmp(models[i], name) ||
		    (n + 7 == m && !strncmp(models[i], name, n) &&
		     !strcmp(models[i] + n, ":latest")) ||
		    (m + 7 == n && !strncmp(models[i], name, m) && !strcmp(name + m, ":latest"));
	}
	pthread_mutex_unlock(&models_lock);
	return found;
}

static void model_add(const char *name)
{
	pthread_mutex_lock(&models_lock);
	if (nmodels < MAX_MODELS)
		models[nmodels++] = xstrdup(name);
	pthread_mutex_unlock(&models_lock);
}

static void chunk(struct strbuf *out, const char *data, size_t len)
{
	strbuf_addf(out, "%zx\r\n", len);
	strbuf_add(out, data, len);
	strbuf_addstr(out, "\r\n");
}

static void chunkf(struct strbuf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void chunkf(struct strbuf *out, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	chunk(out, buf, (size_t)n);
}

static void respond(struct conn *c, int status, const char *type, const char *body)
{
	const char *reason = status == 200   ? "OK"
			     : status == 404 ? "Not Found"
			     : status == 400 ? "Bad Request"
			     : status == 503 ? "Service Unavailable"
					     : "Error";
	strbuf_addf(&c->out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n%s",
		    status, reason, type, strlen(body), body);
}

static void error_json(struct conn *c, int status, const char *msg)
{
	char body[512];
	if (c->api == API_GENERATE || c->api == API_CHAT || c->api == API_PULL)
		snprintf(body, sizeof(body), "{\"error\":\"%s\"}", msg);
	else
		snprintf(body, sizeof(body),
			 "{\"object\":\"error\",\"message\":\"%s\",\"type\":\"Error\",\"code\":%d}",
			 msg, status);
	respond(c, status, "application/json", body);
}

static void stream_head(struct conn *c)
{
	bool ollama = c->api == API_GENERATE || c->api == API_CHAT || c->api == API_PULL;
	strbuf_addf(&c->out,
		    "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n\r\n",
		    ollama ? "application/x-ndjson" : "text/event-stream");
	if (c->api == API_CHAT_COMPLETIONS)
		chunkf(&c->out,
		       "data: {\"id\":\"chatcmpl-%u\",\"object\":\"chat.completion.chunk\","
		       "\"created\":1,\"model\":\"%s\",\"choices\":[{\"index\":0,\"delta\":"
		       "{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
		       "\"finish_reason\":null}]}\n\n",
		       c->seq, c->model);
}

static void token(struct conn *c)
{
	const char *t = toks[c->sent % 4];
	switch (c->api) {
	case API_GENERATE:
		chunkf(&c->out,
		       "{\"model\":\"%s\",\"created_at\":\"2026-01-01T00:00:00Z\","
		       "\"response\":\"%s\",\"done\":false}\n",
		       c->model, t);
		break;
	case API_CHAT:
		chunkf(&c->out,
		       "{\"model\":\"%s\",\"created_at\":\"2026-01-01T00:00:00Z\","
		       "\"message\":{\"role\":\"assistant\",\"content\":\"%s\"},\"done\":false}\n",
		       c->model, t);
		break;
	case API_CHAT_COMPLETIONS:
		chunkf(&c->out,
		       "data: {\"id\":\"chatcmpl-%u\",\"object\":\"chat.completion.chunk\","
		       "\"created\":1,\"model\":\"%s\",\"choices\":[{\"index\":0,\"delta\":"
		       "{\"content\":\"%s\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n",
		       c->seq, c->model, t);
		break;
	case API_COMPLETIONS:
		chunkf(&c->out,
		       "data: {\"id\":\"cmpl-%u\",\"object\":\"text_completion\",\"created\":1,"
		       "\"model\":\"%s\",\"choices\":[{\"index\":0,\"text\":\"%s\",\"logprobs\":"
		       "null,\"finish_reason\":null}]}\n\n",
		       c->seq, c->model, t);
		break;
	default:
		break;
	}
	c->sent++;
	atomic_fetch_add_explicit(&st.tokens_sent, 1, memory_order_relaxed);
	if (c->garbage && c->sent == 1)
		chunkf(&c->out, "%s",
		       c->api == API_GENERATE || c->api == API_CHAT ? "{\"response\": oops}\n"
								    : "data: {oops\n\n");
}

/* Ollama's final fields: counts and durations (ns). */
static void ollama_stats(struct strbuf *sb, const struct conn *c, uint64_t now)
{
	if (opt.no_usage)
		return;
	strbuf_addf(sb,
		    ",\"total_duration\":%llu,\"load_duration\":1000000,"
		    "\"prompt_eval_count\":%llu,\"prompt_eval_duration\":%llu,"
		    "\"eval_count\":%llu,\"eval_duration\":%llu",
		    (unsigned long long)(now - c->t0), (unsigned long long)c->prompt_tokens,
		    (unsigned long long)opt.ttft_ns, (unsigned long long)c->ntokens,
		    (unsigned long long)(c->ntokens ? (c->ntokens - 1) * opt.itl_ns : 0));
}

static void finish_stream(struct conn *c, uint64_t now)
{
	struct strbuf sb = STRBUF_INIT;
	const char *reason = c->ntokens < opt.tokens ? "length" : "stop";
	switch (c->api) {
	case API_GENERATE:
	case API_CHAT:
		strbuf_addf(&sb,
			    "{\"model\":\"%s\",\"created_at\":\"2026-01-01T00:00:00Z\",%s,"
			    "\"done\":true,\"done_reason\":\"%s\"",
			    c->model,
			    c->api == API_CHAT ? "\"message\":{\"role\":\"assistant\","
						 "\"content\":\"\"}"
					       : "\"response\":\"\"",
			    reason);
		ollama_stats(&sb, c, now);
		strbuf_addstr(&sb, "}\n");
		chunk(&c->out, sb.buf, sb.len);
		break;
	case API_CHAT_COMPLETIONS:
	case API_COMPLETIONS:
		if (c->api == API_CHAT_COMPLETIONS)
			chunkf(&c->out,
			       "data: {\"id\":\"chatcmpl-%u\",\"object\":\"chat.completion."
			       "chunk\",\"created\":1,\"model\":\"%s\",\"choices\":[{\"index\""
			       ":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"%s\"}]}\n\n",
			       c->seq, c->model, reason);
		else
			chunkf(&c->out,
			       "data: {\"id\":\"cmpl-%u\",\"object\":\"text_completion\","
			       "\"created\":1,\"model\":\"%s\",\"choices\":[{\"index\":0,"
			       "\"text\":\"\",\"logprobs\":null,\"finish_reason\":\"%s\"}]}\n\n",
			       c->seq, c->model, reason);
		if (c->usage && !opt.no_usage)
			chunkf(&c->out,
			       "data: {\"id\":\"x-%u\",\"object\":\"chat.completion.chunk\","
			       "\"created\":1,\"model\":\"%s\",\"choices\":[],\"usage\":{"
			       "\"prompt_tokens\":%llu,\"total_tokens\":%llu,"
			       "\"completion_tokens\":%llu}}\n\n",
			       c->seq, c->model, (unsigned long long)c->prompt_tokens,
			       (unsigned long long)(c->prompt_tokens + c->ntokens),
			       (unsigned long long)c->ntokens);
		chunkf(&c->out, "data: [DONE]\n\n");
		break;
	default:
		break;
	}
	strbuf_addstr(&c->out, "0\r\n\r\n");
	strbuf_release(&sb);
}

/* The whole body of a non-streamed generation. */
static void whole_body(struct conn *c, uint64_t now)
{
	struct strbuf text = STRBUF_INIT, body = STRBUF_INIT;
	for (uint64_t i = 0; i < c->ntokens; i++)
		strbuf_addstr(&text, toks[i % 4]);
	st.tokens_sent += c->ntokens;
	switch (c->api) {
	case API_GENERATE:
	case API_CHAT:
		if (c->api == API_GENERATE)
			strbuf_addf(&body, "{\"model\":\"%s\",\"response\":\"%s\",\"done\":true",
				    c->model, text.buf);
		else
			strbuf_addf(&body,
				    "{\"model\":\"%s\",\"message\":{\"role\":\"assistant\","
				    "\"content\":\"%s\"},\"done\":true",
				    c->model, text.buf);
		ollama_stats(&body, c, now);
		strbuf_addstr(&body, "}");
		break;
	default:
		if (c->api == API_CHAT_COMPLETIONS)
			strbuf_addf(&body,
				    "{\"id\":\"chatcmpl-%u\",\"object\":\"chat.completion\","
				    "\"model\":\"%s\",\"choices\":[{\"index\":0,\"message\":{"
				    "\"role\":\"assistant\",\"content\":\"%s\"},"
				    "\"finish_reason\":\"stop\"}]",
				    c->seq, c->model, text.buf);
		else
			strbuf_addf(&body,
				    "{\"id\":\"cmpl-%u\",\"object\":\"text_completion\","
				    "\"model\":\"%s\",\"choices\":[{\"index\":0,\"text\":\"%s\","
				    "\"finish_reason\":\"stop\"}]",
				    c->seq, c->model, text.buf);
		if (!opt.no_usage)
			strbuf_addf(&body,
				    ",\"usage\":{\"prompt_tokens\":%llu,\"completion_tokens\":%llu,"
				    "\"total_tokens\":%llu}",
				    (unsigned long long)c->prompt_tokens,
				    (unsigned long long)c->ntokens,
				    (unsigned long long)(c->prompt_tokens + c->ntokens));
		strbuf_addstr(&body, "}");
	}
	respond(c, 200, "application/json", body.buf);
	strbuf_release(&text);
	strbuf_release(&body);
}

/* What the request body says. */
struct req_info {
	char model[128];
	bool stream, stream_set, usage, ignore_eos;
	uint64_t max_tokens, prompt_words;
	uint64_t prompt_hash; /* FNV-1a over the prompt text(s) */
};

/* Prompts seen so far (hashes, open addressing): a repeated prompt is counted. */
#define SEEN_SLOTS (1u << 18)
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t *seen;

/* Records h; returns true if it was there already. A full table forgets nothing new. */
static bool seen_before(uint64_t h)
{
	bool found = false;
	h |= 1; /* 0 marks an empty slot */
	pthread_mutex_lock(&seen_lock);
	for (uint64_t i = h % SEEN_SLOTS, n = 0; n < SEEN_SLOTS; n++, i = (i + 1) % SEEN_SLOTS) {
		if (seen[i] == h) {
			found = true;
			break;
		}
		if (!seen[i]) {
			seen[i] = h;
			break;
		}
	}
	pthread_mutex_unlock(&seen_lock);
	return found;
}

static uint64_t count_words(const char *s, size_t n)
{
	uint64_t words = 0;
	bool in_word = false;
	for (size_t i = 0; i < n; i++) {
		bool sp = s[i] == ' ' || s[i] == '\t';
		if (s[i] == '\\' && i + 1 < n && strchr("ntr", s[i + 1])) {
			sp = true;
			i++;
		}
		if (!sp && !in_word)
			words++;
		in_word = !sp;
	}
	return words;
}

static bool path_is(const struct jscan_value *v, const char *p)
{
	return !v->truncated && !strcmp(v->path, p);
}

static void req_value(void *ctx, const struct jscan_value *v)
{
	struct req_info *r = ctx;
	uint64_t u;
	if ((path_is(v, "model") || path_is(v, "name")) && v->type == JSCAN_STRING &&
	    v->len < sizeof(r->model)) {
		memcpy(r->model, v->val, v->len);
		r->model[v->len] = 0;
	} else if (path_is(v, "stream")) {
		r->stream = v->type == JSCAN_TRUE;
		r->stream_set = true;
	} else if (path_is(v, "stream_options.include_usage")) {
		r->usage = v->type == JSCAN_TRUE;
	} else if (path_is(v, "ignore_eos")) {
		r->ignore_eos = v->type == JSCAN_TRUE;
	} else if ((path_is(v, "max_tokens") || path_is(v, "options.num_predict") ||
		    path_is(v, "max_completion_tokens")) &&
		   v->type == JSCAN_NUMBER && !jscan_u64(v->val, v->len, &u)) {
		r->max_tokens = u;
	} else if (v->type == JSCAN_STRING &&
		   (path_is(v, "prompt") || (!v->truncated && !strncmp(v->path, "messages.", 9) &&
					     strstr(v->path, ".content")))) {
		r->prompt_words += count_words(v->val, v->len);
		for (size_t i = 0; i < v->len; i++)
			r->prompt_hash =
			    (r->prompt_hash ^ (unsigned char)v->val[i]) * 0x100000001b3ull;
	}
}

static void timed_add(struct worker *w, struct conn *c)
{
	if (c->timed)
		return;
	c->timed = true;
	c->next_timed = w->timed;
	w->timed = c;
}

static void gen_end(struct conn *c)
{
	c->busy = false;
	atomic_fetch_sub_explicit(&st.active, 1, memory_order_relaxed);
}

/* Starts a generation: counts, faults, head; the timed part runs in advance(). */
static void start_generation(struct worker *w, struct conn *c, const char *body, size_t blen,
			     uint64_t now)
{
	struct req_info r = { .stream = c->api == API_GENERATE || c->api == API_CHAT,
			      .prompt_hash = 0xcbf29ce484222325ull };
	uint64_t n = ++gen_counter;

	if (jscan(body, blen, req_value, &r) < 0) {
		error_json(c, 400, "request body is not valid json");
		return;
	}
	if (!r.stream_set)
		r.stream = c->api == API_GENERATE || c->api == API_CHAT;
	snprintf(c->model, sizeof(c->model), "%s", r.model);
	if (opt.fail_every && n % opt.fail_every == 0) {
		st.errors_sent++;
		error_json(c, opt.fail_status,
			   "server busy, please try again.  maximum pending requests exceeded");
		return;
	}
	if (!model_present(r.model)) {
		char msg[200];
		snprintf(msg, sizeof(msg), "model '%.100s' not found, try pulling it first",
			 r.model);
		error_json(c, 404, msg);
		return;
	}
	c->ntokens = opt.tokens;
	if (r.max_tokens && (r.max_tokens < c->ntokens || r.ignore_eos))
		c->ntokens = r.max_tokens;
	c->prompt_tokens = r.prompt_words;
	st.prompt_tokens += r.prompt_words;
	if (seen_before(r.prompt_hash))
		st.repeated_prompts++;
	c->stream = r.stream;
	c->usage = r.usage;
	c->sent = 0;
	c->cut_at = opt.cut_every && n % opt.cut_every == 0 ? opt.cut_after + 1 : 0;
	c->garbage = opt.garbage_every && n % opt.garbage_every == 0;
	c->t0 = now;
	c->next_at = now + opt.ttft_ns;
	c->seq = (unsigned)n;
	c->busy = true;
	unsigned long long a = atomic_fetch_add_explicit(&st.active, 1, memory_order_relaxed) + 1;
	unsigned long long m = atomic_load_explicit(&st.max_active, memory_order_relaxed);
	while (a > m && !atomic_compare_exchange_weak(&st.max_active, &m, a))
		;
	if (c->stream)
		stream_head(c);
	timed_add(w, c);
}

static void start_pull(struct worker *w, struct conn *c, const char *body, size_t blen,
		       uint64_t now)
{
	struct req_info r = { 0 };
	jscan(body, blen, req_value, &r);
	snprintf(c->model, sizeof(c->model), "%s", r.model);
	st.pulls++;
	stream_head(c);
	chunkf(&c->out, "{\"status\":\"pulling manifest\"}\n");
	c->ntokens = 4; /* progress lines */
	c->sent = 0;
	c->t0 = now;
	c->next_at = now;
	c->busy = true;
	atomic_fetch_add_explicit(&st.active, 1, memory_order_relaxed);
	timed_add(w, c);
}

/* Emits what is due on c at now; returns the next deadline, or 0 when c is done. */
static uint64_t advance(struct conn *c, uint64_t now)
{
	if (c->api == API_PULL) {
		while (c->busy && c->next_at <= now) {
			if (c->sent < c->ntokens) {
				chunkf(&c->out,
				       "{\"status\":\"downloading\",\"digest\":\"sha256:0f\","
				       "\"total\":4000,\"completed\":%llu}\n",
				       (unsigned long long)(c->sent + 1) * 1000);
				c->sent++;
				c->next_at = c->t0 + opt.pull_ns * c->sent / c->ntokens;
			} else {
				model_add(c->model);
				chunkf(&c->out, "{\"status\":\"success\"}\n");
				strbuf_addstr(&c->out, "0\r\n\r\n");
				gen_end(c);
			}
		}
		return c->busy ? c->next_at : 0;
	}
	while (c->busy && c->next_at <= now) {
		if (!c->stream) {
			c->sent = c->ntokens;
			whole_body(c, now);
			gen_end(c);
			break;
		}
		if (c->cut_at && c->sent + 1 == c->cut_at) {
			st.cut++;
			c->closing = true; /* close once what is written is flushed */
			gen_end(c);
			break;
		}
		if (c->sent < c->ntokens)
			token(c);
		if (c->sent >= c->ntokens) {
			finish_stream(c, now);
			gen_end(c);
			break;
		}
		c->next_at = c->t0 + opt.ttft_ns + c->sent * opt.itl_ns;
	}
	if (!c->busy)
		return 0;
	if (!c->stream)
		c->next_at = c->t0 + opt.ttft_ns + (c->ntokens ? c->ntokens - 1 : 0) * opt.itl_ns;
	return c->next_at;
}

static enum api api_of(const char *path, size_t n)
{
	static const struct {
		const char *path;
		enum api api;
	} routes[] = {
		{ "/api/generate", API_GENERATE },
		{ "/api/chat", API_CHAT },
		{ "/v1/completions", API_COMPLETIONS },
		{ "/v1/chat/completions", API_CHAT_COMPLETIONS },
		{ "/api/pull", API_PULL },
	};
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strlen(routes[i].path) == n && !memcmp(routes[i].path, path, n))
			return routes[i].api;
	return API_NONE;
}

static void answer_get(struct conn *c, const char *path, size_t n)
{
	struct strbuf b = STRBUF_INIT;
	if (n == 5 && !memcmp(path, "/ping", 5)) {
		respond(c, 200, "text/plain", "pong");
	} else if (n == 1 && path[0] == '/') {
		respond(c, 200, "text/plain", "Ollama is running");
	} else if ((n == 9 && !memcmp(path, "/api/tags", 9)) ||
		   (n == 10 && !memcmp(path, "/v1/models", 10))) {
		bool tags = n == 9;
		st.tags++;
		strbuf_addstr(&b, tags ? "{\"models\":[" : "{\"object\":\"list\",\"data\":[");
		pthread_mutex_lock(&models_lock);
		for (unsigned i = 0; i < nmodels; i++) {
			/* Ollama lists names with their tag ("llama3:latest"). */
			const char *tag = strchr(models[i], ':') ? "" : ":latest";
			if (tags)
				strbuf_addf(&b,
					    "%s{\"name\":\"%s%s\",\"model\":\"%s%s\",\"size\":1}",
					    i ? "," : "", models[i], tag, models[i], tag);
			else
				strbuf_addf(&b, "%s{\"id\":\"%s\",\"object\":\"model\"}",
					    i ? "," : "", models[i]);
		}
		pthread_mutex_unlock(&models_lock);
		strbuf_addstr(&b, "]}");
		respond(c, 200, "application/json", b.buf);
	} else if (n == 6 && !memcmp(path, "/stats", 6)) {
		strbuf_addf(
		    &b,
		    "{\"requests\":%llu,\"generate\":%llu,\"chat\":%llu,\"completions\":%llu,"
		    "\"chat_completions\":%llu,\"tags\":%llu,\"pulls\":%llu,\"other\":%llu,"
		    "\"errors_sent\":%llu,\"cut\":%llu,\"tokens_sent\":%llu,"
		    "\"prompt_tokens\":%llu,\"active\":%llu,\"max_active\":%llu,"
		    "\"unauthorized\":%llu,\"repeated_prompts\":%llu}",
		    st.requests + 0ull, st.generate + 0ull, st.chat + 0ull, st.completions + 0ull,
		    st.chat_completions + 0ull, st.tags + 0ull, st.pulls + 0ull, st.other + 0ull,
		    st.errors_sent + 0ull, st.cut + 0ull, st.tokens_sent + 0ull,
		    st.prompt_tokens + 0ull, st.active + 0ull, st.max_active + 0ull,
		    st.unauthorized + 0ull, st.repeated_prompts + 0ull);
		respond(c, 200, "application/json", b.buf);
	} else {
		st.other++;
		respond(c, 404, "text/plain", "404 page not found");
	}
	strbuf_release(&b);
}

/* Answers one request: GETs at once, generations and pulls as timed streams. */
static void route(struct worker *w, struct conn *c, const char *path, size_t plen, const char *body,
		  size_t blen, uint64_t now)
{
	switch (c->api) {
	case API_NONE:
		answer_get(c, path, plen);
		break;
	case API_PULL:
		start_pull(w, c, body, blen, now);
		break;
	default:
		if (c->api == API_GENERATE)
			st.generate++;
		else if (c->api == API_CHAT)
			st.chat++;
		else if (c->api == API_COMPLETIONS)
			st.completions++;
		else
			st.chat_completions++;
		start_generation(w, c, body, blen, now);
		break;
	}
}

/* Handles every complete request in c->in while c is not streaming. */
static void serve(struct worker *w, struct conn *c, uint64_t now)
{
	while (!c->busy && !c->closing && c->in.len) {
		char *end = memmem(c->in.buf, c->in.len, "\r\n\r\n", 4);
		if (!end) {
			if (c->in.len > MAX_REQUEST)
				c->closing = true;
			return;
		}
		size_t head = (size_t)(end - c->in.buf) + 4, blen = 0;
		const char *sp1 = memchr(c->in.buf, ' ', head);
		const char *sp2 =
		    sp1 ? memchr(sp1 + 1, ' ', head - (size_t)(sp1 + 1 - c->in.buf)) : NULL;
		if (!sp2) {
			respond(c, 400, "text/plain", "bad request");
			c->closing = true;
			return;
		}
		c->close_after = false;
		bool authorized = !opt.api_key;
		for (char *l = memchr(c->in.buf, '\n', head); l && l < end;
		     l = memchr(l + 1, '\n', (size_t)(end - l))) {
			if (!strncasecmp(l + 1, "content-length:", 15))
				blen = strtoull(l + 16, NULL, 10);
			else if (!strncasecmp(l + 1, "connection:", 11) &&
				 strstr(l + 12, "close") &&
				 strstr(l + 12, "close") < strstr(l + 12, "\r\n"))
				c->close_after = true;
			else if (opt.api_key && !strncasecmp(l + 1, "authorization: bearer ", 22) &&
				 !strncmp(l + 23, opt.api_key, strlen(opt.api_key)) &&
				 l[23 + strlen(opt.api_key)] == '\r')
				authorized = true;
		}
		if (blen > MAX_REQUEST) {
			c->closing = true;
			return;
		}
		if (c->in.len < head + blen)
			return;
		const char *path = sp1 + 1;
		size_t plen = (size_t)(sp2 - path);
		const char *q = memchr(path, '?', plen);
		if (q)
			plen = (size_t)(q - path);
		st.requests++;
		bool is_get = !strncmp(c->in.buf, "GET ", 4) || !strncmp(c->in.buf, "HEAD ", 5);
		c->api = is_get ? API_NONE : api_of(path, plen);
		if (!authorized && !(is_get && plen == 6 && !memcmp(path, "/stats", 6))) {
			st.unauthorized++;
			error_json(c, 401, "Unauthorized");
			c->api = API_NONE;
		} else {
			route(w, c, path, plen, c->in.buf + head, blen, now);
		}
		memmove(c->in.buf, c->in.buf + head + blen, c->in.len - head - blen);
		strbuf_setlen(&c->in, c->in.len - head - blen);
		if (c->close_after && !c->busy)
			c->closing = true;
	}
}

static void conn_free(struct worker *w, struct conn *c)
{
	/* Unlink from the timed list. */
	for (struct conn **pp = &w->timed; *pp; pp = &(*pp)->next_timed) {
		if (*pp == c) {
			*pp = c->next_timed;
			break;
		}
	}
	if (c->busy)
		gen_end(c);
	close(c->fd);
	strbuf_release(&c->in);
	strbuf_release(&c->out);
	free(c);
}

/* Writes pending output; returns -1 if c was freed. */
static int flush(struct worker *w, struct conn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t r = write(c->fd, c->out.buf + c->out_off, c->out.len - c->out_off);
		if (r > 0) {
			c->out_off += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN) {
			if (!c->want_out) {
				struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT,
							  .data.ptr = c };
				epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev);
				c->want_out = true;
			}
			return 0;
		}
		conn_free(w, c);
		return -1;
	}
	strbuf_reset(&c->out);
	c->out_off = 0;
	if (c->want_out) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
		epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev);
		c->want_out = false;
	}
	if (c->closing || (c->close_after && !c->busy)) {
		conn_free(w, c);
		return -1;
	}
	return 0;
}

/* Runs due streams and arms the timer for the earliest deadline left. */
static void run_timers(struct worker *w)
{
	uint64_t now = mono_ns(), next = 0;
	struct conn **pp = &w->timed;
	while (*pp) {
		struct conn *c = *pp;
		uint64_t at = advance(c, now);
		if (!at) {
			*pp = c->next_timed;
			c->timed = false;
			/* Pipelined requests that waited for this stream. */
			serve(w, c, now);
			if (flush(w, c) < 0)
				continue;
			if (c->timed && c->next_at && (!next || c->next_at < next))
				next = c->next_at;
			continue;
		}
		if (flush(w, c) < 0)
			continue;
		if (!next || at < next)
			next = at;
		pp = &c->next_timed;
	}
	struct itimerspec its = { 0 };
	if (next) {
		its.it_value.tv_sec = (time_t)(next / 1000000000ull);
		its.it_value.tv_nsec = (long)(next % 1000000000ull);
	}
	timerfd_settime(w->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void on_readable(struct worker *w, struct conn *c)
{
	char buf[65536];
	for (;;) {
		ssize_t r = read(c->fd, buf, sizeof(buf));
		if (r > 0) {
			strbuf_add(&c->in, buf, (size_t)r);
			if ((size_t)r < sizeof(buf))
				break;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			break;
		conn_free(w, c);
		return;
	}
	serve(w, c, mono_ns());
	if (flush(w, c) < 0)
		return;
	run_timers(w);
}

static int listen_on(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4096) < 0) {
		perror("llm-server: bind/listen");
		exit(1);
	}
	return fd;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[256];
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->lfd, &ev);
	ev.data.ptr = &w->tfd;
	epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->tfd, &ev);
	for (;;) {
		int n = epoll_wait(w->epfd, evs, 256, -1);
		for (int i = 0; i < n; i++) {
			if (!evs[i].data.ptr) {
				int fd;
				while ((fd = accept4(w->lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					int one = 1;
					struct conn *c = xcalloc(1, sizeof(*c));
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					c->fd = fd;
					strbuf_init(&c->in, 0);
					strbuf_init(&c->out, 0);
					struct epoll_event cev = { .events = EPOLLIN,
								   .data.ptr = c };
					epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &cev);
				}
			} else if (evs[i].data.ptr == &w->tfd) {
				uint64_t ticks;
				if (read(w->tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
					perror("llm-server: timerfd");
				run_timers(w);
			} else {
				struct conn *c = evs[i].data.ptr;
				if (evs[i].events & EPOLLOUT) {
					if (flush(w, c) < 0)
						continue;
				}
				if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
					on_readable(w, c);
			}
		}
	}
	return NULL;
}

static uint64_t ms_to_ns(const char *s)
{
	return (uint64_t)(strtod(s, NULL) * 1e6);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "port-file", required_argument, NULL, 'P' },
		{ "threads", required_argument, NULL, 't' },
		{ "ttft-ms", required_argument, NULL, 'f' },
		{ "itl-ms", required_argument, NULL, 'i' },
		{ "tokens", required_argument, NULL, 'n' },
		{ "fail-every", required_argument, NULL, 'e' },
		{ "fail-status", required_argument, NULL, 's' },
		{ "cut-every", required_argument, NULL, 'x' },
		{ "cut-after", required_argument, NULL, 'k' },
		{ "no-usage", no_argument, NULL, 'u' },
		{ "models", required_argument, NULL, 'm' },
		{ "pull-ms", required_argument, NULL, 'l' },
		{ "garbage-every", required_argument, NULL, 'g' },
		{ "api-key", required_argument, NULL, 'a' },
		{ 0 },
	};
	const char *model_list = "llama3,test";
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			opt.port = atoi(optarg);
			break;
		case 'P':
			opt.port_file = optarg;
			break;
		case 't':
			opt.threads = (unsigned)atoi(optarg);
			break;
		case 'f':
			opt.ttft_ns = ms_to_ns(optarg);
			break;
		case 'i':
			opt.itl_ns = ms_to_ns(optarg);
			break;
		case 'n':
			opt.tokens = strtoull(optarg, NULL, 10);
			break;
		case 'e':
			opt.fail_every = strtoull(optarg, NULL, 10);
			break;
		case 's':
			opt.fail_status = atoi(optarg);
			break;
		case 'x':
			opt.cut_every = strtoull(optarg, NULL, 10);
			break;
		case 'k':
			opt.cut_after = strtoull(optarg, NULL, 10);
			break;
		case 'u':
			opt.no_usage = true;
			break;
		case 'm':
			model_list = optarg;
			break;
		case 'l':
			opt.pull_ns = ms_to_ns(optarg);
			break;
		case 'a':
			opt.api_key = optarg;
			break;
		case 'g':
			opt.garbage_every = strtoull(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr,
				"usage: llm-server [--port P] [--port-file F] [--threads N] "
				"[--ttft-ms X] [--itl-ms X] [--tokens N] [--fail-every N] "
				"[--fail-status S] [--cut-every N --cut-after K] [--no-usage] "
				"[--models a,b] [--pull-ms X] [--garbage-every N] [--api-key K]\n");
			return 2;
		}
	}
	if (!opt.threads || opt.threads > 64 || (opt.tokens == 0)) {
		fprintf(stderr, "llm-server: --threads 1..64, --tokens >= 1\n");
		return 2;
	}
	seen = xcalloc(SEEN_SLOTS, sizeof(*seen));
	char *list = xstrdup(model_list);
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ","))
		model_add(tok);
	free(list);
	signal(SIGPIPE, SIG_IGN);

	struct worker *ws = xcalloc(opt.threads, sizeof(*ws));
	int port = opt.port;
	for (unsigned i = 0; i < opt.threads; i++) {
		ws[i].lfd = listen_on(port);
		if (!port) {
			struct sockaddr_in a;
			socklen_t al = sizeof(a);
			getsockname(ws[i].lfd, (struct sockaddr *)&a, &al);
			port = ntohs(a.sin_port);
		}
		ws[i].epfd = epoll_create1(0);
		ws[i].tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	}
	if (opt.port_file) {
		char buf[16];
		struct strbuf err = STRBUF_INIT;
		int n = snprintf(buf, sizeof(buf), "%d\n", port);
		if (write_file_atomic(opt.port_file, buf, (size_t)n, 0644, &err) < 0) {
			fprintf(stderr, "llm-server: %s\n", err.buf);
			return 1;
		}
		strbuf_release(&err);
	} else {
		printf("%d\n", port);
		fflush(stdout);
	}
	for (unsigned i = 1; i < opt.threads; i++) {
		pthread_t t;
		pthread_create(&t, NULL, worker_main, &ws[i]);
	}
	worker_main(&ws[0]);
	return 0;
}
