/* executor.c - run a plan; see executor.h. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "executor.h"

#define BACKOFF_MAX_S 30.0
#define TICK_S 0.1

static const char *const phase_names[] = { "check", "apply", "verify" };

const char *exec_phase_name(enum exec_phase ph)
{
	return phase_names[ph];
}

struct unit {
	size_t step;
	const struct inv_host *target;	/* NULL for a cluster step */
	enum exec_phase phase;
	int attempt, again;
	bool busy;		/* a phase is in progress (counts against forks) */
	bool finished, failed;
	bool left_out;		/* failed an earlier step: not run */
	double wake;		/* busy: when a timed phase ends; idle: not before */
	struct proc proc;
	bool has_proc;
	int exit_status;
	char *output;
};

struct step_run {
	enum step_state state;
	bool resumed;
	size_t nunits, pending, failed;
	double started;
};

struct run {
	const struct plan *p;
	struct journal *j;
	const struct exec_driver *d;
	void *dctx;
	const struct exec_options *o;
	const struct exec_observer *obs;
	struct exec_report *report;
	struct sh_error *err;
	struct step_run *steps;
	VEC(struct unit *) units;	/* active units */
	size_t busy, done, first_open;
	bool stopping;
	bool *host_failed;		/* by host index: a unit of it failed */
};

/* An event of step (of unit u, or NULL); output: the step's (STEP_DONE). */
static void emit_output(struct run *r, enum exec_event_type type, size_t step,
			const struct unit *u, int status, const char *output)
{
	struct exec_running *running;
	struct exec_event ev = {
		.type = type, .step = step, .target = u ? u->target : NULL,
		.resumed = r->steps[step].resumed,
		.exit_status = u ? u->exit_status : status,
		.attempt = u ? u->attempt : 0,
		.output = u ? u->output : output,
		.elapsed = r->steps[step].started ?
			monotonic_now() - r->steps[step].started : 0,
	};
	size_t n = 0;

	if (!r->obs || !r->obs->event)
		return;
	running = xcalloc(r->units.n + 1, sizeof(*running));
	for (size_t i = 0; i < r->units.n; i++)
		if (!r->units.v[i]->finished)
			running[n++] = (struct exec_running){ r->units.v[i]->step,
							      r->units.v[i]->target };
	r->obs->event(r->obs->ctx, &ev, running, n, r->done, r->p->steps.n);
	free(running);
}

static void emit(struct run *r, enum exec_event_type type, size_t step,
		 const struct unit *u)
{
	emit_output(r, type, step, u, -1, NULL);
}

static bool deps_done(const struct run *r, size_t i)
{
	const struct plan_step *s = &r->p->steps.v[i];

	for (size_t k = 0; k < s->nafter; k++) {
		enum step_state st = r->steps[s->after[k]].state;

		if (st != STEP_DONE && st != STEP_SKIPPED)
			return false;
	}
	return true;
}

static void add_units(struct run *r, size_t i, enum exec_phase ph)
{
	const struct plan_step *s = &r->p->steps.v[i];
	size_t n = s->cluster || !s->ntargets ? 1 : s->ntargets;

	r->steps[i].nunits = r->steps[i].pending = n;
	r->steps[i].failed = 0;
	r->steps[i].started = monotonic_now();
	for (size_t k = 0; k < n; k++) {
		struct unit *u = xcalloc(1, sizeof(*u));

		u->step = i;
		u->target = s->cluster || !s->ntargets ? NULL : s->targets[k];
		u->phase = ph;
		u->attempt = 1;
		u->exit_status = -1;
		u->proc.in_fd = u->proc.out_fd = u->proc.err_fd = -1;
		/* As Ansible drops a failed host from the rest of the play: it
		 * is left out, and counts against this step's budget. */
		if (u->target && r->host_failed[u->target->index]) {
			u->finished = u->failed = u->left_out = true;
			u->output = xstrdup("left out: it failed an earlier step of this run\n");
			r->steps[i].failed++;
			r->steps[i].pending--;
		}
		vec_push(r->units, u);
	}
}

static size_t queued_units(const struct run *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->units.n; i++)
		n += !r->units.v[i]->busy && !r->units.v[i]->finished;
	return n;
}

