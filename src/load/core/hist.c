#include "load/core/hist.h"

#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

/* Slots for sub_bits: bucket 0 (2^sub_bits) + one half-bucket per higher power of 2. */
static unsigned hist_nslots(unsigned sub_bits)
{
	return (1u << sub_bits) + (HIST_RANGE_BITS - sub_bits) * (1u << (sub_bits - 1));
}

void hist_init(struct hist *h, unsigned sub_bits)
{
	memset(h, 0, sizeof(*h));
	h->sub_bits = sub_bits;
	h->nslots = hist_nslots(sub_bits);
	h->counts = xcalloc(h->nslots, sizeof(*h->counts));
	h->min = UINT64_MAX;
}

void hist_release(struct hist *h)
{
	free(h->counts);
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void hist_reset(struct hist *h)
{
	if (h->counts)
		memset(h->counts, 0, h->nslots * sizeof(*h->counts));
	h->total = h->above = h->max = 0;
	h->sum = 0;
	h->min = UINT64_MAX;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	if (!src->total)
		return;
	for (unsigned i = 0; i < src->nslots; i++)
		dst->counts[i] += src->counts[i];
	dst->total += src->total;
	dst->above += src->above;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t hist_slot_high(unsigned sub_bits, unsigned i)
{
	unsigned full = 1u << sub_bits, half = full >> 1;
	if (i < full)
		return i;
	unsigned b = (i - full) / half + 1;
	uint64_t sub = (i - full) % half + half;
	return ((sub + 1) << b) - 1;
}

uint64_t hist_percentile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0;
	if (!h->total)
		return 0;
	if (q <= 0)
		return h->min;
	if (q >= 100)
		return h->max;
	/* Nearest rank: the ceil(q/100 * N)-th smallest value (1-based). */
	rank = (uint64_t)((q / 100.0) * (double)h->total);
	if ((double)rank < (q / 100.0) * (double)h->total)
		rank++;
	if (rank < 1)
		rank = 1;
	for (unsigned i = 0; i < h->nslots; i++) {
		seen += h->counts[i];
		if (seen >= rank) {
			uint64_t v = hist_slot_high(h->sub_bits, i);
			if (v > h->max)
				v = h->max;
			if (v < h->min)
				v = h->min;
			return v;
		}
	}
	return h->max; /* the rank falls among values above the range */
}

double hist_mean(const struct hist *h)
{
	return h->total ? h->sum / (double)h->total : 0;
}
