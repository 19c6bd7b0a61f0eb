/*
 * Errors in library code: never print, never exit. A function that fails appends
 * one lowercase line to the caller's error buffer and returns -1:
 *
 *     if (!f)
 *         return error(err, "%s: cannot open: %s", path, strerror(errno));
 *
 * Several errors may be collected in one buffer, one per line (recipe validation).
 */
#ifndef HPCBENCH_COMMON_ERROR_H
#define HPCBENCH_COMMON_ERROR_H

#include "common/strbuf.h"

/* Appends fmt (and a newline separator if err already holds a message); returns -1. */
int error(struct strbuf *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Exit codes of the CLI (docs/cli.md). */
enum exit_code {
	EXIT_OK = 0,
	EXIT_FAILED = 1,      /* the work failed: never ready, SLO missed, request errors */
	EXIT_USAGE = 2,	      /* bad usage or bad input: recipe, config, arguments */
	EXIT_UNREACHABLE = 3, /* the cluster could not be reached: ssh, sbatch */
};

#endif
