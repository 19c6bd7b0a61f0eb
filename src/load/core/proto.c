/* The registry of load protocols, and the names of the core's error kinds. */
#include "load/core/proto.h"

#include <string.h>

extern const struct load_proto load_proto_chroma;
extern const struct load_proto load_proto_http;
extern const struct load_proto load_proto_llm;
extern const struct load_proto load_proto_redis;
extern const struct load_proto load_proto_sql;

/* Sorted by name. */
const struct load_proto *const load_protos[] = {
	&load_proto_chroma, &load_proto_http, &load_proto_llm,
	&load_proto_redis,  &load_proto_sql,  NULL,
};

const struct load_proto *load_proto_find(const char *name)
{
	for (size_t i = 0; load_protos[i]; i++)
		if (!strcmp(load_protos[i]->name, name))
			return load_protos[i];
	return NULL;
}

const char *load_err_name(unsigned kind)
{
	static const char *const names[] = {
		[LOAD_OK] = "ok",
		[LOAD_ERR_CONNECT] = "connect",
		[LOAD_ERR_READ] = "read",
		[LOAD_ERR_WRITE] = "write",
		[LOAD_ERR_TIMEOUT] = "timeout",
		[LOAD_ERR_PROTOCOL] = "protocol",
		[LOAD_ERR_SERVER] = "server",
	};
	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "other";
}
