/*
 * sim.c - the simulated cloud; see sim.h: the model, the cloud at the
 * first release, persistence, and sim_check()/sim_apply(), which hand a
 * step to its kind's functions (sim-infra.c, sim-service.c).
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "fileio.h"
#include "sim-internal.h"

#define SIM_MODEL_MAX (64u << 20)
#define SIM_BANNER "stackhop simulation: a model of the cloud, nothing real was changed"

/* ---- model access ------------------------------------------------------- */

json_t *sim_child(json_t *parent, const char *key)
{
	json_t *o = json_object_get(parent, key);

	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(parent, key, o);
	}
	return o;
}

const char *sim_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The string at key, or "" when absent. */
const char *sim_sat(json_t *o, const char *key)
{
	const char *v = sim_str(o, key);

	return v ? v : "";
}

bool sim_bool(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* Release index of a name in the model (-1 when absent or unknown). */
int sim_rel_index(const struct sim *m, const char *name)
{
	const struct cat_release *r = name ? catalog_release(m->p->cat, name) : NULL;

	return r ? r->index : -1;
}

const struct cat_release *sim_hop_to(const struct sim *m, const struct plan_step *s)
{
	return m->p->hops.v[s->hop].to;
}

/* nodes.<host>.containers.<component> */
json_t *sim_container(json_t *root, const char *host, const char *comp)
{
	return sim_child(sim_child(sim_child(sim_child(root, "nodes"), host), "containers"), comp);
}

/* nodes.<host>.infra.<component> */
json_t *sim_member(json_t *root, const char *host, const char *comp)
{
	return sim_child(sim_child(sim_child(sim_child(root, "nodes"), host), "infra"), comp);
}

/* The database a db-sync or db-create step works on. */
const char *sim_step_database(const struct plan_step *s)
{
	const char *d = plan_step_param(s, "database");

	return d ? d : s->owner;
}

/* Split a comma-separated list into the callback's calls. */
void sim_each_item(const char *list, void (*fn)(void *, const char *), void *ctx)
{
	char buf[512];

	while (list && *list) {
		size_t n = strcspn(list, ",");

		if (n && n < sizeof(buf)) {
			memcpy(buf, list, n);
			buf[n] = '\0';
			fn(ctx, buf);
		}
		list += n + (list[n] == ',');
	}
}

/* ---- Keystone entries --------------------------------------------------- */

struct ks_ctx {
	json_t *ks;
	const char *type;
	bool present;		/* check mode: all entries present so far */
	bool apply;
};

static void ks_entry(struct ks_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void ks_entry(struct ks_ctx *c, const char *fmt, ...)
{
	char key[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(key, sizeof(key), fmt, ap);
	va_end(ap);
	if (c->apply)
		json_object_set_new(c->ks, key, json_true());
	else if (!json_object_get(c->ks, key))
		c->present = false;
}

static void ks_endpoint(void *ctx, const char *iface)
{
	struct ks_ctx *c = ctx;

	ks_entry(c, "endpoint:%s:%s", c->type, iface);
}

/* The entries of a keystone-register step; returns whether all exist. */
bool sim_ks_entries(json_t *root, const struct plan_step *s, bool apply)
{
	const char *object = plan_step_param(s, "object"), *user = plan_step_param(s, "user");
	struct ks_ctx c = { .ks = sim_child(root, "keystone"), .type = plan_step_param(s, "type"),
			    .present = true, .apply = apply };

	if (!object)
		object = "user+service+endpoints";
	if (strstr(object, "user") && user)
		ks_entry(&c, "user:%s:%s:%s", user, plan_step_param(s, "project") ? plan_step_param(s, "project") : "service",
			 plan_step_param(s, "role") ? plan_step_param(s, "role") : "admin");
	if (strstr(object, "service") && c.type)
		ks_entry(&c, "service:%s", c.type);
	if (strstr(object, "endpoints") && c.type)
		sim_each_item(plan_step_param(s, "interfaces") ? plan_step_param(s, "interfaces") : "public,internal,admin",
			  ks_endpoint, &c);
	return c.present;
}

/* ---- the cloud at the first release ------------------------------------- */

static void add_fact(json_t *root, const char *fact, const char *release)
{
	json_object_set_new(sim_child(root, "facts"), fact, json_string(release));
}

void sim_new_database(json_t *root, const char *name, const char *owner,
			 const char *release)
{
	json_t *d = json_object();

	json_object_set_new(d, "owner", json_string(owner));
	json_object_set_new(d, "release", release ? json_string(release) : json_null());
	json_object_set_new(d, "migrations", json_object());
	json_object_set_new(sim_child(root, "databases"), name, d);
}

static void cell_database(void *ctx, const char *name)
{
	struct sim_db_ctx *c = ctx;

	sim_new_database(c->root, name, c->owner, c->release);
}

/*
 * The cloud at p's first release.  It reads what the catalog's data says
 * exists before the run, so it names the kinds whose entries say it: a
 * container-stop of the first hop (a container that runs), a db-sync of
 * the first release (its databases exist), a keystone-register of the
 * releases up to it (its entries exist).  What a kind does to the model
 * is its sim_apply, in the table of kinds.
 */
static json_t *initial_model(const struct plan *p)
{
	const struct catalog *cat = p->cat;
	const struct cat_release *from = p->from;
	json_t *root = json_object();

	json_object_set_new(root, "simulation", json_string(SIM_BANNER));
	json_object_set_new(root, "release", json_string(from->name));
	for (size_t i = 0; i < p->inv->hosts.n; i++)
		json_object_set_new(sim_child(sim_child(root, "nodes"), p->inv->hosts.v[i]->name),
				    "os", json_string(from->name));

	/* What runs where: the first hop stops every container and upgrades
	 * every infrastructure member that exists at the first release. */
	for (size_t i = 0; i < p->steps.n; i++) {
		const struct plan_step *s = &p->steps.v[i];
		const char *k = s->kind->name;

		if (s->hop != 0)
			break;
		for (size_t t = 0; t < s->ntargets; t++) {
			const char *h = s->targets[t]->name;

			if (streq(k, "container-stop")) {
				json_t *c = sim_container(root, h, s->component);

				json_object_set_new(c, "release", json_string(from->name));
				json_object_set_new(c, "running", json_true());
				json_object_set_new(sim_child(c, "images"), from->name, json_true());
			} else if ((streq(s->phase, "infra") || streq(s->phase, "ceph")) && s->owner) {
				json_t *mb = sim_member(root, h, s->owner);

				json_object_set_new(mb, "release", json_string(from->name));
				json_object_set_new(mb, "state", json_string(
					streq(s->owner, "galera") ? "synced" : "running"));
				if (streq(s->owner, "rabbitmq"))
					json_object_set_new(mb, "mnesia", json_true());
			}
		}
	}

	/* Keystone entries and facts of every release up to the first. */
	for (size_t i = 0; i < cat->nservices; i++) {
		const struct cat_service *svc = &cat->services[i];

		if (!cat_range_has(&svc->range, from->index))
			continue;
		for (size_t k = 0; k < svc->nkeystone; k++) {
			const struct cat_keystone *e = &svc->keystone[k];
			json_t *ks = sim_child(root, "keystone");
			char key[256];

			if (!cat_range_has(&e->range, from->index))
				continue;
			snprintf(key, sizeof(key), "user:%s:service:admin", e->user);
			json_object_set_new(ks, key, json_true());
			snprintf(key, sizeof(key), "service:%s", e->type);
			json_object_set_new(ks, key, json_true());
			for (int f = 0; f < 3; f++) {
				static const char *const ifaces[] = { "public", "internal", "admin" };

				snprintf(key, sizeof(key), "endpoint:%s:%s", e->type, ifaces[f]);
				json_object_set_new(ks, key, json_true());
			}
		}
		for (size_t k = 0; k < svc->ncommands; k++) {
			const struct cat_step *c = &svc->commands[k];
			struct plan_step tmp = { .owner = svc->name, .params = c->params,
						 .nparams = c->nparams };
			struct sim_db_ctx dc = { root, svc->name, from->name };

			if (!cat_range_has(&c->range, from->index))
				continue;
			for (size_t f = 0; f < c->nprovides; f++)
				add_fact(root, c->provides[f], from->name);
			/* The databases its release migrates exist, at that schema. */
			if (streq(c->kind, "db-sync")) {
				sim_new_database(root, sim_step_database(&tmp), svc->name, from->name);
				sim_each_item(plan_step_param(&tmp, "cell_databases"), cell_database, &dc);
			}
		}
	}
	for (int r = 1; r <= from->index; r++) {
		const struct cat_release *rel = &cat->releases[r];

		for (size_t k = 0; k < rel->nsteps; k++) {
			const struct cat_step *c = &rel->steps[k];

			for (size_t f = 0; f < c->nprovides; f++)
				add_fact(root, c->provides[f], rel->name);
			if (streq(c->kind, "keystone-register")) {
				struct plan_step tmp = { .params = c->params, .nparams = c->nparams };

				sim_ks_entries(root, &tmp, true);
			}
		}
	}
	return root;
}

/* ---- persistence -------------------------------------------------------- */

static int save(struct sim *m, const char *step, struct sh_error *err)
{
	char *text = json_dumps(m->root, JSON_COMPACT | JSON_SORT_KEYS);
	int r;

	if (!text)
		return sh_error_set(err, SH_EXIT_FAILURE, "sim: cannot serialize the model");
	r = write_file_atomic(m->path, text, strlen(text), 0600, err);
	free(text);
	if (r < 0)
		return sh_error_prefix(err, "sim: cannot write the model");
	fault_point("sim", step);
	return 0;
}

int sim_create(const char *path, const struct plan *p, struct sh_error *err)
{
	struct sim m = { .p = p, .path = (char *)path, .root = initial_model(p) };
	int r = save(&m, "initial model", err);

	json_decref(m.root);
	return r;
}

int sim_open(const char *path, const struct plan *p, struct sim **ret,
	     struct sh_error *err)
{
	char *text = NULL;
	size_t len;
	json_error_t je;
	json_t *root;

	if (read_file_limited(path, SIM_MODEL_MAX, &text, &len, err) < 0)
		return sh_error_prefix(err, "sim");
	root = json_loadb(text, len, 0, &je);
	free(text);
	if (!root || !json_is_object(root) || !json_is_string(json_object_get(root, "simulation"))) {
		sh_error_set(err, SH_EXIT_INPUT, "sim model '%s' line %d: %s", path,
			     root ? 1 : je.line,
			     root ? "expected a stackhop simulation model" : je.text);
		json_decref(root);
		return -1;
	}
	*ret = xcalloc(1, sizeof(**ret));
	(*ret)->p = p;
	(*ret)->path = xstrdup(path);
	(*ret)->root = root;
	return 0;
}

void sim_free(struct sim *m)
{
	if (!m)
		return;
	json_decref(m->root);
	free(m->path);
	free(m);
}

/* ---- steps -------------------------------------------------------------- */

void sim_put_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, json_string(v));
}

int sim_unmet(struct sh_error *err, const struct plan_step *s, const struct inv_host *t,
	      const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sh_error_set(err, SH_EXIT_FAILURE, "sim: step '%s'%s%s: precondition not met: %s",
			    s->id, t ? " on " : "", t ? t->name : "", msg);
}

unsigned sim_weight(const struct plan_step *s)
{
	return s->kind->sim_weight ? s->kind->sim_weight : 1;
}

enum sim_check sim_check_facts(struct sim *m, const struct plan_step *s)
{
	json_t *facts = sim_child(m->root, "facts");

	for (size_t i = 0; i < s->nprovides; i++)
		if (sim_rel_index(m, sim_str(facts, s->provides[i])) < sim_hop_to(m, s)->index)
			return SIM_NOT_DONE;
	return SIM_DONE;
}

enum sim_check sim_check_none(struct sim *m, const struct plan_step *s, const struct inv_host *t)
{
	(void)t;
	return s->nprovides ? sim_check_facts(m, s) : SIM_UNKNOWN;
}

int sim_apply_none(struct sim *m, const struct plan_step *s, const struct inv_host *t,
		   struct sh_error *err)
{
	(void)m;
	(void)s;
	(void)t;
	(void)err;
	return 0;
}

enum sim_check sim_check(struct sim *m, size_t step, const struct inv_host *t)
{
	const struct plan_step *s = &m->p->steps.v[step];

	return s->kind->sim_check(m, s, t);
}

/* Name of the fact part of "FACT@RELEASE" into buf; the release or NULL. */
static const char *split_req(const char *req, char *buf, size_t size)
{
	const char *at = strchr(req, '@');
	size_t n = at ? (size_t)(at - req) : strlen(req);

	if (n >= size)
		n = size - 1;
	memcpy(buf, req, n);
	buf[n] = '\0';
	return at ? at + 1 : NULL;
}

static int check_requires(struct sim *m, const struct plan_step *s,
			  const struct inv_host *t, struct sh_error *err)
{
	json_t *facts = sim_child(m->root, "facts");

	for (size_t i = 0; i < s->nrequires; i++) {
		char fact[256];
		const char *at = split_req(s->requires[i], fact, sizeof(fact));
		const char *have = sim_str(facts, fact);

		if (!have)
			return sim_unmet(err, s, t, "'%s' is missing from the cloud (no step of this plan or of an earlier release provides it; the requirement comes from %s)",
					 fact, s->source ? s->source : "?");
		if (at && sim_rel_index(m, have) < sim_rel_index(m, at))
			return sim_unmet(err, s, t, "'%s' was provided at %s, it must be from %s or later",
					 fact, have, at);
	}
	return 0;
}

static int apply_step(struct sim *m, const struct plan_step *s, const struct inv_host *t,
		      struct sh_error *err)
{
	if (check_requires(m, s, t, err) < 0 || s->kind->sim_apply(m, s, t, err) < 0)
		return -1;
	for (size_t i = 0; i < s->nprovides; i++)
		add_fact(m->root, s->provides[i], sim_hop_to(m, s)->name);
	return 0;
}

int sim_apply(struct sim *m, size_t step, const struct inv_host *t,
	      char **ret_out, struct sh_error *err)
{
	const struct plan_step *s = &m->p->steps.v[step];
	char buf[512];

	if (apply_step(m, s, t, err) < 0) {
		/* A refused step changes nothing: back to the model as saved. */
		struct sh_error lerr = { 0 };
		struct sim *saved = NULL;

		if (sim_open(m->path, m->p, &saved, &lerr) < 0) {
			char refused[sizeof(err->msg)];

			strlcpy_sh(refused, err->msg, sizeof(refused));
			return sh_error_set(err, SH_EXIT_FAILURE,
					    "%s; then reading the model back failed: %s", refused, lerr.msg);
		}
		json_decref(m->root);
		m->root = saved->root;
		saved->root = NULL;
		sim_free(saved);
		return -1;
	}
	if (save(m, s->id, err) < 0)
		return -1;
	snprintf(buf, sizeof(buf), "[sim] %s%s%s: simulated, nothing real was changed\n",
		 s->kind->name, t ? " on " : "", t ? t->name : "");
	*ret_out = xstrdup(buf);
	return 0;
}
