/* HTTP/1.1 responses (src/load/http/http-parse.c): Content-Length, chunked, until-close,
 * pipelined, fed in pieces of any size; the body callback checks the byte count. */
#include <string.h>

#include "fuzz/fuzz.h"
#include "load/http/http-parse.h"

static uint64_t body_seen;

static int on_body(void *ctx, const char *d, size_t len, uint64_t ts)
{
	(void)ctx;
	(void)ts;
	if (len && !d)
		__builtin_trap();
	body_seen += len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_split s;
	struct http_parser p;

	fuzz_split_init(&s, data, size);
	http_parser_init(&p, 0);
	p.max_header = 4096;
	p.max_body = 1 << 20;
	p.on_body = on_body;
	/* The piece size's low bit also says whether the request was HEAD. */
	p.head_request = s.piece % 7 == 0;
	body_seen = 0;
	while (s.left) {
		size_t n = fuzz_next(&s);
		const char *b = s.p;
		s.p += n;
		s.left -= n;
		while (n) {
			size_t used = 0;
			int r = http_parse(&p, b, n, 1, &used);
			if (r == HTTP_PARSE_ERROR) {
				if (!p.error)
					__builtin_trap();
				goto out;
			}
			if (used > n)
				__builtin_trap();
			b += used;
			n -= used;
			if (r == HTTP_PARSE_DONE) {
				if (p.body_bytes != body_seen)
					__builtin_trap();
				body_seen = 0;
				http_parser_reset(&p);
			} else if (n) {
				__builtin_trap(); /* MORE must use every byte */
			}
		}
	}
	http_parse_eof(&p);
out:
	http_parser_release(&p);
	return 0;
}
