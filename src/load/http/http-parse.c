/* Incremental HTTP/1.1 response parser: see http-parse.h. */
#include <string.h>

#include "load/http/http-parse.h"

static const char http_prefix[] = "HTTP/1.";

void http_parser_init(struct http_parser *p, unsigned flags)
{
	(void)flags;
	memset(p, 0, sizeof(*p));
	strbuf_init(&p->line, 0);
	p->max_header = HTTP_DEFAULT_MAX_HEADER;
	p->max_body = HTTP_DEFAULT_MAX_BODY;
	http_parser_reset(p);
}

void http_parser_reset(struct http_parser *p)
{
	p->status = 0;
	p->minor_version = 0;
	p->keep_alive = false;
	p->chunked = false;
	p->has_length = false;
	p->content_length = 0;
	p->body_bytes = 0;
	p->header_bytes = 0;
	p->error = NULL;
	p->state = HS_STATUS;
	p->body_left = 0;
	p->interim = 0;
	p->crlf_cr = false;
	strbuf_reset(&p->line);
}

void http_parser_release(struct http_parser *p)
{
	strbuf_release(&p->line);
}

bool http_parser_busy(const struct http_parser *p)
{
	return p->state != HS_DONE &&
	       (p->state != HS_STATUS || p->header_bytes > 0 || p->interim > 0);
}

static int fail(struct http_parser *p, const char *why)
{
	p->error = why;
	return HTTP_PARSE_ERROR;
}

/*
 * Takes one line starting at buf[*pos]. Returns 1 with *line and *n set (CR/LF stripped;
 * valid until the next call), 0 if the line is incomplete (its bytes were saved), -1 if
 * the line would exceed cap bytes.
 */
static int take_line(struct http_parser *p, const char *buf, size_t len, size_t *pos, size_t cap,
		     const char **line, size_t *n)
{
	const char *start = buf + *pos;
	size_t avail = len - *pos;
	const char *nl = memchr(start, '\n', avail);

	if (!nl) {
		if (p->line.len + avail > cap)
			return -1;
		strbuf_add(&p->line, start, avail);
		*pos = len;
		return 0;
	}
	size_t part = (size_t)(nl - start);
	*pos += part + 1;
	if (p->line.len) {
		if (p->line.len + part > cap)
			return -1;
		strbuf_add(&p->line, start, part);
		*line = p->line.buf;
		*n = p->line.len;
	} else {
		if (part > cap)
			return -1;
		*line = start;
		*n = part;
	}
	if (*n && (*line)[*n - 1] == '\r')
		(*n)--;
	return 1;
}

static bool ieq(const char *a, size_t n, const char *lit)
{
	return strlen(lit) == n && !strncasecmp(a, lit, n);
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* "HTTP/1.x SSS[ reason]" */
static int parse_status(struct http_parser *p, const char *s, size_t n)
{
	if (n < 12 || memcmp(s, http_prefix, 7) || (s[7] != '0' && s[7] != '1') || s[8] != ' ')
		return fail(p, "malformed status line");
	for (int i = 9; i < 12; i++)
		if (s[i] < '0' || s[i] > '9')
			return fail(p, "malformed status code");
	if (n > 12 && s[12] != ' ')
		return fail(p, "malformed status line");
	p->minor_version = s[7] - '0';
	p->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	if (p->status < 100)
		return fail(p, "malformed status code");
	p->keep_alive = p->minor_version >= 1;
	return 0;
}

/* Does the comma-separated token list v contain tok (case-insensitive)? */
static bool has_token(const char *v, size_t n, const char *tok)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && (is_ows(v[i]) || v[i] == ','))
			i++;
		size_t b = i;
		while (i < n && v[i] != ',')
			i++;
		size_t e = i;
		while (e > b && is_ows(v[e - 1]))
			e--;
		if (e > b && ieq(v + b, e - b, tok))
			return true;
	}
	return false;
}

/* Is tok the last token of the list v? (Transfer-Encoding: gzip, chunked) */
static bool last_token_is(const char *v, size_t n, const char *tok)
{
	size_t e = n;
	while (e > 0 && is_ows(v[e - 1]))
		e--;
	size_t b = e;
	while (b > 0 && v[b - 1] != ',')
		b--;
	while (b < e && is_ows(v[b]))
		b++;
	return e > b && ieq(v + b, e - b, tok);
}

