/*
 * journal-prober.c - the prober's part of the run journal: outages and
 * per-target counts; see journal.h.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "journal-internal.h"

int journal_add_outage(struct journal *j, const struct journal_outage *o,
		       struct sh_error *err)
{
	sqlite3_stmt *st = NULL;
	char *error = j->redactor ? redact(j->redactor, o->error, strlen(o->error)) : NULL;
	int r = 0;

	if (sqlite3_prepare_v2(j->db, "INSERT INTO outages (target, plane, start, end,"
			       " open, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &st,
			       NULL) != SQLITE_OK) {
		free(error);
		return journal_db_error(j->db, err, "cannot write an outage");
	}
	sqlite3_bind_text(st, 1, o->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, o->plane, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, o->start);
	sqlite3_bind_double(st, 4, o->end);
	sqlite3_bind_int(st, 5, o->open);
	sqlite3_bind_text(st, 6, error ? error : o->error, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = journal_db_error(j->db, err, "cannot write an outage");
	sqlite3_finalize(st);
	free(error);
	if (r == 0)
		fault_point("outage", o->target);
	return r;
}

int journal_read_outages(struct journal *j, struct journal_outage **ret, size_t *n,
			 struct sh_error *err)
{
	sqlite3_stmt *st = NULL;
	VEC(struct journal_outage) v = { 0 };
	int rc;

	*ret = NULL;
	*n = 0;
	rc = sqlite3_prepare_v2(j->db, "SELECT target, plane, start, end, open, error"
				" FROM outages ORDER BY start, target", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		/* A journal without a prober has no such table. */
		if (strstr(sqlite3_errmsg(j->db), "no such table"))
			return 0;
		return journal_db_error(j->db, err, "cannot read outages");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct journal_outage o = {
			.target = xstrdup((const char *)sqlite3_column_text(st, 0)),
			.plane = xstrdup((const char *)sqlite3_column_text(st, 1)),
			.start = sqlite3_column_double(st, 2),
			.end = sqlite3_column_double(st, 3),
			.open = sqlite3_column_int(st, 4) != 0,
			.error = xstrdup((const char *)sqlite3_column_text(st, 5)),
		};
		vec_push(v, o);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		journal_outages_free(v.v, v.n);
		return journal_db_error(j->db, err, "cannot read outages");
	}
	*ret = v.v;
	*n = v.n;
	return 0;
}

int journal_add_probe_targets(struct journal *j, const struct journal_probe_target *t,
			      size_t n, struct sh_error *err)
{
	sqlite3_stmt *st = NULL;
	int r = 0;

	if (journal_exec(j->db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	if (sqlite3_prepare_v2(j->db, "INSERT INTO probe_targets (target, plane, samples,"
			       " failures, outages, longest, downtime)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(target) DO UPDATE SET"
			       " samples = samples + excluded.samples,"
			       " failures = failures + excluded.failures,"
			       " outages = outages + excluded.outages,"
			       " longest = max(longest, excluded.longest),"
			       " downtime = downtime + excluded.downtime", -1, &st, NULL) != SQLITE_OK) {
		r = journal_db_error(j->db, err, "cannot write the prober's summary");
		goto out;
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, t[i].target, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, t[i].plane, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, t[i].samples);
		sqlite3_bind_int64(st, 4, t[i].failures);
		sqlite3_bind_int64(st, 5, t[i].outages);
		sqlite3_bind_double(st, 6, t[i].longest);
		sqlite3_bind_double(st, 7, t[i].downtime);
		if (sqlite3_step(st) != SQLITE_DONE)
			r = journal_db_error(j->db, err, "cannot write the prober's summary");
	}
out:
	sqlite3_finalize(st);
	if (r == 0)
		return journal_exec(j->db, "COMMIT", err);
	sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

int journal_read_probe_targets(struct journal *j, struct journal_probe_target **ret, size_t *n,
			       struct sh_error *err)
{
	sqlite3_stmt *st = NULL;
	VEC(struct journal_probe_target) v = { 0 };
	int rc;

	*ret = NULL;
	*n = 0;
	rc = sqlite3_prepare_v2(j->db, "SELECT target, plane, samples, failures, outages, longest,"
				" downtime FROM probe_targets ORDER BY plane, target", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		if (strstr(sqlite3_errmsg(j->db), "no such table"))
			return 0;
		return journal_db_error(j->db, err, "cannot read the prober's summary");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct journal_probe_target t = {
			.target = xstrdup((const char *)sqlite3_column_text(st, 0)),
			.plane = xstrdup((const char *)sqlite3_column_text(st, 1)),
			.samples = sqlite3_column_int64(st, 2),
			.failures = sqlite3_column_int64(st, 3),
			.outages = sqlite3_column_int64(st, 4),
			.longest = sqlite3_column_double(st, 5),
			.downtime = sqlite3_column_double(st, 6),
		};
		vec_push(v, t);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		journal_probe_targets_free(v.v, v.n);
		return journal_db_error(j->db, err, "cannot read the prober's summary");
	}
	*ret = v.v;
	*n = v.n;
	return 0;
}

void journal_probe_targets_free(struct journal_probe_target *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)t[i].target);
		free((char *)t[i].plane);
	}
	free(t);
}

void journal_outages_free(struct journal_outage *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)o[i].target);
		free((char *)o[i].plane);
		free((char *)o[i].error);
	}
	free(o);
}
