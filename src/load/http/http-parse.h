/*
 * Incremental HTTP/1.1 response parser for the load generator.
 *
 * Fed whatever bytes arrived (one byte or many responses at once), it walks the status
 * line and headers, then the body (Content-Length, chunked, or until the connection
 * closes) and stops at the end of each response, so that pipelined responses are taken
 * one at a time. Body bytes are never buffered here: they are handed to an optional
 * callback as they arrive, each piece with the timestamp the caller gave for the read
 * that carried it (the LLM client times tokens with it). Header bytes are parsed in
 * place; only a header line split across two reads is copied, into a buffer capped at
 * max_header bytes.
 *
 *     struct http_parser p;
 *     http_parser_init(&p, 0);
 *     for each read: while (len) {
 *             size_t used;
 *             int r = http_parse(&p, buf, len, now_ns, &used);
 *             buf += used, len -= used;
 *             if (r == HTTP_PARSE_DONE) { ... p.status ... http_parser_reset(&p); }
 *             else if (r == HTTP_PARSE_ERROR) { ... p.error ... close; }
 *             else break; // HTTP_PARSE_MORE: all bytes used
 *     }
 *     on EOF: http_parse_eof(&p) says whether a close-delimited body ended cleanly.
 */
#ifndef HPCBENCH_LOAD_HTTP_PARSE_H
#define HPCBENCH_LOAD_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

#define HTTP_DEFAULT_MAX_HEADER (64u * 1024)  /* status line + all headers */
#define HTTP_DEFAULT_MAX_BODY (1024ull << 20) /* declared or chunked body total */

enum http_parse_result {
	HTTP_PARSE_ERROR = -1, /* malformed or over a cap: p->error says why; close */
	HTTP_PARSE_MORE = 0,   /* every byte given was used; feed more */
	HTTP_PARSE_DONE = 1,   /* one whole response ended; *used may be < len (pipelining) */
};

/*
 * Called with each piece of body as it arrives (already de-chunked), with the
 * timestamp passed to http_parse. Returns 0, or -1 to abort the response (the parse
 * then fails with the error "body rejected").
 */
typedef int (*http_body_fn)(void *ctx, const char *data, size_t len, uint64_t ts_ns);

enum http_state {
	HS_STATUS,	/* reading the status line */
	HS_HEADER,	/* reading header lines */
	HS_BODY_LENGTH, /* Content-Length body: body_left bytes to go */
	HS_CHUNK_SIZE,	/* chunked: the size line */
	HS_CHUNK_DATA,	/* chunked: body_left bytes of the current chunk */
	HS_CHUNK_CRLF,	/* chunked: the CRLF after a chunk's data */
	HS_TRAILER,	/* chunked: trailer lines up to the empty line */
	HS_BODY_EOF,	/* no length: the body ends when the server closes */
	HS_DONE,	/* a response ended; http_parser_reset before the next */
};

struct http_parser {
	/* Settings (set after init, kept by reset). */
	size_t max_header; /* cap on status line + headers, bytes */
	uint64_t max_body; /* cap on the body, bytes */
	bool head_request; /* the request was HEAD: the response has no body */
	http_body_fn on_body;
	void *body_ctx;

	/* The response being parsed (valid once headers are done). */
	int status;	   /* e.g. 200 */
	int minor_version; /* HTTP/1.x */
	bool keep_alive;   /* the connection may carry another request afterwards */
	bool chunked;
	bool has_length;
	uint64_t content_length;
	uint64_t body_bytes; /* body bytes delivered so far */
	uint64_t header_bytes;
	const char *error; /* static reason after HTTP_PARSE_ERROR */

	/* Internal. */
	enum http_state state;
	uint64_t body_left;
	uint32_t interim;   /* 1xx responses skipped */
	bool crlf_cr;	    /* HS_CHUNK_CRLF: the CR was seen */
	struct strbuf line; /* a header line split across reads (capped) */
};

/* Initializes p with the default caps; flags reserved (0). */
void http_parser_init(struct http_parser *p, unsigned flags);
/* Gets ready for the next response on the same connection; keeps settings and buffers. */
void http_parser_reset(struct http_parser *p);
/* Frees the line buffer. */
void http_parser_release(struct http_parser *p);

/* Feeds len bytes read at ts_ns; sets *used to the bytes consumed. See enum above. */
int http_parse(struct http_parser *p, const char *buf, size_t len, uint64_t ts_ns, size_t *used);

/*
 * The peer closed the connection: returns HTTP_PARSE_DONE if that ends a body read
 * until close, HTTP_PARSE_MORE if no byte of a response had arrived yet, else
 * HTTP_PARSE_ERROR (a cut response; p->error says where).
 */
int http_parse_eof(struct http_parser *p);

/* True while the parser has begun a response that has not ended. */
bool http_parser_busy(const struct http_parser *p);

#endif
