/*
 * Redis INFO (redis://[:PASSWORD@]HOST:PORT): every numeric field of INFO all as
 * redis_FIELD, command statistics as redis_commands_total{cmd="..."} and their time as
 * redis_commands_duration_seconds_total, keyspace lines as redis_db_keys{db="db0"}.
 * The connection stays open between scrapes (one INFO per tick: Redis counts it
 * among total_commands_processed).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "monitor/netio.h"
#include "monitor/source.h"

#define REDIS_TIMEOUT_MS 5000

struct redis_priv {
	char *host, *port, *password;
	int fd;
};

static int redis_open(struct mon_source *src, const char *spec, struct strbuf *err)
{
	struct redis_priv *p = xcalloc(1, sizeof(*p));
	const char *hp = spec + strlen("redis://"), *at = strrchr(hp, '@'), *colon;
	p->fd = -1;
	src->priv = p;
	if (at) {
		const char *pw = hp[0] == ':' ? hp + 1 : hp;
		p->password = xstrndup(pw, (size_t)(at - pw));
		hp = at + 1;
	}
	colon = strrchr(hp, ':');
	if (!colon || colon == hp || !colon[1] ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return error(err, "'%s': expected redis://[:PASSWORD@]HOST:PORT", src->spec);
	p->host = xstrndup(hp, (size_t)(colon - hp));
	p->port = xstrdup(colon + 1);
	return 0;
}

static void redis_close(struct mon_source *src)
{
	struct redis_priv *p = src->priv;
	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	free(p->host);
	free(p->port);
	free(p->password);
	free(p);
	src->priv = NULL;
}

/* Sends cmd and reads one reply into out (a bulk string's payload, or the line). */
static int roundtrip(struct redis_priv *p, const char *cmd, struct strbuf *out, struct strbuf *err)
{
	uint64_t deadline = mono_ns() + REDIS_TIMEOUT_MS * 1000000ull;
	strbuf_reset(out);
	if (net_write_all(p->fd, cmd, strlen(cmd), deadline, err))
		return -1;
	for (;;) {
		char *eol = strstr(out->buf, "\r\n");
		if (eol && out->buf[0] != '$') {
			if (out->buf[0] == '-')
				return error(err, "redis: %.*s", (int)(eol - out->buf - 1),
					     out->buf + 1);
			return 0;
		}
		if (eol) {
			long n = strtol(out->buf + 1, NULL, 10);
			size_t hdr = (size_t)(eol - out->buf) + 2;
			if (n < 0)
				return error(err, "redis: nil reply to %s", cmd);
			if (out->len >= hdr + (size_t)n + 2) {
				memmove(out->buf, out->buf + hdr, (size_t)n);
				strbuf_setlen(out, (size_t)n);
				return 0;
			}
		}
		if (out->len > NET_BODY_CAP)
			return error(err, "redis: reply larger than %u MiB", NET_BODY_CAP >> 20);
		long r = net_read_some(p->fd, out, deadline, err);
		if (r <= 0)
			return r == 0 ? error(err, "redis: connection closed") : -1;
	}
}

/* True for INFO fields that only count up. */
static int is_counter(const char *k)
{
	static const char *const names[] = { "keyspace_hits",	     "keyspace_misses",
					     "expired_keys",	     "evicted_keys",
					     "rejected_connections", "sync_full",
					     "sync_partial_ok",	     "sync_partial_err",
					     "expired_stale_perc",   NULL };
	if (!strncmp(k, "total_", 6) || !strncmp(k, "used_cpu_", 9))
		return strcmp(k, "total_system_memory") != 0;
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(k, names[i]))
			return 1;
	return 0;
}

static const char *unit_of(const char *k)
{
	if (!strncmp(k, "used_cpu_", 9))
		return "seconds";
	if (strstr(k, "_bytes") || (strstr(k, "memory") && !strstr(k, "ratio")) ||
	    strstr(k, "_rss") || !strcmp(k, "mem_fragmentation_bytes"))
		return "bytes";
	return "";
}

