/*
 * Unit tests for the RESP reply parser (src/load/resp.c) and the redis protocol's
 * request encoding (src/load/proto-resp.c). Every stream is fed whole, byte by byte
 * and in odd pieces, the way the load core does it (unconsumed bytes are given again
 * in front of the next ones), and must give the same replies each time.
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

#include "common/strbuf.h"
#include "common/xalloc.h"
#include "load/core/opts.h"
#include "load/core/proto.h"
#include "load/redis/resp.h"

#define MAX_REPLIES 64

struct outcome {
	int n; /* whole replies */
	char type[MAX_REPLIES];
	int is_error[MAX_REPLIES];
	int is_null[MAX_REPLIES];
	char errmsg[MAX_REPLIES][RESP_ERRMSG_MAX];
	int failed; /* RESP_ERROR seen */
	const char *why;
	size_t kept_max; /* most bytes ever left unconsumed */
};

/* Feeds in in pieces of step bytes (0 = whole). */
static void feed(struct outcome *o, const char *in, size_t len, size_t step)
{
	struct resp_parser p;
	struct strbuf pending = STRBUF_INIT;
	memset(o, 0, sizeof(*o));
	resp_parser_init(&p);
	for (size_t off = 0; off < len && !o->failed;) {
		size_t k = step ? step : len;
		if (k > len - off)
			k = len - off;
		strbuf_add(&pending, in + off, k);
		off += k;
		size_t pos = 0;
		for (;;) {
			size_t used = 0;
			int r = resp_parse(&p, pending.buf + pos, pending.len - pos, &used);
			assert_true(used <= pending.len - pos);
			pos += used;
			if (r == RESP_ERROR) {
				o->failed = 1;
				o->why = p.error;
				break;
			}
			if (r == RESP_MORE)
				break;
			assert_true(o->n < MAX_REPLIES);
			o->type[o->n] = p.type;
			o->is_error[o->n] = p.is_error;
			o->is_null[o->n] = p.is_null;
			strcpy(o->errmsg[o->n], p.errmsg);
			o->n++;
		}
		memmove(pending.buf, pending.buf + pos, pending.len - pos);
		strbuf_setlen(&pending, pending.len - pos);
		if (pending.len > o->kept_max)
			o->kept_max = pending.len;
	}
	strbuf_release(&pending);
}

/* Feeds whole, byte by byte and in pieces of 2, 3, 7 and 64: same outcome each time. */
static void feed_all_ways(struct outcome *o, const char *in, size_t len)
{
	static const size_t steps[] = { 1, 2, 3, 7, 64 };
	struct outcome other;
	feed(o, in, len, 0);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		feed(&other, in, len, steps[i]);
		assert_int_equal(other.n, o->n);
		assert_int_equal(other.failed, o->failed);
		assert_memory_equal(other.type, o->type, (size_t)o->n);
		assert_memory_equal(other.is_error, o->is_error, sizeof(int) * (size_t)o->n);
		assert_memory_equal(other.is_null, o->is_null, sizeof(int) * (size_t)o->n);
		for (int k = 0; k < o->n; k++)
			assert_string_equal(other.errmsg[k], o->errmsg[k]);
	}
}

static const char pipelined[] =
    "+OK\r\n"
    "-ERR unknown command 'FOO'\r\n"
    ":1000\r\n"
    ":-5\r\n"
    "$5\r\nhello\r\n"
    "$0\r\n\r\n"
    "$-1\r\n"
    "*2\r\n$3\r\nfoo\r\n:1\r\n"
    "*0\r\n"
    "*-1\r\n"
    "*2\r\n*1\r\n+a\r\n*0\r\n"
    "*3\r\n$2\r\n\r\n\r\n-in array\r\n$-1\r\n" /* a bulk holding CRLF; nested error */
    "%1\r\n+k\r\n:1\r\n"
    "_\r\n"
    "#t\r\n"
    ",1.5\r\n"
    "!5\r\nblob!\r\n"
    "~2\r\n+x\r\n+y\r\n";

static void test_pipelined(void **state)
{
	struct outcome o;
	(void)state;
	feed_all_ways(&o, pipelined, sizeof(pipelined) - 1);
	assert_false(o.failed);
	assert_int_equal(o.n, 18);
	assert_memory_equal(o.type, "+-::$$$*****%_#,!~", 18);
	assert_int_equal(o.type[1], '-');
	assert_true(o.is_error[1]);
	assert_string_equal(o.errmsg[1], "ERR unknown command 'FOO'");
	assert_int_equal(o.type[4], '$');
	assert_int_equal(o.is_null[6], 1);
	assert_int_equal(o.is_null[5], 0);
	assert_int_equal(o.is_null[9], 1);
	assert_int_equal(o.type[11], '*');
	assert_false(o.is_error[11]); /* an error inside an array is data, not a failure */
	assert_int_equal(o.type[12], '%');
	assert_int_equal(o.is_null[13], 1);
	assert_true(o.is_error[16]);
	assert_int_equal(o.type[17], '~');
}

