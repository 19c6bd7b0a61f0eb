/* LLM prompts: synthetic or from a JSONL dataset. See llm-workload.h. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/xalloc.h"
#include "load/llm/llm-workload.h"
#include "load/core/sched.h"

/* Common words that are a single token (with a leading space) in the usual vocabularies. */
static const char *const words[] = {
	"the",	   "of",     "and",    "to",	    "in",	 "is",	    "you",	"that",
	"it",	   "he",     "was",    "for",	    "on",	 "are",	    "as",	"with",
	"his",	   "they",   "at",     "be",	    "this",	 "have",    "from",	"or",
	"one",	   "had",    "by",     "word",	    "but",	 "not",	    "what",	"all",
	"were",	   "we",     "when",   "your",	    "can",	 "said",    "there",	"use",
	"an",	   "each",   "which",  "she",	    "do",	 "how",	    "their",	"if",
	"will",	   "up",     "other",  "about",	    "out",	 "many",    "then",	"them",
	"these",   "so",     "some",   "her",	    "would",	 "make",    "like",	"him",
	"into",	   "time",   "has",    "look",	    "two",	 "more",    "write",	"go",
	"see",	   "number", "no",     "way",	    "could",	 "people",  "my",	"than",
	"first",   "water",  "been",   "call",	    "who",	 "its",	    "now",	"find",
	"long",	   "down",   "day",    "did",	    "get",	 "come",    "made",	"may",
	"part",	   "over",   "new",    "sound",	    "take",	 "only",    "little",	"work",
	"know",	   "place",  "year",   "live",	    "me",	 "back",    "give",	"most",
	"very",	   "after",  "thing",  "our",	    "just",	 "name",    "good",	"man",
	"think",   "say",    "great",  "where",	    "help",	 "through", "much",	"before",
	"line",	   "right",  "too",    "mean",	    "old",	 "any",	    "same",	"tell",
	"boy",	   "follow", "came",   "want",	    "show",	 "also",    "around",	"form",
	"three",   "small",  "set",    "put",	    "end",	 "does",    "another",	"well",
	"large",   "must",   "big",    "even",	    "such",	 "because", "turn",	"here",
	"why",	   "ask",    "went",   "men",	    "read",	 "need",    "land",	"different",
	"home",	   "us",     "move",   "try",	    "kind",	 "hand",    "picture",	"again",
	"change",  "off",    "play",   "spell",	    "air",	 "away",    "animal",	"house",
	"point",   "page",   "letter", "mother",    "answer",	 "found",   "study",	"still",
	"learn",   "should", "world",  "high",	    "every",	 "near",    "add",	"food",
	"between", "own",    "below",  "country",   "plant",	 "last",    "school",	"father",
	"keep",	   "tree",   "never",  "start",	    "city",	 "earth",   "eye",	"light",
	"thought", "head",   "under",  "story",	    "saw",	 "left",    "few",	"while",
	"along",   "might",  "close",  "something", "seem",	 "next",    "hard",	"open",
	"example", "begin",  "life",   "always",    "those",	 "both",    "paper",	"together",
	"got",	   "group",  "often",  "run",	    "important", "until",   "children", "side",
	"feet",	   "car",    "mile",   "night",	    "walk",	 "white",   "sea",	"began",
	"grow",	   "took",   "river",  "four",	    "carry",
};

static struct llm_prompt *prompt_new(struct llm_prompt_set *set)
{
	ALLOC_GROW(set->items, set->nr + 1, set->alloc);
	struct llm_prompt *p = &set->items[set->nr++];
	memset(p, 0, sizeof(*p));
	return p;
}

static void add_words(struct strbuf *sb, struct load_rng *rng, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		if (sb->len)
			strbuf_addch(sb, ' ');
		strbuf_addstr(sb, words[load_rng_below(rng, ARRAY_SIZE(words))]);
	}
}

static int build_synthetic(struct llm_prompt_set *set, const struct llm_workload_opts *o,
			   struct strbuf *err)
{
	struct load_rng rng, prefix_rng;
	struct strbuf prefix = STRBUF_INIT;

