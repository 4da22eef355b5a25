/*
 * stepkind.h - the kinds of step a plan is made of.
 *
 * Every step of a plan has one of these kinds; the executor (later) gives
 * each kind check/apply/verify.  The catalog may only name kinds listed
 * here, so a typo in a data file is caught when the catalog is read, not in
 * the middle of an upgrade.  A destructive kind changes the running cloud;
 * each hop's plan puts its validation and database backup before the first
 * destructive step.
 */
#ifndef STACKHOP_STEPKIND_H
#define STACKHOP_STEPKIND_H

#include <stdbool.h>

struct step_kind {
	const char *name;
	bool destructive;
	const char *summary;
	int retries;		/* extra attempts of a failed unit */
};

/* The kind named name, or NULL. */
const struct step_kind *step_kind_find(const char *name);
/* Comma-separated list of every kind name, for messages. */
const char *step_kind_names(void);

#endif
