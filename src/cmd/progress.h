/*
 * progress.h - the progress of a run, as the executor's observer: on a
 * terminal a live block (hop, phase, steps done, the steps running per
 * node) redrawn about every 100 ms, with only what the operator must read
 * kept on screen (failures, retries, results); elsewhere one line per
 * state change; or one JSON object per line.  Every output is redacted
 * with the run's secrets.  A done step whose kind's exit status has a
 * result (stepkind.h: an oslo.upgradecheck table, rows archived) shows it.
 */
#ifndef STACKHOP_PROGRESS_H
#define STACKHOP_PROGRESS_H

#include <jansson.h>
#include <stdbool.h>

#include "executor.h"
#include "plan.h"
#include "redact.h"

struct progress {
	const struct plan *p;
	const struct redactor *red;	/* or NULL */
	bool tty, sim, json;
	int lines;		/* of the live block drawn last */
	double t0, last_draw;
};

/* The exec_observer's event() (ctx: a struct progress). */
void progress_event(void *ctx, const struct exec_event *ev, const struct exec_running *run,
		    size_t nrun, size_t done, size_t total);
/* Erase the live block, if one is drawn. */
void progress_erase(struct progress *pg);
/* Print one JSON object on a line, flushed (consumes o). */
void progress_json_line(json_t *o);

#endif
