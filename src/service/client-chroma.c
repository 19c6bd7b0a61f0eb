/* Client type chroma: `hpcbench load chroma URL`, inserts then similarity queries. */
#include "script/hooks.h"
#include "service/types.h"

static const char *const chroma_aliases[] = { "chroma", NULL };

static const struct type_key chroma_client_keys[] = {
	CLIENT_COMMON_KEYS,
	{ "collection_name", KEY_STRING, "collection to (re)create", "--collection", 0 },
	{ "collection_prefix", KEY_STRING, "old tool: collection name prefix in sweeps",
	  "--collection", 0 },
	{ "num_documents", KEY_ANY, "documents inserted, or a list to sweep", "--documents",
	  TK_SWEEP },
	{ "embedding_dimension", KEY_ANY, "embedding dimension", "--dimension", TK_SWEEP },
	{ "embedding_dimensions", KEY_ANY, "old tool: dimensions to sweep", "--dimension",
	  TK_SWEEP },
	{ "batch_size", KEY_ANY, "documents per insert request", "--batch-size", TK_SWEEP },
	{ "batch_sizes", KEY_ANY, "old tool: batch sizes to sweep", "--batch-size", TK_SWEEP },
	{ "num_queries", KEY_INT, "similarity queries (requests)", "-n", 0 },
	{ "top_k", KEY_INT, "results per query", "--top-k", 0 },
	{ "concurrent_operations", KEY_INT, "old tool: concurrent queries", "-c", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct client_render chroma_client_render = {
	.target = TARGET_URL,
};

const struct client_type client_type_chroma = {
	.name = "chroma",
	.description = "Chroma vector database load: batched inserts, then top-k queries",
	.aliases = chroma_aliases,
	.keys = chroma_client_keys,
	.render = &chroma_client_render,
};
