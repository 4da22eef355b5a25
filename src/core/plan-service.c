/* plan-service.c - the planner's OpenStack services; see plan.h. */
#include <stdio.h>

#include "plan-internal.h"

/* ---- OpenStack services ------------------------------------------------ */

struct comp_plan {
	const struct cat_component *c;
	const char *owner;		/* service the container belongs to */
	bool old, new;
	inv_host_vec hosts;
	batch_vec batches;
	size_t stopped;			/* batches stopped in the first wave */
};

/* Does the rename apply to this hop (see config-renames.yaml)? */
static bool rename_applies(struct builder *b, const struct cat_rename *rn,
			   const char *service)
{
	int at = rn->deprecated != RANGE_OPEN ? rn->deprecated : rn->removed;
	bool svc = false;

	for (size_t i = 0; i < rn->nservices; i++)
		svc |= streq(rn->services[i], "all") || streq(rn->services[i], service);
	if (!svc || at > b->to->index)
		return false;
	return b->hop == 0 || at > b->from->index;
}

static bool cmd_selected(struct builder *b, const struct cat_step *c,
			 bool old, bool new)
{
	if (c->stage == STAGE_PRE)
		return old && cat_range_has(&c->range, b->from->index);
	return new && cat_range_has(&c->range, b->to->index);
}

static bool service_selected(const struct settings *st, const char *name)
{
	if (!st->services)
		return true;
	for (size_t i = 0; i < st->nservices; i++)
		if (streq(st->services[i], name))
			return true;
	return false;
}

/*
 * The image version the settings name for an OpenStack component
 * (components: NAME: {version}), else for its service, or NULL.
 */
static const char *component_version(struct builder *b, const char *component,
				     const char *service)
{
	const struct setting_choice *ch = settings_choice(&b->st->modes, component);

	if (!ch || !ch->version)
		ch = settings_choice(&b->st->modes, service);
	return ch ? ch->version : NULL;
}

/* params with "version" appended (arena), or params itself without a version. */
static const struct cat_kv *with_version(struct builder *b, const struct cat_kv *params,
					 size_t n, const char *version, size_t *nout)
{
	struct cat_kv *kv;

	*nout = n;
	if (!version)
		return params;
	kv = arena_alloc(&b->p->arena, (n + 1) * sizeof(*kv));
	for (size_t i = 0; i < n; i++)
		kv[i] = params[i];
	kv[n].key = "version";
	kv[n].value = arena_strdup(&b->p->arena, version);
	*nout = n + 1;
	return kv;
}

/* Container steps for one batch: stop, remove, remove image / start, check. */
static int container_steps(struct builder *b, struct comp_plan *cp, size_t k,
			   bool stop, bool start, idx_vec *tail)
{
	static const char *const stop_kinds[] = { "container-stop",
		"container-remove", "image-remove" };
	static const char *const start_kinds[] = { "container-start", "health-check" };
	struct batch *bt = &cp->batches.v[k];
	struct step_spec sp = {
		.owner = cp->owner, .component = cp->c->name,
		.targets = bt->hosts, .ntargets = bt->n,
		.batch = (int)k + 1, .nbatches = (int)cp->batches.n,
		.max_fail = bt->max_fail, .source = cp->c->source,
	};

	const char *version = component_version(b, cp->c->name, cp->owner);

	for (size_t i = 0; stop && i < ARRAY_SIZE(stop_kinds); i++) {
		long s;

		sp.kind = stop_kinds[i];
		/* The image kept when the old ones go: the new release's. */
		sp.params = with_version(b, NULL, 0, i == 2 ? version : NULL, &sp.nparams);
		s = plan_add_step(b, &sp, tail, "%s/%s/%s#b%zu", cp->owner, cp->c->name,
				  sp.kind, k + 1);
		if (s < 0)
			return -1;
		plan_dep_set(tail, (size_t)s);
	}
	for (size_t i = 0; start && i < ARRAY_SIZE(start_kinds); i++) {
		long s;

		sp.kind = start_kinds[i];
		sp.params = with_version(b, NULL, 0, i == 0 ? version : NULL, &sp.nparams);
		s = plan_add_step(b, &sp, tail, "%s/%s/%s#b%zu", cp->owner, cp->c->name,
				  sp.kind, k + 1);
		if (s < 0)
			return -1;
		plan_dep_set(tail, (size_t)s);
	}
	return 0;
}

