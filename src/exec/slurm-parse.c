#include "exec/slurm-parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/xalloc.h"

void slurm_rows_release(struct slurm_rows *rows)
{
	for (size_t i = 0; i < rows->nr; i++) {
		struct slurm_row *r = &rows->items[i];
		free(r->id);
		free(r->reason);
		free(r->node);
		free(r->name);
	}
	free(rows->items);
	rows->items = NULL;
	rows->nr = rows->alloc = 0;
}

const struct slurm_row *slurm_rows_find(const struct slurm_rows *rows, const char *id)
{
	for (size_t i = 0; i < rows->nr; i++)
		if (!strcmp(rows->items[i].id, id))
			return &rows->items[i];
	return NULL;
}

/* Copies [s, s+n) without surrounding whitespace. */
static char *dup_trim(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

static int valid_job_id(const char *s)
{
	/* "123", or an array/het element "123_4", "123+1" */
	if (!isdigit((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && *s != '_' && *s != '+')
			return 0;
	return 1;
}

int slurm_parse_sbatch(const char *out, char **id, char **cluster, struct strbuf *err)
{
	const char *p = out;
	*id = NULL;
	if (cluster)
		*cluster = NULL;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = dup_trim(p, n);
		char *semi = strchr(line, ';');
		if (semi)
			*semi = '\0';
		if (*line && valid_job_id(line)) {
			*id = line;
			if (cluster && semi && semi[1])
				*cluster = xstrdup(semi + 1);
			return 0;
		}
		free(line);
		p += n + (nl ? 1 : 0);
	}
	return error(err, "sbatch printed no job id (output: '%.200s')", out);
}

struct state_name {
	const char *name, *abbrev;
	enum job_state state;
	const char *why;
};

static const struct state_name slurm_states[] = {
	{ "BOOT_FAIL", "BF", JS_FAILED, "node boot failure" },
	{ "CANCELLED", "CA", JS_CANCELLED, NULL },
	{ "COMPLETED", "CD", JS_COMPLETED, NULL },
	{ "COMPLETING", "CG", JS_RUNNING, NULL },
	{ "CONFIGURING", "CF", JS_PENDING, "nodes are booting" },
	{ "DEADLINE", "DL", JS_TIMEOUT, "deadline reached" },
	{ "FAILED", "F", JS_FAILED, NULL },
	{ "NODE_FAIL", "NF", JS_FAILED, "node failure" },
	{ "OUT_OF_MEMORY", "OOM", JS_FAILED, "out of memory" },
	{ "PENDING", "PD", JS_PENDING, NULL },
	{ "PREEMPTED", "PR", JS_FAILED, "preempted" },
	{ "REQUEUED", "RQ", JS_PENDING, "requeued" },
	{ "REQUEUE_FED", "RF", JS_PENDING, "requeued" },
	{ "REQUEUE_HOLD", "RH", JS_PENDING, "requeued and held" },
	{ "RESIZING", "RS", JS_RUNNING, NULL },
	{ "RESV_DEL_HOLD", "RD", JS_PENDING, "held (reservation deleted)" },
	{ "REVOKED", "RV", JS_FAILED, "revoked (ran on another cluster)" },
	{ "RUNNING", "R", JS_RUNNING, NULL },
	{ "SIGNALING", "SI", JS_RUNNING, NULL },
	{ "SPECIAL_EXIT", "SE", JS_FAILED, "special exit" },
	{ "STAGE_OUT", "SO", JS_RUNNING, NULL },
	{ "STOPPED", "ST", JS_RUNNING, "stopped" },
	{ "SUSPENDED", "S", JS_RUNNING, "suspended" },
	{ "TIMEOUT", "TO", JS_TIMEOUT, "time limit reached" },
};

enum job_state slurm_state_map(const char *name, const char **why)
{
	size_t n = strcspn(name, " +");
	if (why)
		*why = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(slurm_states); i++) {
		const struct state_name *s = &slurm_states[i];
		if ((strlen(s->name) == n && !strncmp(s->name, name, n)) ||
		    (strlen(s->abbrev) == n && !strncmp(s->abbrev, name, n))) {
			if (why)
				*why = s->why;
			return s->state;
		}
	}
	return JS_UNKNOWN;
}

int slurm_parse_exit(const char *s, int wait_status)
{
	char *end;
	long v, sig = 0;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || errno || v < 0)
		return -1;
	if (wait_status) {
		if (*end)
			return -1;
		if (v & 0x7f)
			return 128 + (int)(v & 0x7f);
		return (int)((v >> 8) & 0xff);
	}
	if (*end == ':') {
		const char *q = end + 1;
		sig = strtol(q, &end, 10);
		if (end == q || sig < 0)
			return -1;
	}
	if (*end)
		return -1;
	return sig ? 128 + (int)sig : (int)(v & 0xff);
}

/* Splits line at sep into at most max fields (the last takes the rest). */
static size_t split(char *line, char sep, char **fields, size_t max)
{
	size_t n = 0;
	fields[n++] = line;
	while (n < max) {
		char *p = strchr(fields[n - 1], sep);
		if (!p)
			break;
		*p = '\0';
		fields[n++] = p + 1;
	}
	return n;
}

/* NULL for SLURM's ways of saying "nothing": "", "None", "(null)", "n/a". */
static char *dup_value(const char *s)
{
	char *v = dup_trim(s, strlen(s));
	if (!*v || !strcmp(v, "None") || !strcmp(v, "(null)") || !strcmp(v, "n/a") ||
	    !strcmp(v, "None assigned")) {
		free(v);
		return NULL;
	}
	return v;
}

