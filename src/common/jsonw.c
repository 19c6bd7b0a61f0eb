#include "common/jsonw.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

void jsonw_init(struct jsonw *w, struct strbuf *out, int indent)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->indent = indent;
	w->first[0] = true;
}

void json_escape(struct strbuf *sb, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	strbuf_grow(sb, len + 2);
	strbuf_addch(sb, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"':
			strbuf_add(sb, "\\\"", 2);
			break;
		case '\\':
			strbuf_add(sb, "\\\\", 2);
			break;
		case '\n':
			strbuf_add(sb, "\\n", 2);
			break;
		case '\r':
			strbuf_add(sb, "\\r", 2);
			break;
		case '\t':
			strbuf_add(sb, "\\t", 2);
			break;
		default:
			if (c < 0x20) {
				char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
				strbuf_add(sb, u, 6);
			} else {
				strbuf_addch(sb, c);
			}
		}
	}
	strbuf_addch(sb, '"');
}

static void newline(struct jsonw *w)
{
	if (!w->indent)
		return;
	strbuf_addch(w->out, '\n');
	for (int i = 0; i < w->depth * w->indent; i++)
		strbuf_addch(w->out, ' ');
}

/* Writes the separator and key that precede a value. */
static void prefix(struct jsonw *w, const char *key)
{
	if (w->depth > 0) {
		if (!w->first[w->depth])
			strbuf_addch(w->out, ',');
		newline(w);
	}
	w->first[w->depth] = false;
	if (key && w->depth > 0 && w->is_obj[w->depth]) {
		json_escape(w->out, key, strlen(key));
		strbuf_addstr(w->out, w->indent ? ": " : ":");
	}
}

static void open(struct jsonw *w, const char *key, char c, bool obj)
{
	prefix(w, key);
	strbuf_addch(w->out, c);
	if (w->depth + 1 < JSONW_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
	w->is_obj[w->depth] = obj;
}

void jsonw_obj_open(struct jsonw *w, const char *key)
{
	open(w, key, '{', true);
}
void jsonw_arr_open(struct jsonw *w, const char *key)
{
	open(w, key, '[', false);
}

void jsonw_close(struct jsonw *w)
{
	bool obj = w->is_obj[w->depth], empty = w->first[w->depth];
	if (w->depth > 0)
		w->depth--;
	if (!empty)
		newline(w);
	strbuf_addch(w->out, obj ? '}' : ']');
	if (w->depth == 0 && w->indent)
		strbuf_addch(w->out, '\n');
}

void jsonw_strn(struct jsonw *w, const char *key, const char *val, size_t len)
{
	prefix(w, key);
	json_escape(w->out, val, len);
}

void jsonw_str(struct jsonw *w, const char *key, const char *val)
{
	if (!val) {
		jsonw_null(w, key);
		return;
	}
	jsonw_strn(w, key, val, strlen(val));
}

void jsonw_u64(struct jsonw *w, const char *key, uint64_t val)
{
	prefix(w, key);
	strbuf_addf(w->out, "%" PRIu64, val);
}

void jsonw_i64(struct jsonw *w, const char *key, int64_t val)
{
	prefix(w, key);
	strbuf_addf(w->out, "%" PRId64, val);
}

void jsonw_double(struct jsonw *w, const char *key, double val, int prec)
{
	prefix(w, key);
	if (!isfinite(val))
		strbuf_addstr(w->out, "null");
	else if (prec < 0)
		strbuf_addf(w->out, "%.17g", val);
	else
		strbuf_addf(w->out, "%.*f", prec, val);
}

void jsonw_bool(struct jsonw *w, const char *key, bool val)
{
	prefix(w, key);
	strbuf_addstr(w->out, val ? "true" : "false");
}

void jsonw_null(struct jsonw *w, const char *key)
{
	prefix(w, key);
	strbuf_addstr(w->out, "null");
}

void jsonw_raw(struct jsonw *w, const char *key, const char *json)
{
	prefix(w, key);
	strbuf_addstr(w->out, json);
}
