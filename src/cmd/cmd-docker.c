/*
 * cmd-docker.c - stackhop docker: the docker runtime's container
 * operations, one per call, against the Docker Engine API of a unix
 * socket (Docker, or Podman's compatible service).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "docker.h"
#include "util.h"

static const char docker_usage[] =
	"usage: stackhop docker --socket PATH version\n"
	"       stackhop docker --socket PATH inspect NAME\n"
	"       stackhop docker --socket PATH create NAME --image IMAGE [--bind HOST:PATH[:ro]]...\n"
	"                       [--network MODE] [--init] [--health 'ARGV'] [--health-interval MS]\n"
	"                       [-- COMMAND ARGS...]\n"
	"       stackhop docker --socket PATH start|wait|stop|remove NAME [--timeout S]\n"
	"       stackhop docker --socket PATH image-remove IMAGE\n"
	"       stackhop docker --socket PATH exec NAME -- COMMAND ARGS...\n"
	"\n"
	"The docker runtime's operations on one container through the Docker\n"
	"Engine API (v1.41) of the unix socket PATH, whatever serves it: Docker,\n"
	"or Podman (podman system service).  create makes the container with its\n"
	"binds (the service's configuration), network mode (host, none,\n"
	"ns:/run/netns/NAME), an init as PID 1 and a health check (--health: its\n"
	"argv, split at spaces, run in the container); wait waits until it runs\n"
	"and is healthy (--timeout, default 60 s); stop gives it --timeout\n"
	"seconds (default 10) before it is killed; exec runs COMMAND in the\n"
	"running container (no standard input) and exits with its status.\n"
	"Errors name the request and the API's status: 404 not found, 409\n"
	"conflict.\n"
	"\n"
	"Exit status: 0 done, 1 failed, 2 bad input; exec: COMMAND's.\n";

#define MAX_LIST 64

/* The command line, parsed. */
struct docker_args {
	const char *sock, *op, *name;
	const char *binds[MAX_LIST + 1], *health[MAX_LIST + 1], *cmdv[MAX_LIST + 1];
	struct docker_spec spec;
	size_t nb, nh;
	char *hbuf;			/* --health, split in place */
	long timeout, interval;
};

/* --health 'ARGV': its words (at spaces) into a->health. */
static void health_words(struct docker_args *a, const char *arg)
{
	char *save = NULL;

	free(a->hbuf);
	a->hbuf = xstrdup(arg);
	a->nh = 0;
	for (char *w = strtok_r(a->hbuf, " ", &save); w && a->nh < MAX_LIST;
	     w = strtok_r(NULL, " ", &save))
		a->health[a->nh++] = w;
	a->health[a->nh] = NULL;
}

/* The options into *a: -1 to go on, else the exit status (help, usage). */
static int parse_options(int argc, char **argv, struct docker_args *a)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "image", required_argument, NULL, 'I' },
		{ "bind", required_argument, NULL, 'b' },
		{ "network", required_argument, NULL, 'n' },
		{ "init", no_argument, NULL, 'i' },
		{ "health", required_argument, NULL, 'H' },
		{ "health-interval", required_argument, NULL, 'M' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'S': a->sock = optarg; break;
		case 'I': a->spec.image = optarg; break;
		case 'b':
			if (a->nb == MAX_LIST)
				return usage_error("docker", "at most %d --bind", MAX_LIST);
			a->binds[a->nb++] = optarg;
			break;
		case 'n': a->spec.network_mode = optarg; break;
		case 'i': a->spec.init = true; break;
		case 'H': health_words(a, optarg); break;
		case 'M':
			if (parse_long(optarg, 100, 3600000, &a->interval) < 0)
				return usage_error("docker", "--health-interval must be 100 to 3600000 ms");
			break;
		case 't':
			if (parse_long(optarg, 0, 3600, &a->timeout) < 0)
				return usage_error("docker", "--timeout must be 0 to 3600 seconds, not '%s'", optarg);
			break;
		case 'h': fputs(docker_usage, stdout); return 0;
		default: return usage_error("docker", "bad option");
		}
	}
	/* What getopt left, in order: OPERATION [NAME] [COMMAND ARGS...]. */
	a->op = optind < argc ? argv[optind++] : NULL;
	if (a->op && !streq(a->op, "version") && optind < argc)
		a->name = argv[optind++];
	if (a->op && (streq(a->op, "create") || streq(a->op, "exec"))) {
		size_t n = 0;

		while (optind < argc && n < MAX_LIST)
			a->cmdv[n++] = argv[optind++];
		a->cmdv[n] = NULL;
	}
	if (optind < argc)
		return usage_error("docker", "unexpected argument '%s'", argv[optind]);
	if (!a->sock || !a->op)
		return usage_error("docker", "needs --socket PATH and an operation");
	if (!streq(a->op, "version") && !streq(a->op, "inspect") && !streq(a->op, "create") &&
	    !streq(a->op, "start") && !streq(a->op, "wait") && !streq(a->op, "stop") &&
	    !streq(a->op, "remove") && !streq(a->op, "image-remove") && !streq(a->op, "exec"))
		return usage_error("docker", "unknown operation '%s' (expected version, inspect, create, start, wait, stop, remove, image-remove or exec)", a->op);
	if (!streq(a->op, "version") && !a->name)
		return usage_error("docker", "%s needs a %s name", a->op,
				   streq(a->op, "image-remove") ? "image" : "container");
	if (streq(a->op, "create") && !a->spec.image)
		return usage_error("docker", "create needs --image IMAGE");
	if (streq(a->op, "exec") && !a->cmdv[0])
		return usage_error("docker", "exec needs -- COMMAND");
	return -1;
}

