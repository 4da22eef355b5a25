/* drivers.c - the sim and remote transports of the executor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers.h"

/* ---- sim ----------------------------------------------------------------- */

static int sim_begin(void *ctx, size_t step, const struct inv_host *t,
		     enum exec_phase ph, struct proc *proc, double *ret_delay,
		     struct sh_error *err)
{
	struct sim_driver *d = ctx;

	(void)t;
	(void)proc;
	(void)err;
	/* The effect lands at the end of the simulated work. */
	*ret_delay = ph == PHASE_APPLY ?
		d->unit_s * sim_weight(&d->plan->steps.v[step]) : 0;
	return 0;
}

static void sim_end(void *ctx, size_t step, const struct inv_host *t,
		    enum exec_phase ph, struct proc *proc, struct exec_result *res)
{
	struct sim_driver *d = ctx;
	struct sh_error err = { 0 };
	enum sim_check c;

	(void)proc;
	switch (ph) {
	case PHASE_CHECK:
		c = sim_check(d->model, step, t);
		res->outcome = c == SIM_DONE ? OUTCOME_OK :
			       c == SIM_NOT_DONE ? OUTCOME_NOT_DONE : OUTCOME_UNKNOWN;
		break;
	case PHASE_APPLY:
		if (sim_apply(d->model, step, t, &res->output, &err) == 0) {
			res->outcome = OUTCOME_OK;
			res->exit_status = 0;
		} else {
			res->outcome = OUTCOME_FAIL;
			res->exit_status = 1;
			res->output = xmalloc(strlen(err.msg) + 2);
			snprintf(res->output, strlen(err.msg) + 2, "%s\n", err.msg);
		}
		sh_error_clear(&err);
		break;
	case PHASE_VERIFY:
		res->outcome = sim_check(d->model, step, t) == SIM_NOT_DONE ?
			OUTCOME_FAIL : OUTCOME_OK;
		break;
	}
}

const struct exec_driver sim_driver = {
	.name = "sim", .simulated = true, .begin = sim_begin, .end = sim_end,
};

/* ---- remote -------------------------------------------------------------- */

/*
 * The values of the comma-separated secret names, one per line, into a
 * malloc'd buffer; NULL (and *ret_missing set) when one is absent.
 */
static char *secret_lines(const struct secrets *sec, const char *names, size_t *ret_len,
			  char *missing, size_t msize)
{
	char *buf = NULL, name[128];
	size_t len = 0;

	while (*names) {
		size_t n = strcspn(names, ",");
		const char *v;

		snprintf(name, sizeof(name), "%.*s", (int)n, names);
		names += n + (names[n] == ',');
		v = sec ? secrets_get(sec, name) : NULL;
		if (!v) {
			snprintf(missing, msize, "%s", name);
			if (buf)
				explicit_bzero(buf, len);
			free(buf);
			return NULL;
		}
		buf = xrealloc(buf, len + strlen(v) + 2);
		memcpy(buf + len, v, strlen(v));
		len += strlen(v);
		buf[len++] = '\n';
	}
	*ret_len = len;
	return buf ? buf : xstrdup("");
}

bool remote_step_process(const struct plan_step *s)
{
	/* A catalog command is a command, whatever its kind. */
	return !s->argc && s->kind->how == STEP_HOW_PROCESS;
}

/* "stackhop step KIND -s SETTINGS -i INVENTORY" onto a. */
static void step_command(const struct remote_driver *d, const char *kind, struct strv *a)
{
	const char *const head[] = { "/proc/self/exe", "step", kind, "-s", d->settings, "-i",
		d->inventory, NULL };

	strv_pushv(a, head);
}

