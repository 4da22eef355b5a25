/* journal.c - the run journal; see journal.h for the state machine. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "fault.h"
#include "fileio.h"
#include "journal-internal.h"

#define JOURNAL_FORMAT "1"

static const char *const state_names[] = {
	"planned", "running", "done", "failed", "skipped",
};

const char *step_state_name(enum step_state s)
{
	return state_names[s];
}

static int state_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(state_names); i++)
		if (streq(state_names[i], name))
			return (int)i;
	return -1;
}

static const char schema[] =
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE steps ("
	"  idx INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
	"  phase TEXT NOT NULL, hop INTEGER NOT NULL, owner TEXT, component TEXT,"
	"  targets TEXT NOT NULL, spec TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'planned' CHECK (state IN"
	"    ('planned', 'running', 'done', 'failed', 'skipped')),"
	"  attempts INTEGER NOT NULL DEFAULT 0, started REAL, ended REAL,"
	"  exit_status INTEGER, tail TEXT);"
	"CREATE TABLE deps (step INTEGER NOT NULL REFERENCES steps(idx),"
	"  after INTEGER NOT NULL REFERENCES steps(idx), CHECK (after < step),"
	"  PRIMARY KEY (step, after)) WITHOUT ROWID;";

/* Written by the prober, beside a run or alone; created on first use. */
static const char outages_schema[] =
	"CREATE TABLE IF NOT EXISTS outages (id INTEGER PRIMARY KEY,"
	"  target TEXT NOT NULL, plane TEXT NOT NULL, start REAL NOT NULL,"
	"  end REAL NOT NULL, open INTEGER NOT NULL, error TEXT NOT NULL);"
	/* Per target, what every prober of the run (a resume starts another)
	 * sampled: added up when each one ends. */
	"CREATE TABLE IF NOT EXISTS probe_targets (target TEXT PRIMARY KEY,"
	"  plane TEXT NOT NULL, samples INTEGER NOT NULL, failures INTEGER NOT NULL,"
	"  outages INTEGER NOT NULL, longest REAL NOT NULL, downtime REAL NOT NULL);";

int journal_db_error(sqlite3 *db, struct sh_error *err, const char *what)
{
	int code = sqlite3_extended_errcode(db);

	return sh_error_set(err, SH_EXIT_FAILURE, "journal: %s: %s%s", what,
			    sqlite3_errmsg(db),
			    (code & 0xff) == SQLITE_FULL ? " (the disk is full; free space and run 'stackhop resume')" : "");
}

static double now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int journal_exec(sqlite3 *db, const char *sql, struct sh_error *err)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return journal_db_error(db, err, "cannot write");
	return 0;
}

static int set_pragmas(sqlite3 *db, struct sh_error *err)
{
	sqlite3_busy_timeout(db, 5000);
	return journal_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			    " PRAGMA foreign_keys=ON;", err);
}

static int put_meta(sqlite3_stmt *st, const char *k, const char *v)
{
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v ? v : "", -1, SQLITE_STATIC);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

static char *targets_json(const struct plan_step *s)
{
	size_t cap = 3, o;
	char *buf;

	for (size_t i = 0; i < s->ntargets; i++)
		cap += strlen(s->targets[i]->name) + 3;
	buf = xmalloc(cap);
	o = 0;
	buf[o++] = '[';
	for (size_t i = 0; i < s->ntargets; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s\"%s\"", i ? "," : "",
				      s->targets[i]->name);
	buf[o++] = ']';
	buf[o] = '\0';
	return buf;
}

static int already_exists(const char *path, struct sh_error *err)
{
	return sh_error_set(err, SH_EXIT_INPUT,
			    "journal '%s' already exists (a journal records one run: choose another path)",
			    path);
}

/* The temporary file, created here 0600: SQLite gives the WAL and
 * shared-memory files the mode of the database file. */
