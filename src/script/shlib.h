/*
 * Bash function libraries embedded in rendered job scripts, each shellcheck-clean on
 * its own. Owned by src/script/. Static strings.
 */
#ifndef HPCBENCH_SCRIPT_SHLIB_H
#define HPCBENCH_SCRIPT_SHLIB_H

/* Common to every job: state file, traps, port choice, readiness loop, endpoint files. */
extern const char shlib_common[];
/* Service jobs: port choice, start, readiness loop, endpoint files. */
extern const char shlib_server[];
/* Apptainer image pull under a lock. */
extern const char shlib_image[];
/* HTTP readiness probe (curl, else bash /dev/tcp). */
extern const char shlib_http[];
/* TCP readiness probe. */
extern const char shlib_tcp[];
/* Redis readiness probe (RESP PING, AUTH from the secret file). */
extern const char shlib_redis[];
/* Client jobs: wait for the target's endpoint.json. */
extern const char shlib_client[];
#endif