static void expect_failure(const char *in, const char *why)
{
	struct outcome o;
	feed_all_ways(&o, in, strlen(in));
	assert_true(o.failed);
	if (why)
		assert_string_equal(o.why, why);
}

static void test_garbage(void **state)
{
	(void)state;
	expect_failure("hello\r\n", "unexpected reply type byte");
	expect_failure("+OK\n", "line not ended by CRLF");
	expect_failure("$abc\r\n", "bad bulk length");
	expect_failure("$-2\r\n", "bad bulk length");
	expect_failure("$5\r\nhelloXX", "bulk string not followed by CRLF");
	expect_failure(":12a\r\n", "bad integer");
	expect_failure(":\r\n", "bad integer");
	expect_failure("*2\r\n+a\r\n?\r\n", "unexpected reply type byte");
	expect_failure("#x\r\n", "bad boolean");
	expect_failure("\r\n", "line not ended by CRLF");
	/* A good reply before the garbage is still delivered. */
	struct outcome o;
	feed_all_ways(&o, "+OK\r\nJUNK\r\n", 11);
	assert_int_equal(o.n, 1);
	assert_true(o.failed);
}

static void test_oversized(void **state)
{
	struct outcome o;
	char *big;
	(void)state;
	expect_failure("$536870913\r\n", "bulk string over 512 MiB");
	expect_failure("*99999999999\r\n", "aggregate too long");
	/* A line without an end, longer than the cap. */
	big = xmalloc(RESP_MAX_LINE + 10);
	big[0] = '+';
	memset(big + 1, 'a', RESP_MAX_LINE + 8);
	big[RESP_MAX_LINE + 9] = 0;
	feed(&o, big, RESP_MAX_LINE + 9, 4096);
	assert_true(o.failed);
	assert_string_equal(o.why, "line too long");
	free(big);
	/* Nesting deeper than RESP_MAX_DEPTH. */
	struct strbuf deep = STRBUF_INIT;
	for (int i = 0; i <= RESP_MAX_DEPTH; i++)
		strbuf_addstr(&deep, "*1\r\n");
	strbuf_addstr(&deep, "+x\r\n");
	feed(&o, deep.buf, deep.len, 0);
	assert_true(o.failed);
	assert_string_equal(o.why, "replies nested too deep");
	strbuf_release(&deep);
	/* A 1 MiB bulk passes through without being kept: only a short header waits. */
	size_t n = 1 << 20;
	struct strbuf bulk = STRBUF_INIT;
	strbuf_addf(&bulk, "$%zu\r\n", n);
	strbuf_grow(&bulk, n + 2);
	memset(bulk.buf + bulk.len, 'v', n);
	strbuf_setlen(&bulk, bulk.len + n);
	strbuf_addstr(&bulk, "\r\n+after\r\n");
	feed(&o, bulk.buf, bulk.len, 1000);
	assert_false(o.failed);
	assert_int_equal(o.n, 2);
	assert_true(o.kept_max < 1000 + 16);
	strbuf_release(&bulk);
}

/* Sets up the redis protocol with argv-style options and encodes requests. */
struct rsetup {
	void *cfg;
	struct load_opts opts;
	struct load_target t;
	struct load_conn c;
};

static int redis_setup(struct rsetup *s, const char *const *args)
{
	const struct load_proto *p = load_proto_find("redis");
	struct strbuf err = STRBUF_INIT;
	assert_non_null(p);
	memset(s, 0, sizeof(*s));
	s->cfg = p->create();
	load_opts_init(&s->opts);
	for (int i = 0; args && args[i]; i += 2) {
		const struct option *o = p->longopts;
		while (o->name && strcmp(o->name, args[i]))
			o++;
		assert_non_null(o->name);
		assert_int_equal(p->option(s->cfg, &s->opts, o->val, args[i + 1], &err), 0);
	}
	int r = p->configure(s->cfg, "127.0.0.1:6380", &s->opts, &s->t, &err);
	strbuf_release(&err);
	if (r)
		return r;
	s->c.proto = xcalloc(1, p->conn_size);
	s->c.cfg = s->cfg;
	p->conn_reset(&s->c);
	return 0;
}

static void redis_teardown(struct rsetup *s)
{
	load_proto_find("redis")->destroy(s->cfg);
	free(s->c.proto);
}

/* Encodes the next request on s->c into a fresh buffer (caller releases). */
static void encode(struct rsetup *s, struct strbuf *out, unsigned *kind)
{
	struct load_req req = { 0 };
	strbuf_reset(out);
	load_proto_find("redis")->encode(&s->c, &req, out);
	s->c.seq++;
	*kind = req.kind;
}