/* The operation, through an open API; what it did on stdout.  0, -1, or
 * exec's command's exit status. */
static int run_op(struct docker *d, struct docker_args *a, struct sh_error *err)
{
	const char *op = a->op, *name = a->name;
	long timeout = a->timeout;
	int r;

	if (streq(op, "version")) {
		printf("%s on %s\n", d->server, a->sock);
		r = 0;
	} else if (streq(op, "inspect")) {
		struct docker_state st;

		if ((r = docker_inspect(d, name, &st, err)) == 0) {
			if (!st.exists)
				printf("%s: no such container\n", name);
			else
				printf("%s: %s%s%s, image %s, id %.12s\n", name, st.status,
				       st.health[0] ? ", health " : "", st.health, st.image, st.id);
		}
	} else if (streq(op, "create")) {
		char id[80];

		a->spec.name = name;
		a->spec.cmd = a->cmdv[0] ? a->cmdv : NULL;
		a->spec.binds = a->nb ? a->binds : NULL;
		a->spec.health = a->nh ? a->health : NULL;
		a->spec.health_interval_ms = (int)a->interval;
		if ((r = docker_create(d, &a->spec, id, sizeof(id), err)) == 0)
			printf("%s: created from %s, id %.12s\n", name, a->spec.image, id);
	} else if (streq(op, "start")) {
		if ((r = docker_start(d, name, err)) == 0)
			printf("%s: started\n", name);
	} else if (streq(op, "wait")) {
		if ((r = docker_wait_healthy(d, name, timeout < 0 ? 60 : (double)timeout, err)) == 0)
			printf("%s: running and healthy\n", name);
	} else if (streq(op, "stop")) {
		if ((r = docker_stop(d, name, timeout < 0 ? 10 : (int)timeout, err)) == 0)
			printf("%s: stopped\n", name);
	} else if (streq(op, "exec")) {
		long code = -1;

		r = docker_exec(d, name, a->cmdv, stdout, stderr, &code, err);
		fflush(stdout);
		if (r == 0)
			r = code < 0 || code > 255 ? 255 : (int)code;
	} else if (streq(op, "remove")) {
		if ((r = docker_remove(d, name, err)) == 0)
			printf("%s: removed\n", name);
	} else {
		if ((r = docker_image_remove(d, name, err)) == 0)
			printf("image %s: removed\n", name);
	}
	return r;
}

int cmd_docker(int argc, char **argv)
{
	struct docker_args a = { .timeout = -1 };
	struct sh_error err = { 0 };
	struct docker d;
	int r;

	if (argc < 2 || streq(argv[1], "-h") || streq(argv[1], "--help")) {
		fputs(docker_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if ((r = parse_options(argc, argv, &a)) >= 0) {
		free(a.hbuf);
		return r;
	}
	if (docker_open(&d, a.sock, &err) < 0) {
		free(a.hbuf);
		return report_error(&err);
	}
	r = run_op(&d, &a, &err);
	docker_close(&d);
	free(a.hbuf);
	return r < 0 ? report_error(&err) : r;
}
