/* The config file (src/config/), then a recipe rendered with it: the config's
 * defaults (partition, account, modules, container settings) end up in job scripts. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "fuzz/fuzz.h"
#include "fuzz/fuzz-file.h"
#include "recipe/recipe.h"
#include "script/render.h"

static const char recipe_text[] = "services:\n"
				  "  - name: cache\n"
				  "    type: redis\n"
				  "    runtime: apptainer\n"
				  "    resources: {nodes: 1, mem: 4G, time: \"00:10:00\"}\n"
				  "clients:\n"
				  "  - name: bench\n"
				  "    type: redis\n"
				  "    target_service: {name: cache}\n"
				  "    parameters: {requests: 100, clients: 2}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	char cpath[64], rpath[64];
	int cfd = fuzz_file(data, size, cpath, sizeof(cpath));
	int rfd =
	    fuzz_file((const uint8_t *)recipe_text, strlen(recipe_text), rpath, sizeof(rpath));
	struct config *cfg = config_load(cpath, &err);
	if (cfg) {
		struct recipe *r = recipe_load(rpath, cfg, &err);
		if (!r)
			__builtin_trap(); /* the recipe is valid whatever the config says */
		fuzz_render(r, cfg, &err);
		recipe_free(r);
	}
	config_free(cfg);
	close(cfd);
	close(rfd);
	strbuf_release(&err);
	return 0;
}
