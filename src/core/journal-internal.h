/*
 * journal-internal.h - what the journal's files share, for them only:
 * journal.c (creation, opening, steps, reading) and journal-prober.c
 * (outages and the prober's counts).  The public interface is journal.h.
 */
#ifndef STACKHOP_JOURNAL_INTERNAL_H
#define STACKHOP_JOURNAL_INTERNAL_H

#include <sqlite3.h>

#include "journal.h"

struct journal {
	sqlite3 *db;
	char *path;
	int lock_fd;		/* -1 when read-only */
	const struct redactor *redactor;
};

/* Fail with "journal: WHAT: SQLite's message" (and a hint when the disk is full). */
int journal_db_error(sqlite3 *db, struct sh_error *err, const char *what);
/* Run sql; an error is journal_db_error(db, err, "cannot write"). */
int journal_exec(sqlite3 *db, const char *sql, struct sh_error *err);

#endif
