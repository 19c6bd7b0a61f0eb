/*
 * The prompts an LLM benchmark sends: synthetic ones of a controlled length, or lines
 * of a JSONL dataset.
 *
 * Synthetic prompts are sequences of common English words, each one token in the
 * usual tokenizers (Llama, GPT, Mistral) when preceded by a space, so --input-tokens N
 * gives prompts of about N tokens; the server's own count (usage.prompt_tokens,
 * prompt_eval_count) is what the result reports. Every prompt starts with different
 * words so that a server's prefix cache cannot serve one prompt from another, unless
 * --shared-prefix-tokens K asks for K identical leading words.
 */
#ifndef HPCBENCH_LOAD_LLM_WORKLOAD_H
#define HPCBENCH_LOAD_LLM_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "load/llm/llm-api.h"

struct llm_workload_opts {
	uint64_t input_tokens;	/* words per synthetic prompt (mean) */
	double input_spread;	/* lengths uniform in mean * [1 - s, 1 + s]; 0 = fixed */
	uint64_t shared_prefix; /* leading words every prompt shares */
	uint64_t prompts;	/* distinct synthetic prompts to make */
	uint64_t seed;
	const char *dataset; /* JSONL file, or NULL for synthetic prompts */
};

struct llm_prompt_set {
	struct llm_prompt *items; /* strings owned by the set */
	size_t nr, alloc;
	bool has_messages; /* some prompt is a messages list (chat APIs only) */
};

/*
 * Builds the prompts. A dataset line is {"prompt": "..."} or {"messages": [...]},
 * optionally with "max_tokens"; errors name FILE:LINE. Returns 0 or -1 with err.
 */
int llm_workload_build(struct llm_prompt_set *set, const struct llm_workload_opts *o,
		       struct strbuf *err);
void llm_prompt_set_release(struct llm_prompt_set *set);

#endif
