/* RESP replies (src/load/redis/resp.c), fed in pieces of any size. */
#include <string.h>

#include "fuzz/fuzz.h"
#include "load/redis/resp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_split s;
	struct resp_parser p;
	char buf[RESP_MAX_LINE + 512];
	size_t held = 0; /* bytes left unconsumed, given again with the next piece */

	fuzz_split_init(&s, data, size);
	resp_parser_init(&p);
	while (s.left) {
		size_t n = fuzz_next(&s), used = 0;
		if (held + n > sizeof(buf))
			return 0; /* a line longer than the cap: the parser must have failed */
		memcpy(buf + held, s.p, n);
		s.p += n;
		s.left -= n;
		held += n;
		for (;;) {
			int r = resp_parse(&p, buf, held, &used);
			if (r == RESP_ERROR)
				return 0;
			if (used > held)
				__builtin_trap();
			memmove(buf, buf + used, held - used);
			held -= used;
			if (r == RESP_MORE)
				break;
			if (p.is_error && !memchr(p.errmsg, 0, sizeof(p.errmsg)))
				__builtin_trap(); /* errmsg must stay a C string */
		}
	}
	return 0;
}
