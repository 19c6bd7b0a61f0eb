#include "common/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/xalloc.h"

int open_regular(const char *path, const char *what, struct strbuf *err)
{
	struct stat st;
	/* O_NONBLOCK: opening a FIFO with no writer must not hang before fstat refuses it. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return error(err, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return error(err, "%s: cannot stat: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return error(err, "%s: not a regular file (a %s must be a file, not %s)", path,
			     what,
			     S_ISDIR(st.st_mode)    ? "a folder"
			     : S_ISFIFO(st.st_mode) ? "a pipe"
			     : S_ISSOCK(st.st_mode) ? "a socket"
						    : "a device");
	}
	/* Regular files never block; clear the flag so reads behave as usual. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

/* "1 MiB", "64 KiB", or bytes: how caps are written in messages and docs/limits.md. */
static void add_size(struct strbuf *sb, size_t n)
{
	if (n >= (1u << 20) && !(n % (1u << 20)))
		strbuf_addf(sb, "%zu MiB", n >> 20);
	else if (n >= 1024 && !(n % 1024))
		strbuf_addf(sb, "%zu KiB", n >> 10);
	else
		strbuf_addf(sb, "%zu bytes", n);
}

static int too_big(const char *path, const char *what, size_t max, struct strbuf *err)
{
	struct strbuf cap = STRBUF_INIT;
	add_size(&cap, max);
	error(err, "%s: larger than the %s limit for a %s (docs/limits.md)", path, cap.buf, what);
	strbuf_release(&cap);
	return -1;
}

int read_file_max(const char *path, struct strbuf *sb, size_t max, const char *what,
		  struct strbuf *err)
{
	char buf[65536];
	size_t start = sb->len, got = 0;
	ssize_t n;
	struct stat st;
	int fd = open_regular(path, what, err);
	if (fd < 0)
		return -1;
	if (!fstat(fd, &st) && (uint64_t)st.st_size > max) {
		close(fd);
		return too_big(path, what, max, err);
	}
	/* The size may change under us (or be 0, as in /proc): the count read decides. */
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			strbuf_setlen(sb, start);
			return error(err, "%s: read error: %s", path, strerror(e));
		}
		got += (size_t)n;
		if (got > max) {
			close(fd);
			strbuf_setlen(sb, start);
			return too_big(path, what, max, err);
		}
		strbuf_add(sb, buf, (size_t)n);
	}
	close(fd);
	return 0;
}

int read_file(const char *path, struct strbuf *sb, struct strbuf *err)
{
	return read_file_max(path, sb, FILE_MAX_DEFAULT, "file", err);
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
		      struct strbuf *err)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	const char *p = data;
	int ret = -1;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		error(err, "%s: cannot create: %s", tmp, strerror(errno));
		goto out;
	}
	if (fchmod(fd, mode) < 0) { /* umask must not widen or narrow what we asked */
		error(err, "%s: chmod: %s", tmp, strerror(errno));
		goto out_close;
	}
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			error(err, "%s: write error: %s", tmp, strerror(errno));
			goto out_close;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0) {
		error(err, "%s: fsync: %s", tmp, strerror(errno));
		goto out_close;
	}
	if (close(fd) < 0) {
		fd = -1;
		error(err, "%s: close: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		error(err, "%s: rename: %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out_close:
	if (fd >= 0)
		close(fd);
out:
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

int write_file_mkdirs(const char *path, const void *data, size_t len, mode_t mode,
		      struct strbuf *err)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int ret = 0;
	if (slash && slash != dir) {
		*slash = '\0';
		ret = mkdir_p(dir, 0755, err);
	}
	free(dir);
	return ret < 0 ? -1 : write_file_atomic(path, data, len, mode, err);
}

int mkdir_p(const char *path, mode_t mode, struct strbuf *err)
{
	char *copy = xstrdup(path);
	int ret = 0;
	for (char *p = copy + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(copy, mode) < 0 && errno != EEXIST) {
				ret = error(err, "%s: cannot create folder: %s", copy,
					    strerror(errno));
				break;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	free(copy);
	return ret;
}

int path_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

char *self_exe_path(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}