	if (!o->input_tokens)
		return error(err, "--input-tokens must be at least 1");
	if (o->shared_prefix >= o->input_tokens * (1 - o->input_spread))
		return error(err,
			     "--shared-prefix-tokens %llu leaves no room for a distinct "
			     "part in prompts of %llu tokens",
			     (unsigned long long)o->shared_prefix,
			     (unsigned long long)o->input_tokens);
	load_rng_seed(&rng, o->seed, 0x70726f6d7074ull);
	load_rng_seed(&prefix_rng, o->seed, 0x707265666978ull);
	add_words(&prefix, &prefix_rng, o->shared_prefix);
	for (uint64_t i = 0; i < o->prompts; i++) {
		struct strbuf sb = STRBUF_INIT;
		uint64_t n = o->input_tokens;
		if (o->input_spread > 0) {
			double lo = (double)o->input_tokens * (1 - o->input_spread);
			double hi = (double)o->input_tokens * (1 + o->input_spread);
			n = (uint64_t)(lo + (hi - lo) * load_rng_unit(&rng) + 0.5);
			if (n <= o->shared_prefix)
				n = o->shared_prefix + 1;
		}
		strbuf_add(&sb, prefix.buf, prefix.len);
		add_words(&sb, &rng, n - o->shared_prefix);
		struct llm_prompt *p = prompt_new(set);
		p->text_len = sb.len;
		p->text = strbuf_detach(&sb, NULL);
	}
	strbuf_release(&prefix);
	return 0;
}

/*
 * Reads the next line of f into sb (reset first, newline kept), at most
 * FILE_MAX_DATASET_LINE bytes. Returns 1 with a line, 0 at the end, -1 when the line is
 * longer than the cap (getline() would grow without end on a file with no newline).
 */
static int read_line_capped(FILE *f, struct strbuf *sb)
{
	char chunk[8192];
	strbuf_reset(sb);
	while (fgets(chunk, sizeof(chunk), f)) {
		size_t n = strlen(chunk); /* a NUL inside a line ends it early: json rejects it */
		if (sb->len + n > FILE_MAX_DATASET_LINE)
			return -1;
		strbuf_add(sb, chunk, n);
		if (n && chunk[n - 1] == '\n')
			return 1;
	}
	return sb->len ? 1 : 0;
}

static int build_dataset(struct llm_prompt_set *set, const char *path, struct strbuf *err)
{
	struct strbuf lb = STRBUF_INIT;
	int fd = open_regular(path, "dataset", err);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "r");
	const char *line;
	size_t n;
	unsigned lineno = 0;
	int ret = -1, got;

	if (fd < 0)
		return -1;
	if (!f) {
		close(fd);
		return error(err, "%s: cannot open: %m", path);
	}
	while ((got = read_line_capped(f, &lb)) != 0) {
		json_error_t je;
		json_t *j, *v;
		lineno++;
		if (got < 0) {
			error(err, "%s:%u: line longer than %u MiB (the limit for one prompt)",
			      path, lineno, FILE_MAX_DATASET_LINE >> 20);
			goto out;
		}
		line = lb.buf;
		n = lb.len;
		if (strspn(line, " \t\r\n") == n)
			continue;
		j = json_loadb(line, n, 0, &je);
		if (!j || !json_is_object(j)) {
			error(err, "%s:%u: not a json object%s%s", path, lineno, j ? "" : ": ",
			      j ? "" : je.text);
			json_decref(j);
			goto out;
		}
		struct llm_prompt *p = prompt_new(set);
		if ((v = json_object_get(j, "prompt")) && json_is_string(v)) {
			p->text_len = json_string_length(v);
			p->text = xstrndup(json_string_value(v), p->text_len);
		} else if ((v = json_object_get(j, "messages")) && json_is_array(v) &&
			   json_array_size(v)) {
			p->messages_json = json_dumps(v, JSON_COMPACT);
			set->has_messages = true;
		} else {
			set->nr--;
			json_decref(j);
			error(err, "%s:%u: needs \"prompt\" (a string) or \"messages\" (a list)",
			      path, lineno);
			goto out;
		}
		if ((v = json_object_get(j, "max_tokens"))) {
			if (!json_is_integer(v) || json_integer_value(v) < 1) {
				json_decref(j);
				error(err, "%s:%u: \"max_tokens\" must be a positive integer", path,
				      lineno);
				goto out;
			}
			p->max_tokens = (uint64_t)json_integer_value(v);
		}
		json_decref(j);
	}
	if (!set->nr) {
		error(err, "%s: no prompts in the file", path);
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&lb);
	fclose(f);
	return ret;
}

int llm_workload_build(struct llm_prompt_set *set, const struct llm_workload_opts *o,
		       struct strbuf *err)
{
	int r = o->dataset ? build_dataset(set, o->dataset, err) : build_synthetic(set, o, err);
	if (r < 0)
		llm_prompt_set_release(set);
	return r;
}

void llm_prompt_set_release(struct llm_prompt_set *set)
{
	for (size_t i = 0; i < set->nr; i++) {
		free((char *)set->items[i].text);
		free((char *)set->items[i].messages_json);
	}
	free(set->items);
	memset(set, 0, sizeof(*set));
}
