/* Target endpoint shape check; see endpoint.h. */
#include "common/endpoint.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

#define EXPECTED "expected a URL such as http://HOST:PORT/ or HOST:PORT"

/* A port: 1 to 65535, digits only. */
static int port_ok(const char *p, size_t n)
{
	unsigned long v = 0;
	if (!n || n > 5)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return 0;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

int endpoint_check(const char *ep, struct strbuf *err)
{
	const char *host, *end, *colon;
	if (!ep || !*ep)
		return error(err, "empty endpoint (" EXPECTED ")");
	for (const char *p = ep; *p; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return error(err, "'%s': spaces or control characters (" EXPECTED ")", ep);
	host = strstr(ep, "://");
	if (host) {
		for (const char *p = ep; p < host; p++)
			if (!isalnum((unsigned char)*p) && !strchr("+-.", *p))
				return error(err, "'%s': bad scheme (" EXPECTED ")", ep);
		if (host == ep)
			return error(err, "'%s': no scheme (" EXPECTED ")", ep);
		host += 3;
	} else {
		host = ep;
	}
	end = host + strcspn(host, "/?#");
	if (end == host)
		return error(err, "'%s': no host (" EXPECTED ")", ep);
	if (*host == '[') { /* [v6]:port */
		const char *close = memchr(host, ']', (size_t)(end - host));
		if (!close || close == host + 1)
			return error(err, "'%s': bad IPv6 address (" EXPECTED ")", ep);
		colon = close + 1 < end && close[1] == ':' ? close + 1 : NULL;
		if (close + 1 < end && !colon)
			return error(err, "'%s': bad IPv6 address (" EXPECTED ")", ep);
	} else {
		colon = memchr(host, ':', (size_t)(end - host));
		if (colon == host)
			return error(err, "'%s': no host (" EXPECTED ")", ep);
	}
	if (colon && !port_ok(colon + 1, (size_t)(end - colon - 1)))
		return error(err, "'%s': bad port (1 to 65535; " EXPECTED ")", ep);
	if (!colon && ep == host)
		return error(err, "'%s': no port (" EXPECTED ")", ep);
	return 0;
}
