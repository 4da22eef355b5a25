/* plan.c - the planner: hop path and step DAG; see plan.h. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "plan.h"
#include "strmap.h"

typedef VEC(size_t) idx_vec;

/* The state of one plan_build() call. */
struct builder {
	struct plan *p;
	struct inventory *inv;
	const struct catalog *cat;
	const struct settings *st;
	struct sh_error *err;
	struct strmap ids;
	int hop;			/* current hop index */
	const struct cat_release *from, *to;
	const char *phase;
	size_t *policy_of;		/* host index -> rolling entry */
	unsigned char *role;		/* host index -> ROLE_* bits */
	inv_host_vec cloud;		/* ROLE_CLOUD hosts, inventory order */
	bool warned_deployment;
};

/* A host the catalog places something on (or in kolla's 'baremetal'). */
#define ROLE_CLOUD	1u
/* The deployment host: group 'deployment' or ansible_connection=local. */
#define ROLE_DEPLOY	2u

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
	if (a == b)
		return sh_error_set(err, SH_EXIT_INPUT,
				    "--from and --to are both %s: nothing to upgrade",
				    catalog_release_label(a));
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

struct step_spec {
	const char *kind;
	const char *owner, *component;
	bool cluster;
	struct inv_host **targets;
	size_t ntargets;
	int batch, nbatches, max_fail;
	const char *const *argv;
	size_t argc;
	const struct cat_kv *params;
	size_t nparams;
	const char *const *provides, *const *requires;
	size_t nprovides, nrequires;
	const char *source;
};

static void dep_add(idx_vec *v, size_t i)
{
	for (size_t k = 0; k < v->n; k++)
		if (v->v[k] == i)
			return;
	vec_push(*v, i);
}

static void dep_set(idx_vec *v, size_t i)
{
	v->n = 0;
	vec_push(*v, i);
}

/*
 * Append a step after the steps in deps and return its index (or -1 with
 * an error for a duplicate id).  deps may only name existing steps: the
 * DAG stays acyclic by construction.
 */
static long add_step(struct builder *b, const struct step_spec *s,
		     const idx_vec *deps, const char *idfmt, ...)
	__attribute__((format(printf, 4, 5)));
