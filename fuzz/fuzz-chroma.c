/* Chroma replies (src/load/chroma/chroma-reply.c): HTTP framing with the body collected,
 * then the query scan (recall) and the error text, as the load path uses them. */
#include <string.h>

#include "fuzz/fuzz.h"
#include "load/chroma/chroma-reply.h"

static void use_body(const struct chroma_reply *r)
{
	static const uint32_t truth[] = { 0, 1, 2, 3, 7, 42, 4294967295u };
	unsigned hits = 0, returned = 0;
	struct strbuf text = STRBUF_INIT;
	if (!chroma_scan_query(r->body.buf, r->body.len, truth, 7, &hits, &returned) &&
	    hits > returned)
		__builtin_trap();
	chroma_error_text(r->body.buf, r->body.len, &text, 200);
	if (text.len > 200 + 16)
		__builtin_trap();
	strbuf_release(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_split s;
	struct chroma_reply r;

	fuzz_split_init(&s, data, size);
	chroma_reply_init(&r);
	while (s.left) {
		size_t n = fuzz_next(&s);
		const char *b = s.p;
		s.p += n;
		s.left -= n;
		while (n) {
			size_t used = 0;
			int rc = chroma_reply_feed(&r, b, n, 1, &used);
			if (rc == HTTP_PARSE_ERROR)
				goto out;
			b += used;
			n -= used;
			if (rc != HTTP_PARSE_DONE)
				break;
			use_body(&r);
			chroma_reply_reset(&r);
		}
	}
	/* A whole body given without HTTP framing, as a test would. */
	chroma_reply_reset(&r);
	strbuf_add(&r.body, (const char *)data, size);
	use_body(&r);
out:
	chroma_reply_release(&r);
	return 0;
}
