/*
 * progress.c - what "stackhop upgrade" and "stackhop resume" show while a
 * run goes on; see progress.h.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "redact.h"
#include "upgradecheck.h"
#include "util.h"

static void print_tail(const struct progress *pg, const char *out)
{
	char *text;

	if (!out || !*out)
		return;
	text = redact(pg->red, out, strlen(out));
	fprintf(stdout, "%s%s", text, text[strlen(text) - 1] == '\n' ? "" : "\n");
	free(text);
}

void progress_erase(struct progress *pg)
{
	if (pg->tty && pg->lines) {
		printf("\033[%dA\033[J", pg->lines);
		pg->lines = 0;
	}
}

static void draw_block(struct progress *pg, const struct exec_running *run, size_t nrun,
		       size_t done, size_t total, size_t step)
{
	const struct plan_step *s = &pg->p->steps.v[nrun ? run[0].step : step];
	const struct plan_hop *h = &pg->p->hops.v[s->hop];
	double now = monotonic_now();

	if (now - pg->last_draw < 0.1)
		return;
	pg->last_draw = now;
	progress_erase(pg);
	printf("%shop %d/%zu %s -> %s | phase %s | %zu/%zu steps done | %.1f s\n",
	       pg->sim ? "[sim] " : "", s->hop + 1, pg->p->hops.n, h->from->name, h->to->name,
	       s->phase, done, total, now - pg->t0);
	pg->lines = 1;
	/* Running steps per node, a node per line (at most 12 lines). */
	for (size_t i = 0; i < nrun && pg->lines < 13; i++) {
		const char *node = run[i].target ? run[i].target->name : "cluster";
		bool seen = false;

		for (size_t k = 0; k < i && !seen; k++)
			seen = streq(run[k].target ? run[k].target->name : "cluster", node);
		if (seen)
			continue;
		printf("  %-16s", node);
		for (size_t k = i; k < nrun; k++)
			if (streq(run[k].target ? run[k].target->name : "cluster", node))
				printf(" %s", strchr(pg->p->steps.v[run[k].step].id, '/') + 1);
		putchar('\n');
		pg->lines++;
	}
	fflush(stdout);
}

static void targets_text(const struct plan_step *s, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->ntargets && off + 1 < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%s", i ? "," : "",
					s->targets[i]->name);
	if (off >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
}

void progress_json_line(json_t *o)
{
	json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
	putchar('\n');
	fflush(stdout);
	json_decref(o);
}

/* Does a done step of s's kind show a result (status_check_result())? */
static bool has_result(const struct plan_step *s)
{
	return s->kind->exit == STEP_EXIT_UPGRADECHECK || s->kind->exit == STEP_EXIT_ARCHIVE;
}

/*
 * A done status check's result (0 Success, 1 Warning), read from its
 * output (redacted) and shown in the oslo.upgradecheck form, titled with
 * the step and the summary; as JSON, into o's "checks" and "result".  For
 * archive-deleted-rows, the rows it archived.
 */
static void status_check_result(struct progress *pg, const struct plan_step *s,
				const struct exec_event *ev, json_t *o)
{
	struct check_result *r = NULL;
	char title[256], sum[160], *text;
	size_t n = 0;

	if (pg->sim || ev->type != EVENT_STEP_DONE || !ev->output)
		return;	/* the sim transport's steps run nothing */
	if (s->kind->exit == STEP_EXIT_ARCHIVE) {
		/* The total drivers.c added at the end of each run's output. */
		const char *a = strstr(ev->output, "rows archived: ");

		if (a && !o)
			printf("    %s: %.*s\n", s->id, (int)strcspn(a, "\n"), a);
		else if (a)
			json_object_set_new(o, "result", json_stringn(a, strcspn(a, "\n")));
		return;
	}
	if (s->kind->exit != STEP_EXIT_UPGRADECHECK)
		return;
	text = redact(pg->red, ev->output, strlen(ev->output));
	if (upgradecheck_parse(text, &r, &n) < 0)
		snprintf(sum, sizeof(sum), "exit status %d, no oslo.upgradecheck table in its output",
			 ev->exit_status);
	else
		upgradecheck_summary(r, n, sum, sizeof(sum));
	if (o) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "check", r[i].name,
							   "result", check_code_name(r[i].code),
							   "details", r[i].details));
		json_object_set_new(o, "checks", a);
		json_object_set_new(o, "result", json_string(sum));
	} else if (n) {
		snprintf(title, sizeof(title), "%s: %s", s->id, sum);
		upgradecheck_print(stdout, title, r, n);
	} else {
		printf("    %s: %s\n", s->id, sum);
	}
	free(r);
	free(text);
}