static int finish_step(struct run *r, size_t i);

/* Start ready steps while there is room for their units. */
static int start_steps(struct run *r)
{
	const struct plan *p = r->p;

	while (r->first_open < p->steps.n &&
	       (r->steps[r->first_open].state == STEP_DONE ||
		r->steps[r->first_open].state == STEP_SKIPPED))
		r->first_open++;
	for (size_t i = r->first_open; i < p->steps.n && !r->stopping; i++) {
		if (r->steps[i].state != STEP_PLANNED || !deps_done(r, i))
			continue;
		if (r->busy + queued_units(r) >= (size_t)r->o->forks)
			break;
		if (journal_step_start(r->j, (long)i, r->err) < 0)
			return -1;
		r->steps[i].state = STEP_RUNNING;
		add_units(r, i, PHASE_APPLY);
		emit(r, EVENT_STEP_START, i, NULL);
		if (!r->steps[i].pending && finish_step(r, i) < 0)
			return -1;
	}
	return 0;
}

static int begin_unit(struct run *r, struct unit *u, double now)
{
	double delay = 0;
	int k = r->d->begin(r->dctx, u->step, u->target, u->phase, &u->proc, &delay, r->err);

	if (k < 0)
		return sh_error_prefix(r->err, "step '%s'", r->p->steps.v[u->step].id);
	u->has_proc = k > 0;
	u->busy = true;
	u->wake = now + delay;
	r->busy++;
	return 0;
}

static void append_output(char **dst, const char *head, const char *text)
{
	size_t a = *dst ? strlen(*dst) : 0, h = head ? strlen(head) : 0;
	size_t t = text ? strlen(text) : 0;
	char *s = xrealloc(*dst, a + h + t + 1);

	memcpy(s + a, head ? head : "", h);
	memcpy(s + a + h, text ? text : "", t);
	s[a + h + t] = '\0';
	*dst = s;
}

/* Every unit of step i has finished: record the step. */
static int finish_step(struct run *r, size_t i)
{
	const struct plan_step *s = &r->p->steps.v[i];
	struct step_run *sr = &r->steps[i];
	/* Ansible's max_fail_percentage: failed / batch size above it
	 * fails; so does a batch whose every host failed. */
	bool ok = sr->failed * 100 <= sr->nunits * (size_t)(s->max_fail_percentage > 0 ?
							   s->max_fail_percentage : 0) &&
		  !(sr->failed && sr->failed == sr->nunits);
	struct unit *bad = NULL;
	char *out = NULL;
	int status = 0;

	for (size_t k = 0; k < r->units.n; k++) {
		struct unit *u = r->units.v[k];
		char head[300];

		if (u->step != i)
			continue;
		if (sr->nunits > 1) {
			snprintf(head, sizeof(head), "== %s%s ==\n", u->target ? u->target->name : "cluster",
				 u->failed ? " (failed)" : "");
			append_output(&out, head, u->output);
		} else {
			append_output(&out, NULL, u->output);
		}
		if (u->failed && (!bad || (bad->left_out && !u->left_out))) {
			/* Report the unit that failed here over one left out. */
			bad = u;
			status = u->exit_status;
		} else if (!bad && u->exit_status > status) {
			status = u->exit_status;	/* e.g. a status check's warning */
		}
	}
	if (journal_step_finish(r->j, (long)i, ok, status, out, out ? strlen(out) : 0, r->err) < 0) {
		free(out);
		return -1;
	}
	sr->state = ok ? STEP_DONE : STEP_FAILED;
	if (ok) {
		r->done++;
		emit_output(r, EVENT_STEP_DONE, i, bad, status, out);
		free(out);
	} else {
		free(out);
		r->stopping = true;
		if (r->report->failed_step < 0) {
			r->report->failed_step = (long)i;
			r->report->failed_target = bad ? bad->target : NULL;
			r->report->exit_status = status;
			r->report->output = bad && bad->output ? xstrdup(bad->output) : NULL;
		}
		emit(r, EVENT_STEP_FAILED, i, bad);
	}
	/* Drop the step's units. */
	for (size_t k = 0; k < r->units.n;) {
		struct unit *u = r->units.v[k];

		if (u->step != i) {
			k++;
			continue;
		}
		free(u->output);
		free(u);
		r->units.v[k] = r->units.v[--r->units.n];
	}
	return 0;
}

