/* grafana: Grafana with a provisioned Prometheus datasource and dashboards. */
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "common/shquote.h"
#include "common/xalloc.h"
#include "recipe/recipe.h"
#include "script/hooks.h"
#include "script/render.h"
#include "script/shlib.h"
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

static const char *const grafana_args[] = { "--homepath=/usr/share/grafana", NULL };

#define DS "\"datasource\":{\"type\":\"prometheus\",\"uid\":\"prometheus\"}"
#define PANEL(id, type, title, x, y, w, h, expr, legend)                                           \
	"{\"id\":" #id ",\"type\":\"" type "\",\"title\":\"" title "\",\"gridPos\":{\"x\":" #x     \
	",\"y\":" #y ",\"w\":" #w ",\"h\":" #h "}," DS ",\"targets\":[{\"refId\":\"A\","           \
	"\"expr\":\"" expr "\",\"legendFormat\":\"" legend "\"}]}"

/* The built-in dashboard: targets, and cAdvisor's view of each job's containers. */
static const char overview_json[] =
    "{\"uid\":\"hpcbench-overview\",\"title\":\"hpcbench overview\",\"schemaVersion\":39,"
    "\"refresh\":\"10s\",\"time\":{\"from\":\"now-1h\",\"to\":\"now\"},\"panels\":[" PANEL(
	1, "stat", "Targets up", 0, 0, 6, 4, "count(up == 1)",
	"") "," PANEL(2, "timeseries", "Scrape targets", 6, 0, 18, 4, "up",
		      "{{job}} {{instance}}") "," PANEL(3, "timeseries", "CPU (cores)", 0, 4, 12, 8,
							"sum by (job) "
							"(rate(container_cpu_usage_seconds_total{"
							"id=\\\"/\\\"}[1m]))",
							"{{job}}") "," PANEL(4, "timeseries",
									     "Memory (bytes)", 12,
									     4, 12, 8,
									     "sum by (job) "
									     "(container_memory_"
									     "usage_bytes{id=\\\"/"
									     "\\\"})",
									     "{{job}}") "," PANEL(5,
												  "timeseries",
												  "Network receive (bytes/s)",
												  0,
												  12,
												  12,
												  8,
												  "sum by (job) (rate(container_network_receive_bytes_total[1m]))",
												  "{{job}}") "," PANEL(6,
														       "timeseries",
														       "Network transmit (bytes/s)",
														       12,
														       12,
														       12,
														       8,
														       "sum by (job) (rate(container_network_transmit_bytes_total[1m]))",
														       "{{job}}") "]}\n";

/* The datasource URL, decided at run time; then the provisioning file. */
static void datasource_setup(struct svc_build *b)
{
	const char *url = svc_key(b->s, "prometheus_url", NULL);
	const struct job *prom = NULL;

	for (size_t i = 0; i < b->plan->nr && !url; i++) {
		const struct job *j = &b->plan->jobs[i];
		if (j->service && j->service->type->render && j->service->type->render->promql) {
			prom = j;
			break;
		}
	}
	strbuf_addstr(&b->prepare, "# Prometheus datasource: ");
	if (url) {
		strbuf_addstr(&b->prepare, "prometheus_url\nHB_PROM_URL=");
		sq_quote_expand(&b->prepare, url);
		strbuf_addch(&b->prepare, '\n');
	} else if (prom) {
		strbuf_addstr(&b->prepare, "the session's Prometheus\n");
		strbuf_addstr(&b->prepare, shlib_client);
		strbuf_addf(&b->prepare,
			    "HB_PROM_URL=$(\n"
			    "\ttrap - EXIT\n"
			    "\thb_wait_endpoint \"$RUN_DIR/%s\" 600 >/dev/null\n"
			    "\techo \"http://$HPCBENCH_TARGET_HOST:$HPCBENCH_TARGET_PORT\"\n"
			    ") || hb_fail \"the session's Prometheus never became ready\"\n",
			    prom->id);
	} else {
		strbuf_addstr(&b->prepare,
			      "$PROMETHEUS_URL, else a local one\n"
			      "HB_PROM_URL=${PROMETHEUS_URL:-http://localhost:9090}\n");
	}
	strbuf_addstr(
	    &b->prepare,
	    "mkdir -p \"$JOB_DIR/provisioning/datasources\" \"$JOB_DIR/provisioning/plugins\" "
	    "\"$JOB_DIR/provisioning/alerting\" \"$JOB_DIR/logs\"\n"
	    "{\n"
	    "\tprintf 'apiVersion: 1\\ndatasources:\\n  - name: Prometheus\\n    uid: "
	    "prometheus\\n'\n"
	    "\tprintf '    type: prometheus\\n    access: proxy\\n    isDefault: true\\n'\n"
	    "\tprintf \"    url: '%s'\\n\" \"${HB_PROM_URL//\\'/\\'\\'}\"\n"
	    "} | hb_write \"$JOB_DIR/provisioning/datasources/hpcbench.yaml\"\n");
}

