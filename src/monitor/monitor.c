#include "monitor/monitor.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "common/strlist.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "monitor/source.h"

#define MAX_SOURCES 32

struct monitor {
	struct mon_source src[MAX_SOURCES];
	size_t n;
	struct strlist match;
	uint64_t interval_ns;
	pthread_t thread;
	pthread_mutex_t mu; /* guards the sources' stores and counts */
	pthread_cond_t cv;
	int stop, running;
	uint64_t last_sample_ns; /* wall clock of the last sample_all (under mu) */
	uint64_t win0, win1;	 /* the window monitor_window last prepared */
};

struct monitor *monitor_new(uint64_t interval_ns)
{
	struct monitor *m = xcalloc(1, sizeof(*m));
	pthread_condattr_t ca;
	m->interval_ns = interval_ns;
	pthread_mutex_init(&m->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cv, &ca);
	pthread_condattr_destroy(&ca);
	return m;
}

void monitor_match(struct monitor *m, const char *glob)
{
	strlist_push(&m->match, glob);
}

void monitor_usage(struct strbuf *out)
{
	for (size_t i = 0; mon_source_types[i]; i++)
		strbuf_addf(out, "%s\n", mon_source_types[i]->usage);
}

/* spec with a password (redis://:PW@, SCHEME://USER:PW@) replaced by "***". */
static char *hide_password(const char *spec)
{
	const char *at = strrchr(spec, '@'), *s = strstr(spec, "://");
	if (!at || !s || at < s)
		return xstrdup(spec);
	const char *colon = memchr(s + 3, ':', (size_t)(at - s - 3));
	if (!colon)
		return xstrdup(spec);
	return xasprintf("%.*s***%s", (int)(colon + 1 - spec), spec, at);
}

int monitor_add(struct monitor *m, const char *spec, struct strbuf *err)
{
	const struct mon_source_type *t = mon_source_type_find(spec);
	struct mon_source *s;
	if (!t) {
		struct strbuf u = STRBUF_INIT;
		for (size_t i = 0; mon_source_types[i]; i++)
			strbuf_addf(&u, "%s%s", i ? ", " : "", mon_source_types[i]->usage);
		error(err, "--server-metrics: '%s' is not one of: %s", spec, u.buf);
		strbuf_release(&u);
		return -1;
	}
	if (m->n == MAX_SOURCES)
		return error(err, "--server-metrics: at most %d sources", MAX_SOURCES);
	char *shown = hide_password(spec);
	for (size_t i = 0; i < m->n; i++) {
		if (!strcmp(m->src[i].spec, shown)) {
			error(err, "--server-metrics: '%s' given twice", shown);
			free(shown);
			return -1;
		}
	}
	s = &m->src[m->n];
	memset(s, 0, sizeof(*s));
	s->type = t;
	s->spec = shown;
	s->match = &m->match;
	strbuf_init(&s->first_error, 0);
	mon_store_init(&s->store);
	m->n++;
	struct strbuf why = STRBUF_INIT;
	int ret = t->open(s, spec, &why);
	if (ret)
		error(err, "--server-metrics: %s", why.buf);
	strbuf_release(&why);
	return ret;
}

/* One sample of every sampled source (not those answering after the fact). */
static void sample_all(struct monitor *m, int first)
{
	uint64_t round = wall_ns();
	for (size_t i = 0; i < m->n; i++) {
		struct mon_source *s = &m->src[i];
		struct strbuf err = STRBUF_INIT;
		if (s->type->window && !first)
			continue;
		pthread_mutex_lock(&m->mu);
		uint64_t now = wall_ns();
		if (s->type->scrape(s, now, &err)) {
			s->failures++;
			if (!s->first_error.len)
				strbuf_addstr(&s->first_error, err.buf);
		} else {
			s->scrapes++;
			s->last_ok_ns = now;
		}
		pthread_mutex_unlock(&m->mu);
		strbuf_release(&err);
	}
	pthread_mutex_lock(&m->mu);
	m->last_sample_ns = round; /* the earliest timestamp of the round */
	pthread_mutex_unlock(&m->mu);
}

static void *sampler_main(void *arg)
{
	struct monitor *m = arg;
	uint64_t next = mono_ns() + m->interval_ns;
	pthread_mutex_lock(&m->mu);
	while (!m->stop) {
		struct timespec ts = { .tv_sec = (time_t)(next / 1000000000ull),
				       .tv_nsec = (long)(next % 1000000000ull) };
		if (pthread_cond_timedwait(&m->cv, &m->mu, &ts) == 0 || m->stop)
			continue;
		if (mono_ns() < next)
			continue;
		pthread_mutex_unlock(&m->mu);
		sample_all(m, 0);
		pthread_mutex_lock(&m->mu);
		next += m->interval_ns;
		uint64_t now = mono_ns();
		if (next < now) /* a slow scrape: skip ticks rather than bunch them up */
			next = now + m->interval_ns;
	}
	pthread_mutex_unlock(&m->mu);
	return NULL;
}

int monitor_start(struct monitor *m, struct strbuf *err)
{
	if (!m->n)
		return 0;
	sample_all(m, 1);
	for (size_t i = 0; i < m->n; i++)
		if (m->src[i].failures)
			return error(err, "server metrics: %s", m->src[i].first_error.buf);
	if (pthread_create(&m->thread, NULL, sampler_main, m))
		return error(err, "cannot start the metrics sampler thread");
	m->running = 1;
	return 0;
}

void monitor_stop(struct monitor *m)
{
	if (!m->running)
		return;
	pthread_mutex_lock(&m->mu);
	m->stop = 1;
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
	pthread_join(m->thread, NULL);
	m->running = 0;
	sample_all(m, 0);
}

