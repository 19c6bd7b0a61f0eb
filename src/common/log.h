/* Progress and diagnostics on stderr. Only the CLI layer and long-running loops log. */
#ifndef HPCBENCH_COMMON_LOG_H
#define HPCBENCH_COMMON_LOG_H

extern int log_verbose; /* set by -v */

/* Always printed, prefixed "hpcbench: warning: ". (Errors go back to the CLI layer,
 * which prints them: cli_print_errors.) */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress: printed only when stderr is a terminal, or with -v. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Always printed, without a prefix: what a wait of more than a second is waiting for. */
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Printed only with -v. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* True when stderr is a terminal (progress lines may be redrawn). */
int log_stderr_is_tty(void);

#endif
