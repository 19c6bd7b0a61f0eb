#include "common/units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Parses a non-negative decimal number prefix; returns the rest in *rest. */
static int parse_number(const char *s, double *v, const char **rest)
{
	char *end;
	if (!s || !(isdigit((unsigned char)*s) || *s == '.'))
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	if (errno || end == s || !isfinite(*v) || *v < 0)
		return -1;
	*rest = end;
	return 0;
}

int parse_duration_us(const char *s, uint64_t *out_us)
{
	static const struct {
		const char *suffix;
		double us;
	} units[] = {
		{ "", 1e6 },   { "us", 1 },	{ "ms", 1e3 },	 { "s", 1e6 },
		{ "m", 60e6 }, { "min", 60e6 }, { "h", 3600e6 },
	};
	double v;
	const char *rest;
	if (parse_number(s, &v, &rest))
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(rest, units[i].suffix)) {
			double us = v * units[i].us;
			if (us > 1e18)
				return -1;
			*out_us = (uint64_t)llround(us);
			return 0;
		}
	}
	return -1;
}

/* Multiplier for a size suffix in units of `base` bytes; 0 if unknown. */
static double size_suffix(const char *rest, double none)
{
	static const struct {
		const char *suffix;
		double mult;
	} units[] = {
		{ "b", 1 },
		{ "k", 1024.0 },
		{ "kb", 1024.0 },
		{ "kib", 1024.0 },
		{ "m", 1048576.0 },
		{ "mb", 1048576.0 },
		{ "mib", 1048576.0 },
		{ "g", 1073741824.0 },
		{ "gb", 1073741824.0 },
		{ "gib", 1073741824.0 },
		{ "t", 1099511627776.0 },
		{ "tb", 1099511627776.0 },
		{ "tib", 1099511627776.0 },
	};
	if (!*rest)
		return none;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcasecmp(rest, units[i].suffix))
			return units[i].mult;
	return 0;
}

int parse_mem_mb(const char *s, uint64_t *out_mb)
{
	double v, mult;
	const char *rest;
	if (parse_number(s, &v, &rest))
		return -1;
	mult = size_suffix(rest, 1048576.0);
	if (mult == 0 || v == 0 || v * mult / 1048576.0 > (double)MEM_MAX_MB)
		return -1;
	*out_mb = (uint64_t)ceil(v * mult / 1048576.0);
	return 0;
}

int parse_bytes(const char *s, uint64_t *out)
{
	double v, mult;
	const char *rest;
	if (parse_number(s, &v, &rest))
		return -1;
	mult = size_suffix(rest, 1.0);
	if (mult == 0 || v * mult > 1e18)
		return -1;
	*out = (uint64_t)llround(v * mult);
	return 0;
}

/* Reads up to 3 colon-separated unsigned fields. Returns the count, or -1. */
static int colon_fields(const char *s, uint64_t f[3])
{
	int n = 0;
	while (n < 3) {
		char *end;
		if (!isdigit((unsigned char)*s))
			return -1;
		f[n++] = strtoull(s, &end, 10);
		if (!*end)
			return n;
		if (*end != ':')
			return -1;
		s = end + 1;
	}
	return -1;
}

int parse_slurm_time(const char *s, uint64_t *out_s)
{
	uint64_t f[3], days = 0;
	const char *dash;
	int n;
	if (!s || !*s)
		return -1;
	if (!strcasecmp(s, "UNLIMITED") || !strcasecmp(s, "INFINITE")) {
		*out_s = UINT64_MAX;
		return 0;
	}
	dash = strchr(s, '-');
	if (dash) {
		char *end;
		if (!isdigit((unsigned char)*s))
			return -1;
		days = strtoull(s, &end, 10);
		if (end != dash)
			return -1;
		n = colon_fields(dash + 1, f);
		if (n < 1)
			return -1;
		/* D-HH, D-HH:MM, D-HH:MM:SS */
		uint64_t h = f[0], m = n > 1 ? f[1] : 0, sec = n > 2 ? f[2] : 0;
		if (h > 23 || m > 59 || sec > 59)
			return -1;
		*out_s = days * 86400 + h * 3600 + m * 60 + sec;
		return 0;
	}
	n = colon_fields(s, f);
	switch (n) {
	case 1: /* minutes */
		*out_s = f[0] * 60;
		return 0;
	case 2: /* MM:SS */
		if (f[1] > 59)
			return -1;
		*out_s = f[0] * 60 + f[1];
		return 0;
	case 3: /* HH:MM:SS */
		if (f[1] > 59 || f[2] > 59)
			return -1;
		*out_s = f[0] * 3600 + f[1] * 60 + f[2];
		return 0;
	default:
		return -1;
	}
}
