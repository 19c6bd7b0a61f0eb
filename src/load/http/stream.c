/* SSE and NDJSON framing of streamed bodies: see stream.h. */
#include <string.h>

#include "load/http/stream.h"

void stream_init(struct stream_parser *s, enum stream_format format, stream_msg_fn on_msg,
		 void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->format = format;
	s->max_msg = STREAM_DEFAULT_MAX_MSG;
	s->on_msg = on_msg;
	s->ctx = ctx;
	strbuf_init(&s->line, 0);
	strbuf_init(&s->data, 0);
}

void stream_reset(struct stream_parser *s)
{
	strbuf_reset(&s->line);
	strbuf_reset(&s->data);
	s->inplace = NULL;
	s->inplace_len = 0;
	s->has_data = false;
	s->skip_lf = false;
	s->error = NULL;
}

void stream_release(struct stream_parser *s)
{
	strbuf_release(&s->line);
	strbuf_release(&s->data);
}

static int fail(struct stream_parser *s, const char *why)
{
	s->error = why;
	return -1;
}

static int dispatch(struct stream_parser *s, const char *data, size_t len, uint64_t ts_ns)
{
	s->messages++;
	if (s->on_msg(s->ctx, data, len, ts_ns) < 0)
		return fail(s, "message rejected");
	return 0;
}

static bool blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return false;
	return true;
}

/* Moves an in-place data line into the event's own buffer (before its source goes away). */
static void sse_save_inplace(struct stream_parser *s)
{
	if (s->inplace) {
		strbuf_add(&s->data, s->inplace, s->inplace_len);
		s->inplace = NULL;
	}
}

/* One complete SSE line; in_caller says whether line points into the caller's buffer. */
static int sse_line(struct stream_parser *s, const char *line, size_t n, bool in_caller,
		    uint64_t ts_ns)
{
	if (n == 0) {
		int r = 0;
		if (s->has_data) {
			if (s->inplace)
				r = dispatch(s, s->inplace, s->inplace_len, ts_ns);
			else
				r = dispatch(s, s->data.buf, s->data.len, ts_ns);
		}
		s->inplace = NULL;
		s->has_data = false;
		strbuf_reset(&s->data);
		return r;
	}
	if (line[0] == ':')
		return 0; /* comment, e.g. a keep-alive ping */
	const char *colon = memchr(line, ':', n);
	size_t flen = colon ? (size_t)(colon - line) : n;
	if (flen != 4 || memcmp(line, "data", 4))
		return 0; /* event, id, retry and unknown fields do not matter here */
	const char *v = colon ? colon + 1 : line + n;
	size_t vlen = (size_t)(line + n - v);
	if (vlen && *v == ' ')
		v++, vlen--;
	if (!s->has_data && in_caller) {
		s->inplace = v;
		s->inplace_len = vlen;
		s->has_data = true;
		return 0;
	}
	sse_save_inplace(s);
	if (s->has_data)
		strbuf_addch(&s->data, '\n');
	if (s->data.len + vlen > s->max_msg)
		return fail(s, "event over the size cap");
	strbuf_add(&s->data, v, vlen);
	s->has_data = true;
	return 0;
}

static int on_line(struct stream_parser *s, const char *line, size_t n, bool in_caller,
		   uint64_t ts_ns)
{
	if (s->format == STREAM_SSE)
		return sse_line(s, line, n, in_caller, ts_ns);
	if (blank(line, n))
		return 0;
	return dispatch(s, line, n, ts_ns);
}

int stream_feed(struct stream_parser *s, const char *buf, size_t len, uint64_t ts_ns)
{
	const char *p = buf, *end = buf + len;
	int r = 0;

	if (s->skip_lf && p < end) {
		s->skip_lf = false;
		if (*p == '\n')
			p++;
	}
	while (p < end && !r) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		/* A lone CR also ends a line (SSE); NDJSON never has one outside strings. */
		const char *cr =
		    s->format == STREAM_SSE ? memchr(p, '\r', (size_t)(stop - p)) : NULL;
		const char *eol = cr ? cr : nl;
		if (!eol) {
			if (s->line.len + (size_t)(end - p) > s->max_msg)
				return fail(s, "message over the size cap");
			strbuf_add(&s->line, p, (size_t)(end - p));
			break;
		}
		const char *next = eol + 1;
		if (eol == cr) {
			if (next < end && *next == '\n')
				next++;
			else if (next == end)
				s->skip_lf = true;
		}
		size_t n = (size_t)(eol - p);
		if (s->format == STREAM_NDJSON && n && p[n - 1] == '\r')
			n--;
		if (s->line.len) {
			if (s->line.len + n > s->max_msg)
				return fail(s, "message over the size cap");
			strbuf_add(&s->line, p, n);
			if (s->format == STREAM_NDJSON && s->line.len &&
			    s->line.buf[s->line.len - 1] == '\r')
				strbuf_setlen(&s->line, s->line.len - 1);
			r = on_line(s, s->line.buf, s->line.len, false, ts_ns);
			strbuf_reset(&s->line);
		} else {
			if (n > s->max_msg)
				return fail(s, "message over the size cap");
			r = on_line(s, p, n, true, ts_ns);
		}
		p = next;
	}
	if (s->inplace) {
		if (s->data.len + s->inplace_len > s->max_msg)
			return fail(s, "event over the size cap");
		sse_save_inplace(s);
	}
	return r;
}

int stream_finish(struct stream_parser *s, uint64_t ts_ns)
{
	int r = 0;
	if (s->format == STREAM_NDJSON && s->line.len && !blank(s->line.buf, s->line.len))
		r = dispatch(s, s->line.buf, s->line.len, ts_ns);
	strbuf_reset(&s->line);
	strbuf_reset(&s->data);
	s->inplace = NULL;
	s->has_data = false;
	s->skip_lf = false;
	return r;
}