/* Dashboards: the built-in overview plus the recipe's files (read next to the recipe). */
static int dashboards(struct svc_build *b, struct strbuf *err)
{
	const struct rnode *list = rnode_get(b->s->node, "dashboards");
	char *prov = xasprintf("apiVersion: 1\nproviders:\n  - name: hpcbench\n    type: file\n"
			       "    updateIntervalSeconds: 30\n    options:\n      path: '%s/%s/"
			       "dashboards'\n",
			       b->o->run_dir, b->job->id);
	job_add_file(b->job, "provisioning/dashboards/hpcbench.yaml", prov, strlen(prov), 0644);
	free(prov);
	job_add_file(b->job, "dashboards/overview.json", overview_json, strlen(overview_json),
		     0644);
	for (size_t i = 0; list && list->kind == RNODE_SEQ && i < list->nr; i++) {
		const struct rnode *d = list->children[i];
		const char *base, *slash = b->r->path ? strrchr(b->r->path, '/') : NULL;
		struct strbuf text = STRBUF_INIT;
		char *path, *name;
		if (d->kind != RNODE_SCALAR)
			continue;
		path = d->scalar[0] == '/' || !slash
			   ? xstrdup(d->scalar)
			   : xasprintf("%.*s/%s", (int)(slash - b->r->path), b->r->path, d->scalar);
		if (read_file(path, &text, err)) {
			free(path);
			return recipe_error(err, &d->pos, "dashboards: cannot read '%s'",
					    d->scalar);
		}
		base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		name = xasprintf("dashboards/%zu-%s", i + 1, base);
		job_add_file(b->job, name, text.buf, text.len, 0644);
		free(name);
		free(path);
		strbuf_release(&text);
	}
	return 0;
}

/*
 * Port, address and every path through GF_* variables (Grafana has no command-line
 * port option); admin_password from a 0600 file.
 */
static int grafana_build(struct svc_build *b, struct strbuf *err)
{
	const char *admin = svc_key(b->s, "admin_password", NULL);
	if (dashboards(b, err))
		return -1;
	datasource_setup(b);
	strbuf_addstr(&b->setup, "export GF_SERVER_HTTP_PORT=\"$HPCBENCH_PORT\"\n"
				 "export GF_SERVER_HTTP_ADDR=\"$HPCBENCH_BIND_ADDR\"\n"
				 "export GF_PATHS_DATA=\"$JOB_DIR/data\"\n"
				 "export GF_PATHS_LOGS=\"$JOB_DIR/logs\"\n"
				 "export GF_PATHS_PROVISIONING=\"$JOB_DIR/provisioning\"\n");
	if (admin) {
		job_add_file(b->job, "secrets/admin_password", admin, strlen(admin), 0600);
		strbuf_addstr(&b->setup, "IFS= read -r -d '' GF_SECURITY_ADMIN_PASSWORD "
					 "<\"$JOB_DIR/secrets/admin_password\" || true\n"
					 "export GF_SECURITY_ADMIN_PASSWORD\n");
	}
	strbuf_addstr(&b->setup,
		      "for hb_v in GF_SERVER_HTTP_PORT GF_SERVER_HTTP_ADDR GF_PATHS_DATA "
		      "GF_PATHS_LOGS GF_PATHS_PROVISIONING"
		      "${GF_SECURITY_ADMIN_PASSWORD:+ GF_SECURITY_ADMIN_PASSWORD}; do\n"
		      "\texport \"APPTAINERENV_$hb_v=${!hb_v}\"\n"
		      "done\n");
	return 0;
}

static const struct service_render grafana_render = {
	.command = "grafana-server",
	.args = grafana_args,
	.url_scheme = "http",
	.build = grafana_build,
};

const struct service_type service_type_grafana = {
	.name = "grafana",
	.description =
	    "Grafana with the session's Prometheus as datasource (readiness: GET /api/health)",
	.default_image = "grafana_latest.sif",
	.docker_source = "docker://grafana/grafana:latest",
	.default_port = 3000,
	.default_probe = "http:///api/health",
	.keys = grafana_keys,
	.render = &grafana_render,
};
