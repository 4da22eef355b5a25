/* catalog-services.c - the catalog's services.yaml; see catalog.h. */
#include <stdio.h>

#include "catalog-internal.h"

static int load_component(struct loader *l, const yaml_node_t *n,
			  const char *svc, struct cat_component *c)
{
	static const char *const keys[] = { "name", "groups", "tier", "since",
		"until", "moved_to", "source", NULL };
	const char *name, *tier = NULL, *moved = NULL, *source;
	char what[200];

	snprintf(what, sizeof(what), "a component of '%s'", svc);
	if (ymap_check(&l->d, n, what, keys, l->err) < 0 ||
	    y_str(&l->d, n, "name", what, true, &name, l->err) < 0)
		return -1;
	snprintf(what, sizeof(what), "component '%s' of '%s'", name, svc);
	if (loader_str_list(l, n, "groups", what, true, &c->groups, &c->ngroups) < 0 ||
	    y_str(&l->d, n, "tier", what, false, &tier, l->err) < 0 ||
	    y_str(&l->d, n, "moved_to", what, false, &moved, l->err) < 0 ||
	    y_str(&l->d, n, "source", what, true, &source, l->err) < 0 ||
	    loader_range(l, n, what, &c->range) < 0)
		return -1;
	if (tier && !streq(tier, "control") && !streq(tier, "data"))
		return loader_error(l, ymap_get(&l->d, n, "tier"),
				    "tier of %s must be control or data, not '%s'", what, tier);
	c->tier = tier && streq(tier, "data") ? TIER_DATA : TIER_CONTROL;
	c->name = loader_dup(l, name);
	c->moved_to = moved ? loader_dup(l, moved) : NULL;
	c->source = loader_dup(l, source);
	c->line = ynode_line(n);
	return 0;
}

/* A service's compute_floor: the oldest compute release each one accepts. */
static int load_floor(struct loader *l, const yaml_node_t *f, const char *what,
		      struct cat_service *s)
{
	static const char *const floor_keys[] = { "component", "oldest", "source", NULL };
	const char *comp, *fsource;
	char fwhat[200];

	snprintf(fwhat, sizeof(fwhat), "compute_floor of %s", what);
	if (ymap_check(&l->d, f, fwhat, floor_keys, l->err) < 0 ||
	    y_str(&l->d, f, "component", fwhat, true, &comp, l->err) < 0 ||
	    y_str(&l->d, f, "source", fwhat, true, &fsource, l->err) < 0 ||
	    loader_kv_map(l, f, "oldest", fwhat, &s->floor, &s->nfloor) < 0)
		return -1;
	for (size_t i = 0; i < s->nfloor; i++)
		if (!catalog_release(l->cat, s->floor[i].key) ||
		    !catalog_release(l->cat, s->floor[i].value))
			return loader_error(l, ymap_get(&l->d, f, "oldest"),
					    "unknown release in '%s: %s' of %s",
					    s->floor[i].key, s->floor[i].value, fwhat);
	s->floor_component = loader_dup(l, comp);
	s->floor_source = loader_dup(l, fsource);
	return 0;
}

static int load_components(struct loader *l, const yaml_node_t *comps, const char *what,
			   struct cat_service *s)
{
	s->ncomponents = yseq_len(comps);
	s->components = arena_alloc(&l->cat->arena, s->ncomponents * sizeof(*s->components) + 1);
	for (size_t i = 0; i < s->ncomponents; i++) {
		if (load_component(l, yseq_at(&l->d, comps, i), s->name, &s->components[i]) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (streq(s->components[j].name, s->components[i].name))
				return loader_error(l, yseq_at(&l->d, comps, i),
						    "duplicate component '%s' in %s",
						    s->components[i].name, what);
	}
	return 0;
}

static int load_commands(struct loader *l, const yaml_node_t *cmds, const char *what,
			 struct cat_service *s)
{
	static const char *const cmd_keys[] = { "id", "kind", "stage", "since",
		"until", "offline", "all_nodes", "argv", "params", "provides", "requires",
		"source", NULL };

