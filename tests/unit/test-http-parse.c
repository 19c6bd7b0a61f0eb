/*
 * Unit tests for the HTTP/1.1 response parser (every input is fed whole, byte by byte
 * and in odd-sized pieces, and must give the same responses and bodies each time), URL
 * parsing and the exact bytes of rendered requests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/strlist.h"
#include "load/http/http-parse.h"
#include "load/http/http-req.h"

#define MAX_RESP 8

struct outcome {
	int n; /* whole responses */
	int status[MAX_RESP];
	int keep_alive[MAX_RESP];
	struct strbuf body[MAX_RESP];
	int body_calls; /* on_body invocations */
	uint64_t last_ts;
	int error; /* 1 if the parser failed */
	const char *why;
	int eof; /* result of http_parse_eof at the end */
};

static int collect(void *ctx, const char *data, size_t len, uint64_t ts)
{
	struct outcome *o = ctx;
	strbuf_add(&o->body[o->n], data, len);
	o->body_calls++;
	o->last_ts = ts;
	return 0;
}

/* Feeds in in pieces of step bytes (0 = all at once); closes the stream if close_at_end. */
static void run(struct outcome *o, const char *in, size_t len, size_t step, int close_at_end,
		size_t max_header)
{
	struct http_parser p;
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < MAX_RESP; i++)
		strbuf_init(&o->body[i], 0);
	http_parser_init(&p, 0);
	if (max_header)
		p.max_header = max_header;
	p.on_body = collect;
	p.body_ctx = o;
	for (size_t off = 0; off < len && !o->error;) {
		size_t piece = step ? step : len;
		if (piece > len - off)
			piece = len - off;
		const char *b = in + off;
		size_t left = piece;
		off += piece;
		while (left) {
			size_t used = 0;
			int r = http_parse(&p, b, left, off, &used);
			assert_true(used <= left);
			b += used;
			left -= used;
			if (r == HTTP_PARSE_DONE) {
				assert_true(o->n < MAX_RESP);
				o->status[o->n] = p.status;
				o->keep_alive[o->n] = p.keep_alive;
				o->n++;
				http_parser_reset(&p);
			} else if (r == HTTP_PARSE_ERROR) {
				o->error = 1;
				o->why = p.error;
				break;
			} else {
				assert_int_equal(left, 0);
			}
		}
	}
	if (!o->error && close_at_end) {
		o->eof = http_parse_eof(&p);
		if (o->eof == HTTP_PARSE_DONE) {
			o->status[o->n] = p.status;
			o->n++;
		}
		if (o->eof == HTTP_PARSE_ERROR)
			o->why = p.error;
	}
	http_parser_release(&p);
}

static void outcome_release(struct outcome *o)
{
	for (int i = 0; i < MAX_RESP; i++)
		strbuf_release(&o->body[i]);
}

/* Steps used for every input: whole, byte by byte, and a few odd sizes. */
static const size_t steps[] = { 0, 1, 2, 3, 7, 13 };

static void expect_bodies(const char *in, int close_at_end, int n, const int *status,
			  const char *const *bodies)
{
	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		struct outcome o;
		run(&o, in, strlen(in), steps[s], close_at_end, 0);
		if (o.error)
			fail_msg("step %zu: unexpected error: %s", steps[s], o.why);
		assert_int_equal(o.n, n);
		for (int i = 0; i < n; i++) {
			assert_int_equal(o.status[i], status[i]);
			assert_int_equal(o.body[i].len, strlen(bodies[i]));
			assert_memory_equal(o.body[i].buf, bodies[i], o.body[i].len);
		}
		outcome_release(&o);
	}
}

/* len 0: strlen(in). */
static void expect_error(const char *in, size_t len, size_t max_header, const char *why)
{
	if (!len)
		len = strlen(in);
	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		struct outcome o;
		run(&o, in, len, steps[s], 0, max_header);
		assert_int_equal(o.error, 1);
		assert_non_null(o.why);
		if (!strstr(o.why, why))
			fail_msg("step %zu: error '%s' does not mention '%s'", steps[s], o.why,
				 why);
		outcome_release(&o);
	}
}

static void test_content_length(void **state)
{
	(void)state;
	static const int st[] = { 200 };
	static const char *const b[] = { "hello world" };
	expect_bodies("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 11\r\n\r\nhello world",
		      0, 1, st, b);
}

static void test_keepalive_flags(void **state)
{
	struct outcome o;
	(void)state;
	const char *in = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
			 "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
			 "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"
			 "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n";
	run(&o, in, strlen(in), 1, 0, 0);
	assert_int_equal(o.error, 0);
	assert_int_equal(o.n, 4);
	assert_int_equal(o.keep_alive[0], 1);
	assert_int_equal(o.keep_alive[1], 0);
	assert_int_equal(o.keep_alive[2], 0);
	assert_int_equal(o.keep_alive[3], 1);
	assert_int_equal(o.body_calls, 0);
	outcome_release(&o);
}

