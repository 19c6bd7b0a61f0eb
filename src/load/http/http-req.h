/*
 * HTTP/1.1 request side shared by the HTTP and LLM load clients: URL parsing and the
 * bytes of a request, rendered once before the run so that sending one costs a copy.
 */
#ifndef HPCBENCH_LOAD_HTTP_REQ_H
#define HPCBENCH_LOAD_HTTP_REQ_H

#include <stdbool.h>
#include <stddef.h>

#include "common/strbuf.h"
#include "common/strlist.h"

/* http://HOST[:PORT][/PATH][?QUERY] (IPv6 as [ADDR]). Strings owned by the struct. */
struct http_url {
	char *host;	/* without brackets, for getaddrinfo */
	char *port;	/* "80" when absent */
	char *hostport; /* the Host header value: as written in the URL */
	char *path;	/* "/" when absent; with the query */
};

/* Parses url. 0, or -1 with a reason (https is refused with a hint). */
int http_url_parse(struct http_url *u, const char *url, struct strbuf *err);
void http_url_release(struct http_url *u);

/*
 * Checks a user header "Name: value": a token name, a colon, no CR/LF anywhere.
 * Returns 0 or -1 with a reason.
 */
int http_header_check(const char *line, struct strbuf *err);
/* True if headers holds a header named name (case-insensitive). */
bool http_headers_have(const struct strlist *headers, const char *name);

/*
 * Appends a whole request: request line, Host (unless headers has one), the user's
 * headers, Content-Length when there is a body (or the method usually has one),
 * "Connection: close" when !keep_alive, the blank line and the body.
 */
void http_request_render(struct strbuf *out, const char *method, const struct http_url *u,
			 const struct strlist *headers, const char *body, size_t body_len,
			 bool keep_alive);

#endif
