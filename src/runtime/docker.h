/*
 * docker.h - the docker runtime: the Docker Engine API (v1.41) over a unix
 * socket with libcurl (CURLOPT_UNIX_SOCKET_PATH), whatever serves it on
 * the node: Docker, or Podman's compatible service (podman system
 * service).  Answers are JSON (jansson).
 *
 * Every error names the socket, the request and, for the API's own
 * errors, its status and message: 404 (no such container or image), 409
 * (a conflict: a name in use, an image a container still uses), 304
 * (already stopped or started) is not an error.
 *
 * Health: a container created with a health check reports
 * State.Health.Status (starting, healthy, unhealthy).  Podman runs health
 * checks from systemd timers; where there is no systemd it never runs
 * them by itself, so docker_wait_healthy() asks Podman to run one (its
 * libpod healthcheck endpoint) while the status is "starting".
 */
#ifndef STACKHOP_DOCKER_H
#define STACKHOP_DOCKER_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "util.h"

struct docker {
	void *curl;			/* CURL * */
	char *socket;
	bool podman;			/* the server says it is Podman */
	char server[64];		/* "Docker Engine 24.0.7", "Podman Engine 4.3.1" */
};

/* Connect (GET /version): the server must answer. */
int docker_open(struct docker *d, const char *socket_path, struct sh_error *err);
void docker_close(struct docker *d);

struct docker_state {
	bool exists;
	bool running;
	char id[80];
	char status[32];		/* created, running, exited, ... */
	char health[32];		/* starting, healthy, unhealthy, or "" */
	char image[256];		/* the image it was created from */
	char image_id[80];		/* that image's ID (sha256:...) */
	long exit_code;
};

/* *st for container name; a missing one is st->exists false, not an error. */
int docker_inspect(struct docker *d, const char *name, struct docker_state *st,
		   struct sh_error *err);

/* Stop within timeout_s (then killed); a stopped one is left as it is. */
int docker_stop(struct docker *d, const char *name, int timeout_s, struct sh_error *err);
int docker_start(struct docker *d, const char *name, struct sh_error *err);
/* Send signal (a name, "HUP", or a number) to the container's PID 1. */
int docker_kill(struct docker *d, const char *name, const char *signal, struct sh_error *err);
/* Give the container another name. */
int docker_rename(struct docker *d, const char *name, const char *new_name,
		  struct sh_error *err);
/* Remove a stopped container. */
int docker_remove(struct docker *d, const char *name, struct sh_error *err);
int docker_image_remove(struct docker *d, const char *image, struct sh_error *err);
/* The tags "repo:TAG" of every image of repository repo, appended to
 * *tags (malloc'd strings). */
int docker_image_tags(struct docker *d, const char *repo, str_vec *tags, struct sh_error *err);
/* Is there an image of that name?  1 yes, 0 no, -1 error. */
int docker_image_exists(struct docker *d, const char *image, struct sh_error *err);

struct docker_spec {
	const char *name;
	const char *image;
	const char *const *cmd;		/* NULL-terminated, or NULL: the image's */
	const char *const *env;		/* "KEY=VALUE", NULL-terminated, or NULL */
	const char *const *binds;	/* "HOST:CONTAINER[:ro]", NULL-terminated, or NULL */
	const char *const *health;	/* health check argv (CMD form), or NULL */
	int health_interval_ms;		/* default 1000 */
	const char *network_mode;	/* "host", "none", "ns:/run/netns/X", or NULL */
	const char *const *cap_add;	/* capabilities added ("NET_ADMIN"), or NULL */
	bool init;			/* an init as PID 1, so SIGTERM stops the service */
};

/* Create the container (not started); its id into ret_id (may be NULL). */
int docker_create(struct docker *d, const struct docker_spec *spec, char *ret_id, size_t size,
		  struct sh_error *err);

/*
 * Wait until the container is running and, if it has a health check,
 * healthy; fails at once when it exits or turns unhealthy.
 */
int docker_wait_healthy(struct docker *d, const char *name, double timeout_s,
			struct sh_error *err);

/* Every container (running or not): its name and image, appended. */
int docker_containers(struct docker *d, str_vec *names, str_vec *images, struct sh_error *err);
/* Until the started container ends (timeout_s 0: no bound); its exit code. */
int docker_wait_exit(struct docker *d, const char *name, double timeout_s, long *exit_code,
		     struct sh_error *err);
/* What the container wrote, stdout to out and stderr to errf (at most 4 MiB). */
int docker_logs(struct docker *d, const char *name, FILE *out, FILE *errf, struct sh_error *err);

/*
 * argv in the running container (the exec API, no standard input, no
 * terminal): its stdout to out, its stderr to errf (at most 4 MiB), its
 * exit code into *exit_code.
 */
int docker_exec(struct docker *d, const char *name, const char *const *argv, FILE *out,
		FILE *errf, long *exit_code, struct sh_error *err);

#endif
