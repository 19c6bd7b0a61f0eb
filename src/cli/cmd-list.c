/* hpcbench list services|clients : the registered types with a one-line description. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/error.h"
#include "service/service.h"

extern const struct cmd_entry cmd_list_entry;

static int cmd_list_exec(int argc, char **argv, struct cli_ctx *ctx)
{
	(void)ctx;
	if (argc != 2)
		return cli_usage_error(&cmd_list_entry,
				       argc < 2 ? "say what to list: services or "
						  "clients"
						: "unexpected argument '%s'",
				       argc < 2 ? "" : argv[2]);
	if (!strcmp(argv[1], "services")) {
		for (size_t i = 0; service_types[i]; i++)
			printf("%s  %s\n", service_types[i]->name, service_types[i]->description);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "clients")) {
		for (size_t i = 0; client_types[i]; i++)
			printf("%s  %s\n", client_types[i]->name, client_types[i]->description);
		return EXIT_OK;
	}
	return cli_usage_error(&cmd_list_entry, "cannot list '%s' (services or clients)", argv[1]);
}

const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.usage = "list services|clients",
	.summary = "list the service or client types, one per line with a description",
	.help = "Prints one registered type per line: its name, two spaces, a description.\n"
		"Service types are what a recipe's service 'type' (or 'name') selects; client\n"
		"types are the 'hpcbench load' protocols a client's 'type' (or its target's\n"
		"name: ollama -> llm, mysql -> sql) selects. Keys: docs/service-types.md.\n"
		"\n"
		"examples:\n"
		"  hpcbench list services\n"
		"  hpcbench list clients | cut -d' ' -f1\n",
	.exec = cmd_list_exec,
};
