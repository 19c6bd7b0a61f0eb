/* The executor registry (exec/executor.h). */
#include "exec/executor.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "exec/local.h"

static const struct executor_entry {
	const char *name;
	unsigned caps;
	struct executor *(*create)(void);
	/* What the config must hold for it, checked before connecting; NULL: nothing. */
	int (*check_config)(const struct config *cfg, struct strbuf *err);
} registry[] = {
	{ "local", EXEC_SHARES_FS, executor_local_new, NULL },
	{ "slurm", EXEC_QUEUE, executor_slurm_new, NULL },
	{ "ssh", EXEC_REMOTE | EXEC_QUEUE, executor_ssh_new, executor_ssh_check_config },
};
#define NR_EXECUTORS (sizeof(registry) / sizeof(registry[0]))

static const struct executor_entry *lookup(const char *name)
{
	for (size_t i = 0; name && i < NR_EXECUTORS; i++)
		if (!strcmp(name, registry[i].name))
			return &registry[i];
	return NULL;
}

int executor_check_config(const char *name, const struct config *cfg, struct strbuf *err)
{
	const struct executor_entry *e = lookup(name);
	return e && e->check_config ? e->check_config(cfg, err) : 0;
}

int executor_known(const char *name)
{
	return lookup(name) != NULL;
}

unsigned executor_caps(const char *name)
{
	const struct executor_entry *e = lookup(name);
	return e ? e->caps : 0;
}

void executor_names(struct strbuf *sb)
{
	for (size_t i = 0; i < NR_EXECUTORS; i++)
		strbuf_addf(sb, "%s%s",
			    i == 0		    ? ""
			    : i + 1 == NR_EXECUTORS ? " or "
						    : ", ",
			    registry[i].name);
}

int executor_unknown(struct strbuf *err, const char *name)
{
	struct strbuf names = STRBUF_INIT;
	executor_names(&names);
	error(err, "unknown executor '%s' (%s)", name, names.buf);
	strbuf_release(&names);
	return -1;
}

struct executor *executor_new(const char *name)
{
	const struct executor_entry *e = lookup(name);
	struct executor *ex;
	if (!e)
		return NULL;
	ex = e->create();
	ex->name = e->name;
	ex->caps = e->caps;
	return ex;
}

void executor_free(struct executor *ex)
{
	if (!ex)
		return;
	if (ex->close)
		ex->close(ex);
	free(ex);
}
