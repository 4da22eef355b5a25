/*
 * sim-service.c - OpenStack containers, databases, configuration and
 * Keystone entries in the simulated cloud, and the hop's own steps
 * (validation, backup, host upgrade, verification): what each of those
 * kinds checks and applies (sim.h).
 */
#include <stdio.h>
#include <string.h>

#include "sim-internal.h"

static bool component_is_control(const struct sim *m, const struct plan_step *s)
{
	const struct catalog *cat = m->p->cat;

	for (size_t i = 0; i < cat->nservices; i++)
		for (size_t k = 0; k < cat->services[i].ncomponents; k++)
			if (streq(cat->services[i].components[k].name, s->component))
				return cat->services[i].components[k].tier == TIER_CONTROL;
	return true;
}

/* Is a container of component comp running on some node? */
static bool members_running(struct sim *m, const char *comp)
{
	json_t *nodes = sim_child(m->root, "nodes"), *n;
	const char *host;

	json_object_foreach(nodes, host, n)
		if (sim_bool(json_object_get(json_object_get(n, "containers"), comp), "running"))
			return true;
	return false;
}

/*
 * The catalog's compute floor: a control service of release R refuses to
 * start while a compute older than the oldest release R supports runs.
 */
static int compute_floor(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			 struct sh_error *err)
{
	const struct cat_service *svc = catalog_service(m->p->cat, s->owner);
	const struct cat_release *to = sim_hop_to(m, s);
	json_t *nodes = sim_child(m->root, "nodes"), *n;
	const char *host, *oldest = NULL;

	for (size_t i = 0; svc && i < svc->nfloor; i++)
		if (catalog_release(m->p->cat, svc->floor[i].key) == to)
			oldest = svc->floor[i].value;
	if (!oldest)
		return 0;
	json_object_foreach(nodes, host, n) {
		json_t *c = json_object_get(json_object_get(n, "containers"), svc->floor_component);
		const char *rel = sim_str(c, "release");

		if (rel && sim_rel_index(m, rel) < sim_rel_index(m, oldest))
			return sim_unmet(err, s, t, "%s %s refuses to start: %s on %s runs %s, older than the oldest it supports (%s; %s)",
				     s->component, to->name, svc->floor_component, host, rel,
				     oldest, svc->floor_source);
	}
	return 0;
}

/* A control container may start only on schemas and config of its release. */
static int start_preconditions(struct sim *m, const struct plan_step *s,
			       const struct inv_host *t, struct sh_error *err)
{
	const struct cat_release *to = sim_hop_to(m, s);
	json_t *dbs = sim_child(m->root, "databases"), *d;
	const char *name, *conf;

	conf = sim_str(sim_child(sim_child(sim_child(m->root, "nodes"), t->name), "config"), s->owner);
	if (!conf || sim_rel_index(m, conf) < to->index)
		return sim_unmet(err, s, t, "the %s configuration of %s was not rendered for %s",
			     s->owner, t->name, to->name);
	if (!component_is_control(m, s))
		return 0;
	if (compute_floor(m, s, t, err) < 0)
		return -1;
	json_object_foreach(dbs, name, d) {
		const char *rel = sim_str(d, "release");

		if (!streq(sim_sat(d, "owner"), s->owner))
			continue;
		if (sim_rel_index(m, rel) < to->index)
			return sim_unmet(err, s, t, "%s %s refuses to start: database '%s' has schema %s, older than %s",
				     s->component, to->name, name, rel ? rel : "(none)", to->name);
	}
	return 0;
}

/* ---- containers ---------------------------------------------------------- */

enum sim_check sim_check_container_stop(struct sim *m, const struct plan_step *s,
					const struct inv_host *t)
{
	return sim_bool(sim_container(m->root, t->name, s->component), "running") ?
		SIM_NOT_DONE : SIM_DONE;
}

int sim_apply_container_stop(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			     struct sh_error *err)
{
	(void)err;
	json_object_set_new(sim_container(m->root, t->name, s->component), "running", json_false());
	return 0;
}

enum sim_check sim_check_container_remove(struct sim *m, const struct plan_step *s,
					  const struct inv_host *t)
{
	return json_is_string(json_object_get(sim_container(m->root, t->name, s->component),
					      "release")) ? SIM_NOT_DONE : SIM_DONE;
}

int sim_apply_container_remove(struct sim *m, const struct plan_step *s,
			       const struct inv_host *t, struct sh_error *err)
{
	json_t *c = sim_container(m->root, t->name, s->component);

	if (sim_bool(c, "running"))
		return sim_unmet(err, s, t, "container %s is running (stop it first)", s->component);
	json_object_set_new(c, "release", json_null());
	return 0;
}

