/*
 * runtime.c - see runtime.h: the choice of a runtime, what one lacks, and
 * the calls the procedures make through it (rt_* in infra.h), each
 * refusing an operation the runtime does not have instead of calling
 * NULL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infra.h"
#include "runtime.h"
#include "util.h"

const struct runtime_ops *runtime_for(enum runtime_kind kind)
{
	return kind == RUNTIME_PROCESS ? &runtime_process : &runtime_docker;
}

static const struct {
	unsigned op;
	const char *name;
} op_names[] = {
	{ RT_RUNNING, "running" },
	{ RT_VERSION, "version" },
	{ RT_VERSIONS, "versions" },
	{ RT_STOP, "stop" },
	{ RT_START, "start" },
	{ RT_REMOVE, "remove" },
	{ RT_IMAGE_REMOVE, "image_remove" },
	{ RT_WAIT_HEALTHY, "wait_healthy" },
	{ RT_READ_CONFIG, "read_config" },
	{ RT_WRITE_CONFIG, "write_config" },
	{ RT_RUN_ONE_OFF, "run_one_off" },
	{ RT_EXEC, "exec" },
	{ RT_ACTION, "action" },
	{ RT_START_GALERA, "start with Galera's options" },
	{ RT_KEEPS_DATA, "keep a service's data across versions" },
	{ RT_EXEC_STDIN, "exec with standard input" },
	{ RT_GALERA_ACTIONS, "run Galera's actions (grastate, recover)" },
	{ RT_RABBITMQ_WIPE, "wipe RabbitMQ's data" },
	{ RT_HAPROXY_RELOAD, "reload HAProxy" },
	{ RT_KEEPALIVED_DRAIN, "drain keepalived" },
};

unsigned runtime_caps(const struct runtime_ops *rt, const struct settings *st)
{
	return rt->caps | (rt->caps_for ? rt->caps_for(st) : 0);
}

static bool has(const struct runtime_ops *rt, const struct settings *st, unsigned op)
{
	unsigned caps = runtime_caps(rt, st);

	switch (op) {
	case RT_RUNNING: return rt->running;
	case RT_VERSION: return rt->version;
	case RT_VERSIONS: return rt->versions;
	case RT_STOP: return rt->stop;
	case RT_START: return rt->start;
	case RT_REMOVE: return rt->remove;
	case RT_IMAGE_REMOVE: return rt->image_remove;
	case RT_WAIT_HEALTHY: return rt->wait_healthy;
	case RT_READ_CONFIG: return rt->read_config;
	case RT_WRITE_CONFIG: return rt->write_config;
	case RT_RUN_ONE_OFF: return rt->run_one_off;
	case RT_EXEC: return rt->exec;
	case RT_ACTION: return rt->action;
	case RT_START_GALERA: return rt->start && (caps & RT_START_GALERA);
	case RT_KEEPS_DATA: return rt->start && (caps & RT_KEEPS_DATA);
	case RT_EXEC_STDIN: return rt->exec && (caps & RT_EXEC_STDIN);
	case RT_GALERA_ACTIONS:
	case RT_RABBITMQ_WIPE:
	case RT_HAPROXY_RELOAD:
	case RT_KEEPALIVED_DRAIN: return rt->action && (caps & op);
	}
	return false;
}

const char *runtime_lacks(const struct runtime_ops *rt, const struct settings *st,
			  unsigned needs)
{
	static char buf[256];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(op_names); i++)
		if ((needs & op_names[i].op) && !has(rt, st, op_names[i].op))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? ", " : "",
					      op_names[i].name);
	return n ? buf : NULL;
}

/* err: the runtime cannot do op (for service on h). */
static int lacks(struct infra *x, unsigned op, const char *service, const struct inv_host *h,
		 struct sh_error *err)
{
	return sh_error_set(err, SH_EXIT_INPUT, "the %s runtime cannot %s (%s on %s)",
			    x->rt->name, runtime_lacks(x->rt, x->st, op), service, h->name);
}

#define NEED(op, field)                                                       \
	do {                                                                  \
		if (!x->rt->field)                                            \
			return lacks(x, op, service, h, err);                 \
	} while (0)

void rt_unit(struct infra *x, const char *service, char *buf, size_t size)
{
	x->rt->unit(service, buf, size);
}

int rt_running(struct infra *x, const struct inv_host *h, const char *service,
	       struct sh_error *err)
{
	NEED(RT_RUNNING, running);
	return x->rt->running(x, h, service, err);
}

char *rt_version(struct infra *x, const struct inv_host *h, const char *service,
		 struct sh_error *err)
{
	if (!x->rt->version) {
		lacks(x, RT_VERSION, service, h, err);
		return NULL;
	}
	return x->rt->version(x, h, service, err);
}

int rt_stop(struct infra *x, const struct inv_host *h, const char *service,
	    struct sh_error *err)
{
	NEED(RT_STOP, stop);
	return x->rt->stop(x, h, service, err);
}

int rt_start(struct infra *x, const struct inv_host *h, const char *service,
	     const struct rt_start *o, struct sh_error *err)
{
	NEED(RT_START, start);
	if ((o->new_cluster || o->position) && !(runtime_caps(x->rt, x->st) & RT_START_GALERA))
		return lacks(x, RT_START_GALERA, service, h, err);
	if (o->keep_data && !(runtime_caps(x->rt, x->st) & RT_KEEPS_DATA))
		return lacks(x, RT_KEEPS_DATA, service, h, err);
	return x->rt->start(x, h, service, o, err);
}

int rt_start_version(struct infra *x, const struct inv_host *h, const char *service,
		     const char *version, struct sh_error *err)
{
	struct rt_start o = { .version = version };

	return rt_start(x, h, service, &o, err);
}

