/* Exact merge of replica result files: histograms added bucket by bucket (merge.h). */
#include "load/core/merge.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/timeutil.h"
#include "common/version.h"
#include "common/xalloc.h"
#include "load/core/hist-json.h"
#include "load/core/run.h"

/* One replica as read: its file's JSON (NULL when it could not be used) and why. */
struct replica {
	const struct merge_input *in;
	json_t *root; /* owned */
	char reason[256];
	uint64_t start_ns; /* started_at_ns: the measured window's wall-clock start */
	double duration_s;
	double iv_s; /* its interval length, 0 when it has fewer than two intervals */
};

/* The top-level keys of a result that the merge understands; others are protocol's. */
static const char *const known_keys[] = {
	"schema",
	"tool",
	"client",
	"started_at",
	"started_at_ns",
	"start_barrier",
	"duration_s",
	"requests",
	"warmup",
	"throughput_rps",
	"latency_us",
	"service_time_us",
	"schedule_lag_us",
	"by_kind",
	"intervals",
	"replicas",
	NULL,
};

static uint64_t u64_at(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v)
							       : 0;
}

static double num_at(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_number(v) ? json_number_value(v) : 0;
}

/* Reads and checks one replica's file; on failure leaves root NULL and a reason. */
static void replica_read(struct replica *r, const char *protocol)
{
	json_error_t jerr;
	const json_t *v, *ivs;
	const char *why = NULL;
	struct hist h;

	r->root = json_load_file(r->in->path, JSON_REJECT_DUPLICATES, &jerr);
	if (!r->root) {
		if (jerr.line < 0 || strstr(jerr.text, "unable to open"))
			snprintf(r->reason, sizeof(r->reason), "no result file (%s)", jerr.text);
		else
			snprintf(r->reason, sizeof(r->reason), "%s:%d: %s", r->in->path, jerr.line,
				 jerr.text);
		return;
	}
	v = json_object_get(r->root, "schema");
	if (!json_is_object(r->root) || !json_is_string(v) ||
	    strcmp(json_string_value(v), "hpcbench.result/1") != 0) {
		snprintf(r->reason, sizeof(r->reason), "not a result file (hpcbench.result/1)");
		goto bad;
	}
	v = json_object_get(json_object_get(r->root, "client"), "protocol");
	if (protocol && json_is_string(v) && strcmp(json_string_value(v), protocol) != 0) {
		snprintf(r->reason, sizeof(r->reason), "protocol %s, not %s like the others",
			 json_string_value(v), protocol);
		goto bad;
	}
	r->start_ns = u64_at(r->root, "started_at_ns");
	if (!r->start_ns) {
		snprintf(r->reason, sizeof(r->reason),
			 "no started_at_ns (written by an hpcbench older than the merge)");
		goto bad;
	}
	r->duration_s = num_at(r->root, "duration_s");
	if (hist_json_read(json_object_get(json_object_get(r->root, "latency_us"), "histogram"), &h,
			   &why)) {
		snprintf(r->reason, sizeof(r->reason), "latency_us.histogram: %s", why);
		goto bad;
	}
	hist_release(&h);
	ivs = json_object_get(r->root, "intervals");
	if (json_array_size(ivs) >= 2)
		r->iv_s = num_at(json_array_get(ivs, 1), "t") - num_at(json_array_get(ivs, 0), "t");
	return;
bad:
	json_decref(r->root);
	r->root = NULL;
}

/*
 * Adds the histogram at obj.key.histogram of every merged replica into *h (initialised
 * here from the first one found). Returns the number of replicas that had one; a
 * histogram of another layout is left out and counted in *skipped.
 */
static unsigned merge_hist(struct replica *rs, size_t n, const char *path1, const char *path2,
			   const char *key, struct hist *h, unsigned *skipped)
{
	unsigned got = 0;
	for (size_t i = 0; i < n; i++) {
		const json_t *o;
		const char *why;
		struct hist one;
		if (!rs[i].root)
			continue;
		o = rs[i].root;
		if (path1)
			o = json_object_get(o, path1);
		if (path2)
			o = json_object_get(o, path2);
		o = json_object_get(json_object_get(o, key), "histogram");
		if (!o || hist_json_read(o, &one, &why))
			continue;
		if (!got)
			hist_init(h, one.sub_bits);
		if (one.sub_bits == h->sub_bits) {
			hist_merge(h, &one);
			got++;
		} else if (skipped) {
			(*skipped)++;
		}
		hist_release(&one);
	}
	return got;
}