static long add_step(struct builder *b, const struct step_spec *s,
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
static void select_hosts(struct builder *b, const char *const *groups,
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

struct batch {
	struct inv_host **hosts;
	size_t n;
	int max_fail;
};
typedef VEC(struct batch) batch_vec;

/*
 * Split hosts into rolling batches.  Each host follows the first rolling
 * entry of the settings whose group holds it (else "default"); the hosts
 * of one policy form consecutive batches of its serial size, policies in
 * order of their first host.
 */
static void make_batches(struct builder *b, inv_host_vec *hosts,
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

			select_hosts(b, c->groups, c->ngroups, &sel);
			mark_role(b, &sel, ROLE_CLOUD);
		}
	for (size_t k = 0; k < cat->ninfra; k++)
		if (!streq(cat->infra[k].phase, "host")) {
			select_hosts(b, cat->infra[k].groups, cat->infra[k].ngroups, &sel);
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
static void filter_roles(struct builder *b, inv_host_vec *hosts, unsigned want,
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

/* ---- infra phases ------------------------------------------------------ */

/* Does phase (default: hops h) run in this hop, after the settings' phases? */
static bool phase_applies(struct builder *b, const char *phase, enum cat_hops h)
{
	const struct setting_choice *ch = settings_choice(&b->st->hops, phase);

	if (ch)
		h = streq(ch->value, "every") ? HOPS_EVERY :
		    streq(ch->value, "first") ? HOPS_FIRST : HOPS_NONE;
	return h == HOPS_EVERY || (h == HOPS_FIRST && b->hop == 0);
}

/*
 * The deployment hosts' own upgrade, after every other host's: one step
 * per host and procedure step, with reboot=no, since a reboot would end
 * the run that is on it.
 */
static int plan_deployment_host(struct builder *b, const struct cat_infra *c,
				const struct cat_procedure *proc,
				inv_host_vec *hosts, const struct cat_kv *version,
				idx_vec *tail)
{
	for (size_t k = 0; k < hosts->n; k++)
		for (size_t s = 0; s < proc->nsteps; s++) {
			struct cat_kv *kv = arena_alloc(&b->p->arena, 2 * sizeof(*kv));
			struct step_spec sp = { .kind = proc->steps[s].kind, .owner = c->name,
						.source = c->source, .params = kv,
						.targets = &hosts->v[k], .ntargets = 1 };
			long i;

			kv[0] = (struct cat_kv){ "reboot", "no" };
			if (version)
				kv[1] = *version;
			sp.nparams = version ? 2 : 1;
			if ((i = add_step(b, &sp, tail, "%s/%s@%s", c->name, sp.kind,
					  hosts->v[k]->name)) < 0)
				return -1;
			dep_set(tail, (size_t)i);
		}
	return 0;
}

/* The steps of one procedure of an infra component over hosts. */
static int plan_procedure(struct builder *b, const struct cat_infra *c,
			  const struct cat_procedure *proc, inv_host_vec *hosts_in,
			  const struct cat_kv *version, idx_vec *tail)
{
	inv_host_vec hosts = *hosts_in;
	batch_vec batches = { 0 };
	int r = -1;

	if (!hosts.n)
		return 0;
	for (size_t s = 0; s < proc->nsteps; s++) {
		const struct cat_proc_step *ps = &proc->steps[s];
		struct step_spec sp = { .kind = ps->kind, .owner = c->name,
					.source = c->source, .params = version,
					.nparams = version ? 1 : 0 };
		long i;

		switch (ps->scope) {
		case SCOPE_BATCHES:
			make_batches(b, &hosts, &batches);
			for (size_t k = 0; k < batches.n; k++) {
				sp.targets = batches.v[k].hosts;
				sp.ntargets = batches.v[k].n;
				sp.batch = (int)k + 1;
				sp.nbatches = (int)batches.n;
				sp.max_fail = batches.v[k].max_fail;
				if ((i = add_step(b, &sp, tail, "%s/%s#b%zu", c->name,
						  ps->kind, k + 1)) < 0)
					goto out;
				dep_set(tail, (size_t)i);
			}
			break;
		case SCOPE_EACH_NODE:
		case SCOPE_OTHER_NODES:
			for (size_t k = ps->scope == SCOPE_OTHER_NODES ? 1 : 0; k < hosts.n; k++) {
				struct inv_host *h = hosts.v[ps->reverse ? hosts.n - 1 - k : k];

				sp.targets = &h;
				sp.ntargets = 1;
				if ((i = add_step(b, &sp, tail, "%s/%s@%s", c->name,
						  ps->kind, h->name)) < 0)
					goto out;
				dep_set(tail, (size_t)i);
			}
			break;
		case SCOPE_FIRST_NODE:
			sp.targets = hosts.v;
			sp.ntargets = 1;
			if ((i = add_step(b, &sp, tail, "%s/%s@%s", c->name, ps->kind,
					  hosts.v[0]->name)) < 0)
				goto out;
			dep_set(tail, (size_t)i);
			break;
		case SCOPE_ALL_NODES:
		case SCOPE_CLUSTER:
			sp.targets = hosts.v;
			sp.ntargets = hosts.n;
			sp.cluster = ps->scope == SCOPE_CLUSTER;
			if ((i = add_step(b, &sp, tail, "%s/%s", c->name, ps->kind)) < 0)
				goto out;
			dep_set(tail, (size_t)i);
			break;
		}
	}
	r = 0;
out:
	vec_free(batches);
	return r;
}

/* Expand one infra component's procedure; *tail is the dependency set. */
static int plan_infra(struct builder *b, const struct cat_infra *c,
		      idx_vec *tail)
{
	const struct setting_choice *ch = settings_choice(&b->st->modes, c->name);
	const struct cat_procedure *proc;
	inv_host_vec hosts = { 0 };
	const struct cat_kv *version = NULL;
	int r;

	proc = cat_infra_procedure(c, ch && ch->value ? ch->value : c->default_procedure);
	if (!proc) {
		char list[256] = "";
		size_t off = 0;

		for (size_t i = 0; i < c->nprocedures && off < sizeof(list); i++)
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
						i ? ", " : "", c->procedures[i].name);
		return sh_error_at(b->err, b->st->path ? b->st->path : "settings",
				   ch->line, "unknown mode '%s' for component '%s' (expected %s)",
				   ch->value, c->name, list);
	}
	/* The settings' target version goes to every step as its "version". */
	if (ch && ch->version) {
		struct cat_kv *kv = arena_alloc(&b->p->arena, sizeof(*kv));

		kv->key = "version";
		kv->value = arena_strdup(&b->p->arena, ch->version);
		version = kv;
	}
	select_hosts(b, c->groups, c->ngroups, &hosts);
	if (streq(c->phase, "host")) {
		/* Never the host this run is on, unless the settings say so
		 * (plan_deployment_host(): last, without a reboot). */
		inv_host_vec deploy = { 0 };

		for (size_t k = 0; k < hosts.n; k++)
			if (b->role[hosts.v[k]->index] & ROLE_DEPLOY)
				vec_push(deploy, hosts.v[k]);
		filter_roles(b, &hosts, ROLE_CLOUD, ROLE_DEPLOY);
		if (deploy.n && !b->st->deployment_host_upgrade && !b->warned_deployment) {
			vec_push(b->p->warnings, arena_printf(&b->p->arena,
				 "the host upgrade leaves out %s%s, the deployment host stackhop runs on (group 'deployment' or ansible_connection=local; 'deployment_host: upgrade' in the settings upgrades it last, without a reboot)",
				 deploy.v[0]->name, deploy.n > 1 ? " and the other deployment hosts" : ""));
			b->warned_deployment = true;
		}
		r = plan_procedure(b, c, proc, &hosts, version, tail);
		if (r == 0 && b->st->deployment_host_upgrade)
			r = plan_deployment_host(b, c, proc, &deploy, version, tail);
		vec_free(deploy);
		goto out;
	}
	r = plan_procedure(b, c, proc, &hosts, version, tail);
out:
	vec_free(hosts);
	return r;
}

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
		s = add_step(b, &sp, tail, "%s/%s/%s#b%zu", cp->owner, cp->c->name,
			     sp.kind, k + 1);
		if (s < 0)
			return -1;
		dep_set(tail, (size_t)s);
	}
	for (size_t i = 0; start && i < ARRAY_SIZE(start_kinds); i++) {
		long s;

		sp.kind = start_kinds[i];
		sp.params = with_version(b, NULL, 0, i == 0 ? version : NULL, &sp.nparams);
		s = add_step(b, &sp, tail, "%s/%s/%s#b%zu", cp->owner, cp->c->name,
			     sp.kind, k + 1);
		if (s < 0)
			return -1;
		dep_set(tail, (size_t)s);
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
	i = add_step(b, &sp, deps, "%s/%s", svc->name, c->id);

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

static int plan_service(struct builder *b, const struct cat_service *svc,
			idx_vec *tail)
{
	const int f = b->from->index, t = b->to->index;
	const bool old = cat_range_has(&svc->range, f);
	const bool new = cat_range_has(&svc->range, t);
	VEC(struct comp_plan) comps = { 0 };
	VEC(const struct cat_step *) steps[STAGE_COUNT] = { { 0 } };
	inv_host_vec svc_hosts = { 0 }, first_host = { 0 };
	idx_vec wave = { 0 }, deps = { 0 };
	const size_t first = b->p->steps.n;
	bool offline = false, any_hosts = false;
	long i;
	int r = -1;

	if (!old && !new)
		return 0;
	if (!service_selected(b->st, svc->name)) {
		add_service_summary(b, svc->name, "skipped", "not among the settings' services", first);
		return 0;
	}

	/* Its components, and components moving into it from another service. */
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

			if (o == svc) {
				if (handed_over)
					continue;	/* dest retires it */
				cp.old = o_old;
				cp.new = o_new;
			} else if (handed_over && dest == svc) {
				cp.old = true;	/* retired in favour of svc */
			} else {
				continue;
			}
			if (!cp.old && !cp.new)
				continue;
			select_hosts(b, c->groups, c->ngroups, &cp.hosts);
			if (!cp.hosts.n) {
				vec_free(cp.hosts);
				continue;
			}
			any_hosts = true;
			make_batches(b, &cp.hosts, &cp.batches);
			vec_push(comps, cp);
		}
	}
	if (!any_hosts) {
		add_service_summary(b, svc->name, "skipped",
				    "no inventory group for any of its containers", first);
		r = 0;
		goto out;
	}
	/* Hosts for service-wide steps: every host of a new container, the
	 * first host of a control container for one-shot commands. */
	b->inv->mark++;
	for (size_t k = 0; k < comps.n; k++) {
		struct comp_plan *cp = &comps.v[k];

		if (!cp->new && !streq(cp->owner, svc->name))
			continue;
		for (size_t j = 0; j < cp->hosts.n; j++)
			if (cp->hosts.v[j]->mark != b->inv->mark) {
				cp->hosts.v[j]->mark = b->inv->mark;
				vec_push(svc_hosts, cp->hosts.v[j]);
			}
	}
	for (size_t k = 0; k < comps.n && !first_host.n; k++)
		if (comps.v[k].c->tier == TIER_CONTROL && streq(comps.v[k].owner, svc->name))
			vec_push(first_host, comps.v[k].hosts.v[0]);
	if (!first_host.n)
		vec_push(first_host, svc_hosts.n ? svc_hosts.v[0] : comps.v[0].hosts.v[0]);

	/* Commands of the service and mandatory steps of the hop, by stage. */
	for (size_t k = 0; k < svc->ncommands; k++) {
		const struct cat_step *c = &svc->commands[k];

		if (cmd_selected(b, c, old, new)) {
			vec_push(steps[c->stage], c);
			offline |= c->offline;
		}
	}
	for (size_t k = 0; new && k < b->to->nsteps; k++) {
		const struct cat_step *c = &b->to->steps[k];

		if (streq(c->service, svc->name)) {
			vec_push(steps[c->stage], c);
			offline |= c->offline;
		}
	}

	/* pre: with the old code, before anything is touched. */
	for (size_t k = 0; k < steps[STAGE_PRE].n; k++) {
		if ((i = catalog_step(b, svc, steps[STAGE_PRE].v[k], &first_host, tail)) < 0)
			goto out;
		dep_set(tail, (size_t)i);
	}

	/* The new release's configuration, renames applied. */
	if (new && svc_hosts.n) {
		VEC(const struct cat_rename *) rn = { 0 };
		struct step_spec sp = { .kind = "config-migrate", .owner = svc->name,
					.targets = svc_hosts.v, .ntargets = svc_hosts.n,
					.source = svc->source };

		for (size_t k = 0; k < b->cat->nrenames; k++)
			if (rename_applies(b, &b->cat->renames[k], svc->name))
				vec_push(rn, &b->cat->renames[k]);
		i = add_step(b, &sp, tail, "%s/config-migrate", svc->name);
		if (i >= 0 && rn.n) {
			struct plan_step *ps = &b->p->steps.v[i];

			ps->renames = arena_memdup(&b->p->arena, rn.v, rn.n, sizeof(*rn.v));
			ps->nrenames = rn.n;
		}
		vec_free(rn);
		if (i < 0)
			goto out;
		dep_set(tail, (size_t)i);
	}

	/* register: Keystone entries of the service, then the hop's steps. */
	for (size_t k = 0; new && k < svc->nkeystone; k++) {
		const struct cat_keystone *e = &svc->keystone[k];
		struct cat_kv *kv;
		struct step_spec sp = { .kind = "keystone-register", .owner = svc->name,
					.targets = first_host.v, .ntargets = 1,
					.source = e->source };

		if (!cat_range_has(&e->range, t))
			continue;
		kv = arena_alloc(&b->p->arena, 6 * sizeof(*kv));
		kv[0] = (struct cat_kv){ "object", "user+service+endpoints" };
		kv[1] = (struct cat_kv){ "user", e->user };
		kv[2] = (struct cat_kv){ "type", e->type };
		kv[3] = (struct cat_kv){ "name", e->name };
		kv[4] = (struct cat_kv){ "port", arena_printf(&b->p->arena, "%d", e->port) };
		kv[5] = (struct cat_kv){ "path", e->path };
		sp.params = kv;
		sp.nparams = 6;
		if ((i = add_step(b, &sp, tail, "%s/keystone-%s", svc->name, e->type)) < 0)
			goto out;
		dep_set(tail, (size_t)i);
	}
	for (size_t k = 0; k < steps[STAGE_REGISTER].n; k++) {
		if ((i = catalog_step(b, svc, steps[STAGE_REGISTER].v[k], &first_host, tail)) < 0)
			goto out;
		dep_set(tail, (size_t)i);
	}

	/* First wave: the first batch of every control container (every
	 * batch when a migration is offline, every host of a retired one). */
	for (size_t k = 0; k < comps.n; k++) {
		struct comp_plan *cp = &comps.v[k];
		size_t n;

		if (!cp->old || (cp->c->tier == TIER_DATA && cp->new))
			continue;
		n = (offline || !cp->new) ? cp->batches.n : 1;
		for (size_t j = 0; j < n; j++) {
			deps.n = 0;
			for (size_t d = 0; d < tail->n; d++)
				dep_add(&deps, tail->v[d]);
			if (container_steps(b, cp, j, true, false, &deps) < 0)
				goto out;
			dep_add(&wave, deps.v[0]);
		}
		cp->stopped = n;
	}
	if (wave.n) {
		tail->n = 0;
		for (size_t k = 0; k < wave.n; k++)
			dep_add(tail, wave.v[k]);
	}

	/* prepare and bootstrap: one after the other. */
	for (int stg = STAGE_PREPARE; stg <= STAGE_BOOTSTRAP; stg++)
		for (size_t k = 0; k < steps[stg].n; k++) {
			const struct cat_step *c = steps[stg].v[k];

			deps.n = 0;
			for (size_t d = 0; d < tail->n; d++)
				dep_add(&deps, tail->v[d]);
			if ((i = catalog_step(b, svc, c, c->all_nodes ? &svc_hosts : &first_host,
					      &deps)) < 0)
				goto out;
			dep_set(tail, (size_t)i);
		}

	/* Control containers in order, batch by batch, each batch gated on
	 * the previous one's health check; then the data plane. */
	for (int tier = TIER_CONTROL; tier <= TIER_DATA; tier++)
		for (size_t k = 0; k < comps.n; k++) {
			struct comp_plan *cp = &comps.v[k];

			if (!cp->new || (int)cp->c->tier != tier)
				continue;
			for (size_t j = 0; j < cp->batches.n; j++)
				if (container_steps(b, cp, j, cp->old && j >= cp->stopped,
						    true, tail) < 0)
					goto out;
		}

	/* post: after every container runs the new release. */
	for (size_t k = 0; k < steps[STAGE_POST].n; k++) {
		const struct cat_step *c = steps[STAGE_POST].v[k];

		if ((i = catalog_step(b, svc, c, c->all_nodes ? &svc_hosts : &first_host,
				      tail)) < 0)
			goto out;
		dep_set(tail, (size_t)i);
	}

	add_service_summary(b, svc->name,
			    !new ? "retire" : !old ? "new" : offline ? "offline" : "rolling",
			    NULL, first);
	r = 0;
out:
	for (size_t k = 0; k < comps.n; k++) {
		vec_free(comps.v[k].hosts);
		vec_free(comps.v[k].batches);
	}
	vec_free(comps);
	for (int s = 0; s < STAGE_COUNT; s++)
		vec_free(steps[s]);
	vec_free(svc_hosts);
	vec_free(first_host);
	vec_free(wave);
	vec_free(deps);
	return r;
}

/* ---- hops -------------------------------------------------------------- */

static int plan_hop(struct builder *b, idx_vec *tail)
{
	struct plan *p = b->p;
	inv_host_vec all = { 0 }, db = { 0 };
	const struct cat_infra *galera = catalog_infra(b->cat, "galera");
	struct plan_hop hop = { .from = b->from, .to = b->to, .first = p->steps.n };
	long i;
	int r = -1;

	hop.slurp_jump = b->to->index - b->from->index > 1;
	for (size_t k = 0; k < b->to->nnotes; k++)
		vec_push(hop.notes, &b->to->notes[k]);
	for (size_t k = 0; hop.slurp_jump && k < b->cat->nslurp_notes; k++)
		vec_push(hop.notes, &b->cat->slurp_notes[k]);
	vec_push(p->hops, hop);

	/* The checks look at the cloud's hosts, not the deployment host. */
	for (size_t k = 0; k < b->cloud.n; k++)
		vec_push(all, b->cloud.v[k]);
	/* The backup runs where the database runs (through the VIP). */
	if (galera)
		select_hosts(b, galera->groups, galera->ngroups, &db);
	if (!db.n)
		for (size_t k = 0; k < b->cloud.n; k++)
			vec_push(db, b->cloud.v[k]);

	/* pre: validation, then a verified backup, before anything changes. */
	b->phase = "pre";
	{
		struct step_spec sp = { .kind = "pre-validate", .cluster = true,
					.targets = all.v, .ntargets = all.n };

		if ((i = add_step(b, &sp, tail, "pre-validate")) < 0)
			goto out;
		dep_set(tail, (size_t)i);
		sp = (struct step_spec){ .kind = "db-backup", .cluster = true,
					 .targets = db.v, .ntargets = 1 };
		if ((i = add_step(b, &sp, tail, "db-backup")) < 0)
			goto out;
		dep_set(tail, (size_t)i);
	}

	for (size_t k = 0; k < b->cat->ninfra; k++) {
		const struct cat_infra *c = &b->cat->infra[k];

		b->phase = c->phase;
		if (phase_applies(b, c->phase, c->hops) && plan_infra(b, c, tail) < 0)
			goto out;
	}

	b->phase = "openstack";
	for (size_t k = 0; phase_applies(b, "openstack", HOPS_EVERY) && k < b->cat->nservices; k++)
		if (plan_service(b, &b->cat->services[k], tail) < 0)
			goto out;

	b->phase = "verify";
	{
		struct step_spec sp = { .kind = "post-verify", .cluster = true,
					.targets = all.v, .ntargets = all.n };

		if ((i = add_step(b, &sp, tail, "post-verify")) < 0)
			goto out;
		dep_set(tail, (size_t)i);
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
