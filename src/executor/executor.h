/*
 * executor.h - run a plan: one poll loop, no threads.
 *
 * The executor takes the plan's steps in their journal state and runs the
 * ready ones (every step they come after is done) with bounded
 * parallelism: at most forks units at once, where a unit is one step on one
 * target (a cluster step is one unit).  Rolling batches need nothing more:
 * the plan makes each batch come after the previous batch's health check.
 *
 * Each unit goes through phases given by a driver (the transport):
 *
 *   check   already done?  Only for a step found 'running' on resume: a
 *           run killed inside a step does not know whether the step's
 *           effect happened.  done -> verify; not done or unknown -> apply
 *   apply   do it.  A driver may answer "again" (online data migrations
 *           that report more work): apply runs again, at most
 *           EXEC_AGAIN_MAX times
 *   verify  did it take?
 *
 * A failed unit of a kind with retries (health checks, validations) is
 * retried after a backoff (base, 2 x base, 4 x base ..., at most 30 s).
 * The failure budget is Ansible's max_fail_percentage over a serial batch:
 * a step (one batch) fails when more than max_fail_percentage of its
 * units failed, or all of them did.  A host whose unit failed within the
 * budget is left out of the later steps of the run, as Ansible drops a
 * failed host from the rest of the play, and counts as failed in each of
 * them (a resumed run tries it again).  When a step fails, no new step
 * starts, running ones finish, the run is marked
 * failed and executor_run() returns 1 with the failing step, node, exit
 * status and output tail in the report.  A journal write that fails stops
 * the run at once (-1): the journal still holds the last state it
 * recorded, and resume carries on from there.
 *
 * Every state change goes to the journal first, then to the observer
 * (progress display).
 */
#ifndef STACKHOP_EXECUTOR_H
#define STACKHOP_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "journal.h"
#include "plan.h"
#include "transport.h"

#define EXEC_AGAIN_MAX 1000

enum exec_phase { PHASE_CHECK, PHASE_APPLY, PHASE_VERIFY };
const char *exec_phase_name(enum exec_phase ph);

enum exec_outcome {
	OUTCOME_OK,		/* apply/verify succeeded; check: done */
	OUTCOME_NOT_DONE,	/* check: not done */
	OUTCOME_UNKNOWN,	/* check: cannot tell */
	OUTCOME_AGAIN,		/* apply: more to do, run again */
	OUTCOME_FAIL,
};

struct exec_result {
	enum exec_outcome outcome;
	int exit_status;	/* -1 when there was no process */
	char *output;		/* malloc'd or NULL */
};

/*
 * A transport as the executor sees it.  begin() starts one phase of a
 * unit: it either starts *proc (returns 1; end() is called when the
 * process is done) or asks to be called back after *ret_delay seconds
 * (returns 0; end() does the work then, so a run killed during the delay
 * leaves no effect behind).  end() fills res.  t is NULL for a cluster
 * step.
 */
struct exec_driver {
	const char *name;
	bool simulated;
	/* NULL, or why the driver cannot run step s (static string). */
	const char *(*unsupported)(void *ctx, const struct plan_step *s);
	int (*begin)(void *ctx, size_t step, const struct inv_host *t,
		     enum exec_phase ph, struct proc *proc, double *ret_delay,
		     struct sh_error *err);
	void (*end)(void *ctx, size_t step, const struct inv_host *t,
		    enum exec_phase ph, struct proc *proc, struct exec_result *res);
};

enum exec_event_type {
	EVENT_STEP_START,	/* resumed: the step was found running */
	EVENT_STEP_DONE,
	EVENT_STEP_FAILED,
	EVENT_UNIT_RETRY,	/* unit of step on target, after a failure */
	EVENT_UNIT_FAILED,	/* tolerated or not */
	EVENT_TICK,		/* about every 100 ms while running */
};

struct exec_event {
	enum exec_event_type type;
	size_t step;
	const struct inv_host *target;
	bool resumed;
	int exit_status, attempt;
	const char *output;
	double elapsed;		/* of the step, seconds */
};

/* A unit of a running step (a phase in progress, or waiting for a fork
 * or a retry), for the progress display. */
struct exec_running {
	size_t step;
	const struct inv_host *target;
};

struct exec_observer {
	void (*event)(void *ctx, const struct exec_event *ev,
		      const struct exec_running *running, size_t nrunning,
		      size_t done, size_t total);
	void *ctx;
};

struct exec_options {
	int forks;		/* units at once, >= 1 */
	int timeout_s;		/* per unit phase, 0 = none */
	double backoff_s;	/* first retry delay */
};

struct exec_report {
	size_t done, total;
	long failed_step;	/* -1 when none */
	const struct inv_host *failed_target;
	int exit_status;
	char *output;		/* malloc'd tail of the failed unit, or NULL */
};

/* Refuse (input error) a plan with a step the driver cannot run. */
int executor_precheck(const struct plan *p, const struct exec_driver *d, void *dctx,
		      struct sh_error *err);

/*
 * Run every step of p not yet done in journal j (open, locked) with
 * driver d.  Returns 0 when every step is done, 1 when a step failed
 * (report filled), -1 on an error that stopped the run (err).
 */
int executor_run(const struct plan *p, struct journal *j,
		 const struct exec_driver *d, void *dctx,
		 const struct exec_options *o, const struct exec_observer *obs,
		 struct exec_report *report, struct sh_error *err);
void exec_report_release(struct exec_report *r);

#endif
