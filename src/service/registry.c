/* The registries of service and client types, and lookup by name or alias. */
#include <string.h>

#include "service/service.h"
#include "service/types.h"

/* Sorted by name (`hpcbench list` prints them in this order). */
const struct service_type *const service_types[] = {
	&service_type_chroma,	  &service_type_generic,
	&service_type_grafana,	  &service_type_mysql,
	&service_type_ollama,	  &service_type_postgres,
	&service_type_prometheus, &service_type_redis,
	&service_type_vllm,	  NULL,
};

const struct client_type *const client_types[] = {
	&client_type_chroma, &client_type_http, &client_type_llm,
	&client_type_redis,  &client_type_sql,	NULL,
};

const struct service_type *service_type_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; service_types[i]; i++)
		if (!strcmp(service_types[i]->name, name))
			return service_types[i];
	return NULL;
}

const struct client_type *client_type_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; client_types[i]; i++) {
		const struct client_type *t = client_types[i];
		if (!strcmp(t->name, name))
			return t;
		for (const char *const *a = t->aliases; a && *a; a++)
			if (!strcmp(*a, name))
				return t;
	}
	return NULL;
}
