/*
 * Redis request templates for the load generator: a command line such as
 * 'SET key:__rand_int__ __data__' is encoded once into the RESP bytes it stands for,
 * with every key number a fixed-width field (12 digits, as redis-benchmark's
 * __rand_int__), so that a request is one copy of the template plus the digits
 * written in place. Also the table of redis-benchmark's test names.
 */
#ifndef HPCBENCH_LOAD_REDIS_CMD_H
#define HPCBENCH_LOAD_REDIS_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "common/strlist.h"

#define REDIS_KEY_DIGITS 12
#define REDIS_MAX_FIELDS 16		    /* key placeholders per command */
#define REDIS_MAX_KEYSPACE 1000000000000ull /* 10^REDIS_KEY_DIGITS */

struct redis_cmd {
	struct strbuf tmpl;		/* the encoded request, number fields zeroed */
	size_t field[REDIS_MAX_FIELDS]; /* offsets of the REDIS_KEY_DIGITS-wide fields */
	unsigned nfields;
};

/* One of redis-benchmark's tests: its name, our kind name, its command. */
struct redis_test {
	const char *name;    /* "lrange_100" */
	const char *kind;    /* "LRANGE_100" */
	const char *command; /* "LRANGE mylist 0 99"; NULL for ping_inline ("PING\r\n") */
};

/* The test called name (case-insensitive), or NULL. */
const struct redis_test *redis_test_find(const char *name);
/* "ping, set, get, ..." for messages. */
extern const char redis_test_names[];

/*
 * Splits a command line into words; "double quotes" group words (and may be empty).
 * Appends to out. 0, or -1 with err (unbalanced quote, nothing at all).
 */
int redis_split_words(const char *s, struct strlist *out, struct strbuf *err);

/*
 * Builds cmd (initialised here; release with redis_cmd_release) from text, a command
 * line where __key__ is key:NNNNNNNNNNNN, __rand_int__ the same 12-digit number and
 * __data__ value_size bytes of 'x'; text NULL is the inline PING. 0 or -1 with err.
 */
int redis_cmd_build(struct redis_cmd *cmd, const char *text, uint64_t value_size,
		    struct strbuf *err);
void redis_cmd_release(struct redis_cmd *cmd);

/* Appends cmd to out with key number k (< REDIS_MAX_KEYSPACE) in every field. */
static inline void redis_cmd_encode(const struct redis_cmd *cmd, uint64_t k, struct strbuf *out)
{
	size_t base = out->len;
	char digits[REDIS_KEY_DIGITS];
	strbuf_add(out, cmd->tmpl.buf, cmd->tmpl.len);
	if (!cmd->nfields)
		return;
	for (int i = REDIS_KEY_DIGITS - 1; i >= 0; i--) {
		digits[i] = (char)('0' + k % 10);
		k /= 10;
	}
	for (unsigned f = 0; f < cmd->nfields; f++)
		__builtin_memcpy(out->buf + base + cmd->field[f], digits, REDIS_KEY_DIGITS);
}

#endif
