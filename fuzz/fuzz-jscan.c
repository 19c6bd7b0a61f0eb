/* The JSON scanner (src/common/jscan.c) and its number and string helpers. */
#include <string.h>

#include "common/jscan.h"
#include "fuzz/fuzz.h"

static void visit(void *ctx, const struct jscan_value *v)
{
	uint64_t u;
	double d;
	(void)ctx;
	if (strlen(v->path) != v->path_len || v->path_len > JSCAN_MAX_PATH)
		__builtin_trap();
	if (v->type == JSCAN_NUMBER) {
		jscan_u64(v->val, v->len, &u);
		jscan_double(v->val, v->len, &d);
	} else if (v->type == JSCAN_STRING) {
		if (jscan_strlen(v->val, v->len) > v->len)
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jscan((const char *)data, size, visit, NULL);
	return 0;
}
