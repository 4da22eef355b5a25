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
	"\n"
	"The docker runtime's operations on one container through the Docker\n"
	"Engine API (v1.41) of the unix socket PATH, whatever serves it: Docker,\n"
	"or Podman (podman system service).  create makes the container with its\n"
	"binds (the service's configuration), network mode (host, none,\n"
	"ns:/run/netns/NAME), an init as PID 1 and a health check (--health: its\n"
	"argv, split at spaces, run in the container); wait waits until it runs\n"
	"and is healthy (--timeout, default 60 s); stop gives it --timeout\n"
	"seconds (default 10) before it is killed.  Errors name the request and\n"
	"the API's status: 404 not found, 409 conflict.\n"
	"\n"
	"Exit status: 0 done, 1 failed, 2 bad input.\n";

#define MAX_LIST 64

int cmd_docker(int argc, char **argv)
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
	const char *sock = NULL, *binds[MAX_LIST + 1] = { 0 }, *health[MAX_LIST + 1] = { 0 };
	const char *cmdv[MAX_LIST + 1] = { 0 }, *op, *name = NULL;
	struct docker_spec spec = { 0 };
	struct sh_error err = { 0 };
	struct docker d;
	size_t nb = 0, nh = 0;
	char *hbuf = NULL;
	long timeout = -1, interval = 0;
	int c, r = -1;

	if (argc < 2 || streq(argv[1], "-h") || streq(argv[1], "--help")) {
		fputs(docker_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'S': sock = optarg; break;
		case 'I': spec.image = optarg; break;
		case 'b':
			if (nb == MAX_LIST)
				return usage_error("docker", "at most %d --bind", MAX_LIST);
			binds[nb++] = optarg;
			break;
		case 'n': spec.network_mode = optarg; break;
		case 'i': spec.init = true; break;
		case 'H': {
			char *save = NULL;

			free(hbuf);
			hbuf = xstrdup(optarg);
			nh = 0;
			for (char *w = strtok_r(hbuf, " ", &save); w && nh < MAX_LIST;
			     w = strtok_r(NULL, " ", &save))
				health[nh++] = w;
			health[nh] = NULL;
			break;
		}
		case 'M':
			if (parse_long(optarg, 100, 3600000, &interval) < 0) {
				free(hbuf);
				return usage_error("docker", "--health-interval must be 100 to 3600000 ms");
			}
			break;
		case 't':
			if (parse_long(optarg, 0, 3600, &timeout) < 0) {
				free(hbuf);
				return usage_error("docker", "--timeout must be 0 to 3600 seconds, not '%s'", optarg);
			}
			break;
		case 'h': fputs(docker_usage, stdout); free(hbuf); return 0;
		default: free(hbuf); return usage_error("docker", "bad option");
		}
	}
	/* What getopt left, in order: OPERATION [NAME] [COMMAND ARGS...]. */
	op = optind < argc ? argv[optind++] : NULL;
	if (op && !streq(op, "version") && optind < argc)
		name = argv[optind++];
	if (op && streq(op, "create")) {
		size_t n = 0;

		while (optind < argc && n < MAX_LIST)
			cmdv[n++] = argv[optind++];
		cmdv[n] = NULL;
	}
	if (optind < argc) {
		free(hbuf);
		return usage_error("docker", "unexpected argument '%s'", argv[optind]);
	}
	if (!sock || !op) {
		free(hbuf);
		return usage_error("docker", "needs --socket PATH and an operation");
	}
	if (!streq(op, "version") && !streq(op, "inspect") && !streq(op, "create") &&
	    !streq(op, "start") && !streq(op, "wait") && !streq(op, "stop") &&
	    !streq(op, "remove") && !streq(op, "image-remove")) {
		free(hbuf);
		return usage_error("docker", "unknown operation '%s' (expected version, inspect, create, start, wait, stop, remove or image-remove)", op);
	}
	if (!streq(op, "version") && !name) {
		free(hbuf);
		return usage_error("docker", "%s needs a %s name", op,
				   streq(op, "image-remove") ? "image" : "container");
	}
	if (streq(op, "create") && !spec.image) {
		free(hbuf);
		return usage_error("docker", "create needs --image IMAGE");
	}
	if (docker_open(&d, sock, &err) < 0) {
		free(hbuf);
		return report_error(&err);
	}
	if (streq(op, "version")) {
		printf("%s on %s\n", d.server, sock);
		r = 0;
	} else if (streq(op, "inspect")) {
		struct docker_state st;

		if ((r = docker_inspect(&d, name, &st, &err)) == 0) {
			if (!st.exists)
				printf("%s: no such container\n", name);
			else
				printf("%s: %s%s%s, image %s, id %.12s\n", name, st.status,
				       st.health[0] ? ", health " : "", st.health, st.image, st.id);
		}
	} else if (streq(op, "create")) {
		char id[80];

		spec.name = name;
		spec.cmd = cmdv[0] ? cmdv : NULL;
		spec.binds = nb ? binds : NULL;
		spec.health = nh ? health : NULL;
		spec.health_interval_ms = (int)interval;
		if ((r = docker_create(&d, &spec, id, sizeof(id), &err)) == 0)
			printf("%s: created from %s, id %.12s\n", name, spec.image, id);
	} else if (streq(op, "start")) {
		if ((r = docker_start(&d, name, &err)) == 0)
			printf("%s: started\n", name);
	} else if (streq(op, "wait")) {
		if ((r = docker_wait_healthy(&d, name, timeout < 0 ? 60 : (double)timeout, &err)) == 0)
			printf("%s: running and healthy\n", name);
	} else if (streq(op, "stop")) {
		if ((r = docker_stop(&d, name, timeout < 0 ? 10 : (int)timeout, &err)) == 0)
			printf("%s: stopped\n", name);
	} else if (streq(op, "remove")) {
		if ((r = docker_remove(&d, name, &err)) == 0)
			printf("%s: removed\n", name);
	} else {
		if ((r = docker_image_remove(&d, name, &err)) == 0)
			printf("image %s: removed\n", name);
	}
	docker_close(&d);
	free(hbuf);
	return r < 0 ? report_error(&err) : 0;
}
