/*
 * Model readiness before the clock starts.
 *
 * Ollama: wait until GET /api/tags answers; if the model is not listed, pull it
 * (POST /api/pull, progress streamed as NDJSON and logged), then check that it answers
 * one tiny generation, so that the first measured request does not pay for loading it.
 * OpenAI-compatible servers: wait until GET /v1/models answers; take the first model
 * when --model is not given, refuse a model the server does not serve.
 */
#include <jansson.h>
#include <string.h>

#include "common/error.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "load/http/http-client.h"
#include "common/jscan.h"
#include "load/llm/llm-cfg.h"
#include "load/http/stream.h"

/*
 * Says once on stderr, after the first second, what the wait is for: a port where
 * nothing listens (connection refused) reads differently from a server that accepts
 * and has not answered yet (still loading a model). On a terminal, progress every 5 s.
 */
static void wait_note(const struct llm_cfg *cfg, const char *path, const char *why,
		      uint64_t waited_ns, int *said, int *last_refused)
{
	int refused = strstr(why, "refused") != NULL;
	unsigned waited = (unsigned)(waited_ns / 1000000000ull);
	unsigned limit = (unsigned)(cfg->ready_timeout_ms / 1000);
	if (waited_ns < 1000000000ull)
		return;
	if (!*said || refused != *last_refused) {
		if (refused)
			log_notice("waiting for %s: nothing listens there yet (%s); trying GET %s "
				   "every 0.5 s for up to %u s (--ready-timeout)",
				   cfg->target, why, path, limit);
		else
			log_notice("waiting for %s: it accepts connections but has not answered "
				   "GET %s yet (%s; a server loading its model does this); up to "
				   "%u s (--ready-timeout)",
				   cfg->target, path, why, limit);
		*said = 1;
		*last_refused = refused;
		return;
	}
	if (log_stderr_is_tty() && waited / 5 != (unsigned)(*said / 5)) {
		log_info("still waiting for %s: %u s of %u", cfg->target, waited, limit);
		*said = (int)waited;
	}
}

/* GET path until it answers (any status) or the ready timeout passes. */
static int wait_ready(struct llm_cfg *cfg, const char *path, struct strbuf *body, int *status,
		      struct strbuf *err)
{
	uint64_t start = mono_ns(), deadline = start + cfg->ready_timeout_ms * 1000000ull;
	struct strbuf last = STRBUF_INIT;
	int said = 0, last_refused = 0;
	for (;;) {
		uint64_t now = mono_ns(), left_ms = now < deadline ? (deadline - now) / 1000000 : 0;
		unsigned try_ms = said ? 10000 : 1000;
		struct http_exchange x = { .method = "GET",
					   .path = path,
					   .headers = &cfg->headers,
					   /* The first try short: a wait longer than a
					    * second must say what it waits for. */
					   .timeout_ms =
					       left_ms < try_ms ? (unsigned)left_ms + 100 : try_ms,
					   .body_out = body };
		strbuf_reset(body);
		strbuf_reset(&last);
		if (!http_exchange(&cfg->url, &x, &last)) {
			*status = x.status;
			strbuf_release(&last);
			return 0;
		}
		if (mono_ns() >= deadline) {
			error(err, "%s not ready after %llu s: %s%s", cfg->target,
			      (unsigned long long)(cfg->ready_timeout_ms / 1000), last.buf,
			      strstr(last.buf, "refused")
				  ? " (nothing listens on that port: is the "
				    "server running, and the port right?)"
				  : "");
			strbuf_release(&last);
			return -1;
		}
		wait_note(cfg, path, last.buf, mono_ns() - start, &said, &last_refused);
		sleep_us(500000);
	}
}

/* Does Ollama's tag list name model ("llama3" matches "llama3:latest")? */
static bool ollama_has(json_t *tags, const char *model)
{
	json_t *list = json_object_get(tags, "models"), *m;
	size_t i, n = strlen(model);
	json_array_foreach(list, i, m)
	{
		const char *name = json_string_value(json_object_get(m, "name"));
		if (!name)
			name = json_string_value(json_object_get(m, "model"));
		if (!name)
			continue;
		if (!strcmp(name, model) || (!strchr(model, ':') && !strncmp(name, model, n) &&
					     !strcmp(name + n, ":latest")))
			return true;
	}
	return false;
}

struct pull_state {
	struct stream_parser sp;
	bool success;
	char error[256];
	uint64_t last_log_ns;
};

static void pull_value(void *ctx, const struct jscan_value *v)
{
	struct pull_state *ps = ctx;
	if (!strcmp(v->path, "status") && v->type == JSCAN_STRING && v->len == 7 &&
	    !memcmp(v->val, "success", 7))
		ps->success = true;
	else if (!strcmp(v->path, "error") && v->type == JSCAN_STRING)
		snprintf(ps->error, sizeof(ps->error), "%.*s", (int)v->len, v->val);
}

static int pull_line(void *ctx, const char *msg, size_t len, uint64_t ts)
{
	struct pull_state *ps = ctx;
	if (jscan(msg, len, pull_value, ps) < 0)
		return -1;
	if (ts - ps->last_log_ns > 5000000000ull) {
		log_info("pull: %.*s", (int)(len < 200 ? len : 200), msg);
		ps->last_log_ns = ts;
	}
	return 0;
}

