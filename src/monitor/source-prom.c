/*
 * Prometheus sources: a /metrics page scraped at each tick (http://HOST:PORT/PATH),
 * and a Prometheus server asked with PromQL range queries over the window once it has
 * ended (prometheus://HOST:PORT?query=Q[&query=Q2...]).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "monitor/netio.h"
#include "monitor/promtext.h"
#include "monitor/source.h"

#define SCRAPE_TIMEOUT_MS 5000
#define QUERY_TIMEOUT_MS 30000
#define SETTLE_MAX_S 30

struct prom_priv {
	struct net_url url;
	struct strlist queries; /* promql only */
	struct strbuf body;
};

static void prom_close(struct mon_source *src)
{
	struct prom_priv *p = src->priv;
	if (!p)
		return;
	net_url_release(&p->url);
	strlist_clear(&p->queries);
	strbuf_release(&p->body);
	free(p);
	src->priv = NULL;
}

static int text_open(struct mon_source *src, const char *spec, struct strbuf *err)
{
	struct prom_priv *p = xcalloc(1, sizeof(*p));
	strbuf_init(&p->body, 0);
	src->priv = p;
	if (net_url_parse(spec, "http://", &p->url, err))
		return -1;
	return 0;
}

struct scrape_ctx {
	struct mon_source *src;
	uint64_t t;
	struct strbuf key;
};

static void on_sample(void *ctx, const struct prom_sample *s)
{
	struct scrape_ctx *c = ctx;
	strbuf_reset(&c->key);
	strbuf_addstr(&c->key, s->name);
	strbuf_addstr(&c->key, s->labels);
	mon_source_add(c->src, c->key.buf, s->is_counter ? MON_COUNTER : MON_GAUGE,
		       mon_unit_from_name(s->name, s->unit), c->t, s->value);
}

static int text_scrape(struct mon_source *src, uint64_t now, struct strbuf *err)
{
	struct prom_priv *p = src->priv;
	struct scrape_ctx c = { src, now, STRBUF_INIT };
	struct strbuf why = STRBUF_INIT;
	int ret = -1;
	if (net_http_get(&p->url, SCRAPE_TIMEOUT_MS, &p->body, err))
		goto out;
	if (prom_parse(p->body.buf, p->body.len, on_sample, &c, &why) < 0) {
		error(err, "%s: not Prometheus text: %s", src->spec, why.buf);
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&c.key);
	strbuf_release(&why);
	return ret;
}

const struct mon_source_type mon_source_prom_text = {
	.name = "prometheus-text",
	.prefix = "http://",
	.usage = "http://HOST:PORT/metrics",
	.open = text_open,
	.scrape = text_scrape,
	.close = prom_close,
};

/* Undoes %XX and '+' in a query string value. */
static char *urldecode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		unsigned x;
		if (s[i] == '%' && i + 2 < n && sscanf(s + i + 1, "%2x", &x) == 1) {
			*o++ = (char)x;
			i += 2;
		} else {
			*o++ = s[i] == '+' ? ' ' : s[i];
		}
	}
	*o = 0;
	return out;
}

static int promql_open(struct mon_source *src, const char *spec, struct strbuf *err)
{
	struct prom_priv *p = xcalloc(1, sizeof(*p));
	struct strbuf http = STRBUF_INIT;
	const char *q = strchr(spec, '?');
	int ret = -1;
	strbuf_init(&p->body, 0);
	src->priv = p;
	const char *host = spec + strlen("prometheus://");
	strbuf_addf(&http, "http://%.*s", (int)(q ? (size_t)(q - host) : strlen(host)), host);
	if (net_url_parse(http.buf, "http://", &p->url, err))
		goto out;
	for (const char *a = q; a && *a;) {
		a++;
		size_t n = strcspn(a, "&");
		if (n > 6 && !strncmp(a, "query=", 6))
			strlist_push_owned(&p->queries, urldecode(a + 6, n - 6));
		else if (n) {
			error(err, "%s: unknown parameter '%.*s' (query=PROMQL expected)", spec,
			      (int)n, a);
			goto out;
		}
		a += n;
	}
	if (!p->queries.nr) {
		error(err, "%s: no query: prometheus://HOST:PORT?query=PROMQL", spec);
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&http);
	return ret;
}

/* Appends {a="x",...} of a result's "metric" object (without __name__) to key. */
static void labels_of(json_t *metric, struct strbuf *key)
{
	const char *k;
	json_t *v;
	int n = 0;
	json_object_foreach(metric, k, v)
	{
		if (!strcmp(k, "__name__") || !json_is_string(v))
			continue;
		strbuf_addstr(key, n++ ? "," : "{");
		strbuf_addf(key, "%s=\"", k);
		for (const char *s = json_string_value(v); *s; s++) {
			if (*s == '\\' || *s == '"')
				strbuf_addch(key, '\\');
			if (*s == '\n')
				strbuf_addstr(key, "\\n");
			else
				strbuf_addch(key, *s);
		}
		strbuf_addch(key, '"');
	}
	if (n)
		strbuf_addch(key, '}');
}

