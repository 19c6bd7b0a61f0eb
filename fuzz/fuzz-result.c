/* The result reader behind `results`, `run`'s table and summary.json
 * (summary_parse_result in src/session/summary.c). */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "session/summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct summary_result r;
	memset(&r, 0, sizeof(r));
	summary_parse_result(&r, (const char *)data, size);
	return 0;
}
