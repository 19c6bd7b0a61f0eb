/*
 * vec-tool: helpers for the chroma tests and bench/chroma.sh.
 *
 *   vec-tool encode DIM N       time the embedding encoders: microseconds per vector of
 *                               DIM floats as JSON text and as base64 (N vectors each)
 *   vec-tool hdf5 FILE DIST     write a tiny ann-benchmarks file (train 200 x 8, test
 *                               10 x 8, neighbors 10 x 10 by brute force in l2, the
 *                               "distance" attribute DIST)
 *   vec-tool fvecs FILE N DIM SEED   write N random vectors as .fvecs
 */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/timeutil.h"
#include "load/chroma/vec-data.h"
#include "load/chroma/vec-json.h"

static int encode(unsigned dim, unsigned n)
{
	struct vec_set s;
	struct strbuf sb = STRBUF_INIT;
	uint64_t t0, t1, t2;
	size_t bytes_json = 0, bytes_b64 = 0;
	vec_random(&s, 64, dim, 1, 0);
	t0 = mono_ns();
	for (unsigned i = 0; i < n; i++) {
		strbuf_reset(&sb);
		vec_json_array(&sb, s.v + (i % 64) * dim, dim);
		bytes_json += sb.len;
	}
	t1 = mono_ns();
	for (unsigned i = 0; i < n; i++) {
		strbuf_reset(&sb);
		vec_json_base64(&sb, s.v + (i % 64) * dim, dim);
		bytes_b64 += sb.len;
	}
	t2 = mono_ns();
	printf("dim %u: json %.2f us/vector (%zu bytes), base64 %.2f us/vector (%zu bytes)\n", dim,
	       (double)(t1 - t0) / 1e3 / n, bytes_json / n, (double)(t2 - t1) / 1e3 / n,
	       bytes_b64 / n);
	strbuf_release(&sb);
	vec_set_release(&s);
	return 0;
}

static void write_2d(hid_t f, const char *name, hid_t type, hsize_t r, hsize_t c, const void *d)
{
	hsize_t dims[2] = { r, c };
	hid_t sp = H5Screate_simple(2, dims, NULL);
	hid_t ds = H5Dcreate2(f, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
	H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, d);
	H5Dclose(ds);
	H5Sclose(sp);
}

static int hdf5(const char *path, const char *dist)
{
	struct vec_set train, test;
	struct vec_truth t;
	enum vec_space sp = VEC_L2;
	vec_random(&train, 200, 8, 42, 0);
	vec_random(&test, 10, 8, 42, 1);
	vec_space_parse(dist, &sp);
	vec_brute_force(&train, train.n, &test, sp, 10, 1, &t);
	hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	if (f < 0)
		return 1;
	write_2d(f, "train", H5T_NATIVE_FLOAT, 200, 8, train.v);
	write_2d(f, "test", H5T_NATIVE_FLOAT, 10, 8, test.v);
	write_2d(f, "neighbors", H5T_NATIVE_INT32, 10, 10, t.ids);
	hid_t st = H5Tcopy(H5T_C_S1);
	H5Tset_size(st, strlen(dist));
	hid_t as = H5Screate(H5S_SCALAR);
	hid_t a = H5Acreate2(f, "distance", st, as, H5P_DEFAULT, H5P_DEFAULT);
	H5Awrite(a, st, dist);
	H5Aclose(a);
	H5Sclose(as);
	H5Tclose(st);
	H5Fclose(f);
	vec_set_release(&train);
	vec_set_release(&test);
	vec_truth_release(&t);
	return 0;
}

static int fvecs(const char *path, unsigned n, unsigned dim, unsigned seed)
{
	struct vec_set s;
	FILE *f = fopen(path, "wb");
	if (!f)
		return 1;
	vec_random(&s, n, dim, seed, 0);
	for (unsigned i = 0; i < n; i++) {
		int32_t d = (int32_t)dim;
		fwrite(&d, 4, 1, f);
		fwrite(s.v + (size_t)i * dim, 4, dim, f);
	}
	vec_set_release(&s);
	return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "encode"))
		return encode((unsigned)atoi(argv[2]), (unsigned)atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "hdf5"))
		return hdf5(argv[2], argv[3]);
	if (argc == 6 && !strcmp(argv[1], "fvecs"))
		return fvecs(argv[2], (unsigned)atoi(argv[3]), (unsigned)atoi(argv[4]),
			     (unsigned)atoi(argv[5]));
	fprintf(stderr, "usage: vec-tool encode DIM N | hdf5 FILE DIST | fvecs FILE N DIM SEED\n");
	return 2;
}
