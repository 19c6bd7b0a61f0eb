/* Files for the targets that read paths (recipes, configs): the input in a memfd. */
#ifndef HPCBENCH_FUZZ_FUZZ_FILE_H
#define HPCBENCH_FUZZ_FUZZ_FILE_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config/config.h"
#include "recipe/recipe.h"
#include "script/render.h"

/* A memfd holding data; its /proc/self/fd path in path. Returns the fd (close it). */
static inline int fuzz_file(const uint8_t *data, size_t size, char *path, size_t cap)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	snprintf(path, cap, "/proc/self/fd/%d", fd);
	return fd;
}

/* The config used when none is given (an empty file: every default). */
static inline struct config *fuzz_default_config(void)
{
	struct strbuf err = STRBUF_INIT;
	char path[64];
	int fd = fuzz_file((const uint8_t *)"", 0, path, sizeof(path));
	struct config *cfg = config_load(path, &err);
	if (!cfg || err.len)
		abort();
	close(fd);
	strbuf_release(&err);
	return cfg;
}

/* Renders every job of r in memory, as `validate` does. */
static inline void fuzz_render(const struct recipe *r, const struct config *cfg, struct strbuf *err)
{
	struct render_opts o = {
		.run_id = "fuzz",
		.run_dir = "/fuzz",
		.hpcbench_bin = "hpcbench",
		.cfg = cfg,
		.id_seed = 1,
	};
	struct job_plan plan;
	render_plan(r, &o, &plan, err);
	job_plan_release(&plan);
}

#endif
