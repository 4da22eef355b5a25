/*
 * plan-internal.h - what the planner's files share, for them only:
 * plan.c (the hop path, the builder, steps, hosts and batches, hops),
 * plan-infra.c (host, Ceph and infrastructure procedures) and
 * plan-service.c (OpenStack services).  The public interface is plan.h.
 */
#ifndef STACKHOP_PLAN_INTERNAL_H
#define STACKHOP_PLAN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

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

/* What plan_add_step() makes a step of. */
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

/* One rolling batch of hosts (see plan_make_batches()). */
struct batch {
	struct inv_host **hosts;
	size_t n;
	int max_fail;
};
typedef VEC(struct batch) batch_vec;

/* Add i to the dependency set v unless it is there already. */
void plan_dep_add(idx_vec *v, size_t i);
/* Make i the only member of the dependency set v. */
void plan_dep_set(idx_vec *v, size_t i);
/*
 * Append a step after the steps in deps and return its index (or -1 with
 * an error for a duplicate id).  deps may only name existing steps: the
 * DAG stays acyclic by construction.  The id is the hop's target release,
 * a slash and idfmt expanded.
 */
long plan_add_step(struct builder *b, const struct step_spec *s,
		   const idx_vec *deps, const char *idfmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Hosts of the first group of the fallback list the inventory defines. */
void plan_select_hosts(struct builder *b, const char *const *groups,
		       size_t n, inv_host_vec *out);
/* Split hosts into rolling batches by the settings' policies. */
void plan_make_batches(struct builder *b, inv_host_vec *hosts, batch_vec *out);
/* Keep the hosts having every ROLE_* bit of want and none of refuse. */
void plan_filter_roles(struct builder *b, inv_host_vec *hosts, unsigned want,
		       unsigned refuse);

/* plan-infra.c: one infra component's procedure after *tail (updated). */
int plan_infra(struct builder *b, const struct cat_infra *c, idx_vec *tail);
/* plan-service.c: one OpenStack service's steps after *tail (updated). */
int plan_openstack_service(struct builder *b, const struct cat_service *svc,
			   idx_vec *tail);

#endif
