/* plan.c - the planner: hop path, the builder and its steps, hops; see plan.h. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "plan-internal.h"

/* ---- hop path ---------------------------------------------------------- */

int plan_path(const struct catalog *cat, const char *from, const char *to,
	      bool direct, const struct cat_release ***ret_path,
	      size_t *ret_n, struct sh_error *err)
{
	const struct cat_release *a = catalog_release(cat, from);
	const struct cat_release *b = catalog_release(cat, to);
	VEC(const struct cat_release *) path = { 0 };
	int cur;

	if (!a)
		return sh_error_set(err, SH_EXIT_INPUT,
				    "unknown release '%s' in --from (expected a series name like 'liberty' or an ID like '2023.1'; see 'stackhop releases')",
				    from);
	if (!b)
		return sh_error_set(err, SH_EXIT_INPUT,
				    "unknown release '%s' in --to (expected a series name like 'ocata' or an ID like '2024.1'; see 'stackhop releases')",
				    to);
	if (a->index > b->index) {
		char la[128];

		strlcpy_sh(la, catalog_release_label(a), sizeof(la));
		return sh_error_set(err, SH_EXIT_INPUT,
				    "refusing to downgrade from %s to %s: stackhop only upgrades (to go back, restore the backup taken before the hop)",
				    la, catalog_release_label(b));
	}
	/*
	 * Adjacent releases always; from a SLURP release (at or after the
	 * first one with supported jumps) straight to the next SLURP release
	 * when that is not past the target.
	 */
	cur = a->index;
	vec_push(path, &cat->releases[cur]);
	/* The same release twice: a minor update, its one "hop" in place. */
	if (a == b)
		vec_push(path, &cat->releases[cur]);
	while (cur < b->index) {
		int next = cur + 1;

		if (cat->releases[cur].slurp && cur >= cat->slurp_first) {
			int s = cur + 1;

			while (s <= b->index && !cat->releases[s].slurp)
				s++;
			if (s <= b->index)
				next = s;
		}
		cur = next;
		vec_push(path, &cat->releases[cur]);
	}
	if (direct && path.n > 2) {
		char la[128], first[64] = "(no release)";
		size_t hops = path.n - 1;

		strlcpy_sh(la, catalog_release_label(a), sizeof(la));
		if (cat->slurp_first < (int)cat->nreleases)
			strlcpy_sh(first, catalog_release_label(&cat->releases[cat->slurp_first]),
				   sizeof(first));
		vec_free(path);
		return sh_error_set(err, SH_EXIT_INPUT,
				    "unsupported jump from %s to %s in one hop: only adjacent releases, or a SLURP release to the next from %s on, can be upgraded directly (without --direct stackhop plans the %zu hops)",
				    la, catalog_release_label(b), first, hops);
	}
	*ret_path = path.v;
	*ret_n = path.n;
	return 0;
}

/* ---- steps ------------------------------------------------------------- */

void plan_dep_add(idx_vec *v, size_t i)
{
	for (size_t k = 0; k < v->n; k++)
		if (v->v[k] == i)
			return;
	vec_push(*v, i);
}

void plan_dep_set(idx_vec *v, size_t i)
{
	v->n = 0;
	vec_push(*v, i);
}

/*
 * Append a step after the steps in deps and return its index (or -1 with
 * an error for a duplicate id).  deps may only name existing steps: the
 * DAG stays acyclic by construction.
 */
long plan_add_step(struct builder *b, const struct step_spec *s,
		   const idx_vec *deps, const char *idfmt, ...)
{
	struct plan *p = b->p;
	struct plan_step st = { 0 };
	char id[512];
	int off;
	va_list ap;

	off = snprintf(id, sizeof(id), "%s/", b->to->name);
	va_start(ap, idfmt);
	vsnprintf(id + off, sizeof(id) - (size_t)off, idfmt, ap);
	va_end(ap);
	st.id = arena_strdup(&p->arena, id);
	if (strmap_put(&b->ids, st.id, (void *)1))
		return sh_error_set(b->err, SH_EXIT_INPUT,
				    "two steps of the plan are both named '%s' (catalog ids must be unique per service and hop)",
				    id);
	st.kind = step_kind_find(s->kind);
	assert(st.kind);	/* the catalog reader validated every kind */
	st.phase = b->phase;
	st.owner = s->owner;
	st.component = s->component;
	st.cluster = s->cluster;
	st.targets = arena_memdup(&p->arena, s->targets, s->ntargets, sizeof(*s->targets));
	st.ntargets = s->ntargets;
	st.hop = b->hop;
	st.batch = s->batch;
	st.nbatches = s->nbatches;
	st.max_fail_percentage = s->max_fail;
	st.argv = s->argv;
	st.argc = s->argc;
	st.params = s->params;
	st.nparams = s->nparams;
	st.provides = s->provides;
	st.nprovides = s->nprovides;
	st.requires = s->requires;
	st.nrequires = s->nrequires;
	st.source = s->source;
	if (deps && deps->n) {
		for (size_t i = 0; i < deps->n; i++)
			assert(deps->v[i] < p->steps.n);
		st.after = arena_memdup(&p->arena, deps->v, deps->n, sizeof(size_t));
		st.nafter = deps->n;
	}
	vec_push(p->steps, st);
	return (long)(p->steps.n - 1);
}

