#include "session/runid.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "common/xalloc.h"

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
