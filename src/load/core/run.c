#include "load/core/run.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "load/core/worker.h"

/* Resolves the target once, for every worker. */
static int resolve(struct load_shared *sh, struct strbuf *err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(sh->target->host, sh->target->port, &hints, &res);
	if (rc)
		return error(err, "%s: cannot resolve '%s': %s", sh->target->display,
			     sh->target->host, gai_strerror(rc));
	memcpy(&sh->addr, res->ai_addr, res->ai_addrlen);
	sh->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* Redraws the one-line progress report on stderr. */
static void progress_line(struct worker *ws, unsigned n, uint64_t t0, uint64_t t_measure,
			  uint64_t now, uint64_t *last_ok, uint64_t *last_ns)
{
	uint64_t ok = 0, errors = 0, p50 = 0, p99 = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t v;
		ok += __atomic_load_n(&ws[i].progress.ok, __ATOMIC_RELAXED);
		errors += __atomic_load_n(&ws[i].progress.errors, __ATOMIC_RELAXED);
		v = __atomic_load_n(&ws[i].progress.p50, __ATOMIC_RELAXED);
		p50 = v > p50 ? v : p50;
		v = __atomic_load_n(&ws[i].progress.p99, __ATOMIC_RELAXED);
		p99 = v > p99 ? v : p99;
	}
	double dt = (double)(now - *last_ns) / 1e9;
	double rate = dt > 0 ? (double)(ok - *last_ok) / dt : 0;
	fprintf(stderr, "\r\033[K%s %6.1fs  %10.0f req/s  p50 %8.1f us  p99 %8.1f us  errors %llu",
		now < t_measure ? "warmup" : "load  ", (double)(now - t0) / 1e9, rate,
		(double)p50 / 1e3, (double)p99 / 1e3, (unsigned long long)errors);
	*last_ok = ok;
	*last_ns = now;
}

/* Waits for every worker to finish, drawing progress when asked. */
static void watch(struct load_shared *sh, struct worker *ws, unsigned n, bool progress)
{
	uint64_t last_ok = 0, last_ns = mono_ns(), next_draw = last_ns + 500000000ull;
	for (;;) {
		unsigned done = 0;
		for (unsigned i = 0; i < n; i++)
			done += __atomic_load_n(&ws[i].progress.done_ns, __ATOMIC_ACQUIRE) != 0;
		if (done == n)
			break;
		sleep_us(20000);
		uint64_t now = mono_ns();
		if (progress && now >= next_draw) {
			progress_line(ws, n, sh->t0, sh->t_measure, now, &last_ok, &last_ns);
			next_draw = now + 500000000ull;
		}
	}
	if (progress)
		fprintf(stderr, "\r\033[K");
}

/*
 * Replies drained after the end of -d land in an interval that is only a sliver long;
 * its rate would mean nothing, so it joins the interval before it.
 */
static void fold_last_interval(struct load_result *r)
{
	struct load_stats *s = &r->stats;
	double iv_s = (double)s->interval_ns / 1e9;
	if (s->niv < 2 || r->duration_s - (double)(s->niv - 1) * iv_s >= iv_s / 2)
		return;
	struct load_interval *last = &s->iv[s->niv - 1], *prev = &s->iv[s->niv - 2];
	prev->ok += last->ok;
	prev->errors += last->errors;
	hist_merge(&prev->latency, &last->latency);
	hist_release(&last->latency);
	s->niv--;
}

int load_run(const struct load_proto *p, const void *cfg, const struct load_opts *o,
	     const struct load_target *t, struct load_result *r, struct strbuf *err)
{
	struct load_shared sh = { .proto = p, .cfg = cfg, .opts = o, .target = t };
	struct worker *ws = NULL;
	unsigned n = o->threads, started = 0;
	uint64_t connected = 0, wall0, end = 0, last_done = 0, max_done = 0;
	bool progress = o->progress < 0 ? log_stderr_is_tty() : o->progress;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (resolve(&sh, err))
		return -1;
	ws = xcalloc(n, sizeof(*ws));
	for (unsigned i = 0; i < n; i++)
		worker_init(&ws[i], i, &sh);
	for (; started < n; started++) {
		if (pthread_create(&ws[started].thread, NULL, worker_main, &ws[started])) {
			error(err, "cannot start worker thread %u", started);
			sh.abort = true;
			break;
		}
	}
	/* Every started worker connects, then waits for the clock. */
	while (__atomic_load_n(&sh.nready, __ATOMIC_ACQUIRE) < started)
		sleep_us(1000);
	for (unsigned i = 0; i < started; i++) {
		connected += ws[i].progress.connected;
		if (ws[i].errbuf[0] && !sh.abort) {
			error(err, "%s", ws[i].errbuf);
			sh.abort = true;
		}
	}
	if (!connected && !sh.abort) {
		const char *why = "";
		for (unsigned i = 0; i < n && !*why; i++)
			why = ws[i].stats.note[LOAD_ERR_CONNECT];
		error(err, "%s", *why ? why : "cannot connect");
		sh.abort = true;
	}
	wall0 = wall_ns();
	sh.t0 = mono_ns();
	sh.t_measure = sh.t0 + o->warmup_us * 1000;
	sh.t_end = o->requests ? UINT64_MAX : sh.t_measure + o->duration_us * 1000;
	__atomic_store_n(&sh.go, 1, __ATOMIC_RELEASE);
	if (!sh.abort)
		watch(&sh, ws, n, progress);
	for (unsigned i = 0; i < started; i++)
		pthread_join(ws[i].thread, NULL);
	if (sh.abort)
		goto out;

	r->proto = p;
	r->cfg = cfg;
	r->opts = o;
	r->target = t;
	r->started_wall_ns = wall0 + o->warmup_us * 1000;
	load_stats_init(&r->stats, t->nkinds, (uint64_t)o->interval_ms * 1000000ull);
	for (unsigned i = 0; i < n; i++) {
		load_stats_merge(&r->stats, &ws[i].stats);
		if (ws[i].last_done_ns > last_done)
			last_done = ws[i].last_done_ns;
		if (ws[i].progress.done_ns > max_done)
			max_done = ws[i].progress.done_ns;
		if (i == 0) {
			r->proto_ts = ws[0].tstate;
			ws[0].tstate = NULL; /* now owned by r */
		} else if (p->thread_merge && r->proto_ts) {
			p->thread_merge(cfg, r->proto_ts, ws[i].tstate);
		}
	}
	/* The window ends with the last reply, or at -d's end if the schedule ran on. */
	end = last_done;
	if (!o->requests) {
		uint64_t stop = max_done < sh.t_end ? max_done : sh.t_end;
		if (stop > end)
			end = stop;
	}
	r->duration_s = end > sh.t_measure ? (double)(end - sh.t_measure) / 1e9 : 0;
	fold_last_interval(r);
	ret = 0;
out:
	for (unsigned i = 0; i < n; i++)
		worker_release(&ws[i]);
	free(ws);
	return ret;
}

void load_result_release(struct load_result *r)
{
	if (r->proto_ts && r->proto && r->proto->thread_free)
		r->proto->thread_free(r->cfg, r->proto_ts);
	if (r->proto)
		load_stats_release(&r->stats);
	memset(r, 0, sizeof(*r));
}

double load_result_rps(const struct load_result *r)
{
	return r->duration_s > 0 ? (double)r->stats.ok / r->duration_s : 0;
}

void load_request_stop(void)
{
	load_stop_requested = 1;
}