/* ---- host selection ---------------------------------------------------- */

/* Hosts of the first group of the fallback list the inventory defines. */
void plan_select_hosts(struct builder *b, const char *const *groups,
		       size_t n, inv_host_vec *out)
{
	out->n = 0;
	for (size_t i = 0; i < n; i++) {
		bool missing = false;

		inventory_select(b->inv, groups[i], out, &missing);
		if (!missing || out->n)
			return;
		out->n = 0;
	}
}

/*
 * Split hosts into rolling batches.  Each host follows the first rolling
 * entry of the settings whose group holds it (else "default"); the hosts
 * of one policy form consecutive batches of its serial size, policies in
 * order of their first host.
 */
void plan_make_batches(struct builder *b, inv_host_vec *hosts,
		       batch_vec *out)
{
	size_t npol = b->st->rolling.n;
	VEC(struct inv_host *) *parts = xcalloc(npol, sizeof(*parts));
	VEC(size_t) order = { 0 };

	out->n = 0;
	for (size_t i = 0; i < hosts->n; i++) {
		size_t pol = b->policy_of[hosts->v[i]->index];

		if (!parts[pol].n)
			vec_push(order, pol);
		vec_push(parts[pol], hosts->v[i]);
	}
	for (size_t o = 0; o < order.n; o++) {
		const struct rolling *r = &b->st->rolling.v[order.v[o]];
		size_t n = parts[order.v[o]].n;
		size_t size = rolling_batch_size(r, n);

		for (size_t start = 0; start < n; start += size) {
			struct batch bt = {
				arena_memdup(&b->p->arena, parts[order.v[o]].v + start,
					     start + size > n ? n - start : size,
					     sizeof(struct inv_host *)),
				start + size > n ? n - start : size,
				(int)r->max_fail_percentage,
			};
			vec_push(*out, bt);
		}
	}
	for (size_t i = 0; i < npol; i++)
		vec_free(parts[i]);
	free(parts);
	vec_free(order);
}

static void mark_role(struct builder *b, const inv_host_vec *hosts, unsigned role)
{
	for (size_t i = 0; i < hosts->n; i++)
		b->role[hosts->v[i]->index] |= role;
}

/*
 * Which hosts run cloud services: those some container or infrastructure
 * component of the catalog lands on, and kolla's 'baremetal' group (the
 * hosts kolla-ansible bootstraps).  The deployment host runs kolla-ansible
 * (and stackhop) and, unless it also runs cloud services, is no target.
 */
static void compute_roles(struct builder *b)
{
	const struct catalog *cat = b->cat;
	inv_host_vec sel = { 0 };

	b->role = xcalloc(b->inv->hosts.n + 1, 1);
	for (size_t s = 0; s < cat->nservices; s++)
		for (size_t k = 0; k < cat->services[s].ncomponents; k++) {
			const struct cat_component *c = &cat->services[s].components[k];

			plan_select_hosts(b, c->groups, c->ngroups, &sel);
			mark_role(b, &sel, ROLE_CLOUD);
		}
	for (size_t k = 0; k < cat->ninfra; k++)
		if (!streq(cat->infra[k].phase, "host")) {
			plan_select_hosts(b, cat->infra[k].groups, cat->infra[k].ngroups, &sel);
			mark_role(b, &sel, ROLE_CLOUD);
		}
	sel.n = 0;
	inventory_select(b->inv, "baremetal", &sel, NULL);
	mark_role(b, &sel, ROLE_CLOUD);
	sel.n = 0;
	inventory_select(b->inv, "deployment", &sel, NULL);
	mark_role(b, &sel, ROLE_DEPLOY);
	for (size_t i = 0; i < b->inv->hosts.n; i++) {
		struct inv_host *h = b->inv->hosts.v[i];

		if (streq(h->connection, "local"))
			b->role[i] |= ROLE_DEPLOY;
		if (b->role[i] & ROLE_CLOUD)
			vec_push(b->cloud, h);
	}
	/* An inventory of other groups only: every host is the cloud's. */
	if (!b->cloud.n)
		inventory_select(b->inv, "all", &b->cloud, NULL);
	vec_free(sel);
}

