/*
 * steps.c - see steps.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drivers.h"
#include "galera.h"
#include "haproxy.h"
#include "health.h"
#include "keystone.h"
#include "memcached.h"
#include "rabbitmq.h"
#include "service.h"
#include "steps.h"
#include "util.h"

const struct infra_step infra_steps[] = {
	{ "pre-validate", false, false, false, "every health check (galera, haproxy, rabbitmq, keystone) not Failure", false, false },
	{ "post-verify", false, false, false, "the same health checks after the hop", false, false },
	{ "db-backup", false, false, true, "verified dump through the VIP into STATE/db-backup-ID.sql", false, false },
	{ "galera-node-upgrade", true, true, false, "one node of the rolling upgrade", false, false },
	{ "galera-drain", false, false, false, "every node disabled in HAProxy, replication queues empty", false, false },
	{ "galera-stop", true, false, false, "stop one node", false, false },
	{ "galera-bootstrap", false, true, false, "the first node as a new primary component on VERSION", false, false },
	{ "galera-join", true, true, false, "one more node on VERSION, Synced", false, false },
	{ "galera-validate", false, false, false, "every node Synced and ready in HAProxy, SQL through the VIP", false, false },
	{ "rabbitmq-export", false, false, true, "definitions and members into STATE/rabbitmq-definitions.json", false, false },
	{ "rabbitmq-stop", true, false, false, "stop one node", false, false },
	{ "rabbitmq-wipe", true, false, false, "remove one stopped node's mnesia directory", false, false },
	{ "rabbitmq-start", true, true, true, "start one node on VERSION", false, false },
	{ "rabbitmq-join", true, true, true, "start one node on VERSION, join the first node's cluster", false, false },
	{ "rabbitmq-import", false, false, true, "import the exported definitions", false, false },
	{ "rabbitmq-policy", false, false, false, "set the ha-all policy", false, false },
	{ "rabbitmq-validate", false, false, true, "members running, no partitions or alarms, definitions and clients back", false, false },
	{ "rabbitmq-node-upgrade", true, true, false, "one node of the rolling upgrade", false, false },
	{ "haproxy-upgrade", false, true, false, "HAProxy on VERSION node by node (seamless reload, or vip-move), the VIP holder last", false, false },
	{ "keepalived-upgrade", false, true, false, "keepalived on VERSION node by node (those already on it left alone), the VIP holder last", false, false },
	{ "memcached-upgrade", true, true, false, "memcached restarted on VERSION on one node, answering", false, false },
	{ "container-stop", true, false, false, "drain the node in HAProxy, stop the old container", true, false },
	{ "container-remove", true, false, false, "remove the stopped container", true, false },
	{ "image-remove", true, true, false, "remove the images other than VERSION that no container uses", true, false },
	{ "container-start", true, true, false, "start the container on VERSION", true, false },
	{ "health-check", true, false, false, "each node answers, back in HAProxy; keystone: a token through the VIP", true, true },
	{ "config-migrate", true, false, false, "each node's configuration translated to --release with the catalog's renames (--catalog)", true, true },
	{ "container-run", true, false, false, "the docker runtime: -- COMMAND in a one-off container of the service's image on the node (VERSION's, else the running one's); exits with its status (125: it could not run)", true, false },
	{ "db-create", false, false, false, "the database and its user's privileges, found or created through the VIP (--param database= user=; a new user's password: USER_db_password)", false, false },
	{ "keystone-register", false, false, false, "the service user (password: USER_password), service and endpoints at the VIP, found or created (--param user= type= name= port= [path=])", true, false },
	{ NULL, false, false, false, NULL, false, false },
};

const struct infra_step *infra_step_find(const char *kind)
{
	for (const struct infra_step *s = infra_steps; s->kind; s++)
		if (streq(s->kind, kind))
			return s;
	return NULL;
}

/* remote_register_steps()'s lookup: the driver's view of a kind. */
static bool remote_find(const char *kind, struct remote_step *ret)
{
	const struct infra_step *s = infra_step_find(kind);

	if (!s)
		return false;
	*ret = (struct remote_step){ .node = s->node, .version = s->version,
				     .component = s->component, .nodes = s->nodes };
	return true;
}

void infra_steps_register(void)
{
	remote_register_steps(remote_find);
}

/* ---- health checks ---------------------------------------------------------- */

static int health_all(struct infra *x, struct sh_error *err)
{
	int failures = 0;
	char failed[256] = "";

	for (size_t i = 0; health_components[i]; i++) {
		struct check_result r;

		health_check(x, health_components[i], &r);
		infra_log(x, "check %s: %s: %s", r.name, check_code_name(r.code), r.details);
		if (r.code == CHECK_FAILURE) {
			size_t o = strlen(failed);

			snprintf(failed + o, sizeof(failed) - o, "%s%s", failures ? ", " : "", r.name);
			failures++;
		}
	}
	if (failures)
		return sh_error_set(err, SH_EXIT_FAILURE, "health check Failure: %s", failed);
	return 0;
}

