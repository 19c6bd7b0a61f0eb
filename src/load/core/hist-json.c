#include "load/core/hist-json.h"

#include <math.h>
#include <string.h>

void hist_json_write(struct jsonw *w, const char *key, const struct hist *h)
{
	jsonw_obj_open(w, key);
	jsonw_str(w, "unit", "ns");
	jsonw_u64(w, "sub_bits", h->sub_bits);
	jsonw_u64(w, "total", h->total);
	jsonw_u64(w, "above", h->above);
	jsonw_u64(w, "min", h->total ? h->min : 0);
	jsonw_u64(w, "max", h->max);
	jsonw_double(w, "sum", h->sum, 0);
	jsonw_arr_open(w, "buckets");
	for (unsigned i = 0; i < h->nslots; i++) {
		if (!h->counts[i])
			continue;
		jsonw_arr_open(w, NULL);
		jsonw_u64(w, NULL, hist_slot_high(h->sub_bits, i));
		jsonw_u64(w, NULL, h->counts[i]);
		jsonw_close(w);
	}
	jsonw_close(w);
	jsonw_close(w);
}

/* A non-negative integer field of obj (JSON integer, or a real with no fraction). */
static int get_u64(const json_t *obj, const char *key, uint64_t *out)
{
	const json_t *v = json_object_get(obj, key);
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d >= 0 && d < 18446744073709551616.0 && d == floor(d)) {
			*out = (uint64_t)d;
			return 0;
		}
	}
	return -1;
}

static int read_buckets(const json_t *buckets, struct hist *h, uint64_t *counted, const char **why)
{
	size_t i;
	const json_t *b;
	uint64_t prev = 0;

	json_array_foreach(buckets, i, b)
	{
		const json_t *jv = json_array_get(b, 0), *jc = json_array_get(b, 1);
		if (!json_is_array(b) || json_array_size(b) != 2 || !json_is_integer(jv) ||
		    !json_is_integer(jc) || json_integer_value(jv) < 0 ||
		    json_integer_value(jc) < 0) {
			*why = "a bucket is not [value, count] with non-negative integers";
			return -1;
		}
		uint64_t v = (uint64_t)json_integer_value(jv);
		if (v >> HIST_RANGE_BITS) {
			*why = "a bucket value is past the histogram's range";
			return -1;
		}
		unsigned slot = hist_slot(h->sub_bits, v);
		if (hist_slot_high(h->sub_bits, slot) != v || (i && v <= prev)) {
			*why = "bucket values are not ascending slot boundaries of this layout";
			return -1;
		}
		prev = v;
		h->counts[slot] = (uint64_t)json_integer_value(jc);
		*counted += h->counts[slot];
	}
	return 0;
}

int hist_json_read(const json_t *obj, struct hist *out, const char **why)
{
	uint64_t sub_bits, total, above, min, max, counted = 0;
	const json_t *buckets = json_object_get(obj, "buckets");
	const json_t *sum = json_object_get(obj, "sum");
	const json_t *unit = json_object_get(obj, "unit");

	memset(out, 0, sizeof(*out));
	out->min = UINT64_MAX;
	if (!json_is_object(obj) || get_u64(obj, "sub_bits", &sub_bits) ||
	    get_u64(obj, "total", &total) || get_u64(obj, "above", &above) ||
	    get_u64(obj, "min", &min) || get_u64(obj, "max", &max) || !json_is_number(sum) ||
	    !json_is_array(buckets) || !json_is_string(unit)) {
		*why = "not a histogram object (unit, sub_bits, total, above, min, max, sum, "
		       "buckets)";
		return -1;
	}
	if (strcmp(json_string_value(unit), "ns") != 0) {
		*why = "histogram unit is not ns";
		return -1;
	}
	if (sub_bits != HIST_PRECISE_BITS && sub_bits != HIST_COARSE_BITS) {
		*why = "histogram sub_bits is not one this build records (7 or 11)";
		return -1;
	}
	hist_init(out, (unsigned)sub_bits);
	if (read_buckets(buckets, out, &counted, why))
		goto bad;
	if (counted + above != total || (total && (min > max))) {
		*why = "histogram bucket counts do not add up to its total";
		goto bad;
	}
	out->total = total;
	out->above = above;
	out->min = total ? min : UINT64_MAX;
	out->max = max;
	out->sum = json_number_value(sum);
	return 0;
bad:
	hist_release(out);
	return -1;
}
