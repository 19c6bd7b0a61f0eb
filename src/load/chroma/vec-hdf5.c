/* ann-benchmarks HDF5 datasets through libhdf5: see vec-hdf5.h. */
#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/xalloc.h"
#include "load/chroma/vec-hdf5.h"

/* Opens a two-dimensional dataset name; rows and cols out. Negative id if absent or not 2-d. */
static hid_t open_2d(hid_t f, const char *name, hsize_t *rows, hsize_t *cols)
{
	hid_t ds, sp;
	hsize_t dims[2];
	if (H5Lexists(f, name, H5P_DEFAULT) <= 0)
		return -1;
	ds = H5Dopen2(f, name, H5P_DEFAULT);
	if (ds < 0)
		return -1;
	sp = H5Dget_space(ds);
	if (sp < 0 || H5Sget_simple_extent_ndims(sp) != 2 ||
	    H5Sget_simple_extent_dims(sp, dims, NULL) < 0) {
		if (sp >= 0)
			H5Sclose(sp);
		H5Dclose(ds);
		return -2;
	}
	H5Sclose(sp);
	*rows = dims[0];
	*cols = dims[1];
	return ds;
}

/* Reads the first nrows rows of ds as memtype into buf. */
static int read_rows(hid_t ds, hid_t memtype, hsize_t nrows, hsize_t cols, void *buf)
{
	hsize_t start[2] = { 0, 0 }, count[2] = { nrows, cols };
	hid_t fsp = H5Dget_space(ds), msp;
	int ret = -1;
	if (fsp < 0)
		return -1;
	msp = H5Screate_simple(2, count, NULL);
	if (msp >= 0 && H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
	    H5Dread(ds, memtype, msp, fsp, H5P_DEFAULT, buf) >= 0)
		ret = 0;
	if (msp >= 0)
		H5Sclose(msp);
	H5Sclose(fsp);
	return ret;
}

static int read_floats(hid_t f, const char *path, const char *name, size_t max, struct vec_set *s,
		       struct strbuf *err)
{
	hsize_t rows, cols;
	hid_t ds = open_2d(f, name, &rows, &cols);
	if (ds < 0)
		return error(err,
			     "%s: no two-dimensional dataset '%s' (an ann-benchmarks file "
			     "has train, test and neighbors)",
			     path, name);
	if (!cols || cols > VEC_MAX_DIM || !rows) {
		H5Dclose(ds);
		return error(err,
			     "%s: dataset '%s' is %llu x %llu (want rows >= 1 and 1 to %u "
			     "columns)",
			     path, name, (unsigned long long)rows, (unsigned long long)cols,
			     VEC_MAX_DIM);
	}
	if (max && rows > max)
		rows = max;
	s->n = (size_t)rows;
	s->dim = (unsigned)cols;
	s->v = xmalloc((size_t)rows * (size_t)cols * sizeof(float));
	if (read_rows(ds, H5T_NATIVE_FLOAT, rows, cols, s->v) < 0) {
		H5Dclose(ds);
		vec_set_release(s);
		return error(err, "%s: cannot read dataset '%s' as float", path, name);
	}
	H5Dclose(ds);
	return 0;
}

/* The file attribute "distance" (a fixed or variable length string) into buf. */
static int read_distance(hid_t f, char *buf, size_t size)
{
	hid_t a, t, mt;
	int ret = -1;
	if (H5Aexists(f, "distance") <= 0)
		return -1;
	a = H5Aopen(f, "distance", H5P_DEFAULT);
	if (a < 0)
		return -1;
	t = H5Aget_type(a);
	if (t >= 0 && H5Tget_class(t) == H5T_STRING) {
		if (H5Tis_variable_str(t) > 0) {
			char *v = NULL;
			mt = H5Tcopy(H5T_C_S1);
			H5Tset_size(mt, H5T_VARIABLE);
			if (H5Aread(a, mt, &v) >= 0 && v) {
				snprintf(buf, size, "%s", v);
				H5free_memory(v);
				ret = 0;
			}
			H5Tclose(mt);
		} else {
			size_t n = H5Tget_size(t);
			char *v = xcalloc(1, n + 1);
			mt = H5Tcopy(H5T_C_S1);
			H5Tset_size(mt, n);
			if (H5Aread(a, mt, v) >= 0) {
				snprintf(buf, size, "%s", v);
				ret = 0;
			}
			H5Tclose(mt);
			free(v);
		}
	}
	if (t >= 0)
		H5Tclose(t);
	H5Aclose(a);
	return ret;
}

int vec_read_hdf5(const char *path, size_t max_train, struct vec_set *train, struct vec_set *test,
		  struct vec_truth *t, enum vec_space *space, int *space_found, struct strbuf *err)
{
	hid_t f;
	char dist[64];
	int ret = -1;

	memset(train, 0, sizeof(*train));
	memset(test, 0, sizeof(*test));
	memset(t, 0, sizeof(*t));
	*space_found = 0;
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* errors come back as return values only */
	if (H5Fis_hdf5(path) <= 0)
		return error(err, "%s: not an HDF5 file (or cannot be read)", path);
	f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (f < 0)
		return error(err, "%s: cannot open as HDF5", path);
	if (read_floats(f, path, "train", max_train, train, err) < 0 ||
	    read_floats(f, path, "test", 0, test, err) < 0)
		goto out;
	if (test->dim != train->dim) {
		error(err, "%s: test vectors have dimension %u, train vectors %u", path, test->dim,
		      train->dim);
		goto out;
	}
	hsize_t rows, cols;
	hid_t ds = open_2d(f, "neighbors", &rows, &cols);
	if (ds >= 0) {
		if (rows != test->n || !cols) {
			H5Dclose(ds);
			error(err, "%s: neighbors has %llu rows for %zu test vectors", path,
			      (unsigned long long)rows, test->n);
			goto out;
		}
		t->nq = (size_t)rows;
		t->k = (unsigned)cols;
		t->ids = xmalloc((size_t)rows * (size_t)cols * sizeof(uint32_t));
		if (read_rows(ds, H5T_NATIVE_UINT32, rows, cols, t->ids) < 0) {
			H5Dclose(ds);
			error(err, "%s: cannot read neighbors as integers", path);
			goto out;
		}
		H5Dclose(ds);
	}
	if (!read_distance(f, dist, sizeof(dist)) && !vec_space_parse(dist, space))
		*space_found = 1;
	ret = 0;
out:
	if (ret < 0) {
		vec_set_release(train);
		vec_set_release(test);
		vec_truth_release(t);
	}
	H5Fclose(f);
	return ret;
}
