/* generic: any command/args, with setup lines and a tcp://, http(s):// or cmd: probe. */
#include "script/hooks.h"
#include "service/types.h"

static const struct type_key generic_keys[] = {
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct service_render generic_render = {
	.url_scheme = "http",
};

const struct service_type service_type_generic = {
	.name = "generic",
	.description = "any command/args; readiness by tcp://, http(s):// or cmd: probe",
	.default_image = NULL,
	.docker_source = NULL,
	.default_port = 8080,
	.default_probe = "tcp://",
	.keys = generic_keys,
	.render = &generic_render,
};
