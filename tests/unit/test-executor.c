/*
 * test-executor.c - the executor: real commands through the local
 * transport (outputs, exit statuses, online-migration reruns, status-check
 * warnings, stop on failure, timeouts), and a run stopped by a full disk
 * that resumes to the same end state as an uninterrupted one.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drivers.h"
#include "executor.h"
#include "fault-vfs.h"
#include "fileio.h"
#include "harness.h"
#include "inventory.h"
#include "journal.h"
#include "sim.h"
#include "steps.h"

/* On tmpfs when there is one: thousands of fsyncs, and this is about
 * failing writes, not power loss. */
static char shm_dir[] = "/dev/shm/stackhop-test-executor-XXXXXX";
static char tmp_dir[] = "/tmp/stackhop-test-executor-XXXXXX";
static const char *dir;
static struct catalog *cat;
static const struct journal_meta meta = { "liberty", "mitaka", "inventory", NULL,
					  "catalog", "sim" };

static struct inventory *load_inventory(const char *name, const char *text)
{
	struct sh_error err = { 0 };
	struct inventory *inv = NULL;
	char p[300];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	CHECK(write_file_atomic(p, text, strlen(text), 0644, &err) == 0);
	CHECK(inventory_load(p, &inv, &err) == 0);
	return inv;
}

/* ---- real commands, local transport --------------------------------------- */

struct cmd_spec {
	const char *kind, *script;
	long after;		/* -1: none */
};

/* A hand-made plan of command steps on one local host. */
static void make_plan(struct plan *p, struct inventory *inv, const struct cmd_spec *c,
		      size_t n)
{
	struct plan_hop h = { .from = catalog_release(cat, "liberty"),
			      .to = catalog_release(cat, "mitaka") };

	memset(p, 0, sizeof(*p));
	p->inv = inv;
	p->cat = cat;
	p->from = h.from;
	p->to = h.to;
	vec_push(p->hops, h);
	for (size_t i = 0; i < n; i++) {
		struct plan_step s = { 0 };
		const char **argv = arena_alloc(&p->arena, 4 * sizeof(char *));
		size_t *after = arena_alloc(&p->arena, sizeof(size_t));

		argv[0] = "sh";
		argv[1] = "-c";
		argv[2] = c[i].script;
		s.id = arena_printf(&p->arena, "mitaka/test/step-%zu", i);
		s.kind = step_kind_find(c[i].kind);
		s.phase = "openstack";
		s.owner = "test";
		s.targets = inv->hosts.v;
		s.ntargets = 1;
		s.argv = argv;
		s.argc = 3;
		if (c[i].after >= 0) {
			after[0] = (size_t)c[i].after;
			s.after = after;
			s.nafter = 1;
		}
		vec_push(p->steps, s);
	}
}

static void release_plan(struct plan *p)
{
	vec_free(p->steps);
	vec_free(p->hops);
	arena_release(&p->arena);
}

/* The observer run_remote() passes to executor_run() (NULL: none). */
static const struct exec_observer *run_obs;

static int run_remote(struct plan *p, const char *name, int timeout_s,
		      const struct secrets *sec, struct exec_report *rep,
		      struct journal_view *v, struct sh_error *err)
{
	struct ssh_options so = { 0 };
	struct remote_driver rd = { p, &so, timeout_s, sec, NULL, NULL, NULL, NULL, 0, NULL, false };
	struct exec_options eo = { .forks = 4, .timeout_s = timeout_s, .backoff_s = 0.01 };
	struct journal *j = NULL;
	char path[300];
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (journal_create(path, p, &meta, err) < 0 || journal_open(path, &j, err) < 0)
		return -2;
	if (sec)
		journal_set_redactor(j, &sec->redactor);
	r = executor_run(p, j, &remote_driver, &rd, &eo, run_obs, rep, err);
	free(rd.archived);
	if (journal_read(j, v, err) < 0)
		r = -3;
	journal_close(j);
	return r;
}

