/* hpcbench version */
#include <stdio.h>

#include "cli/cli.h"
#include "common/error.h"
#include "common/version.h"

extern const struct cmd_entry cmd_version_entry;

static int cmd_version_exec(int argc, char **argv, struct cli_ctx *ctx)
{
	(void)ctx;
	if (argc > 1)
		return cli_usage_error(&cmd_version_entry, "unexpected argument '%s'", argv[1]);
	printf("hpcbench %s\n", HPCBENCH_VERSION);
	return EXIT_OK;
}

const struct cmd_entry cmd_version_entry = {
	.name = "version",
	.usage = "version",
	.summary = "print the version",
	.help = "Prints 'hpcbench VERSION'. The result files record the same version.\n",
	.exec = cmd_version_exec,
};
