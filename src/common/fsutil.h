/* File helpers: whole-file reads, atomic writes (temp name + rename), mkdir -p. */
#ifndef HPCBENCH_COMMON_FSUTIL_H
#define HPCBENCH_COMMON_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "common/strbuf.h"

/*
 * Caps on what each kind of file hpcbench reads whole may hold (docs/limits.md). A file
 * over its cap is an error, never read in part; none is read into memory unbounded.
 */
#define FILE_MAX_RECIPE (1u << 20)	  /* recipes, and files they name (script:) */
#define FILE_MAX_CONFIG (1u << 20)	  /* config.yaml */
#define FILE_MAX_SECRET (64u << 10)	  /* passwords, api keys (--auth, --api-key-file) */
#define FILE_MAX_BODY (64u << 20)	  /* request bodies (load http --body @FILE) */
#define FILE_MAX_DATASET_LINE (16u << 20) /* one line of a JSONL dataset (streamed) */
#define FILE_MAX_DEFAULT (256u << 20)	  /* everything else: results, state, logs */

/*
 * Appends the whole of the regular file at path to sb, at most max bytes. what names the
 * kind of file in messages ("recipe", "secret"). Non-regular files (a device such as
 * /dev/zero, a FIFO, a folder) are refused before a byte is read: they may never end.
 * Returns 0, or -1 with "PATH: reason" in err (and sb as it was).
 */
int read_file_max(const char *path, struct strbuf *sb, size_t max, const char *what,
		  struct strbuf *err);
/* read_file_max() with FILE_MAX_DEFAULT, for files hpcbench wrote itself. */
int read_file(const char *path, struct strbuf *sb, struct strbuf *err);
/*
 * Opens path for reading as a stream (a dataset read line by line): only a regular file
 * is accepted. Returns the fd, or -1 with a reason in err.
 */
int open_regular(const char *path, const char *what, struct strbuf *err);
/*
 * Writes data to path atomically: a temporary file in the same folder, fsync, rename.
 * A reader sees the old file or the new one, never half of it. mode e.g. 0644 or 0600.
 */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
		      struct strbuf *err);
/* write_file_atomic() after creating the folders leading to path (mkdir -p, 0755). */
int write_file_mkdirs(const char *path, const void *data, size_t len, mode_t mode,
		      struct strbuf *err);

/* mkdir -p with mode for the folders it creates. */
int mkdir_p(const char *path, mode_t mode, struct strbuf *err);
/* True if path exists. */
int path_exists(const char *path);
/* Absolute path of the running executable (/proc/self/exe); caller frees. NULL on failure. */
char *self_exe_path(void);

#endif
