/*
 * Shared bits of the libFuzzer targets in fuzz/ (see fuzz/README.md). Each target is one
 * fuzz-NAME.c defining LLVMFuzzerTestOneInput; `make fuzz` builds them with clang's
 * -fsanitize=fuzzer,address,undefined,float-cast-overflow and runs each for FUZZ_TIME s.
 */
#ifndef HPCBENCH_FUZZ_FUZZ_H
#define HPCBENCH_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Incremental parsers must give the same answer however the bytes are split: the
 * first input byte picks the size of the pieces (1..256) that the rest is fed in.
 * fuzz_split() strips that byte; fuzz_next() returns the next piece's length.
 */
struct fuzz_split {
	const char *p;
	size_t left, piece;
};

static inline void fuzz_split_init(struct fuzz_split *s, const uint8_t *data, size_t size)
{
	s->piece = size ? (size_t)data[0] + 1 : 1;
	s->p = size ? (const char *)data + 1 : (const char *)data;
	s->left = size ? size - 1 : 0;
}

static inline size_t fuzz_next(struct fuzz_split *s)
{
	return s->left < s->piece ? s->left : s->piece;
}

#endif