TEST(local_commands_statuses_and_stop_on_failure)
{
	char script[1024], marker[300], counter[300];
	struct inventory *inv = load_inventory("local.ini", "[control]\nhere ansible_connection=local\n");
	struct exec_report rep;
	struct journal_view v = { 0 };
	struct sh_error err = { 0 };
	struct plan p;
	char *count = NULL;
	size_t len;

	snprintf(marker, sizeof(marker), "%s/must-not-exist", dir);
	snprintf(counter, sizeof(counter), "%s/counter", dir);
	/* Online migrations that report more work twice (exit 1), then done. */
	snprintf(script, sizeof(script),
		 "n=$(cat %s 2>/dev/null || echo 0); n=$((n + 1)); echo $n > %s; "
		 "echo migrated batch $n; [ $n -ge 3 ]", counter, counter);
	{
		char touch[400];
		const struct cmd_spec c[] = {
			{ "command", "echo out; echo err >&2", -1 },
			{ "online-migrations", script, 0 },
			{ "status-check", "echo 'Warning: something to look at'; exit 1", 1 },
			{ "command", "echo boom >&2; exit 7", 2 },
			{ "command", touch, 3 },
			{ "command", "true", 3 },
		};

		snprintf(touch, sizeof(touch), "touch %s", marker);
		make_plan(&p, inv, c, ARRAY_SIZE(c));
		CHECK(run_remote(&p, "local.journal", 0, NULL, &rep, &v, &err) == 1);
	}
	CHECK(rep.failed_step == 3);
	CHECK(rep.exit_status == 7);
	CHECK_CONTAINS(rep.output, "boom");
	CHECK(rep.done == 3);
	CHECK(v.nsteps == 6);
	if (v.nsteps == 6) {
		CHECK(v.steps[0].state == STEP_DONE);
		CHECK_CONTAINS(v.steps[0].tail, "out\n");
		CHECK_CONTAINS(v.steps[0].tail, "err\n");
		CHECK(v.steps[1].state == STEP_DONE);
		CHECK_CONTAINS(v.steps[1].tail, "migrated batch 3");
		CHECK(v.steps[2].state == STEP_DONE);	/* a warning passes */
		CHECK(v.steps[2].exit_status == 1);
		CHECK(v.steps[3].state == STEP_FAILED);
		CHECK(v.steps[3].exit_status == 7);
		CHECK(v.steps[4].state == STEP_PLANNED);	/* nothing after a failure */
		CHECK(v.steps[5].state == STEP_PLANNED);
		CHECK(streq(v.run_state, "failed"));
	}
	CHECK(read_file_limited(counter, 100, &count, &len, &err) == 0);
	CHECK(count && streq(count, "3\n"));
	CHECK(access(marker, F_OK) < 0);
	free(count);
	exec_report_release(&rep);
	journal_view_release(&v);
	release_plan(&p);
	inventory_free(inv);
}

TEST(a_command_past_its_timeout_is_killed)
{
	struct inventory *inv = load_inventory("local2.ini", "[control]\nhere ansible_connection=local\n");
	const struct cmd_spec c[] = { { "command", "echo started; sleep 30", -1 } };
	struct exec_report rep;
	struct journal_view v = { 0 };
	struct sh_error err = { 0 };
	struct plan p;
	double t0 = monotonic_now();

	make_plan(&p, inv, c, 1);
	CHECK(run_remote(&p, "timeout.journal", 1, NULL, &rep, &v, &err) == 1);
	CHECK(monotonic_now() - t0 < 20);
	CHECK(rep.failed_step == 0);
	CHECK_CONTAINS(rep.output, "started");
	CHECK_CONTAINS(rep.output, "timed out after 1 s");
	exec_report_release(&rep);
	journal_view_release(&v);
	release_plan(&p);
	inventory_free(inv);
}

/*
 * Retries with backoff for kinds that have them; on a failure, a step
 * already running finishes, and nothing new starts.
 */