/* Keep the hosts having every bit of want and none of refuse. */
void plan_filter_roles(struct builder *b, inv_host_vec *hosts, unsigned want,
		       unsigned refuse)
{
	size_t n = 0;

	for (size_t i = 0; i < hosts->n; i++) {
		unsigned r = b->role[hosts->v[i]->index];

		if ((r & want) == want && !(r & refuse))
			hosts->v[n++] = hosts->v[i];
	}
	hosts->n = n;
}

static void compute_policies(struct builder *b)
{
	inv_host_vec sel = { 0 };

	b->policy_of = xcalloc(b->inv->hosts.n, sizeof(size_t));
	/* Later entries first, so that the first matching entry wins. */
	for (size_t i = b->st->rolling.n; i-- > 1;) {
		sel.n = 0;
		inventory_select(b->inv, b->st->rolling.v[i].group, &sel, NULL);
		for (size_t j = 0; j < sel.n; j++)
			b->policy_of[sel.v[j]->index] = i;
	}
	vec_free(sel);
}

/* ---- hops -------------------------------------------------------------- */

/* Does phase (default: hops h) run in this hop, after the settings' phases? */
static bool phase_applies(struct builder *b, const char *phase, enum cat_hops h)
{
	const struct setting_choice *ch = settings_choice(&b->st->hops, phase);

	if (ch)
		h = streq(ch->value, "every") ? HOPS_EVERY :
		    streq(ch->value, "first") ? HOPS_FIRST : HOPS_NONE;
	return h == HOPS_EVERY || (h == HOPS_FIRST && b->hop == 0);
}

static int plan_hop(struct builder *b, idx_vec *tail)
{
	struct plan *p = b->p;
	inv_host_vec all = { 0 }, db = { 0 };
	const struct cat_infra *galera = catalog_infra(b->cat, "galera");
	struct plan_hop hop = { .from = b->from, .to = b->to, .first = p->steps.n };
	long i;
	int r = -1;

	hop.slurp_jump = b->to->index - b->from->index > 1;
	/* The release's notes are about crossing into it, not a minor update. */
	for (size_t k = 0; b->to != b->from && k < b->to->nnotes; k++)
		vec_push(hop.notes, &b->to->notes[k]);
	for (size_t k = 0; hop.slurp_jump && k < b->cat->nslurp_notes; k++)
		vec_push(hop.notes, &b->cat->slurp_notes[k]);
	vec_push(p->hops, hop);

	/* The checks look at the cloud's hosts, not the deployment host. */
	for (size_t k = 0; k < b->cloud.n; k++)
		vec_push(all, b->cloud.v[k]);
	/* The backup runs where the database runs (through the VIP). */
	if (galera)
		plan_select_hosts(b, galera->groups, galera->ngroups, &db);
	if (!db.n)
		for (size_t k = 0; k < b->cloud.n; k++)
			vec_push(db, b->cloud.v[k]);

	/* pre: validation, then a verified backup, before anything changes. */
	b->phase = "pre";
	{
		struct step_spec sp = { .kind = "pre-validate", .cluster = true,
					.targets = all.v, .ntargets = all.n };

		if ((i = plan_add_step(b, &sp, tail, "pre-validate")) < 0)
			goto out;
		plan_dep_set(tail, (size_t)i);
		sp = (struct step_spec){ .kind = "db-backup", .cluster = true,
					 .targets = db.v, .ntargets = 1 };
		if ((i = plan_add_step(b, &sp, tail, "db-backup")) < 0)
			goto out;
		plan_dep_set(tail, (size_t)i);
	}

	for (size_t k = 0; k < b->cat->ninfra; k++) {
		const struct cat_infra *c = &b->cat->infra[k];

		b->phase = c->phase;
		if (phase_applies(b, c->phase, c->hops) && plan_infra(b, c, tail) < 0)
			goto out;
	}

	b->phase = "openstack";
	for (size_t k = 0; phase_applies(b, "openstack", HOPS_EVERY) && k < b->cat->nservices; k++)
		if (plan_openstack_service(b, &b->cat->services[k], tail) < 0)
			goto out;

	b->phase = "verify";
	{
		struct step_spec sp = { .kind = "post-verify", .cluster = true,
					.targets = all.v, .ntargets = all.n };

		if ((i = plan_add_step(b, &sp, tail, "post-verify")) < 0)
			goto out;
		plan_dep_set(tail, (size_t)i);
	}
	p->hops.v[b->hop].count = p->steps.n - p->hops.v[b->hop].first;
	r = 0;
out:
	vec_free(all);
	vec_free(db);
	return r;
}

