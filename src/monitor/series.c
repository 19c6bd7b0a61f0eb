#include "monitor/series.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/xalloc.h"

void mon_store_init(struct mon_store *st)
{
	memset(st, 0, sizeof(*st));
}

void mon_store_release(struct mon_store *st)
{
	for (size_t i = 0; i < st->n; i++) {
		free(st->s[i]->key);
		free(st->s[i]->unit);
		free(st->s[i]->t);
		free(st->s[i]->v);
		free(st->s[i]);
	}
	free(st->s);
	free(st->slot);
	memset(st, 0, sizeof(*st));
}

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void rehash(struct mon_store *st)
{
	free(st->slot);
	st->nslot = st->nslot ? st->nslot * 2 : 256;
	st->slot = xmalloc(st_mult(st->nslot, sizeof(*st->slot)));
	memset(st->slot, 0xff, st->nslot * sizeof(*st->slot));
	for (size_t i = 0; i < st->n; i++) {
		size_t h = hash_str(st->s[i]->key) & (st->nslot - 1);
		while (st->slot[h] != SIZE_MAX)
			h = (h + 1) & (st->nslot - 1);
		st->slot[h] = i;
	}
}

struct mon_series *mon_store_get(struct mon_store *st, const char *key, enum mon_kind kind,
				 const char *unit)
{
	size_t h;
	if (st->nslot == 0 || (st->n + 1) * 2 > st->nslot)
		rehash(st);
	h = hash_str(key) & (st->nslot - 1);
	while (st->slot[h] != SIZE_MAX) {
		if (!strcmp(st->s[st->slot[h]]->key, key))
			return st->s[st->slot[h]];
		h = (h + 1) & (st->nslot - 1);
	}
	struct mon_series *s = xcalloc(1, sizeof(*s));
	s->key = xstrdup(key);
	s->kind = kind;
	s->unit = xstrdup(unit ? unit : "");
	if (st->n == st->alloc) {
		st->alloc = st->alloc ? st->alloc * 2 : 64;
		st->s = xrealloc(st->s, st_mult(st->alloc, sizeof(*st->s)));
	}
	st->slot[h] = st->n;
	st->s[st->n++] = s;
	return s;
}

void mon_series_add(struct mon_series *s, uint64_t t_ns, double v)
{
	if (!isfinite(v))
		return;
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 16;
		s->t = xrealloc(s->t, st_mult(s->alloc, sizeof(*s->t)));
		s->v = xrealloc(s->v, st_mult(s->alloc, sizeof(*s->v)));
	}
	s->t[s->n] = t_ns;
	s->v[s->n++] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[0..n). */
static double rank(const double *v, size_t n, double pct)
{
	size_t k = (size_t)ceil(pct / 100.0 * (double)n);
	return v[k ? k - 1 : 0];
}

/* Indexes of the samples bracketing [a, b]: -1 when fewer than two samples do. */
static int bracket(const struct mon_series *s, uint64_t a, uint64_t b, size_t *ia, size_t *ib)
{
	size_t i = 0, j;
	if (s->n < 2)
		return -1;
	/* last sample at or before a, else the first one */
	while (i + 1 < s->n && s->t[i + 1] <= a)
		i++;
	/* first sample at or after b, else the last one */
	for (j = i; j + 1 < s->n && s->t[j] < b; j++)
		;
	if (j <= i || s->t[j] <= s->t[i])
		return -1;
	*ia = i;
	*ib = j;
	return 0;
}

/* Increase from sample i to j, a drop counted as a reset to zero. */
static double increase(const struct mon_series *s, size_t i, size_t j)
{
	double inc = 0;
	for (size_t k = i; k < j; k++) {
		double d = s->v[k + 1] - s->v[k];
		inc += d >= 0 ? d : s->v[k + 1];
	}
	return inc;
}

