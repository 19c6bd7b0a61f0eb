/* generic: any command/args, with setup lines and a tcp://, http(s):// or cmd: probe. */
#include "service/types.h"

static const struct type_key generic_keys[] = {
	{ NULL, 0, NULL, NULL, 0 },
};

const struct service_type service_type_generic = {
	.name = "generic",
	.description = "any command/args; readiness by tcp://, http(s):// or cmd: probe",
	.default_image = NULL,
	.docker_source = NULL,
	.default_port = 8080,
	.default_probe = "tcp://",
	.keys = generic_keys,
};
