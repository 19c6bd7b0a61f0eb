#include "load/core/run.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/*
 * Progress while a run goes on, drawn by the main thread from the counters the workers
 * publish (relaxed loads, never a lock): a live line on a terminal (at most 4 times a
 * second, cleared at the end), otherwise one plain line every --progress-interval, so
 * that a client job's log (`hpcbench logs -f`) shows it.
 */
struct progress {
	bool live;	   /* redraw one line in place (a terminal, or --progress) */
	uint64_t plain_ns; /* period of plain lines; 0 = none */
	uint64_t next_live, next_plain;
	uint64_t ring_done[4], ring_ns[4]; /* the last live lines: req/s over about 1 s */
	unsigned ring_i;
	uint64_t plain_done, plain_ns0; /* counts at the last plain line */
	uint64_t measure_done;		/* requests done when the measured part began */
	bool measuring, lag_warned;
};

/* What the workers published, summed (counts) or the worst (percentiles). */
struct progress_sample {
	uint64_t ok, errors, p99, lag_p99;
};

static void progress_read(struct worker *ws, unsigned n, struct progress_sample *ps)
{
	memset(ps, 0, sizeof(*ps));
	for (unsigned i = 0; i < n; i++) {
		uint64_t v;
		ps->ok += __atomic_load_n(&ws[i].progress.ok, __ATOMIC_RELAXED);
		ps->errors += __atomic_load_n(&ws[i].progress.errors, __ATOMIC_RELAXED);
		v = __atomic_load_n(&ws[i].progress.p99, __ATOMIC_RELAXED);
		ps->p99 = v > ps->p99 ? v : ps->p99;
		v = __atomic_load_n(&ws[i].progress.lag_p99, __ATOMIC_RELAXED);
		ps->lag_p99 = v > ps->lag_p99 ? v : ps->lag_p99;
	}
}

/*
 * Seconds left: of this run (by the clock with -d, by the current rate with -n), plus
 * the runs after it in the series (trials x points), each as long as this one.
 */
static double time_left(const struct load_shared *sh, const struct progress *pg, uint64_t done,
			double rate, uint64_t now)
{
	const struct load_opts *o = sh->opts;
	double left, run_len;
	if (!o->requests) {
		uint64_t end = sh->t_end;
		left = end > now ? (double)(end - now) / 1e9 : 0;
	} else if (pg->measuring && rate > 0) {
		uint64_t measured = done - pg->measure_done;
		left = measured < o->requests ? (double)(o->requests - measured) / rate : 0;
	} else {
		return -1;
	}
	run_len = (double)(now - sh->t0) / 1e9 + left;
	unsigned npoints = o->npoints ? o->npoints : 1, point = o->point ? o->point : 1;
	unsigned ntrials = o->ntrials ? o->ntrials : 1, trial = o->trial ? o->trial : 1;
	unsigned after = (npoints - point) + (ntrials - trial) * npoints;
	return left + after * run_len;
}

/* "trial 2/3 point 4/12 " or "". */
static void series_tag(const struct load_opts *o, struct strbuf *sb)
{
	if (o->ntrials > 1)
		strbuf_addf(sb, "trial %u/%u ", o->trial, o->ntrials);
	if (o->npoints > 1)
		strbuf_addf(sb, "point %u/%u ", o->point, o->npoints);
}

/* Open loop: says once that the schedule is not kept (lag p99 above half a period). */
static void lag_check(const struct load_shared *sh, struct progress *pg, uint64_t lag_p99)
{
	const struct load_opts *o = sh->opts;
	double period_ns, limit_ns;
	if (o->rate <= 0 || pg->lag_warned || !pg->measuring)
		return;
	/* Each thread sends every threads/rate s; below 1 ms lag is timer granularity. */
	period_ns = 1e9 * o->threads / o->rate;
	limit_ns = period_ns / 2 > 1e6 ? period_ns / 2 : 1e6;
	if ((double)lag_p99 <= limit_ns)
		return;
	pg->lag_warned = true;
	if (pg->live)
		fputs("\r\033[K", stderr);
	log_warn("open loop behind schedule: lag p99 %.3f ms > %.3f ms (half of %.3f ms "
		 "between a thread's requests, at least 1 ms): requests leave late (try more "
		 "-t/-c or a lower --rate)",
		 (double)lag_p99 / 1e6, limit_ns / 1e6, period_ns / 1e6);
}

