#include "monitor/netio.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/error.h"
#include "common/timeutil.h"
#include "common/xalloc.h"

int net_url_parse(const char *url, const char *scheme, struct net_url *u, struct strbuf *err)
{
	size_t sl = strlen(scheme);
	const char *p, *end, *colon = NULL;
	memset(u, 0, sizeof(*u));
	if (strncmp(url, scheme, sl))
		return error(err, "'%s' does not start with %s", url, scheme);
	p = url + sl;
	end = p + strcspn(p, "/?");
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(end - p));
		if (!rb)
			return error(err, "'%s': unclosed '[' in the host", url);
		u->host = xstrndup(p + 1, (size_t)(rb - p - 1));
		if (rb + 1 < end && rb[1] == ':')
			colon = rb + 1;
	} else {
		colon = memchr(p, ':', (size_t)(end - p));
		u->host = xstrndup(p, (size_t)((colon ? colon : end) - p));
	}
	if (!*u->host) {
		net_url_release(u);
		return error(err, "'%s' has no host", url);
	}
	u->port = colon ? xstrndup(colon + 1, (size_t)(end - colon - 1)) : xstrdup("80");
	if (!*u->port || strspn(u->port, "0123456789") != strlen(u->port) ||
	    atoi(u->port) > 65535) {
		net_url_release(u);
		return error(err, "'%s': the port is not a number up to 65535", url);
	}
	u->path = *end == '/' ? xstrdup(end) : xasprintf("/%s", end);
	return 0;
}

void net_url_release(struct net_url *u)
{
	free(u->host);
	free(u->port);
	free(u->path);
	memset(u, 0, sizeof(*u));
}

/* Milliseconds left until deadline, at least 0 (for poll). */
static int ms_left(uint64_t deadline_ns)
{
	uint64_t now = mono_ns();
	return now >= deadline_ns ? 0 : (int)((deadline_ns - now + 999999) / 1000000);
}

int net_connect(const char *host, const char *port, uint64_t deadline_ns, struct strbuf *err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host, port, &hints, &res), fd = -1, soerr = 0;
	socklen_t sl = sizeof(soerr);
	if (rc)
		return error(err, "cannot resolve '%s': %s", host, gai_strerror(rc));
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		error(err, "socket: %s", strerror(errno));
		goto fail;
	}
	if (connect(fd, res->ai_addr, res->ai_addrlen) && errno != EINPROGRESS) {
		error(err, "%s:%s: %s", host, port, strerror(errno));
		goto fail;
	}
	struct pollfd pf = { .fd = fd, .events = POLLOUT };
	rc = poll(&pf, 1, ms_left(deadline_ns));
	if (rc <= 0) {
		error(err, "%s:%s: connection timed out", host, port);
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) || soerr) {
		error(err, "%s:%s: %s", host, port, strerror(soerr ? soerr : errno));
		goto fail;
	}
	freeaddrinfo(res);
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(res);
	return -1;
}

int net_write_all(int fd, const char *buf, size_t len, uint64_t deadline_ns, struct strbuf *err)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return error(err, "send: %s", strerror(errno));
		struct pollfd pf = { .fd = fd, .events = POLLOUT };
		if (poll(&pf, 1, ms_left(deadline_ns)) <= 0)
			return error(err, "send timed out");
	}
	return 0;
}

long net_read_some(int fd, struct strbuf *out, uint64_t deadline_ns, struct strbuf *err)
{
	for (;;) {
		strbuf_grow(out, 65536);
		ssize_t n = recv(fd, out->buf + out->len, 65536, 0);
		if (n >= 0) {
			strbuf_setlen(out, out->len + (size_t)n);
			return (long)n;
		}
		if (errno != EAGAIN && errno != EINTR)
			return error(err, "recv: %s", strerror(errno));
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		if (poll(&pf, 1, ms_left(deadline_ns)) <= 0)
			return error(err, "no answer in time");
	}
}

int net_http_get(const struct net_url *u, unsigned timeout_ms, struct strbuf *body,
		 struct strbuf *err)
{
	uint64_t deadline = mono_ns() + (uint64_t)timeout_ms * 1000000ull;
	struct strbuf req = STRBUF_INIT, resp = STRBUF_INIT, why = STRBUF_INIT;
	int fd = -1, ret = -1, status = 0;
	long n;
	char *hdr_end;

	fd = net_connect(u->host, u->port, deadline, &why);
	if (fd < 0)
		goto out;
	strbuf_addf(&req,
		    "GET %s HTTP/1.0\r\nHost: %s:%s\r\nUser-Agent: hpcbench\r\n"
		    "Accept: text/plain;version=0.0.4, application/json, */*\r\n"
		    "Connection: close\r\n\r\n",
		    u->path, u->host, u->port);
	if (net_write_all(fd, req.buf, req.len, deadline, &why))
		goto out;
	while ((n = net_read_some(fd, &resp, deadline, &why)) > 0) {
		if (resp.len > NET_BODY_CAP) {
			error(&why, "answer larger than %u MiB", NET_BODY_CAP >> 20);
			goto out;
		}
	}
	if (n < 0)
		goto out;
	if (sscanf(resp.buf, "HTTP/%*d.%*d %d", &status) != 1) {
		error(&why, "not an HTTP answer");
		goto out;
	}
	hdr_end = strstr(resp.buf, "\r\n\r\n");
	if (!hdr_end) {
		error(&why, "HTTP headers not terminated");
		goto out;
	}
	hdr_end += 4;
	if (status < 200 || status > 299) {
		size_t l = strcspn(hdr_end, "\r\n");
		error(&why, "HTTP %d%s%.*s", status, l ? ": " : "", (int)(l > 200 ? 200 : l),
		      hdr_end);
		goto out;
	}
	strbuf_reset(body);
	strbuf_add(body, hdr_end, resp.len - (size_t)(hdr_end - resp.buf));
	ret = 0;
out:
	if (ret)
		error(err, "http://%s:%s%s: %s", u->host, u->port, u->path, why.buf);
	if (fd >= 0)
		close(fd);
	strbuf_release(&req);
	strbuf_release(&resp);
	strbuf_release(&why);
	return ret;
}

void net_urlencode(struct strbuf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-_.~", c)) {
			strbuf_addch(out, c);
		} else {
			strbuf_addch(out, '%');
			strbuf_addch(out, hex[c >> 4]);
			strbuf_addch(out, hex[c & 15]);
		}
	}
}
