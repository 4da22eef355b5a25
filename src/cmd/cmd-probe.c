/*
 * cmd-probe.c - stackhop probe: measure downtime while something else
 * (an upgrade, a procedure, an operator) changes the cloud.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cmd.h"
#include "fileio.h"
#include "journal.h"
#include "prober.h"
#include "secrets.h"
#include "settings.h"

static const char probe_usage[] =
	"usage: stackhop probe [-s SETTINGS] [--target SPEC]... [--data-target SPEC]...\n"
	"                      [--targets FILE] [--interval MS] [--timeout MS] [--duration S]\n"
	"                      [--journal PATH | --out FILE] [--format text|json] [--quiet]\n"
	"\n"
	"Sample control-plane and data-plane targets every MS milliseconds in one\n"
	"non-blocking loop, until S seconds pass or SIGINT/SIGTERM, and record\n"
	"every outage window (target, start, end, first error).  From the settings:\n"
	"SQL SELECT 1 through endpoints.database (user endpoints.database_user,\n"
	"password database_password from the secrets file), HTTP GET of\n"
	"endpoints.keystone, a TCP connect to each endpoints.rabbitmq, and the\n"
	"data-plane targets of probe.targets.  SPEC is sql:HOST:PORT, tcp:HOST:PORT,\n"
	"icmp:HOST or an http(s):// URL.\n"
	"\n"
	"  -s, --settings FILE     targets, interval and credentials\n"
	"      --target SPEC       another control-plane target\n"
	"      --data-target SPEC  another data-plane target\n"
	"      --targets FILE      more targets, one SPEC per line ('data SPEC' for the data plane)\n"
	"      --interval MS       sampling interval (default: settings, else 100)\n"
	"      --timeout MS        a sample slower than this fails (default 1000)\n"
	"      --duration S        stop after S seconds (default: until a signal)\n"
	"      --journal PATH      write outages into this run journal\n"
	"      --out FILE          write outages and the summary to FILE (JSON, atomically;\n"
	"                          default " STATE_DIR "/probe-STAMP.json without --journal)\n"
	"      --format text|json  the summary on stdout (default text)\n"
	"      --quiet             no outage lines while running\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit status: 0 when every sample succeeded, 1 when any failed, 2 bad input.\n";

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct probe_run {
	struct prober *p;
	struct journal *journal;
	const char *out;
	json_t *outages;
	bool quiet, json;
	double started;
	long interval_ms;
	struct sh_error err;
	bool failed;
};

static void fmt_time(double t, char *buf, size_t size)
{
	time_t s = (time_t)t;
	struct tm tm;

	localtime_r(&s, &tm);
	snprintf(buf, size, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)((t - (double)s) * 1000));
}

static json_t *summary_json(struct probe_run *r, double ended)
{
	json_t *targets = json_array();

	for (size_t i = 0; i < prober_count(r->p); i++) {
		const struct probe_stats *s = prober_stats(r->p, i);

		json_array_append_new(targets, json_pack("{s:s, s:s, s:I, s:I, s:I, s:f, s:f}",
			"target", prober_name(r->p, i), "plane", prober_plane(r->p, i),
			"samples", (json_int_t)s->samples, "failures", (json_int_t)s->failures,
			"outages", (json_int_t)s->outages, "longest", s->longest,
			"downtime", s->downtime));
	}
	return json_pack("{s:f, s:f, s:I, s:o, s:O}", "started", r->started, "ended", ended,
			 "late_ticks", (json_int_t)prober_late_ticks(r->p), "targets", targets,
			 "outages", r->outages);
}

static void save_out(struct probe_run *r, double ended)
{
	json_t *doc;
	char *text;

	if (!r->out || r->failed)
		return;
	doc = summary_json(r, ended);
	text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	if (write_file_atomic(r->out, text, strlen(text), 0600, &r->err) < 0)
		r->failed = true;
	free(text);
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_outage(void *ctx, const char *target, const char *plane,
		      const struct probe_outage *o)
{
	struct probe_run *r = ctx;
	char a[16], b[16];

	json_array_append_new(r->outages, json_pack("{s:s, s:s, s:f, s:f, s:f, s:b, s:s}",
		"target", target, "plane", plane, "start", o->start, "end", o->end,
		"duration", o->end - o->start, "open", o->open, "error", o->error));
	if (r->journal && !r->failed) {
		struct journal_outage jo = { target, plane, o->start, o->end, o->open, o->error };

		if (journal_add_outage(r->journal, &jo, &r->err) < 0)
			r->failed = true;
	}
	save_out(r, o->end);
	if (!r->quiet) {
		fmt_time(o->start, a, sizeof(a));
		fmt_time(o->end, b, sizeof(b));
		fprintf(r->json ? stderr : stdout, "outage: %s from %s to %s%s (%.3f s): %s\n",
			target, a, b, o->open ? " (still down at the end)" : "",
			o->end - o->start, o->error);
		fflush(r->json ? stderr : stdout);
	}
}

static int add_targets_file(struct prober *p, const char *path, struct sh_error *err)
{
	char *buf, *line, *next;
	size_t len;
	int lineno = 0, r = 0;

	if (read_file_limited(path, 64 << 20, &buf, &len, err) < 0)
		return -1;
	for (line = buf; line && *line; line = next) {
		const char *plane = "control";

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		if (str_has_prefix(line, "data ")) {
			plane = "data";
			line += 5;
		}
		if (prober_add(p, line, plane, err) < 0) {
			sh_error_prefix(err, "%s:%d", path, lineno);
			r = -1;
			break;
		}
	}
	free(buf);
	return r;
}

static void print_summary(struct probe_run *r, double ended)
{
	printf("probe: %zu target%s every %ld ms for %.1f s\n", prober_count(r->p),
	       prober_count(r->p) == 1 ? "" : "s", r->interval_ms, ended - r->started);
	printf("%-40s %-7s %8s %7s %7s %9s %10s\n", "TARGET", "PLANE", "SAMPLES", "FAILED",
	       "OUTAGES", "LONGEST_S", "DOWNTIME_S");
	for (size_t i = 0; i < prober_count(r->p); i++) {
		const struct probe_stats *s = prober_stats(r->p, i);

		printf("%-40s %-7s %8ld %7ld %7ld %9.3f %10.3f\n", prober_name(r->p, i),
		       prober_plane(r->p, i), s->samples, s->failures, s->outages, s->longest,
		       s->downtime);
	}
	if (prober_late_ticks(r->p))
		printf("warning: %ld ticks started late (the prober could not keep up)\n",
		       prober_late_ticks(r->p));
}

/* What the command line asks for, but the outputs (in struct probe_run). */
struct probe_opts {
	const char *set_path, *journal_path, *format;
	VEC(const char *) control, data, files;
	long interval, timeout, duration;
};