int mon_series_stats(const struct mon_series *s, uint64_t w0, uint64_t w1, struct mon_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (s->kind == MON_COUNTER) {
		size_t i, j;
		if (bracket(s, w0, w1, &i, &j))
			return -1;
		st->samples = j - i + 1;
		st->increase = increase(s, i, j);
		st->span_s = (double)(s->t[j] - s->t[i]) / 1e9;
		st->rate = st->increase / st->span_s;
		return 0;
	}
	double *v = NULL, sum = 0;
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (s->t[i] < w0 || s->t[i] > w1)
			continue;
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = s->v[i];
		sum += s->v[i];
		st->last = s->v[i];
	}
	if (!n)
		return -1;
	st->samples = n;
	st->mean = sum / (double)n;
	qsort(v, n, sizeof(*v), cmp_double);
	st->min = v[0];
	st->max = v[n - 1];
	st->p50 = rank(v, n, 50);
	st->p99 = rank(v, n, 99);
	free(v);
	return 0;
}

int mon_series_at(const struct mon_series *s, uint64_t a, uint64_t b, double *out)
{
	if (s->kind == MON_COUNTER) {
		size_t i, j;
		if (bracket(s, a, b, &i, &j))
			return -1;
		*out = increase(s, i, j) / ((double)(s->t[j] - s->t[i]) / 1e9);
		return 0;
	}
	double sum = 0;
	size_t n = 0, before = SIZE_MAX;
	for (size_t i = 0; i < s->n; i++) {
		if (s->t[i] >= a && s->t[i] < b) {
			sum += s->v[i];
			n++;
		} else if (s->t[i] < a) {
			before = i;
		}
	}
	if (n)
		return *out = sum / (double)n, 0;
	if (before == SIZE_MAX)
		return -1;
	*out = s->v[before];
	return 0;
}

void mon_stats_json(const struct mon_series *s, const struct mon_stats *st, struct jsonw *w,
		    const char *key)
{
	jsonw_obj_open(w, key);
	jsonw_str(w, "type", s->kind == MON_COUNTER ? "counter" : "gauge");
	jsonw_str(w, "unit", s->unit);
	jsonw_u64(w, "samples", st->samples);
	if (s->kind == MON_COUNTER) {
		struct strbuf ru = STRBUF_INIT;
		strbuf_addf(&ru, "%s/s", *s->unit ? s->unit : "1");
		jsonw_double(w, "rate", st->rate, -1);
		jsonw_str(w, "rate_unit", ru.buf);
		jsonw_double(w, "increase", st->increase, -1);
		jsonw_double(w, "span_s", st->span_s, 3);
		strbuf_release(&ru);
	} else {
		jsonw_double(w, "min", st->min, -1);
		jsonw_double(w, "mean", st->mean, -1);
		jsonw_double(w, "p50", st->p50, -1);
		jsonw_double(w, "p99", st->p99, -1);
		jsonw_double(w, "max", st->max, -1);
		jsonw_double(w, "last", st->last, -1);
	}
	jsonw_close(w);
}

const char *mon_unit_from_name(const char *name, const char *fallback)
{
	static const struct {
		const char *suffix, *unit;
	} tab[] = {
		{ "_seconds", "seconds" }, { "_seconds_total", "seconds" },
		{ "_bytes", "bytes" },	   { "_bytes_total", "bytes" },
		{ "_celsius", "celsius" }, { "_watts", "watts" },
		{ "_joules", "joules" },   { "_joules_total", "joules" },
		{ "_ratio", "ratio" },	   { "_percent", "percent" },
		{ "_hertz", "hertz" },	   { "_seconds_sum", "seconds" },
		{ "_bytes_sum", "bytes" },
	};
	size_t n = strcspn(name, "{");
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		size_t k = strlen(tab[i].suffix);
		if (n >= k && !memcmp(name + n - k, tab[i].suffix, k))
			return tab[i].unit;
	}
	return fallback ? fallback : "";
}
