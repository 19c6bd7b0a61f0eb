/* ann-benchmarks datasets: HDF5 files with train, test, neighbors and a distance attribute. */
#ifndef HPCBENCH_LOAD_CHROMA_VEC_HDF5_H
#define HPCBENCH_LOAD_CHROMA_VEC_HDF5_H

#include <stddef.h>

#include "common/strbuf.h"
#include "load/chroma/vec-data.h"

/*
 * Reads an ann-benchmarks HDF5 file: datasets "train" and "test" (float), "neighbors"
 * (int; absent: t->ids stays NULL) and the file attribute "distance" into *space when it
 * names one (*space_found = 1). max_train caps the train rows read (0: all). 0, or -1
 * with "PATH: what is wrong".
 */
int vec_read_hdf5(const char *path, size_t max_train, struct vec_set *train, struct vec_set *test,
		  struct vec_truth *t, enum vec_space *space, int *space_found, struct strbuf *err);

#endif
