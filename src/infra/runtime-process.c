/*
 * runtime-process.c - the process runtime (runtime.h): the settings'
 * control command, process.control + ACTION SERVICE NODE [ARGS], run on
 * the node over ssh (the lab's lab/svc.sh, whose header lists the
 * actions).  Its "status" exits 0 (runs) or 3 (stopped); anything else,
 * ssh's 255 above all, is "state unknown", never "stopped".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infra.h"
#include "runtime.h"
#include "util.h"

/* process.control + ACTION SERVICE NODE + extra: its exit status, or -1. */
static int ctl_status(struct infra *x, const struct inv_host *h, const char *action,
		      const char *service, const char *const *extra, const char *stdin_data,
		      char **out, struct sh_error *err)
{
	const char **argv;
	size_t n = 0, k = 0;
	int r;

	if (out)
		*out = NULL;
	if (!x->st->process_control)
		return sh_error_set(err, SH_EXIT_INPUT,
				    "the settings name no process control command (process: {control: [...]}), which the process runtime needs");
	while (extra && extra[n])
		n++;
	argv = xcalloc(x->st->nprocess_control + 4 + n, sizeof(*argv));
	for (size_t i = 0; i < x->st->nprocess_control; i++)
		argv[k++] = x->st->process_control[i];
	argv[k++] = action;
	argv[k++] = service;
	argv[k++] = h->name;
	for (size_t i = 0; i < n; i++)
		argv[k++] = extra[i];
	r = infra_run(x, h, argv, stdin_data, 600, out, err);
	free(argv);
	return r;
}

/* The same, a non-zero status an error naming the action, with its stderr. */
static int ctl(struct infra *x, const struct inv_host *h, const char *action,
	       const char *service, const char *const *extra, const char *stdin_data,
	       char **out, struct sh_error *err)
{
	int r = ctl_status(x, h, action, service, extra, stdin_data, out, err);

	if (r != 0 && r != -1)
		sh_error_prefix(err, "%s %s on %s", action, service, h->name);
	return r == 0 ? 0 : -1;
}

static void unit(const char *service, char *buf, size_t size)
{
	snprintf(buf, size, "%s", service);
}

static int running(struct infra *x, const struct inv_host *h, const char *service,
		   struct sh_error *err)
{
	struct sh_error e = { 0 };
	int r = ctl_status(x, h, "status", service, NULL, NULL, NULL, &e);

	if (r == 0 || r == 3)
		return r == 0;
	if (r < 0) {
		*err = e;
		return -1;
	}
	/* Not "stopped": a node we cannot reach may run it still. */
	if (r == 255 && !streq(h->connection, "local"))
		return sh_error_set(err, SH_EXIT_FAILURE, "%s on %s: state unknown (ssh failed): %s",
				    service, h->name, e.msg);
	return sh_error_set(err, SH_EXIT_FAILURE, "%s on %s: state unknown (status exit %d, not 0 or 3): %s",
			    service, h->name, r, e.msg);
}

static char *version(struct infra *x, const struct inv_host *h, const char *service,
		     struct sh_error *err)
{
	char *v = NULL;

	if (ctl(x, h, "version", service, NULL, NULL, &v, err) < 0) {
		free(v);
		return NULL;
	}
	v[strcspn(v, "\n")] = '\0';
	return v;
}

static int versions(struct infra *x, const struct inv_host *h, const char *service, char **out,
		    struct sh_error *err)
{
	return ctl(x, h, "versions", service, NULL, NULL, out, err);
}

static int stop(struct infra *x, const struct inv_host *h, const char *service,
		struct sh_error *err)
{
	return ctl(x, h, "stop", service, NULL, NULL, NULL, err);
}

/* start [--version V] [--new-cluster] [--start-position P]; nothing to replace. */
static int start(struct infra *x, const struct inv_host *h, const char *service,
		 const struct rt_start *o, struct sh_error *err)
{
	const char *extra[6];
	size_t n = 0;

	if (o->version) {
		extra[n++] = "--version";
		extra[n++] = o->version;
	}
	if (o->new_cluster)
		extra[n++] = "--new-cluster";
	if (o->position) {
		extra[n++] = "--start-position";
		extra[n++] = o->position;
	}
	extra[n] = NULL;
	return ctl(x, h, "start", service, n ? extra : NULL, NULL, NULL, err);
}