static int parse_header(struct http_parser *p, const char *s, size_t n)
{
	if (is_ows(s[0]))
		return fail(p, "obsolete header line folding");
	const char *colon = memchr(s, ':', n);
	if (!colon || colon == s)
		return fail(p, "malformed header line");
	size_t klen = (size_t)(colon - s);
	if (is_ows(s[klen - 1]))
		return fail(p, "whitespace before header colon");
	const char *v = colon + 1;
	size_t vlen = n - klen - 1;
	while (vlen && is_ows(*v))
		v++, vlen--;
	while (vlen && is_ows(v[vlen - 1]))
		vlen--;

	if (ieq(s, klen, "content-length")) {
		uint64_t val = 0;
		if (!vlen)
			return fail(p, "empty content-length");
		for (size_t i = 0; i < vlen; i++) {
			if (v[i] < '0' || v[i] > '9')
				return fail(p, "malformed content-length");
			if (val > (UINT64_MAX - 9) / 10)
				return fail(p, "content-length too large");
			val = val * 10 + (uint64_t)(v[i] - '0');
		}
		if (p->has_length && p->content_length != val)
			return fail(p, "conflicting content-length headers");
		p->has_length = true;
		p->content_length = val;
	} else if (ieq(s, klen, "transfer-encoding")) {
		p->chunked = last_token_is(v, vlen, "chunked");
		if (!p->chunked)
			p->keep_alive = false; /* a body that only the close delimits */
	} else if (ieq(s, klen, "connection")) {
		if (has_token(v, vlen, "close"))
			p->keep_alive = false;
		else if (has_token(v, vlen, "keep-alive") && p->minor_version == 0)
			p->keep_alive = true;
	}
	return 0;
}

/* The empty line after the headers: decide how the body is delimited. */
static int end_of_headers(struct http_parser *p)
{
	if (p->status == 101)
		return fail(p, "unexpected protocol switch (101)");
	if (p->status < 200) {
		/* An interim response (100 Continue, 103 Early Hints): the real one follows. */
		uint32_t interim = p->interim + 1;
		http_parser_reset(p);
		p->interim = interim;
		return 0;
	}
	if (p->head_request || p->status == 204 || p->status == 304) {
		p->state = HS_DONE;
		return 0;
	}
	if (p->chunked) {
		p->has_length = false;
		p->state = HS_CHUNK_SIZE;
	} else if (p->has_length) {
		if (p->content_length > p->max_body)
			return fail(p, "response body over the size cap");
		p->body_left = p->content_length;
		p->state = p->body_left ? HS_BODY_LENGTH : HS_DONE;
	} else {
		p->keep_alive = false;
		p->state = HS_BODY_EOF;
	}
	return 0;
}

/* "1a2b[;ext]" */
static int parse_chunk_size(struct http_parser *p, const char *s, size_t n)
{
	uint64_t size = 0;
	size_t i = 0;
	for (; i < n; i++) {
		int d;
		char c = s[i];
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		if (i >= 15)
			return fail(p, "chunk size too large");
		size = size * 16 + (uint64_t)d;
	}
	if (i == 0)
		return fail(p, "malformed chunk size");
	while (i < n && is_ows(s[i]))
		i++;
	if (i < n && s[i] != ';')
		return fail(p, "malformed chunk size");
	if (size > p->max_body - p->body_bytes)
		return fail(p, "response body over the size cap");
	p->body_left = size;
	p->state = size ? HS_CHUNK_DATA : HS_TRAILER;
	return 0;
}

static int deliver(struct http_parser *p, const char *data, size_t n, uint64_t ts_ns)
{
	p->body_bytes += n;
	if (p->on_body && p->on_body(p->body_ctx, data, n, ts_ns) < 0)
		return fail(p, "body rejected");
	return 0;
}

/* While reading the status line, garbage is refused as soon as it cannot be "HTTP/1.". */
static bool status_prefix_ok(const struct http_parser *p, const char *s, size_t n)
{
	size_t have = p->line.len;
	for (size_t i = 0; have + i < 7 && i < n; i++)
		if (s[i] != http_prefix[have + i])
			return false;
	return true;
}

