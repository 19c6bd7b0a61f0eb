#include "load/core/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

void load_stats_init(struct load_stats *s, unsigned nkinds, uint64_t interval_ns)
{
	memset(s, 0, sizeof(*s));
	hist_init(&s->latency, HIST_PRECISE_BITS);
	hist_init(&s->service, HIST_PRECISE_BITS);
	hist_init(&s->lag, HIST_PRECISE_BITS);
	s->nkinds = nkinds;
	s->kinds = xcalloc(nkinds ? nkinds : 1, sizeof(*s->kinds));
	s->interval_ns = interval_ns ? interval_ns : 1000000000ull;
}

void load_stats_release(struct load_stats *s)
{
	hist_release(&s->latency);
	hist_release(&s->service);
	hist_release(&s->lag);
	for (unsigned i = 0; i < s->nkinds; i++)
		hist_release(&s->kinds[i].latency);
	free(s->kinds);
	for (size_t i = 0; i < s->niv; i++)
		hist_release(&s->iv[i].latency);
	free(s->iv);
	memset(s, 0, sizeof(*s));
}

/*
 * Halves the series: adjacent intervals merge and the interval doubles, so that a long
 * run keeps at most LOAD_MAX_INTERVALS of them (fixed memory, whatever the duration).
 */
static void coarsen(struct load_stats *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->niv; i += 2, n++) {
		struct load_interval merged = s->iv[i];
		if (i + 1 < s->niv) {
			merged.ok += s->iv[i + 1].ok;
			merged.errors += s->iv[i + 1].errors;
			hist_merge(&merged.latency, &s->iv[i + 1].latency);
			hist_release(&s->iv[i + 1].latency);
		}
		s->iv[n] = merged;
	}
	s->niv = n;
	s->interval_ns *= 2;
}

/* The interval that time t (ns since t0) falls into, growing the series as needed. */
static struct load_interval *interval_at(struct load_stats *s, uint64_t since_t0)
{
	size_t i;
	while ((i = since_t0 / s->interval_ns) >= LOAD_MAX_INTERVALS)
		coarsen(s);
	if (i >= s->niv) {
		ALLOC_GROW(s->iv, i + 1, s->alloc_iv);
		for (size_t j = s->niv; j <= i; j++) {
			memset(&s->iv[j], 0, sizeof(s->iv[j]));
			hist_init(&s->iv[j].latency, HIST_COARSE_BITS);
		}
		s->niv = i + 1;
	}
	return &s->iv[i];
}

void load_stats_record(struct load_stats *s, const struct load_req *req, uint64_t done_ns,
		       uint64_t t0)
{
	struct load_kind_stats *k = &s->kinds[req->kind < s->nkinds ? req->kind : 0];
	struct load_interval *iv;
	uint64_t latency = done_ns > req->intended_ns ? done_ns - req->intended_ns : 0;

	if (req->warmup) {
		s->warm_sent++;
		if (req->err == LOAD_OK)
			s->warm_ok++;
		else
			s->warm_errors++;
		return;
	}
	s->sent++;
	iv = interval_at(s, done_ns > t0 ? done_ns - t0 : 0);
	if (req->err != LOAD_OK) {
		s->errors++;
		s->err[req->err < LOAD_MAX_ERR_KINDS ? req->err : LOAD_ERR_PROTOCOL]++;
		k->errors++;
		iv->errors++;
		return;
	}
	s->ok++;
	k->ok++;
	iv->ok++;
	hist_record(&s->latency, latency);
	hist_record(&s->service, done_ns > req->sent_ns ? done_ns - req->sent_ns : 0);
	hist_record(&s->lag, req->sent_ns > req->intended_ns ? req->sent_ns - req->intended_ns : 0);
	if (!k->latency.counts)
		hist_init(&k->latency, HIST_PRECISE_BITS);
	hist_record(&k->latency, latency);
	hist_record(&iv->latency, latency);
}

void load_stats_note(struct load_stats *s, unsigned kind, const char *msg)
{
	if (kind >= LOAD_MAX_ERR_KINDS || s->note[kind][0])
		return;
	snprintf(s->note[kind], sizeof(s->note[kind]), "%s", msg);
}

void load_stats_merge(struct load_stats *dst, const struct load_stats *src)
{
	dst->sent += src->sent;
	dst->ok += src->ok;
	dst->errors += src->errors;
	dst->dropped += src->dropped;
	for (unsigned i = 0; i < LOAD_MAX_ERR_KINDS; i++) {
		dst->err[i] += src->err[i];
		if (!dst->note[i][0])
			memcpy(dst->note[i], src->note[i], sizeof(dst->note[i]));
	}
	hist_merge(&dst->latency, &src->latency);
	hist_merge(&dst->service, &src->service);
	hist_merge(&dst->lag, &src->lag);
	for (unsigned i = 0; i < dst->nkinds && i < src->nkinds; i++) {
		struct load_kind_stats *d = &dst->kinds[i];
		const struct load_kind_stats *k = &src->kinds[i];
		d->ok += k->ok;
		d->errors += k->errors;
		if (k->latency.counts) {
			if (!d->latency.counts)
				hist_init(&d->latency, HIST_PRECISE_BITS);
			hist_merge(&d->latency, &k->latency);
		}
	}
	/* A thread may have coarsened its series more than another: meet at the coarser. */
	while (dst->interval_ns < src->interval_ns)
		coarsen(dst);
	for (size_t i = 0; i < src->niv; i++) {
		struct load_interval *d = interval_at(dst, i * src->interval_ns);
		d->ok += src->iv[i].ok;
		d->errors += src->iv[i].errors;
		hist_merge(&d->latency, &src->iv[i].latency);
	}
	dst->warm_sent += src->warm_sent;
	dst->warm_ok += src->warm_ok;
	dst->warm_errors += src->warm_errors;
}