enum sim_check sim_check_image_remove(struct sim *m, const struct plan_step *s,
				      const struct inv_host *t)
{
	json_t *imgs = sim_child(sim_container(m->root, t->name, s->component), "images"), *v;
	const char *rel;

	json_object_foreach(imgs, rel, v)
		if (sim_rel_index(m, rel) < sim_hop_to(m, s)->index)
			return SIM_NOT_DONE;
	return SIM_DONE;
}

int sim_apply_image_remove(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			   struct sh_error *err)
{
	json_t *c = sim_container(m->root, t->name, s->component), *imgs = sim_child(c, "images"), *v;
	const char *rel;
	void *tmp;

	if (json_is_string(json_object_get(c, "release")))
		return sim_unmet(err, s, t, "a container of %s still uses its image", s->component);
	json_object_foreach_safe(imgs, tmp, rel, v)
		if (sim_rel_index(m, rel) < sim_hop_to(m, s)->index)
			json_object_del(imgs, rel);
	return 0;
}

enum sim_check sim_check_container_start(struct sim *m, const struct plan_step *s,
					 const struct inv_host *t)
{
	json_t *c = sim_container(m->root, t->name, s->component);

	return sim_bool(c, "running") && streq(sim_sat(c, "release"), sim_hop_to(m, s)->name) ?
		SIM_DONE : SIM_NOT_DONE;
}

int sim_apply_container_start(struct sim *m, const struct plan_step *s,
			      const struct inv_host *t, struct sh_error *err)
{
	const char *to = sim_hop_to(m, s)->name;
	json_t *c = sim_container(m->root, t->name, s->component);

	if (sim_bool(c, "running") && !streq(sim_sat(c, "release"), to))
		return sim_unmet(err, s, t, "the %s container of %s is still running",
				 sim_sat(c, "release"), s->component);
	if (start_preconditions(m, s, t, err) < 0)
		return -1;
	sim_put_str(c, "release", to);
	json_object_set_new(c, "running", json_true());
	json_object_set_new(sim_child(c, "images"), to, json_true());
	return 0;
}

int sim_apply_health_check(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			   struct sh_error *err)
{
	json_t *c = sim_container(m->root, t->name, s->component);

	/* The container-start before it (a health check follows its start). */
	if (sim_check(m, (size_t)(s - m->p->steps.v) - 1, t) == SIM_NOT_DONE &&
	    !sim_bool(c, "running"))
		return sim_unmet(err, s, t, "%s is not running", s->component);
	if (!streq(sim_sat(sim_container(m->root, t->name, s->component), "release"),
		   sim_hop_to(m, s)->name))
		return sim_unmet(err, s, t, "%s does not run %s", s->component, sim_hop_to(m, s)->name);
	return 0;
}

/* ---- configuration, databases, Keystone ---------------------------------- */

static json_t *node_config(struct sim *m, const struct inv_host *t)
{
	return sim_child(sim_child(sim_child(m->root, "nodes"), t->name), "config");
}

enum sim_check sim_check_config_migrate(struct sim *m, const struct plan_step *s,
					const struct inv_host *t)
{
	const char *have = sim_str(node_config(m, t), s->owner);

	return have && streq(have, sim_hop_to(m, s)->name) ? SIM_DONE : SIM_NOT_DONE;
}

int sim_apply_config_migrate(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			     struct sh_error *err)
{
	(void)err;
	sim_put_str(node_config(m, t), s->owner, sim_hop_to(m, s)->name);
	return 0;
}

enum sim_check sim_check_db_create(struct sim *m, const struct plan_step *s,
				   const struct inv_host *t)
{
	(void)t;
	return json_object_get(sim_child(m->root, "databases"), sim_step_database(s)) ?
		SIM_DONE : SIM_NOT_DONE;
}

int sim_apply_db_create(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			struct sh_error *err)
{
	(void)t;
	(void)err;
	if (!json_object_get(sim_child(m->root, "databases"), sim_step_database(s)))
		sim_new_database(m->root, sim_step_database(s), s->owner, NULL);
	return 0;
}

enum sim_check sim_check_db_sync(struct sim *m, const struct plan_step *s,
				 const struct inv_host *t)
{
	json_t *d = json_object_get(sim_child(m->root, "databases"), sim_step_database(s));
	const char *id = strrchr(s->id, '/') + 1;

	(void)t;
	return d && streq(sim_sat(d, "release"), sim_hop_to(m, s)->name) &&
	       json_object_get(json_object_get(d, "migrations"), id) ? SIM_DONE : SIM_NOT_DONE;
}

