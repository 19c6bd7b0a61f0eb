/* File helpers: whole-file reads, atomic writes (temp name + rename), mkdir -p. */
#ifndef HPCBENCH_COMMON_FSUTIL_H
#define HPCBENCH_COMMON_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "common/strbuf.h"

/* Appends the whole file to sb. Returns 0, or -1 with a reason in err. */
int read_file(const char *path, struct strbuf *sb, struct strbuf *err);
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
/*
 * The home folder of the user running hpcbench: $HOME when set and not empty, else the
 * password database's, else NULL. The one lookup every module uses (config, state
 * database, run folders, executors); the string is the environment's or libc's.
 */
const char *home_dir(void);
/*
 * An XDG base folder with "/hpcbench" appended: $var when it is an absolute path (the
 * spec ignores a relative one), else HOME/fallback ("~/.local/state", "~/.config"
 * without the "~/"), else ./fallback. Caller frees.
 */
char *xdg_hpcbench_dir(const char *var, const char *fallback);
/* Absolute path of the running executable (/proc/self/exe); caller frees. NULL on failure. */
char *self_exe_path(void);

#endif
