/* Recipes through loading, validation and rendering, as `validate`, `render` and `run`
 * take them (src/recipe/, src/script/), with the default config. */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config/config.h"
#include "fuzz/fuzz.h"
#include "fuzz/fuzz-file.h"
#include "recipe/recipe.h"
#include "script/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	char path[64];
	int fd = fuzz_file(data, size, path, sizeof(path));
	struct config *cfg = fuzz_default_config();
	struct recipe *r = recipe_load(path, cfg, &err);
	if (r) {
		fuzz_render(r, cfg, &err);
		recipe_free(r);
	}
	config_free(cfg);
	close(fd);
	strbuf_release(&err);
	return 0;
}