/* Writes key: {min..max, histogram} merged over the replicas (nothing if none has it). */
static void write_pcts(struct replica *rs, size_t n, struct jsonw *w, const char *key)
{
	struct hist h;
	if (!merge_hist(rs, n, NULL, NULL, key, &h, NULL))
		return;
	load_pcts_json(w, key, &h);
	hist_release(&h);
}

/* Sums obj[sect][name] (an object of integer counters) over the replicas into acc. */
static void sum_counters(struct replica *rs, size_t n, const char *sect, const char *name,
			 json_t *acc)
{
	for (size_t i = 0; i < n; i++) {
		const char *k;
		json_t *v;
		json_t *o = json_object_get(json_object_get(rs[i].root, sect), name);
		if (!rs[i].root)
			continue;
		json_object_foreach(o, k, v)
		{
			json_t *have = json_object_get(acc, k);
			if (json_is_integer(v))
				json_object_set_new(
				    acc, k,
				    json_integer(json_integer_value(v) +
						 (have ? json_integer_value(have) : 0)));
			else if (json_is_string(v) && !have)
				json_object_set(acc, k, v);
		}
	}
}

/* Writes an object of counters or strings built by sum_counters. */
static void write_flat(struct jsonw *w, const char *key, json_t *acc)
{
	const char *k;
	json_t *v;
	jsonw_obj_open(w, key);
	json_object_foreach(acc, k, v)
	{
		if (json_is_integer(v))
			jsonw_u64(w, k, (uint64_t)json_integer_value(v));
		else
			jsonw_str(w, k, json_string_value(v));
	}
	jsonw_close(w);
}

/* Writes a JSON value read by jansson (parameters: scalars, objects, arrays). */
static void write_value(struct jsonw *w, const char *key, const json_t *v)
{
	const char *k;
	json_t *e;
	size_t i;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		jsonw_obj_open(w, key);
		json_object_foreach((json_t *)v, k, e) write_value(w, k, e);
		jsonw_close(w);
		break;
	case JSON_ARRAY:
		jsonw_arr_open(w, key);
		json_array_foreach(v, i, e) write_value(w, NULL, e);
		jsonw_close(w);
		break;
	case JSON_STRING:
		jsonw_strn(w, key, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		jsonw_i64(w, key, (int64_t)json_integer_value(v));
		break;
	case JSON_REAL:
		jsonw_double(w, key, json_real_value(v), -1);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		jsonw_bool(w, key, json_is_true(v));
		break;
	case JSON_NULL:
		jsonw_null(w, key);
		break;
	}
}

/* client: the first replica's, with the totals the user asked for (not one share). */
static void write_client(struct replica *rs, size_t n, const struct replica *first, struct jsonw *w)
{
	const json_t *cl = json_object_get(first->root, "client");
	json_t *params = json_deep_copy(json_object_get(cl, "parameters"));
	const json_t *rep = json_object_get(params, "replica");
	const char *target = json_string_value(json_object_get(cl, "target"));
	int same_target = 1;

	if (!json_is_object(params))
		params = json_object();
	if (json_is_object(rep)) {
		if (json_object_get(rep, "rate_total"))
			json_object_set(params, "rate", json_object_get(rep, "rate_total"));
		if (json_object_get(rep, "requests_total"))
			json_object_set(params, "requests", json_object_get(rep, "requests_total"));
	}
	json_object_del(params, "replica");
	json_object_del(params, "seed"); /* one per replica: in replicas.list */
	json_object_del(params, "start_at_ns");
	json_object_set_new(params, "replicas", json_integer((json_int_t)n));

	jsonw_obj_open(w, "client");
	jsonw_str(w, "protocol", json_string_value(json_object_get(cl, "protocol")));
	for (size_t i = 0; i < n; i++) {
		const char *t = json_string_value(
		    json_object_get(json_object_get(rs[i].root, "client"), "target"));
		if (rs[i].root && t && target && strcmp(t, target) != 0)
			same_target = 0;
	}
	if (same_target) {
		jsonw_str(w, "target", target);
	} else {
		jsonw_str(w, "target", "(several: see replicas.list)");
	}
	write_value(w, "parameters", params);
	jsonw_close(w);
	json_decref(params);
}

