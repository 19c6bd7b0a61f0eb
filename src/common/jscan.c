/* Allocation-free JSON scanner: see jscan.h. */
#include <stdlib.h>
#include <string.h>

#include "common/jscan.h"

struct scan {
	const char *p, *end;
	jscan_fn fn;
	void *ctx;
	char path[JSCAN_MAX_PATH + 1];
	size_t plen;
	int truncated; /* depth at which the path stopped being exact, 0 if exact */
	int depth;
};

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

/* Bytes that end the fast path of a string: the quote, a backslash, control characters. */
static const unsigned char string_stop[256] = {
	[0x00 ... 0x1f] = 1,
	['"'] = 1,
	['\\'] = 1,
};

/* Reads a string starting at the opening quote; sets its raw bounds. */
static int scan_string(struct scan *s, const char **val, size_t *len, bool *escaped)
{
	const char *p = s->p + 1;
	*escaped = false;
	for (;;) {
		/* Fast path: plain characters. */
		while (p < s->end && !string_stop[(unsigned char)*p])
			p++;
		if (p >= s->end || (unsigned char)*p < 0x20)
			return -1;
		if (*p == '"')
			break;
		*escaped = true;
		if (++p >= s->end)
			return -1;
		switch (*p) {
		case '"':
		case '\\':
		case '/':
		case 'b':
		case 'f':
		case 'n':
		case 'r':
		case 't':
			p++;
			break;
		case 'u':
			if (s->end - p < 5)
				return -1;
			for (int i = 1; i <= 4; i++) {
				char c = p[i];
				if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
				      (c >= 'A' && c <= 'F')))
					return -1;
			}
			p += 5;
			break;
		default:
			return -1;
		}
	}
	*val = s->p + 1;
	*len = (size_t)(p - (s->p + 1));
	s->p = p + 1;
	return 0;
}

static int scan_number(struct scan *s)
{
	const char *p = s->p;
	if (p < s->end && *p == '-')
		p++;
	if (p >= s->end)
		return -1;
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	} else {
		return -1;
	}
	if (p < s->end && *p == '.') {
		const char *d = ++p;
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
		if (p == d)
			return -1;
	}
	if (p < s->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < s->end && (*p == '+' || *p == '-'))
			p++;
		const char *d = p;
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
		if (p == d)
			return -1;
	}
	s->p = p;
	return 0;
}

static void emit(struct scan *s, enum jscan_type t, const char *val, size_t len, bool esc)
{
	struct jscan_value v = {
		.path = s->path,
		.path_len = s->plen,
		.truncated = s->truncated != 0,
		.type = t,
		.val = val,
		.len = len,
		.escaped = esc,
	};
	s->fn(s->ctx, &v);
}

/* Appends ".seg" (or "seg" at the top) to the path; returns the old length. */
static size_t path_push(struct scan *s, const char *seg, size_t n, bool exact)
{
	size_t old = s->plen;
	size_t need = (old ? 1 : 0) + n;
	if (!exact || old + need > JSCAN_MAX_PATH) {
		if (!s->truncated)
			s->truncated = s->depth;
		return old;
	}
	if (old)
		s->path[s->plen++] = '.';
	memcpy(s->path + s->plen, seg, n);
	s->plen += n;
	s->path[s->plen] = 0;
	return old;
}

static void path_pop(struct scan *s, size_t old)
{
	s->plen = old;
	s->path[old] = 0;
	if (s->truncated == s->depth)
		s->truncated = 0;
}

static int scan_value(struct scan *s);

static int scan_object(struct scan *s)
{
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 0;
	}
	for (;;) {
		const char *key;
		size_t klen, old;
		bool esc;
		skip_ws(s);
		if (s->p >= s->end || *s->p != '"' || scan_string(s, &key, &klen, &esc) < 0)
			return -1;
		skip_ws(s);
		if (s->p >= s->end || *s->p != ':')
			return -1;
		s->p++;
		old = path_push(s, key, klen, !esc && !memchr(key, '.', klen));
		int r = scan_value(s);
		path_pop(s, old);
		if (r < 0)
			return -1;
		skip_ws(s);
		if (s->p >= s->end)
			return -1;
		if (*s->p == '}') {
			s->p++;
			return 0;
		}
		if (*s->p != ',')
			return -1;
		s->p++;
	}
}

