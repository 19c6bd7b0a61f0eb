/* Vector sets, TEXMEX files and brute-force ground truth: see vec-data.h. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/xalloc.h"
#include "load/chroma/vec-data.h"

const char *vec_space_name(enum vec_space s)
{
	static const char *const names[] = {
		[VEC_L2] = "l2", [VEC_COSINE] = "cosine", [VEC_IP] = "ip"
	};
	return names[s];
}

int vec_space_parse(const char *name, enum vec_space *out)
{
	static const struct {
		const char *name;
		enum vec_space s;
	} names[] = {
		{ "l2", VEC_L2 },	   { "euclidean", VEC_L2 }, { "cosine", VEC_COSINE },
		{ "angular", VEC_COSINE }, { "ip", VEC_IP },	    { "dot", VEC_IP },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(name, names[i].name)) {
			*out = names[i].s;
			return 0;
		}
	return -1;
}

void vec_set_release(struct vec_set *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void vec_truth_release(struct vec_truth *t)
{
	free(t->ids);
	memset(t, 0, sizeof(*t));
}

/* splitmix64: a good 64-bit mix, enough to seed a vector's own generator. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* A uniform double in (0, 1) from the generator state (splitmix64 steps). */
static double next_unit(uint64_t *st)
{
	*st += 0x9e3779b97f4a7c15ull;
	uint64_t x = mix64(*st);
	return ((double)(x >> 11) + 0.5) / 9007199254740992.0;
}

void vec_random(struct vec_set *s, size_t n, unsigned dim, uint64_t seed, uint64_t stream)
{
	s->n = n;
	s->dim = dim;
	s->v = xmalloc((n ? n : 1) * dim * sizeof(float));
	for (size_t i = 0; i < n; i++) {
		float *row = s->v + i * dim;
		uint64_t st = mix64(mix64(seed ^ (stream << 56)) ^ i);
		double norm = 0;
		/* Box-Muller, two Gaussians per pair of uniforms. */
		for (unsigned j = 0; j < dim; j += 2) {
			double r = sqrt(-2.0 * log(next_unit(&st)));
			double a = 2.0 * M_PI * next_unit(&st);
			row[j] = (float)(r * cos(a));
			if (j + 1 < dim)
				row[j + 1] = (float)(r * sin(a));
		}
		for (unsigned j = 0; j < dim; j++)
			norm += (double)row[j] * row[j];
		norm = norm > 0 ? 1.0 / sqrt(norm) : 0;
		for (unsigned j = 0; j < dim; j++)
			row[j] = (float)(row[j] * norm);
	}
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Reads a TEXMEX file of records "int32 d, then d 4-byte values" into a fresh array
 * (the values, byte-swapped to host order, without the dimension words).
 */
static int read_texmex(const char *path, const char *what, size_t max, void **out, size_t *n,
		       unsigned *dim, struct strbuf *err)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	unsigned char hdr[4];
	size_t rec, nrec, i;
	uint32_t d;
	unsigned char *buf = NULL;

	if (!f)
		return error(err, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		fclose(f);
		return error(err, "%s: not a regular file", path);
	}
	if (fread(hdr, 1, 4, f) != 4) {
		fclose(f);
		return error(err,
			     "%s: empty or shorter than 4 bytes (a %s file starts with an "
			     "int32 dimension)",
			     path, what);
	}
	d = le32(hdr);
	if (d == 0 || d > VEC_MAX_DIM) {
		fclose(f);
		return error(err,
			     "%s: first dimension word is %u (a %s file holds an int32 "
			     "dimension from 1 to %u before each vector)",
			     path, (unsigned)d, what, VEC_MAX_DIM);
	}
	rec = 4 + 4 * (size_t)d;
	if ((uint64_t)st.st_size % rec) {
		fclose(f);
		return error(err,
			     "%s: %lld bytes is not a whole number of %zu-byte records (dimension "
			     "%u: 4 + 4 x %u bytes per vector); the file is cut or not a %s file",
			     path, (long long)st.st_size, rec, (unsigned)d, (unsigned)d, what);
	}
	nrec = (size_t)st.st_size / rec;
	if (max && nrec > max)
		nrec = max;
	buf = xmalloc(nrec * 4 * (size_t)d + 1);
	rewind(f);
	for (i = 0; i < nrec; i++) {
		unsigned char *row = buf + i * 4 * (size_t)d;
		if (fread(hdr, 1, 4, f) != 4 || fread(row, 4, d, f) != d) {
			fclose(f);
			free(buf);
			return error(err, "%s: read error at vector %zu", path, i);
		}
		if (le32(hdr) != d) {
			fclose(f);
			free(buf);
			return error(err,
				     "%s: vector %zu (byte %zu) has dimension %u, the first has %u "
				     "(every vector of a %s file has the same dimension)",
				     path, i, i * rec, (unsigned)le32(hdr), (unsigned)d, what);
		}
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		for (size_t j = 0; j < d; j++) {
			uint32_t v = le32(row + 4 * j);
			memcpy(row + 4 * j, &v, 4);
		}
#endif
	}
	fclose(f);
	*out = buf;
	*n = nrec;
	*dim = d;
	return 0;
}