TEST(retries_and_running_steps_finish)
{
	struct inventory *inv = load_inventory("local4.ini", "[control]\nhere ansible_connection=local\n");
	char health[1024], slow[600], done_file[300], counter[300];
	struct exec_report rep;
	struct journal_view v = { 0 };
	struct sh_error err = { 0 };
	struct plan p;

	snprintf(counter, sizeof(counter), "%s/health-counter", dir);
	snprintf(done_file, sizeof(done_file), "%s/slow-done", dir);
	/* Unhealthy twice, then healthy: passes on the third attempt. */
	snprintf(health, sizeof(health),
		 "n=$(cat %s 2>/dev/null || echo 0); n=$((n + 1)); echo $n > %s; "
		 "echo attempt $n; [ $n -ge 3 ]", counter, counter);
	snprintf(slow, sizeof(slow), "sleep 0.5; touch %s", done_file);
	{
		const struct cmd_spec c[] = {
			{ "health-check", health, -1 },
			{ "command", slow, 0 },
			{ "command", "sleep 0.1; exit 3", 0 },
			{ "command", "true", 2 },
		};

		make_plan(&p, inv, c, ARRAY_SIZE(c));
		CHECK(run_remote(&p, "retry.journal", 0, NULL, &rep, &v, &err) == 1);
	}
	CHECK(rep.failed_step == 2);
	CHECK(v.nsteps == 4);
	if (v.nsteps == 4) {
		CHECK(v.steps[0].state == STEP_DONE);
		CHECK_CONTAINS(v.steps[0].tail, "attempt 3");
		CHECK(v.steps[1].state == STEP_DONE);	/* was running: finished */
		CHECK(v.steps[2].state == STEP_FAILED);
		CHECK(v.steps[3].state == STEP_PLANNED);
	}
	CHECK(access(done_file, F_OK) == 0);
	exec_report_release(&rep);
	journal_view_release(&v);
	release_plan(&p);
	inventory_free(inv);
}