static int scan_array(struct scan *s)
{
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	for (unsigned idx = 0;; idx++) {
		char num[12], *d = num + sizeof(num);
		unsigned v = idx;
		/* By hand: snprintf showed in profiles of streamed chunks. */
		do
			*--d = (char)('0' + v % 10);
		while (v /= 10);
		size_t old = path_push(s, d, (size_t)(num + sizeof(num) - d), true);
		int r = scan_value(s);
		path_pop(s, old);
		if (r < 0)
			return -1;
		skip_ws(s);
		if (s->p >= s->end)
			return -1;
		if (*s->p == ']') {
			s->p++;
			return 0;
		}
		if (*s->p != ',')
			return -1;
		s->p++;
	}
}

static int literal(struct scan *s, const char *word, enum jscan_type t)
{
	size_t n = strlen(word);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n))
		return -1;
	emit(s, t, s->p, n, false);
	s->p += n;
	return 0;
}

static int scan_value(struct scan *s)
{
	int r;
	skip_ws(s);
	if (s->p >= s->end)
		return -1;
	switch (*s->p) {
	case '{':
	case '[':
		if (s->depth >= JSCAN_MAX_DEPTH)
			return -1;
		emit(s, *s->p == '{' ? JSCAN_OBJECT : JSCAN_ARRAY, NULL, 0, false);
		s->depth++;
		r = *s->p == '{' ? scan_object(s) : scan_array(s);
		s->depth--;
		return r;
	case '"': {
		const char *v;
		size_t n;
		bool esc;
		if (scan_string(s, &v, &n, &esc) < 0)
			return -1;
		emit(s, JSCAN_STRING, v, n, esc);
		return 0;
	}
	case 't':
		return literal(s, "true", JSCAN_TRUE);
	case 'f':
		return literal(s, "false", JSCAN_FALSE);
	case 'n':
		return literal(s, "null", JSCAN_NULL);
	default: {
		const char *start = s->p;
		if (scan_number(s) < 0)
			return -1;
		emit(s, JSCAN_NUMBER, start, (size_t)(s->p - start), false);
		return 0;
	}
	}
}

int jscan(const char *text, size_t n, jscan_fn fn, void *ctx)
{
	struct scan s = { .p = text, .end = text + n, .fn = fn, .ctx = ctx };
	s.path[0] = 0;
	if (scan_value(&s) < 0)
		return -1;
	skip_ws(&s);
	return s.p == s.end ? 0 : -1;
}

int jscan_u64(const char *val, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	if (!len || val[0] == '-')
		return -1;
	for (; i < len && val[i] >= '0' && val[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(val[i] - '0');
	}
	if (i == 0 || (i < len && val[i] != '.' && val[i] != 'e' && val[i] != 'E'))
		return -1;
	if (i < len && val[i] != '.') {
		/* Exponent form (1e3): rare; let strtod do it. */
		double d;
		if (jscan_double(val, len, &d) < 0 || d < 0 || d > 1.8e19)
			return -1;
		v = (uint64_t)d;
	}
	*out = v;
	return 0;
}

int jscan_double(const char *val, size_t len, double *out)
{
	char buf[64];
	char *end;
	if (!len || len >= sizeof(buf))
		return -1;
	memcpy(buf, val, len);
	buf[len] = 0;
	*out = strtod(buf, &end);
	return *end ? -1 : 0;
}

size_t jscan_strlen(const char *val, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++, n++) {
		if (val[i] != '\\')
			continue;
		i++;
		if (i < len && val[i] == 'u')
			i += 4;
	}
	return n;
}