/* "--node A,B,..." for every target of s. */
static void push_node_list(const struct plan_step *s, struct strv *a)
{
	size_t len = 1;
	char *list;

	for (size_t i = 0; i < s->ntargets; i++)
		len += strlen(s->targets[i]->name) + 1;
	list = xcalloc(len, 1);
	for (size_t i = 0; i < s->ntargets; i++)
		snprintf(list + strlen(list), len - strlen(list), "%s%s", i ? "," : "",
			 s->targets[i]->name);
	strv_push(a, "--node");
	strv_push(a, list);
	free(list);
}

void remote_step_argv(const struct remote_driver *d, const struct plan_step *s,
		      const struct inv_host *t, struct strv *a)
{
	unsigned needs = s->kind->needs;
	const char *version = plan_step_param(s, "version");

	step_command(d, s->kind->name, a);
	strv_push(a, "--state");
	strv_push(a, d->state_dir);
	strv_push(a, "--id");
	strv_push(a, s->id);
	if (needs & STEP_NEEDS_NODES) {
		/* One process for the batch: every target, comma-separated. */
		push_node_list(s, a);
	} else if (needs & STEP_NEEDS_NODE) {
		strv_push(a, "--node");
		strv_push(a, (t ? t : s->targets[0])->name);
	}
	if ((needs & STEP_NEEDS_COMPONENT) && (s->component || s->owner)) {
		strv_push(a, "--component");
		strv_push(a, s->component ? s->component : s->owner);
	}
	if (needs & STEP_NEEDS_PARAMS)
		for (size_t i = 0; i < s->nparams; i++)
			if (s->params[i].value && !streq(s->params[i].key, "object")) {
				strv_push(a, "--param");
				strv_pushf(a, "%s=%s", s->params[i].key, s->params[i].value);
			}
	if (needs & STEP_NEEDS_RELEASE) {
		strv_push(a, "--catalog");
		strv_push(a, d->plan->cat->dir);
		strv_push(a, "--release");
		strv_push(a, d->plan->hops.v[s->hop].to->name);
	}
	if (version) {
		strv_push(a, "--to");
		strv_push(a, version);
	}
}

/*
 * The container whose image and configuration a command of s's service
 * runs with on h (kolla's bootstrap containers: the service's own image):
 * the component of the first step of the service in s's hop that acts on
 * a container of h (placement's placement-api, nova's nova-conductor),
 * else on any node; else the service.  Its containers may all be gone
 * when the command runs (stopped and removed before a db sync), so the
 * component names the image, not a container found there.
 */
static const char *command_component(const struct plan *p, const struct plan_step *s,
				     const struct inv_host *h)
{
	const struct plan_hop *hop = &p->hops.v[s->hop];
	const char *any = NULL;

	for (size_t i = hop->first; i < hop->first + hop->count; i++) {
		const struct plan_step *c = &p->steps.v[i];

		if (!c->component || !c->owner || !streq(c->owner, s->owner))
			continue;
		if (!any)
			any = c->component;
		for (size_t t = 0; t < c->ntargets; t++)
			if (c->targets[t] == h)
				return c->component;
	}
	return any ? any : s->owner;
}

void remote_command_argv(const struct remote_driver *d, const struct plan_step *s,
			 const struct inv_host *h, struct strv *a)
{
	const char *version = plan_step_param(s, "version");

	if (d->docker && s->owner) {
		/* The process that runs it: the docker runtime's internal kind
		 * of the table (kinds.c), named here as the program to start,
		 * not to decide anything by. */
		step_command(d, "container-run", a);
		strv_push(a, "--node");
		strv_push(a, h->name);
		strv_push(a, "--component");
		strv_push(a, command_component(d->plan, s, h));
		if (version) {
			strv_push(a, "--to");
			strv_push(a, version);
		}
		strv_push(a, "--");
	} else if (d->process_control && s->owner) {
		for (size_t i = 0; i < d->nprocess_control; i++)
			strv_push(a, d->process_control[i]);
		strv_push(a, "exec");
		strv_push(a, s->owner);
		strv_push(a, h->name);
		if (version) {
			strv_push(a, "--version");
			strv_push(a, version);
		}
		strv_push(a, "--");
	}
	for (size_t i = 0; i < s->argc; i++)
		strv_push(a, s->argv[i]);
}

