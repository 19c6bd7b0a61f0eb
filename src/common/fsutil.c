#include "common/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/xalloc.h"

int read_file(const char *path, struct strbuf *sb, struct strbuf *err)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error(err, "%s: cannot open: %s", path, strerror(errno));
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			return error(err, "%s: read error: %s", path, strerror(e));
		}
		strbuf_add(sb, buf, (size_t)n);
	}
	close(fd);
	return 0;
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

const char *home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;
	if (h && *h)
		return h;
	pw = getpwuid(getuid());
	return pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
}

char *xdg_hpcbench_dir(const char *var, const char *fallback)
{
	const char *xdg = getenv(var), *home = home_dir();
	if (xdg && *xdg == '/')
		return xasprintf("%s/hpcbench", xdg);
	return xasprintf("%s/%s/hpcbench", home ? home : ".", fallback);
}
