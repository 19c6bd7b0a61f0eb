/* grafana: Grafana with a provisioned Prometheus datasource and dashboards. */
#include "service/types.h"

static const struct type_key grafana_keys[] = {
	{ "prometheus_url", KEY_STRING,
	  "datasource URL; default: the session's Prometheus endpoint", NULL, 0 },
	{ "dashboards", KEY_LIST, "dashboard JSON files to provision (default: overview)", NULL,
	  0 },
	{ "admin_password", KEY_STRING, "admin password; kept in a 0600 file", NULL, TK_SECRET },
	{ "setup_script", KEY_STRING, "old tool: ignored (readiness is built in)", NULL,
	  TK_IGNORED },
	{ NULL, 0, NULL, NULL, 0 },
};

const struct service_type service_type_grafana = {
	.name = "grafana",
	.description = "Grafana with the session's Prometheus as datasource (readiness: GET /api/health)",
	.default_image = "grafana_latest.sif",
	.docker_source = "docker://grafana/grafana:latest",
	.default_port = 3000,
	.default_probe = "http:///api/health",
	.keys = grafana_keys,
};
