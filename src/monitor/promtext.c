#include "monitor/promtext.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

const char *prom_type_name(enum prom_type t)
{
	static const char *const names[] = { "untyped",	  "counter", "gauge",
					     "histogram", "summary", "other" };
	return names[t];
}

static enum prom_type type_of(const char *s, size_t n)
{
	static const struct {
		const char *name;
		enum prom_type t;
	} tab[] = { { "counter", PROM_COUNTER },     { "gauge", PROM_GAUGE },
		    { "histogram", PROM_HISTOGRAM }, { "summary", PROM_SUMMARY },
		    { "untyped", PROM_UNTYPED },     { "unknown", PROM_UNTYPED } };
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strlen(tab[i].name) == n && !memcmp(tab[i].name, s, n))
			return tab[i].t;
	return PROM_OTHER;
}

/* The family a # TYPE / # UNIT line set last (samples follow their family). */
struct family {
	struct strbuf name, unit;
	enum prom_type type;
};

static int is_name_start(int c)
{
	return isalpha(c) || c == '_' || c == ':';
}

static int is_name_char(int c)
{
	return isalnum(c) || c == '_' || c == ':';
}

static int ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && !memcmp(s + n - k, suf, k);
}

/* A "# ..." line: TYPE and UNIT set the family, everything else is dropped. */
static void comment_line(const char *p, const char *end, struct family *f)
{
	const char *w, *name;
	size_t nl;
	p++;
	while (p < end && *p == ' ')
		p++;
	w = p;
	while (p < end && *p != ' ')
		p++;
	int is_type = p - w == 4 && !memcmp(w, "TYPE", 4);
	int is_unit = p - w == 4 && !memcmp(w, "UNIT", 4);
	if (!is_type && !is_unit)
		return;
	while (p < end && *p == ' ')
		p++;
	name = p;
	while (p < end && *p != ' ')
		p++;
	nl = (size_t)(p - name);
	while (p < end && *p == ' ')
		p++;
	size_t vl = (size_t)(end - p);
	while (vl && isspace((unsigned char)p[vl - 1]))
		vl--;
	if (f->name.len != nl || memcmp(f->name.buf, name, nl)) {
		strbuf_reset(&f->name);
		strbuf_add(&f->name, name, nl);
		strbuf_reset(&f->unit);
		f->type = PROM_UNTYPED;
	}
	if (is_type)
		f->type = type_of(p, vl);
	else {
		strbuf_reset(&f->unit);
		strbuf_add(&f->unit, p, vl);
	}
}

/*
 * Reads {name="value",...} at *pp into canon (re-rendered with the escapes kept).
 * Returns 0 or -1 with a reason in why.
 */
static int parse_labels(const char **pp, const char *end, struct strbuf *canon, const char **why)
{
	const char *p = *pp + 1;
	int n = 0;
	strbuf_addch(canon, '{');
	for (;;) {
		while (p < end && *p == ' ')
			p++;
		if (p < end && *p == '}')
			break;
		if (p >= end || !is_name_start((unsigned char)*p))
			return *why = "bad label name", -1;
		const char *ln = p;
		while (p < end && is_name_char((unsigned char)*p))
			p++;
		if (n++)
			strbuf_addch(canon, ',');
		strbuf_add(canon, ln, (size_t)(p - ln));
		while (p < end && *p == ' ')
			p++;
		if (p >= end || *p != '=')
			return *why = "'=' expected after a label name", -1;
		p++;
		while (p < end && *p == ' ')
			p++;
		if (p >= end || *p != '"')
			return *why = "'\"' expected before a label value", -1;
		strbuf_addstr(canon, "=\"");
		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\') {
				if (p + 1 >= end || !strchr("\\\"n", p[1]))
					return *why = "bad escape in a label value", -1;
				strbuf_add(canon, p, 2);
				p++;
			} else {
				strbuf_addch(canon, *p);
			}
		}
		if (p >= end)
			return *why = "unterminated label value", -1;
		strbuf_addch(canon, '"');
		p++;
		while (p < end && *p == ' ')
			p++;
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == '}')
			break;
		return *why = "',' or '}' expected after a label", -1;
	}
	strbuf_addch(canon, '}');
	*pp = p + 1;
	if (n == 0)
		strbuf_reset(canon);
	return 0;
}

