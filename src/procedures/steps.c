/*
 * steps.c - see steps.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "galera.h"
#include "haproxy.h"
#include "health.h"
#include "keystone.h"
#include "memcached.h"
#include "rabbitmq.h"
#include "service.h"
#include "steps.h"
#include "util.h"

/* ---- health checks ---------------------------------------------------------- */

int step_run_health(const struct step_run *run, struct sh_error *err)
{
	struct infra *x = run->x;
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

/* memcached-upgrade's runner (src/infra/memcached.c). */
int step_run_memcached_upgrade(const struct step_run *r, struct sh_error *err)
{
	return memcached_node_upgrade(r->x, r->h, r->a->version, err);
}

/* ---- the runners' helpers ------------------------------------------------------- */

char *step_state_file(const struct infra_step_args *a, const char *prefix, bool with_id,
		      const char *ext)
{
	const char *id = with_id ? a->id : NULL;
	size_t n = strlen(a->state_dir) + strlen(prefix) + (id ? strlen(id) : 0) + strlen(ext) + 4;
	char *p = xmalloc(n), *s;

	snprintf(p, n, "%s/%s%s%s%s", a->state_dir, prefix, id ? "-" : "", id ? id : "", ext);
	for (s = p + strlen(a->state_dir) + 1; *s; s++)
		if (*s == '/' || *s == '@' || *s == ' ' || *s == '#')
			*s = '-';
	return p;
}

const char *step_param(const struct infra_step_args *a, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; i < a->nparams; i++)
		if (!strncmp(a->params[i], key, n) && a->params[i][n] == '=')
			return a->params[i] + n + 1;
	return NULL;
}

/* ---- runners with more than a call ---------------------------------------------- */

/* What the catalog's keystone: entry of a service registers, at the VIP. */
int step_run_keystone_register(const struct step_run *run, struct sh_error *err)
{
	struct infra *x = run->x;
	const struct infra_step_args *a = run->a;
	const char *user = step_param(a, "user"), *type = step_param(a, "type");
	const char *name = step_param(a, "name"), *port = step_param(a, "port");
	const char *path = step_param(a, "path");
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

int step_run_db_create(const struct step_run *run, struct sh_error *err)
{
	const char *db = step_param(run->a, "database"), *user = step_param(run->a, "user");
	int r;

	if (!db || !user)
		return sh_error_set(err, SH_EXIT_INPUT, "step db-create needs --param database= and user=");
	r = service_db_create(run->x, db, user, stdout, err);
	fflush(stdout);
	return r;
}

int step_run_health_check(const struct step_run *r, struct sh_error *err)
{
	return service_health_check(r->x, r->a->component, r->hosts, r->nhosts, err);
}

int step_run_config_migrate(const struct step_run *r, struct sh_error *err)
{
	const struct infra_step_args *a = r->a;
	struct catalog *cat = NULL;
	const struct cat_release *rel;
	int ret = -1;

	if (!a->catalog || !a->release)
		return sh_error_set(err, SH_EXIT_INPUT,
				    "step config-migrate needs --catalog DIR and --release NAME");
	if (catalog_load(a->catalog, &cat, err) < 0)
		return -1;
	if (!(rel = catalog_release(cat, a->release)))
		sh_error_set(err, SH_EXIT_INPUT, "unknown release '%s' in catalog '%s'",
			     a->release, a->catalog);
	else
		ret = service_config_migrate(r->x, cat, a->component, rel->index, r->hosts, r->nhosts,
					     err);
	catalog_free(cat);
	return ret;
}

/* ---- the dispatcher ------------------------------------------------------------- */

typedef VEC(const struct inv_host *) host_vec;

/* The hosts of a STEP_NEEDS_NODES kind's --node A,B,... into *ret. */
static int node_list(struct infra *x, const struct infra_step_args *a, host_vec *ret,
		     struct sh_error *err)
{
	char *list = xstrdup(a->node), *save = NULL;
	int r = 0;

	for (char *n = strtok_r(list, ",", &save); n && !r; n = strtok_r(NULL, ",", &save)) {
		const struct inv_host *h = infra_host(x, n);

		if (!h)
			r = sh_error_set(err, SH_EXIT_INPUT, "no host '%s' in inventory '%s'", n,
					 x->inv->path);
		else
			vec_push(*ret, h);
	}
	free(list);
	if (!r && !ret->n)
		r = sh_error_set(err, SH_EXIT_INPUT, "step %s needs --node NODE[,NODE...]", a->kind);
	return r;
}

/* Check a's options against what kind k needs. */
static int check_args(const struct step_kind *k, const struct infra_step_args *a,
		      struct sh_error *err)
{
	bool node = k->needs & (STEP_NEEDS_NODE | STEP_NEEDS_NODES);

	if (node && !a->node)
		return sh_error_set(err, SH_EXIT_INPUT, "step %s needs --node NODE", k->name);
	if (!node && a->node)
		return sh_error_set(err, SH_EXIT_INPUT, "step %s acts on the whole cluster: no --node",
				    k->name);
	if ((k->needs & STEP_NEEDS_COMPONENT) && !a->component)
		return sh_error_set(err, SH_EXIT_INPUT, "step %s needs --component NAME", k->name);
	if (!(k->needs & STEP_NEEDS_COMPONENT) && a->component)
		return sh_error_set(err, SH_EXIT_INPUT, "step %s takes no --component", k->name);
	return 0;
}

int infra_step_run(struct infra *x, const struct infra_step_args *a, struct sh_error *err)
{
	const struct step_kind *k = step_kind_find_any(a->kind);
	struct step_run run = { .x = x, .a = a, .kind = k };
	host_vec hosts = { 0 };
	int r = -1;

	if (!k || k->how != STEP_HOW_PROCESS)
		return sh_error_set(err, SH_EXIT_INPUT,
				    "no step kind '%s' runs on real nodes (see 'stackhop step --help')",
				    a->kind);
	if (check_args(k, a, err) < 0)
		return -1;
	if (k->needs & STEP_NEEDS_NODES) {
		if (node_list(x, a, &hosts, err) < 0)
			goto out;
		run.hosts = hosts.v;
		run.nhosts = hosts.n;
	} else if (a->node && !(run.h = infra_host(x, a->node))) {
		sh_error_set(err, SH_EXIT_INPUT, "no host '%s' in inventory '%s'", a->node,
			     x->inv->path);
		goto out;
	}
	if ((k->needs & STEP_NEEDS_VERSION) && !a->version) {
		sh_error_set(err, SH_EXIT_INPUT, "step %s needs --to VERSION", k->name);
		goto out;
	}
	if (k->needs & STEP_NEEDS_STATE) {
		if (!a->state_dir) {
			sh_error_set(err, SH_EXIT_INPUT, "step %s needs --state DIR", k->name);
			goto out;
		}
		if (mkdir(a->state_dir, 0700) < 0 && errno != EEXIST) {
			sh_error_set(err, SH_EXIT_FAILURE, "cannot create '%s': %s", a->state_dir,
				     strerror(errno));
			goto out;
		}
	}
	r = k->run(&run, err);
out:
	vec_free(hosts);
	return r;
}
