/*
 * stepkind.h - the kinds of step a plan is made of: one record per kind
 * holding everything about it (systemd's one vtable per unit type, git's
 * one command table).
 *
 * Every step of a plan has one of these kinds.  The record says what the
 * kind is (name, summary, destructive, retries), what it needs from its
 * step (a node, a node list, a component, a version, the run's state
 * directory, its params), how its exit status reads, how the simulated
 * cloud checks and applies it (sim.h), and how it runs on real nodes: the
 * catalog's command run by the executor's remote driver, a "stackhop step
 * KIND" process whose runner does the work, or not yet (and why).  The
 * executor, its drivers, the sim, "stackhop step" and the progress display
 * read the record; none of them names a kind.
 *
 * The one table lives above the core, in src/procedures/kinds.c, beside
 * the runners it points to; this layer only knows its shape.  main() (and
 * every test or fuzz target that reads a catalog) registers it once with
 * step_kinds_register(), which checks it first: a kind without a way to
 * run, or without its runner, stops stackhop at startup, naming the kind.
 * The catalog may only name kinds of the table (and not its internal
 * ones), so a typo in a data file is caught when the catalog is read, not
 * in the middle of an upgrade.  A destructive kind changes the running
 * cloud; each hop's plan puts its validation and database backup before
 * the first destructive step.
 */
#ifndef STACKHOP_STEPKIND_H
#define STACKHOP_STEPKIND_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Defined above the core or elsewhere; the table only points at them. */
struct inv_host;
struct plan_step;
struct sim;		/* sim.h */
struct step_run;	/* src/procedures/steps.h: what a runner works on */

/* What sim_check() answers (sim.h). */
enum sim_check {
	SIM_NOT_DONE,		/* the step's effect is absent: apply it */
	SIM_DONE,		/* the effect is present */
	SIM_UNKNOWN,		/* the step has no lasting effect to look at */
};

/* How a kind runs on real nodes. */
enum step_how {
	STEP_HOW_UNSET,		/* a table entry that forgot: refused at registration */
	STEP_HOW_COMMAND,	/* the catalog's argv, run by the remote driver on the target */
	STEP_HOW_PROCESS,	/* a "stackhop step KIND" process of this machine: .run */
	STEP_HOW_NOT_YET,	/* no implementation for real nodes yet: .why */
};

/* How the exit status of a command kind reads (any kind: 0 is done, and
 * the catalog's {warning_exit: N} makes N a warning). */
enum step_exit {
	STEP_EXIT_PLAIN,	/* anything but 0 failed */
	STEP_EXIT_AGAIN,	/* 1: more to do, run it again (online data migrations) */
	STEP_EXIT_ARCHIVE,	/* 1: again, as AGAIN; after 0 or 1 the rows its output
				 * says it archived are counted, and the display shows
				 * the total (nova-manage db archive_deleted_rows --verbose) */
	STEP_EXIT_UPGRADECHECK,	/* oslo.upgradecheck: 1 is a warning (passes); the
				 * display shows the result table */
};

/* What a "stackhop step" kind needs from its step (flags of .needs). */
enum {
	STEP_NEEDS_NODE = 1 << 0,	/* one node: --node */
	STEP_NEEDS_NODES = 1 << 1,	/* the step's targets: --node A,B,... */
	STEP_NEEDS_VERSION = 1 << 2,	/* --to VERSION, the component's target */
	STEP_NEEDS_STATE = 1 << 3,	/* keeps files in the run's directory (--state) */
	STEP_NEEDS_COMPONENT = 1 << 4,	/* an OpenStack container's: --component */
	STEP_NEEDS_PARAMS = 1 << 5,	/* the step's params, --param KEY=VALUE */
	STEP_NEEDS_RELEASE = 1 << 6,	/* --catalog DIR --release NAME (the hop's) */
	STEP_NEEDS_COMMAND = 1 << 7,	/* -- COMMAND; exits with its status, 125
					 * when it could not run it */
};

typedef enum sim_check sim_check_fn(struct sim *m, const struct plan_step *s,
				    const struct inv_host *t);
typedef int sim_apply_fn(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			 struct sh_error *err);
/* 0 done, -1 failed (err); a STEP_NEEDS_COMMAND kind: the command's status. */
typedef int step_run_fn(const struct step_run *r, struct sh_error *err);

struct step_kind {
	const char *name;
	const char *summary;		/* what it does, for the plan's readers */
	bool destructive;
	int retries;			/* extra attempts of a failed unit */
	/* Not a plan step: the catalog may not name it ("stackhop step" only). */
	bool internal;

	/* Real nodes. */
	enum step_how how;
	enum step_exit exit;		/* STEP_HOW_COMMAND kinds */
	unsigned needs;			/* STEP_NEEDS_*, STEP_HOW_PROCESS kinds */
	step_run_fn *run;		/* STEP_HOW_PROCESS */
	const char *help;		/* STEP_HOW_PROCESS: its line in 'stackhop step --help' */
	const char *why;		/* STEP_HOW_NOT_YET: what executor_precheck() says */
	/*
	 * What a process kind needs of the run's runtime: bits of enum
	 * runtime_op (src/infra/runtime.h), which the core only carries; a
	 * plan with a kind its runtime lacks something of is refused before
	 * its journal exists (step_kinds_runtime_check(), kinds.c).
	 */
	unsigned runtime_needs;

	/* The simulated cloud (sim.h); every kind but an internal one has both. */
	sim_check_fn *sim_check;
	sim_apply_fn *sim_apply;
	unsigned sim_weight;		/* units of simulated work; 0 is 1 */
};

/*
 * Check a table of kinds: unique names, a summary, a way to run and what
 * it needs (a runner and help for a process kind, a reason for one that
 * cannot run yet), both sim functions for a plan kind.  0, or -1 with err
 * naming the first bad kind.
 */
int step_kinds_validate(const struct step_kind *table, size_t n, struct sh_error *err);
/*
 * Make table (static, n entries) the kinds of this process.  A table that
 * step_kinds_validate() refuses is a programming error: abort() with its
 * message.  Registering again replaces the table.
 */
void step_kinds_register(const struct step_kind *table, size_t n);

/* The plan kind (not an internal one) named name, or NULL: what a
 * catalog may name.  Aborts when no table is registered. */
const struct step_kind *step_kind_find(const char *name);
/* Any kind named name, internal ones included ("stackhop step"), or NULL. */
const struct step_kind *step_kind_find_any(const char *name);
/* The i-th kind of the table, NULL past the end (aborts like find). */
const struct step_kind *step_kind_at(size_t i);
/* Comma-separated list of every plan kind's name, for messages. */
const char *step_kind_names(void);

#endif