/* Parses the value token [p, e): a float, +Inf, -Inf or NaN. 0 or -1. */
static int parse_value(const char *p, const char *e, double *v)
{
	char tmp[64], *end;
	size_t n = (size_t)(e - p);
	if (!n || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, p, n);
	tmp[n] = 0;
	/* strtod also takes hex and "infinity"; the formats allow neither. */
	if (strchr(tmp, 'x') || strchr(tmp, 'X'))
		return -1;
	if (!strcmp(tmp, "+Inf") || !strcmp(tmp, "Inf"))
		return *v = INFINITY, 0;
	if (!strcmp(tmp, "-Inf"))
		return *v = -INFINITY, 0;
	if (!strcmp(tmp, "NaN"))
		return *v = NAN, 0;
	*v = strtod(tmp, &end);
	return *end || isinf(*v) || isnan(*v) ? -1 : 0;
}

/* True when a sample named [s, s+n) counts up within family f. */
static int counts_up(const struct family *f, const char *s, size_t n, int in_family)
{
	enum prom_type t = in_family ? f->type : PROM_UNTYPED;
	if (t == PROM_COUNTER)
		return !ends_with(s, n, "_created");
	if (t == PROM_HISTOGRAM || t == PROM_SUMMARY)
		return ends_with(s, n, "_bucket") || ends_with(s, n, "_count") ||
		       ends_with(s, n, "_sum");
	if (t == PROM_UNTYPED)
		return ends_with(s, n, "_total");
	return 0;
}

long prom_parse(const char *text, size_t len, prom_sample_fn fn, void *ctx, struct strbuf *err)
{
	struct family fam = { STRBUF_INIT, STRBUF_INIT, PROM_UNTYPED };
	struct strbuf name = STRBUF_INIT, labels = STRBUF_INIT;
	const char *p = text, *end = text + len, *why = NULL;
	long count = 0, lineno = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *q;
		if (!eol)
			eol = end;
		lineno++;
		q = p;
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		if (q == eol || *q == '\r') {
			p = eol + 1;
			continue;
		}
		if (*q == '#') {
			comment_line(q, eol, &fam);
			p = eol + 1;
			continue;
		}
		if (!is_name_start((unsigned char)*q)) {
			why = "a metric name expected";
			goto bad;
		}
		const char *ns = q;
		while (q < eol && is_name_char((unsigned char)*q))
			q++;
		strbuf_reset(&name);
		strbuf_add(&name, ns, (size_t)(q - ns));
		strbuf_reset(&labels);
		if (q < eol && *q == '{' && parse_labels(&q, eol, &labels, &why))
			goto bad;
		if (q >= eol || (*q != ' ' && *q != '\t')) {
			why = "a space and a value expected after the series";
			goto bad;
		}
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		const char *vs = q;
		while (q < eol && *q != ' ' && *q != '\t' && *q != '\r')
			q++;
		struct prom_sample s = { .name = name.buf, .labels = labels.buf };
		if (parse_value(vs, q, &s.value)) {
			why = "bad sample value";
			goto bad;
		}
		/* The rest (a timestamp, an OpenMetrics exemplar "# {...} v") is not used. */
		int in_family = fam.name.len && !strncmp(name.buf, fam.name.buf, fam.name.len);
		s.type = in_family ? fam.type : PROM_UNTYPED;
		s.unit = in_family ? fam.unit.buf : "";
		s.is_counter = counts_up(&fam, name.buf, name.len, in_family);
		fn(ctx, &s);
		count++;
		p = eol + 1;
	}
	goto out;
bad:
	error(err, "line %ld: %s", lineno, why);
	count = -1;
out:
	strbuf_release(&fam.name);
	strbuf_release(&fam.unit);
	strbuf_release(&name);
	strbuf_release(&labels);
	return count;
}
