/*
 * Service and client types: one file per type (service/types.h lists them), each a
 * const table of the interface in recipe/type.h; registry.c lists them. Owned by
 * src/service/.
 */
#ifndef HPCBENCH_SERVICE_SERVICE_H
#define HPCBENCH_SERVICE_SERVICE_H

#include "recipe/type.h"

#endif