/* One catalog step (command or mandatory hop step) of a service. */
static long catalog_step(struct builder *b, const struct cat_service *svc,
			 const struct cat_step *c, inv_host_vec *where,
			 idx_vec *deps)
{
	struct step_spec sp = {
		.kind = c->kind, .owner = svc->name,
		.targets = where->v, .ntargets = c->all_nodes ? where->n : 1,
		.argv = c->argv, .argc = c->argc, .source = c->source,
		.provides = c->provides, .nprovides = c->nprovides,
		.requires = c->requires, .nrequires = c->nrequires,
	};
	long i;

	/* A command after the old containers runs in the new release's image. */
	sp.params = with_version(b, c->params, c->nparams,
				 c->stage == STAGE_PRE ? NULL : component_version(b, svc->name, svc->name),
				 &sp.nparams);
	i = plan_add_step(b, &sp, deps, "%s/%s", svc->name, c->id);

	if (i < 0 && c->file)
		sh_error_prefix(b->err, "%s:%d", c->file, c->line);
	return i;
}

static void add_service_summary(struct builder *b, const char *name,
				const char *mode, const char *why, size_t first)
{
	struct plan_hop *h = &b->p->hops.v[b->hop];
	struct plan_service s = { name, mode, why, first, b->p->steps.n - first };

	vec_push(h->services, s);
}

/* What the planning of one service in one hop works with. */
struct svc_plan {
	const struct cat_service *svc;
	bool old, new;			/* in the hop's from / to release */
	bool offline;			/* a command needs the old containers stopped */
	VEC(struct comp_plan) comps;
	VEC(const struct cat_step *) steps[STAGE_COUNT];
	inv_host_vec hosts;		/* every host of a new container */
	inv_host_vec first_host;	/* where one-shot commands run */
};

static void svc_plan_release(struct svc_plan *sp)
{
	for (size_t k = 0; k < sp->comps.n; k++) {
		vec_free(sp->comps.v[k].hosts);
		vec_free(sp->comps.v[k].batches);
	}
	vec_free(sp->comps);
	for (int s = 0; s < STAGE_COUNT; s++)
		vec_free(sp->steps[s]);
	vec_free(sp->hosts);
	vec_free(sp->first_host);
}

/*
 * The service's components, and components moving into it from another
 * service, with their hosts and batches.  Returns whether any has hosts
 * (only those are kept).
 */
static bool collect_components(struct builder *b, struct svc_plan *sp)
{
	const int f = b->from->index, t = b->to->index;
	bool any_hosts = false;

	for (size_t s = 0; s < b->cat->nservices; s++) {
		const struct cat_service *o = &b->cat->services[s];

		for (size_t k = 0; k < o->ncomponents; k++) {
			const struct cat_component *c = &o->components[k];
			bool o_old = cat_range_has(&o->range, f) && cat_range_has(&c->range, f);
			bool o_new = cat_range_has(&o->range, t) && cat_range_has(&c->range, t);
			struct comp_plan cp = { .c = c, .owner = o->name };

			const struct cat_service *dest =
				c->moved_to ? catalog_service(b->cat, c->moved_to) : NULL;
			bool handed_over = dest && o_old && !o_new &&
					   cat_range_has(&dest->range, t);

			if (o == sp->svc) {
				if (handed_over)
					continue;	/* dest retires it */
				cp.old = o_old;
				cp.new = o_new;
			} else if (handed_over && dest == sp->svc) {
				cp.old = true;	/* retired in favour of svc */
			} else {
				continue;
			}
			if (!cp.old && !cp.new)
				continue;
			plan_select_hosts(b, c->groups, c->ngroups, &cp.hosts);
			if (!cp.hosts.n) {
				vec_free(cp.hosts);
				continue;
			}
			any_hosts = true;
			plan_make_batches(b, &cp.hosts, &cp.batches);
			vec_push(sp->comps, cp);
		}
	}
	return any_hosts;
}

/* Hosts for service-wide steps: every host of a new container, the
 * first host of a control container for one-shot commands. */
