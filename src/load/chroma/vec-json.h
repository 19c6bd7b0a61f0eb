/*
 * Embeddings on the wire: float32 vectors as JSON number arrays (the only form Chroma's
 * query accepts) and as base64 strings of little-endian float32 (what its add accepts
 * when /api/v2/pre-flight-checks says supports_base64_encoding).
 *
 * Numbers are written with 9 significant digits, which is enough for every float32 to
 * read back as itself, without printf (a 1536-float vector costs microseconds).
 */
#ifndef HPCBENCH_LOAD_CHROMA_VEC_JSON_H
#define HPCBENCH_LOAD_CHROMA_VEC_JSON_H

#include <stddef.h>

#include "common/strbuf.h"

#define VEC_FLOAT_MAX_CHARS 16 /* "-1.23456789e-38" and a spare */

/* Writes f as a JSON number into out (no NUL); returns its length. NaN and inf write 0. */
size_t vec_fmt_float(char *out, float f);
/* Appends "[v0,v1,...]". */
void vec_json_array(struct strbuf *sb, const float *v, unsigned dim);
/* Appends "\"BASE64\"": the dim floats as little-endian float32 bytes, base64 encoded. */
void vec_json_base64(struct strbuf *sb, const float *v, unsigned dim);

#endif
