/* cmd-status.c - stackhop status: where a run stands, from its journal. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <time.h>

#include "cmd.h"
#include "journal.h"

static const char status_usage[] =
	"usage: stackhop status --journal PATH [--format text|json]\n"
	"\n"
	"Show where an upgrade run stands: its journey, the run's state, how many\n"
	"steps are planned, running, done, failed or skipped per hop, and each\n"
	"running or failed step with its attempts, exit status and output tail.\n"
	"Reads the journal without locking it, so it works during a live run.\n"
	"\n"
	"  -j, --journal PATH  the run journal\n"
	"      --format FMT    text (default) or json (every step)\n"
	"  -h, --help          show this help\n";

static void print_time(double t)
{
	char buf[64];
	time_t s = (time_t)t;
	struct tm tm;

	if (t <= 0) {
		fputs("-", stdout);
		return;
	}
	gmtime_r(&s, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fputs(buf, stdout);
}

static int print_json(const struct journal_view *v, const struct journal_outage *out,
		      size_t nout, struct journal *j)
{
	json_t *o = json_object(), *steps = json_array(), *outages = json_array();

	json_object_set_new(o, "from", json_string(v->from));
	json_object_set_new(o, "to", json_string(v->to));
	json_object_set_new(o, "state", json_string(v->run_state));
	json_object_set_new(o, "transport", json_string(v->transport ? v->transport : ""));
	json_object_set_new(o, "simulation", json_boolean(v->transport && streq(v->transport, "sim")));
	for (size_t i = 0; i < v->nsteps; i++) {
		const struct journal_step *s = &v->steps[i];
		json_t *js = json_object(), *after = json_array();

		json_object_set_new(js, "id", json_string(s->id));
		json_object_set_new(js, "kind", json_string(s->kind));
		json_object_set_new(js, "phase", json_string(s->phase));
		json_object_set_new(js, "hop", json_integer(s->hop));
		json_object_set_new(js, "state", json_string(step_state_name(s->state)));
		json_object_set_new(js, "attempts", json_integer(s->attempts));
		json_object_set_new(js, "targets", json_loads(s->targets_json, 0, NULL));
		for (size_t a = 0; a < s->nafter; a++)
			json_array_append_new(after, json_string(v->steps[s->after[a]].id));
		json_object_set_new(js, "after", after);
		json_object_set_new(js, "exit_status",
				    s->exit_status < 0 ? json_null() : json_integer(s->exit_status));
		json_object_set_new(js, "started", s->started > 0 ? json_real(s->started) : json_null());
		json_object_set_new(js, "ended", s->ended > 0 ? json_real(s->ended) : json_null());
		if (s->tail && *s->tail)
			json_object_set_new(js, "tail", json_string(s->tail));
		json_array_append_new(steps, js);
	}
	json_object_set_new(o, "steps", steps);
	for (size_t i = 0; i < nout; i++)
		json_array_append_new(outages, json_pack("{s:s, s:s, s:f, s:f, s:f, s:b, s:s}",
			"target", out[i].target, "plane", out[i].plane, "start", out[i].start,
			"end", out[i].end, "duration", out[i].end - out[i].start,
			"open", out[i].open, "error", out[i].error));
	json_object_set_new(o, "outages", outages);
	json_object_set_new(o, "probe_targets", probe_targets_json(j));
	json_dumpf(o, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(o);
	return 0;
}

static void print_outages(const struct journal_outage *out, size_t nout)
{
	double total = 0;

	for (size_t i = 0; i < nout; i++)
		total += out[i].end - out[i].start;
	if (!nout)
		return;
	printf("outages: %zu, %.3f s in all (from the prober)\n", nout, total);
	for (size_t i = 0; i < nout; i++) {
		printf("  %s %s from ", out[i].plane, out[i].target);
		print_time(out[i].start);
		printf(" for %.3f s%s: %s\n", out[i].end - out[i].start,
		       out[i].open ? " (still down when the prober stopped)" : "", out[i].error);
	}
}

static void print_text(const struct journal_view *v)
{
	size_t total[5] = { 0 };
	long hops = 0;

	for (size_t i = 0; i < v->nsteps; i++) {
		total[v->steps[i].state]++;
		if (v->steps[i].hop + 1 > hops)
			hops = v->steps[i].hop + 1;
	}
	if (streq(v->from, v->to))
		printf("journey: minor update of %s, run %s\n", v->to, v->run_state);
	else
		printf("journey: %s -> %s, run %s\n", v->from, v->to, v->run_state);
	if (v->transport && streq(v->transport, "sim"))
		printf("transport: sim (a simulation: nothing real was changed)\n");
	else if (v->transport && *v->transport)
		printf("transport: %s\n", v->transport);
	printf("steps: %zu: %zu done, %zu running, %zu failed, %zu skipped, %zu planned\n",
	       v->nsteps, total[STEP_DONE], total[STEP_RUNNING], total[STEP_FAILED],
	       total[STEP_SKIPPED], total[STEP_PLANNED]);
	for (long h = 0; h < hops; h++) {
		size_t n = 0, done = 0;
		const char *first = NULL;

		for (size_t i = 0; i < v->nsteps; i++)
			if (v->steps[i].hop == h) {
				n++;
				done += v->steps[i].state == STEP_DONE ||
					v->steps[i].state == STEP_SKIPPED;
				if (!first)
					first = v->steps[i].id;
			}
		printf("  hop %ld (%.*s): %zu/%zu steps done\n", h + 1,
		       first && strchr(first, '/') ? (int)(strchr(first, '/') - first) : 0,
		       first ? first : "", done, n);
	}
	for (size_t i = 0; i < v->nsteps; i++) {
		const struct journal_step *s = &v->steps[i];

		if (s->state != STEP_RUNNING && s->state != STEP_FAILED)
			continue;
		printf("%s %s on %s, attempt %d, started ", step_state_name(s->state), s->id,
		       s->targets_json, s->attempts);
		print_time(s->started);
		if (s->state == STEP_FAILED)
			printf(", exit status %d", s->exit_status);
		putchar('\n');
		if (s->tail && *s->tail)
			printf("  output tail:\n%s\n", s->tail);
	}
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "journal", required_argument, NULL, 'j' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *path = NULL, *format = "text";
	struct sh_error err = { 0 };
	struct journal_view v = { 0 };
	struct journal *j = NULL;
	struct journal_outage *out = NULL;
	size_t nout = 0;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+j:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': path = optarg; break;
		case 'f': format = optarg; break;
		case 'h': fputs(status_usage, stdout); return 0;
		default: return usage_error("status", "bad option");
		}
	}
	if (optind < argc)
		return usage_error("status", "unexpected argument '%s'", argv[optind]);
	if (!path)
		return usage_error("status", "missing --journal PATH");
	if (!streq(format, "text") && !streq(format, "json"))
		return usage_error("status", "unknown format '%s' (expected text or json)", format);
	if (journal_open_readonly(path, &j, &err) < 0 || journal_read(j, &v, &err) < 0 ||
	    journal_read_outages(j, &out, &nout, &err) < 0) {
		journal_view_release(&v);
		journal_close(j);
		return report_error(&err);
	}
	if (streq(format, "json")) {
		print_json(&v, out, nout, j);
	} else {
		print_text(&v);
		print_outages(out, nout);
		probe_targets_print(j);
	}
	journal_outages_free(out, nout);
	journal_view_release(&v);
	journal_close(j);
	r = ferror(stdout) ? SH_EXIT_FAILURE : 0;
	return r;
}
