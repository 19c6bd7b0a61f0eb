/* render_plan: one job per service, monitor and client of a recipe. */
#include "script/render.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/error.h"
#include "common/xalloc.h"
#include "recipe/recipe.h"
#include "script/client-job.h"
#include "script/jobparts.h"
#include "script/service-job.h"

/* splitmix64: deterministic ids from a seed. */
static uint64_t next_id_bits(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* NAME_XXXXXXXX with the name reduced to [A-Za-z0-9_.-] so that it is a safe path. */
static char *make_job_id(const char *name, uint64_t *seed_state, int seeded)
{
	struct strbuf sb = STRBUF_INIT;
	uint32_t bits;
	for (const char *p = name; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		strbuf_addch(&sb, isalnum(ch) || ch == '_' || ch == '-' || ch == '.' ? ch : '_');
	}
	if (!sb.len || sb.buf[0] == '.')
		strbuf_addstr(&sb, "job");
	if (seeded) {
		bits = (uint32_t)next_id_bits(seed_state);
	} else if (getrandom(&bits, sizeof(bits), 0) != sizeof(bits)) {
		uint64_t t = (uint64_t)(uintptr_t)&bits ^ (uint64_t)rand();
		bits = (uint32_t)next_id_bits(&t);
	}
	strbuf_addf(&sb, "_%08x", bits);
	return strbuf_detach(&sb, NULL);
}

static struct job *plan_add(struct job_plan *plan, enum job_kind kind, const char *name,
			    const struct render_opts *o, uint64_t *seed_state)
{
	struct job *job;
	plan->jobs = xrealloc(plan->jobs, (plan->nr + 1) * sizeof(*plan->jobs));
	job = &plan->jobs[plan->nr++];
	memset(job, 0, sizeof(*job));
	job->kind = kind;
	job->name = xstrdup(name);
	for (;;) {
		int dup = 0;
		job->id = make_job_id(name, seed_state, o->id_seed != 0);
		for (size_t i = 0; i + 1 < plan->nr; i++)
			dup |= !strcmp(plan->jobs[i].id, job->id);
		if (!dup)
			break;
		free(job->id);
	}
	job->slurm_name = xasprintf("hb-%s-%s", o->run_id, job->id);
	job->depends_on = -1;
	return job;
}

int render_plan(const struct recipe *r, const struct render_opts *o, struct job_plan *plan,
		struct strbuf *err)
{
	uint64_t seed = o->id_seed;
	int ret = 0;

	memset(plan, 0, sizeof(*plan));
	if (!o->run_id || !*o->run_id || !o->run_dir || o->run_dir[0] != '/')
		return error(err, "render: a run id and an absolute run folder are required");
	/* #SBATCH lines take the folder literally: no quoting, no expansion there. */
	if (strpbrk(o->run_dir, " \t\n'\"$`\\") || strpbrk(o->run_id, " \t\n'\"$`\\/"))
		return error(err,
			     "render: the run folder '%s' and run id '%s' must not hold "
			     "spaces, quotes, '$', '`' or '\\'",
			     o->run_dir, o->run_id);
	/* Every job gets its id first: a job may refer to any other (client -> service). */
	for (size_t i = 0; i < r->nr_services; i++)
		plan_add(plan, JOB_SERVICE, r->services[i].name, o, &seed)->service =
		    &r->services[i];
	if (r->monitoring)
		plan_add(plan, JOB_MONITOR, r->monitoring->name, o, &seed)->service = r->monitoring;
	for (size_t i = 0; i < r->nr_clients; i++)
		plan_add(plan, JOB_CLIENT, r->clients[i].name, o, &seed)->client = &r->clients[i];

	for (size_t i = 0; i < plan->nr; i++) {
		struct job *job = &plan->jobs[i];
		if (job->kind == JOB_CLIENT) {
			job->time_limit_s = job_time_limit(&job->client->resources, o->cfg);
			if (render_client(r, job->client, o, plan, job, err))
				ret = -1;
		} else {
			job->time_limit_s = job_time_limit(&job->service->resources, o->cfg);
			if (render_service(r, job->service, o, plan, job, err))
				ret = -1;
		}
	}
	if (ret)
		job_plan_release(plan);
	return ret;
}

void job_plan_release(struct job_plan *plan)
{
	for (size_t i = 0; i < plan->nr; i++) {
		struct job *job = &plan->jobs[i];
		free(job->id);
		free(job->name);
		free(job->slurm_name);
		free(job->script);
		for (size_t k = 0; k < job->nr_files; k++) {
			free(job->files[k].name);
			free(job->files[k].content);
		}
		free(job->files);
	}
	free(plan->jobs);
	plan->jobs = NULL;
	plan->nr = 0;
}
