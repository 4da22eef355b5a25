/*
 * steps.h - the step kinds of a plan that stackhop carries out on real
 * nodes as "stackhop step KIND" processes (STEP_HOW_PROCESS): health
 * checks before and after a hop, the verified database backup, every
 * step of the Galera, RabbitMQ, HAProxy, keepalived and memcached
 * procedures of catalog/infra.yaml, and the container flow of an
 * OpenStack service (service.h).  Each kind's runner is named by its
 * entry in the table of kinds (kinds.c).
 *
 * "stackhop step KIND" runs one of them; the executor's remote driver
 * runs that command (locally) for each such step of a plan, so every step
 * is a process of its own: the poll loop never blocks, --timeout bounds
 * it, and its output is the step's journal tail.
 */
#ifndef STACKHOP_STEPS_H
#define STACKHOP_STEPS_H

#include <stdbool.h>

#include "infra.h"
#include "stepkind.h"

/*
 * The step kinds: the one table of every kind, src/procedures/kinds.c
 * (struct step_kind, stepkind.h).  main() and the tests that read a
 * catalog call step_kinds_init() once, before anything looks a kind up.
 */
extern const struct step_kind step_kind_table[];
extern const size_t step_kind_table_size;
void step_kinds_init(void);

struct plan;
struct runtime_ops;
struct settings;
/*
 * Every process kind of p's steps can run through rt with settings st
 * (its runtime_needs), else -1 with err naming each kind once and what rt
 * lacks of it: checked before a run's journal is written.
 */
int step_kinds_runtime_check(const struct plan *p, const struct runtime_ops *rt,
			     const struct settings *st, struct sh_error *err);

struct infra_step_args {
	const char *kind;
	const char *node;	/* inventory host name (a list for nodes kinds), or NULL */
	const char *component;	/* an OpenStack container, or NULL */
	const char *catalog;	/* config-migrate: the catalog's directory */
	const char *release;	/* config-migrate: the release to translate to */
	const char *const *params;	/* "KEY=VALUE" (keystone-register), or NULL */
	size_t nparams;
	const char *version;	/* or NULL */
	const char *state_dir;	/* backups, RabbitMQ definitions (created 0700) */
	const char *id;		/* the plan step's id: names its files */
	int reconnect_timeout;	/* RabbitMQ clients, seconds */
	const char *const *cmd;	/* STEP_NEEDS_COMMAND: the command, NULL-terminated */
};

/* What a kind's runner works on, checked against its needs by
 * infra_step_run(). */
struct step_run {
	struct infra *x;
	const struct infra_step_args *a;
	const struct step_kind *kind;
	const struct inv_host *h;		/* STEP_NEEDS_NODE: the node */
	const struct inv_host *const *hosts;	/* STEP_NEEDS_NODES: the nodes */
	size_t nhosts;
};

/*
 * Run one step: its kind's runner.  Checks its arguments against the
 * kind's needs (a node of the inventory, a version, a state directory
 * (created), a component) before anything is changed.  Health-check kinds
 * fail on a Failure, pass on a Warning.  0 done, -1 failed (err); a
 * STEP_NEEDS_COMMAND kind returns the command's exit status.
 */
int infra_step_run(struct infra *x, const struct infra_step_args *a, struct sh_error *err);

/* For the runners (steps.c). */
/* The value of --param KEY=VALUE, or NULL. */
const char *step_param(const struct infra_step_args *a, const char *key);
/* STATE/PREFIX[-ID]EXT (malloc'd), the characters of a step id that a
 * file name should not hold replaced. */
char *step_state_file(const struct infra_step_args *a, const char *prefix, bool with_id,
		      const char *ext);
/* Runners of steps.c's own procedures (the table points at them). */
step_run_fn step_run_health;		/* pre-validate, post-verify */
step_run_fn step_run_keystone_register;
step_run_fn step_run_db_create;
step_run_fn step_run_health_check;
step_run_fn step_run_config_migrate;
step_run_fn step_run_memcached_upgrade;

#endif
