/* sim.c - the simulated cloud; see sim.h. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "fileio.h"
#include "sim.h"

#define SIM_MODEL_MAX (64u << 20)
#define SIM_BANNER "stackhop simulation: a model of the cloud, nothing real was changed"

struct sim {
	const struct plan *p;
	char *path;
	json_t *root;
};

/* ---- model access ------------------------------------------------------- */

static json_t *child(json_t *parent, const char *key)
{
	json_t *o = json_object_get(parent, key);

	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(parent, key, o);
	}
	return o;
}

static const char *str_at(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The string at key, or "" when absent. */
static const char *sat(json_t *o, const char *key)
{
	const char *v = str_at(o, key);

	return v ? v : "";
}

static bool bool_at(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* Release index of a name in the model (-1 when absent or unknown). */
static int rel_index(const struct sim *m, const char *name)
{
	const struct cat_release *r = name ? catalog_release(m->p->cat, name) : NULL;

	return r ? r->index : -1;
}

static const struct cat_release *hop_to(const struct sim *m, const struct plan_step *s)
{
	return m->p->hops.v[s->hop].to;
}

/* nodes.<host>.containers.<component> */
static json_t *container(json_t *root, const char *host, const char *comp)
{
	return child(child(child(child(root, "nodes"), host), "containers"), comp);
}

/* nodes.<host>.infra.<component> */
static json_t *member(json_t *root, const char *host, const char *comp)
{
	return child(child(child(child(root, "nodes"), host), "infra"), comp);
}

static bool component_is_control(const struct sim *m, const struct plan_step *s)
{
	const struct catalog *cat = m->p->cat;

	for (size_t i = 0; i < cat->nservices; i++)
		for (size_t k = 0; k < cat->services[i].ncomponents; k++)
			if (streq(cat->services[i].components[k].name, s->component))
				return cat->services[i].components[k].tier == TIER_CONTROL;
	return true;
}

/* The database a db-sync or db-create step works on. */
static const char *step_database(const struct plan_step *s)
{
	const char *d = plan_step_param(s, "database");

	return d ? d : s->owner;
}

/* Split a comma-separated list into the callback's calls. */
static void each_item(const char *list, void (*fn)(void *, const char *), void *ctx)
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
static bool ks_entries(json_t *root, const struct plan_step *s, bool apply)
{
	const char *object = plan_step_param(s, "object"), *user = plan_step_param(s, "user");
	struct ks_ctx c = { .ks = child(root, "keystone"), .type = plan_step_param(s, "type"),
			    .present = true, .apply = apply };

	if (!object)
		object = "user+service+endpoints";
	if (strstr(object, "user") && user)
		ks_entry(&c, "user:%s:%s:%s", user, plan_step_param(s, "project") ? plan_step_param(s, "project") : "service",
			 plan_step_param(s, "role") ? plan_step_param(s, "role") : "admin");
	if (strstr(object, "service") && c.type)
		ks_entry(&c, "service:%s", c.type);
	if (strstr(object, "endpoints") && c.type)
		each_item(plan_step_param(s, "interfaces") ? plan_step_param(s, "interfaces") : "public,internal,admin",
			  ks_endpoint, &c);
	return c.present;
}

/* ---- the cloud at the first release ------------------------------------- */

static void add_fact(json_t *root, const char *fact, const char *release)
{
	json_object_set_new(child(root, "facts"), fact, json_string(release));
}

static void new_database(json_t *root, const char *name, const char *owner,
			 const char *release)
{
	json_t *d = json_object();

	json_object_set_new(d, "owner", json_string(owner));
	json_object_set_new(d, "release", release ? json_string(release) : json_null());
	json_object_set_new(d, "migrations", json_object());
	json_object_set_new(child(root, "databases"), name, d);
}

struct db_ctx {
	json_t *root;
	const char *owner, *release;
};

static void cell_database(void *ctx, const char *name)
{
	struct db_ctx *c = ctx;

	new_database(c->root, name, c->owner, c->release);
}

static json_t *initial_model(const struct plan *p)
{
	const struct catalog *cat = p->cat;
	const struct cat_release *from = p->from;
	json_t *root = json_object();

	json_object_set_new(root, "simulation", json_string(SIM_BANNER));
	json_object_set_new(root, "release", json_string(from->name));
	for (size_t i = 0; i < p->inv->hosts.n; i++)
		json_object_set_new(child(child(root, "nodes"), p->inv->hosts.v[i]->name),
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
				json_t *c = container(root, h, s->component);

				json_object_set_new(c, "release", json_string(from->name));
				json_object_set_new(c, "running", json_true());
				json_object_set_new(child(c, "images"), from->name, json_true());
			} else if ((streq(s->phase, "infra") || streq(s->phase, "ceph")) && s->owner) {
				json_t *mb = member(root, h, s->owner);

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
			json_t *ks = child(root, "keystone");
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
			struct db_ctx dc = { root, svc->name, from->name };

			if (!cat_range_has(&c->range, from->index))
				continue;
			for (size_t f = 0; f < c->nprovides; f++)
				add_fact(root, c->provides[f], from->name);
			/* The databases its release migrates exist, at that schema. */
			if (streq(c->kind, "db-sync")) {
				new_database(root, step_database(&tmp), svc->name, from->name);
				each_item(plan_step_param(&tmp, "cell_databases"), cell_database, &dc);
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

				ks_entries(root, &tmp, true);
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

unsigned sim_weight(const struct plan_step *s)
{
	static const struct { const char *kind; unsigned w; } w[] = {
		{ "db-backup", 8 }, { "db-sync", 6 }, { "online-migrations", 5 },
		{ "archive-deleted-rows", 4 }, { "host-upgrade", 6 },
		{ "galera-node-upgrade", 5 }, { "galera-bootstrap", 4 },
		{ "galera-join", 4 }, { "container-start", 2 }, { "command", 2 },
		{ "ceph-osd-upgrade", 4 }, { "rabbitmq-start", 3 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(w); i++)
		if (streq(w[i].kind, s->kind->name))
			return w[i].w;
	return 1;
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

static bool is_kind(const struct plan_step *s, const char *k)
{
	return streq(s->kind->name, k);
}

/* Every member of an infrastructure component, in host order. */
static size_t members_where(struct sim *m, const char *comp, const char *key,
			    const char *value, const char *release, size_t *ret_total)
{
	json_t *nodes = child(m->root, "nodes"), *n;
	const char *host;
	size_t count = 0, total = 0;

	json_object_foreach(nodes, host, n) {
		json_t *mb = json_object_get(json_object_get(n, "infra"), comp);

		if (!mb)
			continue;
		total++;
		if ((!key || streq(sat(mb, key), value)) &&
		    (!release || streq(sat(mb, "release"), release)))
			count++;
	}
	if (ret_total)
		*ret_total = total;
	return count;
}

enum sim_check sim_check(struct sim *m, size_t step, const struct inv_host *t)
{
	const struct plan_step *s = &m->p->steps.v[step];
	const char *to = hop_to(m, s)->name, *h = t ? t->name : NULL;
	const char *k = s->kind->name;
	json_t *root = m->root;

	if (is_kind(s, "container-stop"))
		return bool_at(container(root, h, s->component), "running") ? SIM_NOT_DONE : SIM_DONE;
	if (is_kind(s, "container-remove"))
		return json_is_string(json_object_get(container(root, h, s->component), "release")) ?
			SIM_NOT_DONE : SIM_DONE;
	if (is_kind(s, "image-remove")) {
		json_t *imgs = child(container(root, h, s->component), "images"), *v;
		const char *rel;

		json_object_foreach(imgs, rel, v)
			if (rel_index(m, rel) < hop_to(m, s)->index)
				return SIM_NOT_DONE;
		return SIM_DONE;
	}
	if (is_kind(s, "container-start")) {
		json_t *c = container(root, h, s->component);

		return bool_at(c, "running") && streq(sat(c, "release"), to) ?
			SIM_DONE : SIM_NOT_DONE;
	}
	if (is_kind(s, "config-migrate")) {
		const char *have = str_at(child(child(child(root, "nodes"), h), "config"), s->owner);

		return have && streq(have, to) ? SIM_DONE : SIM_NOT_DONE;
	}
	if (is_kind(s, "db-sync")) {
		json_t *d = json_object_get(child(root, "databases"), step_database(s));
		const char *id = strrchr(s->id, '/') + 1;

		return d && streq(sat(d, "release"), to) &&
		       json_object_get(json_object_get(d, "migrations"), id) ? SIM_DONE : SIM_NOT_DONE;
	}
	if (is_kind(s, "db-create"))
		return json_object_get(child(root, "databases"), step_database(s)) ? SIM_DONE : SIM_NOT_DONE;
	if (is_kind(s, "keystone-register"))
		return ks_entries(root, s, false) ? SIM_DONE : SIM_NOT_DONE;
	if (is_kind(s, "db-backup"))
		return json_object_get(child(root, "backups"), s->id) ? SIM_DONE : SIM_NOT_DONE;
	if (is_kind(s, "post-verify"))
		return streq(sat(root, "release"), to) ? SIM_DONE : SIM_NOT_DONE;
	if (is_kind(s, "host-upgrade"))
		return streq(sat(child(child(root, "nodes"), h), "os"), to) ?
			SIM_DONE : SIM_NOT_DONE;
	if (s->nprovides) {
		json_t *facts = child(root, "facts");

		for (size_t i = 0; i < s->nprovides; i++)
			if (rel_index(m, str_at(facts, s->provides[i])) < hop_to(m, s)->index)
				return SIM_NOT_DONE;
		return SIM_DONE;
	}
	/* Infrastructure members. */
	if (s->owner && (streq(s->phase, "infra") || streq(s->phase, "ceph"))) {
		bool all = true;

		for (size_t i = 0; i < s->ntargets; i++) {
			json_t *mb = member(root, t ? h : s->targets[i]->name, s->owner);
			const char *st = sat(mb, "state");
			bool at_to = streq(sat(mb, "release"), to);

			if (str_has_prefix(k, "galera-drain"))
				all &= bool_at(child(root, "galera"), "drained");
			else if (streq(k, "galera-stop") || streq(k, "rabbitmq-stop"))
				all &= streq(st, "stopped") || at_to;
			else if (streq(k, "rabbitmq-wipe"))
				all &= !bool_at(mb, "mnesia") || at_to;
			else if (streq(k, "rabbitmq-export"))
				all &= streq(sat(child(root, "rabbitmq"), "definitions"), to);
			else if (streq(k, "rabbitmq-import"))
				all &= bool_at(child(root, "rabbitmq"), "imported");
			else if (streq(k, "rabbitmq-policy"))
				all &= streq(sat(child(root, "rabbitmq"), "policy"), "ha-all");
			else if (str_has_suffix(k, "-validate"))
				return SIM_UNKNOWN;
			else
				all &= at_to && !streq(st, "stopped");
			if (t)
				break;
		}
		return all ? SIM_DONE : SIM_NOT_DONE;
	}
	return SIM_UNKNOWN;
}

/* ---- apply -------------------------------------------------------------- */

/* Is a container of component comp running on some node? */
static bool members_running(struct sim *m, const char *comp)
{
	json_t *nodes = child(m->root, "nodes"), *n;
	const char *host;

	json_object_foreach(nodes, host, n)
		if (bool_at(json_object_get(json_object_get(n, "containers"), comp), "running"))
			return true;
	return false;
}

static int unmet(struct sh_error *err, const struct plan_step *s, const struct inv_host *t,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int unmet(struct sh_error *err, const struct plan_step *s, const struct inv_host *t,
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

static int check_requires(struct sim *m, const struct plan_step *s,
			  const struct inv_host *t, struct sh_error *err)
{
	json_t *facts = child(m->root, "facts");

	for (size_t i = 0; i < s->nrequires; i++) {
		char fact[256];
		const char *at = split_req(s->requires[i], fact, sizeof(fact));
		const char *have = str_at(facts, fact);

		if (!have)
			return unmet(err, s, t, "'%s' is missing from the cloud (no step of this plan or of an earlier release provides it; the requirement comes from %s)",
				     fact, s->source ? s->source : "?");
		if (at && rel_index(m, have) < rel_index(m, at))
			return unmet(err, s, t, "'%s' was provided at %s, it must be from %s or later",
				     fact, have, at);
	}
	return 0;
}

/*
 * The catalog's compute floor: a control service of release R refuses to
 * start while a compute older than the oldest release R supports runs.
 */
static int compute_floor(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			 struct sh_error *err)
{
	const struct cat_service *svc = catalog_service(m->p->cat, s->owner);
	const struct cat_release *to = hop_to(m, s);
	json_t *nodes = child(m->root, "nodes"), *n;
	const char *host, *oldest = NULL;

	for (size_t i = 0; svc && i < svc->nfloor; i++)
		if (catalog_release(m->p->cat, svc->floor[i].key) == to)
			oldest = svc->floor[i].value;
	if (!oldest)
		return 0;
	json_object_foreach(nodes, host, n) {
		json_t *c = json_object_get(json_object_get(n, "containers"), svc->floor_component);
		const char *rel = str_at(c, "release");

		if (rel && rel_index(m, rel) < rel_index(m, oldest))
			return unmet(err, s, t, "%s %s refuses to start: %s on %s runs %s, older than the oldest it supports (%s; %s)",
				     s->component, to->name, svc->floor_component, host, rel,
				     oldest, svc->floor_source);
	}
	return 0;
}

/* A control container may start only on schemas and config of its release. */
static int start_preconditions(struct sim *m, const struct plan_step *s,
			       const struct inv_host *t, struct sh_error *err)
{
	const struct cat_release *to = hop_to(m, s);
	json_t *dbs = child(m->root, "databases"), *d;
	const char *name, *conf;

	conf = str_at(child(child(child(m->root, "nodes"), t->name), "config"), s->owner);
	if (!conf || rel_index(m, conf) < to->index)
		return unmet(err, s, t, "the %s configuration of %s was not rendered for %s",
			     s->owner, t->name, to->name);
	if (!component_is_control(m, s))
		return 0;
	if (compute_floor(m, s, t, err) < 0)
		return -1;
	json_object_foreach(dbs, name, d) {
		const char *rel = str_at(d, "release");

		if (!streq(sat(d, "owner"), s->owner))
			continue;
		if (rel_index(m, rel) < to->index)
			return unmet(err, s, t, "%s %s refuses to start: database '%s' has schema %s, older than %s",
				     s->component, to->name, name, rel ? rel : "(none)", to->name);
	}
	return 0;
}

static void put_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, json_string(v));
}

static int apply_infra(struct sim *m, const struct plan_step *s, const struct inv_host *t,
		       struct sh_error *err)
{
	const char *k = s->kind->name, *to = hop_to(m, s)->name, *own = s->owner;
	json_t *root = m->root;
	size_t total, n;

	if (streq(k, "galera-node-upgrade")) {
		n = members_where(m, own, "state", "synced", NULL, &total);
		if (total > 1 && n - streq(sat(member(root, t->name, own), "state"), "synced") < 1)
			return unmet(err, s, t, "no other Galera member is synced: the cluster would lose its primary component");
	} else if (streq(k, "galera-stop")) {
		if (!bool_at(child(root, "galera"), "drained"))
			return unmet(err, s, t, "the Galera backend is still enabled in HAProxy (drain it first)");
	} else if (streq(k, "galera-bootstrap")) {
		if (members_where(m, own, "state", "stopped", NULL, &total) != total)
			return unmet(err, s, t, "every Galera member must be stopped before a new cluster is bootstrapped");
	} else if (streq(k, "galera-join")) {
		if (!members_where(m, own, "state", "synced", to, NULL))
			return unmet(err, s, t, "no synced Galera member of %s to join", to);
	} else if (streq(k, "rabbitmq-wipe")) {
		if (!streq(sat(child(root, "rabbitmq"), "definitions"), to))
			return unmet(err, s, t, "RabbitMQ definitions were not exported: wiping mnesia would lose users, vhosts and policies");
		for (size_t i = 0; i < s->ntargets; i++)
			if (!streq(sat(member(root, s->targets[i]->name, own), "state"), "stopped"))
				return unmet(err, s, t, "RabbitMQ on %s is still running", s->targets[i]->name);
	} else if (streq(k, "rabbitmq-join") || streq(k, "rabbitmq-import") ||
		   streq(k, "rabbitmq-policy")) {
		if (!members_where(m, own, "state", "running", to, NULL))
			return unmet(err, s, t, "no running RabbitMQ node of %s", to);
		if (streq(k, "rabbitmq-import") &&
		    !streq(sat(child(root, "rabbitmq"), "definitions"), to))
			return unmet(err, s, t, "no exported RabbitMQ definitions to import");
	} else if (str_has_suffix(k, "-validate")) {
		const char *want = streq(own, "galera") ? "synced" : "running";

		if (members_where(m, own, "state", want, to, &total) != total)
			return unmet(err, s, t, "%zu of %zu %s members are %s at %s", 
				     members_where(m, own, "state", want, to, NULL), total, own, want, to);
		if (streq(own, "galera"))
			json_object_set_new(child(root, "galera"), "drained", json_false());
		return 0;
	}

	/* Effects. */
	if (streq(k, "galera-drain")) {
		json_object_set_new(child(root, "galera"), "drained", json_true());
		return 0;
	}
	if (streq(k, "rabbitmq-export")) {
		put_str(child(root, "rabbitmq"), "definitions", to);
		return 0;
	}
	if (streq(k, "rabbitmq-import")) {
		json_object_set_new(child(root, "rabbitmq"), "imported", json_true());
		return 0;
	}
	if (streq(k, "rabbitmq-policy")) {
		put_str(child(root, "rabbitmq"), "policy", "ha-all");
		return 0;
	}
	for (size_t i = 0; i < s->ntargets; i++) {
		json_t *mb = member(root, t ? t->name : s->targets[i]->name, own);

		if (streq(k, "galera-stop") || streq(k, "rabbitmq-stop")) {
			put_str(mb, "state", "stopped");
		} else if (streq(k, "rabbitmq-wipe")) {
			json_object_set_new(mb, "mnesia", json_false());
		} else {
			put_str(mb, "release", to);
			put_str(mb, "state", streq(own, "galera") ? "synced" : "running");
			if (streq(own, "rabbitmq"))
				json_object_set_new(mb, "mnesia", json_true());
			if (streq(own, "rabbitmq"))
				json_object_set_new(child(root, "rabbitmq"), "imported", json_false());
		}
		if (t)
			break;
	}
	return 0;
}

static void sync_cell_db(void *ctx, const char *name)
{
	struct db_ctx *c = ctx;
	json_t *d = json_object_get(child(c->root, "databases"), name);

	if (d)
		put_str(d, "release", c->release);
}

static int apply_step(struct sim *m, const struct plan_step *s, const struct inv_host *t,
		      struct sh_error *err)
{
	const char *k = s->kind->name, *to = hop_to(m, s)->name;
	json_t *root = m->root;

	if (check_requires(m, s, t, err) < 0)
		return -1;

	if (streq(k, "container-stop")) {
		json_object_set_new(container(root, t->name, s->component), "running", json_false());
	} else if (streq(k, "container-remove")) {
		json_t *c = container(root, t->name, s->component);

		if (bool_at(c, "running"))
			return unmet(err, s, t, "container %s is running (stop it first)", s->component);
		json_object_set_new(c, "release", json_null());
	} else if (streq(k, "image-remove")) {
		json_t *c = container(root, t->name, s->component), *imgs = child(c, "images"), *v;
		const char *rel;
		void *tmp;

		if (json_is_string(json_object_get(c, "release")))
			return unmet(err, s, t, "a container of %s still uses its image", s->component);
		json_object_foreach_safe(imgs, tmp, rel, v)
			if (rel_index(m, rel) < hop_to(m, s)->index)
				json_object_del(imgs, rel);
	} else if (streq(k, "container-start")) {
		json_t *c = container(root, t->name, s->component);

		if (bool_at(c, "running") && !streq(sat(c, "release"), to))
			return unmet(err, s, t, "the %s container of %s is still running",
				     sat(c, "release"), s->component);
		if (start_preconditions(m, s, t, err) < 0)
			return -1;
		put_str(c, "release", to);
		json_object_set_new(c, "running", json_true());
		json_object_set_new(child(c, "images"), to, json_true());
	} else if (streq(k, "health-check")) {
		if (sim_check(m, (size_t)(s - m->p->steps.v) - 1, t) == SIM_NOT_DONE &&
		    !(bool_at(container(root, t->name, s->component), "running")))
			return unmet(err, s, t, "%s is not running", s->component);
		if (!streq(sat(container(root, t->name, s->component), "release"), to))
			return unmet(err, s, t, "%s does not run %s", s->component, to);
	} else if (streq(k, "config-migrate")) {
		put_str(child(child(child(root, "nodes"), t->name), "config"), s->owner, to);
	} else if (streq(k, "db-create")) {
		if (!json_object_get(child(root, "databases"), step_database(s)))
			new_database(root, step_database(s), s->owner, NULL);
	} else if (streq(k, "db-sync")) {
		json_t *d = json_object_get(child(root, "databases"), step_database(s));
		struct db_ctx c = { root, s->owner, to };

		if (!d)
			return unmet(err, s, t, "database '%s' does not exist", step_database(s));
		if (!streq(sat(d, "release"), to))
			json_object_set_new(d, "migrations", json_object());
		put_str(d, "release", to);
		json_object_set_new(child(d, "migrations"), strrchr(s->id, '/') + 1, json_true());
		each_item(plan_step_param(s, "cell_databases"), sync_cell_db, &c);
	} else if (streq(k, "keystone-register")) {
		if (!members_running(m, "keystone"))
			return unmet(err, s, t, "no Keystone container is running");
		ks_entries(root, s, true);
	} else if (streq(k, "db-backup")) {
		json_object_set_new(child(root, "backups"), s->id,
				    json_deep_copy(child(root, "databases")));
	} else if (streq(k, "pre-validate") || streq(k, "post-verify") ||
		   streq(k, "status-check")) {
		json_t *nodes = child(root, "nodes"), *n, *c;
		const char *host, *comp;

		json_object_foreach(nodes, host, n)
			json_object_foreach(json_object_get(n, "containers"), comp, c) {
				const char *rel = str_at(c, "release");

				if (streq(k, "status-check") && !streq(comp, s->owner) &&
				    !str_has_prefix(comp, s->owner))
					continue;
				if (rel && !bool_at(c, "running"))
					return unmet(err, s, t, "%s on %s is stopped", comp, host);
				if (!streq(k, "pre-validate") && rel && !streq(rel, to))
					return unmet(err, s, t, "%s on %s runs %s, not %s", comp, host, rel, to);
			}
		if (streq(k, "post-verify"))
			put_str(root, "release", to);
	} else if (streq(k, "host-upgrade")) {
		put_str(child(child(root, "nodes"), t->name), "os", to);
	} else if (s->owner && (streq(s->phase, "infra") || streq(s->phase, "ceph"))) {
		if (apply_infra(m, s, t, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < s->nprovides; i++)
		add_fact(root, s->provides[i], to);
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