/* When the quick step is recorded done, touch the file the silent one waits for. */
static void touch_on_done(void *ctx, const struct exec_event *ev,
			  const struct exec_running *running, size_t nrunning,
			  size_t done, size_t total)
{
	(void)running, (void)nrunning, (void)done, (void)total;
	if (ev->type == EVENT_STEP_DONE && ev->step == 1) {
		int fd = open(ctx, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

		if (fd >= 0)
			close(fd);
	}
}

/*
 * A command that closes its output and runs on does not hold up the loop:
 * it runs until the other step is recorded done (bounded: 30 s, then it
 * fails), which a loop blocked on it would never get to.
 */
TEST(a_silent_long_command_does_not_block_others)
{
	struct inventory *inv = load_inventory("local5.ini", "[control]\nhere ansible_connection=local\n");
	char flag[300], silent[1024];
	struct exec_observer obs = { touch_on_done, flag };
	struct exec_report rep;
	struct journal_view v = { 0 };
	struct sh_error err = { 0 };
	struct plan p;

	snprintf(flag, sizeof(flag), "%s/quick-recorded", dir);
	snprintf(silent, sizeof(silent),
		 "exec >/dev/null 2>&1 </dev/null; i=0; "
		 "until [ -e %s ] || [ $i -ge 600 ]; do sleep 0.05; i=$((i + 1)); done; [ -e %s ]",
		 flag, flag);
	{
		const struct cmd_spec c[] = {
			{ "command", silent, -1 },
			{ "command", "echo quick", -1 },
		};

		make_plan(&p, inv, c, ARRAY_SIZE(c));
		run_obs = &obs;
		CHECK(run_remote(&p, "silent.journal", 0, NULL, &rep, &v, &err) == 0);
		run_obs = NULL;
	}
	CHECK(v.nsteps == 2);
	if (v.nsteps == 2)
		CHECK(v.steps[0].state == STEP_DONE && v.steps[1].state == STEP_DONE);
	exec_report_release(&rep);
	journal_view_release(&v);
	release_plan(&p);
	inventory_free(inv);
}

/* Secrets reach a command on its stdin, never in argv; output is redacted. */
TEST(secrets_go_through_stdin)
{
	struct inventory *inv = load_inventory("local3.ini", "[control]\nhere ansible_connection=local\n");
	const struct cmd_spec c[] = {
		{ "command", "read -r a; read -r b; echo \"a=$a b=$b\"; "
			     "tr \"\\0\" \" \" </proc/$$/cmdline", -1 },
	};
	static struct cat_kv params[] = { { "stdin_secrets", "db_password,rabbit_password" } };
	const char *text = "db_password: \"s3cret-db-pw\"\nrabbit_password: \"rabbit-pw-77\"\n";
	struct exec_report rep;
	struct journal_view v = { 0 };
	struct sh_error err = { 0 };
	struct secrets *sec = NULL;
	struct plan p;
	char spath[300];

	snprintf(spath, sizeof(spath), "%s/secrets.yaml", dir);
	CHECK(write_file_atomic(spath, text, strlen(text), 0600, &err) == 0);
	CHECK(secrets_load(spath, &sec, &err) == 0);
	make_plan(&p, inv, c, 1);
	p.steps.v[0].params = params;
	p.steps.v[0].nparams = 1;
	CHECK(run_remote(&p, "secrets.journal", 0, sec, &rep, &v, &err) == 0);
	CHECK(v.nsteps == 1 && v.steps[0].state == STEP_DONE);
	if (v.nsteps == 1) {
		CHECK_CONTAINS(v.steps[0].tail, "a=[redacted] b=[redacted]");
		CHECK(!strstr(v.steps[0].tail, "s3cret"));
		CHECK_CONTAINS(v.steps[0].tail, "sh -c read -r a");	/* its argv */
	}
	journal_view_release(&v);
	exec_report_release(&rep);
	/* A secret the file does not hold: refused before anything runs. */
	params[0].value = "db_password,no_such_secret";
	memset(&err, 0, sizeof(err));
	CHECK(run_remote(&p, "secrets2.journal", 0, sec, &rep, &v, &err) == -1);
	CHECK_CONTAINS(err.msg, "secrets file does not hold");
	journal_view_release(&v);
	exec_report_release(&rep);
	release_plan(&p);
	secrets_free(sec);
	inventory_free(inv);
}

/* ---- disk full during a sim run ----------------------------------------- */

struct sim_run {
	struct plan *plan;
	char jpath[300], mpath[320];
};

static int sim_go(struct sim_run *sr, struct sh_error *err)
{
	struct journal *j = NULL;
	struct sim *m = NULL;
	struct exec_report rep;
	struct exec_options eo = { .forks = 10 };
	int r = -1;

	if (journal_open(sr->jpath, &j, err) < 0 || sim_open(sr->mpath, sr->plan, &m, err) < 0)
		goto out;
	{
		struct sim_driver sd = { sr->plan, m, 0 };

		r = executor_run(sr->plan, j, &sim_driver, &sd, &eo, NULL, &rep, err);
		exec_report_release(&rep);
	}
out:
	sim_free(m);
	journal_close(j);
	return r;
}

static void sim_fresh(struct sim_run *sr, const char *name)
{
	struct sh_error err = { 0 };

	snprintf(sr->jpath, sizeof(sr->jpath), "%s/%s", dir, name);
	snprintf(sr->mpath, sizeof(sr->mpath), "%s.sim.json", sr->jpath);
	unlink(sr->jpath);
	CHECK(sim_create(sr->mpath, sr->plan, &err) == 0);
	CHECK(journal_create(sr->jpath, sr->plan, &meta, &err) == 0);
}

/* "state state ..." of every step, and the model file. */
static char *end_state(struct sim_run *sr)
{
	struct sh_error err = { 0 };
	struct journal *j = NULL;
	struct journal_view v = { 0 };
	char *model = NULL, *out;
	size_t len = 0, off, size;

	CHECK(journal_open_readonly(sr->jpath, &j, &err) == 0);
	CHECK(j && journal_read(j, &v, &err) == 0);
	CHECK(read_file_limited(sr->mpath, 1 << 24, &model, &len, &err) == 0);
	size = v.nsteps * 10 + len + 32;
	out = xmalloc(size);
	off = (size_t)snprintf(out, size, "%s:", v.run_state ? v.run_state : "?");
	for (size_t i = 0; i < v.nsteps; i++)
		off += (size_t)snprintf(out + off, size - off, " %s",
					step_state_name(v.steps[i].state));
	snprintf(out + off, size - off, "\n%s", model ? model : "");
	free(model);
	journal_view_release(&v);
	journal_close(j);
	return out;
}

/*
 * A run whose journal cannot be written (disk full, at the k-th write for
 * many k) stops with a clear error; the journal it leaves opens, and with
 * space back the run resumes to the end state of an uninterrupted run.
 */
TEST(disk_full_stops_the_run_and_resume_finishes_it)
{
	struct inventory *inv = load_inventory("tiny.ini",
		"[control]\nctl1\n[network]\nctl1\n[compute]\ncmp1\n");
	struct settings *st = NULL;
	struct plan *plan = NULL;
	struct sh_error err = { 0 };
	struct sim_run ref = { 0 }, sr = { 0 };
	char *want, *got;
	long k, points = 0, stride = 37;
	bool completed = false;

	CHECK(settings_load_or_defaults(NULL, &st, &err) == 0);
	CHECK(plan_build(inv, cat, st, "liberty", "mitaka", false, &plan, &err) == 0);
	if (!plan)
		return;
	ref.plan = sr.plan = plan;
	sim_fresh(&ref, "ref.journal");
	CHECK(sim_go(&ref, &err) == 0);
	want = end_state(&ref);
	CHECK_CONTAINS(want, "done: done");

	fault_vfs_register();
	for (k = 0; !completed && k < 100000; k += stride) {
		int r;

		writes_left = -1;
		sim_fresh(&sr, "full.journal");
		writes_left = k;
		memset(&err, 0, sizeof(err));
		r = sim_go(&sr, &err);
		writes_left = -1;
		if (r == 0) {
			completed = true;
		} else {
			points++;
			CHECK(r == -1);
			CHECK_CONTAINS(err.msg, "the disk is full");
		}
		memset(&err, 0, sizeof(err));
		CHECK(sim_go(&sr, &err) == 0);	/* resume */
		got = end_state(&sr);
		CHECK(streq(got, want));
		free(got);
	}
	sqlite3_vfs_unregister(&fault_vfs);
	CHECK(completed);
	CHECK(points >= 20);
	printf("     disk-full points tested during a sim run: %ld (every %ld-th write)\n",
	       points, stride);
	free(want);
	plan_free(plan);
	settings_free(st);
	inventory_free(inv);
}

/* ---- the failure budget (max_fail_percentage) --------------------------- */

/* A driver whose apply fails for the targets named in fail[step]. */
struct budget_driver {
	const char *fail[4];		/* per step: ",h03," style lists */
	int calls[4][16];		/* apply calls per step and host index */
};

static int budget_begin(void *ctx, size_t step, const struct inv_host *t,
			enum exec_phase ph, struct proc *proc, double *ret_delay,
			struct sh_error *err)
{
	(void)ctx; (void)step; (void)t; (void)ph; (void)proc; (void)err;
	*ret_delay = 0;
	return 0;
}

static void budget_end(void *ctx, size_t step, const struct inv_host *t,
		       enum exec_phase ph, struct proc *proc, struct exec_result *res)
{
	struct budget_driver *d = ctx;
	char name[64];

	(void)proc;
	res->outcome = OUTCOME_OK;
	if (ph != PHASE_APPLY || !t)
		return;
	d->calls[step][t->index]++;
	snprintf(name, sizeof(name), ",%s,", t->name);
	if (d->fail[step] && strstr(d->fail[step], name))
		res->outcome = OUTCOME_FAIL;
}

static const struct exec_driver budget_exec = { "budget", true, NULL, budget_begin,
						budget_end };

/* Steps in a chain, each on every host, one batch with max_fail mfp[i]. */
static int run_budget(struct inventory *inv, const int *mfp, size_t n,
		      struct budget_driver *d, struct exec_report *rep)
{
	struct exec_options eo = { .forks = 16, .backoff_s = 0.01 };
	struct sh_error err = { 0 };
	struct journal *j = NULL;
	struct plan p;
	char path[300];
	int r;
	const struct cmd_spec c[] = { { "command", "true", -1 }, { "command", "true", 0 },
				      { "command", "true", 1 } };

	make_plan(&p, inv, c, n);
	for (size_t i = 0; i < n; i++) {
		p.steps.v[i].ntargets = inv->hosts.n;
		p.steps.v[i].batch = p.steps.v[i].nbatches = 1;
		p.steps.v[i].max_fail_percentage = mfp[i];
	}
	snprintf(path, sizeof(path), "%s/budget-%d.journal", dir, mfp[0] * 10 + (int)n);
	unlink(path);
	if (journal_create(path, &p, &meta, &err) < 0 || journal_open(path, &j, &err) < 0)
		return -2;
	r = executor_run(&p, j, &budget_exec, d, &eo, NULL, rep, &err);
	journal_close(j);
	release_plan(&p);
	return r;
}

/*
 * With the docker runtime a catalog command runs in a one-off container of
 * the service's component whose image has it, named even when no
 * container of it is left on the node (placement's db sync runs after
 * its container there was removed: placement-api, not "placement").
 */
static char *command_line(const struct plan *p, const char *id)
{
	struct remote_driver rd = { .plan = p, .settings = "/s.yaml", .inventory = "/inv",
				    .state_dir = "/st", .docker = true };
	struct strv a = STRV_INIT;
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);

	for (size_t i = 0; i < p->steps.n; i++)
		if (streq(p->steps.v[i].id, id)) {
			remote_command_argv(&rd, &p->steps.v[i], p->steps.v[i].targets[0], &a);
			break;
		}
	for (size_t i = 0; i < a.n; i++)
		fprintf(f, "%s%s", i ? " " : "", a.v[i]);
	fclose(f);
	strv_release(&a);
	return line;
}