	s->ncommands = yseq_len(cmds);
	s->commands = arena_alloc(&l->cat->arena, s->ncommands * sizeof(*s->commands) + 1);
	for (size_t i = 0; i < s->ncommands; i++) {
		yaml_node_t *c = yseq_at(&l->d, cmds, i);
		struct cat_step *st = &s->commands[i];
		char cwhat[200];

		snprintf(cwhat, sizeof(cwhat), "a command of %s", what);
		if (ymap_check(&l->d, c, cwhat, cmd_keys, l->err) < 0 ||
		    loader_step_common(l, c, cwhat, st) < 0 ||
		    loader_range(l, c, cwhat, &st->range) < 0)
			return -1;
		st->service = s->name;
		/* The same id may appear for disjoint release ranges. */
		for (size_t j = 0; j < i; j++) {
			struct cat_step *o = &s->commands[j];
			bool disjoint = (o->range.until != RANGE_OPEN && st->range.since != RANGE_OPEN &&
					 o->range.until < st->range.since) ||
					(st->range.until != RANGE_OPEN && o->range.since != RANGE_OPEN &&
					 st->range.until < o->range.since);

			if (streq(o->id, st->id) && !disjoint)
				return loader_error(l, c, "command '%s' of %s overlaps the one at line %d (give them disjoint since/until)",
						    st->id, what, o->line);
		}
	}
	return 0;
}

static int load_keystone(struct loader *l, const yaml_node_t *ks, const char *what,
			 struct cat_service *s)
{
	static const char *const ks_keys[] = { "user", "type", "name", "port",
		"path", "since", "until", "source", NULL };

	s->nkeystone = yseq_len(ks);
	s->keystone = arena_alloc(&l->cat->arena, s->nkeystone * sizeof(*s->keystone) + 1);
	for (size_t i = 0; i < s->nkeystone; i++) {
		yaml_node_t *k = yseq_at(&l->d, ks, i);
		struct cat_keystone *e = &s->keystone[i];
		const char *user, *type, *kname, *path = "", *ksource;
		long port;
		char kwhat[200];

		snprintf(kwhat, sizeof(kwhat), "a keystone entry of %s", what);
		if (ymap_check(&l->d, k, kwhat, ks_keys, l->err) < 0 ||
		    y_str(&l->d, k, "user", kwhat, true, &user, l->err) < 0 ||
		    y_str(&l->d, k, "type", kwhat, true, &type, l->err) < 0 ||
		    y_str(&l->d, k, "name", kwhat, true, &kname, l->err) < 0 ||
		    y_long(&l->d, k, "port", kwhat, 1, 65535, true, &port, l->err) < 0 ||
		    y_str(&l->d, k, "path", kwhat, false, &path, l->err) < 0 ||
		    y_str(&l->d, k, "source", kwhat, true, &ksource, l->err) < 0 ||
		    loader_range(l, k, kwhat, &e->range) < 0)
			return -1;
		e->user = loader_dup(l, user);
		e->type = loader_dup(l, type);
		e->name = loader_dup(l, kname);
		e->path = loader_dup(l, path);
		e->source = loader_dup(l, ksource);
		e->port = (int)port;
		e->line = ynode_line(k);
	}
	return 0;
}

static int load_service(struct loader *l, const yaml_node_t *n,
			struct cat_service *s)
{
	static const char *const keys[] = { "name", "since", "until", "source",
		"components", "commands", "keystone", "compute_floor", NULL };
	const char *name, *source;
	yaml_node_t *comps, *cmds, *ks, *f;
	char what[160];

