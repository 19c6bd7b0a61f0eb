/*
 * A small blocking HTTP/1.1 client for set-up work before the clock starts (check a
 * server answers, list or pull an LLM model). Not for load: one request, one
 * connection, a deadline for the whole exchange.
 */
#ifndef HPCBENCH_LOAD_HTTP_CLIENT_H
#define HPCBENCH_LOAD_HTTP_CLIENT_H

#include <stdint.h>

#include "common/strbuf.h"
#include "load/http/http-parse.h"
#include "load/http/http-req.h"

struct http_exchange {
	const char *method;	       /* "GET", "POST" */
	const char *path;	       /* overrides u->path when non-NULL */
	const struct strlist *headers; /* extra headers, or NULL */
	const char *body;	       /* or NULL */
	uint64_t timeout_ms;	       /* for the whole exchange */
	http_body_fn on_body;	       /* streamed body pieces; NULL: collect into body_out */
	void *ctx;
	struct strbuf *body_out; /* when on_body is NULL: the body (capped at 4 MiB) */
	int status;		 /* out: the response status */
};

/*
 * Connects to u, sends one request, reads the whole response. Returns 0 (any HTTP
 * status: see x->status), or -1 with a reason (connect, timeout, malformed reply).
 */
int http_exchange(const struct http_url *u, struct http_exchange *x, struct strbuf *err);

#endif