TEST(docker_command_runs_in_the_component_image)
{
	struct inventory *inv = load_inventory("ctl.ini", "[control]\nctl1\nctl2\n[compute]\ncmp1\n");
	struct settings *st = NULL;
	struct plan *plan = NULL;
	struct sh_error err = { 0 };
	char *l;

	CHECK(settings_load_or_defaults(NULL, &st, &err) == 0);
	CHECK(plan_build(inv, cat, st, "zed", "2023.1", false, &plan, &err) == 0);
	if (!plan)
		return;
	CHECK_CONTAINS(l = command_line(plan, "antelope/placement/db-sync"),
		       "step container-run -s /s.yaml -i /inv --node ctl1 --component placement-api -- placement-manage db sync");
	free(l);
	CHECK_CONTAINS(l = command_line(plan, "antelope/nova/api-db-sync"),
		       "--node ctl1 --component nova-conductor -- nova-manage api_db sync");
	free(l);
	CHECK_CONTAINS(l = command_line(plan, "antelope/keystone/db-expand"),
		       "--component keystone -- keystone-manage db_sync --expand");
	free(l);
	plan_free(plan);
	settings_free(st);
	inventory_free(inv);
}

/*
 * As Ansible's max_fail_percentage over a serial batch: a host that failed
 * (within the budget) is left out of the later steps and still counts
 * against their budget; a batch whose every host failed fails, whatever
 * the percentage.
 */