/*
 * Fills a row from raw fields. A "CANCELLED by UID" state becomes a reason; a state's own
 * description is the reason when SLURM gives none. Exit codes count only in final states.
 */
static void fill_row(struct slurm_row *r, const char *id, const char *state, const char *exit,
		     int wait_status, const char *reason, const char *node)
{
	const char *why;
	const char *by = strstr(state, " by ");

	r->id = dup_trim(id, strlen(id));
	r->state = slurm_state_map(state, &why);
	r->exit_code =
	    job_state_is_final(r->state) && exit ? slurm_parse_exit(exit, wait_status) : -1;
	if (r->state == JS_COMPLETED)
		r->exit_code = 0;
	r->reason = reason ? dup_value(reason) : NULL;
	if (!r->reason && by)
		r->reason = xasprintf("cancelled by uid %s", by + 4);
	if (!r->reason && why)
		r->reason = xstrdup(why);
	if (!r->reason && r->state == JS_UNKNOWN)
		r->reason = xasprintf("unknown slurm state '%s'", state);
	r->node = dup_value(node);
	r->name = NULL;
}

/* Calls fn on each non-empty line of out (modifiable copy); stops at the first error. */
static int each_line(const char *out,
		     int (*fn)(char *line, size_t lineno, void *data, struct strbuf *err),
		     void *data, struct strbuf *err)
{
	char *copy = xstrdup(out), *p = copy;
	size_t lineno = 0;
	int ret = 0;
	while (*p && !ret) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		if (*p)
			ret = fn(p, lineno, data, err);
		p = nl ? nl + 1 : p + strlen(p);
	}
	free(copy);
	return ret;
}

static int squeue_line(char *line, size_t lineno, void *data, struct strbuf *err)
{
	struct slurm_rows *rows = data;
	char *f[6];
	struct slurm_row *r;

	/* with --clusters, squeue heads each cluster's rows with "CLUSTER: NAME" */
	if (!strncmp(line, "CLUSTER: ", 9))
		return 0;
	if (split(line, SQUEUE_SEP[0], f, 6) != 6 || !valid_job_id(f[0]))
		return error(err, "squeue output line %zu: unexpected '%.200s'", lineno, line);
	ALLOC_GROW(rows->items, rows->nr + 1, rows->alloc);
	r = &rows->items[rows->nr++];
	fill_row(r, f[0], f[1], f[2], 1, f[3], f[4]);
	r->name = xstrdup(f[5]);
	return 0;
}

int slurm_parse_squeue(const char *out, struct slurm_rows *rows, struct strbuf *err)
{
	return each_line(out, squeue_line, rows, err);
}

static int sacct_line(char *line, size_t lineno, void *data, struct strbuf *err)
{
	struct slurm_rows *rows = data;
	char *f[4];

	if (split(line, '|', f, 4) != 4 || !valid_job_id(f[0]))
		return error(err, "sacct output line %zu: unexpected '%.200s'", lineno, line);
	ALLOC_GROW(rows->items, rows->nr + 1, rows->alloc);
	fill_row(&rows->items[rows->nr++], f[0], f[1], f[2], 0, NULL, f[3]);
	return 0;
}

int slurm_parse_sacct(const char *out, struct slurm_rows *rows, struct strbuf *err)
{
	return each_line(out, sacct_line, rows, err);
}

int slurm_parse_state_file(const char *text, enum job_state *state, int *exit_code, char **reason)
{
	char word[16];
	int code = -1, n = 0;
	const char *rest;

	*reason = NULL;
	*exit_code = -1;
	if (sscanf(text, "%15s%n", word, &n) != 1)
		return -1;
	rest = text + n;
	if (!strcmp(word, "RUNNING") || !strcmp(word, "READY")) {
		*state = word[1] == 'U' ? JS_RUNNING : JS_READY;
		return 0;
	}
	*state = job_state_from_name(word);
	if (*state != JS_COMPLETED && *state != JS_FAILED && *state != JS_CANCELLED)
		return -1;
	if (sscanf(rest, "%d%n", &code, &n) != 1 || code < 0 || code > 255)
		return -1;
	rest += n;
	*exit_code = code;
	if (*state != JS_COMPLETED) {
		/* skip the epoch, keep the rest of the line as the reason */
		long long epoch;
		if (sscanf(rest, "%lld%n", &epoch, &n) == 1)
			rest += n;
		while (*rest == ' ' || *rest == '\t')
			rest++;
		if (*rest) {
			size_t len = strcspn(rest, "\n");
			if (len)
				*reason = dup_trim(rest, len);
		}
	}
	return 0;
}

char *slurm_hostlist_first(const char *list)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = list;

	while (isspace((unsigned char)*p))
		p++;
	while (*p && *p != ',' && *p != '[' && !isspace((unsigned char)*p))
		strbuf_addch(&sb, *p++);
	if (*p == '[') {
		p++;
		while (*p && *p != ',' && *p != '-' && *p != ']')
			strbuf_addch(&sb, *p++);
		p = strchr(p, ']');
		if (p)
			for (p++; *p && *p != ',' && *p != '[' && !isspace((unsigned char)*p); p++)
				strbuf_addch(&sb, *p);
	}
	if (!sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}