/* This machine, where "stackhop step" processes run. */
static const struct inv_host here = { .name = "localhost", .address = "localhost",
				      .connection = "local" };

static const char *remote_unsupported(void *ctx, const struct plan_step *s)
{
	struct remote_driver *d = ctx;
	const char *names = plan_step_param(s, "stdin_secrets");

	if (remote_step_process(s)) {
		if ((s->kind->needs & STEP_NEEDS_VERSION) && !plan_step_param(s, "version"))
			return "it installs a version, and the settings name none for its component (components: NAME: {version: …})";
		if (d && !d->settings)
			return "infrastructure steps need a settings file (-s)";
		return NULL;
	}
	if (!s->argc)
		return s->kind->how == STEP_HOW_NOT_YET ? s->kind->why :
			"a catalog command step without its command (argv)";
	if (d && d->docker && s->owner && !d->settings)
		return "the docker runtime runs a catalog command in a container of the service, which needs a settings file (-s)";
	if (d && d->docker && names && s->owner)
		return "it reads a secret on its standard input, which the docker runtime's one-off containers do not pass on";
	if (d && names) {
		char missing[128];
		size_t len;
		char *buf = secret_lines(d->secrets, names, &len, missing, sizeof(missing));

		if (!buf)
			return "it reads a secret on its standard input that the secrets file does not hold";
		explicit_bzero(buf, len);
		free(buf);
	}
	return NULL;
}

static int remote_begin(void *ctx, size_t step, const struct inv_host *t,
			enum exec_phase ph, struct proc *proc, double *ret_delay,
			struct sh_error *err)
{
	struct remote_driver *d = ctx;
	const struct plan_step *s = &d->plan->steps.v[step];

	const char *names = plan_step_param(s, "stdin_secrets");
	struct strv cmd = STRV_INIT;
	char *in = NULL, missing[128];
	size_t inlen = 0;
	int r;

	*ret_delay = 0;
	if (ph != PHASE_APPLY)
		return 0;	/* commands have no separate check or verify */
	if (remote_step_process(s)) {
		/* A process of this machine; it reaches the nodes itself. */
		struct strv argv = STRV_INIT;

		remote_step_argv(d, s, t, &argv);
		r = proc_start(d->ssh, &here, (const char *const *)argv.v, NULL, 0, d->timeout_s,
			       proc, err);
		strv_release(&argv);
		return r < 0 ? -1 : 1;
	}
	if (names && !(in = secret_lines(d->secrets, names, &inlen, missing, sizeof(missing))))
		return sh_error_set(err, SH_EXIT_INPUT, "the secrets file holds no '%s'", missing);
	remote_command_argv(d, s, t ? t : s->targets[0], &cmd);
	r = proc_start(d->ssh, d->docker && s->owner ? &here : t ? t : s->targets[0],
		       (const char *const *)cmd.v, in, inlen, d->timeout_s, proc, err);
	strv_release(&cmd);
	if (r < 0) {
		if (in)
			explicit_bzero(in, inlen);
		free(in);
		return -1;
	}
	return 1;
}

/* The catalog's params: {warning_exit: N} names status as a warning. */
static bool warning_exit(const struct plan_step *s, int status)
{
	const char *w = plan_step_param(s, "warning_exit");
	char want[16];

	if (!w || status <= 0)
		return false;
	snprintf(want, sizeof(want), "%d", status);
	return streq(w, want);
}