/* One progress report (live line or plain line) at now. */
static void progress_report(const struct load_shared *sh, struct progress *pg,
			    const struct progress_sample *ps, bool live, uint64_t now)
{
	struct strbuf sb = STRBUF_INIT;
	uint64_t done = ps->ok + ps->errors;
	/* Live: rate since the line drawn 4 lines ago (1 s at 4 lines a second). */
	uint64_t *last_done = live ? &pg->ring_done[pg->ring_i] : &pg->plain_done;
	uint64_t *last_ns = live ? &pg->ring_ns[pg->ring_i] : &pg->plain_ns0;
	double dt = (double)(now - *last_ns) / 1e9;
	double rate = dt > 0 ? (double)(done - *last_done) / dt : 0;
	double left = time_left(sh, pg, done, rate, now);

	series_tag(sh->opts, &sb);
	strbuf_addf(&sb, "%s %.1f s  %llu requests done  %.0f req/s  %llu errors",
		    now < sh->t_measure ? "warm-up" : "load", (double)(now - sh->t0) / 1e9,
		    (unsigned long long)done, rate, (unsigned long long)ps->errors);
	/* Published when the first interval ends: nothing to show before that. */
	if (ps->p99)
		strbuf_addf(&sb, "  p99 %.1f us", (double)ps->p99 / 1e3);
	if (left >= 0)
		strbuf_addf(&sb, "  %.0f s left", left);
	if (live)
		fprintf(stderr, "\r\033[K%s", sb.buf);
	else
		fprintf(stderr, "hpcbench: progress: %s\n", sb.buf);
	fflush(stderr);
	*last_done = done;
	*last_ns = now;
	if (live)
		pg->ring_i = (pg->ring_i + 1) % 4;
	strbuf_release(&sb);
}

/* Waits for every worker to finish, reporting progress as pg says. */
static void watch(struct load_shared *sh, struct worker *ws, unsigned n, struct progress *pg)
{
	uint64_t now = mono_ns();
	for (unsigned i = 0; i < 4; i++)
		pg->ring_ns[i] = now;
	pg->plain_ns0 = now;
	pg->next_live = now + 250000000ull;
	pg->next_plain = now + pg->plain_ns;
	for (;;) {
		struct progress_sample ps;
		unsigned done = 0;
		for (unsigned i = 0; i < n; i++)
			done += __atomic_load_n(&ws[i].progress.done_ns, __ATOMIC_ACQUIRE) != 0;
		if (done == n)
			break;
		sleep_us(20000);
		now = mono_ns();
		progress_read(ws, n, &ps);
		if (!pg->measuring && now >= sh->t_measure) {
			pg->measuring = true;
			pg->measure_done = ps.ok + ps.errors;
		}
		lag_check(sh, pg, ps.lag_p99);
		if (pg->live && now >= pg->next_live) {
			progress_report(sh, pg, &ps, true, now);
			pg->next_live = now + 250000000ull;
		}
		if (pg->plain_ns && now >= pg->next_plain) {
			progress_report(sh, pg, &ps, false, now);
			pg->next_plain = now + pg->plain_ns;
		}
	}
	if (pg->live)
		fputs("\r\033[K", stderr);
}

/* Plain progress: a line when a run of a series (trials, points) ends, so that a log
 * shows every finished point. */
static void progress_done(const struct load_shared *sh, const struct load_result *r)
{
	struct strbuf sb = STRBUF_INIT;
	series_tag(sh->opts, &sb);
	fprintf(stderr,
		"hpcbench: progress: %sdone %.1f s  %llu requests done  %.0f req/s  %llu errors\n",
		sb.buf, r->duration_s, (unsigned long long)r->stats.sent, load_result_rps(r),
		(unsigned long long)r->stats.errors);
	fflush(stderr);
	strbuf_release(&sb);
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
	struct progress pg = { 0 };
	int ret = -1;

	memset(r, 0, sizeof(*r));
	pg.live = o->progress < 0 ? log_stderr_is_tty() : o->progress;
	if (o->progress && !pg.live)
		pg.plain_ns = (uint64_t)o->progress_interval_ms * 1000000ull;
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
	/* The start barrier: every replica connected, now all begin at the same instant. */
	if (o->start_at_ns && !sh.abort) {
		struct timespec ts = { (time_t)(o->start_at_ns / 1000000000ull),
				       (long)(o->start_at_ns % 1000000000ull) };
		while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) == EINTR &&
		       !load_stop_requested)
			;
	}
	wall0 = wall_ns();
	sh.t0 = mono_ns();
	sh.t_measure = sh.t0 + o->warmup_us * 1000;
	sh.t_end = o->requests ? UINT64_MAX : sh.t_measure + o->duration_us * 1000;
	__atomic_store_n(&sh.go, 1, __ATOMIC_RELEASE);
	if (!sh.abort)
		watch(&sh, ws, n, &pg);
	for (unsigned i = 0; i < started; i++)
		pthread_join(ws[i].thread, NULL);
	if (sh.abort)
		goto out;

	r->proto = p;
	r->cfg = cfg;
	r->opts = o;
	r->target = t;
	r->started_wall_ns = wall0 + o->warmup_us * 1000;
	r->start_late_ns =
	    o->start_at_ns && wall0 > o->start_at_ns ? (int64_t)(wall0 - o->start_at_ns) : 0;
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
	/* The whole measured part, merged: a lag that came after the last check counts. */
	pg.measuring = true;
	pg.live = false;
	lag_check(&sh, &pg, hist_percentile(&r->stats.lag, 99));
	if (pg.plain_ns && (o->ntrials > 1 || o->npoints > 1))
		progress_done(&sh, r);
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
