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
 * Context of remote_driver.  It reads each step's kind (stepkind.h) and
 * names none.  It runs the steps whose work is a catalog command
 * (STEP_HOW_COMMAND kinds: command, db-sync, online-migrations,
 * status-check, archive-deleted-rows) on their targets, their exit status
 * read as the kind's exit says, and the STEP_HOW_PROCESS kinds (the
 * runners of src/procedures/: health checks, the backup, the Galera,
 * RabbitMQ, HAProxy, keepalived and memcached procedures, the container
 * flow) as "stackhop step KIND" processes on this machine, with the run's
 * settings and inventory, --node for a per-node kind, --to the step's
 * "version" parameter (from the settings' components), and --state the
 * run's directory of files.  A STEP_HOW_NOT_YET kind is refused before
 * anything runs, with its kind's reason.
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
 * Is plan step s carried out by a "stackhop step KIND" process on this
 * machine (its kind's how is STEP_HOW_PROCESS)?  False for a catalog
 * command (it has an argv), whatever its kind.
 */
bool remote_step_process(const struct plan_step *s);

/*
 * The argv of the "stackhop step KIND ..." process that carries out s (a
 * remote_step_process()) on t (NULL: its first target), appended to ret:
 * every argument, however many the step's params make, as its kind's
 * needs say.
 */
void remote_step_argv(const struct remote_driver *d, const struct plan_step *s,
		      const struct inv_host *t, struct strv *ret);

/*
 * The argv that runs catalog command step s on h, appended to ret: with
 * the process runtime, CONTROL exec SERVICE NODE [--version V] -- ARGV
 * (the image of the step's version, else the one the node runs); with
 * the docker runtime, "stackhop step container-run" on the service's
 * component whose image has the command (d->docker); else argv itself.
 */
void remote_command_argv(const struct remote_driver *d, const struct plan_step *s,
			 const struct inv_host *h, struct strv *ret);

/*
 * The rows "nova-manage db archive_deleted_rows --verbose" says it
 * archived: the sum of its "Number of Rows Archived" table, 0 for
 * "Nothing was archived.", -1 when output says neither.
 */
long remote_archived_rows(const char *output);

#endif
