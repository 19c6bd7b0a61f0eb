/* LLM wire formats: request bodies and streamed chunks. See llm-api.h. */
#include <string.h>

#include "common/error.h"
#include "common/jsonw.h"
#include "common/jscan.h"
#include "load/llm/llm-api.h"

static const struct {
	const char *name, *path;
} apis[] = {
	[LLM_API_OLLAMA] = { "ollama", "/api/generate" },
	[LLM_API_OLLAMA_CHAT] = { "ollama-chat", "/api/chat" },
	[LLM_API_OPENAI_CHAT] = { "openai-chat", "/v1/chat/completions" },
	[LLM_API_OPENAI_COMPLETIONS] = { "openai-completions", "/v1/completions" },
};

int llm_api_parse(const char *name, enum llm_api *out)
{
	for (size_t i = 0; i < sizeof(apis) / sizeof(apis[0]); i++) {
		if (!strcmp(name, apis[i].name)) {
			*out = (enum llm_api)i;
			return 0;
		}
	}
	return -1;
}

const char *llm_api_name(enum llm_api api)
{
	return apis[api].name;
}

const char *llm_api_path(enum llm_api api)
{
	return apis[api].path;
}

enum stream_format llm_api_stream_format(enum llm_api api)
{
	return api == LLM_API_OLLAMA || api == LLM_API_OLLAMA_CHAT ? STREAM_NDJSON : STREAM_SSE;
}

bool llm_api_is_chat(enum llm_api api)
{
	return api == LLM_API_OLLAMA_CHAT || api == LLM_API_OPENAI_CHAT;
}

static void ignore_value(void *ctx, const struct jscan_value *v)
{
	(void)ctx, (void)v;
}

/* The members of a JSON object's text, without its braces; -1 if not an object. */
static int object_members(const char *json, const char **members, size_t *len)
{
	size_t n = strlen(json);
	const char *b = json, *e = json + n;
	if (jscan(json, n, ignore_value, NULL) < 0)
		return -1;
	while (b < e && strchr(" \t\r\n", *b))
		b++;
	while (e > b && strchr(" \t\r\n", e[-1]))
		e--;
	if (e - b < 2 || *b != '{' || e[-1] != '}')
		return -1;
	b++, e--;
	while (b < e && strchr(" \t\r\n", *b))
		b++;
	*members = b;
	*len = (size_t)(e - b);
	return 0;
}

int llm_encode_body(struct strbuf *out, enum llm_api api, const struct llm_request_opts *o,
		    const struct llm_prompt *p, struct strbuf *err)
{
	struct jsonw w;
	uint64_t max_tokens = p->max_tokens ? p->max_tokens : o->max_tokens;
	bool ollama = api == LLM_API_OLLAMA || api == LLM_API_OLLAMA_CHAT;
	const char *extra = NULL;
	size_t extra_len = 0;

	if (o->extra_body && object_members(o->extra_body, &extra, &extra_len) < 0)
		return error(err, "extra body is not a json object: %s", o->extra_body);
	if (p->messages_json && !llm_api_is_chat(api))
		return error(err, "a prompt given as messages needs a chat api, not '%s'",
			     llm_api_name(api));

	jsonw_init(&w, out, 0);
	jsonw_obj_open(&w, NULL);
	jsonw_str(&w, "model", o->model);
	if (llm_api_is_chat(api)) {
		if (p->messages_json) {
			jsonw_raw(&w, "messages", p->messages_json);
		} else {
			jsonw_arr_open(&w, "messages");
			jsonw_obj_open(&w, NULL);
			jsonw_str(&w, "role", "user");
			jsonw_strn(&w, "content", p->text, p->text_len);
			jsonw_close(&w);
			jsonw_close(&w);
		}
	} else {
		jsonw_strn(&w, "prompt", p->text, p->text_len);
	}
	jsonw_bool(&w, "stream", o->stream);
	if (ollama) {
		if (max_tokens || o->temperature >= 0) {
			jsonw_obj_open(&w, "options");
			if (max_tokens)
				jsonw_u64(&w, "num_predict", max_tokens);
			if (o->temperature >= 0)
				jsonw_double(&w, "temperature", o->temperature, -1);
			jsonw_close(&w);
		}
	} else {
		if (max_tokens)
			jsonw_u64(&w, "max_tokens", max_tokens);
		if (o->temperature >= 0)
			jsonw_double(&w, "temperature", o->temperature, -1);
		if (o->ignore_eos)
			jsonw_bool(&w, "ignore_eos", true);
		if (o->stream) {
			jsonw_obj_open(&w, "stream_options");
			jsonw_bool(&w, "include_usage", true);
			jsonw_close(&w);
		}
	}
	jsonw_close(&w);
	/* Reopen the object so that the extra members go inside it. */
	strbuf_setlen(out, out->len - 1);
	if (extra_len) {
		strbuf_addch(out, ',');
		strbuf_add(out, extra, extra_len);
	}
	strbuf_addch(out, '}');
	return 0;
}

