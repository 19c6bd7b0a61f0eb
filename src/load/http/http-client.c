/* Blocking one-shot HTTP client for set-up work: see http-client.h. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/error.h"
#include "common/strlist.h"
#include "common/timeutil.h"
#include "load/http/http-client.h"

#define COLLECT_CAP (4u << 20)

static int collect(void *ctx, const char *data, size_t len, uint64_t ts_ns)
{
	struct strbuf *sb = ctx;
	(void)ts_ns;
	if (sb->len + len > COLLECT_CAP)
		return -1;
	strbuf_add(sb, data, len);
	return 0;
}

/* Milliseconds left before deadline (ns), at least 0. */
static int left_ms(uint64_t deadline)
{
	uint64_t now = mono_ns();
	return now >= deadline ? 0 : (int)((deadline - now) / 1000000 + 1);
}

static int wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;
	do
		r = poll(&p, 1, left_ms(deadline));
	while (r < 0 && errno == EINTR);
	return r > 0 ? 0 : -1;
}

static int connect_to(const struct http_url *u, uint64_t deadline, struct strbuf *err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL, *ai;
	int rc = getaddrinfo(u->host, u->port, &hints, &res), fd = -1, soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (rc)
		return error(err, "cannot resolve '%s': %s", u->host, gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    (errno == EINPROGRESS && !wait_fd(fd, POLLOUT, deadline) &&
		     !getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) && !soerr))
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return error(err, "cannot connect to %s: %s", u->hostport,
			     soerr   ? strerror(soerr)
			     : errno ? strerror(errno)
				     : "timed out");
	return fd;
}

int http_exchange(const struct http_url *u, struct http_exchange *x, struct strbuf *err)
{
	struct strbuf req = STRBUF_INIT;
	struct strlist none = STRLIST_INIT;
	struct http_parser p;
	struct http_url at = *u;
	uint64_t deadline = mono_ns() + x->timeout_ms * 1000000ull;
	size_t off = 0;
	int fd, ret = -1;
	char buf[16384];

	http_parser_init(&p, 0);
	p.head_request = !strcmp(x->method, "HEAD");
	p.on_body = x->on_body ? x->on_body : collect;
	p.body_ctx = x->on_body ? x->ctx : x->body_out;
	if (x->path)
		at.path = (char *)x->path;
	http_request_render(&req, x->method, &at, x->headers ? x->headers : &none,
			    x->body ? x->body : "", x->body ? strlen(x->body) : 0, false);
	fd = connect_to(u, deadline, err);
	if (fd < 0)
		goto out;
	while (off < req.len) {
		/* MSG_NOSIGNAL: a server that hangs up mid-request is an error, not a SIGPIPE. */
		ssize_t w = send(fd, req.buf + off, req.len - off, MSG_NOSIGNAL);
		if (w > 0) {
			off += (size_t)w;
		} else if (w < 0 && errno == EAGAIN) {
			if (wait_fd(fd, POLLOUT, deadline)) {
				error(err, "%s%s: timed out sending", u->hostport, at.path);
				goto out;
			}
		} else if (!(w < 0 && errno == EINTR)) {
			error(err, "%s%s: write: %s", u->hostport, at.path, strerror(errno));
			goto out;
		}
	}
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		size_t used;
		int st;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN) {
			if (wait_fd(fd, POLLIN, deadline)) {
				error(err, "%s%s: no complete answer within %llu ms", u->hostport,
				      at.path, (unsigned long long)x->timeout_ms);
				goto out;
			}
			continue;
		}
		if (r < 0) {
			error(err, "%s%s: read: %s", u->hostport, at.path, strerror(errno));
			goto out;
		}
		st = r == 0 ? http_parse_eof(&p) : http_parse(&p, buf, (size_t)r, mono_ns(), &used);
		if (st == HTTP_PARSE_DONE)
			break;
		if (st == HTTP_PARSE_ERROR || r == 0) {
			error(err, "%s%s: %s", u->hostport, at.path,
			      p.error ? p.error : "the server closed the connection");
			goto out;
		}
	}
	x->status = p.status;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	http_parser_release(&p);
	strbuf_release(&req);
	return ret;
}
