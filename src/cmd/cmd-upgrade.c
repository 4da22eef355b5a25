/*
 * cmd-upgrade.c - stackhop upgrade and stackhop resume: run a plan through
 * the executor, recording every state change in the run journal.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "cmd.h"
#include "drivers.h"
#include "executor.h"
#include "fault.h"
#include "inventory.h"
#include "journal.h"
#include "plan.h"
#include "progress.h"
#include "runtime.h"
#include "run-command.h"
#include "secrets.h"
#include "settings.h"
#include "steps.h"

#define SIM_SUFFIX ".sim.json"

static const char upgrade_usage[] =
	"usage: stackhop upgrade -i INVENTORY [-s SETTINGS] --from RELEASE --to RELEASE\n"
	"                        [--transport ssh|local|sim] [--journal PATH] [--forks N]\n"
	"                        [--timeout S] [--yes] [--dry-run] [--catalog DIR]\n"
	"                        [--sim-unit-ms MS] [--no-probe] [--format text|json]\n"
	"\n"
	"Upgrade the cloud of INVENTORY from one release to another: build the plan\n"
	"(see 'stackhop plan'), write it into a new run journal, and run it, every\n"
	"state change recorded in the journal first.  A run stopped at any instant\n"
	"(failure, ^C, kill -9, power loss) carries on with 'stackhop resume'.\n"
	"\n"
	"  -i, --inventory FILE  Ansible INI inventory (kolla-ansible's format)\n"
	"  -s, --settings FILE   stackhop settings (YAML); defaults apply without it\n"
	"      --from RELEASE    release running now\n"
	"      --to RELEASE      release to reach (the one running now: a minor update\n"
	"                        to the settings' newer images of it)\n"
	"      --transport T     ssh (default), local, or sim: a simulated cloud in a\n"
	"                        file beside the journal (JOURNAL" SIM_SUFFIX "); nothing\n"
	"                        real is changed and every output says so\n"
	"      --journal PATH    the run journal (default: a new file in " STATE_DIR ")\n"
	"      --forks N         steps-on-a-node at once (default 10)\n"
	"      --timeout S       per command, seconds (default 3600; 0 = none)\n"
	"      --yes             do not ask for confirmation (asked on a terminal\n"
	"                        unless the transport is sim)\n"
	"      --dry-run         print the plan, then run it against the simulated\n"
	"                        cloud in a temporary journal; change nothing\n"
	"      --catalog DIR     release catalog\n"
	"      --sim-unit-ms MS  wall-clock length of one unit of simulated work\n"
	"                        (default 0: as fast as possible)\n"
	"      --no-probe        do not run the downtime prober (by default a real\n"
	"                        run with a settings file probes its endpoints and\n"
	"                        records outages in the journal)\n"
	"      --format FMT      text (default: a live display on a terminal, else one\n"
	"                        line per state change) or json (one object per line:\n"
	"                        run, start, done, retry, unit-failed, failed, end)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Exit status: 0 every step done, 1 a step failed or the run stopped,\n"
	"2 bad input.\n";

static const char resume_usage[] =
	"usage: stackhop resume --journal PATH [--forks N] [--timeout S] [--yes]\n"
	"                       [--sim-unit-ms MS] [--no-probe] [--format text|json]\n"
	"\n"
	"Carry on with the run recorded in PATH: steps done stay done; a step\n"
	"found running (the run was killed inside it) is checked first and applied\n"
	"again only if its effect is not there; a failed step is tried again.  The\n"
	"plan is built again from the journal's inventory, settings and catalog and\n"
	"must match the journal step for step.\n"
	"\n"
	"  -j, --journal PATH    the run journal\n"
	"      --forks N         steps-on-a-node at once (default 10)\n"
	"      --timeout S       per command, seconds (default 3600; 0 = none)\n"
	"      --yes             do not ask for confirmation\n"
	"      --sim-unit-ms MS  see 'stackhop upgrade --help'\n"
	"      --format FMT      text or json, see 'stackhop upgrade --help'\n"
	"  -h, --help            show this help\n";

/* ---- shared run ------------------------------------------------------------ */

struct run_opts {
	long forks, timeout, sim_unit_ms;
	bool yes, json, no_probe;
};