static double backoff(const struct run *r, int attempt)
{
	double b = r->o->backoff_s * pow(2.0, attempt - 1);

	return b > BACKOFF_MAX_S ? BACKOFF_MAX_S : b;
}

/* A phase of unit u ended with res: move it on. */
static int unit_result(struct run *r, struct unit *u, struct exec_result *res, double now)
{
	const struct plan_step *s = &r->p->steps.v[u->step];
	bool failed = false;

	u->busy = false;
	r->busy--;
	if (res->exit_status >= 0 || res->output) {
		u->exit_status = res->exit_status;
		free(u->output);
		u->output = res->output;
		res->output = NULL;
	}
	switch (u->phase) {
	case PHASE_CHECK:
		u->phase = res->outcome == OUTCOME_OK ? PHASE_VERIFY : PHASE_APPLY;
		break;
	case PHASE_APPLY:
		if (res->outcome == OUTCOME_OK)
			u->phase = PHASE_VERIFY;
		else if (res->outcome == OUTCOME_AGAIN && ++u->again < EXEC_AGAIN_MAX)
			;	/* run apply again */
		else
			failed = true;
		break;
	case PHASE_VERIFY:
		if (res->outcome == OUTCOME_OK) {
			u->finished = true;
		} else {
			if (!u->output)
				u->output = xstrdup("verify: the step's effect is not there\n");
			failed = true;
		}
		break;
	}
	free(res->output);
	res->output = NULL;
	if (failed && u->attempt <= s->kind->retries && !r->stopping) {
		u->attempt++;
		u->again = 0;
		u->phase = PHASE_APPLY;
		u->wake = now + backoff(r, u->attempt - 1);
		emit(r, EVENT_UNIT_RETRY, u->step, u);
		return 0;
	}
	if (failed) {
		u->finished = u->failed = true;
		if (u->target)
			r->host_failed[u->target->index] = true;
		r->steps[u->step].failed++;
		emit(r, EVENT_UNIT_FAILED, u->step, u);
	}
	if (u->finished && --r->steps[u->step].pending == 0)
		return finish_step(r, u->step);
	return 0;
}

static void release_units(struct run *r)
{
	for (size_t k = 0; k < r->units.n; k++) {
		struct unit *u = r->units.v[k];

		if (u->has_proc)
			proc_release(&u->proc);
		free(u->output);
		free(u);
	}
	vec_free(r->units);
}

static int loop(struct run *r)
{
	struct pollfd *fds = NULL;
	struct { struct unit *u; size_t first; int count; } *polled = NULL;
	double last_tick = 0;
	int ret = -1;

	for (;;) {
		double now = monotonic_now(), next = now + TICK_S;
		size_t nfds = 0, npolled = 0;
		int timeout_ms;

		if (start_steps(r) < 0)
			goto out;
		if (!r->units.n)
			break;
		/* Begin idle units while there is room. */
		for (size_t k = 0; k < r->units.n && r->busy < (size_t)r->o->forks; k++) {
			struct unit *u = r->units.v[k];

			if (!u->busy && !u->finished && u->wake <= now && begin_unit(r, u, now) < 0)
				goto out;
		}
		fds = xrealloc(fds, (r->units.n * 3 + 1) * sizeof(*fds));
		polled = xrealloc(polled, (r->units.n + 1) * sizeof(*polled));
		for (size_t k = 0; k < r->units.n; k++) {
			struct unit *u = r->units.v[k];

			if (u->busy && u->has_proc) {
				polled[npolled].u = u;
				polled[npolled].first = nfds;
				polled[npolled].count = proc_pollfds(&u->proc, fds + nfds);
				nfds += (size_t)polled[npolled].count;
				npolled++;
			} else if (!u->finished && u->wake < next) {
				next = u->wake;
			}
		}
		timeout_ms = (int)ceil((next - now) * 1000);
		if (timeout_ms < 0)
			timeout_ms = 0;
		if (npolled && timeout_ms > 200)
			timeout_ms = 200;
		if (poll(fds, nfds, timeout_ms) < 0 && errno != EINTR) {
			sh_error_set(r->err, SH_EXIT_FAILURE, "poll: %s", strerror(errno));
			goto out;
		}
		for (size_t k = 0; k < npolled; k++)
			proc_handle(&polled[k].u->proc, fds + polled[k].first, polled[k].count);
		now = monotonic_now();
		/* Collect ended phases; finish_step() may drop units, so restart. */
		for (size_t k = 0; k < r->units.n; k++) {
			struct unit *u = r->units.v[k];
			struct exec_result res = { .exit_status = -1 };

			if (!u->busy || (u->has_proc ? !proc_done(&u->proc) : u->wake > now))
				continue;
			r->d->end(r->dctx, u->step, u->target, u->phase, u->has_proc ? &u->proc : NULL, &res);
			if (u->has_proc) {
				proc_release(&u->proc);
				u->has_proc = false;
			}
			if (unit_result(r, u, &res, now) < 0)
				goto out;
			k = (size_t)-1;
		}
		if (now - last_tick >= TICK_S && r->units.n) {
			last_tick = now;
			emit(r, EVENT_TICK, r->units.v[0]->step, NULL);
		}
	}
	ret = 0;
out:
	free(fds);
	free(polled);
	return ret;
}

