/* plan-infra.c - the planner's host, Ceph and infrastructure procedures; see plan.h. */
#include <stdio.h>

#include "plan-internal.h"

/* ---- infra phases ------------------------------------------------------ */

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
			if ((i = plan_add_step(b, &sp, tail, "%s/%s@%s", c->name, sp.kind,
					       hosts->v[k]->name)) < 0)
				return -1;
			plan_dep_set(tail, (size_t)i);
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
			plan_make_batches(b, &hosts, &batches);
			for (size_t k = 0; k < batches.n; k++) {
				sp.targets = batches.v[k].hosts;
				sp.ntargets = batches.v[k].n;
				sp.batch = (int)k + 1;
				sp.nbatches = (int)batches.n;
				sp.max_fail = batches.v[k].max_fail;
				if ((i = plan_add_step(b, &sp, tail, "%s/%s#b%zu", c->name,
						       ps->kind, k + 1)) < 0)
					goto out;
				plan_dep_set(tail, (size_t)i);
			}
			break;
		case SCOPE_EACH_NODE:
		case SCOPE_OTHER_NODES:
			for (size_t k = ps->scope == SCOPE_OTHER_NODES ? 1 : 0; k < hosts.n; k++) {
				struct inv_host *h = hosts.v[ps->reverse ? hosts.n - 1 - k : k];

				sp.targets = &h;
				sp.ntargets = 1;
				if ((i = plan_add_step(b, &sp, tail, "%s/%s@%s", c->name,
						       ps->kind, h->name)) < 0)
					goto out;
				plan_dep_set(tail, (size_t)i);
			}
			break;
		case SCOPE_FIRST_NODE:
			sp.targets = hosts.v;
			sp.ntargets = 1;
			if ((i = plan_add_step(b, &sp, tail, "%s/%s@%s", c->name, ps->kind,
					       hosts.v[0]->name)) < 0)
				goto out;
			plan_dep_set(tail, (size_t)i);
			break;
		case SCOPE_ALL_NODES:
		case SCOPE_CLUSTER:
			sp.targets = hosts.v;
			sp.ntargets = hosts.n;
			sp.cluster = ps->scope == SCOPE_CLUSTER;
			if ((i = plan_add_step(b, &sp, tail, "%s/%s", c->name, ps->kind)) < 0)
				goto out;
			plan_dep_set(tail, (size_t)i);
			break;
		}
	}
	r = 0;
out:
	vec_free(batches);
	return r;
}

/* Expand one infra component's procedure; *tail is the dependency set. */
int plan_infra(struct builder *b, const struct cat_infra *c,
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
	plan_select_hosts(b, c->groups, c->ngroups, &hosts);
	if (streq(c->phase, "host")) {
		/* Never the host this run is on, unless the settings say so
		 * (plan_deployment_host(): last, without a reboot). */
		inv_host_vec deploy = { 0 };

		for (size_t k = 0; k < hosts.n; k++)
			if (b->role[hosts.v[k]->index] & ROLE_DEPLOY)
				vec_push(deploy, hosts.v[k]);
		plan_filter_roles(b, &hosts, ROLE_CLOUD, ROLE_DEPLOY);
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
