/*
 * Blocking network helpers for the metrics sampler (never on the load threads): a TCP
 * connection with a deadline, and one HTTP/1.0 GET whose body is read whole, capped.
 */
#ifndef HPCBENCH_MONITOR_NETIO_H
#define HPCBENCH_MONITOR_NETIO_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

/* Most bytes one scrape or query may return (a larger answer is an error). */
#define NET_BODY_CAP (16u << 20)

/* An http:// URL split up (strings owned by the struct: net_url_release). */
struct net_url {
	char *host; /* without brackets for IPv6 */
	char *port; /* "80" when none was written */
	char *path; /* from the first '/', with the query; "/" when none was written */
};

/* Splits "http://HOST[:PORT][/PATH]" (scheme given, e.g. "http://"). 0 or -1 with err. */
int net_url_parse(const char *url, const char *scheme, struct net_url *u, struct strbuf *err);
void net_url_release(struct net_url *u);

/* Connects to host:port before deadline (mono_ns). Returns the fd, or -1 with err. */
int net_connect(const char *host, const char *port, uint64_t deadline_ns, struct strbuf *err);
/* Writes all of buf before deadline. 0 or -1 with err. */
int net_write_all(int fd, const char *buf, size_t len, uint64_t deadline_ns, struct strbuf *err);
/*
 * Reads what is available (waiting until deadline for at least one byte) and appends
 * it to out. Returns the number of bytes (0 at end of stream), or -1 with err.
 */
long net_read_some(int fd, struct strbuf *out, uint64_t deadline_ns, struct strbuf *err);

/*
 * GET u->path from u with HTTP/1.0 (the server closes, no chunking) within timeout_ms.
 * Returns 0 with the body in body when the status is 2xx; -1 with err (the status line
 * and the body's first line on a non-2xx answer).
 */
int net_http_get(const struct net_url *u, unsigned timeout_ms, struct strbuf *body,
		 struct strbuf *err);

/* Appends s percent-encoded for a URL query value. */
void net_urlencode(struct strbuf *out, const char *s);

#endif
