/* Chroma replies on the load path: see chroma-reply.h. */
#include <string.h>

#include "common/jscan.h"
#include "load/chroma/chroma-reply.h"

static int collect(void *ctx, const char *data, size_t len, uint64_t ts_ns)
{
	struct strbuf *sb = ctx;
	(void)ts_ns;
	if (sb->len + len > CHROMA_MAX_BODY)
		return -1;
	strbuf_add(sb, data, len);
	return 0;
}

void chroma_reply_init(struct chroma_reply *r)
{
	http_parser_init(&r->parser, 0);
	strbuf_init(&r->body, 0);
	r->parser.on_body = collect;
	r->parser.body_ctx = &r->body;
}

void chroma_reply_reset(struct chroma_reply *r)
{
	http_parser_reset(&r->parser);
	strbuf_reset(&r->body);
}

void chroma_reply_release(struct chroma_reply *r)
{
	http_parser_release(&r->parser);
	strbuf_release(&r->body);
}

int chroma_reply_feed(struct chroma_reply *r, const char *data, size_t len, uint64_t now_ns,
		      size_t *used)
{
	return http_parse(&r->parser, data, len, now_ns, used);
}

struct scan_ctx {
	const uint32_t *truth;
	unsigned k, hits, returned;
	int have_ids;
};

/* Paths "ids" (the list) and "ids.0.N" (the ids of the first query's results). */
static void on_value(void *ctx, const struct jscan_value *v)
{
	struct scan_ctx *s = ctx;
	uint64_t id = 0;
	size_t i;

	if (v->truncated || v->path_len < 3 || memcmp(v->path, "ids", 3))
		return;
	if (v->path_len == 3) {
		s->have_ids = v->type == JSCAN_ARRAY;
		return;
	}
	if (v->type != JSCAN_STRING || v->path_len < 7 || memcmp(v->path, "ids.0.", 6))
		return;
	s->returned++;
	if (!s->truth || !v->len || v->len > 10)
		return;
	for (i = 0; i < v->len; i++) {
		if (v->val[i] < '0' || v->val[i] > '9')
			return; /* not one of ours: never a hit */
		id = id * 10 + (uint64_t)(v->val[i] - '0');
	}
	for (i = 0; i < s->k; i++)
		if (s->truth[i] == id) {
			s->hits++;
			return;
		}
}

int chroma_scan_query(const char *body, size_t len, const uint32_t *truth, unsigned k,
		      unsigned *hits, unsigned *returned)
{
	struct scan_ctx s = { .truth = truth, .k = k };
	if (jscan(body, len, on_value, &s) < 0 || !s.have_ids)
		return -1;
	*hits = s.hits;
	*returned = s.returned;
	return 0;
}

struct err_ctx {
	const char *kind, *msg;
	size_t kind_len, msg_len;
};

static void on_error_value(void *ctx, const struct jscan_value *v)
{
	struct err_ctx *e = ctx;
	if (v->type != JSCAN_STRING)
		return;
	if (!strcmp(v->path, "error")) {
		e->kind = v->val;
		e->kind_len = v->len;
	} else if (!strcmp(v->path, "message")) {
		e->msg = v->val;
		e->msg_len = v->len;
	}
}

void chroma_error_text(const char *body, size_t len, struct strbuf *out, size_t max)
{
	struct err_ctx e = { 0 };
	size_t start = out->len;
	if (jscan(body, len, on_error_value, &e) == 0 && (e.kind || e.msg)) {
		if (e.kind)
			strbuf_add(out, e.kind, e.kind_len);
		if (e.kind && e.msg)
			strbuf_addstr(out, ": ");
		if (e.msg)
			strbuf_add(out, e.msg, e.msg_len);
	} else {
		strbuf_add(out, body, len < max ? len : max);
	}
	if (out->len - start > max)
		strbuf_setlen(out, start + max);
	/* One line: the text goes into summaries and result files. */
	for (size_t i = start; i < out->len; i++)
		if (out->buf[i] == '\n' || out->buf[i] == '\r')
			out->buf[i] = ' ';
}
