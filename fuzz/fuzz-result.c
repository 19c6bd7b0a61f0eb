/* The result reader behind `results`, `run`'s table and summary.json
 * (summary_parse_result in src/session/summary.c). */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "session/summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct summary_result *r = calloc(1, sizeof(*r));
	if (!r)
		return 0;
	r->file = strdup("bench_00000001/result-3.json"); /* a sweep point's name, as in a run */
	summary_parse_result(r, (const char *)data, size);
	summary_results_free(r, 1);
	return 0;
}