static void collect_hosts(struct builder *b, struct svc_plan *sp)
{
	const char *name = sp->svc->name;

	b->inv->mark++;
	for (size_t k = 0; k < sp->comps.n; k++) {
		struct comp_plan *cp = &sp->comps.v[k];

		if (!cp->new && !streq(cp->owner, name))
			continue;
		for (size_t j = 0; j < cp->hosts.n; j++)
			if (cp->hosts.v[j]->mark != b->inv->mark) {
				cp->hosts.v[j]->mark = b->inv->mark;
				vec_push(sp->hosts, cp->hosts.v[j]);
			}
	}
	for (size_t k = 0; k < sp->comps.n && !sp->first_host.n; k++)
		if (sp->comps.v[k].c->tier == TIER_CONTROL && streq(sp->comps.v[k].owner, name))
			vec_push(sp->first_host, sp->comps.v[k].hosts.v[0]);
	if (!sp->first_host.n)
		vec_push(sp->first_host,
			 sp->hosts.n ? sp->hosts.v[0] : sp->comps.v[0].hosts.v[0]);
}

/* Commands of the service and mandatory steps of the hop, by stage. */
static void collect_steps(struct builder *b, struct svc_plan *sp)
{
	const struct cat_service *svc = sp->svc;

	for (size_t k = 0; k < svc->ncommands; k++) {
		const struct cat_step *c = &svc->commands[k];

		if (cmd_selected(b, c, sp->old, sp->new)) {
			vec_push(sp->steps[c->stage], c);
			sp->offline |= c->offline;
		}
	}
	for (size_t k = 0; sp->new && k < b->to->nsteps; k++) {
		const struct cat_step *c = &b->to->steps[k];

		if (streq(c->service, svc->name)) {
			vec_push(sp->steps[c->stage], c);
			sp->offline |= c->offline;
		}
	}
}

/*
 * The catalog steps of one stage, one after the other after *tail: on
 * the first host, or with all_nodes on every host of the service when
 * the stage runs after the first wave (every_host).
 */
static int stage_steps(struct builder *b, struct svc_plan *sp, int stage,
		       bool every_host, idx_vec *tail)
{
	for (size_t k = 0; k < sp->steps[stage].n; k++) {
		const struct cat_step *c = sp->steps[stage].v[k];
		inv_host_vec *where = every_host && c->all_nodes ? &sp->hosts : &sp->first_host;
		long i;

		if ((i = catalog_step(b, sp->svc, c, where, tail)) < 0)
			return -1;
		plan_dep_set(tail, (size_t)i);
	}
	return 0;
}

/* The new release's configuration, renames applied. */
static int plan_config_migrate(struct builder *b, struct svc_plan *sp, idx_vec *tail)
{
	const struct cat_service *svc = sp->svc;
	VEC(const struct cat_rename *) rn = { 0 };
	struct step_spec spec = { .kind = "config-migrate", .owner = svc->name,
				  .targets = sp->hosts.v, .ntargets = sp->hosts.n,
				  .source = svc->source };
	long i;

	for (size_t k = 0; k < b->cat->nrenames; k++)
		if (rename_applies(b, &b->cat->renames[k], svc->name))
			vec_push(rn, &b->cat->renames[k]);
	i = plan_add_step(b, &spec, tail, "%s/config-migrate", svc->name);
	if (i >= 0 && rn.n) {
		struct plan_step *ps = &b->p->steps.v[i];

		ps->renames = arena_memdup(&b->p->arena, rn.v, rn.n, sizeof(*rn.v));
		ps->nrenames = rn.n;
	}
	vec_free(rn);
	if (i < 0)
		return -1;
	plan_dep_set(tail, (size_t)i);
	return 0;
}

/* The Keystone entries of the service the hop's target release has. */
static int plan_keystone(struct builder *b, struct svc_plan *sp, idx_vec *tail)
{
	const struct cat_service *svc = sp->svc;

	for (size_t k = 0; k < svc->nkeystone; k++) {
		const struct cat_keystone *e = &svc->keystone[k];
		struct cat_kv *kv;
		struct step_spec spec = { .kind = "keystone-register", .owner = svc->name,
					  .targets = sp->first_host.v, .ntargets = 1,
					  .source = e->source };
		long i;

		if (!cat_range_has(&e->range, b->to->index))
			continue;
		kv = arena_alloc(&b->p->arena, 6 * sizeof(*kv));
		kv[0] = (struct cat_kv){ "object", "user+service+endpoints" };
		kv[1] = (struct cat_kv){ "user", e->user };
		kv[2] = (struct cat_kv){ "type", e->type };
		kv[3] = (struct cat_kv){ "name", e->name };
		kv[4] = (struct cat_kv){ "port", arena_printf(&b->p->arena, "%d", e->port) };
		kv[5] = (struct cat_kv){ "path", e->path };
		spec.params = kv;
		spec.nparams = 6;
		if ((i = plan_add_step(b, &spec, tail, "%s/keystone-%s", svc->name, e->type)) < 0)
			return -1;
		plan_dep_set(tail, (size_t)i);
	}
	return 0;
}

