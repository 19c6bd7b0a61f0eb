/*
 * Incremental parser of Redis replies (RESP2, and RESP3's scalar, blob and aggregate
 * types): it finds where one whole reply ends, however the bytes are split, without
 * buffering anything. Bulk payloads are skipped as they stream past; a line (simple
 * string, error, integer, length header) that is not complete yet is left unconsumed
 * for the caller to give again with more bytes behind it.
 *
 *     struct resp_parser p; resp_parser_init(&p);
 *     r = resp_parse(&p, buf, len, &used);   // RESP_DONE: one reply ended at buf+used
 *     if (r == RESP_DONE && p.is_error) ... p.errmsg ...; resp_parser_reset(&p) is
 *     done by resp_parse itself at the start of the next reply.
 */
#ifndef HPCBENCH_LOAD_RESP_H
#define HPCBENCH_LOAD_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RESP_MAX_DEPTH 16
#define RESP_MAX_LINE 65536		    /* bytes of one line, CRLF included */
#define RESP_MAX_BULK (512ll * 1024 * 1024) /* Redis's own proto-max-bulk-len */
#define RESP_ERRMSG_MAX 128

enum resp_result {
	RESP_ERROR = -1, /* malformed or over a cap; p->error says why */
	RESP_MORE = 0,	 /* no reply ended; *used bytes consumed, keep the rest */
	RESP_DONE = 1,	 /* one whole reply ended after *used bytes */
};

struct resp_parser {
	/* The reply that just ended (valid after RESP_DONE). */
	char type;		      /* its first byte: '+', '-', ':', '$', '*' ... */
	bool is_error;		      /* a top-level error reply (-ERR, !blob error) */
	bool is_null;		      /* $-1, *-1 or RESP3 _ */
	char errmsg[RESP_ERRMSG_MAX]; /* the error line (truncated), for is_error */
	const char *error;	      /* static reason after RESP_ERROR */

	/* Internal. */
	bool started;			   /* inside a reply */
	unsigned depth;			   /* open aggregates */
	int64_t remaining[RESP_MAX_DEPTH]; /* elements still expected at each depth */
	int64_t bulk_left;		   /* payload bytes of the current bulk to skip */
	unsigned crlf_left;		   /* CRLF bytes after a bulk payload still to check */
	bool bulk_is_error;		   /* the current bulk is a top-level blob error */
};

void resp_parser_init(struct resp_parser *p);
/* Feeds len bytes; see enum resp_result. After RESP_ERROR the stream is lost. */
int resp_parse(struct resp_parser *p, const char *buf, size_t len, size_t *used);

#endif
