/*
 * The replies of Chroma's REST API on the load path: an HTTP response whose JSON body is
 * collected (capped) and then scanned once. For a query reply, the scan counts how many
 * returned ids are among the exact neighbours (recall); for an error reply it takes the
 * server's message.
 *
 *     struct chroma_reply r; chroma_reply_init(&r);
 *     for each read: switch (chroma_reply_feed(&r, data, len, now, &used)) ...
 *     DONE: r.parser.status, r.body; then chroma_reply_reset(&r)
 */
#ifndef HPCBENCH_LOAD_CHROMA_CHROMA_REPLY_H
#define HPCBENCH_LOAD_CHROMA_CHROMA_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "load/http/http-parse.h"

#define CHROMA_MAX_BODY (256u << 20) /* a reply body larger than this is an error */

struct chroma_reply {
	struct http_parser parser;
	struct strbuf body; /* the body of the response being parsed (grown once, reused) */
};

void chroma_reply_init(struct chroma_reply *r);
/* Ready for the next response on the same connection; keeps the buffers. */
void chroma_reply_reset(struct chroma_reply *r);
void chroma_reply_release(struct chroma_reply *r);
/* Feeds bytes: HTTP_PARSE_MORE, HTTP_PARSE_DONE (a whole response) or HTTP_PARSE_ERROR. */
int chroma_reply_feed(struct chroma_reply *r, const char *data, size_t len, uint64_t now_ns,
		      size_t *used);

/*
 * Scans a query reply for one query ({"ids":[["7","3",...]], ...}): *returned gets the
 * number of ids, *hits how many of them are decimal ids found among truth[0..k) (truth
 * may be NULL: hits 0). Returns 0, or -1 if the body is not JSON with an "ids" list.
 */
int chroma_scan_query(const char *body, size_t len, const uint32_t *truth, unsigned k,
		      unsigned *hits, unsigned *returned);

/*
 * The server's reason from an error body ({"error":"...","message":"..."}): appends
 * "ERROR: message" (or the start of the raw body) to out, at most max bytes.
 */
void chroma_error_text(const char *body, size_t len, struct strbuf *out, size_t max);

#endif
