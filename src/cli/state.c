#include "cli/state.h"

#include <stdlib.h>

#include "cli/cli.h"
#include "common/strbuf.h"
#include "store/store.h"

struct store *cli_store_open(void)
{
	struct strbuf err = STRBUF_INIT;
	char *path = store_default_path();
	struct store *st = store_open(path, &err);
	if (!st)
		cli_print_errors(err.buf);
	strbuf_release(&err);
	free(path);
	return st;
}
