/*
 * plan.h - an upgrade plan: the ordered DAG of steps for a journey of one
 * or more hops, computed from an inventory, the catalog and the settings
 * before anything is touched.
 *
 * A journey from release A to release B is a sequence of hops: adjacent
 * releases, or one SLURP release to the next from the catalog's first
 * SLURP release on.  Each hop's steps fall in phases:
 *
 *   pre        validation and a verified database backup
 *   host       host OS and packages            (first hop unless settings say)
 *   ceph       monitors one at a time, then OSD nodes one at a time
 *   infra      galera, rabbitmq, haproxy, keepalived, memcached
 *   openstack  services in the catalog's rolling order, each one:
 *              pre commands, config, Keystone registrations, stop / remove
 *              container / remove image of the first batch (all batches
 *              when a migration is offline), prepare steps, db migrations,
 *              start + health check, then the remaining batches, then data
 *              plane components in rolling batches, then post commands
 *   verify     post-hop verification
 *
 * Every step names the steps it comes after by index; plan_add_step() only
 * accepts earlier indexes, so the DAG is acyclic by construction and the
 * steps array is a topological order.  Every destructive step of a hop
 * depends, directly or not, on the hop's db-backup step.
 *
 * Ownership: the plan owns its steps and strings (arena); it borrows the
 * inventory, catalog and settings, which must outlive it.
 */
#ifndef STACKHOP_PLAN_H
#define STACKHOP_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "catalog.h"
#include "error.h"
#include "inventory.h"
#include "settings.h"
#include "stepkind.h"
#include "util.h"

struct plan_step {
	const char *id;			/* unique in the plan */
	const struct step_kind *kind;
	const char *phase;		/* pre, host, ceph, infra, openstack, verify */
	const char *owner;		/* service or infra component, or NULL */
	const char *component;		/* container, or NULL */
	bool cluster;			/* runs once for all targets */
	struct inv_host **targets;
	size_t ntargets;
	size_t *after;			/* indexes of earlier steps */
	size_t nafter;
	int hop;			/* index into plan.hops */
	int batch, nbatches;		/* 1-based; 0 when not batched */
	int max_fail_percentage;
	const char *const *argv;	/* command steps */
	size_t argc;
	const struct cat_kv *params;
	size_t nparams;
	const struct cat_rename **renames;	/* config-migrate */
	size_t nrenames;
	const char *const *provides;	/* facts, see struct cat_step */
	const char *const *requires;
	size_t nprovides, nrequires;
	const char *source;		/* catalog source of the fact, or NULL */
};

struct plan_service {
	const char *name;
	const char *mode;		/* rolling, offline, retire, new, skipped */
	const char *why;		/* for skipped services */
	size_t first, count;		/* its steps */
};

struct plan_hop {
	const struct cat_release *from, *to;
	bool slurp_jump;
	size_t first, count;		/* its steps */
	VEC(struct plan_service) services;
	VEC(const struct cat_note *) notes;
};

struct plan {
	const struct cat_release *from, *to;
	const struct inventory *inv;
	const struct catalog *cat;
	struct arena arena;
	VEC(struct plan_step) steps;
	VEC(struct plan_hop) hops;
	VEC(const char *) warnings;
};

/*
 * The releases a journey passes through, from and to included, into
 * ret_path (the caller frees it).  With direct, refuse anything but a
 * single hop.  From and to the same release, the path is that release
 * twice: a minor update (its newer images, the release's own steps; not a
 * release hop).  Errors (unknown names, downgrades, unsupported jumps) are
 * input errors.
 */
int plan_path(const struct catalog *cat, const char *from, const char *to,
	      bool direct, const struct cat_release ***ret_path,
	      size_t *ret_n, struct sh_error *err);

/* Build the whole plan.  On failure *ret is untouched. */
int plan_build(struct inventory *inv, const struct catalog *cat,
	       const struct settings *st, const char *from, const char *to,
	       bool direct, struct plan **ret, struct sh_error *err);
void plan_free(struct plan *p);

/* A minor update: the same release on both sides (its newer images). */
static inline bool plan_is_minor(const struct plan *p) { return p->from == p->to; }
/* The value of a step's parameter (catalog params), or NULL. */
const char *plan_step_param(const struct plan_step *s, const char *key);

/* Output (plan-output.c).  Return 0, or -1 on a write error. */
int plan_print_text(const struct plan *p, FILE *out);
int plan_print_json(const struct plan *p, FILE *out);
int plan_print_dot(const struct plan *p, FILE *out);
/* One step as compact JSON (the shape of the JSON plan's steps), malloc'd. */
char *plan_step_json_text(const struct plan *p, const struct plan_step *s);

#endif
