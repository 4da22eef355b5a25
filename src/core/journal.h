/*
 * journal.h - the crash-safe record of one upgrade run (SQLite, WAL).
 *
 * The journal holds the plan's steps, their dependencies and, per step,
 * its state, attempts, start and end times, exit status and a bounded,
 * redacted tail of its output.  Every state change is one transaction
 * (synchronous=FULL): after a crash the journal shows each step exactly in
 * the last state that was reported to it.
 *
 * The state machine of a step, with the function that performs each
 * transition:
 *
 *                journal_step_start()
 *     planned ─────────────────────────> running
 *       │  ^                              │    │
 *       │  │  journal_step_requeue()      │    │ journal_step_finish(ok)
 *       │  └──────────────────── running  │    v
 *       │     (resume: check says not     │   done
 *       │      done; or a retry)          │
 *       │                                 │ journal_step_finish(failed)
 *       │ journal_step_skip()             v
 *       v                               failed ──> planned
 *    skipped                     journal_step_requeue() (resume)
 *
 * Any other transition is refused (an error, nothing written).  The run
 * as a whole is "planned", "running", "done" or "failed"
 * (journal_set_run_state()).
 *
 * One process at a time: journal_open() takes an exclusive flock(2) on the
 * file and fails if another live process holds it.  journal_create()
 * builds the file under a temporary name and renames it into place, so a
 * journal either holds the whole plan or does not exist; the rename never
 * replaces a file.  The journal and its WAL and shared-memory files are
 * mode 0600; journal_open() makes those of an older stackhop (0644)
 * owner-only before the run writes.
 */
#ifndef STACKHOP_JOURNAL_H
#define STACKHOP_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "plan.h"
#include "redact.h"

/* Bytes of output kept per step (the end of it). */
#define JOURNAL_TAIL_MAX 4096

enum step_state { STEP_PLANNED, STEP_RUNNING, STEP_DONE, STEP_FAILED, STEP_SKIPPED };
const char *step_state_name(enum step_state s);

struct journal_meta {
	const char *from, *to;		/* release names */
	const char *inventory, *settings, *catalog, *transport;
};

struct journal;

/* Write plan p into a new journal at path (refused if path exists). */
int journal_create(const char *path, const struct plan *p,
		   const struct journal_meta *meta, struct sh_error *err);
/*
 * Open an existing journal for a run: locked until journal_close(), and
 * it, its WAL and its shared-memory file made owner-only (a WAL or
 * shared-memory file that is a symbolic link is an error).
 */
int journal_open(const char *path, struct journal **ret, struct sh_error *err);
/* Open without the lock, read-only (status of a live run). */
int journal_open_readonly(const char *path, struct journal **ret,
			  struct sh_error *err);
void journal_close(struct journal *j);

/* The redactor applied to tails from now on (borrowed). */
void journal_set_redactor(struct journal *j, const struct redactor *r);

int journal_step_start(struct journal *j, long idx, struct sh_error *err);
int journal_step_finish(struct journal *j, long idx, bool ok, int exit_status,
			const char *output, size_t len, struct sh_error *err);
int journal_step_skip(struct journal *j, long idx, struct sh_error *err);
int journal_step_requeue(struct journal *j, long idx, struct sh_error *err);
int journal_set_run_state(struct journal *j, const char *state,
			  struct sh_error *err);

/*
 * Outage windows, written by the prober of a run (stackhop probe
 * --journal): opened without the run's lock, so both write side by side
 * (SQLite serialises the transactions).
 */
struct journal_outage {
	const char *target, *plane;
	double start, end;		/* seconds since the epoch */
	bool open;			/* still down when the prober stopped */
	const char *error;		/* the first failed sample's error */
};

int journal_open_outages(const char *path, struct journal **ret, struct sh_error *err);
int journal_add_outage(struct journal *j, const struct journal_outage *o,
		       struct sh_error *err);
/* Every outage, oldest first (none when the run had no prober). */
int journal_read_outages(struct journal *j, struct journal_outage **ret, size_t *n,
			 struct sh_error *err);
void journal_outages_free(struct journal_outage *o, size_t n);

/* Per probed target, what the run's probers sampled (added up). */
struct journal_probe_target {
	const char *target, *plane;
	long long samples, failures, outages;
	double longest, downtime;	/* seconds */
};

/* Add one prober's totals (one transaction). */
int journal_add_probe_targets(struct journal *j, const struct journal_probe_target *t,
			      size_t n, struct sh_error *err);
/* The totals, by plane and target (none when the run had no prober). */
int journal_read_probe_targets(struct journal *j, struct journal_probe_target **ret, size_t *n,
			       struct sh_error *err);
void journal_probe_targets_free(struct journal_probe_target *t, size_t n);

/* A step as recorded. */
struct journal_step {
	long idx, hop;
	char *id, *kind, *phase, *owner, *targets_json, *tail;
	char *spec;			/* the step as JSON, as planned */
	enum step_state state;
	int attempts, exit_status;	/* exit_status -1 when none */
	double started, ended;		/* seconds since the epoch, 0 = none */
	long *after;
	size_t nafter;
};

struct journal_view {
	char *from, *to, *run_state, *inventory, *settings, *catalog, *transport;
	struct journal_step *steps;
	size_t nsteps;
};

/* Read everything (for status, resume and tests). */
int journal_read(struct journal *j, struct journal_view *ret,
		 struct sh_error *err);
void journal_view_release(struct journal_view *v);

#endif