/* A service or container of that name in the catalog. */
static bool openstack_component(const struct catalog *cat, const char *name)
{
	if (catalog_service(cat, name))
		return true;
	for (size_t s = 0; s < cat->nservices; s++)
		for (size_t k = 0; k < cat->services[s].ncomponents; k++)
			if (streq(cat->services[s].components[k].name, name))
				return true;
	return false;
}

/* Settings that name catalog entries must name existing ones. */
static int check_settings(struct builder *b)
{
	const char *path = b->st->path ? b->st->path : "settings";

	for (size_t i = 0; i < b->st->modes.n; i++) {
		const struct setting_choice *c = &b->st->modes.v[i];

		if (catalog_infra(b->cat, c->name))
			continue;
		if (!openstack_component(b->cat, c->name))
			return sh_error_at(b->err, path, c->line,
					   "unknown component '%s' in components (expected an infra component of the catalog, like galera or rabbitmq, or an OpenStack service or container, like keystone)",
					   c->name);
		if (c->value)
			return sh_error_at(b->err, path, c->line,
					   "component '%s' is an OpenStack one: it takes a version, not a mode",
					   c->name);
	}
	for (size_t i = 0; i < b->st->nservices; i++)
		if (!catalog_service(b->cat, b->st->services[i]))
			return sh_error_at(b->err, path, b->st->services_line,
					   "unknown service '%s' in services (expected a service of the catalog, like keystone or nova)",
					   b->st->services[i]);
	/* A rolling policy for a group the inventory lacks would silently
	 * apply to nothing (a typo like "computes"). */
	for (size_t i = 1; i < b->st->rolling.n; i++) {
		const struct rolling *r = &b->st->rolling.v[i];
		inv_host_vec sel = { 0 };
		bool missing = false;

		if (!r->line)
			continue;	/* a default: for the groups there are */

		inventory_select(b->inv, r->group, &sel, &missing);
		vec_free(sel);
		if (missing)
			return sh_error_at(b->err, path, r->line,
					   "rolling names '%s', which is not a group of inventory '%s' (expected a group name, or 'default')",
					   r->group, b->inv->path);
	}
	return 0;
}

int plan_build(struct inventory *inv, const struct catalog *cat,
	       const struct settings *st, const char *from, const char *to,
	       bool direct, struct plan **ret, struct sh_error *err)
{
	struct plan *p = xcalloc(1, sizeof(*p));
	struct builder b = { .p = p, .inv = inv, .cat = cat, .st = st, .err = err };
	const struct cat_release **path = NULL;
	idx_vec tail = { 0 };
	size_t n;
	int r = -1;

	p->inv = inv;
	p->cat = cat;
	if (check_settings(&b) < 0 ||
	    plan_path(cat, from, to, direct, &path, &n, err) < 0)
		goto out;
	p->from = path[0];
	p->to = path[n - 1];
	if (!streq(p->to->status, "maintained") && !streq(p->to->status, "unmaintained") &&
	    !streq(p->to->status, "eol"))
		vec_push(p->warnings, arena_printf(&p->arena,
			 "%s is not released yet (status: %s)",
			 catalog_release_label(p->to), p->to->status));
	compute_policies(&b);
	compute_roles(&b);
	for (size_t h = 0; h + 1 < n; h++) {
		b.hop = (int)h;
		b.from = path[h];
		b.to = path[h + 1];
		if (plan_hop(&b, &tail) < 0)
			goto out;
	}
	*ret = p;
	p = NULL;
	r = 0;
out:
	free(path);
	free(b.policy_of);
	free(b.role);
	vec_free(b.cloud);
	vec_free(tail);
	strmap_release(&b.ids);
	plan_free(p);
	return r;
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->hops.n; i++) {
		vec_free(p->hops.v[i].services);
		vec_free(p->hops.v[i].notes);
	}
	vec_free(p->hops);
	vec_free(p->steps);
	vec_free(p->warnings);
	arena_release(&p->arena);
	free(p);
}

const char *plan_step_param(const struct plan_step *s, const char *key)
{
	for (size_t i = 0; i < s->nparams; i++)
		if (streq(s->params[i].key, key))
			return s->params[i].value;
	return NULL;
}
