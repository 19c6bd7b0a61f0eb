/* Chroma REST set-up calls: see chroma-api.h. */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/jscan.h"
#include "common/jsonw.h"
#include "common/strlist.h"
#include "common/xalloc.h"
#include "load/chroma/chroma-api.h"
#include "load/chroma/chroma-reply.h"
#include "load/http/http-client.h"

/* Appends s %-encoded for a path segment (names are [a-zA-Z0-9._-] but tenants may not be). */
static void add_segment(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.')
			strbuf_addch(out, c);
		else
			strbuf_addf(out, "%%%02X", c);
	}
}

void chroma_path(const struct chroma_api *a, struct strbuf *out, const char *suffix)
{
	strbuf_addstr(out, "/api/v2/tenants/");
	add_segment(out, a->tenant);
	strbuf_addstr(out, "/databases/");
	add_segment(out, a->database);
	strbuf_addstr(out, "/collections");
	if (suffix)
		strbuf_addstr(out, suffix);
}

int chroma_call(const struct chroma_api *a, const char *method, const char *path, const char *body,
		struct strbuf *reply, struct strbuf *err)
{
	struct strlist headers = STRLIST_INIT;
	struct http_exchange x = {
		.method = method,
		.path = path,
		.headers = &headers,
		.body = body,
		.timeout_ms = a->timeout_ms,
		.body_out = reply,
	};
	int ret;
	strbuf_reset(reply);
	if (body)
		strlist_push(&headers, "Content-Type: application/json");
	ret = http_exchange(a->url, &x, err);
	strlist_clear(&headers);
	return ret < 0 ? -1 : x.status;
}

/* "METHOD PATH: http STATUS: server's message" into err. */
static int call_failed(const char *what, int status, const struct strbuf *reply, struct strbuf *err)
{
	struct strbuf m = STRBUF_INIT;
	chroma_error_text(reply->buf, reply->len, &m, 300);
	error(err, "%s: http status %d: %s", what, status, m.buf);
	strbuf_release(&m);
	return -1;
}

int chroma_heartbeat(const struct chroma_api *a, struct strbuf *err)
{
	struct strbuf reply = STRBUF_INIT, e = STRBUF_INIT;
	int st = chroma_call(a, "GET", "/api/v2/heartbeat", NULL, &reply, &e), ret = 0;
	if (st < 0)
		ret = error(err,
			    "chroma at %s is not reachable: %s (start it with `chroma run "
			    "--path DIR --port PORT`)",
			    a->url->hostport, e.buf);
	else if (st != 200)
		ret = error(err,
			    "%s does not look like a chroma server: GET /api/v2/heartbeat "
			    "answered http status %d (chroma >= 1.0 serves the v2 api)",
			    a->url->hostport, st);
	strbuf_release(&reply);
	strbuf_release(&e);
	return ret;
}

struct want_kv {
	const char *want;
	const char *val;
	size_t len;
	enum jscan_type type;
	bool found;
};

static void on_kv(void *ctx, const struct jscan_value *v)
{
	for (struct want_kv *k = ctx; k->want; k++)
		if (!v->truncated && !strcmp(v->path, k->want)) {
			k->val = v->val;
			k->len = v->len;
			k->type = v->type;
			k->found = true;
		}
}

int chroma_preflight(const struct chroma_api *a, uint64_t *max_batch, bool *base64,
		     struct strbuf *err)
{
	struct strbuf reply = STRBUF_INIT;
	struct want_kv kv[] = { { .want = "max_batch_size" },
				{ .want = "supports_base64_encoding" },
				{ .want = NULL } };
	int st = chroma_call(a, "GET", "/api/v2/pre-flight-checks", NULL, &reply, err);
	*max_batch = 0;
	*base64 = false;
	if (st < 0)
		goto fail;
	if (st == 200 && !jscan(reply.buf, reply.len, on_kv, kv)) {
		if (kv[0].found && kv[0].type == JSCAN_NUMBER)
			jscan_u64(kv[0].val, kv[0].len, max_batch);
		*base64 = kv[1].found && kv[1].type == JSCAN_TRUE;
	}
	strbuf_release(&reply);
	return 0;
fail:
	strbuf_release(&reply);
	return -1;
}

