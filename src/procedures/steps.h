/*
 * steps.h - the step kinds of a plan that stackhop carries out on real
 * nodes with the infrastructure procedures: health checks before and
 * after a hop, the verified database backup, and every step of the
 * Galera, RabbitMQ, HAProxy, keepalived and memcached procedures of
 * catalog/infra.yaml, and the container flow of an OpenStack service
 * (service.h).
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

struct infra_step {
	const char *kind;
	bool node;		/* runs on one node: needs --node */
	bool version;		/* needs --to VERSION (the component's target) */
	bool state;		/* keeps files in the run's state directory */
	const char *what;	/* for the help */
	bool component;		/* an OpenStack container's: needs --component */
	bool nodes;		/* --node takes a comma-separated list */
};

/* The step kind of that name that runs on real nodes, or NULL. */
const struct infra_step *infra_step_find(const char *kind);
/* Every such kind, NULL-terminated by kind == NULL. */
extern const struct infra_step infra_steps[];

/*
 * Hand these kinds to the executor's remote driver (drivers.h), which
 * cannot name them: the core sits below this layer.  main() calls it.
 */
void infra_steps_register(void);

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
};

/*
 * Run one step.  Checks its arguments (a node of the inventory, a
 * version, a state directory where the kind needs them) before anything
 * is changed.  Health-check kinds fail on a Failure, pass on a Warning.
 */
int infra_step_run(struct infra *x, const struct infra_step_args *a, struct sh_error *err);

#endif