/*
 * Read the options into o and r.  Returns -1 to go on, else the exit
 * status (after --help, or a usage error).
 */
static int probe_options(int argc, char **argv, struct probe_opts *o,
			 struct probe_run *r)
{
	static const struct option opts[] = {
		{ "settings", required_argument, NULL, 's' },
		{ "target", required_argument, NULL, 'T' },
		{ "data-target", required_argument, NULL, 'D' },
		{ "targets", required_argument, NULL, 'F' },
		{ "interval", required_argument, NULL, 'I' },
		{ "timeout", required_argument, NULL, 'W' },
		{ "duration", required_argument, NULL, 'd' },
		{ "journal", required_argument, NULL, 'j' },
		{ "out", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': o->set_path = optarg; break;
		case 'T': vec_push(o->control, optarg); break;
		case 'D': vec_push(o->data, optarg); break;
		case 'F': vec_push(o->files, optarg); break;
		case 'I':
			if (parse_long(optarg, 10, 60000, &o->interval) < 0)
				return usage_error("probe", "--interval must be milliseconds from 10 to 60000, not '%s'", optarg);
			break;
		case 'W':
			if (parse_long(optarg, 10, 60000, &o->timeout) < 0)
				return usage_error("probe", "--timeout must be milliseconds from 10 to 60000, not '%s'", optarg);
			break;
		case 'd':
			if (parse_long(optarg, 1, 7 * 86400, &o->duration) < 0)
				return usage_error("probe", "--duration must be seconds from 1 to 604800, not '%s'", optarg);
			break;
		case 'j': o->journal_path = optarg; break;
		case 'o': r->out = optarg; break;
		case 'f':
			if (!streq(optarg, "text") && !streq(optarg, "json"))
				return usage_error("probe", "--format must be text or json, not '%s'", optarg);
			o->format = optarg;
			break;
		case 'q': r->quiet = true; break;
		case 'h':
			fputs(probe_usage, stdout);
			return 0;
		default:
			return usage_error("probe", "bad option");
		}
	}
	if (optind < argc)
		return usage_error("probe", "unexpected argument '%s'", argv[optind]);
	if (o->journal_path && r->out)
		return usage_error("probe", "--journal and --out are exclusive");
	r->json = streq(o->format, "json");
	return -1;
}

/* The settings' targets: SQL, Keystone, RabbitMQ and probe.targets. */
static int add_settings_targets(struct probe_run *r, const struct settings *st)
{
	char spec[512];

	if (st->database) {
		snprintf(spec, sizeof(spec), "sql:%s", st->database);
		if (prober_add(r->p, spec, "control", &r->err) < 0)
			return -1;
	}
	if (st->keystone && prober_add(r->p, st->keystone, "control", &r->err) < 0)
		return -1;
	for (size_t i = 0; i < st->nrabbitmq; i++) {
		snprintf(spec, sizeof(spec), "tcp:%s", st->rabbitmq[i]);
		if (prober_add(r->p, spec, "control", &r->err) < 0)
			return -1;
	}
	for (size_t i = 0; i < st->nprobe_targets; i++)
		if (prober_add(r->p, st->probe_targets[i], "data", &r->err) < 0)
			return -1;
	return 0;
}

