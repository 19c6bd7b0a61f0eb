/*
 * NVIDIA GPUs (nvidia-smi[:PATH]): `nvidia-smi --query-gpu=... --format=csv,nounits
 * -lms 500` runs as a child of the sampler for as long as the monitor runs; each tick
 * reads the lines it printed since the last one (each line carries the tool's own
 * timestamp). total_energy_consumption is asked for too and dropped when the driver
 * rejects it. The result gets the energy over the window: the trapezoidal integral of
 * power.draw, per GPU and in all, and per request and per output token.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/timeutil.h"
#include "common/xalloc.h"
#include "monitor/source.h"

#define GPU_PERIOD_MS "500"
#define GPU_FIELDS                                                                                 \
	"timestamp,index,name,power.draw,utilization.gpu,memory.used,clocks.sm,temperature.gpu"

struct gpu_priv {
	char *path;
	pid_t pid;
	int fd;		 /* the child's stdout, non-blocking */
	int with_energy; /* total_energy_consumption accepted */
	int header_seen;
	struct strbuf pending; /* an unfinished line */
};

static int gpu_open(struct mon_source *src, const char *spec, struct strbuf *err)
{
	struct gpu_priv *p = xcalloc(1, sizeof(*p));
	src->priv = p;
	p->fd = -1;
	p->pid = -1;
	strbuf_init(&p->pending, 0);
	if (!strcmp(spec, "nvidia-smi"))
		p->path = xstrdup("nvidia-smi");
	else if (!strncmp(spec, "nvidia-smi:", 11) && spec[11])
		p->path = xstrdup(spec + 11);
	else
		return error(err, "'%s': expected nvidia-smi or nvidia-smi:PATH", spec);
	return 0;
}

/* Stops the child (SIGTERM, as the loop of -lms expects) and reaps it. */
static void stop_child(struct gpu_priv *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGTERM);
		waitpid(p->pid, NULL, 0);
	}
	if (p->fd >= 0)
		close(p->fd);
	p->pid = -1;
	p->fd = -1;
}

static void gpu_close(struct mon_source *src)
{
	struct gpu_priv *p = src->priv;
	if (!p)
		return;
	stop_child(p);
	free(p->path);
	strbuf_release(&p->pending);
	free(p);
	src->priv = NULL;
}

/* Starts nvidia-smi with the fields; its stderr goes to errfd. 0 or -1 with err. */
static int spawn(struct gpu_priv *p, int energy, int errfd, struct strbuf *err)
{
	int out[2];
	char *query =
	    xasprintf("--query-gpu=%s%s", GPU_FIELDS, energy ? ",total_energy_consumption" : "");
	if (pipe2(out, O_CLOEXEC)) {
		free(query);
		return error(err, "pipe: %s", strerror(errno));
	}
	p->pid = fork();
	if (p->pid == 0) {
		char *argv[] = {
			p->path, query, "--format=csv,nounits", "-lms", GPU_PERIOD_MS, NULL
		};
		dup2(out[1], 1);
		dup2(errfd, 2);
		execvp(p->path, argv);
		dprintf(2, "cannot run %s: %s\n", p->path, strerror(errno));
		_exit(127);
	}
	free(query);
	close(out[1]);
	if (p->pid < 0) {
		close(out[0]);
		return error(err, "fork: %s", strerror(errno));
	}
	p->fd = out[0];
	fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK);
	p->with_energy = energy;
	p->header_seen = 0;
	return 0;
}

/* Reads the child's stderr file (first line) into err. */
static void first_line_of(FILE *f, struct strbuf *out)
{
	char line[512];
	rewind(f);
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		strbuf_addstr(out, line);
	}
}

/*
 * Starts the child: with total_energy_consumption first, without it when the driver
 * rejects the field. Waits for the header line (at most 10 s).
 */
static int start(struct mon_source *src, struct strbuf *err)
{
	struct gpu_priv *p = src->priv;
	FILE *errf = tmpfile();
	int ret = -1;
	if (!errf)
		return error(err, "%s: tmpfile: %s", src->spec, strerror(errno));
	for (int energy = 1; energy >= 0; energy--) {
		uint64_t give_up = mono_ns() + 10000000000ull;
		if (spawn(p, energy, fileno(errf), err))
			goto out;
		for (;;) {
			char buf[4096];
			ssize_t n = read(p->fd, buf, sizeof(buf));
			if (n > 0) {
				strbuf_add(&p->pending, buf, (size_t)n);
				if (strchr(p->pending.buf, '\n')) {
					ret = 0;
					goto out;
				}
				continue;
			}
			int st;
			if (n == 0 || waitpid(p->pid, &st, WNOHANG) == p->pid ||
			    mono_ns() > give_up)
				break;
			sleep_us(20000);
		}
		stop_child(p);
		strbuf_reset(&p->pending);
		struct strbuf why = STRBUF_INIT;
		first_line_of(errf, &why);
		if (!energy || !strstr(why.buf, "total_energy_consumption")) {
			error(err, "%s: %s", src->spec,
			      why.len ? why.buf : "no output from nvidia-smi");
			strbuf_release(&why);
			goto out;
		}
		strbuf_release(&why);
		/* a fresh file for the retry's own message */
		fclose(errf);
		errf = tmpfile();
		if (!errf)
			return error(err, "%s: tmpfile: %s", src->spec, strerror(errno));
	}
out:
	fclose(errf);
	return ret;
}

