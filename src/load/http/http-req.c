/* URL parsing and request rendering: see http-req.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"
#include "common/xalloc.h"
#include "load/http/http-req.h"

void http_url_release(struct http_url *u)
{
	free(u->host);
	free(u->port);
	free(u->hostport);
	free(u->path);
	memset(u, 0, sizeof(*u));
}

int http_url_parse(struct http_url *u, const char *url, struct strbuf *err)
{
	const char *p = url, *auth_end, *port = NULL;
	size_t hlen;

	memset(u, 0, sizeof(*u));
	if (!strncasecmp(p, "https://", 8))
		return error(err,
			     "%s: https is not supported; point the client at the plain "
			     "http port (or a local tls-terminating proxy)",
			     url);
	if (!strncasecmp(p, "http://", 7))
		p += 7;
	else if (strstr(p, "://"))
		return error(err, "%s: only http:// urls are supported", url);
	auth_end = p + strcspn(p, "/?#");
	if (auth_end == p)
		return error(err, "%s: no host in the url", url);
	if (memchr(p, '@', (size_t)(auth_end - p)))
		return error(err, "%s: user info in the url is not supported (use -H)", url);
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(auth_end - p));
		if (!close)
			return error(err, "%s: unterminated [ipv6] host", url);
		u->host = xstrndup(p + 1, (size_t)(close - p - 1));
		if (close + 1 < auth_end) {
			if (close[1] != ':') {
				http_url_release(u);
				return error(err, "%s: garbage after ]", url);
			}
			port = close + 2;
		}
	} else {
		const char *colon = memchr(p, ':', (size_t)(auth_end - p));
		hlen = colon ? (size_t)(colon - p) : (size_t)(auth_end - p);
		u->host = xstrndup(p, hlen);
		if (colon)
			port = colon + 1;
	}
	if (port) {
		size_t plen = (size_t)(auth_end - port);
		if (!plen || plen > 5 || strspn(port, "0123456789") < plen || !atoi(port) ||
		    atoi(port) > 65535) {
			http_url_release(u);
			return error(err, "%s: bad port", url);
		}
		u->port = xstrndup(port, plen);
	} else {
		u->port = xstrdup("80");
	}
	if (!*u->host) {
		http_url_release(u);
		return error(err, "%s: no host in the url", url);
	}
	u->hostport = xstrndup(p, (size_t)(auth_end - p));
	/* The fragment is never sent. */
	size_t rest = strcspn(auth_end, "#");
	if (!rest || *auth_end != '/')
		u->path = xasprintf("/%.*s", (int)rest, auth_end);
	else
		u->path = xstrndup(auth_end, rest);
	if (strpbrk(u->path, " \r\n")) {
		http_url_release(u);
		return error(err, "%s: spaces and line breaks must be %%-encoded", url);
	}
	return 0;
}

static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("!#$%&'*+-.^_`|~", c);
}

int http_header_check(const char *line, struct strbuf *err)
{
	const char *colon = strchr(line, ':');
	if (!colon || colon == line)
		return error(err, "header '%s' is not 'Name: value'", line);
	for (const char *p = line; p < colon; p++)
		if (!is_tchar((unsigned char)*p))
			return error(err, "header '%s': bad character in the name", line);
	if (strpbrk(line, "\r\n"))
		return error(err, "header '%s': line breaks are not allowed", line);
	return 0;
}

bool http_headers_have(const struct strlist *headers, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < headers->nr; i++)
		if (!strncasecmp(headers->items[i], name, n) && headers->items[i][n] == ':')
			return true;
	return false;
}

void http_request_render(struct strbuf *out, const char *method, const struct http_url *u,
			 const struct strlist *headers, const char *body, size_t body_len,
			 bool keep_alive)
{
	strbuf_addf(out, "%s %s HTTP/1.1\r\n", method, u->path);
	if (!http_headers_have(headers, "host"))
		strbuf_addf(out, "Host: %s\r\n", u->hostport);
	for (size_t i = 0; i < headers->nr; i++) {
		strbuf_addstr(out, headers->items[i]);
		strbuf_addstr(out, "\r\n");
	}
	if (!http_headers_have(headers, "content-length") &&
	    (body_len || !strcmp(method, "POST") || !strcmp(method, "PUT") ||
	     !strcmp(method, "PATCH")))
		strbuf_addf(out, "Content-Length: %zu\r\n", body_len);
	if (!keep_alive && !http_headers_have(headers, "connection"))
		strbuf_addstr(out, "Connection: close\r\n");
	strbuf_addstr(out, "\r\n");
	strbuf_add(out, body, body_len);
}