int rt_start_data(struct infra *x, const struct inv_host *h, const char *service,
		  const char *version, struct sh_error *err)
{
	struct rt_start o = { .version = version, .keep_data = true };

	return rt_start(x, h, service, &o, err);
}

/* Each line of said into the log, after the node's name. */
static void log_said(struct infra *x, const struct inv_host *h, char *said)
{
	for (char *save = NULL, *l = strtok_r(said, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		infra_log(x, "%s: %s", h->name, l);
}

int rt_remove(struct infra *x, const struct inv_host *h, const char *service,
	      struct sh_error *err)
{
	char *said = NULL;
	int r;

	NEED(RT_REMOVE, remove);
	if ((r = x->rt->remove(x, h, service, &said, err)) == 0 && said)
		log_said(x, h, said);
	free(said);
	return r;
}

int rt_image_remove(struct infra *x, const struct inv_host *h, const char *service,
		    const char *keep, struct sh_error *err)
{
	char *said = NULL;
	int r;

	NEED(RT_IMAGE_REMOVE, image_remove);
	if ((r = x->rt->image_remove(x, h, service, keep, &said, err)) == 0 && said)
		log_said(x, h, said);
	free(said);
	return r;
}

int rt_wait_healthy(struct infra *x, const struct inv_host *h, const char *service,
		    double timeout_s, struct sh_error *err)
{
	NEED(RT_WAIT_HEALTHY, wait_healthy);
	return x->rt->wait_healthy(x, h, service, timeout_s, err);
}

int rt_config_files(struct infra *x, const struct inv_host *h, const char *service,
		    str_vec *files, struct sh_error *err)
{
	if (!x->rt->config_files) {
		vec_push(*files, NULL);
		return 0;
	}
	return x->rt->config_files(x, h, service, files, err);
}

int rt_read_config(struct infra *x, const struct inv_host *h, const char *service,
		   const char *file, char **text, struct sh_error *err)
{
	*text = NULL;
	NEED(RT_READ_CONFIG, read_config);
	return x->rt->read_config(x, h, service, file, text, err);
}

int rt_write_config(struct infra *x, const struct inv_host *h, const char *service,
		    const char *file, const char *text, struct sh_error *err)
{
	NEED(RT_WRITE_CONFIG, write_config);
	return x->rt->write_config(x, h, service, file, text, err);
}

int rt_run_one_off(struct infra *x, const struct inv_host *h, const char *service,
		   const char *version, const char *const *argv, struct sh_error *err)
{
	NEED(RT_RUN_ONE_OFF, run_one_off);
	return x->rt->run_one_off(x, h, service, version, argv, err);
}

int rt_exec(struct infra *x, const struct inv_host *h, const char *service,
	    const char *const *argv, const char *stdin_data, char **out, struct sh_error *err)
{
	if (out)
		*out = NULL;
	NEED(RT_EXEC, exec);
	if (stdin_data && !(runtime_caps(x->rt, x->st) & RT_EXEC_STDIN))
		return lacks(x, RT_EXEC_STDIN, service, h, err);
	return x->rt->exec(x, h, service, argv, stdin_data, out, err);
}

int rt_action(struct infra *x, const struct inv_host *h, const char *service,
	      const char *action, const char *const *args, char **out, struct sh_error *err)
{
	if (out)
		*out = NULL;
	NEED(RT_ACTION, action);
	{
		/* Each service's actions are a capability of their own. */
		unsigned need = streq(service, "galera") ? RT_GALERA_ACTIONS :
				streq(service, "rabbitmq") ? RT_RABBITMQ_WIPE :
				streq(service, "haproxy") ? RT_HAPROXY_RELOAD :
				streq(service, "keepalived") ? RT_KEEPALIVED_DRAIN : 0;

		if (need && !(runtime_caps(x->rt, x->st) & need))
			return lacks(x, need, service, h, err);
	}
	return x->rt->action(x, h, service, action, args, out, err);
}

int rt_require(struct infra *x, unsigned needs, const char *what, struct sh_error *err)
{
	const char *l = runtime_lacks(x->rt, x->st, needs);

	if (!l)
		return 0;
	return sh_error_set(err, SH_EXIT_INPUT,
			    "%s needs what the %s runtime cannot do (%s): nothing was changed", what,
			    x->rt->name, l);
}

int rt_stop_running(struct infra *x, const struct inv_host *h, const char *service,
		    struct sh_error *err)
{
	char unit[160];
	int r = rt_running(x, h, service, err);

	if (r < 0)
		return -1;
	rt_unit(x, service, unit, sizeof(unit));
	if (!r) {
		infra_log(x, "%s: %s not running", h->name, unit);
		return 0;
	}
	if (rt_stop(x, h, service, err) < 0)
		return -1;
	infra_log(x, "%s: %s stopped", h->name, unit);
	return 0;
}

int rt_image_check(struct infra *x, const struct inv_host *h, const char *service,
		   const char *version, struct sh_error *err)
{
	char *out = NULL;
	int found = 0, whole = 0;

	NEED(RT_VERSIONS, versions);
	if (x->rt->versions(x, h, service, &out, err) < 0) {
		free(out);
		return -1;
	}
	/* A whole version names its image, though it begins another's. */
	for (char *save = NULL, *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		bool is = infra_version_is(l, version);

		found += is;
		whole += is && strlen(l) == strlen(version);
	}
	free(out);
	if (whole == 1)
		return 0;
	if (found > 1)
		return sh_error_set(err, SH_EXIT_INPUT,
				    "version '%s' names more than one %s image on %s: give the whole version",
				    version, service, h->name);
	if (!found)
		return sh_error_set(err, SH_EXIT_FAILURE,
				    "%s has no %s image for version '%s': nothing was changed", h->name,
				    service, version);
	return 0;
}