/* ---- memcached ---------------------------------------------------------------- */

/* ---- the dispatcher ------------------------------------------------------------- */

/* STATE/NAME, with the characters of a step id that a file name should not hold replaced. */
static char *state_file(const char *dir, const char *prefix, const char *id, const char *ext)
{
	size_t n = strlen(dir) + strlen(prefix) + (id ? strlen(id) : 0) + strlen(ext) + 4;
	char *p = xmalloc(n), *s;

	snprintf(p, n, "%s/%s%s%s%s", dir, prefix, id ? "-" : "", id ? id : "", ext);
	for (s = p + strlen(dir) + 1; *s; s++)
		if (*s == '/' || *s == '@' || *s == ' ' || *s == '#')
			*s = '-';
	return p;
}

/* The value of --param KEY=VALUE, or NULL. */
static const char *param(const struct infra_step_args *a, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; i < a->nparams; i++)
		if (!strncmp(a->params[i], key, n) && a->params[i][n] == '=')
			return a->params[i] + n + 1;
	return NULL;
}

/* What the catalog's keystone: entry of a service registers, at the VIP. */
static int keystone_register_step(struct infra *x, const struct infra_step_args *a,
				  struct sh_error *err)
{
	const char *user = param(a, "user"), *type = param(a, "type"), *name = param(a, "name");
	const char *port = param(a, "port"), *path = param(a, "path");
	const char *admin = secrets_get(x->secrets, "keystone_admin_password");
	struct keystone k = { 0 };
	char key[128], url[512];
	struct ks_registration r = { .service = name, .type = type, .region = "RegionOne",
				     .user = user, .project = "service", .role = "admin" };
	int ret;

	if (!type || !name || !port)
		return sh_error_set(err, SH_EXIT_INPUT,
				    "step keystone-register needs --param type=, name= and port=");
	if (!x->st->vip || !x->st->keystone)
		return sh_error_set(err, SH_EXIT_INPUT, "%s: keystone-register needs the vip and endpoints.keystone",
				    x->st->path);
	if (!admin)
		return sh_error_set(err, SH_EXIT_INPUT, "the secrets file holds no keystone_admin_password");
	if (user) {
		snprintf(key, sizeof(key), "%s_password", user);
		if (!(r.password = secrets_get(x->secrets, key)))
			return sh_error_set(err, SH_EXIT_INPUT, "the secrets file holds no '%s'", key);
	}
	snprintf(url, sizeof(url), "http://%s:%s%s", x->st->vip, port, path ? path : "");
	r.url[0] = r.url[1] = r.url[2] = url;
	if (keystone_login(&k, x->st->keystone, "admin", admin, "admin", err) < 0) {
		keystone_release(&k);
		return -1;
	}
	ret = keystone_register(&k, &r, stdout, err);
	fflush(stdout);
	keystone_release(&k);
	return ret;
}

