/*
 * `hpcbench load redis HOST:PORT`: the Redis protocol (RESP) over the load core.
 *
 * Every command the run may send is encoded once, at configure time, into a template
 * (redis-cmd.h), so that encoding a request is one copy plus a few digits written in
 * place: nothing is formatted or allocated per request. Replies are found with the
 * incremental parser of resp.h.
 */
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/strlist.h"
#include "common/units.h"
#include "common/xalloc.h"
#include "load/core/opts.h"
#include "load/core/proto.h"
#include "load/redis/redis-cmd.h"
#include "load/redis/resp.h"
#include "load/core/sched.h"

enum key_pattern { KEYS_UNIFORM, KEYS_SEQUENTIAL, KEYS_GAUSSIAN };

struct redis_cfg {
	char *host, *port, *display;
	uint64_t keyspace;
	enum key_pattern pattern;
	uint64_t value_size;
	unsigned ratio_set, ratio_get;
	bool ratio_given;
	char *auth_file;
	char *password;		 /* read from auth_file at configure; never printed */
	struct strlist tests;	 /* --tests names, in order */
	struct strlist commands; /* --command texts, in order */
	uint64_t timeout_us;
	unsigned connections;

	struct redis_cmd cmds[LOAD_MAX_KINDS];
	char *kinds[LOAD_MAX_KINDS]; /* kind names: "SET", "LRANGE_100", a verb, "SET#2" */
	unsigned ncmds;
	unsigned *cycle; /* command index per position of the repeating sequence */
	unsigned ncycle;
	struct strbuf auth_req; /* the AUTH command, encoded */
	uint64_t seed;
};

struct redis_conn {
	struct resp_parser rp;
	struct load_rng rng;
	bool seeded;
	bool auth_pending; /* the AUTH reply has not arrived yet */
	uint64_t seq_key;  /* sequential pattern: next position */
};

enum {
	OPT_RATIO = LOAD_OPT_PROTO,
	OPT_KEYSPACE,
	OPT_KEY_PATTERN,
	OPT_VALUE_SIZE,
	OPT_AUTH,
	OPT_TESTS,
	OPT_COMMAND,
};

static const struct option redis_longopts[] = {
	{ "ratio", required_argument, NULL, OPT_RATIO },
	{ "keyspace", required_argument, NULL, OPT_KEYSPACE },
	{ "key-pattern", required_argument, NULL, OPT_KEY_PATTERN },
	{ "value-size", required_argument, NULL, OPT_VALUE_SIZE },
	{ "auth", required_argument, NULL, OPT_AUTH },
	{ "tests", required_argument, NULL, OPT_TESTS },
	{ "command", required_argument, NULL, OPT_COMMAND },
	{ 0 },
};

static void *redis_create(void)
{
	struct redis_cfg *cfg = xcalloc(1, sizeof(*cfg));
	cfg->keyspace = 100000;
	cfg->value_size = 3;
	cfg->ratio_set = 1;
	cfg->ratio_get = 10;
	strbuf_init(&cfg->auth_req, 0);
	return cfg;
}

static void redis_destroy(void *p)
{
	struct redis_cfg *cfg = p;
	if (!cfg)
		return;
	free(cfg->host);
	free(cfg->port);
	free(cfg->display);
	free(cfg->auth_file);
	if (cfg->password) {
		memset(cfg->password, 0, strlen(cfg->password));
		free(cfg->password);
	}
	strlist_clear(&cfg->tests);
	strlist_clear(&cfg->commands);
	for (unsigned i = 0; i < cfg->ncmds; i++) {
		free(cfg->kinds[i]);
		redis_cmd_release(&cfg->cmds[i]);
	}
	free(cfg->cycle);
	if (cfg->auth_req.len)
		memset(cfg->auth_req.buf, 0, cfg->auth_req.len);
	strbuf_release(&cfg->auth_req);
	free(cfg);
}

