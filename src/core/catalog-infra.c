/* catalog-infra.c - the catalog's infra.yaml; see catalog.h. */
#include <stdio.h>

#include "catalog-internal.h"
#include "stepkind.h"

static const char *const scope_names[] = {
	"batches", "each-node", "first-node", "other-nodes", "all-nodes",
	"cluster",
};

const char *cat_scope_name(enum cat_scope s)
{
	return scope_names[s];
}

/* One step of a procedure, st, into *step. */
static int load_proc_step(struct loader *l, const yaml_node_t *st, const char *swhat,
			  struct cat_proc_step *step)
{
	static const char *const step_keys[] = { "kind", "scope", "reverse", NULL };
	const char *kind, *scope;
	size_t k;

	if (ymap_check(&l->d, st, swhat, step_keys, l->err) < 0 ||
	    y_str(&l->d, st, "kind", swhat, true, &kind, l->err) < 0 ||
	    y_str(&l->d, st, "scope", swhat, true, &scope, l->err) < 0 ||
	    y_bool(&l->d, st, "reverse", swhat, false, &step->reverse, l->err) < 0)
		return -1;
	if (!step_kind_find(kind))
		return loader_error(l, ymap_get(&l->d, st, "kind"),
				    "unknown step kind '%s' in %s (expected one of: %s)",
				    kind, swhat, step_kind_names());
	for (k = 0; k < ARRAY_SIZE(scope_names); k++)
		if (streq(scope_names[k], scope))
			break;
	if (k == ARRAY_SIZE(scope_names))
		return loader_error(l, ymap_get(&l->d, st, "scope"),
				    "unknown scope '%s' in %s (expected batches, each-node, first-node, other-nodes, all-nodes or cluster)",
				    scope, swhat);
	step->kind = loader_dup(l, kind);
	step->scope = (enum cat_scope)k;
	return 0;
}

/* The procedures of infra component c (a mapping: name -> steps). */
static int load_procedures(struct loader *l, const yaml_node_t *c, const char *what,
			   struct cat_infra *inf)
{
	yaml_node_t *procs = ymap_get(&l->d, c, "procedures");

	if (!procs)
		return loader_error(l, c, "missing field 'procedures' in %s", what);
	if (ymap_check(&l->d, procs, "procedures", NULL, l->err) < 0)
		return -1;
	inf->nprocedures = ymap_len(procs);
	inf->procedures = arena_alloc(&l->cat->arena, inf->nprocedures * sizeof(*inf->procedures) + 1);
	for (size_t p = 0; p < inf->nprocedures; p++) {
		struct cat_procedure *proc = &inf->procedures[p];
		yaml_node_t *steps = ymap_val_at(&l->d, procs, p);

		proc->name = loader_dup(l, yscalar(ymap_key_at(&l->d, procs, p)));
		if (steps->type != YAML_SEQUENCE_NODE || !yseq_len(steps))
			return loader_error(l, steps, "procedure '%s' of %s must be a non-empty list of steps",
					    proc->name, what);
		proc->nsteps = yseq_len(steps);
		proc->steps = arena_alloc(&l->cat->arena, proc->nsteps * sizeof(*proc->steps));
		for (size_t s = 0; s < proc->nsteps; s++) {
			char swhat[240];

			snprintf(swhat, sizeof(swhat), "a step of procedure '%s' of %s",
				 proc->name, what);
			if (load_proc_step(l, yseq_at(&l->d, steps, s), swhat, &proc->steps[s]) < 0)
				return -1;
		}
	}
	return 0;
}

/*
 * Infra component c, if it belongs to phase (else it waits for the pass
 * of its phase), into the next entry of cat->infra.
 */
static int load_infra_component(struct loader *l, const yaml_node_t *c, const char *phase_now)
{
	static const char *const keys[] = { "name", "phase", "hops", "groups",
		"default", "procedures", "source", NULL };
	struct catalog *cat = l->cat;
	struct cat_infra *inf;
	const char *name, *phase, *hops = NULL, *def, *source;
	char what[160];

	if (ymap_check(&l->d, c, "an infra component", keys, l->err) < 0 ||
	    y_str(&l->d, c, "name", "an infra component", true, &name, l->err) < 0)
		return -1;
	snprintf(what, sizeof(what), "infra component '%s'", name);
	if (y_str(&l->d, c, "phase", what, true, &phase, l->err) < 0)
		return -1;
	if (!streq(phase, "host") && !streq(phase, "ceph") && !streq(phase, "infra"))
		return loader_error(l, ymap_get(&l->d, c, "phase"),
				    "phase of %s must be host, ceph or infra, not '%s'", what, phase);
	if (!streq(phase, phase_now))
		return 0;
	inf = &cat->infra[cat->ninfra++];
	if (y_str(&l->d, c, "hops", what, false, &hops, l->err) < 0 ||
	    y_str(&l->d, c, "default", what, true, &def, l->err) < 0 ||
	    y_str(&l->d, c, "source", what, true, &source, l->err) < 0 ||
	    loader_str_list(l, c, "groups", what, true, &inf->groups, &inf->ngroups) < 0)
		return -1;
	if (hops && !streq(hops, "every") && !streq(hops, "first"))
		return loader_error(l, ymap_get(&l->d, c, "hops"),
				    "hops of %s must be every or first, not '%s'", what, hops);
	for (size_t j = 0; j + 1 < cat->ninfra; j++)
		if (streq(cat->infra[j].name, name))
			return loader_error(l, c, "duplicate infra component '%s'", name);
	inf->name = loader_dup(l, name);
	inf->phase = phase_now;
	inf->hops = hops && streq(hops, "first") ? HOPS_FIRST : HOPS_EVERY;
	inf->default_procedure = loader_dup(l, def);
	inf->source = loader_dup(l, source);
	inf->line = ynode_line(c);
	if (load_procedures(l, c, what, inf) < 0)
		return -1;
	if (!cat_infra_procedure(inf, inf->default_procedure))
		return loader_error(l, ymap_get(&l->d, c, "default"),
				    "default procedure '%s' of %s is not among its procedures",
				    def, what);
	return 0;
}

int catalog_load_infra(struct loader *l)
{
	static const char *const top[] = { "sources", "components", NULL };
	static const char *const phases[] = { "host", "ceph", "infra" };
	struct catalog *cat = l->cat;
	yaml_node_t *root, *seq;
	int r = -1;

	if (loader_open(l, "infra.yaml") < 0)
		return -1;
	root = ydoc_root(&l->d);
	if (ymap_check(&l->d, root, "infra.yaml", top, l->err) < 0 ||
	    y_seq(&l->d, root, "components", "infra.yaml", true, false, &seq, l->err) < 0)
		goto out;
	size_t n = yseq_len(seq);
	cat->infra = arena_alloc(&cat->arena, n * sizeof(*cat->infra) + 1);
	/* Three passes keep the phases in order whatever the file's order. */
	for (size_t ph = 0; ph < ARRAY_SIZE(phases); ph++)
		for (size_t i = 0; i < n; i++)
			if (load_infra_component(l, yseq_at(&l->d, seq, i), phases[ph]) < 0)
				goto out;
	r = 0;
out:
	ydoc_release(&l->d);
	return r;
}