int http_parse(struct http_parser *p, const char *buf, size_t len, uint64_t ts_ns, size_t *used)
{
	size_t pos = 0;
	int r = HTTP_PARSE_MORE;

	while (pos < len && r == HTTP_PARSE_MORE) {
		const char *line = NULL;
		size_t n = 0, before = pos, take;
		int got;

		switch (p->state) {
		case HS_STATUS:
		case HS_HEADER:
			if (p->state == HS_STATUS && !status_prefix_ok(p, buf + pos, len - pos)) {
				r = fail(p, "not an http response");
				break;
			}
			got = take_line(p, buf, len, &pos, p->max_header, &line, &n);
			p->header_bytes += pos - before;
			if (got < 0 || p->header_bytes > p->max_header) {
				r = fail(p, "response headers over the size cap");
				break;
			}
			if (!got)
				break;
			if (p->state == HS_STATUS) {
				if (parse_status(p, line, n) < 0)
					r = HTTP_PARSE_ERROR;
				else
					p->state = HS_HEADER;
			} else if (n == 0) {
				if (end_of_headers(p) < 0)
					r = HTTP_PARSE_ERROR;
			} else if (parse_header(p, line, n) < 0) {
				r = HTTP_PARSE_ERROR;
			}
			strbuf_reset(&p->line);
			break;
		case HS_CHUNK_CRLF:
			/* Checked byte by byte so that garbage fails at once. */
			if (buf[pos] == '\r' && !p->crlf_cr) {
				p->crlf_cr = true;
			} else if (buf[pos] == '\n') {
				p->crlf_cr = false;
				p->state = HS_CHUNK_SIZE;
			} else {
				r = fail(p, "missing CRLF after chunk data");
			}
			pos++;
			break;
		case HS_CHUNK_SIZE:
		case HS_TRAILER:
			got = take_line(p, buf, len, &pos, p->max_header, &line, &n);
			if (got < 0) {
				r = fail(p, "chunk framing line over the size cap");
				break;
			}
			if (!got)
				break;
			if (p->state == HS_CHUNK_SIZE) {
				if (parse_chunk_size(p, line, n) < 0)
					r = HTTP_PARSE_ERROR;
			} else if (n == 0) {
				p->state = HS_DONE;
			}
			strbuf_reset(&p->line);
			break;
		case HS_BODY_LENGTH:
		case HS_CHUNK_DATA:
			take = len - pos;
			if (take > p->body_left)
				take = (size_t)p->body_left;
			if (deliver(p, buf + pos, take, ts_ns) < 0) {
				r = HTTP_PARSE_ERROR;
				break;
			}
			pos += take;
			p->body_left -= take;
			if (!p->body_left)
				p->state = p->state == HS_CHUNK_DATA ? HS_CHUNK_CRLF : HS_DONE;
			break;
		case HS_BODY_EOF:
			take = len - pos;
			if (take > p->max_body - p->body_bytes) {
				r = fail(p, "response body over the size cap");
				break;
			}
			if (deliver(p, buf + pos, take, ts_ns) < 0) {
				r = HTTP_PARSE_ERROR;
				break;
			}
			pos += take;
			break;
		case HS_DONE:
			r = HTTP_PARSE_DONE;
			break;
		}
		if (p->state == HS_DONE && r == HTTP_PARSE_MORE)
			r = HTTP_PARSE_DONE;
	}
	if (r == HTTP_PARSE_MORE && p->state == HS_DONE)
		r = HTTP_PARSE_DONE;
	*used = pos;
	return r;
}

int http_parse_eof(struct http_parser *p)
{
	if (p->state == HS_BODY_EOF) {
		p->state = HS_DONE;
		return HTTP_PARSE_DONE;
	}
	if (p->state == HS_DONE)
		return HTTP_PARSE_DONE;
	if (!http_parser_busy(p) && !p->line.len)
		return HTTP_PARSE_MORE;
	switch (p->state) {
	case HS_STATUS:
	case HS_HEADER:
		return fail(p, "connection closed in the response headers");
	default:
		return fail(p, "connection closed in the response body");
	}
}