void monitor_free(struct monitor *m)
{
	if (!m)
		return;
	monitor_stop(m);
	for (size_t i = 0; i < m->n; i++) {
		struct mon_source *s = &m->src[i];
		if (s->type->close)
			s->type->close(s);
		mon_store_release(&s->store);
		strbuf_release(&s->first_error);
		free(s->spec);
	}
	strlist_clear(&m->match);
	pthread_mutex_destroy(&m->mu);
	pthread_cond_destroy(&m->cv);
	free(m);
}

void monitor_window(struct monitor *m, uint64_t w0, uint64_t w1)
{
	uint64_t last;
	if (!m)
		return;
	pthread_mutex_lock(&m->mu);
	last = m->last_sample_ns;
	if (m->win0 == w0 && m->win1 == w1) {
		pthread_mutex_unlock(&m->mu);
		return; /* the text summary and the result file share one preparation */
	}
	m->win0 = w0;
	m->win1 = w1;
	pthread_mutex_unlock(&m->mu);
	/* A result written right after its window (a sweep's points) still gets a
	 * sample after the window's end, which its counters' rates need. */
	if (last < w1 && m->running)
		sample_all(m, 0);
	pthread_mutex_lock(&m->mu);
	for (size_t i = 0; i < m->n; i++) {
		struct mon_source *s = &m->src[i];
		if (!s->type->window)
			continue;
		mon_store_release(&s->store);
		mon_store_init(&s->store);
		strbuf_reset(&s->first_error);
		s->failures = s->type->window(s, w0, w1, m->interval_ns, &s->first_error) != 0;
	}
	pthread_mutex_unlock(&m->mu);
}

void monitor_result_json(struct monitor *m, uint64_t w0, uint64_t w1, double requests,
			 double output_tokens, struct jsonw *w)
{
	struct strbuf ts = STRBUF_INIT;
	if (!m || !m->n)
		return;
	pthread_mutex_lock(&m->mu);
	jsonw_obj_open(w, "server_metrics");
	jsonw_double(w, "interval_s", (double)m->interval_ns / 1e9, -1);
	rfc3339_append(&ts, w0);
	jsonw_str(w, "window_start", ts.buf);
	strbuf_reset(&ts);
	rfc3339_append(&ts, w1);
	jsonw_str(w, "window_end", ts.buf);
	jsonw_obj_open(w, "sources");
	for (size_t i = 0; i < m->n; i++) {
		struct mon_source *s = &m->src[i];
		jsonw_obj_open(w, s->spec);
		jsonw_str(w, "type", s->type->name);
		if (s->type->window) {
			jsonw_obj_open(w, "query_range");
			jsonw_double(w, "start", (double)w0 / 1e9, 3);
			jsonw_double(w, "end", (double)w1 / 1e9, 3);
			jsonw_double(w, "step", (double)m->interval_ns / 1e9, 3);
			jsonw_close(w);
			jsonw_str(w, "error", s->failures ? s->first_error.buf : NULL);
		} else {
			jsonw_u64(w, "scrapes", s->scrapes);
			jsonw_u64(w, "failed_scrapes", s->failures);
			jsonw_str(w, "first_error", s->failures ? s->first_error.buf : NULL);
		}
		if (s->type->report_json)
			s->type->report_json(s, w0, w1, requests, output_tokens, w);
		/* Range queries are made with millisecond times: their first and last
		 * points may fall a fraction of a millisecond outside [w0, w1]. */
		uint64_t slack = s->type->window ? 1000000 : 0;
		jsonw_obj_open(w, "series");
		for (size_t k = 0; k < s->store.n; k++) {
			struct mon_stats st;
			if (!mon_series_stats(s->store.s[k], w0 - slack, w1 + slack, &st))
				mon_stats_json(s->store.s[k], &st, w, s->store.s[k]->key);
		}
		jsonw_close(w);
		jsonw_close(w);
	}
	jsonw_close(w);
	jsonw_close(w);
	pthread_mutex_unlock(&m->mu);
	strbuf_release(&ts);
}

void monitor_interval_json(struct monitor *m, uint64_t a, uint64_t b, struct jsonw *w)
{
	if (!m || !m->n)
		return;
	pthread_mutex_lock(&m->mu);
	jsonw_obj_open(w, "server_metrics");
	for (size_t i = 0; i < m->n; i++) {
		struct mon_source *s = &m->src[i];
		jsonw_obj_open(w, s->spec);
		for (size_t k = 0; k < s->store.n; k++) {
			double v;
			if (!mon_series_at(s->store.s[k], a, b, &v))
				jsonw_double(w, s->store.s[k]->key, v, -1);
		}
		jsonw_close(w);
	}
	jsonw_close(w);
	pthread_mutex_unlock(&m->mu);
}

void monitor_result_text(struct monitor *m, uint64_t w0, uint64_t w1, struct strbuf *out)
{
	if (!m || !m->n)
		return;
	pthread_mutex_lock(&m->mu);
	for (size_t i = 0; i < m->n; i++) {
		struct mon_source *s = &m->src[i];
		size_t nser = 0;
		struct mon_stats st;
		uint64_t slack = s->type->window ? 1000000 : 0;
		for (size_t k = 0; k < s->store.n; k++)
			nser += !mon_series_stats(s->store.s[k], w0 - slack, w1 + slack, &st);
		if (s->type->window)
			strbuf_addf(out, "  server        %s: %zu series from range queries%s%s\n",
				    s->spec, nser, s->failures ? ", failed: " : "",
				    s->failures ? s->first_error.buf : "");
		else
			strbuf_addf(out, "  server        %s: %zu series, %u scrapes, %u failed\n",
				    s->spec, nser, s->scrapes, s->failures);
	}
	pthread_mutex_unlock(&m->mu);
}