static void test_redis_encode(void **state)
{
	const char *const args[] = { "command",	   "LPUSH mylist __data__",
				     "command",	   "SET __key__ \"two words\"",
				     "command",	   "set x y",
				     "value-size", "5",
				     "keyspace",   "1",
				     NULL };
	struct rsetup s;
	struct strbuf out = STRBUF_INIT;
	unsigned kind;
	(void)state;
	assert_int_equal(redis_setup(&s, args), 0);
	assert_string_equal(s.t.host, "127.0.0.1");
	assert_string_equal(s.t.port, "6380");
	assert_int_equal(s.t.nkinds, 3);
	assert_string_equal(s.t.kinds[0], "LPUSH");
	assert_string_equal(s.t.kinds[1], "SET");
	assert_string_equal(s.t.kinds[2], "SET#2");
	encode(&s, &out, &kind);
	assert_int_equal(kind, 0);
	assert_string_equal(out.buf, "*3\r\n$5\r\nLPUSH\r\n$6\r\nmylist\r\n$5\r\nxxxxx\r\n");
	encode(&s, &out, &kind);
	assert_int_equal(kind, 1);
	assert_string_equal(out.buf,
			    "*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000000\r\n$9\r\ntwo words\r\n");
	encode(&s, &out, &kind);
	assert_string_equal(out.buf, "*3\r\n$3\r\nset\r\n$1\r\nx\r\n$1\r\ny\r\n");
	encode(&s, &out, &kind);
	assert_int_equal(kind, 0); /* round-robin */
	strbuf_release(&out);
	redis_teardown(&s);
}

/* The default mix: one SET then ten GETs, keys within the keyspace, 12 digits. */
static void test_redis_ratio_and_keys(void **state)
{
	const char *const args[] = { "keyspace", "1000", "key-pattern", "sequential", NULL };
	struct rsetup s;
	struct strbuf out = STRBUF_INIT;
	unsigned kind, sets = 0;
	(void)state;
	assert_int_equal(redis_setup(&s, args), 0);
	for (int i = 0; i < 1100; i++) {
		encode(&s, &out, &kind);
		sets += kind == 0;
		const char *k = strstr(out.buf, "key:");
		assert_non_null(k);
		assert_int_equal(strspn(k + 4, "0123456789"), 12);
		assert_true(strtoull(k + 4, NULL, 10) < 1000);
		if (i < 3) { /* sequential from the connection's index (0), step = -c (10) */
			char want[32];
			snprintf(want, sizeof(want), "key:%012d", i * 10);
			assert_memory_equal(k, want, 16);
		}
	}
	assert_int_equal(sets, 100);
	strbuf_release(&out);
	redis_teardown(&s);
}

/* Key choice: uniform covers the keyspace evenly; gaussian centres on it. */
static void test_redis_key_patterns(void **state)
{
	const char *const uni[] = { "keyspace", "100", "command", "GET __key__", NULL };
	const char *const gau[] = { "keyspace", "6000",	       "key-pattern", "gaussian",
				    "command",	"GET __key__", NULL };
	struct rsetup s;
	struct strbuf out = STRBUF_INIT;
	unsigned kind, hits[100] = { 0 };
	double sum = 0, sum2 = 0;
	const int n = 60000;
	(void)state;
	assert_int_equal(redis_setup(&s, uni), 0);
	for (int i = 0; i < n; i++) {
		encode(&s, &out, &kind);
		hits[strtoul(strstr(out.buf, "key:") + 4, NULL, 10)]++;
	}
	for (int k = 0; k < 100; k++) /* 600 expected each: within 20 % */
		assert_true(hits[k] > 480 && hits[k] < 720);
	redis_teardown(&s);
	assert_int_equal(redis_setup(&s, gau), 0);
	for (int i = 0; i < n; i++) {
		encode(&s, &out, &kind);
		double k = (double)strtoul(strstr(out.buf, "key:") + 4, NULL, 10);
		assert_true(k < 6000);
		sum += k;
		sum2 += k * k;
	}
	double mean = sum / n, sd = sqrt(sum2 / n - mean * mean);
	assert_true(mean > 2900 && mean < 3100);
	assert_true(sd > 900 && sd < 1100);
	strbuf_release(&out);
	redis_teardown(&s);
}

static void test_redis_bad_options(void **state)
{
	struct rsetup s;
	const char *const tests[] = { "tests", "set,frob", NULL };
	const char *const quote[] = { "command", "SET \"a b", NULL };
	(void)state;
	assert_int_equal(redis_setup(&s, tests), -1);
	redis_teardown(&s);
	assert_int_equal(redis_setup(&s, quote), -1);
	redis_teardown(&s);
	const struct load_proto *p = load_proto_find("redis");
	struct load_opts o;
	struct strbuf err = STRBUF_INIT;
	void *cfg = p->create();
	load_opts_init(&o);
	const struct option *opt = p->longopts;
	while (strcmp(opt->name, "ratio"))
		opt++;
	assert_int_equal(p->option(cfg, &o, opt->val, "1:x", &err), -1);
	assert_non_null(strstr(err.buf, "--ratio"));
	p->destroy(cfg);
	strbuf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_redis_encode),
		cmocka_unit_test(test_redis_ratio_and_keys),
		cmocka_unit_test(test_redis_key_patterns),
		cmocka_unit_test(test_redis_bad_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
