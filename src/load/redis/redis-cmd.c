#include "load/redis/redis-cmd.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "common/error.h"

static const struct redis_test redis_tests[] = {
	{ "ping", "PING", "PING" },
	{ "ping_inline", "PING_INLINE", NULL },
	{ "ping_mbulk", "PING", "PING" },
	{ "set", "SET", "SET key:__rand_int__ __data__" },
	{ "get", "GET", "GET key:__rand_int__" },
	{ "incr", "INCR", "INCR counter:__rand_int__" },
	{ "lpush", "LPUSH", "LPUSH mylist __data__" },
	{ "rpush", "RPUSH", "RPUSH mylist __data__" },
	{ "lpop", "LPOP", "LPOP mylist" },
	{ "rpop", "RPOP", "RPOP mylist" },
	{ "sadd", "SADD", "SADD myset element:__rand_int__" },
	{ "hset", "HSET", "HSET myhash element:__rand_int__ __data__" },
	{ "spop", "SPOP", "SPOP myset" },
	{ "zadd", "ZADD", "ZADD myzset 0 element:__rand_int__" },
	{ "zpopmin", "ZPOPMIN", "ZPOPMIN myzset" },
	{ "lrange", "LRANGE_100", "LRANGE mylist 0 99" },
	{ "lrange_100", "LRANGE_100", "LRANGE mylist 0 99" },
	{ "lrange_300", "LRANGE_300", "LRANGE mylist 0 299" },
	{ "lrange_500", "LRANGE_500", "LRANGE mylist 0 449" },
	{ "lrange_600", "LRANGE_600", "LRANGE mylist 0 599" },
	{ "mset", "MSET",
	  "MSET key:__rand_int__ __data__ key:__rand_int__ __data__ key:__rand_int__ __data__ "
	  "key:__rand_int__ __data__ key:__rand_int__ __data__ key:__rand_int__ __data__ "
	  "key:__rand_int__ __data__ key:__rand_int__ __data__ key:__rand_int__ __data__ "
	  "key:__rand_int__ __data__" },
};

const char redis_test_names[] = "ping, ping_inline, ping_mbulk, set, get, incr, lpush, rpush, "
				"lpop, rpop, sadd, hset, spop, zadd, zpopmin, lrange_100 "
				"(lrange), lrange_300, lrange_500, lrange_600, mset";

const struct redis_test *redis_test_find(const char *name)
{
	for (size_t i = 0; i < sizeof(redis_tests) / sizeof(redis_tests[0]); i++)
		if (!strcasecmp(redis_tests[i].name, name))
			return &redis_tests[i];
	return NULL;
}

int redis_split_words(const char *s, struct strlist *out, struct strbuf *err)
{
	struct strbuf w = STRBUF_INIT;
	bool in_word = false, quoted = false;
	size_t before = out->nr;
	for (const char *p = s;; p++) {
		if (!*p || (!quoted && (*p == ' ' || *p == '\t'))) {
			if (in_word)
				strlist_push(out, w.buf);
			strbuf_reset(&w);
			in_word = false;
			if (!*p)
				break;
			continue;
		}
		if (*p == '"') {
			quoted = !quoted;
			in_word = true;
			continue;
		}
		strbuf_addch(&w, *p);
		in_word = true;
	}
	strbuf_release(&w);
	if (quoted)
		return error(err, "--command '%s': unbalanced double quote", s);
	if (out->nr == before)
		return error(err, "--command: empty command");
	return 0;
}

/* Appends word to sb with placeholders expanded; records number fields (offsets in sb). */
static int expand_word(struct redis_cmd *cmd, struct strbuf *sb, const char *word,
		       uint64_t value_size, struct strbuf *err)
{
	static const char *const ph[] = { "__key__", "__rand_int__", "__data__" };
	const char *p = word;
	while (*p) {
		unsigned which = 3;
		for (unsigned i = 0; i < 3; i++)
			if (!strncmp(p, ph[i], strlen(ph[i])))
				which = i;
		if (which == 3) {
			strbuf_addch(sb, *p++);
			continue;
		}
		p += strlen(ph[which]);
		if (which == 2) {
			strbuf_grow(sb, value_size);
			memset(sb->buf + sb->len, 'x', value_size);
			strbuf_setlen(sb, sb->len + value_size);
			continue;
		}
		if (cmd->nfields == REDIS_MAX_FIELDS)
			return error(err, "command '%s': more than %d key placeholders", word,
				     REDIS_MAX_FIELDS);
		if (which == 0)
			strbuf_addstr(sb, "key:");
		cmd->field[cmd->nfields++] = sb->len;
		for (int i = 0; i < REDIS_KEY_DIGITS; i++)
			strbuf_addch(sb, '0');
	}
	return 0;
}

int redis_cmd_build(struct redis_cmd *cmd, const char *text, uint64_t value_size,
		    struct strbuf *err)
{
	struct strlist words = STRLIST_INIT;
	struct strbuf arg = STRBUF_INIT;
	int ret = -1;
	memset(cmd, 0, sizeof(*cmd));
	strbuf_init(&cmd->tmpl, 0);
	if (!text) {
		strbuf_addstr(&cmd->tmpl, "PING\r\n");
		return 0;
	}
	if (redis_split_words(text, &words, err))
		goto out;
	strbuf_addf(&cmd->tmpl, "*%zu\r\n", words.nr);
	for (size_t i = 0; i < words.nr; i++) {
		/* The $LEN header depends on the expanded length: expand first (fields
		 * relative to arg), then shift the new fields behind the header. */
		unsigned first = cmd->nfields;
		strbuf_reset(&arg);
		if (expand_word(cmd, &arg, words.items[i], value_size, err))
			goto out;
		strbuf_addf(&cmd->tmpl, "$%zu\r\n", arg.len);
		for (unsigned f = first; f < cmd->nfields; f++)
			cmd->field[f] += cmd->tmpl.len;
		strbuf_add(&cmd->tmpl, arg.buf, arg.len);
		strbuf_addstr(&cmd->tmpl, "\r\n");
	}
	ret = 0;
out:
	if (ret)
		redis_cmd_release(cmd);
	strlist_clear(&words);
	strbuf_release(&arg);
	return ret;
}

void redis_cmd_release(struct redis_cmd *cmd)
{
	strbuf_release(&cmd->tmpl);
	cmd->nfields = 0;
}