/* by_kind: per request kind, counts summed and latency histograms added. */
static void write_by_kind(struct replica *rs, size_t n, double dur, struct jsonw *w)
{
	json_t *names = json_object();
	const char *k;
	json_t *v;
	for (size_t i = 0; i < n; i++)
		json_object_foreach(json_object_get(rs[i].root, "by_kind"), k, v)
		    json_object_set_new(names, k, json_true());
	jsonw_obj_open(w, "by_kind");
	json_object_foreach(names, k, v)
	{
		uint64_t ok = 0, errors = 0;
		struct hist h;
		for (size_t i = 0; i < n; i++) {
			const json_t *o =
			    json_object_get(json_object_get(rs[i].root, "by_kind"), k);
			ok += u64_at(o, "ok");
			errors += u64_at(o, "errors");
		}
		jsonw_obj_open(w, k);
		jsonw_u64(w, "ok", ok);
		jsonw_u64(w, "errors", errors);
		jsonw_double(w, "throughput_rps", dur > 0 ? (double)ok / dur : 0, 3);
		if (merge_hist(rs, n, "by_kind", k, "latency_us", &h, NULL)) {
			load_pcts_json(w, "latency_us", &h);
			hist_release(&h);
		}
		jsonw_close(w);
	}
	jsonw_close(w);
	json_decref(names);
}

/* One merged interval: what every replica measured in it. */
struct mbin {
	uint64_t ok, errors;
	unsigned replicas;
	struct hist h; /* counts NULL until a histogram arrives */
};

/*
 * intervals: each replica's interval i, which began at its start + t_i on the wall
 * clock, goes to the merged interval k nearest to (that instant - t0) / L.
 */
static void write_intervals(struct replica *rs, size_t n, uint64_t t0, double dur, struct jsonw *w)
{
	double L = 0;
	size_t nb = 0;
	struct mbin *b = NULL;

	for (size_t i = 0; i < n; i++)
		if (rs[i].root && rs[i].iv_s > L)
			L = rs[i].iv_s;
	if (L <= 0)
		L = dur > 0 ? dur : 1;
	for (size_t i = 0; i < n; i++) {
		size_t j;
		const json_t *iv;
		if (!rs[i].root)
			continue;
		json_array_foreach(json_object_get(rs[i].root, "intervals"), j, iv)
		{
			double at = (double)(rs[i].start_ns - t0) / 1e9 + num_at(iv, "t");
			long k = lround(at / L);
			struct hist one;
			const char *why;
			if (k < 0)
				k = 0;
			if ((size_t)k >= nb) {
				b = xrealloc(b, ((size_t)k + 1) * sizeof(*b));
				memset(b + nb, 0, ((size_t)k + 1 - nb) * sizeof(*b));
				nb = (size_t)k + 1;
			}
			b[k].ok += u64_at(iv, "ok");
			b[k].errors += u64_at(iv, "errors");
			b[k].replicas++;
			if (hist_json_read(json_object_get(iv, "histogram"), &one, &why))
				continue;
			if (!b[k].h.counts)
				hist_init(&b[k].h, one.sub_bits);
			if (one.sub_bits == b[k].h.sub_bits)
				hist_merge(&b[k].h, &one);
			hist_release(&one);
		}
	}
	jsonw_arr_open(w, "intervals");
	for (size_t k = 0; k < nb; k++) {
		double len = L;
		if (k + 1 == nb && dur > (double)k * L && dur - (double)k * L < L)
			len = dur - (double)k * L;
		jsonw_obj_open(w, NULL);
		jsonw_double(w, "t", (double)k * L, 3);
		jsonw_double(w, "rps", (double)b[k].ok / len, 3);
		if (b[k].h.counts) {
			jsonw_double(w, "p50_us", (double)hist_percentile(&b[k].h, 50) / 1e3, 3);
			jsonw_double(w, "p99_us", (double)hist_percentile(&b[k].h, 99) / 1e3, 3);
		}
		jsonw_u64(w, "errors", b[k].errors);
		jsonw_u64(w, "ok", b[k].ok);
		jsonw_u64(w, "replicas", b[k].replicas);
		if (b[k].h.counts) {
			hist_json_write(w, "histogram", &b[k].h);
			hist_release(&b[k].h);
		}
		jsonw_close(w);
	}
	jsonw_close(w);
	free(b);
}