static int parse_run_opt(int c, const char *cmd, struct run_opts *ro)
{
	switch (c) {
	case 'f':
		if (parse_long(optarg, 1, 1000, &ro->forks) < 0)
			return usage_error(cmd, "--forks must be from 1 to 1000, not '%s'", optarg);
		return 0;
	case 't':
		if (parse_long(optarg, 0, 86400, &ro->timeout) < 0)
			return usage_error(cmd, "--timeout must be seconds from 0 to 86400, not '%s'",
					   optarg);
		return 0;
	case 'u':
		if (parse_long(optarg, 0, 60000, &ro->sim_unit_ms) < 0)
			return usage_error(cmd, "--sim-unit-ms must be from 0 to 60000, not '%s'",
					   optarg);
		return 0;
	case 'y':
		ro->yes = true;
		return 0;
	case 'P':
		ro->no_probe = true;
		return 0;
	case 'o':
		if (!streq(optarg, "text") && !streq(optarg, "json"))
			return usage_error(cmd, "unknown format '%s' (expected text or json)", optarg);
		ro->json = streq(optarg, "json");
		return 0;
	}
	return usage_error(cmd, "bad option");
}

static char *sim_path(const char *journal)
{
	size_t n = strlen(journal) + sizeof(SIM_SUFFIX);
	char *s = xmalloc(n);

	snprintf(s, n, "%s%s", journal, SIM_SUFFIX);
	return s;
}

/* Ask on a terminal; true to go on. */
static bool confirm(const struct plan *p, const char *transport, bool yes,
		    struct sh_error *err)
{
	char line[64];

	if (yes || streq(transport, "sim"))
		return true;
	if (!isatty(STDIN_FILENO)) {
		sh_error_set(err, SH_EXIT_INPUT,
			     "refusing to change the cloud without confirmation: standard input is not a terminal (pass --yes)");
		return false;
	}
	printf("This changes the cloud: %zu hosts, %s%s%s, %zu steps, transport %s.\n"
	       "Type 'yes' to go on: ", p->inv->hosts.n,
	       plan_is_minor(p) ? "minor update of " : p->from->name,
	       plan_is_minor(p) ? "" : " -> ", p->to->name, p->steps.n, transport);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin) || !streq(line, "yes\n")) {
		sh_error_set(err, SH_EXIT_FAILURE, "not confirmed, nothing was changed");
		return false;
	}
	return true;
}

/*
 * The downtime prober of a real run: "stackhop probe" as a child writing
 * outages into the journal, ended with SIGTERM when the run ends (and by
 * the kernel if this process dies first).  -1 when it could not start: the
 * run goes on unprobed, and says so.
 */
