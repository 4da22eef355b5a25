/* test-journal.c - the run journal: creation, the state machine, tails,
 * redaction and the one-process lock. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fault-vfs.h"
#include "fileio.h"
#include "harness.h"
#include "steps.h"
#include "journal.h"

static struct catalog *cat;
static struct inventory *inv;
static struct plan *plan;
static char dir[] = "/tmp/stackhop-test-journal-XXXXXX";
static char path[256];
static const struct journal_meta meta = { "newton", "ocata", "examples/multinode",
					  NULL, "catalog", "sim" };

static struct journal *open_rw(void)
{
	struct sh_error err = { 0 };
	struct journal *j = NULL;

	if (journal_open(path, &j, &err) < 0)
		fprintf(stderr, "%s\n", err.msg);
	return j;
}

TEST(create_and_read_back)
{
	struct sh_error err = { 0 };
	struct journal *j;
	struct journal_view v = { 0 };

	CHECK(journal_create(path, plan, &meta, &err) == 0);
	CHECK(access(path, F_OK) == 0);
	j = open_rw();
	CHECK(j);
	if (!j)
		return;
	CHECK(journal_read(j, &v, &err) == 0);
	CHECK(v.nsteps == plan->steps.n);
	CHECK(streq(v.from, "newton") && streq(v.to, "ocata"));
	CHECK(streq(v.run_state, "planned"));
	for (size_t i = 0; i < v.nsteps && i < plan->steps.n; i++) {
		CHECK(streq(v.steps[i].id, plan->steps.v[i].id));
		CHECK(v.steps[i].state == STEP_PLANNED && v.steps[i].attempts == 0);
		CHECK(v.steps[i].nafter == plan->steps.v[i].nafter);
		for (size_t a = 0; a < v.steps[i].nafter && a < plan->steps.v[i].nafter; a++)
			CHECK((size_t)v.steps[i].after[a] == plan->steps.v[i].after[a]);
	}
	journal_view_release(&v);
	journal_close(j);
}

TEST(create_refuses_an_existing_journal)
{
	struct sh_error err = { 0 };
	char tmpglob[300];

	CHECK(journal_create(path, plan, &meta, &err) < 0);
	CHECK(err.status == SH_EXIT_INPUT);
	CHECK_CONTAINS(err.msg, "already exists");
	/* No temporary file left behind. */
	snprintf(tmpglob, sizeof(tmpglob), "%s.new-%d", path, (int)getpid());
	CHECK(access(tmpglob, F_OK) < 0);
	/* And nowhere to write: a clean error, nothing left. */
	memset(&err, 0, sizeof(err));
	CHECK(journal_create("/nonexistent-dir/j.db", plan, &meta, &err) < 0);
	CHECK(err.status == SH_EXIT_FAILURE);
	CHECK(access("/nonexistent-dir/j.db", F_OK) < 0);
}

/*
 * access(2) as this program sees it.  With race_path set, the first check
 * of that path says "no such file" after creating it: another process
 * that wins the race between journal_create()'s check and its rename.
 */
static const char *race_path;

int access(const char *p, int mode)
{
	if (race_path && streq(p, race_path)) {
		int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

		race_path = NULL;
		if (fd >= 0) {
			if (write(fd, "precious\n", 9) != 9)
				fprintf(stderr, "cannot write %s\n", p);
			close(fd);
		}
		errno = ENOENT;
		return -1;
	}
	return faccessat(AT_FDCWD, p, mode, 0);
}

