/* The result file (docs/load.md) and the human summary of a load run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/provenance.h"
#include "common/timeutil.h"
#include "common/version.h"
#include "load/core/hist-json.h"
#include "load/core/run.h"

/* Name of error kind k for this run (core or protocol kind). */
static const char *kind_name(const struct load_result *r, unsigned k)
{
	if (k >= LOAD_ERR_PROTO) {
		unsigned i = k - LOAD_ERR_PROTO;
		return i < r->target->nerr_kinds ? r->target->err_kinds[i] : "other";
	}
	return load_err_name(k);
}

static unsigned nerr_kinds(const struct load_result *r)
{
	unsigned n = LOAD_ERR_PROTO + r->target->nerr_kinds;
	return n < LOAD_MAX_ERR_KINDS ? n : LOAD_MAX_ERR_KINDS;
}

const char *load_node_name(struct strbuf *sb)
{
	const char *slurm = getenv("SLURMD_NODENAME");
	char host[256];
	strbuf_reset(sb);
	if (slurm && *slurm) {
		strbuf_addstr(sb, slurm);
	} else if (!gethostname(host, sizeof(host))) {
		host[sizeof(host) - 1] = '\0';
		strbuf_addstr(sb, host);
	}
	return sb->buf;
}

void load_pcts_json(struct jsonw *w, const char *key, const struct hist *h)
{
	jsonw_obj_open(w, key);
	jsonw_double(w, "min", h->total ? (double)h->min / 1e3 : 0, 3);
	jsonw_double(w, "mean", hist_mean(h) / 1e3, 3);
	jsonw_double(w, "p50", (double)hist_percentile(h, 50) / 1e3, 3);
	jsonw_double(w, "p90", (double)hist_percentile(h, 90) / 1e3, 3);
	jsonw_double(w, "p99", (double)hist_percentile(h, 99) / 1e3, 3);
	jsonw_double(w, "p999", (double)hist_percentile(h, 99.9) / 1e3, 3);
	jsonw_double(w, "max", (double)h->max / 1e3, 3);
	hist_json_write(w, "histogram", h);
	jsonw_close(w);
}

