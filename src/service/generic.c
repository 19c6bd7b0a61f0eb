/* generic: any command/args, with setup lines and a tcp://, http(s):// or cmd: probe. */
#include "recipe/recipe.h"
#include "script/hooks.h"
#include "service/types.h"

static const struct type_key generic_keys[] = {
	{ NULL, 0, NULL, NULL, 0 },
};

static const struct service_render generic_render = {
	.url_scheme = "http",
};

/* A generic service has nothing to run unless the recipe says what. */
static int generic_validate(const struct service_spec *s, struct strbuf *err)
{
	if (!s->command && !s->script)
		return recipe_error(err, &s->pos,
				    "service '%s': type generic needs a command "
				    "(or script:)",
				    s->name);
	return 0;
}

const struct service_type service_type_generic = {
	.name = "generic",
	.description = "any command/args; readiness by tcp://, http(s):// or cmd: probe",
	.default_image = NULL,
	.docker_source = NULL,
	.default_port = 8080,
	.default_probe = "tcp://",
	.keys = generic_keys,
	.validate = generic_validate,
	.render = &generic_render,
};
