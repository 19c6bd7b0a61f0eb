/* Parsing of durations, sizes and SLURM time limits, as written by users. */
#ifndef HPCBENCH_COMMON_UNITS_H
#define HPCBENCH_COMMON_UNITS_H

#include <stdint.h>

/*
 * "250us", "500ms", "10s", "5m", "2h", or a bare number of seconds ("30", "1.5").
 * Stores microseconds. Returns 0, or -1 if s is not a duration.
 */
int parse_duration_us(const char *s, uint64_t *out_us);

/*
 * Memory sizes as SLURM and humans write them: "4GB", "4G", "512M", "512MB", "1024K",
 * "2T", bare number = megabytes (SLURM's default unit). Binary multiples (1G = 1024M).
 * Stores megabytes, rounded up. Returns 0 or -1 (also above MEM_MAX_MB: the
 * conversion to an integer must never overflow).
 */
#define MEM_MAX_MB (1ull << 30) /* 1024T: more than any node has */
int parse_mem_mb(const char *s, uint64_t *out_mb);

/* Byte counts: "256", "4k", "1M", "1KiB" (binary multiples). Returns 0 or -1. */
int parse_bytes(const char *s, uint64_t *out);

/*
 * SLURM --time formats: "MM", "MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM", "D-HH:MM:SS",
 * and "UNLIMITED"/"INFINITE" (stores UINT64_MAX). Stores seconds. Returns 0 or -1.
 */
int parse_slurm_time(const char *s, uint64_t *out_s);

/* Unsigned integer in [min, max], whole string. Returns 0 or -1. */
int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

#endif
