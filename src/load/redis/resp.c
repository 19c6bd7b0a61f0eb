#include "load/redis/resp.h"

#include <string.h>

void resp_parser_init(struct resp_parser *p)
{
	memset(p, 0, sizeof(*p));
}

/* Strict signed decimal of exactly len bytes. 0 or -1. */
static int parse_i64(const char *s, size_t len, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0;
	size_t i = 0;
	if (len && s[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == len || len - i > 18)
		return -1;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

/* One element ended: returns true if that completes the whole reply. */
static bool element_done(struct resp_parser *p)
{
	while (p->depth) {
		if (--p->remaining[p->depth - 1] > 0)
			return false;
		p->depth--;
	}
	return true;
}

static int fail(struct resp_parser *p, const char *why)
{
	p->error = why;
	return RESP_ERROR;
}

/* Opens an aggregate of n elements (n > 0). */
static int open_aggregate(struct resp_parser *p, int64_t n)
{
	if (p->depth >= RESP_MAX_DEPTH)
		return fail(p, "replies nested too deep");
	p->remaining[p->depth++] = n;
	return 0;
}

int resp_parse(struct resp_parser *p, const char *buf, size_t len, size_t *used)
{
	size_t off = 0;
	for (;;) {
		if (p->bulk_left || p->crlf_left) {
			size_t take = len - off;
			if ((uint64_t)take > (uint64_t)p->bulk_left)
				take = (size_t)p->bulk_left;
			off += take;
			p->bulk_left -= (int64_t)take;
			while (!p->bulk_left && p->crlf_left && off < len) {
				char want = p->crlf_left == 2 ? '\r' : '\n';
				if (buf[off] != want)
					return fail(p, "bulk string not followed by CRLF");
				off++;
				p->crlf_left--;
			}
			if (p->bulk_left || p->crlf_left) {
				*used = off;
				return RESP_MORE;
			}
			if (element_done(p)) {
				p->started = false;
				*used = off;
				return RESP_DONE;
			}
			continue;
		}
		if (off == len) {
			*used = off;
			return RESP_MORE;
		}
		const char *line = buf + off;
		const char *nl = memchr(line, '\n', len - off);
		if (!nl) {
			if (len - off >= RESP_MAX_LINE)
				return fail(p, "line too long");
			*used = off;
			return RESP_MORE;
		}
		size_t llen = (size_t)(nl - line) + 1;
		if (llen < 3 || nl[-1] != '\r')
			return fail(p, "line not ended by CRLF");
		if (llen > RESP_MAX_LINE)
			return fail(p, "line too long");
		const char *body = line + 1;
		size_t blen = llen - 3;
		int64_t n = 0;
		bool top = !p->started;
		if (top) {
			p->started = true;
			p->type = line[0];
			p->is_error = false;
			p->is_null = false;
			p->errmsg[0] = 0;
		}
		off += llen;
		switch (line[0]) {
		case '-':
			if (top) {
				size_t k = blen < RESP_ERRMSG_MAX - 1 ? blen : RESP_ERRMSG_MAX - 1;
				p->is_error = true;
				memcpy(p->errmsg, body, k);
				p->errmsg[k] = 0;
			}
			break;
		case '+':
		case ',':
		case '(':
			break;
		case '_':
			if (blen)
				return fail(p, "bad null");
			p->is_null = top;
			break;
		case '#':
			if (blen != 1 || (body[0] != 't' && body[0] != 'f'))
				return fail(p, "bad boolean");
			break;
		case ':':
			if (parse_i64(body, blen, &n))
				return fail(p, "bad integer");
			break;
		case '$':
		case '!':
		case '=':
			if (parse_i64(body, blen, &n) || n < -1)
				return fail(p, "bad bulk length");
			if (n > RESP_MAX_BULK)
				return fail(p, "bulk string over 512 MiB");
			if (n == -1) {
				p->is_null = top;
				break;
			}
			if (line[0] == '!' && top) {
				p->is_error = true;
				strcpy(p->errmsg, "blob error");
			}
			p->bulk_left = n;
			p->crlf_left = 2;
			continue;
		case '*':
		case '~':
		case '>':
		case '%':
			if (parse_i64(body, blen, &n) || n < -1)
				return fail(p, "bad aggregate length");
			if (n == -1) {
				p->is_null = top;
				break;
			}
			if (n > 1000000000)
				return fail(p, "aggregate too long");
			if (line[0] == '%')
				n *= 2;
			if (n == 0)
				break;
			if (open_aggregate(p, n))
				return RESP_ERROR;
			continue;
		default:
			return fail(p, "unexpected reply type byte");
		}
		if (element_done(p)) {
			p->started = false;
			*used = off;
			return RESP_DONE;
		}
	}
}
