/* test-journal.c - the run journal: creation, the state machine, tails,
 * redaction and the one-process lock. */
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
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

int main(void)
{
	struct sh_error err = { 0 };
	struct settings *st = settings_defaults();
	char cmd[300];

	if (!mkdtemp(dir))
		return 2;
	snprintf(path, sizeof(path), "%s/run.journal", dir);
	if (catalog_load("catalog", &cat, &err) < 0 ||
	    inventory_load("examples/multinode", &inv, &err) < 0 ||
	    plan_build(inv, cat, st, "newton", "ocata", false, &plan, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	RUN(create_and_read_back);
	RUN(create_refuses_an_existing_journal);
	RUN(state_machine);
	RUN(tails_are_bounded_and_redacted);
	RUN(one_process_at_a_time);
	RUN(not_a_journal);
	plan_free(plan);
	settings_free(st);
	inventory_free(inv);
	catalog_free(cat);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	HARNESS_END();
}