/* replicas: the skew, what was not merged, and one entry per replica. */
static void write_replicas(struct replica *rs, size_t n, unsigned nmerged, uint64_t t0,
			   double skew_ms, struct jsonw *w)
{
	json_t *extra = json_object();
	const char *k;
	json_t *v;

	jsonw_obj_open(w, "replicas");
	jsonw_u64(w, "count", n);
	jsonw_u64(w, "merged", nmerged);
	jsonw_u64(w, "failed", n - nmerged);
	jsonw_double(w, "start_skew_ms", skew_ms, 3);
	for (size_t i = 0; i < n; i++)
		json_object_foreach(rs[i].root, k, v)
		{
			size_t j = 0;
			while (known_keys[j] && strcmp(known_keys[j], k) != 0)
				j++;
			if (!known_keys[j])
				json_object_set_new(extra, k, json_true());
		}
	jsonw_arr_open(w, "not_merged");
	json_object_foreach(extra, k, v) jsonw_str(w, NULL, k);
	jsonw_close(w);
	jsonw_arr_open(w, "list");
	for (size_t i = 0; i < n; i++) {
		const struct replica *r = &rs[i];
		jsonw_obj_open(w, NULL);
		jsonw_u64(w, "index", i);
		jsonw_str(w, "file", r->in->path);
		jsonw_str(w, "status", r->root ? "merged" : "failed");
		if (!r->root || r->in->note) {
			struct strbuf why = STRBUF_INIT;
			if (r->in->note)
				strbuf_addstr(&why, r->in->note);
			if (!r->root)
				strbuf_addf(&why, "%s%s", why.len ? "; " : "", r->reason);
			jsonw_str(w, "reason", why.buf);
			strbuf_release(&why);
		}
		if (r->root) {
			const json_t *req = json_object_get(r->root, "requests");
			const json_t *lat = json_object_get(r->root, "latency_us");
			const json_t *cl = json_object_get(r->root, "client");
			jsonw_str(w, "node", json_string_value(json_object_get(r->root, "node")));
			jsonw_str(w, "target", json_string_value(json_object_get(cl, "target")));
			jsonw_u64(w, "seed", u64_at(json_object_get(cl, "parameters"), "seed"));
			jsonw_u64(w, "started_at_ns", r->start_ns);
			jsonw_double(w, "start_offset_ms", (double)(r->start_ns - t0) / 1e6, 3);
			jsonw_double(w, "duration_s", r->duration_s, 6);
			jsonw_obj_open(w, "requests");
			jsonw_u64(w, "sent", u64_at(req, "sent"));
			jsonw_u64(w, "ok", u64_at(req, "ok"));
			jsonw_u64(w, "errors", u64_at(req, "errors"));
			jsonw_u64(w, "dropped", u64_at(req, "dropped"));
			jsonw_close(w);
			jsonw_double(w, "throughput_rps", num_at(r->root, "throughput_rps"), 3);
			jsonw_obj_open(w, "latency_us");
			jsonw_double(w, "p50", num_at(lat, "p50"), 3);
			jsonw_double(w, "p99", num_at(lat, "p99"), 3);
			jsonw_double(w, "max", num_at(lat, "max"), 3);
			jsonw_close(w);
		}
		jsonw_close(w);
	}
	jsonw_close(w);
	jsonw_close(w);
	json_decref(extra);
}

int load_merge(const struct merge_input *in, size_t n, struct jsonw *w, const char *key,
	       struct merge_summary *sum, struct strbuf *err)
{
	struct replica *rs = xcalloc(n ? n : 1, sizeof(*rs));
	const struct replica *first = NULL;
	const char *protocol = NULL;
	uint64_t t0 = UINT64_MAX, t_last = 0, end = 0;
	double dur;
	unsigned nmerged = 0;
	json_t *acc;
	struct hist lat;
	struct strbuf ts = STRBUF_INIT;
	int ret = -1;