/* First wave: the first batch of every control container (every batch
 * when a migration is offline, every host of a retired one), each after
 * *tail; then *tail is the set of their first steps. */
static int plan_first_wave(struct builder *b, struct svc_plan *sp, idx_vec *tail)
{
	idx_vec wave = { 0 }, deps = { 0 };
	int r = -1;

	for (size_t k = 0; k < sp->comps.n; k++) {
		struct comp_plan *cp = &sp->comps.v[k];
		size_t n;

		if (!cp->old || (cp->c->tier == TIER_DATA && cp->new))
			continue;
		n = (sp->offline || !cp->new) ? cp->batches.n : 1;
		for (size_t j = 0; j < n; j++) {
			deps.n = 0;
			for (size_t d = 0; d < tail->n; d++)
				plan_dep_add(&deps, tail->v[d]);
			if (container_steps(b, cp, j, true, false, &deps) < 0)
				goto out;
			plan_dep_add(&wave, deps.v[0]);
		}
		cp->stopped = n;
	}
	if (wave.n) {
		tail->n = 0;
		for (size_t k = 0; k < wave.n; k++)
			plan_dep_add(tail, wave.v[k]);
	}
	r = 0;
out:
	vec_free(wave);
	vec_free(deps);
	return r;
}

/* Control containers in order, batch by batch, each batch gated on the
 * previous one's health check; then the data plane. */
static int plan_rollout(struct builder *b, struct svc_plan *sp, idx_vec *tail)
{
	for (int tier = TIER_CONTROL; tier <= TIER_DATA; tier++)
		for (size_t k = 0; k < sp->comps.n; k++) {
			struct comp_plan *cp = &sp->comps.v[k];

			if (!cp->new || (int)cp->c->tier != tier)
				continue;
			for (size_t j = 0; j < cp->batches.n; j++)
				if (container_steps(b, cp, j, cp->old && j >= cp->stopped,
						    true, tail) < 0)
					return -1;
		}
	return 0;
}

int plan_openstack_service(struct builder *b, const struct cat_service *svc,
			   idx_vec *tail)
{
	struct svc_plan sp = { .svc = svc };
	const size_t first = b->p->steps.n;
	int r = -1;

	sp.old = cat_range_has(&svc->range, b->from->index);
	sp.new = cat_range_has(&svc->range, b->to->index);
	if (!sp.old && !sp.new)
		return 0;
	if (!service_selected(b->st, svc->name)) {
		add_service_summary(b, svc->name, "skipped", "not among the settings' services", first);
		return 0;
	}
	if (!collect_components(b, &sp)) {
		add_service_summary(b, svc->name, "skipped",
				    "no inventory group for any of its containers", first);
		r = 0;
		goto out;
	}
	collect_hosts(b, &sp);
	collect_steps(b, &sp);

	/* pre: with the old code, before anything is touched; then the new
	 * configuration, Keystone entries and the hop's register steps; the
	 * first wave; prepare and bootstrap, one after the other; the
	 * containers; post: after every container runs the new release. */
	if (stage_steps(b, &sp, STAGE_PRE, false, tail) < 0 ||
	    (sp.new && sp.hosts.n && plan_config_migrate(b, &sp, tail) < 0) ||
	    (sp.new && plan_keystone(b, &sp, tail) < 0) ||
	    stage_steps(b, &sp, STAGE_REGISTER, false, tail) < 0 ||
	    plan_first_wave(b, &sp, tail) < 0 ||
	    stage_steps(b, &sp, STAGE_PREPARE, true, tail) < 0 ||
	    stage_steps(b, &sp, STAGE_BOOTSTRAP, true, tail) < 0 ||
	    plan_rollout(b, &sp, tail) < 0 ||
	    stage_steps(b, &sp, STAGE_POST, true, tail) < 0)
		goto out;

	add_service_summary(b, svc->name,
			    !sp.new ? "retire" : !sp.old ? "new" : sp.offline ? "offline" : "rolling",
			    NULL, first);
	r = 0;
out:
	svc_plan_release(&sp);
	return r;
}