/* One "field:value" line of INFO. */
static void info_line(struct mon_source *src, const char *k, size_t kl, const char *v, uint64_t now,
		      struct strbuf *key)
{
	char *end;
	strbuf_reset(key);
	if (kl > 8 && !strncmp(k, "cmdstat_", 8)) {
		/* cmdstat_get:calls=10,usec=20,usec_per_call=2.00,... */
		const char *c = strstr(v, "calls="), *u = strstr(v, "usec=");
		strbuf_addf(key, "redis_commands_total{cmd=\"%.*s\"}", (int)(kl - 8), k + 8);
		if (c)
			mon_source_add(src, key->buf, MON_COUNTER, "", now, strtod(c + 6, NULL));
		strbuf_reset(key);
		strbuf_addf(key, "redis_commands_duration_seconds_total{cmd=\"%.*s\"}",
			    (int)(kl - 8), k + 8);
		if (u)
			mon_source_add(src, key->buf, MON_COUNTER, "seconds", now,
				       strtod(u + 5, NULL) / 1e6);
		return;
	}
	if (kl > 2 && k[0] == 'd' && k[1] == 'b' && isdigit((unsigned char)k[2])) {
		const char *c = strstr(v, "keys=");
		strbuf_addf(key, "redis_db_keys{db=\"%.*s\"}", (int)kl, k);
		if (c)
			mon_source_add(src, key->buf, MON_GAUGE, "", now, strtod(c + 5, NULL));
		return;
	}
	double x = strtod(v, &end);
	if (end == v || *end)
		return; /* text fields (versions, modes, human-readable sizes) */
	strbuf_addf(key, "redis_%.*s", (int)kl, k);
	char *field = xstrndup(k, kl);
	mon_source_add(src, key->buf, is_counter(field) ? MON_COUNTER : MON_GAUGE, unit_of(field),
		       now, x);
	free(field);
}

static int redis_scrape(struct mon_source *src, uint64_t now, struct strbuf *err)
{
	struct redis_priv *p = src->priv;
	struct strbuf reply = STRBUF_INIT, key = STRBUF_INIT, cmd = STRBUF_INIT;
	int ret = -1;
	if (p->fd < 0) {
		p->fd =
		    net_connect(p->host, p->port, mono_ns() + REDIS_TIMEOUT_MS * 1000000ull, err);
		if (p->fd < 0)
			goto out;
		if (p->password) {
			strbuf_addf(&cmd, "*2\r\n$4\r\nAUTH\r\n$%zu\r\n%s\r\n", strlen(p->password),
				    p->password);
			if (roundtrip(p, cmd.buf, &reply, err))
				goto out;
		}
	}
	if (roundtrip(p, "*2\r\n$4\r\nINFO\r\n$3\r\nall\r\n", &reply, err))
		goto out;
	for (char *line = reply.buf; *line;) {
		size_t n = strcspn(line, "\r\n");
		char *colon = memchr(line, ':', n);
		if (line[0] != '#' && colon) {
			char save = line[n];
			line[n] = 0;
			info_line(src, line, (size_t)(colon - line), colon + 1, now, &key);
			line[n] = save;
		}
		line += n;
		line += strspn(line, "\r\n");
	}
	ret = 0;
out:
	if (ret && p->fd >= 0) {
		close(p->fd);
		p->fd = -1;
	}
	strbuf_release(&reply);
	strbuf_release(&key);
	strbuf_release(&cmd);
	return ret;
}

const struct mon_source_type mon_source_redis = {
	.name = "redis-info",
	.prefix = "redis://",
	.usage = "redis://[:PASSWORD@]HOST:PORT",
	.open = redis_open,
	.scrape = redis_scrape,
	.close = redis_close,
	.counters_born_at_zero = 1,
};