static void test_chunked_with_extensions_and_trailers(void **state)
{
	(void)state;
	static const int st[] = { 200 };
	static const char *const b[] = { "Wikipedia in\r\n\r\nchunks." };
	expect_bodies("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		      "4\r\nWiki\r\n5;name=val\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n"
		      "0\r\nX-Trailer: yes\r\n\r\n",
		      0, 1, st, b);
}

static void test_pipelined_mixed(void **state)
{
	(void)state;
	static const int st[] = { 200, 404, 304, 503 };
	static const char *const b[] = { "abc", "not found", "", "later" };
	expect_bodies("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
		      "HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n"
		      "9\r\nnot found\r\n0\r\n\r\n"
		      "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"
		      "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\n\r\nlater",
		      0, 4, st, b);
}

static void test_interim_and_bare_lf(void **state)
{
	(void)state;
	static const int st[] = { 200 };
	static const char *const b[] = { "ok" };
	expect_bodies("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\nContent-Length: 2\n\nok", 0, 1,
		      st, b);
}

static void test_body_until_close(void **state)
{
	struct outcome o;
	const char *in = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nstreamed until close";
	(void)state;
	static const int st[] = { 200 };
	static const char *const b[] = { "streamed until close" };
	expect_bodies(in, 1, 1, st, b);
	run(&o, in, strlen(in), 5, 0, 0);
	assert_int_equal(o.n, 0); /* not done before the close */
	outcome_release(&o);
}

static void test_cut_responses(void **state)
{
	static const char *const cut[] = {
		"HTTP/1.1 200 OK\r\nContent-Len",
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n",
		"HTT",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		struct outcome o;
		run(&o, cut[i], strlen(cut[i]), 1, 1, 0);
		assert_int_equal(o.error, 0);
		assert_int_equal(o.eof, HTTP_PARSE_ERROR);
		assert_non_null(strstr(o.why, "connection closed"));
		outcome_release(&o);
	}
	/* A close between responses is no error. */
	struct outcome o;
	const char *whole = "HTTP/1.1 204 No Content\r\n\r\n";
	run(&o, whole, strlen(whole), 1, 1, 0);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.eof, HTTP_PARSE_MORE);
	outcome_release(&o);
}

static void test_garbage(void **state)
{
	(void)state;
	expect_error("SSH-2.0-OpenSSH_9.2\r\n", 0, 0, "not an http response");
	expect_error("HTTP/1.1 2x0 OK\r\n\r\n", 0, 0, "status");
	expect_error("HTTP/2 200\r\n\r\n", 0, 0, "not an http response");
	expect_error("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", 0, 0, "malformed header");
	expect_error("HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n", 0, 0, "content-length");
	expect_error("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 0, 0,
		     "conflicting");
	expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, 0,
		     "chunk size");
	expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY", 0, 0,
		     "missing CRLF");
	expect_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		     "fffffffffffffffff\r\n",
		     0, 0, "chunk size too large");
	expect_error("HTTP/1.1 200 OK\r\n folded\r\n\r\n", 0, 0, "folding");
	/* Binary garbage, including NUL bytes. */
	static const char bin[] = { 'H', 'T', 'T', 'P', 0, 1, 2, '\n' };
	expect_error(bin, sizeof(bin), 0, "not an http response");
}

static void test_oversized(void **state)
{
	struct strbuf big = STRBUF_INIT;
	(void)state;
	strbuf_addstr(&big, "HTTP/1.1 200 OK\r\n");
	for (int i = 0; i < 100; i++)
		strbuf_addf(&big, "X-Filler-%d: %0100d\r\n", i, 0);
	strbuf_addstr(&big, "\r\n");
	/* Many headers over a 4 KiB cap. */
	expect_error(big.buf, big.len, 4096, "over the size cap");
	/* One endless header line without a newline. */
	strbuf_reset(&big);
	strbuf_addstr(&big, "HTTP/1.1 200 OK\r\nX-Long: ");
	for (int i = 0; i < 5000; i++)
		strbuf_addch(&big, 'a');
	expect_error(big.buf, big.len, 4096, "over the size cap");
	/* A declared body over the body cap. */
	strbuf_reset(&big);
	strbuf_addstr(&big, "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999\r\n\r\n");
	expect_error(big.buf, big.len, 0, "over the size cap");
	strbuf_release(&big);
}