static int redis_option(void *p, struct load_opts *o, int val, const char *arg, struct strbuf *err)
{
	struct redis_cfg *cfg = p;
	uint64_t v;
	(void)o;
	switch (val) {
	case OPT_RATIO: {
		unsigned s, g;
		int n = 0;
		if (sscanf(arg, "%u:%u%n", &s, &g, &n) != 2 || arg[n] || s + g == 0 || s > 1000 ||
		    g > 1000)
			return error(err, "--ratio: '%s' is not SET:GET (e.g. 1:10)", arg);
		cfg->ratio_set = s;
		cfg->ratio_get = g;
		cfg->ratio_given = true;
		return 0;
	}
	case OPT_KEYSPACE:
		if (parse_uint(arg, 1, REDIS_MAX_KEYSPACE, &cfg->keyspace))
			return error(err, "--keyspace: '%s' is not a number from 1 to 10^12", arg);
		return 0;
	case OPT_KEY_PATTERN:
		if (!strcmp(arg, "uniform") || !strcmp(arg, "random"))
			cfg->pattern = KEYS_UNIFORM;
		else if (!strcmp(arg, "sequential"))
			cfg->pattern = KEYS_SEQUENTIAL;
		else if (!strcmp(arg, "gaussian"))
			cfg->pattern = KEYS_GAUSSIAN;
		else
			return error(
			    err, "--key-pattern: '%s' is not uniform, sequential or gaussian", arg);
		return 0;
	case OPT_VALUE_SIZE:
		if (parse_bytes(arg, &v) || v > 64ull * 1024 * 1024)
			return error(err, "--value-size: '%s' is not a size up to 64M", arg);
		cfg->value_size = v;
		return 0;
	case OPT_AUTH:
		free(cfg->auth_file);
		cfg->auth_file = xstrdup(arg);
		return 0;
	case OPT_TESTS: {
		char *list = xstrdup(arg), *save = NULL;
		for (char *t = strtok_r(list, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
			strlist_push(&cfg->tests, t);
		free(list);
		if (!cfg->tests.nr)
			return error(err, "--tests: empty list");
		return 0;
	}
	case OPT_COMMAND:
		strlist_push(&cfg->commands, arg);
		return 0;
	}
	return error(err, "unknown redis option");
}

/* Adds the command text (NULL: inline PING) under kind name (made unique). */
static int add_command(struct redis_cfg *cfg, const char *kind, const char *text,
		       struct strbuf *err)
{
	unsigned same = 0;
	size_t klen = strlen(kind);
	if (cfg->ncmds == LOAD_MAX_KINDS)
		return error(err, "more than %d commands", LOAD_MAX_KINDS);
	if (redis_cmd_build(&cfg->cmds[cfg->ncmds], text, cfg->value_size, err))
		return -1;
	/* Kind names must be unique: a second "SET" command becomes "SET#2". */
	for (unsigned i = 0; i < cfg->ncmds; i++)
		if (!strncmp(cfg->kinds[i], kind, klen) &&
		    (!cfg->kinds[i][klen] || cfg->kinds[i][klen] == '#'))
			same++;
	cfg->kinds[cfg->ncmds] = same ? xasprintf("%s#%u", kind, same + 1) : xstrdup(kind);
	cfg->ncmds++;
	return 0;
}

/* Parses HOST:PORT, [V6]:PORT, HOST (port 6379), with an optional redis:// prefix. */
static int parse_target(struct redis_cfg *cfg, const char *target, struct strbuf *err)
{
	const char *s = target, *colon;
	uint64_t port;
	if (!strncmp(s, "redis://", 8))
		s += 8;
	if (*s == '[') {
		const char *end = strchr(s, ']');
		if (!end || (end[1] && end[1] != ':'))
			return error(err, "target '%s' is not HOST:PORT", target);
		cfg->host = xstrndup(s + 1, (size_t)(end - s - 1));
		colon = end[1] ? end + 1 : NULL;
	} else {
		colon = strrchr(s, ':');
		cfg->host = colon ? xstrndup(s, (size_t)(colon - s)) : xstrdup(s);
	}
	if (colon && (parse_uint(colon + 1, 1, 65535, &port)))
		return error(err, "target '%s': '%s' is not a port number", target, colon + 1);
	if (!*cfg->host)
		return error(err, "target '%s' has no host", target);
	cfg->port = colon ? xstrdup(colon + 1) : xstrdup("6379");
	cfg->display = xasprintf("%s%s%s:%s", strchr(cfg->host, ':') ? "[" : "", cfg->host,
				 strchr(cfg->host, ':') ? "]" : "", cfg->port);
	return 0;
}

static int read_password(struct redis_cfg *cfg, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	if (read_file_max(cfg->auth_file, &sb, FILE_MAX_SECRET, "secret", err)) {
		strbuf_release(&sb);
		return error(err, "--auth: cannot read the password file");
	}
	while (sb.len && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == '\r'))
		strbuf_setlen(&sb, sb.len - 1);
	if (!sb.len || memchr(sb.buf, '\n', sb.len)) {
		strbuf_release(&sb);
		return error(err, "--auth %s: the file must hold the password on one line",
			     cfg->auth_file);
	}
	cfg->password = strbuf_detach(&sb, NULL);
	strbuf_addf(&cfg->auth_req, "*2\r\n$4\r\nAUTH\r\n$%zu\r\n%s\r\n", strlen(cfg->password),
		    cfg->password);
	return 0;
}

static int redis_configure(void *p, const char *target, struct load_opts *o, struct load_target *t,
			   struct strbuf *err)
{
	struct redis_cfg *cfg = p;
	if (parse_target(cfg, target, err))
		return -1;
	if (cfg->auth_file && read_password(cfg, err))
		return -1;
	if (cfg->ratio_given && (cfg->tests.nr || cfg->commands.nr))
		return error(err, "--ratio applies to the default SET/GET mix, not to --tests "
				  "or --command");
	for (size_t i = 0; i < cfg->tests.nr; i++) {
		const struct redis_test *test = redis_test_find(cfg->tests.items[i]);
		if (!test)
			return error(err, "--tests: unknown test '%s' (known: %s)",
				     cfg->tests.items[i], redis_test_names);
		if (add_command(cfg, test->kind, test->command, err))
			return -1;
	}
	for (size_t i = 0; i < cfg->commands.nr; i++) {
		struct strlist words = STRLIST_INIT;
		char *verb;
		if (redis_split_words(cfg->commands.items[i], &words, err)) {
			strlist_clear(&words);
			return -1;
		}
		verb = xstrdup(words.items[0]);
		for (char *c = verb; *c; c++)
			*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
		strlist_clear(&words);
		if (add_command(cfg, verb, cfg->commands.items[i], err)) {
			free(verb);
			return -1;
		}
		free(verb);
	}
	if (!cfg->ncmds) {
		unsigned n = cfg->ratio_set + cfg->ratio_get, k = 0;
		if (add_command(cfg, "SET", "SET key:__rand_int__ __data__", err) ||
		    add_command(cfg, "GET", "GET key:__rand_int__", err))
			return -1;
		/* SET first, then the GETs: over each cycle the mix is exact. */
		cfg->cycle = xcalloc(n, sizeof(*cfg->cycle));
		for (unsigned i = 0; i < cfg->ratio_set; i++)
			cfg->cycle[k++] = 0;
		for (unsigned i = 0; i < cfg->ratio_get; i++)
			cfg->cycle[k++] = 1;
		cfg->ncycle = n;
	} else {
		cfg->cycle = xcalloc(cfg->ncmds, sizeof(*cfg->cycle));
		for (unsigned i = 0; i < cfg->ncmds; i++)
			cfg->cycle[i] = i;
		cfg->ncycle = cfg->ncmds;
	}
	cfg->seed = o->seed;
	cfg->timeout_us = o->timeout_us;
	cfg->connections = o->connections;
	t->host = cfg->host;
	t->port = cfg->port;
	t->display = cfg->display;
	t->kinds = (const char *const *)cfg->kinds;
	t->nkinds = cfg->ncmds;
	t->max_buffer = RESP_MAX_LINE + 1024;
	return 0;
}

/*
 * Reads one whole reply from a blocking socket: bytes gather in sb, *pos is where the
 * next reply starts (replies read ahead stay for the next call). 0 or -1 with err.
 */
static int read_reply(int fd, struct strbuf *sb, size_t *pos, struct resp_parser *rp,
		      uint64_t timeout_us, struct strbuf *err)
{
	for (;;) {
		size_t used = 0;
		int r = resp_parse(rp, sb->buf + *pos, sb->len - *pos, &used);
		*pos += used;
		if (r == RESP_DONE)
			return 0;
		if (r == RESP_ERROR)
			return error(err, "malformed reply: %s", rp->error);
		strbuf_grow(sb, 4096);
		ssize_t n = read(fd, sb->buf + sb->len, 4096);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return error(err, "no reply within %.3f s (--timeout)",
				     (double)timeout_us / 1e6);
		if (n <= 0)
			return error(err, "%s", n == 0 ? "connection closed" : strerror(errno));
		strbuf_setlen(sb, sb->len + (size_t)n);
	}
}

/*
 * Before the clock starts: one blocking connection that authenticates (if asked) and
 * sends PING, so that a wrong password or a server that is not Redis is one clear
 * message instead of a run full of errors.
 */
static int redis_prepare(void *p, const struct load_opts *o, struct strbuf *err)
{
	struct redis_cfg *cfg = p;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai = NULL;
	struct timeval tv = { (time_t)(o->timeout_us / 1000000), (long)(o->timeout_us % 1000000) };
	struct strbuf in = STRBUF_INIT, req = STRBUF_INIT;
	struct resp_parser rp;
	size_t pos = 0;
	int fd = -1, ret = -1, rc;

	rc = getaddrinfo(cfg->host, cfg->port, &hints, &ai);
	if (rc) {
		error(err, "%s: cannot resolve '%s': %s", cfg->display, cfg->host,
		      gai_strerror(rc));
		goto out;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		error(err, "cannot connect to %s: %s", cfg->display, strerror(errno));
		goto out;
	}
	strbuf_add(&req, cfg->auth_req.buf, cfg->auth_req.len);
	strbuf_addstr(&req, "*1\r\n$4\r\nPING\r\n");
	if (send(fd, req.buf, req.len, MSG_NOSIGNAL) != (ssize_t)req.len) {
		error(err, "%s: cannot send: %s", cfg->display, strerror(errno));
		goto out;
	}
	resp_parser_init(&rp);
	if (cfg->auth_req.len) {
		if (read_reply(fd, &in, &pos, &rp, o->timeout_us, err)) {
			error(err, "%s: AUTH failed", cfg->display);
			goto out;
		}
		if (rp.is_error) {
			error(err, "%s: AUTH failed: %s", cfg->display, rp.errmsg);
			goto out;
		}
	}
	if (read_reply(fd, &in, &pos, &rp, o->timeout_us, err)) {
		error(err, "%s: no answer to PING (is it a Redis server?)", cfg->display);
		goto out;
	}
	if (rp.is_error) {
		error(err, "%s: PING failed: %s", cfg->display, rp.errmsg);
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ai)
		freeaddrinfo(ai);
	if (req.len)
		memset(req.buf, 0, req.len);
	strbuf_release(&req);
	strbuf_release(&in);
	return ret;
}

static void redis_conn_reset(struct load_conn *c)
{
	const struct redis_cfg *cfg = c->cfg;
	struct redis_conn *rc = c->proto;
	resp_parser_init(&rc->rp);
	rc->auth_pending = false;
	if (!rc->seeded) {
		/* One stream per connection: reproducible whatever the thread layout. */
		load_rng_seed(&rc->rng, cfg->seed ^ 0x6b6579, c->index);
		rc->seq_key = c->index;
		rc->seeded = true;
	}
}

static void redis_on_connect(struct load_conn *c, struct strbuf *out)
{
	const struct redis_cfg *cfg = c->cfg;
	struct redis_conn *rc = c->proto;
	if (!cfg->auth_req.len)
		return;
	strbuf_add(out, cfg->auth_req.buf, cfg->auth_req.len);
	rc->auth_pending = true;
}

/* The key number of the next request. */
static uint64_t next_key(const struct redis_cfg *cfg, struct redis_conn *rc)
{
	uint64_t n = cfg->keyspace;
	switch (cfg->pattern) {
	case KEYS_SEQUENTIAL: {
		uint64_t k = rc->seq_key % n;
		rc->seq_key += cfg->connections;
		return k;
	}
	case KEYS_GAUSSIAN: {
		/* Mean in the middle, standard deviation a sixth of the keyspace. */
		double v = (double)n / 2 + load_rng_normal(&rc->rng) * (double)n / 6;
		if (v < 0)
			v = 0;
		if (v > (double)(n - 1))
			v = (double)(n - 1);
		return (uint64_t)v;
	}
	default:
		return load_rng_below(&rc->rng, n);
	}
}

static void redis_encode(struct load_conn *c, struct load_req *req, struct strbuf *out)
{
	const struct redis_cfg *cfg = c->cfg;
	unsigned idx = cfg->cycle[c->seq % cfg->ncycle];
	const struct redis_cmd *cmd = &cfg->cmds[idx];
	req->kind = idx;
	redis_cmd_encode(cmd, cmd->nfields ? next_key(cfg, c->proto) : 0, out);
}

static enum load_step redis_parse(struct load_conn *c, struct load_req *req, const char *data,
				  size_t len, size_t *used, uint64_t now_ns)
{
	struct redis_conn *rc = c->proto;
	size_t off = 0, n = 0;
	int r;
	(void)now_ns;
	*used = 0;
	if (rc->auth_pending) {
		r = resp_parse(&rc->rp, data, len, &n);
		*used = n;
		if (r == RESP_MORE)
			return LOAD_MORE;
		if (r == RESP_ERROR) {
			load_conn_note(c, LOAD_ERR_PROTOCOL, "malformed reply: %s", rc->rp.error);
			return LOAD_FAIL;
		}
		if (rc->rp.is_error) {
			load_conn_note(c, LOAD_ERR_SERVER, "AUTH: %s", rc->rp.errmsg);
			return LOAD_FAIL;
		}
		rc->auth_pending = false;
		off = n;
	}
	if (off == len)
		return LOAD_MORE;
	if (!req) {
		load_conn_note(c, LOAD_ERR_PROTOCOL, "a reply arrived with no request outstanding");
		return LOAD_FAIL;
	}
	r = resp_parse(&rc->rp, data + off, len - off, &n);
	*used = off + n;
	if (r == RESP_MORE)
		return LOAD_MORE;
	if (r == RESP_ERROR) {
		load_conn_note(c, LOAD_ERR_PROTOCOL, "malformed reply: %s", rc->rp.error);
		return LOAD_FAIL;
	}
	if (rc->rp.is_error) {
		req->err = LOAD_ERR_SERVER;
		load_conn_note(c, LOAD_ERR_SERVER, "%s", rc->rp.errmsg);
	}
	return LOAD_DONE;
}

static void redis_params_json(const void *p, struct jsonw *w)
{
	const struct redis_cfg *cfg = p;
	static const char *const patterns[] = { "uniform", "sequential", "gaussian" };
	jsonw_u64(w, "keyspace", cfg->keyspace);
	jsonw_str(w, "key_pattern", patterns[cfg->pattern]);
	jsonw_u64(w, "value_size", cfg->value_size);
	if (!cfg->tests.nr && !cfg->commands.nr) {
		char ratio[32];
		snprintf(ratio, sizeof(ratio), "%u:%u", cfg->ratio_set, cfg->ratio_get);
		jsonw_str(w, "ratio", ratio);
	}
	if (cfg->tests.nr) {
		jsonw_arr_open(w, "tests");
		for (size_t i = 0; i < cfg->tests.nr; i++)
			jsonw_str(w, NULL, cfg->tests.items[i]);
		jsonw_close(w);
	}
	if (cfg->commands.nr) {
		jsonw_arr_open(w, "commands");
		for (size_t i = 0; i < cfg->commands.nr; i++)
			jsonw_str(w, NULL, cfg->commands.items[i]);
		jsonw_close(w);
	}
	jsonw_bool(w, "auth", cfg->auth_file != NULL);
}

const struct load_proto load_proto_redis = {
	.name = "redis",
	.target_usage = "HOST:PORT",
	.summary = "Redis (RESP): SET/GET mix, redis-benchmark tests, any command",
	.help = "redis options:\n"
		"  --ratio S:G          SET:GET mix of the default workload (default 1:10)\n"
		"  --keyspace N         keys key:000000000000 .. N-1 (default 100000)\n"
		"  --key-pattern P      uniform (or random) | sequential | gaussian (default\n"
		"                       uniform)\n"
		"  --value-size BYTES   size of SET values and __data__ (default 3)\n"
		"  --auth FILE          send AUTH with the password in FILE (one line)\n"
		"  --tests LIST         redis-benchmark tests, mixed round-robin: ping,\n"
		"                       ping_inline, ping_mbulk, set, get, incr, lpush, rpush,\n"
		"                       lpop, rpop, sadd, hset, spop, zadd, zpopmin, lrange_100\n"
		"                       (lrange), lrange_300, lrange_500, lrange_600, mset\n"
		"  --command 'CMD ARGS' a command to send (repeatable, mixed round-robin with\n"
		"                       --tests); __key__ = key:NNNNNNNNNNNN from the keyspace,\n"
		"                       __rand_int__ = the same 12-digit number, __data__ = a\n"
		"                       value of --value-size bytes\n"
		"  Error replies (-ERR, -WRONGTYPE...) count as 'server' errors.\n",
	.longopts = redis_longopts,
	.conn_size = sizeof(struct redis_conn),
	.create = redis_create,
	.option = redis_option,
	.configure = redis_configure,
	.prepare = redis_prepare,
	.destroy = redis_destroy,
	.conn_reset = redis_conn_reset,
	.on_connect = redis_on_connect,
	.encode = redis_encode,
	.parse = redis_parse,
	.params_json = redis_params_json,
};