static int pull_body(void *ctx, const char *data, size_t len, uint64_t ts)
{
	struct pull_state *ps = ctx;
	return stream_feed(&ps->sp, data, len, ts);
}

static int ollama_pull(struct llm_cfg *cfg, struct strbuf *err)
{
	struct pull_state ps = { .last_log_ns = 0 };
	struct strbuf body = STRBUF_INIT;
	int ret = -1;

	stream_init(&ps.sp, STREAM_NDJSON, pull_line, &ps);
	strbuf_addstr(&body, "{\"model\":");
	json_escape(&body, cfg->model, strlen(cfg->model));
	strbuf_addstr(&body, ",\"stream\":true}");
	struct http_exchange x = { .method = "POST",
				   .path = "/api/pull",
				   .headers = &cfg->headers,
				   .body = body.buf,
				   .timeout_ms = cfg->pull_timeout_ms,
				   .on_body = pull_body,
				   .ctx = &ps };
	log_info("pulling model '%s' on %s", cfg->model, cfg->target);
	if (http_exchange(&cfg->url, &x, err) < 0)
		goto out;
	stream_finish(&ps.sp, mono_ns());
	if (x.status != 200 || ps.error[0] || !ps.success) {
		error(err, "pulling model '%s' failed: %s", cfg->model,
		      ps.error[0]	? ps.error
		      : x.status != 200 ? "http error"
					: "no success status");
		goto out;
	}
	ret = 0;
out:
	stream_release(&ps.sp);
	strbuf_release(&body);
	return ret;
}

/* One tiny non-streamed generation: the model loads now, not in the first request. */
static int ollama_check(struct llm_cfg *cfg, struct strbuf *err)
{
	struct strbuf body = STRBUF_INIT, reply = STRBUF_INIT;
	int ret = 0;
	strbuf_addstr(&body, "{\"model\":");
	json_escape(&body, cfg->model, strlen(cfg->model));
	strbuf_addstr(&body,
		      ",\"prompt\":\"hello\",\"stream\":false,\"options\":{\"num_predict\":1}}");
	struct http_exchange x = { .method = "POST",
				   .path = "/api/generate",
				   .headers = &cfg->headers,
				   .body = body.buf,
				   .timeout_ms = cfg->pull_timeout_ms,
				   .body_out = &reply };
	if (http_exchange(&cfg->url, &x, err) < 0)
		ret = -1;
	else if (x.status != 200)
		ret = error(err, "model '%s' does not answer: http %d: %.200s", cfg->model,
			    x.status, reply.buf);
	strbuf_release(&body);
	strbuf_release(&reply);
	return ret;
}

static int prepare_ollama(struct llm_cfg *cfg, struct strbuf *err)
{
	struct strbuf body = STRBUF_INIT;
	json_t *tags = NULL;
	int status, ret = -1;

	if (wait_ready(cfg, "/api/tags", &body, &status, err) < 0)
		goto out;
	tags = status == 200 ? json_loads(body.buf, 0, NULL) : NULL;
	if (!tags) {
		error(err, "%s/api/tags: http %d, not an ollama tag list", cfg->target, status);
		goto out;
	}
	if (!ollama_has(tags, cfg->model)) {
		if (!cfg->pull) {
			error(err, "model '%s' is not on %s and --no-pull was given", cfg->model,
			      cfg->target);
			goto out;
		}
		if (ollama_pull(cfg, err) < 0)
			goto out;
	}
	ret = ollama_check(cfg, err);
out:
	json_decref(tags);
	strbuf_release(&body);
	return ret;
}

static int prepare_openai(struct llm_cfg *cfg, struct strbuf *err)
{
	struct strbuf body = STRBUF_INIT, names = STRBUF_INIT;
	json_t *j = NULL, *m;
	size_t i;
	int status, ret = -1;
	bool found = false;

	if (wait_ready(cfg, "/v1/models", &body, &status, err) < 0)
		goto out;
	j = status == 200 ? json_loads(body.buf, 0, NULL) : NULL;
	if (!j) {
		/* Some servers have no model list; the first request will tell. */
		ret = 0;
		goto out;
	}
	json_array_foreach(json_object_get(j, "data"), i, m)
	{
		const char *id = json_string_value(json_object_get(m, "id"));
		if (!id)
			continue;
		strbuf_addf(&names, "%s%s", names.len ? ", " : "", id);
		if (!cfg->model) {
			cfg->model = xstrdup(id);
			log_info("model: %s (the first that %s/v1/models lists)", id, cfg->target);
		}
		found |= !strcmp(id, cfg->model);
	}
	if (names.len && !found) {
		error(err, "model '%s' is not served by %s (it serves: %s)", cfg->model,
		      cfg->target, names.buf);
		goto out;
	}
	ret = 0;
out:
	json_decref(j);
	strbuf_release(&body);
	strbuf_release(&names);
	return ret;
}

int llm_prepare(struct llm_cfg *cfg, struct strbuf *err)
{
	if (cfg->api == LLM_API_OLLAMA || cfg->api == LLM_API_OLLAMA_CHAT)
		return prepare_ollama(cfg, err);
	return prepare_openai(cfg, err);
}
