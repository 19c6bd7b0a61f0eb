/*
 * Unit tests for the chroma load client's pure parts: the TEXMEX .fvecs/.ivecs reader
 * (good files and every kind of broken one), the float and base64 embedding encoders
 * (every float reads back as itself), the brute-force exact neighbours, and the reply
 * parser fed a real Chroma reply whole, byte by byte and in odd pieces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "load/chroma/chroma-reply.h"
#include "load/chroma/vec-data.h"
#include "load/chroma/vec-json.h"

static char tmpdir[] = "/tmp/test-chroma-XXXXXX";

static char *tmpfile_with(const char *name, const void *data, size_t len)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

/* n vectors of dim, value i*10+j, as .fvecs bytes into sb. */
static void make_fvecs(struct strbuf *sb, unsigned n, unsigned dim)
{
	for (unsigned i = 0; i < n; i++) {
		int32_t d = (int32_t)dim;
		strbuf_add(sb, &d, 4);
		for (unsigned j = 0; j < dim; j++) {
			float v = (float)(i * 10 + j) + 0.5f;
			strbuf_add(sb, &v, 4);
		}
	}
}

static void test_fvecs_good(void **state)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	struct vec_set s;
	(void)state;
	make_fvecs(&sb, 3, 4);
	const char *p = tmpfile_with("good.fvecs", sb.buf, sb.len);
	assert_int_equal(vec_read_fvecs(p, 0, &s, &err), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.dim, 4);
	assert_true(s.v[0] == 0.5f && s.v[2 * 4 + 3] == 23.5f);
	vec_set_release(&s);
	/* A cap reads the first rows only. */
	assert_int_equal(vec_read_fvecs(p, 2, &s, &err), 0);
	assert_int_equal(s.n, 2);
	vec_set_release(&s);
	strbuf_release(&sb);
	strbuf_release(&err);
}

static void expect_bad(const void *data, size_t len, const char *needle)
{
	struct strbuf err = STRBUF_INIT;
	struct vec_set s;
	const char *p = tmpfile_with("bad.fvecs", data, len);
	assert_int_equal(vec_read_fvecs(p, 0, &s, &err), -1);
	assert_non_null(strstr(err.buf, p));
	if (!strstr(err.buf, needle))
		fail_msg("'%s' not in '%s'", needle, err.buf);
	assert_null(strchr(err.buf, '\n'));
	strbuf_release(&err);
}

static void test_fvecs_bad(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	(void)state;
	expect_bad("", 0, "shorter than 4 bytes");
	int32_t zero = 0;
	expect_bad(&zero, 4, "first dimension word is 0");
	make_fvecs(&sb, 3, 4);
	expect_bad(sb.buf, sb.len - 2, "not a whole number of 20-byte records");
	/* The second vector claims another dimension (same total size). */
	int32_t five = 5;
	memcpy(sb.buf + 20, &five, 4);
	expect_bad(sb.buf, sb.len, "vector 1 (byte 20) has dimension 5");
	strbuf_reset(&sb);
	make_fvecs(&sb, 1, 2);
	float nan = NAN;
	memcpy(sb.buf + 8, &nan, 4);
	expect_bad(sb.buf, sb.len, "not a finite number");
	strbuf_release(&sb);
}

static void test_ivecs(void **state)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	struct vec_truth t;
	(void)state;
	for (int32_t q = 0; q < 2; q++) {
		int32_t row[4] = { 3, q, q + 1, q + 2 };
		strbuf_add(&sb, row, sizeof(row));
	}
	const char *p = tmpfile_with("gt.ivecs", sb.buf, sb.len);
	assert_int_equal(vec_read_ivecs(p, 0, &t, &err), 0);
	assert_int_equal(t.nq, 2);
	assert_int_equal(t.k, 3);
	assert_int_equal(t.ids[3], 1);
	assert_int_equal(t.ids[5], 3);
	vec_truth_release(&t);
	strbuf_release(&sb);
	strbuf_release(&err);
}

/* Every encoded float reads back (strtof) as exactly itself, and is valid JSON text. */
static void test_float_roundtrip(void **state)
{
	static const float fixed[] = { 0.0f,	1.0f,	-1.0f, 0.1f,   1e-7f,	  123456789.0f,
				       3.4e38f, 1e-38f, 0.5f,  -2.25f, 1e9f,	  1e-5f,
				       1e-6f,	99.99f, 1e8f,  0.001f, -0.000123f };
	char buf[VEC_FLOAT_MAX_CHARS + 1];
	uint64_t st = 7;
	(void)state;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]) + 200000; i++) {
		float f;
		if (i < sizeof(fixed) / sizeof(fixed[0])) {
			f = fixed[i];
		} else {
			/* Random bit patterns over the whole finite range. */
			uint32_t bits;
			st = st * 6364136223846793005ull + 1442695040888963407ull;
			bits = (uint32_t)(st >> 32);
			memcpy(&f, &bits, 4);
			if (!isfinite(f) || fpclassify(f) == FP_SUBNORMAL)
				continue;
		}
		size_t n = vec_fmt_float(buf, f);
		assert_true(n > 0 && n <= VEC_FLOAT_MAX_CHARS);
		buf[n] = 0;
		char *end;
		float back = strtof(buf, &end);
		if (*end || back != f)
			fail_msg("%.9g encoded as '%s' reads back as %.9g", f, buf, back);
		assert_true(buf[0] == '-' || (buf[0] >= '0' && buf[0] <= '9'));
		assert_false(n > 1 && buf[0] == '0' && buf[1] != '.');
	}
	assert_int_equal(vec_fmt_float(buf, NAN), 1);
}

