/*
 * A process's own use of the machine (pid:N), for native services: CPU time, resident
 * memory, threads and I/O from /proc/N, and its cgroup v2 totals (cpu.stat,
 * memory.current) when the process sits in one and the files are readable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/xalloc.h"
#include "monitor/source.h"

struct proc_priv {
	long pid;
	char *cgroup; /* /sys/fs/cgroup/PATH, or NULL */
};

static int proc_open(struct mon_source *src, const char *spec, struct strbuf *err)
{
	struct proc_priv *p = xcalloc(1, sizeof(*p));
	const char *n = spec + strlen("pid:");
	char *end, path[64], line[4096];
	FILE *f;
	src->priv = p;
	p->pid = strtol(n, &end, 10);
	if (!*n || *end || p->pid <= 0)
		return error(err, "'%s': expected pid:N with N a process id", spec);
	snprintf(path, sizeof(path), "/proc/%ld/cgroup", p->pid);
	f = fopen(path, "r");
	if (!f)
		return error(err, "%s: no process %ld", spec, p->pid);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "0::/", 4)) {
			line[strcspn(line, "\n")] = 0;
			char *dir = xasprintf("/sys/fs/cgroup%s", line + 3);
			char *stat = xasprintf("%s/cpu.stat", dir);
			if (!access(stat, R_OK) && strcmp(line + 3, "/"))
				p->cgroup = dir;
			else
				free(dir);
			free(stat);
		}
	}
	fclose(f);
	return 0;
}

static void proc_close(struct mon_source *src)
{
	struct proc_priv *p = src->priv;
	if (!p)
		return;
	free(p->cgroup);
	free(p);
	src->priv = NULL;
}

/* Reads a small file into sb. 0 or -1. */
static int slurp(const char *path, struct strbuf *sb)
{
	FILE *f = fopen(path, "r");
	char buf[4096];
	size_t n;
	strbuf_reset(sb);
	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(sb, buf, n);
	fclose(f);
	return 0;
}

/* The number after "key" at the start of a line of text, or -1. */
static double field(const char *text, const char *key)
{
	size_t kl = strlen(key);
	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncmp(l, key, kl) && (l[kl] == ' ' || l[kl] == ':'))
			return strtod(l + kl + 1 + strspn(l + kl + 1, " \t"), NULL);
	return -1;
}

static int proc_scrape(struct mon_source *src, uint64_t now, struct strbuf *err)
{
	struct proc_priv *p = src->priv;
	struct strbuf sb = STRBUF_INIT, key = STRBUF_INIT;
	char path[128];
	unsigned long long ut, st, rss;
	long threads;
	double tick = (double)sysconf(_SC_CLK_TCK), page = (double)sysconf(_SC_PAGESIZE);
	int ret = -1;

	snprintf(path, sizeof(path), "/proc/%ld/stat", p->pid);
	if (slurp(path, &sb)) {
		error(err, "pid:%ld: the process has gone", p->pid);
		goto out;
	}
	/* Fields after the command name (which may hold spaces): state is field 3. */
	const char *rp = strrchr(sb.buf, ')');
	if (!rp || sscanf(rp + 2,
			  "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d "
			  "%*d %ld %*d %*u %*u %llu",
			  &ut, &st, &threads, &rss) != 4) {
		error(err, "pid:%ld: cannot read %s", p->pid, path);
		goto out;
	}
	mon_source_add(src, "process_cpu_seconds_total", MON_COUNTER, "seconds", now,
		       (double)(ut + st) / tick);
	mon_source_add(src, "process_user_cpu_seconds_total", MON_COUNTER, "seconds", now,
		       (double)ut / tick);
	mon_source_add(src, "process_system_cpu_seconds_total", MON_COUNTER, "seconds", now,
		       (double)st / tick);
	mon_source_add(src, "process_resident_memory_bytes", MON_GAUGE, "bytes", now,
		       (double)rss * page);
	mon_source_add(src, "process_threads", MON_GAUGE, "", now, (double)threads);
	/* /proc/N/io is readable by the owner (or root) only: left out otherwise. */
	snprintf(path, sizeof(path), "/proc/%ld/io", p->pid);
	if (!slurp(path, &sb)) {
		mon_source_add(src, "process_io_read_bytes_total", MON_COUNTER, "bytes", now,
			       field(sb.buf, "rchar"));
		mon_source_add(src, "process_io_write_bytes_total", MON_COUNTER, "bytes", now,
			       field(sb.buf, "wchar"));
		mon_source_add(src, "process_storage_read_bytes_total", MON_COUNTER, "bytes", now,
			       field(sb.buf, "read_bytes"));
		mon_source_add(src, "process_storage_write_bytes_total", MON_COUNTER, "bytes", now,
			       field(sb.buf, "write_bytes"));
	}
	if (p->cgroup) {
		snprintf(path, sizeof(path), "%.80s/cpu.stat", p->cgroup);
		if (!slurp(path, &sb) && field(sb.buf, "usage_usec") >= 0)
			mon_source_add(src, "cgroup_cpu_seconds_total", MON_COUNTER, "seconds", now,
				       field(sb.buf, "usage_usec") / 1e6);
		snprintf(path, sizeof(path), "%.80s/memory.current", p->cgroup);
		if (!slurp(path, &sb))
			mon_source_add(src, "cgroup_memory_bytes", MON_GAUGE, "bytes", now,
				       strtod(sb.buf, NULL));
	}
	ret = 0;
out:
	strbuf_release(&sb);
	strbuf_release(&key);
	return ret;
}

const struct mon_source_type mon_source_proc = {
	.name = "process",
	.prefix = "pid:",
	.usage = "pid:PID",
	.open = proc_open,
	.scrape = proc_scrape,
	.close = proc_close,
};