	if (ymap_check(&l->d, n, "a service", keys, l->err) < 0 ||
	    y_str(&l->d, n, "name", "a service", true, &name, l->err) < 0)
		return -1;
	snprintf(what, sizeof(what), "service '%s'", name);
	if (y_str(&l->d, n, "source", what, true, &source, l->err) < 0 ||
	    loader_range(l, n, what, &s->range) < 0 ||
	    y_seq(&l->d, n, "components", what, true, false, &comps, l->err) < 0 ||
	    y_seq(&l->d, n, "commands", what, false, false, &cmds, l->err) < 0 ||
	    y_seq(&l->d, n, "keystone", what, false, false, &ks, l->err) < 0)
		return -1;
	s->name = loader_dup(l, name);
	s->source = loader_dup(l, source);
	s->line = ynode_line(n);
	s->order = -1;
	if ((f = ymap_get(&l->d, n, "compute_floor")) && load_floor(l, f, what, s) < 0)
		return -1;
	if (load_components(l, comps, what, s) < 0 ||
	    load_commands(l, cmds, what, s) < 0 ||
	    load_keystone(l, ks, what, s) < 0)
		return -1;
	return 0;
}

int catalog_load_services(struct loader *l)
{
	static const char *const top[] = { "sources", "order", "services", NULL };
	static const char *const order_keys[] = { "services", "source", NULL };
	struct catalog *cat = l->cat;
	yaml_node_t *root, *seq, *order;
	const char **names;
	const char *source;
	size_t nnames;
	struct cat_service *loaded;
	int r = -1;

	if (loader_open(l, "services.yaml") < 0)
		return -1;
	root = ydoc_root(&l->d);
	if (ymap_check(&l->d, root, "services.yaml", top, l->err) < 0 ||
	    y_seq(&l->d, root, "services", "services.yaml", true, false, &seq, l->err) < 0)
		goto out;
	order = ymap_get(&l->d, root, "order");
	if (!order) {
		loader_error(l, root, "missing field 'order' in services.yaml (expected the rolling order of services)");
		goto out;
	}
	if (ymap_check(&l->d, order, "order", order_keys, l->err) < 0 ||
	    loader_str_list(l, order, "services", "order", true, &names, &nnames) < 0 ||
	    y_str(&l->d, order, "source", "order", true, &source, l->err) < 0)
		goto out;
	cat->order_source = loader_dup(l, source);

	size_t n = yseq_len(seq);
	loaded = arena_alloc(&cat->arena, n * sizeof(*loaded) + 1);
	for (size_t i = 0; i < n; i++) {
		if (load_service(l, yseq_at(&l->d, seq, i), &loaded[i]) < 0)
			goto out;
		for (size_t j = 0; j < i; j++)
			if (streq(loaded[j].name, loaded[i].name)) {
				loader_error(l, yseq_at(&l->d, seq, i),
					     "duplicate service '%s' (first at line %d)",
					     loaded[i].name, loaded[j].line);
				goto out;
			}
	}
	/* Store services in rolling order. */
	cat->services = arena_alloc(&cat->arena, n * sizeof(*cat->services) + 1);
	for (size_t k = 0; k < nnames; k++) {
		size_t i;

		for (i = 0; i < n && !streq(loaded[i].name, names[k]); i++)
			;
		if (i == n) {
			loader_error(l, order, "order names service '%s', which services.yaml does not define",
				     names[k]);
			goto out;
		}
		if (loaded[i].order >= 0) {
			loader_error(l, order, "order names service '%s' twice", names[k]);
			goto out;
		}
		loaded[i].order = (int)k;
		cat->services[cat->nservices++] = loaded[i];
	}
	for (size_t i = 0; i < n; i++)
		if (loaded[i].order < 0) {
			sh_error_at(l->err, l->path, loaded[i].line,
				    "service '%s' is missing from order (expected every service in the rolling order)",
				    loaded[i].name);
			goto out;
		}
	/* moved_to must name a service. */
	for (size_t i = 0; i < cat->nservices; i++)
		for (size_t j = 0; j < cat->services[i].ncomponents; j++) {
			struct cat_component *c = &cat->services[i].components[j];

			if (c->moved_to && !catalog_service(cat, c->moved_to)) {
				sh_error_at(l->err, l->path, c->line,
					    "component '%s' moves to unknown service '%s'",
					    c->name, c->moved_to);
				goto out;
			}
		}
	r = 0;
out:
	ydoc_release(&l->d);
	return r;
}
