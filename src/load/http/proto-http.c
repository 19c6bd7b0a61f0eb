/*
 * `hpcbench load http URL`: HTTP/1.1 requests over keep-alive connections, pipelined
 * when --pipeline > 1. The request is rendered once; sending one is a copy. Responses
 * are parsed incrementally (http-parse.h) and sorted by status class: 2xx and 3xx
 * succeed, 4xx counts as the error kind "http_4xx", 5xx as "server".
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/strlist.h"
#include "common/xalloc.h"
#include "load/http/http-parse.h"
#include "load/http/http-req.h"
#include "load/core/opts.h"
#include "load/core/proto.h"

enum {
	OPT_BODY = LOAD_OPT_PROTO,
	OPT_NO_KEEPALIVE,
	OPT_KEEPALIVE,
};

enum http_kind { KIND_2XX, KIND_3XX, KIND_4XX, KIND_5XX, KIND_OTHER };
static const char *const http_kinds[] = { "2xx", "3xx", "4xx", "5xx", "other" };
static const char *const http_err_kinds[] = { "http_4xx" };
#define ERR_HTTP_4XX LOAD_ERR_PROTO

struct http_cfg {
	char *method;
	struct strlist headers;
	struct strbuf body;
	bool keep_alive;
	struct http_url url;
	struct strbuf request; /* the rendered request, sent as is */
};

struct http_conn {
	bool inited;
	struct http_parser parser;
};

static void *http_create(void)
{
	struct http_cfg *cfg = xcalloc(1, sizeof(*cfg));
	cfg->method = xstrdup("GET");
	strbuf_init(&cfg->body, 0);
	strbuf_init(&cfg->request, 0);
	cfg->keep_alive = true;
	return cfg;
}

static void http_destroy(void *p)
{
	struct http_cfg *cfg = p;
	free(cfg->method);
	strlist_clear(&cfg->headers);
	strbuf_release(&cfg->body);
	strbuf_release(&cfg->request);
	http_url_release(&cfg->url);
	free(cfg);
}

static int http_option(void *p, struct load_opts *o, int val, const char *arg, struct strbuf *err)
{
	struct http_cfg *cfg = p;
	(void)o;
	switch (val) {
	case 'm':
		if (!*arg || strpbrk(arg, " \t\r\n"))
			return error(err, "-m: '%s' is not a method name", arg);
		free(cfg->method);
		cfg->method = xstrdup(arg);
		return 0;
	case 'H':
		if (http_header_check(arg, err) < 0)
			return -1;
		strlist_push(&cfg->headers, arg);
		return 0;
	case OPT_BODY:
		strbuf_reset(&cfg->body);
		if (arg[0] == '@')
			return read_file_max(arg + 1, &cfg->body, FILE_MAX_BODY, "request body",
					     err);
		strbuf_addstr(&cfg->body, arg);
		return 0;
	case OPT_NO_KEEPALIVE:
		cfg->keep_alive = false;
		return 0;
	case OPT_KEEPALIVE:
		cfg->keep_alive = true;
		return 0;
	default:
		return error(err, "unknown http option");
	}
}

static int http_configure(void *p, const char *target, struct load_opts *o, struct load_target *t,
			  struct strbuf *err)
{
	struct http_cfg *cfg = p;
	if (http_url_parse(&cfg->url, target, err) < 0)
		return -1;
	if (!cfg->keep_alive && o->pipeline > 1)
		return error(err, "--pipeline %u needs keep-alive (drop --no-keepalive)",
			     o->pipeline);
	strbuf_reset(&cfg->request);
	http_request_render(&cfg->request, cfg->method, &cfg->url, &cfg->headers, cfg->body.buf,
			    cfg->body.len, cfg->keep_alive);
	t->host = cfg->url.host;
	t->port = cfg->url.port;
	t->display = target;
	t->kinds = http_kinds;
	t->nkinds = ARRAY_SIZE(http_kinds);
	t->err_kinds = http_err_kinds;
	t->nerr_kinds = ARRAY_SIZE(http_err_kinds);
	return 0;
}

static void http_conn_reset(struct load_conn *c)
{
	struct http_conn *hc = c->proto;
	const struct http_cfg *cfg = c->cfg;
	if (!hc->inited) {
		http_parser_init(&hc->parser, 0);
		hc->inited = true;
	}
	http_parser_reset(&hc->parser);
	hc->parser.head_request = !strcmp(cfg->method, "HEAD");
}

static void http_conn_release(struct load_conn *c)
{
	struct http_conn *hc = c->proto;
	if (hc->inited)
		http_parser_release(&hc->parser);
	hc->inited = false;
}

static void http_encode(struct load_conn *c, struct load_req *req, struct strbuf *out)
{
	const struct http_cfg *cfg = c->cfg;
	req->kind = KIND_2XX;
	strbuf_add(out, cfg->request.buf, cfg->request.len);
}

