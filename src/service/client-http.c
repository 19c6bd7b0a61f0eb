/* Client type http: `hpcbench load http URL` (keep-alive HTTP/1.1). */
#include "common/shquote.h"
#include "script/hooks.h"
#include "service/types.h"

static const char *const http_aliases[] = { "generic", "prometheus", "grafana", "nginx", NULL };

static const struct type_key http_client_keys[] = {
	CLIENT_COMMON_KEYS,
	{ "path", KEY_STRING, "path appended to the target URL, e.g. /index.html", NULL, 0 },
	{ "method", KEY_STRING, "request method (GET)", "-m", 0 },
	{ "headers", KEY_ANY, "extra headers: a map or a list of 'K: V'", "-H", 0 },
	{ "body", KEY_STRING, "request body", "--body", TK_PATH },
	{ NULL, 0, NULL, NULL, 0 },
};

static int http_client_build(struct client_build *b, struct strbuf *err)
{
	const char *path = client_param(b->c, "path");
	if (path)
		sq_quote_expand(&b->target_suffix, path);
	return 0;
}

static const struct client_render http_client_render = {
	.target = TARGET_URL,
	.build = http_client_build,
};

const struct client_type client_type_http = {
	.name = "http",
	.description = "HTTP/1.1 keep-alive load, closed or open loop",
	.aliases = http_aliases,
	.keys = http_client_keys,
	.render = &http_client_render,
};