int chroma_ensure_database(const struct chroma_api *a, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, reply = STRBUF_INIT, body = STRBUF_INIT;
	struct jsonw w;
	int st, ret = -1;

	strbuf_addstr(&path, "/api/v2/tenants/");
	add_segment(&path, a->tenant);
	strbuf_addstr(&path, "/databases/");
	add_segment(&path, a->database);
	st = chroma_call(a, "GET", path.buf, NULL, &reply, err);
	if (st < 0)
		goto out;
	if (st == 200) {
		ret = 0;
		goto out;
	}
	strbuf_reset(&path);
	strbuf_addstr(&path, "/api/v2/tenants/");
	add_segment(&path, a->tenant);
	strbuf_addstr(&path, "/databases");
	jsonw_init(&w, &body, 0);
	jsonw_obj_open(&w, NULL);
	jsonw_str(&w, "name", a->database);
	jsonw_close(&w);
	st = chroma_call(a, "POST", path.buf, body.buf, &reply, err);
	if (st < 0)
		goto out;
	if (st != 200 && st != 201 && st != 409) {
		call_failed("create database", st, &reply, err);
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&path);
	strbuf_release(&reply);
	strbuf_release(&body);
	return ret;
}

int chroma_collection_get(const struct chroma_api *a, const char *name, char **id, long *dim,
			  struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, reply = STRBUF_INIT;
	struct want_kv kv[] = { { .want = "id" }, { .want = "dimension" }, { .want = NULL } };
	int st, ret = -1;
	uint64_t d;

	*id = NULL;
	*dim = -1;
	chroma_path(a, &path, "/");
	add_segment(&path, name);
	st = chroma_call(a, "GET", path.buf, NULL, &reply, err);
	if (st < 0)
		goto out;
	if (st == 404) {
		ret = 0;
		goto out;
	}
	if (st != 200) {
		call_failed("get collection", st, &reply, err);
		goto out;
	}
	if (jscan(reply.buf, reply.len, on_kv, kv) < 0 || !kv[0].found ||
	    kv[0].type != JSCAN_STRING) {
		error(err, "get collection '%s': the reply has no id", name);
		goto out;
	}
	*id = xstrndup(kv[0].val, kv[0].len);
	if (kv[1].found && kv[1].type == JSCAN_NUMBER && !jscan_u64(kv[1].val, kv[1].len, &d))
		*dim = (long)d;
	ret = 1;
out:
	strbuf_release(&path);
	strbuf_release(&reply);
	return ret;
}

int chroma_collection_create(const struct chroma_api *a, const char *name,
			     const char *configuration, char **id, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, reply = STRBUF_INIT, body = STRBUF_INIT;
	struct want_kv kv[] = { { .want = "id" }, { .want = NULL } };
	struct jsonw w;
	int st, ret = -1;

	*id = NULL;
	chroma_path(a, &path, NULL);
	jsonw_init(&w, &body, 0);
	jsonw_obj_open(&w, NULL);
	jsonw_str(&w, "name", name);
	if (configuration)
		jsonw_raw(&w, "configuration", configuration);
	jsonw_bool(&w, "get_or_create", false);
	jsonw_close(&w);
	st = chroma_call(a, "POST", path.buf, body.buf, &reply, err);
	if (st < 0)
		goto out;
	if (st != 200 && st != 201) {
		call_failed("create collection", st, &reply, err);
		goto out;
	}
	if (jscan(reply.buf, reply.len, on_kv, kv) < 0 || !kv[0].found ||
	    kv[0].type != JSCAN_STRING) {
		error(err, "create collection '%s': the reply has no id", name);
		goto out;
	}
	*id = xstrndup(kv[0].val, kv[0].len);
	ret = 0;
out:
	strbuf_release(&path);
	strbuf_release(&reply);
	strbuf_release(&body);
	return ret;
}

int chroma_collection_delete(const struct chroma_api *a, const char *name, bool *existed,
			     struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, reply = STRBUF_INIT;
	int st, ret = -1;
	*existed = false;
	chroma_path(a, &path, "/");
	add_segment(&path, name);
	st = chroma_call(a, "DELETE", path.buf, NULL, &reply, err);
	if (st < 0)
		goto out;
	if (st == 404) {
		ret = 0;
		goto out;
	}
	if (st != 200 && st != 204) {
		call_failed("delete collection", st, &reply, err);
		goto out;
	}
	*existed = true;
	ret = 0;
out:
	strbuf_release(&path);
	strbuf_release(&reply);
	return ret;
}

int chroma_count(const struct chroma_api *a, const char *id, uint64_t *n, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, reply = STRBUF_INIT;
	int st, ret = -1;
	chroma_path(a, &path, "/");
	strbuf_addstr(&path, id);
	strbuf_addstr(&path, "/count");
	st = chroma_call(a, "GET", path.buf, NULL, &reply, err);
	if (st < 0)
		goto out;
	if (st != 200) {
		call_failed("count", st, &reply, err);
		goto out;
	}
	strbuf_rtrim(&reply);
	if (jscan_u64(reply.buf, reply.len, n) < 0) {
		error(err, "count: the reply '%.40s' is not a number", reply.buf);
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&path);
	strbuf_release(&reply);
	return ret;
}