static void test_json_array_and_base64(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	const float v[] = { 0.5f, 0.25f, -1.0f };
	(void)state;
	vec_json_array(&sb, v, 3);
	assert_string_equal(sb.buf, "[0.5,0.25,-1]");
	strbuf_reset(&sb);
	vec_json_base64(&sb, v, 2); /* 0.5f, 0.25f little endian: 00 00 00 3f 00 00 80 3e */
	assert_string_equal(sb.buf, "\"AAAAPwAAgD4=\"");
	strbuf_release(&sb);
}

static void test_brute_force(void **state)
{
	/* Points on a line: the neighbours of 2.1 are 2, 3, 1 (l2). */
	float base[] = { 0, 0, 1, 0, 2, 0, 3, 0, 10, 0 };
	float qv[] = { 2.1f, 0, 9, 0 };
	struct vec_set b = { base, 5, 2 }, q = { qv, 2, 2 };
	struct vec_truth t;
	(void)state;
	vec_brute_force(&b, 5, &q, VEC_L2, 3, 2, &t);
	assert_int_equal(t.ids[0], 2);
	assert_int_equal(t.ids[1], 3);
	assert_int_equal(t.ids[2], 1);
	assert_int_equal(t.ids[3], 4);
	assert_int_equal(t.ids[4], 3);
	vec_truth_release(&t);
	/* More neighbours asked than documents: the rest are marked missing. */
	vec_brute_force(&b, 2, &q, VEC_L2, 3, 1, &t);
	assert_int_equal(t.ids[0], 1);
	assert_int_equal(t.ids[1], 0);
	assert_int_equal(t.ids[2], UINT32_MAX);
	vec_truth_release(&t);
	assert_true(fabsf(vec_distance(VEC_L2, qv, base + 4, 2) - 0.01f) < 1e-5f);
	assert_true(fabsf(vec_distance(VEC_COSINE, base + 2, base + 4, 2)) < 1e-6f);
}

/* A reply as Chroma 1.0 sends it (two responses back to back: pipelining-safe). */
static const char reply[] =
    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 142\r\n"
    "date: Fri, 04 Dec 2026 18:00:00 GMT\r\n\r\n"
    "{\"ids\":[[\"0\",\"2\",\"x7\"]],\"embeddings\":null,\"documents\":null,\"uris\":null,"
    "\"metadatas\":null,\"distances\":[[0.01,0.81,0.9]],\"include\":[\"distances\"]}"
    "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 95\r\n\r\n"
    "{\"error\":\"InvalidArgumentError\",\"message\":\"Collection expecting embedding with "
    "dimension of 2\"}";

static void feed_reply(size_t step)
{
	struct chroma_reply r;
	struct strbuf pending = STRBUF_INIT, msg = STRBUF_INIT;
	size_t off = 0, n = strlen(reply);
	int done = 0;
	uint32_t truth[] = { 2, 5, 0 };

	chroma_reply_init(&r);
	while (off < n || pending.len) {
		size_t take = step && n - off > step ? step : n - off, used;
		strbuf_add(&pending, reply + off, take);
		off += take;
		int st = chroma_reply_feed(&r, pending.buf, pending.len, 0, &used);
		assert_int_not_equal(st, HTTP_PARSE_ERROR);
		memmove(pending.buf, pending.buf + used, pending.len - used);
		strbuf_setlen(&pending, pending.len - used);
		if (st != HTTP_PARSE_DONE)
			continue;
		if (done == 0) {
			unsigned hits, returned;
			assert_int_equal(r.parser.status, 200);
			assert_int_equal(
			    chroma_scan_query(r.body.buf, r.body.len, truth, 3, &hits, &returned),
			    0);
			assert_int_equal(returned, 3);
			assert_int_equal(hits, 2); /* "0" and "2"; "x7" is not one of ours */
		} else {
			assert_int_equal(r.parser.status, 400);
			chroma_error_text(r.body.buf, r.body.len, &msg, 200);
			assert_string_equal(msg.buf, "InvalidArgumentError: Collection expecting "
						     "embedding with dimension of 2");
		}
		done++;
		chroma_reply_reset(&r);
	}
	assert_int_equal(done, 2);
	chroma_reply_release(&r);
	strbuf_release(&pending);
	strbuf_release(&msg);
}

static void test_reply_pieces(void **state)
{
	(void)state;
	feed_reply(0);
	feed_reply(1);
	feed_reply(7);
	feed_reply(100);
}

static void test_scan_bad(void **state)
{
	unsigned hits, returned;
	(void)state;
	assert_int_equal(chroma_scan_query("{\"ids\":[[\"1\"]]", 14, NULL, 1, &hits, &returned),
			 -1);
	assert_int_equal(chroma_scan_query("{\"error\":\"x\"}", 13, NULL, 1, &hits, &returned), -1);
	assert_int_equal(chroma_scan_query("{\"ids\":[[]]}", 12, NULL, 1, &hits, &returned), 0);
	assert_int_equal(returned, 0);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fvecs_good),
		cmocka_unit_test(test_fvecs_bad),
		cmocka_unit_test(test_ivecs),
		cmocka_unit_test(test_float_roundtrip),
		cmocka_unit_test(test_json_array_and_base64),
		cmocka_unit_test(test_brute_force),
		cmocka_unit_test(test_reply_pieces),
		cmocka_unit_test(test_scan_bad),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
