/*
 * Chroma's REST API v2 for the set-up steps around a load run (blocking, before and
 * after the clock): heartbeat, limits, collections (get, create, delete), count.
 * Paths: /api/v2/tenants/{tenant}/databases/{database}/collections/...
 */
#ifndef HPCBENCH_LOAD_CHROMA_CHROMA_API_H
#define HPCBENCH_LOAD_CHROMA_CHROMA_API_H

#include <stdbool.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "load/http/http-req.h"

struct chroma_api {
	const struct http_url *url; /* the server (its path is ignored) */
	const char *tenant, *database;
	uint64_t timeout_ms; /* per call */
};

/* The collections path of the api's tenant and database, with suffix appended. */
void chroma_path(const struct chroma_api *a, struct strbuf *out, const char *suffix);

/*
 * One call: method, path, JSON body (or NULL). Returns the HTTP status with the body in
 * reply, or -1 with err when the server could not be reached or answered garbage.
 */
int chroma_call(const struct chroma_api *a, const char *method, const char *path, const char *body,
		struct strbuf *reply, struct strbuf *err);

/* GET /api/v2/heartbeat answers 200. 0 or -1 with err (says how to start a server). */
int chroma_heartbeat(const struct chroma_api *a, struct strbuf *err);
/*
 * GET /api/v2/pre-flight-checks: the largest add batch and whether add takes base64
 * embeddings (missing keys: 0 and false). 0 or -1.
 */
int chroma_preflight(const struct chroma_api *a, uint64_t *max_batch, bool *base64,
		     struct strbuf *err);
/* Creates the database when it is missing (the default one always exists). 0 or -1. */
int chroma_ensure_database(const struct chroma_api *a, struct strbuf *err);

/*
 * Looks a collection up by name: 1 with *id (malloc'd) and *dim (-1 while it holds no
 * vector), 0 if it does not exist, -1 with err.
 */
int chroma_collection_get(const struct chroma_api *a, const char *name, char **id, long *dim,
			  struct strbuf *err);
/* Creates it with the configuration JSON (or NULL); *id malloc'd. 0 or -1 with err. */
int chroma_collection_create(const struct chroma_api *a, const char *name,
			     const char *configuration, char **id, struct strbuf *err);
/* Deletes it by name; a missing collection is not an error (*existed false). 0 or -1. */
int chroma_collection_delete(const struct chroma_api *a, const char *name, bool *existed,
			     struct strbuf *err);
/* The server's own count of the collection's records. 0 or -1 with err. */
int chroma_count(const struct chroma_api *a, const char *id, uint64_t *n, struct strbuf *err);

#endif