long remote_archived_rows(const char *output)
{
	bool table = false;
	long sum = 0;

	if (strstr(output, "Nothing was archived."))
		return 0;
	for (const char *l = output; *l;) {
		size_t len = strcspn(l, "\n");
		char line[512], name[256];
		long n;
		int used = 0;

		snprintf(line, sizeof(line), "%.*s", (int)len, l);
		l += len + (l[len] == '\n');
		if (str_has_prefix(line, "| Table ") && strstr(line, "| Number of Rows Archived"))
			table = true;
		else if (table && sscanf(line, "| %255s | %ld |%n", name, &n, &used) == 2 &&
			 used > 0 && n >= 0)
			sum += n;
	}
	return table ? sum : -1;
}

/*
 * Add what this run of an archive-deleted-rows step archived to its
 * total, and say both at the end of out (room for 64 bytes there).
 */
static void count_archived(struct remote_driver *d, size_t step, char *out, size_t size)
{
	long rows = remote_archived_rows(out);
	size_t len = strlen(out);

	if (rows < 0)
		return;
	if (!d->archived)
		d->archived = xcalloc(d->plan->steps.n, sizeof(*d->archived));
	d->archived[step] += rows;
	snprintf(out + len, size - len, "rows archived: %ld by this run, %ld in all\n", rows,
		 d->archived[step]);
}

/* A stream's text for the result.  A tail whose front was cut may begin
 * inside a secret, which the journal's redaction of whole secrets would
 * not see: it is redacted here, knowing where the cut is. */
static char *stream_text(const struct remote_driver *d, const struct outbuf *b)
{
	const char *text = b->data ? b->data : "";

	if (b->truncated && d->secrets)
		return redact_tail(&d->secrets->redactor, text, b->len);
	return xstrndup(text, b->len);
}

static void free_wiped(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}

/* What the exit status of a finished command or "stackhop step" means. */
static enum exec_outcome exit_outcome(const struct plan_step *s, int status)
{
	enum step_exit how = s->kind->exit;

	if (status == 0)
		return OUTCOME_OK;
	if (status == 1 && (how == STEP_EXIT_AGAIN || how == STEP_EXIT_ARCHIVE))
		return OUTCOME_AGAIN;	/* more to migrate or archive */
	if (status == 1 && how == STEP_EXIT_UPGRADECHECK)
		return OUTCOME_OK;	/* a warning */
	if (warning_exit(s, status))
		return OUTCOME_OK;	/* the catalog says it is a warning */
	return OUTCOME_FAIL;
}

static void remote_end(void *ctx, size_t step, const struct inv_host *t,
		       enum exec_phase ph, struct proc *proc, struct exec_result *res)
{
	struct remote_driver *d = ctx;
	const struct plan_step *s = &d->plan->steps.v[step];
	char *out, *errs;
	size_t n;

	(void)t;
	if (proc && proc->stdin_data) {
		/* The secrets buffer of remote_begin(). */
		explicit_bzero((char *)proc->stdin_data, proc->stdin_len);
		free((char *)proc->stdin_data);
		proc->stdin_data = NULL;
	}
	if (ph == PHASE_CHECK) {
		res->outcome = OUTCOME_UNKNOWN;	/* run the command again */
		return;
	}
	if (ph == PHASE_VERIFY) {
		res->outcome = OUTCOME_OK;	/* the exit status said it */
		return;
	}
	res->exit_status = proc->status;
	out = stream_text(d, &proc->out);
	errs = stream_text(d, &proc->err);
	n = strlen(out) + strlen(errs);
	res->output = xmalloc(n + 64);
	snprintf(res->output, n + 1, "%s%s", out, errs);
	free_wiped(out);
	free_wiped(errs);
	if (proc->timed_out)
		snprintf(res->output + n, 64, "timed out after %d s\n", d->timeout_s);
	else if (s->kind->exit == STEP_EXIT_ARCHIVE && proc->status <= 1 && proc->status >= 0)
		count_archived(d, step, res->output, n + 64);
	res->outcome = exit_outcome(s, proc->status);
}

const struct exec_driver remote_driver = {
	.name = "ssh/local", .unsupported = remote_unsupported,
	.begin = remote_begin, .end = remote_end,
};