/* "2026/12/04 19:50:01.123" (local time) in wall ns, or 0. */
static uint64_t parse_ts(const char *s)
{
	struct tm tm = { 0 };
	int ms = 0;
	if (sscanf(s, "%d/%d/%d %d:%d:%d.%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec, &ms) < 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	return t < 0 ? 0 : (uint64_t)t * 1000000000ull + (uint64_t)ms * 1000000ull;
}

/* One CSV row: timestamp, index, name, power, util, mem, sm clock, temp[, energy]. */
static void row(struct mon_source *src, char *line)
{
	struct gpu_priv *p = src->priv;
	char *f[10];
	int n = 0;
	for (char *s = line; n < 10;) {
		f[n++] = s;
		char *c = strchr(s, ',');
		if (!c)
			break;
		*c = 0;
		s = c + 1;
		while (*s == ' ')
			s++;
	}
	if (n < 8 + p->with_energy)
		return;
	uint64_t t = parse_ts(f[0]);
	if (!t)
		return;
	static const struct {
		const char *name, *unit;
		double scale;
		enum mon_kind kind;
	} cols[] = {
		{ "nvidia_gpu_power_draw_watts", "watts", 1, MON_GAUGE },
		{ "nvidia_gpu_utilization_percent", "percent", 1, MON_GAUGE },
		{ "nvidia_gpu_memory_used_bytes", "bytes", 1048576, MON_GAUGE },
		{ "nvidia_gpu_sm_clock_hertz", "hertz", 1e6, MON_GAUGE },
		{ "nvidia_gpu_temperature_celsius", "celsius", 1, MON_GAUGE },
		{ "nvidia_gpu_energy_joules_total", "joules", 1e-3, MON_COUNTER },
	};
	char key[256];
	for (int c = 0; c < 5 + p->with_energy; c++) {
		char *end;
		double v = strtod(f[3 + c], &end);
		if (end == f[3 + c])
			continue; /* [N/A], [Not Supported] */
		snprintf(key, sizeof(key), "%s{gpu=\"%s\",name=\"%s\"}", cols[c].name, f[1], f[2]);
		mon_source_add(src, key, cols[c].kind, cols[c].unit, t, v * cols[c].scale);
	}
}

static int gpu_scrape(struct mon_source *src, uint64_t now, struct strbuf *err)
{
	struct gpu_priv *p = src->priv;
	char buf[8192];
	ssize_t n;
	(void)now;
	if (p->pid < 0 && start(src, err))
		return -1;
	while ((n = read(p->fd, buf, sizeof(buf))) > 0)
		strbuf_add(&p->pending, buf, (size_t)n);
	char *line = p->pending.buf, *nl;
	while ((nl = strchr(line, '\n'))) {
		*nl = 0;
		if (nl > line && nl[-1] == '\r')
			nl[-1] = 0;
		if (!p->header_seen)
			p->header_seen = 1; /* the header: the columns are the ones asked for */
		else
			row(src, line);
		line = nl + 1;
	}
	size_t rest = p->pending.len - (size_t)(line - p->pending.buf);
	memmove(p->pending.buf, line, rest);
	strbuf_setlen(&p->pending, rest);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		stop_child(p);
		return error(err, "%s: nvidia-smi stopped", src->spec);
	}
	return 0;
}

static void gpu_report(struct mon_source *src, uint64_t w0, uint64_t w1, double requests,
		       double output_tokens, struct jsonw *w)
{
	double total = 0, covered = INFINITY;
	int ngpu = 0;
	jsonw_str(w, "energy_method", "trapezoid(power.draw)");
	jsonw_obj_open(w, "energy_per_gpu_j");
	for (size_t i = 0; i < src->store.n; i++) {
		const struct mon_series *s = src->store.s[i];
		double cov;
		if (strncmp(s->key, "nvidia_gpu_power_draw_watts{", 28))
			continue;
		double j = mon_series_integral(s, w0, w1, &cov);
		jsonw_double(w, s->key + strlen("nvidia_gpu_power_draw_watts"), j, 3);
		total += j;
		covered = cov < covered ? cov : covered;
		ngpu++;
	}
	jsonw_close(w);
	if (!ngpu) {
		jsonw_null(w, "energy_j");
		return;
	}
	jsonw_double(w, "energy_j", total, 3);
	jsonw_double(w, "energy_covered_s", covered, 6);
	jsonw_double(w, "window_s", (double)(w1 - w0) / 1e9, 3);
	if (requests > 0)
		jsonw_double(w, "joules_per_request", total / requests, 6);
	else
		jsonw_null(w, "joules_per_request");
	if (output_tokens > 0)
		jsonw_double(w, "joules_per_output_token", total / output_tokens, 6);
	else
		jsonw_null(w, "joules_per_output_token");
	jsonw_bool(w, "energy_counter", ((struct gpu_priv *)src->priv)->with_energy);
}

const struct mon_source_type mon_source_gpu = {
	.name = "nvidia-smi",
	.prefix = "nvidia-smi",
	.usage = "nvidia-smi[:PATH]",
	.open = gpu_open,
	.scrape = gpu_scrape,
	.close = gpu_close,
	.report_json = gpu_report,
};
