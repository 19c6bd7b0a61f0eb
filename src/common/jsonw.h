/*
 * A small streaming JSON writer into a strbuf, with commas and nesting handled.
 * Reading JSON uses jansson; writing results is on our side so that numbers are
 * printed exactly as we mean them (integers stay integers, doubles use %.17g or a
 * fixed precision) and nothing is allocated per value.
 *
 *     struct jsonw w; jsonw_init(&w, &sb, 2);
 *     jsonw_obj_open(&w, NULL);
 *     jsonw_str(&w, "schema", "hpcbench.result/1");
 *     jsonw_obj_open(&w, "requests"); jsonw_u64(&w, "sent", n); jsonw_close(&w);
 *     jsonw_close(&w);
 */
#ifndef HPCBENCH_COMMON_JSONW_H
#define HPCBENCH_COMMON_JSONW_H

#include <stdbool.h>
#include <stdint.h>

#include "common/strbuf.h"

#define JSONW_MAX_DEPTH 32

struct jsonw {
	struct strbuf *out;
	int indent; /* spaces per level; 0 = compact, one line */
	int depth;
	bool first[JSONW_MAX_DEPTH]; /* no element written yet at this depth */
	bool is_obj[JSONW_MAX_DEPTH];
};

void jsonw_init(struct jsonw *w, struct strbuf *out, int indent);
/* key is NULL inside arrays and at top level. */
void jsonw_obj_open(struct jsonw *w, const char *key);
void jsonw_arr_open(struct jsonw *w, const char *key);
void jsonw_close(struct jsonw *w);
void jsonw_str(struct jsonw *w, const char *key, const char *val); /* NULL val -> null */
void jsonw_strn(struct jsonw *w, const char *key, const char *val, size_t len);
void jsonw_u64(struct jsonw *w, const char *key, uint64_t val);
void jsonw_i64(struct jsonw *w, const char *key, int64_t val);
/* Non-finite values are written as null. prec < 0: shortest exact (%.17g). */
void jsonw_double(struct jsonw *w, const char *key, double val, int prec);
void jsonw_bool(struct jsonw *w, const char *key, bool val);
void jsonw_null(struct jsonw *w, const char *key);
/* Inserts already-serialized JSON text as a value. */
void jsonw_raw(struct jsonw *w, const char *key, const char *json);

/* Appends s as a JSON string literal (with quotes) to sb. */
void json_escape(struct strbuf *sb, const char *s, size_t len);

#endif