/* The command line's targets: --target, --data-target, --targets. */
static int add_option_targets(struct probe_run *r, const struct probe_opts *o)
{
	for (size_t i = 0; i < o->control.n; i++)
		if (prober_add(r->p, o->control.v[i], "control", &r->err) < 0)
			return -1;
	for (size_t i = 0; i < o->data.n; i++)
		if (prober_add(r->p, o->data.v[i], "data", &r->err) < 0)
			return -1;
	for (size_t i = 0; i < o->files.n; i++)
		if (add_targets_file(r->p, o->files.v[i], &r->err) < 0)
			return -1;
	return 0;
}

/* Where outages go: the journal, --out, or a new state file (outbuf). */
static int open_outputs(struct probe_run *r, const char *journal_path,
			struct secrets *secrets, char *outbuf, size_t size)
{
	if (journal_path) {
		if (journal_open_outages(journal_path, &r->journal, &r->err) < 0)
			return -1;
		if (secrets)
			journal_set_redactor(r->journal, &secrets->redactor);
	} else if (!r->out) {
		if (state_file_name(outbuf, size, "probe", "json", &r->err) < 0)
			return -1;
		r->out = outbuf;
	}
	return 0;
}

/* Each target's counts into the journal's probe targets. */
static int journal_targets(struct probe_run *r)
{
	size_t n = prober_count(r->p);
	struct journal_probe_target *t = xcalloc(n ? n : 1, sizeof(*t));
	int w;

	for (size_t i = 0; i < n; i++) {
		const struct probe_stats *s = prober_stats(r->p, i);

		t[i] = (struct journal_probe_target){ prober_name(r->p, i), prober_plane(r->p, i),
			s->samples, s->failures, s->outages, s->longest, s->downtime };
	}
	w = journal_add_probe_targets(r->journal, t, n, &r->err);
	free(t);
	return w;
}

int cmd_probe(int argc, char **argv)
{
	struct probe_opts o = { .format = "text" };
	struct settings *st = NULL;
	struct secrets *secrets = NULL;
	struct probe_run r = { 0 };
	struct prober_config cfg = { 0 };
	char outbuf[96];
	struct sigaction sa = { .sa_handler = on_signal };
	double ended;
	int rc;
	bool any_failed = false;

	if ((rc = probe_options(argc, argv, &o, &r)) >= 0)
		goto out;
	if (settings_load_or_defaults(o.set_path, &st, &r.err) < 0)
		goto fail;
	if (st->secrets && secrets_load(st->secrets, &secrets, &r.err) < 0)
		goto fail;
	cfg.interval_ms = o.interval ? o.interval : st->probe_interval_ms;
	cfg.timeout_ms = o.timeout ? o.timeout : st->probe_timeout_ms;
	cfg.sql_user = st->database_user;
	cfg.sql_password = secrets ? secrets_get(secrets, "database_password") : NULL;
	r.p = prober_new(&cfg);
	r.interval_ms = cfg.interval_ms;
	if ((o.set_path && add_settings_targets(&r, st) < 0) || add_option_targets(&r, &o) < 0)
		goto fail;
	if (!prober_count(r.p)) {
		rc = usage_error("probe", "no targets: give -s SETTINGS or --target");
		goto out;
	}
	if (open_outputs(&r, o.journal_path, secrets, outbuf, sizeof(outbuf)) < 0)
		goto fail;
	r.outages = json_array();
	r.started = wall_now();
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (prober_run(r.p, (double)o.duration, &stop_flag, on_outage, &r, &r.err) < 0)
		goto fail;
	ended = wall_now();
	save_out(&r, ended);
	if (r.failed || (r.journal && journal_targets(&r) < 0))
		goto fail;
	for (size_t i = 0; i < prober_count(r.p); i++)
		any_failed |= prober_stats(r.p, i)->failures > 0;
	if (r.json) {
		json_t *doc = summary_json(&r, ended);

		json_dumpf(doc, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(doc);
	} else {
		print_summary(&r, ended);
		if (r.out)
			printf("outages: %s\n", r.out);
	}
	rc = any_failed ? SH_EXIT_FAILURE : 0;
	goto out;
fail:
	rc = report_error(&r.err);
out:
	json_decref(r.outages);
	journal_close(r.journal);
	prober_free(r.p);
	vec_free(o.control);
	vec_free(o.data);
	vec_free(o.files);
	secrets_free(secrets);
	settings_free(st);
	return rc;
}