TEST(create_never_replaces_a_file_created_after_its_check)
{
	struct sh_error err = { 0 };
	char rpath[300], *text = NULL, tmpglob[320];
	size_t len = 0;

	snprintf(rpath, sizeof(rpath), "%s/race.journal", dir);
	race_path = rpath;
	CHECK(journal_create(rpath, plan, &meta, &err) < 0);
	CHECK(race_path == NULL);	/* the check was made */
	CHECK(err.status == SH_EXIT_INPUT);
	CHECK_CONTAINS(err.msg, "already exists");
	CHECK(read_file_limited(rpath, 1 << 20, &text, &len, &err) == 0);
	CHECK(text && streq(text, "precious\n"));
	free(text);
	snprintf(tmpglob, sizeof(tmpglob), "%s.new-%d", rpath, (int)getpid());
	CHECK(access(tmpglob, F_OK) < 0);
	unlink(rpath);
}

/* The journal and the WAL and shared-memory files beside it: 0600. */
TEST(journal_files_are_private)
{
	struct sh_error err = { 0 };
	struct journal *j = NULL;
	char ppath[300], wal[320], shm[320];
	struct stat st;
	mode_t old = umask(022);

	snprintf(ppath, sizeof(ppath), "%s/private.journal", dir);
	snprintf(wal, sizeof(wal), "%s-wal", ppath);
	snprintf(shm, sizeof(shm), "%s-shm", ppath);
	CHECK(journal_create(ppath, plan, &meta, &err) == 0);
	CHECK(stat(ppath, &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(journal_open(ppath, &j, &err) == 0);
	CHECK(j && journal_step_start(j, 0, &err) == 0);
	/* Open and written to: the WAL and its index exist now. */
	CHECK(stat(wal, &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(stat(shm, &st) == 0 && (st.st_mode & 07777) == 0600);
	journal_close(j);
	umask(old);
	unlink(ppath);
}

/*
 * A journal an older stackhop left readable by group and others, with the
 * WAL and shared-memory files of a connection still open: a run's
 * journal_open() makes all three owner-only before it writes.
 */
TEST(an_old_world_readable_journal_is_tightened)
{
	struct sh_error err = { 0 };
	struct journal *j = NULL;
	char opath[300], wal[320], shm[320];
	const char *const files[] = { opath, wal, shm };
	struct stat st;
	sqlite3 *db = NULL;
	mode_t old = umask(022);

	snprintf(opath, sizeof(opath), "%s/old.journal", dir);
	snprintf(wal, sizeof(wal), "%s-wal", opath);
	snprintf(shm, sizeof(shm), "%s-shm", opath);
	CHECK(journal_create(opath, plan, &meta, &err) == 0);
	/* Another connection writes: the WAL and its index stay while it is open. */
	CHECK(sqlite3_open(opath, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "UPDATE meta SET value = value WHERE key = 'steps'",
			   NULL, NULL, NULL) == SQLITE_OK);
	for (size_t i = 0; i < 3; i++)
		CHECK(chmod(files[i], 0644) == 0);
	CHECK(journal_open(opath, &j, &err) == 0);
	for (size_t i = 0; i < 3; i++) {
		CHECK(stat(files[i], &st) == 0);
		CHECK((st.st_mode & 07777) == 0600);
		CHECK(st.st_uid == getuid());
	}
	CHECK(j && journal_step_start(j, 0, &err) == 0);
	journal_close(j);
	sqlite3_close(db);
	umask(old);
	unlink(opath);
}

/* A WAL file that is a symbolic link is refused, and its target untouched. */
TEST(a_symlinked_wal_is_not_followed)
{
	struct sh_error err = { 0 };
	struct journal *j = NULL;
	char opath[300], wal[320], target[320];
	struct stat st;
	int fd;

	snprintf(opath, sizeof(opath), "%s/link.journal", dir);
	snprintf(wal, sizeof(wal), "%s-wal", opath);
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	CHECK(journal_create(opath, plan, &meta, &err) == 0);
	CHECK(chmod(opath, 0644) == 0);
	fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	CHECK(chmod(target, 0644) == 0);
	CHECK(symlink(target, wal) == 0);
	CHECK(journal_open(opath, &j, &err) < 0);
	CHECK_CONTAINS(err.msg, "-wal");
	CHECK_CONTAINS(err.msg, "symbolic link");
	CHECK(stat(target, &st) == 0 && (st.st_mode & 07777) == 0644);
	unlink(wal);
	unlink(target);
	unlink(opath);
}

TEST(state_machine)
{
	struct sh_error err = { 0 };
	struct journal *j = open_rw();
	struct journal_view v = { 0 };

	CHECK(j);
	if (!j)
		return;
	/* planned -> running -> done */
	CHECK(journal_step_start(j, 0, &err) == 0);
	CHECK(journal_step_finish(j, 0, true, 0, "fine\n", 5, &err) == 0);
	/* refused: done -> running, planned -> done, planned -> failed */
	CHECK(journal_step_start(j, 0, &err) < 0);
	CHECK_CONTAINS(err.msg, "step 'ocata/pre-validate' is done, it cannot become running");
	memset(&err, 0, sizeof(err));
	CHECK(journal_step_finish(j, 1, true, 0, NULL, 0, &err) < 0);
	CHECK_CONTAINS(err.msg, "is planned, it cannot become done (only from running)");
	memset(&err, 0, sizeof(err));
	CHECK(journal_step_requeue(j, 1, &err) < 0);
	memset(&err, 0, sizeof(err));
	CHECK(journal_step_start(j, 99999, &err) < 0);
	CHECK_CONTAINS(err.msg, "no such step");
	memset(&err, 0, sizeof(err));
	/* running -> failed -> planned -> running (attempt 2) -> done */
	CHECK(journal_step_start(j, 1, &err) == 0);
	CHECK(journal_step_finish(j, 1, false, 3, "boom", 4, &err) == 0);
	CHECK(journal_step_requeue(j, 1, &err) == 0);
	CHECK(journal_step_start(j, 1, &err) == 0);
	/* a crash leaves it running: resume requeues it */
	CHECK(journal_step_requeue(j, 1, &err) == 0);
	CHECK(journal_step_start(j, 1, &err) == 0);
	CHECK(journal_step_finish(j, 1, true, 0, "ok", 2, &err) == 0);
	/* planned -> skipped, and nothing after */
	CHECK(journal_step_skip(j, 2, &err) == 0);
	CHECK(journal_step_start(j, 2, &err) < 0);
	memset(&err, 0, sizeof(err));
	CHECK(journal_set_run_state(j, "running", &err) == 0);
	CHECK(journal_set_run_state(j, "sideways", &err) < 0);
	journal_close(j);

	/* Everything survived the close. */
	memset(&err, 0, sizeof(err));
	CHECK(journal_open_readonly(path, &j, &err) == 0);
	CHECK(journal_read(j, &v, &err) == 0);
	CHECK(v.steps[0].state == STEP_DONE && v.steps[0].attempts == 1);
	CHECK(v.steps[0].exit_status == 0 && streq(v.steps[0].tail, "fine\n"));
	CHECK(v.steps[0].started > 0 && v.steps[0].ended >= v.steps[0].started);
	CHECK(v.steps[1].state == STEP_DONE && v.steps[1].attempts == 3);
	CHECK(v.steps[2].state == STEP_SKIPPED);
	CHECK(v.steps[3].state == STEP_PLANNED && v.steps[3].exit_status == -1);
	CHECK(streq(v.run_state, "running"));
	journal_view_release(&v);
	journal_close(j);
}

TEST(tails_are_bounded_and_redacted)
{
	struct sh_error err = { 0 };
	struct redactor red = { 0 };
	struct journal *j = open_rw();
	struct journal_view v = { 0 };
	size_t len = 3 * JOURNAL_TAIL_MAX;
	char *out = xmalloc(len);

	CHECK(j);
	if (!j) {
		free(out);
		return;
	}
	CHECK(redactor_add(&red, "s3cr3t-pass") == 0);
	CHECK(redactor_add(&red, "abc") < 0);	/* too short to redact safely */
	journal_set_redactor(j, &red);
	memset(out, 'x', len);
	memcpy(out, "s3cr3t-pass at the start is cut off", 35);
	memcpy(out + len - 40, "password=s3cr3t-pass\n", 21);
	memcpy(out + len - 19, "rabbit://u:s3cr3t-p", 19);	/* a cut secret stays cut */
	CHECK(journal_step_start(j, 3, &err) == 0);
	CHECK(journal_step_finish(j, 3, false, 1, out, len, &err) == 0);
	CHECK(journal_read(j, &v, &err) == 0);
	CHECK(strlen(v.steps[3].tail) <= JOURNAL_TAIL_MAX);
	CHECK(!strstr(v.steps[3].tail, "s3cr3t-pass"));
	CHECK_CONTAINS(v.steps[3].tail, "password=[redacted]\n");
	CHECK(!strstr(v.steps[3].tail, "at the start"));
	journal_view_release(&v);
	journal_close(j);
	redactor_release(&red);
	free(out);
}

TEST(one_process_at_a_time)
{
	struct journal *j = open_rw();
	pid_t pid;
	int status;

	CHECK(j);
	pid = fork();
	if (pid == 0) {
		struct sh_error err = { 0 };
		struct journal *other = NULL;
		int r = journal_open(path, &other, &err);

		if (r == 0 || !strstr(err.msg, "is held by another live stackhop process"))
			_exit(1);
		/* Reading a live run's journal is allowed. */
		if (journal_open_readonly(path, &other, &err) < 0)
			_exit(2);
		journal_close(other);
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	journal_close(j);
	/* Released with the process's close: another open succeeds. */
	j = open_rw();
	CHECK(j);
	journal_close(j);
}

TEST(not_a_journal)
{
	struct sh_error err = { 0 };
	struct journal *j = NULL;

	CHECK(journal_open("/nonexistent/j.db", &j, &err) < 0);
	CHECK_CONTAINS(err.msg, "does not exist");
	memset(&err, 0, sizeof(err));
	CHECK(journal_open_readonly("examples/multinode", &j, &err) < 0);
	CHECK_CONTAINS(err.msg, "is not a stackhop journal");
}

/*
 * For every k, a run whose k-th journal write fails (disk full) stops at
 * that state change with a clear error; the journal then opens and reads,
 * every change before the failure is there, the failing one is wholly
 * absent, and with space back the run continues from where it stopped.
 */
TEST(disk_full_at_every_write)
{
	enum { STEPS = 6 };
	long k, points = 0;
	bool completed = false;
	char fpath[300];

	snprintf(fpath, sizeof(fpath), "%s/fault.journal", dir);
	fault_vfs_register();
	for (k = 0; k < 400 && !completed; k++) {
		struct sh_error err = { 0 };
		struct journal *j = NULL;
		struct journal_view v = { 0 };
		int done_changes = 0, failed_at = -1;

		unlink(fpath);
		writes_left = -1;
		CHECK(journal_create(fpath, plan, &meta, &err) == 0);
		CHECK(journal_open(fpath, &j, &err) == 0);
		if (!j)
			return;
		writes_left = k;
		/* 2 changes per step: start, finish. */
		for (int c = 0; c < 2 * STEPS && failed_at < 0; c++) {
			int r = c % 2 ? journal_step_finish(j, c / 2, true, 0, "ok", 2, &err)
				      : journal_step_start(j, c / 2, &err);

			if (r < 0)
				failed_at = c;
			else
				done_changes++;
		}
		writes_left = -1;
		if (failed_at < 0) {
			completed = true;
		} else {
			points++;
			CHECK_CONTAINS(err.msg, "the disk is full");
		}
		journal_close(j);

		/* The journal opens and reads; state = exactly the changes made. */
		memset(&err, 0, sizeof(err));
		CHECK(journal_open(fpath, &j, &err) == 0);
		if (!j)
			return;
		CHECK(journal_read(j, &v, &err) == 0);
		for (int s = 0; s < STEPS && (size_t)s < v.nsteps; s++) {
			enum step_state want = done_changes >= 2 * s + 2 ? STEP_DONE :
					       done_changes == 2 * s + 1 ? STEP_RUNNING : STEP_PLANNED;

			CHECK(v.steps[s].state == want);
		}
		journal_view_release(&v);
		/* With space back, the run goes on from there (resume's view). */
		for (int c = done_changes; c < 2 * STEPS; c++)
			CHECK((c % 2 ? journal_step_finish(j, c / 2, true, 0, NULL, 0, &err)
				     : journal_step_start(j, c / 2, &err)) == 0);
		journal_close(j);
	}
	CHECK(completed);
	CHECK(points >= 2 * STEPS);	/* at least one fault per state change */
	printf("     disk-full fault points tested: %ld (writes failed: %ld)\n", points,
	       writes_failed);
	sqlite3_vfs_unregister(&fault_vfs);
	unlink(fpath);
}

/*
 * For every k, a read of the journal whose k-th read from the disk fails
 * (an I/O error) either returns all of it or fails with an error: never a
 * part of it as if it were the whole.
 */
TEST(read_error_at_every_read)
{
	long k, points = 0;
	bool completed = false;
	size_t want_deps = 0;

	for (size_t i = 0; i < plan->steps.n; i++)
		want_deps += plan->steps.v[i].nafter;
	fault_vfs_register();
	for (k = 0; k < 5000 && !completed; k++) {
		struct sh_error err = { 0 };
		struct journal *j = NULL;
		struct journal_view v = { 0 };
		long failed_before = reads_failed;
		int r;

		reads_left = -1;
		CHECK(journal_open_readonly(path, &j, &err) == 0);
		if (!j)
			break;
		reads_left = k;
		r = journal_read(j, &v, &err);
		reads_left = -1;
		if (reads_failed == failed_before) {
			completed = true;
			CHECK(r == 0);
		} else if (r < 0) {
			points++;
			CHECK_CONTAINS(err.msg, "journal: cannot read");
		}
		if (r == 0) {
			size_t deps = 0;

			for (size_t i = 0; i < v.nsteps; i++)
				deps += v.steps[i].nafter;
			CHECK(v.nsteps == plan->steps.n);
			CHECK(v.from && v.to && v.run_state && v.transport);
			CHECK(deps == want_deps);
		}
		journal_view_release(&v);
		journal_close(j);
	}
	CHECK(completed);
	CHECK(points > 0);
	printf("     read fault points tested: %ld\n", points);
	sqlite3_vfs_unregister(&fault_vfs);
}

int main(void)
{
	struct sh_error err = { 0 };
	struct settings *st = settings_defaults();

	step_kinds_init();	/* as main() does */
	harness_tmpdir(dir);
	snprintf(path, sizeof(path), "%s/run.journal", dir);
	if (catalog_load("catalog", &cat, &err) < 0 ||
	    inventory_load("examples/multinode", &inv, &err) < 0 ||
	    plan_build(inv, cat, st, "newton", "ocata", false, &plan, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	RUN(create_and_read_back);
	RUN(create_refuses_an_existing_journal);
	RUN(create_never_replaces_a_file_created_after_its_check);
	RUN(journal_files_are_private);
	RUN(an_old_world_readable_journal_is_tightened);
	RUN(a_symlinked_wal_is_not_followed);
	RUN(state_machine);
	RUN(tails_are_bounded_and_redacted);
	RUN(one_process_at_a_time);
	RUN(not_a_journal);
	RUN(disk_full_at_every_write);
	RUN(read_error_at_every_read);
	plan_free(plan);
	settings_free(st);
	inventory_free(inv);
	catalog_free(cat);
	harness_rmtree(dir);
	HARNESS_END();
}