int executor_precheck(const struct plan *p, const struct exec_driver *d, void *dctx,
		      struct sh_error *err)
{
	for (size_t i = 0; d->unsupported && i < p->steps.n; i++) {
		const char *why = d->unsupported(dctx, &p->steps.v[i]);

		if (why)
			return sh_error_set(err, SH_EXIT_INPUT, "transport %s cannot run step '%s' (%s): %s",
					    d->name, p->steps.v[i].id, p->steps.v[i].kind->name, why);
	}
	return 0;
}

int executor_run(const struct plan *p, struct journal *j,
		 const struct exec_driver *d, void *dctx,
		 const struct exec_options *o, const struct exec_observer *obs,
		 struct exec_report *report, struct sh_error *err)
{
	struct journal_view v = { 0 };
	struct run r = { .p = p, .j = j, .d = d, .dctx = dctx, .o = o, .obs = obs,
			 .report = report, .err = err };
	int ret = -1;

	memset(report, 0, sizeof(*report));
	report->failed_step = -1;
	report->total = p->steps.n;
	if (journal_read(j, &v, err) < 0)
		return -1;
	if (v.nsteps != p->steps.n) {
		sh_error_set(err, SH_EXIT_INPUT, "the journal holds %zu steps, the plan %zu",
			     v.nsteps, p->steps.n);
		goto out;
	}
	if (executor_precheck(p, d, dctx, err) < 0)
		goto out;
	r.steps = xcalloc(p->steps.n, sizeof(*r.steps));
	r.host_failed = xcalloc(p->inv->hosts.n + 1, sizeof(*r.host_failed));
	if (journal_set_run_state(j, "running", err) < 0)
		goto out;
	for (size_t i = 0; i < p->steps.n; i++) {
		r.steps[i].state = v.steps[i].state;
		if (v.steps[i].state == STEP_FAILED) {
			/* Resume retries a failed step from the start. */
			if (journal_step_requeue(j, (long)i, err) < 0)
				goto out;
			r.steps[i].state = STEP_PLANNED;
		} else if (v.steps[i].state == STEP_RUNNING) {
			/* Killed inside the step: ask whether it happened. */
			r.steps[i].resumed = true;
			add_units(&r, i, PHASE_CHECK);
			emit(&r, EVENT_STEP_START, i, NULL);
		} else if (v.steps[i].state == STEP_DONE || v.steps[i].state == STEP_SKIPPED) {
			r.done++;
		}
	}
	if (loop(&r) < 0)
		goto out;
	report->done = r.done;
	if (journal_set_run_state(j, report->failed_step >= 0 ? "failed" : "done", err) < 0)
		goto out;
	ret = report->failed_step >= 0 ? 1 : 0;
out:
	report->done = r.done;
	release_units(&r);
	free(r.steps);
	free(r.host_failed);
	journal_view_release(&v);
	return ret;
}

void exec_report_release(struct exec_report *r)
{
	free(r->output);
	r->output = NULL;
}
