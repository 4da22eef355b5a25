/*
 * drivers.h - the executor's transports: sim (the simulated cloud of
 * sim.h) and remote (commands over ssh, or locally for
 * ansible_connection=local hosts).
 */
#ifndef STACKHOP_DRIVERS_H
#define STACKHOP_DRIVERS_H

#include "executor.h"
#include "secrets.h"
#include "sim.h"
#include "strv.h"
#include "transport.h"

/* Context of sim_driver: the model, and the wall-clock length of one
 * unit of simulated work (sim_weight()) in seconds, 0 for none. */
struct sim_driver {
	const struct plan *plan;
	struct sim *model;
	double unit_s;
};
extern const struct exec_driver sim_driver;

/*
 * Context of remote_driver.  It runs the steps whose work is a command
 * (command, db-sync, online-migrations, status-check,
 * archive-deleted-rows) on their targets, and the kinds that
 * remote_register_steps() names (src/procedures/steps.h: health checks,
 * the backup, the Galera, RabbitMQ, HAProxy, keepalived and memcached
 * procedures, the container flow) as "stackhop step KIND" processes
 * on this machine, with the run's settings and inventory, --node for a
 * per-node kind, --to the step's "version" parameter (from the settings'
 * components), and --state the run's directory of files.  Other kinds
 * (container runtimes, Keystone client) are refused before anything runs.
 *
 * A step whose params name "stdin_secrets: a,b" gets the values of those
 * secrets on its standard input, one per line in that order: secrets
 * never travel in argv, where ps would show them.
 */
struct remote_driver {
	const struct plan *plan;
	const struct ssh_options *ssh;
	int timeout_s;			/* per command, 0 = none */
	const struct secrets *secrets;	/* or NULL */
	/* For the infrastructure kinds (NULL: they are refused): */
	const char *settings;		/* absolute path */
	const char *inventory;		/* absolute path */
	const char *state_dir;		/* the run's files */
	/* The process runtime's control command (runtime: process), or
	 * NULL: catalog commands then run in the service's image through
	 * its "exec" action instead of bare on the node. */
	const char *const *process_control;
	size_t nprocess_control;
	/* Rows each archive-deleted-rows step archived in this process, over
	 * its reruns (allocated on first use; the caller frees it). */
	long *archived;
	/* runtime: docker: catalog commands run in one-off containers on the
	 * node ("stackhop step container-run", a process of this machine). */
	bool docker;
};
extern const struct exec_driver remote_driver;

/*
 * A kind that a "stackhop step" process carries out on real nodes, as the
 * remote driver needs to know it.  The kinds and their runners live above
 * the core (src/procedures/steps.c): the procedures layer hands its lookup
 * to the driver with remote_register_steps() (infra_steps_register(),
 * which main() calls), so the core names none of them.
 */
struct remote_step {
	bool node;		/* runs on one node: --node */
	bool version;		/* needs --to VERSION */
	bool component;		/* an OpenStack container's: --component */
	bool nodes;		/* --node takes a comma-separated list */
};

/* find(kind, ret): true, and *ret filled, when "stackhop step" has kind. */
void remote_register_steps(bool (*find)(const char *kind, struct remote_step *ret));

/*
 * Is plan step s carried out by a "stackhop step" kind on real nodes (how
 * in *ret, which may be NULL)?  False when s is a command (it has an
 * argv), when no such kind exists, or when no lookup is registered.
 */
bool remote_step_kind(const struct plan_step *s, struct remote_step *ret);

/*
 * The argv of the "stackhop step KIND ..." process that carries out s (a
 * remote_step_kind()) on t (NULL: its first target), appended to ret:
 * every argument, however many the step's params make.
 */
void remote_step_argv(const struct remote_driver *d, const struct plan_step *s,
		      const struct inv_host *t, struct strv *ret);

/*
 * The rows "nova-manage db archive_deleted_rows --verbose" says it
 * archived: the sum of its "Number of Rows Archived" table, 0 for
 * "Nothing was archived.", -1 when output says neither.
 */
long remote_archived_rows(const char *output);

#endif
