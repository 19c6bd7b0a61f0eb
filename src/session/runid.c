#include "session/runid.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "common/fsutil.h"
#include "common/xalloc.h"
#include "exec/executor.h"

char *run_id_new(void)
{
	uint16_t bits = 0;
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];
	if (getrandom(&bits, sizeof(bits), 0) != sizeof(bits))
		bits = (uint16_t)(getpid() ^ (uint16_t)now);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	return xasprintf("%s-%04x", stamp, (unsigned)bits);
}

int run_id_valid(const char *s)
{
	static const char shape[] = "dddddddd-dddddd-xxxx";
	if (strlen(s) != sizeof(shape) - 1)
		return 0;
	for (size_t i = 0; shape[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (shape[i] == 'd'   ? !isdigit(c)
		    : shape[i] == 'x' ? !isxdigit(c) || isupper(c)
				      : c != (unsigned char)shape[i])
			return 0;
	}
	return 1;
}

char *run_dir_path(const char *workdir, unsigned caps, const char *home, const char *run_id,
		   struct strbuf *err)
{
	char *dir, *path = NULL;
	if (workdir)
		dir = xstrdup(workdir);
	else if (caps & EXEC_SHARES_FS)
		dir = xdg_hpcbench_dir("XDG_STATE_HOME", ".local/state");
	else
		dir = xasprintf("%s/hpcbench", home ? home : ".");
	if (dir[0] != '/')
		error(err, "workdir '%s' is not an absolute path", dir);
	else
		path = xasprintf("%s/runs/%s", dir, run_id);
	free(dir);
	return path;
}