static int start_prober(const char *settings, const char *journal, struct child_process *c)
{
	const char *const argv[] = { "stackhop", "probe", "-s", settings, "--journal", journal,
		"--quiet", NULL };
	struct sh_error err = { 0 };

	*c = (struct child_process)CHILD_PROCESS_INIT;
	c->argv = argv;
	c->file = "/proc/self/exe";
	c->err = CHILD_STDIO_INHERIT;	/* its warnings; stdin and stdout /dev/null */
	if (child_start(c, &err) < 0) {
		fprintf(stderr, "warning: no downtime prober: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static void stop_prober(struct child_process *c)
{
	child_kill(c, SIGTERM);
	child_finish(c);
}

/* What the prober recorded: per target, outages and downtime. */
static void print_outages(struct journal *j, bool json)
{
	struct journal_outage *o = NULL;
	struct sh_error err = { 0 };
	size_t n = 0;

	if (journal_read_outages(j, &o, &n, &err) < 0) {
		fprintf(stderr, "warning: %s\n", err.msg);
		return;
	}
	if (json) {
		json_t *a = json_array(), *e = json_object();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_pack("{s:s, s:s, s:f, s:f, s:s}", "target",
							   o[i].target, "plane", o[i].plane,
							   "start", o[i].start, "duration",
							   o[i].end - o[i].start, "error", o[i].error));
		json_object_set_new(e, "event", json_string("outages"));
		json_object_set_new(e, "outages", a);
		json_object_set_new(e, "targets", probe_targets_json(j));
		progress_json_line(e);
	} else if (!n) {
		printf("prober: no outage on any probed target\n");
	} else {
		printf("prober: %zu outage%s\n", n, n == 1 ? "" : "s");
		for (size_t i = 0; i < n; i++)
			printf("  %s %s: %.3f s (%s)\n", o[i].plane, o[i].target,
			       o[i].end - o[i].start, o[i].error);
	}
	if (!json)
		probe_targets_print(j);
	journal_outages_free(o, n);
}

/* One run of a plan: its secrets, driver, display. */
struct run {
	const struct plan *p;
	const char *path;		/* the journal */
	struct secrets *secrets;
	struct sim *model;
	struct sim_driver sd;
	struct remote_driver rd;
	struct ssh_options so;
	struct progress pg;
	struct exec_options eo;
	const struct exec_driver *d;
	void *dctx;
	char cdir[64], *mpath, state_dir[PATH_MAX + 8];
};

/* The secrets, the driver of transport and the display of run rn. */
static int run_setup(struct run *rn, struct journal *j, const struct settings *st,
		     const char *transport, const struct run_opts *ro, struct sh_error *err)
{
	const struct plan *p = rn->p;

	/* The simulation runs nothing that could print or need a secret. */
	if (st->secrets && !streq(transport, "sim") &&
	    secrets_load(st->secrets, &rn->secrets, err) < 0)
		return -1;
	rn->pg.red = rn->secrets ? &rn->secrets->redactor : NULL;
	rn->pg.json = ro->json;
	rn->pg.tty = !rn->pg.json && isatty(STDOUT_FILENO);
	journal_set_redactor(j, rn->pg.red);
	if (streq(transport, "sim")) {
		rn->mpath = sim_path(rn->path);
		if (sim_open(rn->mpath, p, &rn->model, err) < 0)
			return -1;
		rn->sd = (struct sim_driver){ p, rn->model, (double)ro->sim_unit_ms / 1000.0 };
		rn->d = &sim_driver;
		rn->dctx = &rn->sd;
		rn->eo.backoff_s = rn->sd.unit_s;
		rn->pg.sim = true;
		if (!rn->pg.json)
			printf("SIMULATION: transport sim runs the plan against a model of the cloud in %s;\n"
			       "nothing real is changed.\n", rn->mpath);
		return 0;
	}
	if (ssh_options_init(st, &rn->so, rn->cdir, sizeof(rn->cdir), err) < 0)
		return -1;
	/* Backups and RabbitMQ definitions of the run: PATH.files/. */
	snprintf(rn->state_dir, sizeof(rn->state_dir), "%s.files", rn->path);
	rn->rd = (struct remote_driver){ p, &rn->so, (int)ro->timeout, rn->secrets, st->path,
					 p->inv->path, rn->state_dir, NULL, 0, NULL, false };
	if (st->runtime == RUNTIME_PROCESS) {
		rn->rd.process_control = st->process_control;
		rn->rd.nprocess_control = st->nprocess_control;
	}
	rn->rd.docker = st->runtime == RUNTIME_DOCKER;
	rn->d = &remote_driver;
	rn->dctx = &rn->rd;
	return 0;
}

static void print_run_start(const struct run *rn, const char *transport, bool quiet_start)
{
	const struct plan *p = rn->p;

	if (rn->pg.json) {
		json_t *o = json_object();

		json_object_set_new(o, "event", json_string("run"));
		json_object_set_new(o, "journal", json_string(rn->path));
		json_object_set_new(o, "transport", json_string(transport));
		json_object_set_new(o, "simulation", json_boolean(rn->pg.sim));
		if (rn->mpath)
			json_object_set_new(o, "model", json_string(rn->mpath));
		json_object_set_new(o, "from", json_string(p->from->name));
		json_object_set_new(o, "to", json_string(p->to->name));
		json_object_set_new(o, "steps", json_integer((json_int_t)p->steps.n));
		progress_json_line(o);
	} else if (!quiet_start) {
		printf("journal: %s\n", rn->path);
	}
	fflush(stdout);
}

/* The "end" event of a JSON run; r is executor_run()'s answer. */
static void print_json_end(const struct run *rn, int r, const struct exec_report *rep,
			   const struct sh_error *err)
{
	json_t *o = json_object();

	json_object_set_new(o, "event", json_string("end"));
	json_object_set_new(o, "result", json_string(r < 0 ? "stopped" : r ? "failed" : "done"));
	json_object_set_new(o, "done", json_integer((json_int_t)rep->done));
	json_object_set_new(o, "total", json_integer((json_int_t)rep->total));
	json_object_set_new(o, "elapsed", json_real(monotonic_now() - rn->pg.t0));
	json_object_set_new(o, "simulation", json_boolean(rn->pg.sim));
	if (r > 0) {
		json_object_set_new(o, "failed_step",
				    json_string(rn->p->steps.v[rep->failed_step].id));
		json_object_set_new(o, "node", rep->failed_target ?
				    json_string(rep->failed_target->name) : json_null());
		json_object_set_new(o, "exit_status", json_integer(rep->exit_status));
	}
	if (r < 0)
		json_object_set_new(o, "error", json_string(err->msg));
	progress_json_line(o);
}

/* A failed step: which, where, its output, and how to go on. */
static void print_failed(const struct run *rn, const struct exec_report *rep)
{
	const struct plan_step *s = &rn->p->steps.v[rep->failed_step];

	fprintf(stderr, "error: %sstep '%s' failed on %s (exit status %d)\n",
		rn->pg.sim ? "[sim] " : "", s->id,
		rep->failed_target ? rep->failed_target->name : "the cluster", rep->exit_status);
	if (rep->output) {
		char *t = redact(rn->pg.red, rep->output, strlen(rep->output));

		fprintf(stderr, "%s%s", t, t[0] && t[strlen(t) - 1] == '\n' ? "" : "\n");
		free(t);
	}
	fprintf(stderr, "%zu of %zu steps done; after fixing the cause: stackhop resume --journal %s\n",
		rep->done, rep->total, rn->path);
}

/*
 * Run the plan of journal j (open and locked, at path) with transport;
 * closes j.  Returns the exit status; prints errors.
 */
static int run_journal(struct journal *j, const char *path, const struct plan *p,
		       const struct settings *st, const char *transport,
		       const struct run_opts *ro, bool quiet_start)
{
	struct sh_error err = { 0 };
	struct exec_report rep = { 0 };
	struct run rn = {
		.p = p, .path = path, .pg = { .p = p, .t0 = monotonic_now() },
		.eo = { .forks = (int)ro->forks, .timeout_s = (int)ro->timeout, .backoff_s = 1.0 },
	};
	struct exec_observer obs = { progress_event, &rn.pg };
	struct child_process prober = CHILD_PROCESS_INIT;
	int r;

	if (run_setup(&rn, j, st, transport, ro, &err) < 0)
		goto fail;
	print_run_start(&rn, transport, quiet_start);
	if (!rn.pg.sim && !ro->no_probe && st->path)
		start_prober(st->path, path, &prober);
	r = executor_run(p, j, rn.d, rn.dctx, &rn.eo, &obs, &rep, &err);
	progress_erase(&rn.pg);
	if (prober.pid > 0) {
		stop_prober(&prober);
		print_outages(j, rn.pg.json);
	}
	if (rn.pg.json)
		print_json_end(&rn, r, &rep, &err);
	if (r < 0)
		goto fail;
	if (r > 0) {
		print_failed(&rn, &rep);
		r = SH_EXIT_FAILURE;
		goto out;
	}
	if (!rn.pg.json)
		printf("%s%zu of %zu steps done in %.1f s: %s%s%s complete%s\n",
		       rn.pg.sim ? "[sim] " : "", rep.done, rep.total, monotonic_now() - rn.pg.t0,
		       plan_is_minor(p) ? "minor update of " : p->from->name,
		       plan_is_minor(p) ? "" : " -> ", p->to->name,
		       rn.pg.sim ? " (simulation: nothing real was changed)" : "");
	r = 0;
	goto out;
fail:
	progress_erase(&rn.pg);
	r = report_error(&err);
	fprintf(stderr, "the journal keeps every state recorded so far: stackhop resume --journal %s\n",
		path);
out:
	if (getenv("STACKHOP_CRASH_AT"))
		fprintf(stderr, "crash points: %lu\n", fault_points());
	exec_report_release(&rep);
	sim_free(rn.model);
	journal_close(j);
	secrets_free(rn.secrets);
	free(rn.mpath);
	free(rn.rd.archived);
	return r;
}

/* Absolute path of an existing file (malloc'd), or a copy of path. */
static char *abs_path(const char *path)
{
	char *r = path ? realpath(path, NULL) : NULL;

	return r ? r : path ? xstrdup(path) : NULL;
}

/* With the local transport every host is this machine. */
static void use_transport(struct inventory *inv, const char *transport)
{
	if (streq(transport, "local"))
		for (size_t i = 0; i < inv->hosts.n; i++)
			inv->hosts.v[i]->connection = "local";
}

/* ---- upgrade --------------------------------------------------------------- */

struct upgrade_opts {
	const char *inv_path, *set_path, *from, *to, *transport, *jpath, *cat_opt;
	struct run_opts ro;
	bool dry;
};

/* Read upgrade's options into *o: -1 to go on, else the exit status. */
static int parse_upgrade(int argc, char **argv, struct upgrade_opts *o)
{
	static const struct option opts[] = {
		{ "inventory", required_argument, NULL, 'i' },
		{ "settings", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "transport", required_argument, NULL, 'x' },
		{ "journal", required_argument, NULL, 'j' },
		{ "forks", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ "yes", no_argument, NULL, 'y' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "catalog", required_argument, NULL, 'c' },
		{ "sim-unit-ms", required_argument, NULL, 'u' },
		{ "no-probe", no_argument, NULL, 'P' },
		{ "format", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+i:s:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': o->inv_path = optarg; break;
		case 's': o->set_path = optarg; break;
		case 'F': o->from = optarg; break;
		case 'T': o->to = optarg; break;
		case 'x': o->transport = optarg; break;
		case 'j': o->jpath = optarg; break;
		case 'n': o->dry = true; break;
		case 'c': o->cat_opt = optarg; break;
		case 'h': fputs(upgrade_usage, stdout); return 0;
		default:
			if ((r = parse_run_opt(c, "upgrade", &o->ro)) != 0)
				return r;
		}
	}
	if (optind < argc)
		return usage_error("upgrade", "unexpected argument '%s'", argv[optind]);
	if (!o->inv_path)
		return usage_error("upgrade", "missing -i INVENTORY");
	if (!o->from || !o->to)
		return usage_error("upgrade", "missing --%s RELEASE", o->from ? "to" : "from");
	if (!streq(o->transport, "ssh") && !streq(o->transport, "local") &&
	    !streq(o->transport, "sim"))
		return usage_error("upgrade", "unknown transport '%s' (expected ssh, local or sim)",
				   o->transport);
	if (o->dry && o->jpath)
		return usage_error("upgrade", "--dry-run uses a temporary journal: drop --journal");
	if (o->dry && o->ro.json)
		return usage_error("upgrade", "--dry-run prints the plan as text: drop --format json");
	return -1;
}

/* The journal of a dry run: DIR/dry-run.journal in a new temporary DIR. */
static int dry_run_journal(char *tmpdir, size_t tsize, char *jbuf, size_t jsize,
			   struct sh_error *err)
{
	snprintf(tmpdir, tsize, "%s/stackhop-dry-run.XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir))
		return sh_error_set(err, SH_EXIT_FAILURE, "cannot create a temporary directory: %s",
				    strerror(errno));
	snprintf(jbuf, jsize, "%s/dry-run.journal", tmpdir);
	return 0;
}

/* Remove what a dry run left: its journal, WAL, shared memory, model, directory. */
static void remove_dry_run(const char *tmpdir, const char *jbuf, const char *mpath)
{
	char p2[PATH_MAX + 8];

	unlink(jbuf);
	snprintf(p2, sizeof(p2), "%s-wal", jbuf);
	unlink(p2);
	snprintf(p2, sizeof(p2), "%s-shm", jbuf);
	unlink(p2);
	if (mpath)
		unlink(mpath);
	rmdir(tmpdir);
}

/* Refuse before anything is written when the transport cannot run plan. */
static int refuse_unrunnable(const struct plan *plan, const char *transport,
			     const char *set_path, const struct settings *st,
			     struct sh_error *err)
{
	if (streq(transport, "sim"))
		return 0;
	for (size_t i = 0; !set_path && i < plan->steps.n; i++)
		if (remote_step_process(&plan->steps.v[i]))
			return sh_error_set(err, SH_EXIT_INPUT,
					    "step '%s' (%s) acts on the cloud's clusters and needs a settings file (-s) with their endpoints and secrets",
					    plan->steps.v[i].id, plan->steps.v[i].kind->name);
	if (executor_precheck(plan, &remote_driver, NULL, err) < 0)
		return -1;
	return step_kinds_runtime_check(plan, runtime_for(st->runtime), st, err);
}

/*
 * A new run journal at jpath for plan, open and locked in *ret (with the
 * sim transport, its model first, in *ret_mpath): the absolute paths of
 * its inputs recorded, so that resume can build the plan again.
 */
static int new_journal(const struct plan *plan, const struct upgrade_opts *o,
		       const char *catalog, const char *jpath, struct journal **ret,
		       char **ret_mpath, struct sh_error *err)
{
	char *a_inv = abs_path(o->inv_path), *a_set = abs_path(o->set_path);
	char *a_cat = abs_path(catalog);
	struct journal_meta meta = {
		.from = plan->from->name, .to = plan->to->name, .inventory = a_inv,
		.settings = a_set, .catalog = a_cat, .transport = o->transport,
	};
	int r = -1;

	if (access(jpath, F_OK) == 0) {
		sh_error_set(err, SH_EXIT_INPUT,
			     "journal '%s' already exists: continue it with 'stackhop resume --journal %s', or choose another path",
			     jpath, jpath);
		goto out;
	}
	/* The simulated cloud first: a journal never exists without it. */
	if (streq(o->transport, "sim")) {
		*ret_mpath = sim_path(jpath);
		if (sim_create(*ret_mpath, plan, err) < 0)
			goto out;
	}
	if (journal_create(jpath, plan, &meta, err) < 0 || journal_open(jpath, ret, err) < 0)
		goto out;
	r = 0;
out:
	free(a_inv);
	free(a_set);
	free(a_cat);
	return r;
}

int cmd_upgrade(int argc, char **argv)
{
	struct upgrade_opts o = { .transport = "ssh", .ro = { .forks = 10, .timeout = 3600 } };
	struct sh_error err = { 0 };
	struct inventory *inv = NULL;
	struct catalog *cat = NULL;
	struct settings *st = NULL;
	struct plan *plan = NULL;
	struct journal *j = NULL;
	char jbuf[PATH_MAX], tmpdir[PATH_MAX - 64];
	char *mpath = NULL;
	const char *jpath;
	bool made_tmp = false;
	int r;

	if ((r = parse_upgrade(argc, argv, &o)) >= 0)
		return r;
	jpath = o.jpath;
	if (catalog_load(catalog_dir(o.cat_opt), &cat, &err) < 0 ||
	    inventory_load(o.inv_path, &inv, &err) < 0 ||
	    settings_load_or_defaults(o.set_path, &st, &err) < 0)
		goto fail;
	use_transport(inv, o.transport);
	if (plan_build(inv, cat, st, o.from, o.to, false, &plan, &err) < 0)
		goto fail;
	if (o.dry) {
		if (plan_print_text(plan, stdout) < 0 ||
		    dry_run_journal(tmpdir, sizeof(tmpdir), jbuf, sizeof(jbuf), &err) < 0)
			goto fail;
		made_tmp = true;
		jpath = jbuf;
		o.transport = "sim";
		printf("\ndry run: the plan against the simulated cloud\n");
	} else if (!jpath) {
		char name[128];

		snprintf(name, sizeof(name), "%s-%s", plan->from->name, plan->to->name);
		if (state_file_name(jbuf, sizeof(jbuf), name, "journal", &err) < 0)
			goto fail;
		jpath = jbuf;
	}
	if (refuse_unrunnable(plan, o.transport, o.set_path, st, &err) < 0 ||
	    !confirm(plan, o.transport, o.ro.yes, &err) ||
	    new_journal(plan, &o, cat->dir, jpath, &j, &mpath, &err) < 0)
		goto fail;
	r = run_journal(j, jpath, plan, st, o.transport, &o.ro, false);
	j = NULL;
	goto out;
fail:
	r = report_error(&err);
out:
	if (made_tmp)
		remove_dry_run(tmpdir, jbuf, mpath);
	journal_close(j);
	free(mpath);
	plan_free(plan);
	settings_free(st);
	inventory_free(inv);
	catalog_free(cat);
	return r;
}

/* ---- resume ---------------------------------------------------------------- */

int cmd_resume(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "journal", required_argument, NULL, 'j' },
		{ "forks", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ "yes", no_argument, NULL, 'y' },
		{ "sim-unit-ms", required_argument, NULL, 'u' },
		{ "no-probe", no_argument, NULL, 'P' },
		{ "format", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *jpath = NULL;
	struct run_opts ro = { .forks = 10, .timeout = 3600 };
	struct sh_error err = { 0 };
	struct journal *j = NULL;
	struct journal_view v = { 0 };
	struct inventory *inv = NULL;
	struct catalog *cat = NULL;
	struct settings *st = NULL;
	struct plan *plan = NULL;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': jpath = optarg; break;
		case 'h': fputs(resume_usage, stdout); return 0;
		default:
			if ((r = parse_run_opt(c, "resume", &ro)) != 0)
				return r;
		}
	}
	if (optind < argc)
		return usage_error("resume", "unexpected argument '%s'", argv[optind]);
	if (!jpath)
		return usage_error("resume", "missing --journal PATH");

	/* Read it under the run lock, so no live run changes it meanwhile. */
	if (journal_open(jpath, &j, &err) < 0 || journal_read(j, &v, &err) < 0)
		goto fail;
	if (!v.transport || !*v.transport) {
		sh_error_set(&err, SH_EXIT_INPUT,
			     "journal '%s' holds a saved plan, not a run: start it with 'stackhop upgrade'",
			     jpath);
		goto fail;
	}
	if (streq(v.run_state, "done")) {
		printf("the run of %s is done: %zu steps, nothing to resume\n", jpath, v.nsteps);
		r = 0;
		goto out;
	}
	if (catalog_load(v.catalog, &cat, &err) < 0 ||
	    inventory_load(v.inventory, &inv, &err) < 0 ||
	    settings_load_or_defaults(v.settings && *v.settings ? v.settings : NULL, &st, &err) < 0)
		goto fail;
	use_transport(inv, v.transport);
	if (plan_build(inv, cat, st, v.from, v.to, false, &plan, &err) < 0)
		goto fail;
	/* The plan must be the journal's, step for step. */
	if (plan->steps.n != v.nsteps) {
		sh_error_set(&err, SH_EXIT_INPUT,
			     "the plan built again from the journal's inventory, settings and catalog has %zu steps, the journal %zu: they changed since the run began",
			     plan->steps.n, v.nsteps);
		goto fail;
	}
	for (size_t i = 0; i < v.nsteps; i++) {
		char *spec = plan_step_json_text(plan, &plan->steps.v[i]);
		bool same = v.steps[i].spec && streq(spec, v.steps[i].spec);

		free(spec);
		if (!same) {
			sh_error_set(&err, SH_EXIT_INPUT,
				     "step %zu ('%s') of the journal differs from the plan built again from its inventory, settings and catalog: they changed since the run began",
				     i + 1, v.steps[i].id);
			goto fail;
		}
	}
	if (!confirm(plan, v.transport, ro.yes, &err))
		goto fail;
	if (!ro.json)
		printf("resuming %s: %s -> %s, transport %s\n", jpath, v.from, v.to, v.transport);
	r = run_journal(j, jpath, plan, st, v.transport, &ro, true);
	j = NULL;
	goto out;
fail:
	r = report_error(&err);
out:
	journal_view_release(&v);
	journal_close(j);
	plan_free(plan);
	settings_free(st);
	inventory_free(inv);
	catalog_free(cat);
	return r;
}
