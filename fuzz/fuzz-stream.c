/* Streamed bodies: SSE and NDJSON framing (src/load/http/stream.c), each message then
 * decoded as every LLM API would (src/load/llm/llm-api.c, on the jscan scanner). */
#include <string.h>

#include "fuzz/fuzz.h"
#include "load/http/stream.h"
#include "load/llm/llm-api.h"

static int on_msg(void *ctx, const char *d, size_t len, uint64_t ts)
{
	static const char *const apis[] = { "ollama", "ollama-chat", "openai-chat",
					    "openai-completions" };
	(void)ctx;
	(void)ts;
	for (size_t i = 0; i < sizeof(apis) / sizeof(apis[0]); i++) {
		enum llm_api api;
		struct llm_chunk c;
		memset(&c, 0, sizeof(c));
		if (llm_api_parse(apis[i], &api))
			__builtin_trap();
		llm_decode_chunk(api, d, len, &c);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_split s;
	struct stream_parser sp;

	fuzz_split_init(&s, data, size);
	stream_init(&sp, s.piece & 1 ? STREAM_SSE : STREAM_NDJSON, on_msg, NULL);
	sp.max_msg = 4096;
	while (s.left) {
		size_t n = fuzz_next(&s);
		int r = stream_feed(&sp, s.p, n, 1);
		s.p += n;
		s.left -= n;
		if (r < 0)
			goto out;
	}
	stream_finish(&sp, 2);
out:
	stream_release(&sp);
	return 0;
}