void load_result_json(const struct load_result *r, struct jsonw *w, const char *key)
{
	const struct load_stats *s = &r->stats;
	struct strbuf ts = STRBUF_INIT, node = STRBUF_INIT;
	double iv_s = (double)s->interval_ns / 1e9;
	const struct load_monitor *mon = r->opts->monitor;

	if (mon && mon->window)
		mon->window(mon->ctx, r);
	jsonw_obj_open(w, key);
	jsonw_str(w, "schema", "hpcbench.result/1");
	jsonw_obj_open(w, "tool");
	jsonw_str(w, "name", "hpcbench");
	jsonw_str(w, "version", HPCBENCH_VERSION);
	jsonw_close(w);

	jsonw_obj_open(w, "client");
	jsonw_str(w, "protocol", r->proto->name);
	jsonw_str(w, "target", r->target->display);
	jsonw_obj_open(w, "parameters");
	load_opts_json(r->opts, w);
	if (r->proto->params_json)
		r->proto->params_json(r->cfg, w);
	jsonw_close(w);
	jsonw_close(w);

	jsonw_str(w, "node", load_node_name(&node));
	rfc3339_append(&ts, r->started_wall_ns);
	jsonw_str(w, "started_at", ts.buf);
	jsonw_u64(w, "started_at_ns", r->started_wall_ns);
	if (r->opts->start_at_ns) {
		jsonw_obj_open(w, "start_barrier");
		jsonw_u64(w, "at_ns", r->opts->start_at_ns);
		jsonw_double(w, "late_ms", (double)r->start_late_ns / 1e6, 3);
		jsonw_close(w);
	}
	jsonw_double(w, "duration_s", r->duration_s, 6);
	provenance_json(w, "provenance", r->started_wall_ns,
			r->started_wall_ns + (uint64_t)(r->duration_s * 1e9), r->opts->json_path,
			r->server_version);

	jsonw_obj_open(w, "requests");
	jsonw_u64(w, "sent", s->sent);
	jsonw_u64(w, "ok", s->ok);
	jsonw_u64(w, "errors", s->errors);
	jsonw_u64(w, "dropped", s->dropped);
	jsonw_obj_open(w, "errors_by_kind");
	for (unsigned k = 1; k < nerr_kinds(r); k++)
		jsonw_u64(w, kind_name(r, k), s->err[k]);
	jsonw_close(w);
	jsonw_obj_open(w, "error_samples");
	for (unsigned k = 1; k < nerr_kinds(r); k++)
		if (s->note[k][0])
			jsonw_str(w, kind_name(r, k), s->note[k]);
	jsonw_close(w);
	jsonw_close(w);

	jsonw_obj_open(w, "warmup");
	jsonw_double(w, "duration_s", (double)r->opts->warmup_us / 1e6, 6);
	jsonw_u64(w, "sent", s->warm_sent);
	jsonw_u64(w, "ok", s->warm_ok);
	jsonw_u64(w, "errors", s->warm_errors);
	jsonw_close(w);

	jsonw_double(w, "throughput_rps", load_result_rps(r), 3);
	load_pcts_json(w, "latency_us", &s->latency);
	load_pcts_json(w, "service_time_us", &s->service);
	load_pcts_json(w, "schedule_lag_us", &s->lag);

	jsonw_obj_open(w, "by_kind");
	for (unsigned k = 0; k < s->nkinds; k++) {
		const struct load_kind_stats *ks = &s->kinds[k];
		if (!ks->ok && !ks->errors)
			continue;
		jsonw_obj_open(w, r->target->kinds[k]);
		jsonw_u64(w, "ok", ks->ok);
		jsonw_u64(w, "errors", ks->errors);
		jsonw_double(w, "throughput_rps",
			     r->duration_s > 0 ? (double)ks->ok / r->duration_s : 0, 3);
		if (ks->latency.counts)
			load_pcts_json(w, "latency_us", &ks->latency);
		jsonw_close(w);
	}
	jsonw_close(w);

	jsonw_arr_open(w, "intervals");
	for (size_t i = 0; i < s->niv; i++) {
		const struct load_interval *iv = &s->iv[i];
		/* The last interval runs to the end of the window (shorter or, with the
		 * drained replies folded in, a little longer than the others). */
		double len = iv_s;
		if (i + 1 == s->niv && r->duration_s > (double)i * iv_s)
			len = r->duration_s - (double)i * iv_s;
		jsonw_obj_open(w, NULL);
		jsonw_double(w, "t", (double)i * iv_s, 3);
		jsonw_double(w, "rps", (double)iv->ok / len, 3);
		jsonw_double(w, "p50_us", (double)hist_percentile(&iv->latency, 50) / 1e3, 3);
		jsonw_double(w, "p99_us", (double)hist_percentile(&iv->latency, 99) / 1e3, 3);
		jsonw_u64(w, "errors", iv->errors);
		jsonw_u64(w, "ok", iv->ok);
		hist_json_write(w, "histogram", &iv->latency);
		if (mon && mon->interval_json)
			mon->interval_json(mon->ctx, r, (double)i * iv_s, len, w);
		jsonw_close(w);
	}
	jsonw_close(w);

	if (r->proto->report_json)
		r->proto->report_json(r->cfg, r->proto_ts, r, w);
	if (mon && mon->result_json)
		mon->result_json(mon->ctx, r, w);
	jsonw_close(w);
	strbuf_release(&ts);
	strbuf_release(&node);
}

/* One line of percentiles in microseconds. */
static void text_pcts(struct strbuf *out, const char *label, const struct hist *h)
{
	strbuf_addf(out,
		    "  %-13s min %.1f  mean %.1f  p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  "
		    "max %.1f us\n",
		    label, h->total ? (double)h->min / 1e3 : 0, hist_mean(h) / 1e3,
		    (double)hist_percentile(h, 50) / 1e3, (double)hist_percentile(h, 90) / 1e3,
		    (double)hist_percentile(h, 99) / 1e3, (double)hist_percentile(h, 99.9) / 1e3,
		    (double)h->max / 1e3);
}

