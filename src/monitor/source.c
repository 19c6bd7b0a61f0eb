#include "monitor/source.h"

#include <fnmatch.h>
#include <string.h>

const struct mon_source_type *const mon_source_types[] = {
	&mon_source_prom_text,
	&mon_source_promql,
	&mon_source_redis,
	&mon_source_proc,
	&mon_source_mysql,
	&mon_source_postgres,
	NULL,
};

const struct mon_source_type *mon_source_type_find(const char *spec)
{
	for (size_t i = 0; mon_source_types[i]; i++)
		if (!strncmp(spec, mon_source_types[i]->prefix,
			     strlen(mon_source_types[i]->prefix)))
			return mon_source_types[i];
	return NULL;
}

/* True when the name part of key matches one of the globs (or there are none). */
static int wanted(const struct mon_source *src, const char *key)
{
	char name[256];
	size_t n = strcspn(key, "{");
	if (!src->match || !src->match->nr)
		return 1;
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, key, n);
	name[n] = 0;
	for (size_t i = 0; i < src->match->nr; i++)
		if (!fnmatch(src->match->items[i], name, 0))
			return 1;
	return 0;
}

void mon_source_add(struct mon_source *src, const char *key, enum mon_kind kind, const char *unit,
		    uint64_t t_ns, double v)
{
	if (!wanted(src, key))
		return;
	if (!unit)
		unit = mon_unit_from_name(key, "");
	struct mon_series *s = mon_store_get(&src->store, key, kind, unit);
	if (!s->n && kind == MON_COUNTER && src->type->counters_born_at_zero && src->last_ok_ns)
		mon_series_add(s, src->last_ok_ns, 0);
	mon_series_add(s, t_ns, v);
}
