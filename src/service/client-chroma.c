/* Client type chroma: `hpcbench load chroma URL`, inserts then similarity queries. */
#include "recipe/recipe.h"
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
	{ "concurrent_operations", KEY_INT,
	  "old tool: concurrent queries (default 1, as the old "
	  "tool ran them)",
	  "-c", 0 },
	{ "insert_streams", KEY_INT, "concurrent insert requests", "--insert-streams", 0 },
	{ "space", KEY_STRING, "distance: l2, cosine or ip", "--space", 0 },
	{ "hnsw_m", KEY_INT, "HNSW max neighbours per node", "--hnsw-m", 0 },
	{ "ef_construction", KEY_INT, "HNSW build beam width", "--ef-construction", 0 },
	{ "ef_search", KEY_INT, "HNSW search beam width", "--ef-search", 0 },
	{ "queries", KEY_INT, "distinct query vectors", "--queries", 0 },
	{ "where", KEY_STRING, "metadata filter (JSON) of every query", "--where", 0 },
	{ "include", KEY_STRING, "fields returned, e.g. distances,metadatas", "--include", 0 },
	{ "data", KEY_STRING, "dataset: ann-benchmarks .hdf5 or TEXMEX .fvecs", "--data", TK_PATH },
	{ "query_data", KEY_STRING, ".fvecs query vectors (with an .fvecs data)", "--query-data",
	  TK_PATH },
	{ "truth", KEY_STRING, ".ivecs exact neighbours of the queries", "--truth", TK_PATH },
	{ "keep", KEY_BOOL, "leave the collection in place", "--keep", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

/*
 * The old chroma_benchmark.py sent its queries one after another (its
 * concurrent_operations was never used): without a concurrency parameter the load
 * generator does the same, instead of its default of 10 connections.
 */
static int chroma_client_build(struct client_build *b, struct strbuf *err)
{
	(void)err;
	if (!client_param(b->c, "connections") && !client_param(b->c, "concurrent_operations"))
		svc_arg_opt(&b->opts, "-c", "1");
	return 0;
}

static const struct client_render chroma_client_render = {
	.target = TARGET_URL,
	.build = chroma_client_build,
};

const struct client_type client_type_chroma = {
	.name = "chroma",
	.description = "Chroma vector database load: batched inserts, then top-k queries",
	.aliases = chroma_aliases,
	.keys = chroma_client_keys,
	.render = &chroma_client_render,
};