/* A kind that acts on a list of nodes (health-check). */
static int nodes_step(struct infra *x, const struct infra_step_args *a, struct sh_error *err)
{
	VEC(const struct inv_host *) hosts = { 0 };
	char *list = xstrdup(a->node), *save = NULL;
	int r = -1;

	for (char *n = strtok_r(list, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
		const struct inv_host *h = infra_host(x, n);

		if (!h) {
			sh_error_set(err, SH_EXIT_INPUT, "no host '%s' in inventory '%s'", n,
				     x->inv->path);
			goto out;
		}
		vec_push(hosts, h);
	}
	if (!hosts.n) {
		sh_error_set(err, SH_EXIT_INPUT, "step %s needs --node NODE[,NODE...]", a->kind);
		goto out;
	}
	if (streq(a->kind, "config-migrate")) {
		struct catalog *cat = NULL;
		const struct cat_release *rel;

		if (!a->catalog || !a->release) {
			sh_error_set(err, SH_EXIT_INPUT, "step config-migrate needs --catalog DIR and --release NAME");
			goto out;
		}
		if (catalog_load(a->catalog, &cat, err) < 0)
			goto out;
		if (!(rel = catalog_release(cat, a->release)))
			sh_error_set(err, SH_EXIT_INPUT, "unknown release '%s' in catalog '%s'",
				     a->release, a->catalog);
		else
			r = service_config_migrate(x, cat, a->component, rel->index, hosts.v,
						   hosts.n, err);
		catalog_free(cat);
		goto out;
	}
	r = service_health_check(x, a->component, hosts.v, hosts.n, err);
out:
	vec_free(hosts);
	free(list);
	return r;
}

int infra_step_run(struct infra *x, const struct infra_step_args *a, struct sh_error *err)
{
	const struct infra_step *s = infra_step_find(a->kind);
	const struct inv_host *h = NULL;
	struct rabbitmq_options ro = { a->version, NULL, a->reconnect_timeout };
	const char *k = a->kind;
	char *file = NULL;
	int r = -1;

	if (!s)
		return sh_error_set(err, SH_EXIT_INPUT,
				    "no step kind '%s' runs on real nodes (see 'stackhop step --help')", k);
	if (s->node && !a->node)
		return sh_error_set(err, SH_EXIT_INPUT, "step %s needs --node NODE", k);
	if (!s->node && a->node)
		return sh_error_set(err, SH_EXIT_INPUT, "step %s acts on the whole cluster: no --node", k);
	if (s->component && !a->component)
		return sh_error_set(err, SH_EXIT_INPUT, "step %s needs --component NAME", k);
	if (!s->component && a->component)
		return sh_error_set(err, SH_EXIT_INPUT, "step %s takes no --component", k);
	if (s->nodes)
		return nodes_step(x, a, err);
	if (streq(k, "keystone-register"))
		return keystone_register_step(x, a, err);
	if (streq(k, "db-create")) {
		if (!param(a, "database") || !param(a, "user"))
			return sh_error_set(err, SH_EXIT_INPUT,
					    "step db-create needs --param database= and user=");
		r = service_db_create(x, param(a, "database"), param(a, "user"), stdout, err);
		fflush(stdout);
		return r;
	}
	if (a->node && !(h = infra_host(x, a->node)))
		return sh_error_set(err, SH_EXIT_INPUT, "no host '%s' in inventory '%s'", a->node,
				    x->inv->path);
	if (s->version && !a->version)
		return sh_error_set(err, SH_EXIT_INPUT, "step %s needs --to VERSION", k);
	if (s->state) {
		if (!a->state_dir)
			return sh_error_set(err, SH_EXIT_INPUT, "step %s needs --state DIR", k);
		if (mkdir(a->state_dir, 0700) < 0 && errno != EEXIST)
			return sh_error_set(err, SH_EXIT_FAILURE, "cannot create '%s': %s",
					    a->state_dir, strerror(errno));
		file = str_has_prefix(k, "rabbitmq-") ?
			state_file(a->state_dir, "rabbitmq-definitions", NULL, ".json") :
			state_file(a->state_dir, "db-backup", a->id, ".sql");
		ro.definitions = file;
	}

	if (streq(k, "pre-validate") || streq(k, "post-verify"))
		r = health_all(x, err);
	else if (streq(k, "db-backup"))
		r = galera_backup(x, file, err);
	else if (streq(k, "galera-node-upgrade"))
		r = galera_node_upgrade(x, h, a->version, err);
	else if (streq(k, "galera-drain"))
		r = galera_drain(x, a->version, err);
	else if (streq(k, "galera-stop"))
		r = galera_stop(x, h, err);
	else if (streq(k, "galera-bootstrap"))
		r = galera_bootstrap(x, a->version, err);
	else if (streq(k, "galera-join"))
		r = galera_join(x, h, a->version, err);
	else if (streq(k, "galera-validate"))
		r = galera_validate(x, err);
	else if (streq(k, "rabbitmq-export"))
		r = rabbitmq_export(x, &ro, err);
	else if (streq(k, "rabbitmq-stop"))
		r = rabbitmq_stop(x, h, err);
	else if (streq(k, "rabbitmq-wipe"))
		r = rabbitmq_wipe(x, h, err);
	else if (streq(k, "rabbitmq-start") || streq(k, "rabbitmq-join"))
		r = rabbitmq_start(x, h, &ro, err);
	else if (streq(k, "rabbitmq-import"))
		r = rabbitmq_import(x, &ro, err);
	else if (streq(k, "rabbitmq-policy"))
		r = rabbitmq_policy(x, err);
	else if (streq(k, "rabbitmq-validate"))
		r = rabbitmq_validate(x, &ro, err);
	else if (streq(k, "rabbitmq-node-upgrade"))
		r = rabbitmq_node_upgrade(x, h, &ro, err);
	else if (streq(k, "haproxy-upgrade")) {
		const char *m = infra_mode(x, "haproxy", haproxy_modes, NULL, err);

		if (m)
			r = haproxy_upgrade(x, a->version,
					    streq(m, "vip-move") ? HAPROXY_VIP_MOVE : HAPROXY_RELOAD, err);
	}
	else if (streq(k, "keepalived-upgrade"))
		r = keepalived_upgrade(x, a->version, err);
	else if (streq(k, "memcached-upgrade"))
		r = memcached_node_upgrade(x, h, a->version, err);
	else if (streq(k, "container-stop"))
		r = service_container_stop(x, a->component, h, err);
	else if (streq(k, "container-remove"))
		r = service_container_remove(x, a->component, h, err);
	else if (streq(k, "image-remove"))
		r = service_image_remove(x, a->component, h, a->version, err);
	else if (streq(k, "container-start"))
		r = service_container_start(x, a->component, h, a->version, err);
	free(file);
	return r;
}