void load_result_text(const struct load_result *r, struct strbuf *out)
{
	const struct load_stats *s = &r->stats;
	const struct load_opts *o = r->opts;

	strbuf_addf(out, "%s %s: %u connection%s, %u thread%s, pipeline %u, ", r->proto->name,
		    r->target->display, o->connections, o->connections == 1 ? "" : "s", o->threads,
		    o->threads == 1 ? "" : "s", o->pipeline);
	if (o->rate > 0)
		strbuf_addf(out, "open loop %.6g req/s (%s)", o->rate,
			    load_arrival_name(o->arrival));
	else
		strbuf_addstr(out, "closed loop");
	strbuf_addf(out, ", %.3f s\n", r->duration_s);
	strbuf_addf(out, "  requests      %llu sent, %llu ok, %llu errors, %llu dropped\n",
		    (unsigned long long)s->sent, (unsigned long long)s->ok,
		    (unsigned long long)s->errors, (unsigned long long)s->dropped);
	if (o->warmup_us)
		strbuf_addf(out, "  warm-up       %.3f s, %llu requests (not counted)\n",
			    (double)o->warmup_us / 1e6, (unsigned long long)s->warm_sent);
	strbuf_addf(out, "  throughput    %.1f req/s\n", load_result_rps(r));
	text_pcts(out, "latency", &s->latency);
	if (o->rate > 0) {
		text_pcts(out, "service time", &s->service);
		text_pcts(out, "schedule lag", &s->lag);
	}
	if (s->nkinds > 1) {
		for (unsigned k = 0; k < s->nkinds; k++) {
			const struct load_kind_stats *ks = &s->kinds[k];
			if (!ks->ok && !ks->errors)
				continue;
			strbuf_addf(out, "  %-13s %llu ok, %llu errors", r->target->kinds[k],
				    (unsigned long long)ks->ok, (unsigned long long)ks->errors);
			if (ks->ok)
				strbuf_addf(out, ", p50 %.1f  p99 %.1f us",
					    (double)hist_percentile(&ks->latency, 50) / 1e3,
					    (double)hist_percentile(&ks->latency, 99) / 1e3);
			strbuf_addch(out, '\n');
		}
	}
	for (unsigned k = 1; k < nerr_kinds(r); k++) {
		if (!s->err[k])
			continue;
		strbuf_addf(out, "  error %-7s %llu%s%s%s\n", kind_name(r, k),
			    (unsigned long long)s->err[k], s->note[k][0] ? " (first: " : "",
			    s->note[k], s->note[k][0] ? ")" : "");
	}
	if (r->proto->report_text)
		r->proto->report_text(r->cfg, r->proto_ts, r, out);
	if (o->monitor && o->monitor->result_text)
		o->monitor->result_text(o->monitor->ctx, r, out);
}

int load_result_verdict(const struct load_result *r, struct strbuf *err)
{
	const struct load_stats *s = &r->stats;
	uint64_t conn = s->err[LOAD_ERR_CONNECT];
	if (!s->ok) {
		error(err, "no request succeeded");
		return EXIT_FAILED;
	}
	if ((s->errors || conn || s->dropped) && !r->opts->allow_errors) {
		if (s->errors)
			error(err, "%llu request%s failed (--allow-errors to accept)",
			      (unsigned long long)s->errors, s->errors == 1 ? "" : "s");
		if (conn)
			error(err, "%llu connection attempt%s failed (--allow-errors to accept)",
			      (unsigned long long)conn, conn == 1 ? "" : "s");
		if (s->dropped)
			error(err,
			      "%llu request%s dropped: the load asked for was not delivered "
			      "(--allow-errors to accept)",
			      (unsigned long long)s->dropped, s->dropped == 1 ? "" : "s");
		return EXIT_FAILED;
	}
	if (r->proto->verdict && r->proto->verdict(r->cfg, r->proto_ts, r, err))
		return EXIT_FAILED;
	return EXIT_OK;
}