	memset(sum, 0, sizeof(*sum));
	sum->nreplicas = (unsigned)n;
	for (size_t i = 0; i < n; i++) {
		rs[i].in = &in[i];
		replica_read(&rs[i], protocol);
		if (!rs[i].root)
			continue;
		if (!first) {
			first = &rs[i];
			protocol = json_string_value(
			    json_object_get(json_object_get(rs[i].root, "client"), "protocol"));
		}
		nmerged++;
		if (rs[i].start_ns < t0)
			t0 = rs[i].start_ns;
		if (rs[i].start_ns > t_last)
			t_last = rs[i].start_ns;
		uint64_t e = rs[i].start_ns + (uint64_t)llround(rs[i].duration_s * 1e9);
		if (e > end)
			end = e;
	}
	if (!first) {
		for (size_t i = 0; i < n; i++)
			error(err, "replica %zu (%s): %s", i, in[i].path, rs[i].reason);
		if (!n)
			error(err, "no result files to merge");
		goto out;
	}
	dur = (double)(end - t0) / 1e9;

	jsonw_obj_open(w, key);
	jsonw_str(w, "schema", "hpcbench.result/1");
	jsonw_obj_open(w, "tool");
	jsonw_str(w, "name", "hpcbench");
	jsonw_str(w, "version", HPCBENCH_VERSION);
	jsonw_close(w);
	write_client(rs, n, first, w);
	rfc3339_append(&ts, t0);
	jsonw_str(w, "started_at", ts.buf);
	jsonw_u64(w, "started_at_ns", t0);
	jsonw_double(w, "duration_s", dur, 6);

	for (size_t i = 0; i < n; i++) {
		const json_t *req = json_object_get(rs[i].root, "requests");
		sum->sent += u64_at(req, "sent");
		sum->ok += u64_at(req, "ok");
		sum->errors += u64_at(req, "errors");
		sum->dropped += u64_at(req, "dropped");
	}
	jsonw_obj_open(w, "requests");
	jsonw_u64(w, "sent", sum->sent);
	jsonw_u64(w, "ok", sum->ok);
	jsonw_u64(w, "errors", sum->errors);
	jsonw_u64(w, "dropped", sum->dropped);
	acc = json_object();
	sum_counters(rs, n, "requests", "errors_by_kind", acc);
	write_flat(w, "errors_by_kind", acc);
	json_decref(acc);
	acc = json_object();
	sum_counters(rs, n, "requests", "error_samples", acc);
	write_flat(w, "error_samples", acc);
	json_decref(acc);
	jsonw_close(w);

	{
		uint64_t ws = 0, wo = 0, we = 0;
		double wd = 0;
		for (size_t i = 0; i < n; i++) {
			const json_t *o = json_object_get(rs[i].root, "warmup");
			ws += u64_at(o, "sent");
			wo += u64_at(o, "ok");
			we += u64_at(o, "errors");
			if (num_at(o, "duration_s") > wd)
				wd = num_at(o, "duration_s");
		}
		jsonw_obj_open(w, "warmup");
		jsonw_double(w, "duration_s", wd, 6);
		jsonw_u64(w, "sent", ws);
		jsonw_u64(w, "ok", wo);
		jsonw_u64(w, "errors", we);
		jsonw_close(w);
	}

	jsonw_double(w, "throughput_rps", dur > 0 ? (double)sum->ok / dur : 0, 3);
	write_pcts(rs, n, w, "latency_us");
	write_pcts(rs, n, w, "service_time_us");
	write_pcts(rs, n, w, "schedule_lag_us");
	write_by_kind(rs, n, dur, w);
	write_intervals(rs, n, t0, dur, w);
	sum->skew_ms = (double)(t_last - t0) / 1e6;
	write_replicas(rs, n, nmerged, t0, sum->skew_ms, w);
	jsonw_close(w);

	sum->nmerged = nmerged;
	sum->duration_s = dur;
	if (merge_hist(rs, n, NULL, NULL, "latency_us", &lat, NULL)) {
		sum->p50_us = (double)hist_percentile(&lat, 50) / 1e3;
		sum->p99_us = (double)hist_percentile(&lat, 99) / 1e3;
		hist_release(&lat);
	}
	ret = 0;
out:
	for (size_t i = 0; i < n; i++)
		json_decref(rs[i].root);
	free(rs);
	strbuf_release(&ts);
	return ret;
}