static int remove_container(struct infra *x, const struct inv_host *h, const char *service,
			    char **said, struct sh_error *err)
{
	return ctl(x, h, "remove", service, NULL, NULL, said, err);
}

static int image_remove(struct infra *x, const struct inv_host *h, const char *service,
			const char *keep, char **said, struct sh_error *err)
{
	const char *extra[] = { "--keep", keep, NULL };

	return ctl(x, h, "remove-image", service, extra, NULL, said, err);
}

struct health_arg {
	const char *service;
	const struct inv_host *h;
};

/* Its "health" action succeeds (the service's own check, on the node). */
static int answers(struct infra *x, void *arg, struct sh_error *err)
{
	struct health_arg *a = arg;
	struct sh_error e = { 0 };

	if (ctl(x, a->h, "health", a->service, NULL, NULL, NULL, &e) == 0)
		return 1;
	sh_error_set(err, SH_EXIT_FAILURE, "%s", e.msg);
	return 0;
}

static int wait_healthy(struct infra *x, const struct inv_host *h, const char *service,
			double timeout_s, struct sh_error *err)
{
	struct health_arg a = { service, h };
	int on = running(x, h, service, err);

	if (on < 0)
		return -1;
	if (!on)
		return sh_error_set(err, SH_EXIT_FAILURE, "%s does not run on %s", service, h->name);
	return infra_wait(x, timeout_s, "the service to answer", answers, &a, err);
}

static int read_config(struct infra *x, const struct inv_host *h, const char *service,
		       const char *file, char **text, struct sh_error *err)
{
	(void)file;
	return ctl(x, h, "config", service, NULL, NULL, text, err);
}

static int write_config(struct infra *x, const struct inv_host *h, const char *service,
			const char *file, const char *text, struct sh_error *err)
{
	(void)file;
	return ctl(x, h, "config-write", service, NULL, text, NULL, err);
}

/*
 * The commands the control command runs in a running service, each as
 * its own action with the command's arguments after it.
 */
static const struct {
	const char *service, *command, *action;
} exec_actions[] = {
	{ "rabbitmq", "rabbitmqctl", "ctl" },
	{ "rabbitmq", "rabbitmq-diagnostics", "diag" },
	{ "galera", "mariadb-upgrade", "upgrade-db" },
};

static int exec_in(struct infra *x, const struct inv_host *h, const char *service,
		   const char *const *argv, const char *stdin_data, char **out,
		   struct sh_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(exec_actions); i++)
		if (streq(exec_actions[i].service, service) &&
		    streq(exec_actions[i].command, argv[0]))
			return ctl(x, h, exec_actions[i].action, service, argv + 1, stdin_data, out,
				   err);
	return sh_error_set(err, SH_EXIT_INPUT,
			    "the process runtime's control command runs no %s in %s", argv[0],
			    service);
}

static int action(struct infra *x, const struct inv_host *h, const char *service,
		  const char *name, const char *const *args, char **out, struct sh_error *err)
{
	return ctl(x, h, name, service, args, NULL, out, err);
}

/*
 * No run_one_off: with the process runtime, the executor's remote driver
 * runs a catalog command as the control command's "exec" action itself
 * (src/executor/drivers.c), streaming its output.
 */
const struct runtime_ops runtime_process = {
	.name = "process",
	.unit = unit,
	.running = running,
	.version = version,
	.versions = versions,
	.stop = stop,
	.start = start,
	.remove = remove_container,
	.image_remove = image_remove,
	.wait_healthy = wait_healthy,
	.read_config = read_config,
	.write_config = write_config,
	.exec = exec_in,
	.action = action,
	.caps = RT_START_GALERA | RT_KEEPS_DATA | RT_EXEC_STDIN | RT_GALERA_ACTIONS |
		RT_RABBITMQ_WIPE | RT_HAPROXY_RELOAD | RT_KEEPALIVED_DRAIN,
};