static void json_event(struct progress *pg, const struct exec_event *ev, size_t done,
		       size_t total)
{
	static const char *const names[] = {
		[EVENT_STEP_START] = "start", [EVENT_STEP_DONE] = "done",
		[EVENT_STEP_FAILED] = "failed", [EVENT_UNIT_RETRY] = "retry",
		[EVENT_UNIT_FAILED] = "unit-failed", [EVENT_TICK] = "tick",
	};
	const struct plan_step *s = &pg->p->steps.v[ev->step];
	json_t *o = json_object(), *t = json_array();

	json_object_set_new(o, "event", json_string(names[ev->type]));
	json_object_set_new(o, "step", json_string(s->id));
	json_object_set_new(o, "kind", json_string(s->kind->name));
	for (size_t i = 0; i < s->ntargets; i++)
		json_array_append_new(t, json_string(s->targets[i]->name));
	json_object_set_new(o, "targets", t);
	if (ev->target)
		json_object_set_new(o, "node", json_string(ev->target->name));
	if (ev->type == EVENT_STEP_START)
		json_object_set_new(o, "resumed", json_boolean(ev->resumed));
	if (ev->type == EVENT_UNIT_RETRY)
		json_object_set_new(o, "attempt", json_integer(ev->attempt));
	if (ev->type != EVENT_STEP_START)
		json_object_set_new(o, "elapsed", json_real(ev->elapsed));
	if (ev->type == EVENT_UNIT_FAILED || ev->type == EVENT_STEP_FAILED) {
		json_object_set_new(o, "exit_status", json_integer(ev->exit_status));
		if (ev->output) {
			char *r = redact(pg->red, ev->output, strlen(ev->output));

			json_object_set_new(o, "output", json_string(r));
			free(r);
		}
	}
	status_check_result(pg, s, ev, o);
	json_object_set_new(o, "done", json_integer((json_int_t)done));
	json_object_set_new(o, "total", json_integer((json_int_t)total));
	json_object_set_new(o, "simulation", json_boolean(pg->sim));
	progress_json_line(o);
}

void progress_event(void *ctx, const struct exec_event *ev, const struct exec_running *run,
		     size_t nrun, size_t done, size_t total)
{
	struct progress *pg = ctx;
	const struct plan_step *s = &pg->p->steps.v[ev->step];
	char where[256];

	if (pg->json) {
		if (ev->type != EVENT_TICK)
			json_event(pg, ev, done, total);
		return;
	}
	if (ev->type == EVENT_TICK) {
		if (pg->tty)
			draw_block(pg, run, nrun, done, total, ev->step);
		return;
	}
	targets_text(s, where, sizeof(where));
	if (pg->tty) {
		/* Only what the operator must read stays on screen. */
		if (ev->type == EVENT_UNIT_RETRY || ev->type == EVENT_UNIT_FAILED ||
		    ev->type == EVENT_STEP_FAILED) {
			progress_erase(pg);
		} else if (ev->type == EVENT_STEP_DONE && has_result(s)) {
			progress_erase(pg);
			status_check_result(pg, s, ev, NULL);
			return;
		} else {
			return;	/* the next tick redraws the live block */
		}
	}
	switch (ev->type) {
	case EVENT_STEP_START:
		printf("[%zu/%zu] %s %s on %s\n", done, total,
		       ev->resumed ? "resume (check first)" : "start", s->id, where);
		break;
	case EVENT_STEP_DONE:
		printf("[%zu/%zu] done %s (%.2f s)\n", done, total, s->id, ev->elapsed);
		status_check_result(pg, s, ev, NULL);
		break;
	case EVENT_STEP_FAILED:
		printf("[%zu/%zu] FAILED %s\n", done, total, s->id);
		break;
	case EVENT_UNIT_RETRY:
		printf("[%zu/%zu] retry %s on %s (attempt %d of %d)\n", done, total, s->id,
		       ev->target ? ev->target->name : "cluster", ev->attempt,
		       s->kind->retries + 1);
		break;
	case EVENT_UNIT_FAILED:
		printf("[%zu/%zu] failed %s on %s (exit status %d)\n", done, total, s->id,
		       ev->target ? ev->target->name : "cluster", ev->exit_status);
		print_tail(pg, ev->output);
		break;
	case EVENT_TICK:
		break;
	}
	fflush(stdout);
}