TEST(failure_budget_is_ansible_max_fail_percentage)
{
	struct inventory *inv = load_inventory("ten.ini",
		"[compute]\nh[01:10] ansible_connection=local\n");
	struct inventory *two = load_inventory("two.ini",
		"[compute]\nh[01:02] ansible_connection=local\n");
	struct budget_driver d = { .fail = { ",h03,", ",h07," } };
	struct exec_report rep;
	const int ten[] = { 10, 10, 10 }, all[] = { 100 };

	if (!inv || !two)
		return;
	/* 1 of 10 failed: within 10%; then h03 is left out, h07 fails: 2 of
	 * 10 is past the budget. */
	CHECK(run_budget(inv, ten, 3, &d, &rep) == 1);
	CHECK(rep.failed_step == 1);
	CHECK(rep.failed_target && streq(rep.failed_target->name, "h07"));
	CHECK(d.calls[0][2] == 1 && d.calls[1][2] == 0);	/* h03 left out */
	CHECK(d.calls[1][6] == 1 && d.calls[2][0] == 0);	/* stopped there */
	exec_report_release(&rep);
	/* One failure in each of two steps of 10 hosts, 20% allowed: done,
	 * and the host that failed first never runs the second step. */
	{
		struct budget_driver e = { .fail = { ",h03,", ",h07," } };
		const int twenty[] = { 20, 20 };

		CHECK(run_budget(inv, twenty, 2, &e, &rep) == 0);
		CHECK(e.calls[1][2] == 0 && e.calls[1][0] == 1);
		exec_report_release(&rep);
	}
	/* The whole batch failed: a failure even at 100%. */
	{
		struct budget_driver e = { .fail = { ",h01,,h02," } };

		CHECK(run_budget(two, all, 1, &e, &rep) == 1);
		exec_report_release(&rep);
	}
	inventory_free(inv);
	inventory_free(two);
}

int main(void)
{
	struct sh_error err = { 0 };

	step_kinds_init();	/* as main() does */
	dir = harness_tmpdir(access("/dev/shm", W_OK) == 0 ? shm_dir : tmp_dir);
	if (catalog_load("catalog", &cat, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	RUN(local_commands_statuses_and_stop_on_failure);
	RUN(failure_budget_is_ansible_max_fail_percentage);
	RUN(a_command_past_its_timeout_is_killed);
	RUN(retries_and_running_steps_finish);
	RUN(a_silent_long_command_does_not_block_others);
	RUN(secrets_go_through_stdin);
	RUN(disk_full_stops_the_run_and_resume_finishes_it);
	RUN(docker_command_runs_in_the_component_image);
	catalog_free(cat);
	harness_rmtree(dir);
	HARNESS_END();
}
