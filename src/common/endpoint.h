/*
 * The shape of a target endpoint as users give it (`run --target-endpoint`, a client's
 * `endpoint:`): "SCHEME://HOST[:PORT][/PATH]" or "HOST:PORT". Checked before anything is
 * submitted, so that a typo is exit 2 at once rather than a failed job after the queue.
 * Owned by src/common/.
 */
#ifndef HPCBENCH_COMMON_ENDPOINT_H
#define HPCBENCH_COMMON_ENDPOINT_H

#include "common/strbuf.h"

/* Returns 0 when ep has that shape, else -1 with "reason (expected ...)" in err. */
int endpoint_check(const char *ep, struct strbuf *err);

#endif