static void sync_cell_db(void *ctx, const char *name)
{
	struct sim_db_ctx *c = ctx;
	json_t *d = json_object_get(sim_child(c->root, "databases"), name);

	if (d)
		sim_put_str(d, "release", c->release);
}

int sim_apply_db_sync(struct sim *m, const struct plan_step *s, const struct inv_host *t,
		      struct sh_error *err)
{
	const char *to = sim_hop_to(m, s)->name;
	json_t *d = json_object_get(sim_child(m->root, "databases"), sim_step_database(s));
	struct sim_db_ctx c = { m->root, s->owner, to };

	if (!d)
		return sim_unmet(err, s, t, "database '%s' does not exist", sim_step_database(s));
	if (!streq(sim_sat(d, "release"), to))
		json_object_set_new(d, "migrations", json_object());
	sim_put_str(d, "release", to);
	json_object_set_new(sim_child(d, "migrations"), strrchr(s->id, '/') + 1, json_true());
	sim_each_item(plan_step_param(s, "cell_databases"), sync_cell_db, &c);
	return 0;
}

enum sim_check sim_check_keystone_register(struct sim *m, const struct plan_step *s,
					   const struct inv_host *t)
{
	(void)t;
	return sim_ks_entries(m->root, s, false) ? SIM_DONE : SIM_NOT_DONE;
}

int sim_apply_keystone_register(struct sim *m, const struct plan_step *s,
				const struct inv_host *t, struct sh_error *err)
{
	if (!members_running(m, "keystone"))
		return sim_unmet(err, s, t, "no Keystone container is running");
	sim_ks_entries(m->root, s, true);
	return 0;
}

/* ---- the hop ------------------------------------------------------------- */

enum sim_check sim_check_db_backup(struct sim *m, const struct plan_step *s,
				   const struct inv_host *t)
{
	(void)t;
	return json_object_get(sim_child(m->root, "backups"), s->id) ? SIM_DONE : SIM_NOT_DONE;
}

int sim_apply_db_backup(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			struct sh_error *err)
{
	(void)t;
	(void)err;
	json_object_set_new(sim_child(m->root, "backups"), s->id,
			    json_deep_copy(sim_child(m->root, "databases")));
	return 0;
}

/*
 * Every container (of the step's service only, for a status check) runs,
 * and (unless before the hop) at the hop's release.
 */
static int containers_up(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			 bool service_only, bool at_release, struct sh_error *err)
{
	const char *to = sim_hop_to(m, s)->name, *host, *comp;
	json_t *nodes = sim_child(m->root, "nodes"), *n, *c;

	json_object_foreach(nodes, host, n)
		json_object_foreach(json_object_get(n, "containers"), comp, c) {
			const char *rel = sim_str(c, "release");

			if (service_only && !streq(comp, s->owner) && !str_has_prefix(comp, s->owner))
				continue;
			if (rel && !sim_bool(c, "running"))
				return sim_unmet(err, s, t, "%s on %s is stopped", comp, host);
			if (at_release && rel && !streq(rel, to))
				return sim_unmet(err, s, t, "%s on %s runs %s, not %s", comp, host, rel, to);
		}
	return 0;
}

int sim_apply_pre_validate(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			   struct sh_error *err)
{
	return containers_up(m, s, t, false, false, err);
}

int sim_apply_status_check(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			   struct sh_error *err)
{
	return containers_up(m, s, t, true, true, err);
}

enum sim_check sim_check_post_verify(struct sim *m, const struct plan_step *s,
				     const struct inv_host *t)
{
	(void)t;
	return streq(sim_sat(m->root, "release"), sim_hop_to(m, s)->name) ? SIM_DONE : SIM_NOT_DONE;
}

int sim_apply_post_verify(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			  struct sh_error *err)
{
	if (containers_up(m, s, t, false, true, err) < 0)
		return -1;
	sim_put_str(m->root, "release", sim_hop_to(m, s)->name);
	return 0;
}

enum sim_check sim_check_host_upgrade(struct sim *m, const struct plan_step *s,
				      const struct inv_host *t)
{
	return streq(sim_sat(sim_child(sim_child(m->root, "nodes"), t->name), "os"),
		     sim_hop_to(m, s)->name) ? SIM_DONE : SIM_NOT_DONE;
}

int sim_apply_host_upgrade(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			   struct sh_error *err)
{
	(void)err;
	sim_put_str(sim_child(sim_child(m->root, "nodes"), t->name), "os", sim_hop_to(m, s)->name);
	return 0;
}
