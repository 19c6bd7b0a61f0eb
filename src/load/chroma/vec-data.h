/*
 * Vectors for the vector-database load: seeded random vectors, the TEXMEX .fvecs/.ivecs
 * files (SIFT, GIST) and the ann-benchmarks HDF5 files (train, test, neighbors), and the
 * exact nearest neighbours computed by brute force (the ground truth of recall).
 *
 * Everything here runs before the clock, on the main thread (brute force starts its own
 * threads and joins them).
 */
#ifndef HPCBENCH_LOAD_CHROMA_VEC_DATA_H
#define HPCBENCH_LOAD_CHROMA_VEC_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

/* A set of n vectors of dim float32 each, row after row. Owns v. */
struct vec_set {
	float *v;
	size_t n;
	unsigned dim;
};

/* Exact neighbours: for each of nq queries, k ids (indices into the base set), nearest first. */
struct vec_truth {
	uint32_t *ids;
	size_t nq;
	unsigned k;
};

/* Chroma's distance functions (l2 is the squared euclidean distance). */
enum vec_space { VEC_L2, VEC_COSINE, VEC_IP };

#define VEC_MAX_DIM 65536

/* "l2", "cosine", "ip". */
const char *vec_space_name(enum vec_space s);
/* Parses a space name (also ann-benchmarks' "euclidean", "angular", "dot"). 0 or -1. */
int vec_space_parse(const char *name, enum vec_space *out);

void vec_set_release(struct vec_set *s);
void vec_truth_release(struct vec_truth *t);

/*
 * n unit-norm vectors with Gaussian components, reproducible: vector i of a stream
 * depends only on (seed, stream, i), so the first 1000 of 5000 are the first 1000 of
 * 1000. Streams 0 (documents) and 1 (queries) never overlap.
 */
void vec_random(struct vec_set *s, size_t n, unsigned dim, uint64_t seed, uint64_t stream);

/*
 * Reads at most max vectors (0: all) of a TEXMEX .fvecs file: per vector an int32 (little
 * endian) dimension, then that many float32. 0, or -1 with "PATH: what is wrong (what
 * would be right)".
 */
int vec_read_fvecs(const char *path, size_t max, struct vec_set *s, struct strbuf *err);
/* The same for .ivecs (int32 neighbour ids, e.g. sift_groundtruth.ivecs). */
int vec_read_ivecs(const char *path, size_t max, struct vec_truth *t, struct strbuf *err);

/* Distance of a and b in space (what Chroma reports: l2 squared, 1 - cos, 1 - dot). */
float vec_distance(enum vec_space s, const float *a, const float *b, unsigned dim);

/*
 * The k nearest of base's first nbase vectors to each query, by exhaustive search over
 * threads (0: one per online CPU). Fills out (owned by the caller).
 */
void vec_brute_force(const struct vec_set *base, size_t nbase, const struct vec_set *queries,
		     enum vec_space s, unsigned k, unsigned threads, struct vec_truth *out);

#endif
