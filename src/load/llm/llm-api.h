/*
 * The wire formats of LLM inference servers: request bodies and streamed chunks for
 * Ollama's native API (/api/generate, /api/chat: NDJSON) and the OpenAI-compatible API
 * (/v1/chat/completions, /v1/completions: server-sent events) spoken by vLLM,
 * llama.cpp's server, SGLang and TGI.
 */
#ifndef HPCBENCH_LOAD_LLM_API_H
#define HPCBENCH_LOAD_LLM_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "load/http/stream.h"

enum llm_api {
	LLM_API_OLLAMA,		    /* POST /api/generate */
	LLM_API_OLLAMA_CHAT,	    /* POST /api/chat */
	LLM_API_OPENAI_CHAT,	    /* POST /v1/chat/completions */
	LLM_API_OPENAI_COMPLETIONS, /* POST /v1/completions */
};

/* "ollama", "ollama-chat", "openai-chat", "openai-completions"; 0 or -1. */
int llm_api_parse(const char *name, enum llm_api *out);
const char *llm_api_name(enum llm_api api);
/* The request path the API uses by default. */
const char *llm_api_path(enum llm_api api);
/* How streamed responses are framed. */
enum stream_format llm_api_stream_format(enum llm_api api);
/* True if the API takes a list of messages rather than one prompt string. */
bool llm_api_is_chat(enum llm_api api);

/* What every request of a run shares. */
struct llm_request_opts {
	const char *model;
	uint64_t max_tokens; /* 0: let the server decide */
	double temperature;  /* < 0: not sent */
	bool ignore_eos;     /* ask the server to generate exactly max_tokens */
	bool stream;
	const char *extra_body; /* a JSON object whose members are added, or NULL */
};

/*
 * One prompt: either text (escaped here) or messages (a JSON array, already valid
 * JSON, for the chat APIs). max_tokens, when non-zero, overrides the run's.
 */
struct llm_prompt {
	const char *text;
	size_t text_len;
	const char *messages_json;
	uint64_t max_tokens;
};

/*
 * Appends the JSON request body. extra_body members follow the generated ones (servers
 * keep the last value of a repeated key, so they override). Returns 0, or -1 with a
 * reason if extra_body is not a JSON object or a chat prompt goes to a non-chat API.
 */
int llm_encode_body(struct strbuf *out, enum llm_api api, const struct llm_request_opts *o,
		    const struct llm_prompt *p, struct strbuf *err);

/* What one streamed message (or a whole non-streamed body) says. */
struct llm_chunk {
	bool content;	      /* carries output content (a non-empty text delta) */
	size_t content_chars; /* its length, escapes decoded (\uXXXX counts as 1) */
	bool done;	      /* the end: SSE [DONE], or Ollama "done": true */
	bool error;	      /* an error object inside the stream */
	bool finished;	      /* a finish_reason / done_reason was given */
	bool has_prompt_tokens, has_output_tokens;
	uint64_t prompt_tokens, output_tokens; /* usage / prompt_eval_count, eval_count */
	bool has_server_timings;	       /* Ollama's durations, nanoseconds */
	uint64_t total_ns, load_ns, prompt_eval_ns, eval_ns;
};

/* Decodes one message. Returns 0, or -1 if it is not JSON (and not "[DONE]"). */
int llm_decode_chunk(enum llm_api api, const char *msg, size_t len, struct llm_chunk *c);

#endif
