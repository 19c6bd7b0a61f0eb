/* Clocks: monotonic for measuring, wall clock only for timestamps shown to people. */
#ifndef HPCBENCH_COMMON_TIMEUTIL_H
#define HPCBENCH_COMMON_TIMEUTIL_H

#include <stdint.h>
#include <time.h>

#include "common/strbuf.h"

/* CLOCK_MONOTONIC in nanoseconds. */
static inline uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CLOCK_REALTIME in nanoseconds since the epoch. */
uint64_t wall_ns(void);
/* Appends an RFC 3339 UTC timestamp with milliseconds, e.g. 2026-11-29T14:19:31.123Z. */
void rfc3339_append(struct strbuf *sb, uint64_t wall_ns_value);
/* Sleeps for us microseconds, resuming after signals. */
void sleep_us(uint64_t us);

#endif
