/* prometheus: Prometheus with a scrape config generated from monitoring_targets. */
#include "service/types.h"

static const struct type_key prometheus_keys[] = {
	{ "monitoring_targets", KEY_LIST,
	  "scrape targets: {service_id | host, port, job_name}", NULL, 0 },
	{ "scrape_interval", KEY_STRING, "e.g. 15s (default)", NULL, 0 },
	{ "retention", KEY_STRING, "TSDB retention, e.g. 15d", NULL, 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

const struct service_type service_type_prometheus = {
	.name = "prometheus",
	.description = "Prometheus scraping the session's targets (readiness: GET /-/ready)",
	.default_image = "prometheus.sif",
	.docker_source = "docker://prom/prometheus:latest",
	.default_port = 9090,
	.default_probe = "http:///-/ready",
	.keys = prometheus_keys,
};
