/*
 * A client's `parameters` checked by its load protocol's own option parser, as the job
 * would run `hpcbench load PROTOCOL ... --OPTION VALUE` (issue 14): a value the protocol
 * refuses (`ratio: "x"`, `method: "GE T"`) fails `validate` and `run` before anything
 * is submitted, not inside the job after the queue wait. Owned by src/service/.
 */
#ifndef HPCBENCH_SERVICE_CLIENT_PARAMS_H
#define HPCBENCH_SERVICE_CLIENT_PARAMS_H

#include "common/strbuf.h"

struct client_spec;

/*
 * Runs every parameter that maps to a load option (type_key.option) through the
 * protocol's option hook or the core option parser; each value of a sweep list is
 * checked alone. Skipped: secrets (TK_SECRET), job-side paths (TK_PATH), flags, values
 * naming shell variables ($X, expanded in the job) and keys the type maps itself.
 * Appends "FILE:LINE:COL: parameters.KEY: reason" per refused value; returns the count.
 */
unsigned client_params_check(const struct client_spec *c, struct strbuf *err);

#endif