struct decode {
	enum llm_api api;
	struct llm_chunk *c;
	bool bad_number;
};

/* Length first: most paths of a chunk are rejected without touching their bytes. */
static inline bool path_is(const struct jscan_value *v, const char *want)
{
	size_t n = __builtin_strlen(want);
	return v->path_len == n && !v->truncated && !memcmp(v->path, want, n);
}

static void take_u64(struct decode *d, const struct jscan_value *v, uint64_t *out, bool *has)
{
	if (v->type != JSCAN_NUMBER || jscan_u64(v->val, v->len, out) < 0) {
		d->bad_number = v->type != JSCAN_NULL;
		return;
	}
	if (has)
		*has = true;
}

static void text_delta(struct llm_chunk *c, const struct jscan_value *v)
{
	if (v->type == JSCAN_STRING && v->len) {
		c->content = true;
		c->content_chars += v->escaped ? jscan_strlen(v->val, v->len) : v->len;
	}
}

static void decode_ollama(struct decode *d, const struct jscan_value *v)
{
	struct llm_chunk *c = d->c;
	const char *p = v->path;
	switch (p[0]) {
	case 'r':
		if (path_is(v, "response"))
			text_delta(c, v);
		break;
	case 'm':
		if (path_is(v, "message.content") || path_is(v, "message.thinking"))
			text_delta(c, v);
		break;
	case 't':
		if (path_is(v, "thinking"))
			text_delta(c, v);
		else if (path_is(v, "total_duration"))
			take_u64(d, v, &c->total_ns, &c->has_server_timings);
		break;
	case 'd':
		if (path_is(v, "done"))
			c->done = v->type == JSCAN_TRUE;
		else if (path_is(v, "done_reason") && v->type == JSCAN_STRING)
			c->finished = true;
		break;
	case 'e':
		if (path_is(v, "eval_count"))
			take_u64(d, v, &c->output_tokens, &c->has_output_tokens);
		else if (path_is(v, "eval_duration"))
			take_u64(d, v, &c->eval_ns, NULL);
		else if (path_is(v, "error"))
			c->error = true;
		break;
	case 'p':
		if (path_is(v, "prompt_eval_count"))
			take_u64(d, v, &c->prompt_tokens, &c->has_prompt_tokens);
		else if (path_is(v, "prompt_eval_duration"))
			take_u64(d, v, &c->prompt_eval_ns, NULL);
		break;
	case 'l':
		if (path_is(v, "load_duration"))
			take_u64(d, v, &c->load_ns, NULL);
		break;
	default:
		break;
	}
}

static void decode_openai(struct decode *d, const struct jscan_value *v)
{
	struct llm_chunk *c = d->c;
	const char *p = v->path;
	if (p[0] == 'c') {
		if (path_is(v, "choices.0.delta.content") || path_is(v, "choices.0.text") ||
		    path_is(v, "choices.0.delta.reasoning_content") ||
		    path_is(v, "choices.0.delta.reasoning") ||
		    path_is(v, "choices.0.message.content"))
			text_delta(c, v);
		else if (path_is(v, "choices.0.finish_reason") && v->type == JSCAN_STRING)
			c->finished = true;
	} else if (p[0] == 'u') {
		if (path_is(v, "usage.prompt_tokens"))
			take_u64(d, v, &c->prompt_tokens, &c->has_prompt_tokens);
		else if (path_is(v, "usage.completion_tokens"))
			take_u64(d, v, &c->output_tokens, &c->has_output_tokens);
	} else if (p[0] == 'e' &&
		   (path_is(v, "error") || (v->path_len > 6 && !memcmp(p, "error.", 6)))) {
		c->error = true;
	} else if (p[0] == 'o' && path_is(v, "object") && v->len == 5 &&
		   !memcmp(v->val, "error", 5)) {
		c->error = true; /* vLLM's {"object":"error","message":...} */
	}
}

static void decode_value(void *ctx, const struct jscan_value *v)
{
	struct decode *d = ctx;
	if (!v->path_len)
		return;
	if (d->api == LLM_API_OLLAMA || d->api == LLM_API_OLLAMA_CHAT)
		decode_ollama(d, v);
	else
		decode_openai(d, v);
}

int llm_decode_chunk(enum llm_api api, const char *msg, size_t len, struct llm_chunk *c)
{
	struct decode d = { .api = api, .c = c };
	memset(c, 0, sizeof(*c));
	if (len == 6 && !memcmp(msg, "[DONE]", 6)) {
		c->done = true;
		return 0;
	}
	if (jscan(msg, len, decode_value, &d) < 0 || d.bad_number)
		return -1;
	return 0;
}