static int create_private(const char *tmp, struct sh_error *err)
{
	int fd;

	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return sh_error_set(err, SH_EXIT_FAILURE, "journal: cannot create '%s': %s", tmp,
				    strerror(errno));
	if (fchmod(fd, 0600) < 0) {
		sh_error_set(err, SH_EXIT_FAILURE, "journal: cannot create '%s': %s", tmp,
			     strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	return 0;
}

/* Step i of plan p and its dependencies, through the prepared ss and ds. */
static int write_step(sqlite3 *db, sqlite3_stmt *ss, sqlite3_stmt *ds,
		      const struct plan *p, size_t i, struct sh_error *err)
{
	const struct plan_step *s = &p->steps.v[i];
	char *tj = targets_json(s), *spec = plan_step_json_text(p, s);
	int rc;

	sqlite3_reset(ss);
	sqlite3_bind_int64(ss, 1, (sqlite3_int64)i);
	sqlite3_bind_text(ss, 2, s->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(ss, 3, s->kind->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(ss, 4, s->phase, -1, SQLITE_STATIC);
	sqlite3_bind_int(ss, 5, s->hop);
	sqlite3_bind_text(ss, 6, s->owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(ss, 7, s->component, -1, SQLITE_STATIC);
	sqlite3_bind_text(ss, 8, tj, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(ss, 9, spec, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(ss);
	free(tj);
	free(spec);
	if (rc != SQLITE_DONE)
		return journal_db_error(db, err, "cannot write a step");
	for (size_t a = 0; a < s->nafter; a++) {
		sqlite3_reset(ds);
		sqlite3_bind_int64(ds, 1, (sqlite3_int64)i);
		sqlite3_bind_int64(ds, 2, (sqlite3_int64)s->after[a]);
		if (sqlite3_step(ds) != SQLITE_DONE)
			return journal_db_error(db, err, "cannot write a dependency");
	}
	return 0;
}

/* The meta rows, every step and every dependency, in the open transaction. */
static int write_plan(sqlite3 *db, const struct plan *p, const struct journal_meta *meta,
		      struct sh_error *err)
{
	sqlite3_stmt *ms = NULL, *ss = NULL, *ds = NULL;
	char nsteps[32];
	int r = -1;

	if (sqlite3_prepare_v2(db, "INSERT INTO meta VALUES (?1, ?2)", -1, &ms, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO steps (idx, id, kind, phase, hop, owner,"
			       " component, targets, spec) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
			       -1, &ss, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO deps VALUES (?1, ?2)", -1, &ds, NULL)) {
		journal_db_error(db, err, "cannot prepare");
		goto out;
	}
	snprintf(nsteps, sizeof(nsteps), "%zu", p->steps.n);
	if (put_meta(ms, "format", JOURNAL_FORMAT) || put_meta(ms, "from", meta->from) ||
	    put_meta(ms, "to", meta->to) || put_meta(ms, "inventory", meta->inventory) ||
	    put_meta(ms, "settings", meta->settings) ||
	    put_meta(ms, "catalog", meta->catalog) ||
	    put_meta(ms, "transport", meta->transport) ||
	    put_meta(ms, "run_state", "planned") || put_meta(ms, "steps", nsteps)) {
		journal_db_error(db, err, "cannot write");
		goto out;
	}
	for (size_t i = 0; i < p->steps.n; i++)
		if (write_step(db, ss, ds, p, i, err) < 0)
			goto out;
	r = 0;
out:
	sqlite3_finalize(ms);
	sqlite3_finalize(ss);
	sqlite3_finalize(ds);
	return r;
}

/* The filled temporary file renamed to path, never replacing a file. */
static int publish(const char *tmp, const char *path, struct sh_error *err)
{
	char dir[PATH_MAX];
	int e, dfd;

	if ((e = rename_noreplace(tmp, path)) < 0)
		return e == -EEXIST ? already_exists(path, err) :
		       sh_error_set(err, SH_EXIT_FAILURE, "journal: cannot rename '%s' to '%s': %s",
				    tmp, path, strerror(-e));
	strlcpy_sh(dir, path, sizeof(dir));
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

int journal_create(const char *path, const struct plan *p,
		   const struct journal_meta *meta, struct sh_error *err)
{
	char tmp[PATH_MAX];
	sqlite3 *db = NULL;
	int r = -1;

	/* Early, to spare building the file: the rename below is what
	 * refuses a path that exists by then. */
	if (access(path, F_OK) == 0)
		return already_exists(path, err);
	snprintf(tmp, sizeof(tmp), "%s.new-%d", path, (int)getpid());
	if (create_private(tmp, err) < 0)
		return -1;
	if (sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		sh_error_set(err, SH_EXIT_FAILURE, "journal: cannot create '%s': %s", tmp,
			     db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	if (set_pragmas(db, err) < 0 || journal_exec(db, "BEGIN", err) < 0 || journal_exec(db, schema, err) < 0 ||
	    write_plan(db, p, meta, err) < 0 || journal_exec(db, "COMMIT", err) < 0)
		goto out;
	r = 0;
out:
	if (db && sqlite3_close(db) != SQLITE_OK && r == 0)
		r = sh_error_set(err, SH_EXIT_FAILURE, "journal: cannot close '%s'", tmp);
	if (r == 0)
		r = publish(tmp, path, err);
	if (r < 0)
		unlink(tmp);
	return r;
}

/*
 * Drop the group and other bits of the regular file open as fd (name is
 * for messages); fchmod keeps its owner.
 */
static int fd_make_private(int fd, const char *name, struct sh_error *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0 ||
	    (S_ISREG(st.st_mode) && (st.st_mode & 077) && fchmod(fd, st.st_mode & 0700) < 0))
		return sh_error_set(err, SH_EXIT_FAILURE, "journal: cannot make '%s' owner-only: %s",
				    name, strerror(errno));
	return 0;
}

/*
 * Make a run's journal, open as fd, and its WAL and shared-memory files
 * if it has them, owner-only: an older stackhop left them 0644, and they
 * hold the steps' output.  The two are opened without following a
 * symbolic link and changed through that descriptor, so a name swapped
 * meanwhile is never changed; SQLite keeps them beside the journal's
 * resolved path.
 */
static int make_private(int fd, const char *path, struct sh_error *err)
{
	static const char *const suffixes[] = { "-wal", "-shm" };
	char real[PATH_MAX], name[PATH_MAX + 8];

	if (fd_make_private(fd, path, err) < 0)
		return -1;
	if (!realpath(path, real))
		strlcpy_sh(real, path, sizeof(real));
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		int f, r;

		snprintf(name, sizeof(name), "%s%s", real, suffixes[i]);
		f = open(name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (f < 0 && errno == ENOENT)
			continue;
		if (f < 0)
			return sh_error_set(err, SH_EXIT_FAILURE,
					    "journal: cannot make '%s' owner-only: %s", name,
					    errno == ELOOP ? "it is a symbolic link" : strerror(errno));
		r = fd_make_private(f, name, err);
		close(f);
		if (r < 0)
			return -1;
	}
	return 0;
}

enum open_mode { OPEN_READ, OPEN_RUN, OPEN_OUTAGES };

static int open_common(const char *path, enum open_mode mode, struct journal **ret,
		       struct sh_error *err)
{
	bool rw = mode != OPEN_READ;
	struct journal *j = xcalloc(1, sizeof(*j));
	sqlite3_stmt *st = NULL;
	int r = -1;

	j->lock_fd = -1;
	j->path = xstrdup(path);
	if (access(path, F_OK) < 0) {
		sh_error_set(err, SH_EXIT_INPUT, "journal '%s' does not exist", path);
		goto out;
	}
	if (mode == OPEN_RUN) {
		j->lock_fd = open(path, O_RDWR | O_CLOEXEC);
		if (j->lock_fd < 0) {
			sh_error_set(err, SH_EXIT_FAILURE, "journal: cannot open '%s': %s",
				     path, strerror(errno));
			goto out;
		}
		if (flock(j->lock_fd, LOCK_EX | LOCK_NB) < 0) {
			sh_error_set(err, SH_EXIT_FAILURE,
				     "journal '%s' is held by another live stackhop process (see 'stackhop status --journal %s')",
				     path, path);
			goto out;
		}
		if (make_private(j->lock_fd, path, err) < 0)
			goto out;
	}
	if (sqlite3_open_v2(path, &j->db, rw ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY,
			    NULL) != SQLITE_OK) {
		sh_error_set(err, SH_EXIT_FAILURE, "journal: cannot open '%s': %s", path,
			     j->db ? sqlite3_errmsg(j->db) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(j->db, 5000);
	if (rw && set_pragmas(j->db, err) < 0)
		goto out;
	if (sqlite3_prepare_v2(j->db, "SELECT value FROM meta WHERE key = 'format'", -1, &st,
			       NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		sh_error_set(err, SH_EXIT_INPUT, "'%s' is not a stackhop journal", path);
		goto out;
	}
	if (!streq((const char *)sqlite3_column_text(st, 0), JOURNAL_FORMAT)) {
		sh_error_set(err, SH_EXIT_INPUT, "journal '%s' has format %s; this stackhop reads format %s",
			     path, sqlite3_column_text(st, 0), JOURNAL_FORMAT);
		goto out;
	}
	if (mode == OPEN_OUTAGES && journal_exec(j->db, outages_schema, err) < 0)
		goto out;
	*ret = j;
	j = NULL;
	r = 0;
out:
	sqlite3_finalize(st);
	journal_close(j);
	return r;
}

int journal_open(const char *path, struct journal **ret, struct sh_error *err)
{
	return open_common(path, OPEN_RUN, ret, err);
}

int journal_open_readonly(const char *path, struct journal **ret,
			  struct sh_error *err)
{
	return open_common(path, OPEN_READ, ret, err);
}

int journal_open_outages(const char *path, struct journal **ret, struct sh_error *err)
{
	return open_common(path, OPEN_OUTAGES, ret, err);
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	sqlite3_close(j->db);
	if (j->lock_fd >= 0)
		close(j->lock_fd);	/* releases the flock */
	free(j->path);
	free(j);
}

void journal_set_redactor(struct journal *j, const struct redactor *r)
{
	j->redactor = r;
}

/* The step's id and state, for messages. */
static void describe(struct journal *j, long idx, char *buf, size_t size)
{
	sqlite3_stmt *st = NULL;

	snprintf(buf, size, "step #%ld (no such step)", idx);
	if (sqlite3_prepare_v2(j->db, "SELECT id, state FROM steps WHERE idx = ?1", -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, idx);
		if (sqlite3_step(st) == SQLITE_ROW)
			snprintf(buf, size, "step '%s' is %s", sqlite3_column_text(st, 0),
				 sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
}

/*
 * One transition, one transaction: UPDATE ... WHERE idx AND state IN
 * (from states).  Refused when the step is in no allowed state.  The
 * statement uses ?1 (idx) and any of ?2 (time), ?3 (exit status), ?4
 * (tail); SQLite ignores binds beyond a statement's parameters.
 */
static int transition(struct journal *j, long idx, const char *sql,
		      const char *from_states, const char *to, double t,
		      int exit_status, const char *tail, struct sh_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, r = -1;

	if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK)
		return journal_db_error(j->db, err, "cannot prepare");
	sqlite3_bind_int64(st, 1, idx);
	sqlite3_bind_double(st, 2, t);
	sqlite3_bind_int(st, 3, exit_status);
	if (tail)
		sqlite3_bind_text(st, 4, tail, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		journal_db_error(j->db, err, "cannot record a step's state");
		goto out;
	}
	if (sqlite3_changes(j->db) != 1) {
		char what[600];

		describe(j, idx, what, sizeof(what));
		sh_error_set(err, SH_EXIT_FAILURE, "journal: %s, it cannot become %s (only from %s)",
			     what, to, from_states);
		goto out;
	}
	if (fault_logging()) {
		char what[600];

		describe(j, idx, what, sizeof(what));
		fault_point(to, what);
	} else {
		fault_point(to, NULL);
	}
	r = 0;
out:
	sqlite3_finalize(st);
	return r;
}

int journal_step_start(struct journal *j, long idx, struct sh_error *err)
{
	return transition(j, idx,
			  "UPDATE steps SET state = 'running', attempts = attempts + 1,"
			  " started = ?2, ended = NULL, exit_status = NULL"
			  " WHERE idx = ?1 AND state = 'planned'",
			  "planned", "running", now(), 0, NULL, err);
}

int journal_step_finish(struct journal *j, long idx, bool ok, int exit_status,
			const char *output, size_t len, struct sh_error *err)
{
	char *tail;
	size_t tl;
	int r;

	/* Redacted whole, then cut: a secret across the cut is no less one. */
	tail = redact(j->redactor, output ? output : "", output ? len : 0);
	tl = strlen(tail);
	if (tl > JOURNAL_TAIL_MAX)
		memmove(tail, tail + tl - JOURNAL_TAIL_MAX, JOURNAL_TAIL_MAX + 1);
	r = transition(j, idx, ok ?
		       "UPDATE steps SET state = 'done', ended = ?2, exit_status = ?3, tail = ?4"
		       " WHERE idx = ?1 AND state = 'running'" :
		       "UPDATE steps SET state = 'failed', ended = ?2, exit_status = ?3, tail = ?4"
		       " WHERE idx = ?1 AND state = 'running'",
		       "running", ok ? "done" : "failed", now(), exit_status, tail, err);
	free(tail);
	return r;
}

int journal_step_skip(struct journal *j, long idx, struct sh_error *err)
{
	return transition(j, idx,
			  "UPDATE steps SET state = 'skipped', ended = ?2"
			  " WHERE idx = ?1 AND state = 'planned'",
			  "planned", "skipped", now(), 0, NULL, err);
}

int journal_step_requeue(struct journal *j, long idx, struct sh_error *err)
{
	return transition(j, idx,
			  "UPDATE steps SET state = 'planned', ended = ?2"
			  " WHERE idx = ?1 AND state IN ('running', 'failed')",
			  "running or failed", "planned", now(), 0, NULL, err);
}

int journal_set_run_state(struct journal *j, const char *state,
			  struct sh_error *err)
{
	sqlite3_stmt *st = NULL;
	int r = 0;

	if (!streq(state, "planned") && !streq(state, "running") &&
	    !streq(state, "done") && !streq(state, "failed"))
		return sh_error_set(err, SH_EXIT_FAILURE, "journal: unknown run state '%s'", state);
	if (sqlite3_prepare_v2(j->db, "UPDATE meta SET value = ?1 WHERE key = 'run_state'",
			       -1, &st, NULL) != SQLITE_OK)
		return journal_db_error(j->db, err, "cannot prepare");
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = journal_db_error(j->db, err, "cannot record the run's state");
	else
		fault_point("run", state);
	sqlite3_finalize(st);
	return r;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? xstrdup((const char *)t) : NULL;
}

int journal_read(struct journal *j, struct journal_view *ret,
		 struct sh_error *err)
{
	struct journal_view v = { 0 };
	sqlite3_stmt *st = NULL;
	int rc, r = -1;

	if (journal_exec(j->db, "BEGIN", err) < 0)
		return -1;
	if (sqlite3_prepare_v2(j->db, "SELECT key, value FROM meta", -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		char **slot = !k ? NULL : streq(k, "from") ? &v.from : streq(k, "to") ? &v.to :
			      streq(k, "run_state") ? &v.run_state :
			      streq(k, "inventory") ? &v.inventory :
			      streq(k, "settings") ? &v.settings :
			      streq(k, "catalog") ? &v.catalog :
			      streq(k, "transport") ? &v.transport : NULL;

		if (slot && !*slot)
			*slot = col_dup(st, 1);
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(j->db, "SELECT idx, hop, id, kind, phase, owner, targets, tail,"
			       " state, attempts, exit_status, started, ended, spec FROM steps ORDER BY idx",
			       -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct journal_step s = { 0 };
		int state;

		s.idx = (long)sqlite3_column_int64(st, 0);
		s.hop = (long)sqlite3_column_int64(st, 1);
		s.id = col_dup(st, 2);
		s.kind = col_dup(st, 3);
		s.phase = col_dup(st, 4);
		s.owner = col_dup(st, 5);
		s.targets_json = col_dup(st, 6);
		s.tail = col_dup(st, 7);
		state = state_from_name((const char *)sqlite3_column_text(st, 8));
		s.state = state < 0 ? STEP_FAILED : (enum step_state)state;
		s.attempts = sqlite3_column_int(st, 9);
		s.exit_status = sqlite3_column_type(st, 10) == SQLITE_NULL ? -1 :
				sqlite3_column_int(st, 10);
		s.started = sqlite3_column_double(st, 11);
		s.ended = sqlite3_column_double(st, 12);
		s.spec = col_dup(st, 13);
		if (s.idx != (long)v.nsteps) {
			sh_error_set(err, SH_EXIT_FAILURE, "journal: step indexes are not contiguous at %ld",
				     s.idx);
			free(s.id); free(s.kind); free(s.phase); free(s.owner);
			free(s.targets_json); free(s.tail); free(s.spec);
			goto out;
		}
		v.steps = xrealloc(v.steps, (v.nsteps + 1) * sizeof(*v.steps));
		v.steps[v.nsteps++] = s;
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(j->db, "SELECT step, after FROM deps ORDER BY step, after",
			       -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long s = (long)sqlite3_column_int64(st, 0);
		struct journal_step *js;

		if (s < 0 || (size_t)s >= v.nsteps)
			continue;
		js = &v.steps[s];
		js->after = xrealloc(js->after, (js->nafter + 1) * sizeof(long));
		js->after[js->nafter++] = (long)sqlite3_column_int64(st, 1);
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	*ret = v;
	memset(&v, 0, sizeof(v));
	r = 0;
	goto out;
dberr:
	journal_db_error(j->db, err, "cannot read");
out:
	sqlite3_finalize(st);
	sqlite3_exec(j->db, "COMMIT", NULL, NULL, NULL);
	journal_view_release(&v);
	return r;
}

void journal_view_release(struct journal_view *v)
{
	for (size_t i = 0; i < v->nsteps; i++) {
		struct journal_step *s = &v->steps[i];

		free(s->id);
		free(s->kind);
		free(s->phase);
		free(s->owner);
		free(s->targets_json);
		free(s->tail);
		free(s->spec);
		free(s->after);
	}
	free(v->steps);
	free(v->from);
	free(v->to);
	free(v->run_state);
	free(v->inventory);
	free(v->settings);
	free(v->catalog);
	free(v->transport);
	memset(v, 0, sizeof(*v));
}
