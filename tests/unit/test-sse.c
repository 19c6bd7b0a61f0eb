/*
 * Unit tests for SSE and NDJSON framing: each stream is fed whole, split in two at every
 * byte boundary, and byte by byte, and must yield the same messages each time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "load/http/stream.h"

struct msgs {
	struct strbuf all; /* messages joined with '|' */
	int n;
	uint64_t last_ts;
};

static int collect(void *ctx, const char *data, size_t len, uint64_t ts)
{
	struct msgs *m = ctx;
	if (m->n++)
		strbuf_addch(&m->all, '|');
	strbuf_add(&m->all, data, len);
	m->last_ts = ts;
	return 0;
}

/* Feeds in at the given cut points (sorted, may be empty); returns the parser's result. */
static int feed_cuts(enum stream_format f, const char *in, const size_t *cuts, size_t ncuts,
		     struct msgs *m, size_t max_msg)
{
	struct stream_parser s;
	size_t prev = 0, len = strlen(in);
	int r = 0;
	strbuf_init(&m->all, 0);
	m->n = 0;
	stream_init(&s, f, collect, m);
	if (max_msg)
		s.max_msg = max_msg;
	for (size_t i = 0; i <= ncuts && !r; i++) {
		size_t at = i < ncuts ? cuts[i] : len;
		r = stream_feed(&s, in + prev, at - prev, i + 1);
		prev = at;
	}
	if (!r)
		r = stream_finish(&s, 99);
	stream_release(&s);
	return r;
}

static void check_all_splits(enum stream_format f, const char *in, const char *want, int nwant)
{
	size_t len = strlen(in);
	struct msgs m;
	size_t *every = malloc((len + 1) * sizeof(*every));

	assert_int_equal(feed_cuts(f, in, NULL, 0, &m, 0), 0);
	assert_string_equal(m.all.buf, want);
	assert_int_equal(m.n, nwant);
	strbuf_release(&m.all);
	for (size_t cut = 0; cut <= len; cut++) {
		assert_int_equal(feed_cuts(f, in, &cut, 1, &m, 0), 0);
		if (strcmp(m.all.buf, want))
			fail_msg("split at %zu: got '%s' want '%s'", cut, m.all.buf, want);
		strbuf_release(&m.all);
	}
	for (size_t i = 0; i < len; i++)
		every[i] = i + 1;
	assert_int_equal(feed_cuts(f, in, every, len ? len - 1 : 0, &m, 0), 0);
	assert_string_equal(m.all.buf, want);
	strbuf_release(&m.all);
	free(every);
}

static void test_sse_openai(void **state)
{
	(void)state;
	check_all_splits(STREAM_SSE,
			 "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"
			 "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n"
			 ": keep-alive ping\n\n"
			 "data: [DONE]\n\n",
			 "{\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}|"
			 "{\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}|[DONE]",
			 3);
}

static void test_sse_line_endings_and_fields(void **state)
{
	(void)state;
	check_all_splits(STREAM_SSE,
			 "event: message\r\nid: 7\r\ndata:a\r\ndata:  b\r\n\r\n"
			 "retry: 10\rdata: cr only\r\r"
			 "data\n\n"
			 "data: x\nfoo: bar\n\n"
			 "data: dropped at the end without a blank line\n",
			 "a\n b|cr only||x", 4);
}

static void test_ndjson(void **state)
{
	(void)state;
	check_all_splits(STREAM_NDJSON,
			 "{\"response\":\"The\",\"done\":false}\n"
			 "{\"response\":\" sky\",\"done\":false}\r\n"
			 "\n   \n"
			 "{\"response\":\"\",\"done\":true,\"eval_count\":2}",
			 "{\"response\":\"The\",\"done\":false}|"
			 "{\"response\":\" sky\",\"done\":false}|"
			 "{\"response\":\"\",\"done\":true,\"eval_count\":2}",
			 3);
}

static void test_caps(void **state)
{
	struct msgs m;
	size_t cut = 3;
	(void)state;
	/* An NDJSON line over the cap, whole and split. */
	assert_int_equal(feed_cuts(STREAM_NDJSON, "0123456789abcdef\n", NULL, 0, &m, 8), -1);
	strbuf_release(&m.all);
	assert_int_equal(feed_cuts(STREAM_NDJSON, "0123456789abcdef\n", &cut, 1, &m, 8), -1);
	strbuf_release(&m.all);
	/* An endless line without a newline. */
	assert_int_equal(feed_cuts(STREAM_NDJSON, "0123456789abcdef", &cut, 1, &m, 8), -1);
	strbuf_release(&m.all);
	/* Many short SSE data lines adding up over the cap. */
	assert_int_equal(
	    feed_cuts(STREAM_SSE, "data: 1234\ndata: 5678\ndata: 9abc\n\n", NULL, 0, &m, 12), -1);
	strbuf_release(&m.all);
	/* Under the cap: fine. */
	assert_int_equal(feed_cuts(STREAM_SSE, "data: 1234\ndata: 5678\n\n", NULL, 0, &m, 12), 0);
	assert_string_equal(m.all.buf, "1234\n5678");
	strbuf_release(&m.all);
}

static void test_timestamps(void **state)
{
	struct stream_parser s;
	struct msgs m = { STRBUF_INIT, 0, 0 };
	(void)state;
	stream_init(&s, STREAM_SSE, collect, &m);
	assert_int_equal(stream_feed(&s, "data: one\n", 10, 100), 0);
	assert_int_equal(m.n, 0);
	assert_int_equal(stream_feed(&s, "\ndata: tw", 9, 200), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.last_ts, 200); /* completed by the second read */
	assert_int_equal(stream_feed(&s, "o\n\n", 3, 300), 0);
	assert_int_equal(m.last_ts, 300);
	assert_string_equal(m.all.buf, "one|two");
	assert_int_equal(s.messages, 2);
	stream_release(&s);
	strbuf_release(&m.all);
}

static int reject(void *ctx, const char *d, size_t n, uint64_t ts)
{
	(void)ctx, (void)d, (void)n, (void)ts;
	return -1;
}

static void test_reject(void **state)
{
	struct stream_parser s;
	(void)state;
	stream_init(&s, STREAM_NDJSON, reject, NULL);
	assert_int_equal(stream_feed(&s, "{}\n", 3, 1), -1);
	assert_string_equal(s.error, "message rejected");
	stream_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sse_openai),
		cmocka_unit_test(test_sse_line_endings_and_fields),
		cmocka_unit_test(test_ndjson),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_reject),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