/* Sorts a finished response into its status class and error kind. */
static void classify(struct load_conn *c, struct load_req *req, int status)
{
	req->err = LOAD_OK;
	if (status >= 200 && status < 300) {
		req->kind = KIND_2XX;
	} else if (status >= 300 && status < 400) {
		req->kind = KIND_3XX;
	} else if (status >= 400 && status < 500) {
		req->kind = KIND_4XX;
		req->err = ERR_HTTP_4XX;
		load_conn_note(c, ERR_HTTP_4XX, "http status %d", status);
	} else if (status >= 500 && status < 600) {
		req->kind = KIND_5XX;
		req->err = LOAD_ERR_SERVER;
		load_conn_note(c, LOAD_ERR_SERVER, "http status %d", status);
	} else {
		req->kind = KIND_OTHER;
		req->err = LOAD_ERR_PROTOCOL;
		load_conn_note(c, LOAD_ERR_PROTOCOL, "unexpected http status %d", status);
	}
}

static enum load_step http_parse_step(struct load_conn *c, struct load_req *req, const char *data,
				      size_t len, size_t *used, uint64_t now_ns)
{
	struct http_conn *hc = c->proto;
	int r = http_parse(&hc->parser, data, len, now_ns, used);
	if (r == HTTP_PARSE_MORE)
		return LOAD_MORE;
	if (r == HTTP_PARSE_ERROR) {
		load_conn_note(c, LOAD_ERR_PROTOCOL, "%s", hc->parser.error);
		return LOAD_FAIL;
	}
	if (req)
		classify(c, req, hc->parser.status);
	if (!hc->parser.keep_alive)
		c->close_after = true;
	http_parser_reset(&hc->parser);
	return LOAD_DONE;
}

static enum load_step http_eof(struct load_conn *c, struct load_req *req, uint64_t now_ns)
{
	struct http_conn *hc = c->proto;
	int r = http_parse_eof(&hc->parser);
	(void)now_ns;
	if (r == HTTP_PARSE_DONE && req) {
		classify(c, req, hc->parser.status);
		http_parser_reset(&hc->parser);
		return LOAD_DONE;
	}
	if (r == HTTP_PARSE_ERROR)
		load_conn_note(c, LOAD_ERR_READ, "%s", hc->parser.error);
	return LOAD_FAIL;
}

static void http_params_json(const void *p, struct jsonw *w)
{
	const struct http_cfg *cfg = p;
	jsonw_str(w, "method", cfg->method);
	jsonw_arr_open(w, "headers");
	for (size_t i = 0; i < cfg->headers.nr; i++)
		jsonw_str(w, NULL, cfg->headers.items[i]);
	jsonw_close(w);
	jsonw_u64(w, "body_bytes", cfg->body.len);
	jsonw_bool(w, "keepalive", cfg->keep_alive);
	jsonw_u64(w, "request_bytes", cfg->request.len);
}

static const struct option http_longopts[] = {
	{ "method", required_argument, NULL, 'm' },
	{ "header", required_argument, NULL, 'H' },
	{ "body", required_argument, NULL, OPT_BODY },
	{ "no-keepalive", no_argument, NULL, OPT_NO_KEEPALIVE },
	{ "keepalive", no_argument, NULL, OPT_KEEPALIVE },
	{ 0 },
};

const struct load_proto load_proto_http = {
	.name = "http",
	.target_usage = "URL",
	.summary = "HTTP/1.1 requests (keep-alive, pipelining, chunked bodies)",
	.help = "http options:\n"
		"  -m, --method M       request method (default GET)\n"
		"  -H, --header 'K: V'  add a request header (repeatable); a Host header\n"
		"                       replaces the one taken from the URL\n"
		"  --body STRING|@FILE  request body (Content-Length is added)\n"
		"  --no-keepalive       one request per connection (Connection: close)\n"
		"responses: 2xx and 3xx succeed; 4xx count as errors of kind http_4xx and\n"
		"5xx as server errors (both exit 1 unless --allow-errors); the result file\n"
		"breaks requests down by status class (kinds: 2xx 3xx 4xx 5xx other).\n"
		"examples:\n"
		"  hpcbench load http http://127.0.0.1:8080/ -c 64 -d 10s\n"
		"  hpcbench load http http://127.0.0.1:8080/api -m POST \\\n"
		"      -H 'Content-Type: application/json' --body @req.json --rate 2000\n",
	.shortopts = "m:H:",
	.longopts = http_longopts,
	.conn_size = sizeof(struct http_conn),
	.create = http_create,
	.option = http_option,
	.configure = http_configure,
	.destroy = http_destroy,
	.conn_reset = http_conn_reset,
	.conn_release = http_conn_release,
	.encode = http_encode,
	.parse = http_parse_step,
	.eof = http_eof,
	.params_json = http_params_json,
};
