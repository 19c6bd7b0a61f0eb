/* What SLURM's commands print (src/exec/slurm-parse.c): the first byte picks sbatch
 * --parsable, squeue, sacct, the job state file, a hostlist or an exit code. */
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"
#include "exec/slurm-parse.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	struct slurm_rows rows = { 0 };
	char *text, *id = NULL, *cluster = NULL, *reason = NULL, *host;
	enum job_state st;
	int code;

	if (!size)
		return 0;
	text = xstrndup((const char *)data + 1, size - 1); /* the commands' output is text */
	switch (data[0] % 6) {
	case 0:
		if (!slurm_parse_sbatch(text, &id, &cluster, &err) && !id)
			__builtin_trap();
		break;
	case 1:
		slurm_parse_squeue(text, &rows, &err);
		for (size_t i = 0; i < rows.nr; i++)
			slurm_rows_find(&rows, rows.items[i].id);
		break;
	case 2:
		slurm_parse_sacct(text, &rows, &err);
		break;
	case 3:
		slurm_parse_state_file(text, &st, &code, &reason);
		break;
	case 4:
		host = slurm_hostlist_first(text);
		free(host);
		break;
	case 5:
		slurm_parse_exit(text, 1);
		slurm_parse_exit(text, 0);
		slurm_state_map(text, NULL);
		break;
	}
	slurm_rows_release(&rows);
	free(id);
	free(cluster);
	free(reason);
	free(text);
	strbuf_release(&err);
	return 0;
}
