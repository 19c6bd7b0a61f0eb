/*
 * A validating, allocation-free JSON scanner for the hot path of streaming clients.
 *
 * Decoding every streamed chunk into a tree (jansson) would cost more than the rest of
 * the client's work per token; the LLM client only needs a handful of scalar fields
 * (delta content, usage counts, Ollama timings). jscan walks the text once, checks it
 * is well-formed JSON, and calls a visitor for every scalar with its dotted path:
 *
 *     {"choices":[{"delta":{"content":"Hi"}}],"usage":{"prompt_tokens":9}}
 *     -> "choices.0.delta.content" string Hi, "usage.prompt_tokens" number 9
 *
 * Strings are passed raw (between the quotes, escapes not decoded). Keys containing a
 * '.' or paths longer than JSCAN_MAX_PATH are still scanned but reported with
 * truncated=true, so they never match a wanted path by accident.
 */
#ifndef HPCBENCH_LOAD_JSCAN_H
#define HPCBENCH_LOAD_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSCAN_MAX_DEPTH 32
#define JSCAN_MAX_PATH 192

enum jscan_type {
	JSCAN_STRING,
	JSCAN_NUMBER,
	JSCAN_TRUE,
	JSCAN_FALSE,
	JSCAN_NULL,
	JSCAN_OBJECT, /* reported when an object or array opens (val is NULL) */
	JSCAN_ARRAY,
};

struct jscan_value {
	const char *path; /* NUL-terminated, valid during the call; "" for the top level */
	size_t path_len;
	bool truncated;
	enum jscan_type type;
	const char *val; /* raw bytes: string contents without quotes, or the number */
	size_t len;
	bool escaped; /* a string that contains backslash escapes */
};

typedef void (*jscan_fn)(void *ctx, const struct jscan_value *v);

/* Scans one JSON value (surrounding whitespace allowed). Returns 0, or -1 if malformed. */
int jscan(const char *s, size_t n, jscan_fn fn, void *ctx);

/* Parses a JSON number's raw text as an unsigned integer (a fraction is cut); 0 or -1. */
int jscan_u64(const char *val, size_t len, uint64_t *out);
/* Parses a JSON number's raw text as a double; 0 or -1. */
int jscan_double(const char *val, size_t len, double *out);
/* Length of a raw JSON string once its escapes are decoded (a \uXXXX escape counts as 1). */
size_t jscan_strlen(const char *val, size_t len);

#endif
