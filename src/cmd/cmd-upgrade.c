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
#include "run-command.h"
#include "secrets.h"
#include "settings.h"
#include "upgradecheck.h"

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
	"      --to RELEASE      release to reach\n"
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

/* ---- progress ------------------------------------------------------------- */

struct progress {
	const struct plan *p;
	const struct redactor *red;
	bool tty, sim, json;
	int lines;		/* of the live block drawn last */
	double t0, last_draw;
};

static void print_tail(const struct progress *pg, const char *out)
{
	char *text;

	if (!out || !*out)
		return;
	text = redact(pg->red, out, strlen(out));
	fprintf(stdout, "%s%s", text, text[strlen(text) - 1] == '\n' ? "" : "\n");
	free(text);
}

static void erase_block(struct progress *pg)
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
	erase_block(pg);
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

/* Print one JSON object on a line (consumes o). */
static void json_line(json_t *o)
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
	json_line(o);
}

static void on_event(void *ctx, const struct exec_event *ev, const struct exec_running *run,
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
			erase_block(pg);
		} else if (ev->type == EVENT_STEP_DONE && has_result(s)) {
			erase_block(pg);
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
	printf("This changes the cloud: %zu hosts, %s -> %s, %zu hops, %zu steps, transport %s.\n"
	       "Type 'yes' to go on: ", p->inv->hosts.n, p->from->name, p->to->name,
	       p->hops.n, p->steps.n, transport);
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
		json_line(e);
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

/*
 * Run the plan of journal j (open and locked, at path) with transport;
 * closes j.  Returns the exit status; prints errors.
 */
static int run_journal(struct journal *j, const char *path, const struct plan *p,
		       const struct settings *st, const char *transport,
		       const struct run_opts *ro, bool quiet_start)
{
	struct sh_error err = { 0 };
	struct secrets *secrets = NULL;
	struct sim *model = NULL;
	struct sim_driver sd = { 0 };
	struct remote_driver rd = { 0 };
	struct ssh_options so = { 0 };
	struct exec_report rep = { 0 };
	struct progress pg = { .p = p, .t0 = monotonic_now() };
	struct exec_options eo = { .forks = (int)ro->forks, .timeout_s = (int)ro->timeout,
				   .backoff_s = 1.0 };
	struct exec_observer obs = { on_event, &pg };
	const struct exec_driver *d;
	void *dctx;
	char cdir[64], *mpath = NULL, state_dir[PATH_MAX + 8];
	struct child_process prober = CHILD_PROCESS_INIT;
	int r;

	/* The simulation runs nothing that could print or need a secret. */
	if (st->secrets && !streq(transport, "sim") &&
	    secrets_load(st->secrets, &secrets, &err) < 0)
		goto fail;
	pg.red = secrets ? &secrets->redactor : NULL;
	pg.json = ro->json;
	pg.tty = !pg.json && isatty(STDOUT_FILENO);
	journal_set_redactor(j, pg.red);
	if (streq(transport, "sim")) {
		mpath = sim_path(path);
		if (sim_open(mpath, p, &model, &err) < 0)
			goto fail;
		sd = (struct sim_driver){ p, model, (double)ro->sim_unit_ms / 1000.0 };
		d = &sim_driver;
		dctx = &sd;
		eo.backoff_s = sd.unit_s;
		pg.sim = true;
		if (!pg.json)
			printf("SIMULATION: transport sim runs the plan against a model of the cloud in %s;\n"
			       "nothing real is changed.\n", mpath);
	} else {
		if (ssh_options_init(st, &so, cdir, sizeof(cdir), &err) < 0)
			goto fail;
		/* Backups and RabbitMQ definitions of the run: PATH.files/. */
		snprintf(state_dir, sizeof(state_dir), "%s.files", path);
		rd = (struct remote_driver){ p, &so, (int)ro->timeout, secrets, st->path,
					     p->inv->path, state_dir, NULL, 0, NULL, false };
		if (st->runtime == RUNTIME_PROCESS) {
			rd.process_control = st->process_control;
			rd.nprocess_control = st->nprocess_control;
		}
		rd.docker = st->runtime == RUNTIME_DOCKER;
		d = &remote_driver;
		dctx = &rd;
	}
	if (pg.json) {
		json_t *o = json_object();

		json_object_set_new(o, "event", json_string("run"));
		json_object_set_new(o, "journal", json_string(path));
		json_object_set_new(o, "transport", json_string(transport));
		json_object_set_new(o, "simulation", json_boolean(pg.sim));
		if (mpath)
			json_object_set_new(o, "model", json_string(mpath));
		json_object_set_new(o, "from", json_string(p->from->name));
		json_object_set_new(o, "to", json_string(p->to->name));
		json_object_set_new(o, "steps", json_integer((json_int_t)p->steps.n));
		json_line(o);
	} else if (!quiet_start) {
		printf("journal: %s\n", path);
	}
	fflush(stdout);
	if (!pg.sim && !ro->no_probe && st->path)
		start_prober(st->path, path, &prober);
	r = executor_run(p, j, d, dctx, &eo, &obs, &rep, &err);
	erase_block(&pg);
	if (prober.pid > 0) {
		stop_prober(&prober);
		print_outages(j, pg.json);
	}
	if (pg.json) {
		json_t *o = json_object();

		json_object_set_new(o, "event", json_string("end"));
		json_object_set_new(o, "result", json_string(r < 0 ? "stopped" : r ? "failed" : "done"));
		json_object_set_new(o, "done", json_integer((json_int_t)rep.done));
		json_object_set_new(o, "total", json_integer((json_int_t)rep.total));
		json_object_set_new(o, "elapsed", json_real(monotonic_now() - pg.t0));
		json_object_set_new(o, "simulation", json_boolean(pg.sim));
		if (r > 0) {
			json_object_set_new(o, "failed_step", json_string(p->steps.v[rep.failed_step].id));
			json_object_set_new(o, "node", rep.failed_target ?
					    json_string(rep.failed_target->name) : json_null());
			json_object_set_new(o, "exit_status", json_integer(rep.exit_status));
		}
		if (r < 0)
			json_object_set_new(o, "error", json_string(err.msg));
		json_line(o);
	}
	if (r < 0)
		goto fail;
	if (r > 0) {
		const struct plan_step *s = &p->steps.v[rep.failed_step];

		fprintf(stderr, "error: %sstep '%s' failed on %s (exit status %d)\n",
			pg.sim ? "[sim] " : "", s->id,
			rep.failed_target ? rep.failed_target->name : "the cluster", rep.exit_status);
		if (rep.output) {
			char *t = redact(pg.red, rep.output, strlen(rep.output));

			fprintf(stderr, "%s%s", t, t[0] && t[strlen(t) - 1] == '\n' ? "" : "\n");
			free(t);
		}
		fprintf(stderr, "%zu of %zu steps done; after fixing the cause: stackhop resume --journal %s\n",
			rep.done, rep.total, path);
		r = SH_EXIT_FAILURE;
		goto out;
	}
	if (!pg.json)
		printf("%s%zu of %zu steps done in %.1f s: %s -> %s complete%s\n", pg.sim ? "[sim] " : "",
		       rep.done, rep.total, monotonic_now() - pg.t0, p->from->name, p->to->name,
		       pg.sim ? " (simulation: nothing real was changed)" : "");
	r = 0;
	goto out;
fail:
	erase_block(&pg);
	r = report_error(&err);
	fprintf(stderr, "the journal keeps every state recorded so far: stackhop resume --journal %s\n",
		path);
out:
	if (getenv("STACKHOP_CRASH_AT"))
		fprintf(stderr, "crash points: %lu\n", fault_points());
	exec_report_release(&rep);
	sim_free(model);
	journal_close(j);
	secrets_free(secrets);
	free(mpath);
	free(rd.archived);
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

int cmd_upgrade(int argc, char **argv)
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
	const char *inv_path = NULL, *set_path = NULL, *from = NULL, *to = NULL;
	const char *transport = "ssh", *jpath = NULL, *cat_opt = NULL;
	struct run_opts ro = { .forks = 10, .timeout = 3600 };
	struct sh_error err = { 0 };
	struct inventory *inv = NULL;
	struct catalog *cat = NULL;
	struct settings *st = NULL;
	struct plan *plan = NULL;
	struct journal *j = NULL;
	char jbuf[PATH_MAX], tmpdir[PATH_MAX - 64];
	char *a_inv = NULL, *a_set = NULL, *a_cat = NULL, *mpath = NULL;
	bool dry = false, made_tmp = false;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+i:s:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': inv_path = optarg; break;
		case 's': set_path = optarg; break;
		case 'F': from = optarg; break;
		case 'T': to = optarg; break;
		case 'x': transport = optarg; break;
		case 'j': jpath = optarg; break;
		case 'n': dry = true; break;
		case 'c': cat_opt = optarg; break;
		case 'h': fputs(upgrade_usage, stdout); return 0;
		default:
			if ((r = parse_run_opt(c, "upgrade", &ro)) != 0)
				return r;
		}
	}
	if (optind < argc)
		return usage_error("upgrade", "unexpected argument '%s'", argv[optind]);
	if (!inv_path)
		return usage_error("upgrade", "missing -i INVENTORY");
	if (!from || !to)
		return usage_error("upgrade", "missing --%s RELEASE", from ? "to" : "from");
	if (!streq(transport, "ssh") && !streq(transport, "local") && !streq(transport, "sim"))
		return usage_error("upgrade", "unknown transport '%s' (expected ssh, local or sim)",
				   transport);
	if (dry && jpath)
		return usage_error("upgrade", "--dry-run uses a temporary journal: drop --journal");
	if (dry && ro.json)
		return usage_error("upgrade", "--dry-run prints the plan as text: drop --format json");

	if (catalog_load(catalog_dir(cat_opt), &cat, &err) < 0 ||
	    inventory_load(inv_path, &inv, &err) < 0 ||
	    settings_load_or_defaults(set_path, &st, &err) < 0)
		goto fail;
	use_transport(inv, transport);
	if (plan_build(inv, cat, st, from, to, false, &plan, &err) < 0)
		goto fail;
	if (dry) {
		if (plan_print_text(plan, stdout) < 0)
			goto fail;
		snprintf(tmpdir, sizeof(tmpdir), "%s/stackhop-dry-run.XXXXXX",
			 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(tmpdir)) {
			sh_error_set(&err, SH_EXIT_FAILURE, "cannot create a temporary directory: %s",
				     strerror(errno));
			goto fail;
		}
		made_tmp = true;
		snprintf(jbuf, sizeof(jbuf), "%s/dry-run.journal", tmpdir);
		jpath = jbuf;
		transport = "sim";
		printf("\ndry run: the plan against the simulated cloud\n");
	} else if (!jpath) {
		char name[128];

		snprintf(name, sizeof(name), "%s-%s", plan->from->name, plan->to->name);
		if (state_file_name(jbuf, sizeof(jbuf), name, "journal", &err) < 0)
			goto fail;
		jpath = jbuf;
	}
	/* Refuse before anything is written when the transport cannot do it. */
	for (size_t i = 0; !streq(transport, "sim") && !set_path && i < plan->steps.n; i++)
		if (remote_step_process(&plan->steps.v[i])) {
			sh_error_set(&err, SH_EXIT_INPUT,
				     "step '%s' (%s) acts on the cloud's clusters and needs a settings file (-s) with their endpoints and secrets",
				     plan->steps.v[i].id, plan->steps.v[i].kind->name);
			goto fail;
		}
	if (!streq(transport, "sim") && executor_precheck(plan, &remote_driver, NULL, &err) < 0)
		goto fail;
	if (!confirm(plan, transport, ro.yes, &err))
		goto fail;

	a_inv = abs_path(inv_path);
	a_set = abs_path(set_path);
	a_cat = abs_path(cat->dir);
	{
		struct journal_meta meta = {
			.from = plan->from->name, .to = plan->to->name, .inventory = a_inv,
			.settings = a_set, .catalog = a_cat, .transport = transport,
		};

		if (access(jpath, F_OK) == 0) {
			sh_error_set(&err, SH_EXIT_INPUT,
				     "journal '%s' already exists: continue it with 'stackhop resume --journal %s', or choose another path",
				     jpath, jpath);
			goto fail;
		}
		/* The simulated cloud first: a journal never exists without it. */
		if (streq(transport, "sim")) {
			mpath = sim_path(jpath);
			if (sim_create(mpath, plan, &err) < 0)
				goto fail;
		}
		if (journal_create(jpath, plan, &meta, &err) < 0 ||
		    journal_open(jpath, &j, &err) < 0)
			goto fail;
	}
	r = run_journal(j, jpath, plan, st, transport, &ro, false);
	j = NULL;
	goto out;
fail:
	r = report_error(&err);
out:
	if (made_tmp) {
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
	journal_close(j);
	free(mpath);
	free(a_inv);
	free(a_set);
	free(a_cat);
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