static void test_head_and_timestamps(void **state)
{
	struct http_parser p;
	struct outcome o;
	size_t used;
	const char *in = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
	(void)state;
	memset(&o, 0, sizeof(o));
	for (int i = 0; i < MAX_RESP; i++)
		strbuf_init(&o.body[i], 0);
	http_parser_init(&p, 0);
	p.head_request = true;
	assert_int_equal(http_parse(&p, in, strlen(in), 1, &used), HTTP_PARSE_DONE);
	assert_int_equal(used, strlen(in));
	http_parser_reset(&p);
	p.head_request = false;
	p.on_body = collect;
	p.body_ctx = &o;
	const char *ch = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n";
	assert_int_equal(http_parse(&p, ch, strlen(ch), 111, &used), HTTP_PARSE_MORE);
	assert_int_equal(o.last_ts, 111);
	assert_true(http_parser_busy(&p));
	assert_int_equal(http_parse(&p, "2\r\nde\r\n0\r\n\r\n", 12, 222, &used), HTTP_PARSE_DONE);
	assert_int_equal(o.last_ts, 222);
	assert_int_equal(o.body_calls, 2);
	assert_int_equal(p.body_bytes, 5);
	http_parser_release(&p);
	outcome_release(&o);
}

static int reject(void *ctx, const char *d, size_t n, uint64_t ts)
{
	(void)ctx, (void)d, (void)n, (void)ts;
	return -1;
}

static void test_body_rejected(void **state)
{
	struct http_parser p;
	size_t used;
	const char *in = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
	(void)state;
	http_parser_init(&p, 0);
	p.on_body = reject;
	assert_int_equal(http_parse(&p, in, strlen(in), 0, &used), HTTP_PARSE_ERROR);
	assert_string_equal(p.error, "body rejected");
	http_parser_release(&p);
}

static void test_url_parse(void **state)
{
	static const struct {
		const char *url, *host, *port, *hostport, *path;
	} good[] = {
		{ "http://127.0.0.1:8080/", "127.0.0.1", "8080", "127.0.0.1:8080", "/" },
		{ "http://node1", "node1", "80", "node1", "/" },
		{ "node1:11434", "node1", "11434", "node1:11434", "/" },
		{ "http://[::1]:8000/v1?x=1#frag", "::1", "8000", "[::1]:8000", "/v1?x=1" },
		{ "HTTP://h/a/b?q", "h", "80", "h", "/a/b?q" },
		{ "http://h?q=1", "h", "80", "h", "/?q=1" },
	};
	static const char *const bad[][2] = {
		{ "https://h/", "https is not supported" },
		{ "ftp://h/", "only http" },
		{ "http://h:99999/", "bad port" },
		{ "http://h:/", "bad port" },
		{ "http:///x", "no host" },
		{ "http://u:p@h/", "user info" },
		{ "http://[::1/", "unterminated" },
		{ "http://h/a b", "%-encoded" },
	};
	struct strbuf err = STRBUF_INIT;
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct http_url u;
		assert_int_equal(http_url_parse(&u, good[i].url, &err), 0);
		assert_string_equal(u.host, good[i].host);
		assert_string_equal(u.port, good[i].port);
		assert_string_equal(u.hostport, good[i].hostport);
		assert_string_equal(u.path, good[i].path);
		http_url_release(&u);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct http_url u;
		strbuf_reset(&err);
		assert_int_equal(http_url_parse(&u, bad[i][0], &err), -1);
		if (!strstr(err.buf, bad[i][1]))
			fail_msg("%s: '%s' does not say '%s'", bad[i][0], err.buf, bad[i][1]);
	}
	strbuf_release(&err);
}

/* The exact bytes a request puts on the wire. */
static void test_request_bytes(void **state)
{
	struct http_url u;
	struct strlist h = STRLIST_INIT;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	(void)state;
	assert_int_equal(http_url_parse(&u, "http://10.0.0.1:8000/api?a=1", &err), 0);
	http_request_render(&out, "GET", &u, &h, "", 0, true);
	assert_string_equal(out.buf, "GET /api?a=1 HTTP/1.1\r\nHost: 10.0.0.1:8000\r\n\r\n");
	strbuf_reset(&out);
	strlist_push(&h, "X-Test: a b");
	strlist_push(&h, "host: other");
	http_request_render(&out, "POST", &u, &h, "{}", 2, false);
	assert_string_equal(out.buf, "POST /api?a=1 HTTP/1.1\r\nX-Test: a b\r\nhost: other\r\n"
				     "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
	strbuf_reset(&out);
	strlist_clear(&h);
	http_request_render(&out, "PUT", &u, &h, "", 0, true);
	assert_non_null(strstr(out.buf, "Content-Length: 0\r\n"));
	assert_int_equal(http_header_check("Bad Name: x", &err), -1);
	assert_int_equal(http_header_check("X-Ok: fine", &err), 0);
	assert_int_equal(http_header_check(": x", &err), -1);
	http_url_release(&u);
	strbuf_release(&out);
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_keepalive_flags),
		cmocka_unit_test(test_chunked_with_extensions_and_trailers),
		cmocka_unit_test(test_pipelined_mixed),
		cmocka_unit_test(test_interim_and_bare_lf),
		cmocka_unit_test(test_body_until_close),
		cmocka_unit_test(test_cut_responses),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_head_and_timestamps),
		cmocka_unit_test(test_body_rejected),
		cmocka_unit_test(test_url_parse),
		cmocka_unit_test(test_request_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