int vec_read_fvecs(const char *path, size_t max, struct vec_set *s, struct strbuf *err)
{
	void *v;
	memset(s, 0, sizeof(*s));
	if (read_texmex(path, ".fvecs", max, &v, &s->n, &s->dim, err) < 0)
		return -1;
	s->v = v;
	for (size_t i = 0; i < s->n * s->dim; i++)
		if (!isfinite(s->v[i])) {
			size_t row = i / s->dim;
			vec_set_release(s);
			return error(err,
				     "%s: vector %zu holds a value that is not a finite number",
				     path, row);
		}
	return 0;
}

int vec_read_ivecs(const char *path, size_t max, struct vec_truth *t, struct strbuf *err)
{
	void *v;
	memset(t, 0, sizeof(*t));
	if (read_texmex(path, ".ivecs", max, &v, &t->nq, &t->k, err) < 0)
		return -1;
	t->ids = v;
	return 0;
}

static float dot(const float *a, const float *b, unsigned dim)
{
	/* Eight partial sums: independent chains the compiler can keep in flight. */
	float s[8] = { 0 };
	unsigned j = 0;
	for (; j + 8 <= dim; j += 8)
		for (unsigned u = 0; u < 8; u++)
			s[u] += a[j + u] * b[j + u];
	for (; j < dim; j++)
		s[0] += a[j] * b[j];
	return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

static float l2sq(const float *a, const float *b, unsigned dim)
{
	float s[8] = { 0 };
	unsigned j = 0;
	for (; j + 8 <= dim; j += 8)
		for (unsigned u = 0; u < 8; u++) {
			float d = a[j + u] - b[j + u];
			s[u] += d * d;
		}
	for (; j < dim; j++) {
		float d = a[j] - b[j];
		s[0] += d * d;
	}
	return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

float vec_distance(enum vec_space s, const float *a, const float *b, unsigned dim)
{
	switch (s) {
	case VEC_L2:
		return l2sq(a, b, dim);
	case VEC_IP:
		return 1.0f - dot(a, b, dim);
	case VEC_COSINE: {
		float na = dot(a, a, dim), nb = dot(b, b, dim);
		if (na <= 0 || nb <= 0)
			return 1.0f;
		return 1.0f - dot(a, b, dim) / sqrtf(na * nb);
	}
	}
	return 0;
}

struct bf_job {
	const struct vec_set *base, *queries;
	size_t nbase;
	enum vec_space space;
	unsigned k;
	const float *inv_norm; /* cosine: 1/|base_i| */
	struct vec_truth *out;
	size_t q0, q1; /* this thread's queries */
};

/* Sifts the worst of a max-heap of (dist, id) down after its root was replaced. */
static void heap_down(float *d, uint32_t *id, unsigned n, unsigned i)
{
	for (;;) {
		unsigned l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && d[l] > d[m])
			m = l;
		if (r < n && d[r] > d[m])
			m = r;
		if (m == i)
			return;
		float td = d[i];
		uint32_t ti = id[i];
		d[i] = d[m], id[i] = id[m];
		d[m] = td, id[m] = ti;
		i = m;
	}
}

static void *bf_thread(void *arg)
{
	struct bf_job *j = arg;
	unsigned dim = j->base->dim, k = j->k;
	float *hd = xmalloc(k * sizeof(float));
	uint32_t *hid = xmalloc(k * sizeof(uint32_t));

	for (size_t q = j->q0; q < j->q1; q++) {
		const float *qv = j->queries->v + q * dim;
		float qn = 1;
		unsigned n = 0;
		if (j->space == VEC_COSINE) {
			float s = dot(qv, qv, dim);
			qn = s > 0 ? 1.0f / sqrtf(s) : 0;
		}
		for (size_t i = 0; i < j->nbase; i++) {
			const float *bv = j->base->v + i * dim;
			float d;
			if (j->space == VEC_L2)
				d = l2sq(qv, bv, dim);
			else if (j->space == VEC_IP)
				d = 1.0f - dot(qv, bv, dim);
			else
				d = 1.0f - dot(qv, bv, dim) * qn * j->inv_norm[i];
			if (n < k) {
				/* Fill, then heapify once full. */
				hd[n] = d;
				hid[n++] = (uint32_t)i;
				if (n == k)
					for (unsigned h = k / 2; h-- > 0;)
						heap_down(hd, hid, k, h);
			} else if (d < hd[0]) {
				hd[0] = d;
				hid[0] = (uint32_t)i;
				heap_down(hd, hid, k, 0);
			}
		}
		if (n < k)
			for (unsigned h = n / 2; h-- > 0;)
				heap_down(hd, hid, n, h);
		/* Pop the heap from the worst: the row ends up nearest first. */
		uint32_t *row = j->out->ids + q * k;
		for (unsigned m = n; m > 0; m--) {
			row[m - 1] = hid[0];
			hd[0] = hd[m - 1];
			hid[0] = hid[m - 1];
			heap_down(hd, hid, m - 1, 0);
		}
		for (unsigned m = n; m < k; m++)
			row[m] = UINT32_MAX; /* fewer documents than k */
	}
	free(hd);
	free(hid);
	return NULL;
}

void vec_brute_force(const struct vec_set *base, size_t nbase, const struct vec_set *queries,
		     enum vec_space s, unsigned k, unsigned threads, struct vec_truth *out)
{
	float *inv = NULL;
	struct bf_job *jobs;
	pthread_t *tids;
	bool *started;

	if (!threads) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		threads = c > 0 ? (unsigned)(c < 256 ? c : 256) : 1;
	}
	if (threads > queries->n)
		threads = queries->n ? (unsigned)queries->n : 1;
	out->nq = queries->n;
	out->k = k;
	out->ids = xcalloc(queries->n ? queries->n * k : 1, sizeof(uint32_t));
	if (s == VEC_COSINE) {
		inv = xmalloc((nbase ? nbase : 1) * sizeof(float));
		for (size_t i = 0; i < nbase; i++) {
			float n2 = dot(base->v + i * base->dim, base->v + i * base->dim, base->dim);
			inv[i] = n2 > 0 ? 1.0f / sqrtf(n2) : 0;
		}
	}
	jobs = xcalloc(threads, sizeof(*jobs));
	tids = xcalloc(threads, sizeof(*tids));
	started = xcalloc(threads, sizeof(*started));
	for (unsigned t = 0; t < threads; t++) {
		jobs[t] = (struct bf_job){ .base = base,
					   .queries = queries,
					   .nbase = nbase,
					   .space = s,
					   .k = k,
					   .inv_norm = inv,
					   .out = out,
					   .q0 = queries->n * t / threads,
					   .q1 = queries->n * (t + 1) / threads };
	}
	/* Thread 0's share runs here; a thread that cannot start runs here too. */
	for (unsigned t = 1; t < threads; t++) {
		if (pthread_create(&tids[t], NULL, bf_thread, &jobs[t])) {
			bf_thread(&jobs[t]);
			continue;
		}
		started[t] = true;
	}
	bf_thread(&jobs[0]);
	for (unsigned t = 1; t < threads; t++)
		if (started[t])
			pthread_join(tids[t], NULL);
	free(started);
	free(jobs);
	free(tids);
	free(inv);
}
