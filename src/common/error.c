#include "common/error.h"

#include <stdarg.h>

int error(struct strbuf *err, const char *fmt, ...)
{
	va_list ap;
	if (!err)
		return -1;
	if (err->len && err->buf[err->len - 1] != '\n')
		strbuf_addch(err, '\n');
	va_start(ap, fmt);
	strbuf_vaddf(err, fmt, ap);
	va_end(ap);
	return -1;
}
