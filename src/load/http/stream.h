/*
 * Message framing of streamed HTTP bodies: server-sent events (OpenAI-compatible
 * servers) and newline-delimited JSON (Ollama). Fed the body as it arrives, in pieces
 * of any size, it hands each complete message to a callback with the timestamp of the
 * read that completed it. A message that arrived whole in one piece is passed in place;
 * only messages split across reads are copied, into buffers capped at max_msg bytes.
 *
 * SSE follows the WHATWG event-stream rules that matter here: lines end in CRLF, LF or
 * CR; "data:" lines (one optional space after the colon) of one event are joined with
 * LF; a blank line dispatches the event; comments (":...") and other fields (event, id,
 * retry) are skipped; an event not ended by a blank line when the stream ends is
 * dropped. NDJSON: every non-blank line is one message.
 */
#ifndef HPCBENCH_LOAD_STREAM_H
#define HPCBENCH_LOAD_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

enum stream_format {
	STREAM_NDJSON,
	STREAM_SSE,
};

#define STREAM_DEFAULT_MAX_MSG (1u << 20)

/*
 * One message (an NDJSON line, or the data of one SSE event; no line terminator).
 * data is valid only during the call. Returns 0, or -1 to stop (stream_feed then fails
 * with the error "message rejected").
 */
typedef int (*stream_msg_fn)(void *ctx, const char *data, size_t len, uint64_t ts_ns);

struct stream_parser {
	/* Settings. */
	enum stream_format format;
	size_t max_msg;
	stream_msg_fn on_msg;
	void *ctx;

	uint64_t messages; /* dispatched so far */
	const char *error; /* static reason after a failure */

	/* Internal. */
	struct strbuf line;  /* a line split across feeds */
	struct strbuf data;  /* SSE: data of the current event, when it had to be copied */
	const char *inplace; /* SSE: the event's only data line, still in the caller's buffer */
	size_t inplace_len;
	bool has_data; /* SSE: the current event has a data field */
	bool skip_lf;  /* the last feed ended in CR: a leading LF belongs to it */
};

void stream_init(struct stream_parser *s, enum stream_format format, stream_msg_fn on_msg,
		 void *ctx);
/* Forgets any partial message (next response); keeps settings and buffers. */
void stream_reset(struct stream_parser *s);
void stream_release(struct stream_parser *s);

/* Feeds body bytes read at ts_ns. Returns 0, or -1 (over max_msg, or rejected). */
int stream_feed(struct stream_parser *s, const char *buf, size_t len, uint64_t ts_ns);
/*
 * The body ended: an NDJSON last line without a newline is dispatched, an unfinished
 * SSE event is dropped. Returns 0 or -1 like stream_feed.
 */
int stream_finish(struct stream_parser *s, uint64_t ts_ns);

#endif