/* One range query into the store. */
static int range_query(struct mon_source *src, const char *query, uint64_t w0, uint64_t w1,
		       uint64_t step_ns, struct strbuf *err)
{
	struct prom_priv *p = src->priv;
	struct net_url u = p->url;
	struct strbuf path = STRBUF_INIT, key = STRBUF_INIT;
	json_t *root = NULL, *res;
	json_error_t je;
	int ret = -1;
	size_t i;
	json_t *r;

	strbuf_addstr(&path, "/api/v1/query_range?query=");
	net_urlencode(&path, query);
	strbuf_addf(&path, "&start=%.3f&end=%.3f&step=%.3f", (double)w0 / 1e9, (double)w1 / 1e9,
		    (double)step_ns / 1e9);
	u.path = path.buf;
	if (net_http_get(&u, QUERY_TIMEOUT_MS, &p->body, err))
		goto out;
	root = json_loadb(p->body.buf, p->body.len, 0, &je);
	res = json_object_get(json_object_get(root, "data"), "result");
	if (!root || !json_is_array(res)) {
		error(err, "%s: query '%s': not a Prometheus API answer", src->spec, query);
		goto out;
	}
	json_array_foreach(res, i, r)
	{
		size_t j;
		json_t *pt;
		strbuf_reset(&key);
		strbuf_addstr(&key, query);
		labels_of(json_object_get(r, "metric"), &key);
		struct mon_series *s = mon_store_get(&src->store, key.buf, MON_GAUGE, "");
		json_array_foreach(json_object_get(r, "values"), j, pt)
		{
			double t = json_number_value(json_array_get(pt, 0));
			const char *v = json_string_value(json_array_get(pt, 1));
			if (v)
				mon_series_add(s, (uint64_t)(t * 1e9 + 0.5), strtod(v, NULL));
		}
	}
	ret = 0;
out:
	json_decref(root);
	strbuf_release(&path);
	strbuf_release(&key);
	return ret;
}

/*
 * The oldest of the newest samples of every target Prometheus scrapes (Unix seconds),
 * or -1 when there is no answer.
 */
static double newest_scrape(struct mon_source *src)
{
	struct prom_priv *p = src->priv;
	struct net_url u = p->url;
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;
	double t = -1;
	strbuf_addstr(&path, "/api/v1/query?query=");
	net_urlencode(&path, "min(timestamp(up))");
	u.path = path.buf;
	if (!net_http_get(&u, SCRAPE_TIMEOUT_MS, &p->body, &err)) {
		json_t *root = json_loadb(p->body.buf, p->body.len, 0, NULL);
		json_t *res = json_object_get(json_object_get(root, "data"), "result");
		const char *v = json_string_value(
		    json_array_get(json_object_get(json_array_get(res, 0), "value"), 1));
		if (v)
			t = strtod(v, NULL);
		json_decref(root);
	}
	strbuf_release(&path);
	strbuf_release(&err);
	return t;
}

static int promql_window(struct mon_source *src, uint64_t w0, uint64_t w1, uint64_t step_ns,
			 struct strbuf *err)
{
	struct prom_priv *p = src->priv;
	uint64_t give_up = mono_ns() + SETTLE_MAX_S * 1000000000ull;
	/* Samples scraped before the window's end may not be stored yet: wait until every
	 * target has one taken after it, so that the answer no longer changes. */
	while (newest_scrape(src) < (double)w1 / 1e9 && mono_ns() < give_up)
		sleep_us(200000);
	for (size_t i = 0; i < p->queries.nr; i++)
		if (range_query(src, p->queries.items[i], w0, w1, step_ns, err))
			return -1;
	return 0;
}

/* Checks at start that the server answers (the ready endpoint). */
static int promql_scrape(struct mon_source *src, uint64_t now, struct strbuf *err)
{
	struct prom_priv *p = src->priv;
	struct net_url u = p->url;
	u.path = "/api/v1/status/buildinfo";
	return net_http_get(&u, SCRAPE_TIMEOUT_MS, &p->body, err);
}

const struct mon_source_type mon_source_promql = {
	.name = "promql",
	.prefix = "prometheus://",
	.usage = "prometheus://HOST:PORT?query=PROMQL[&query=...]",
	.open = promql_open,
	.scrape = promql_scrape,
	.window = promql_window,
	.close = prom_close,
};
