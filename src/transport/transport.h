/*
 * transport.h - run an argv on a node and collect what it says.
 *
 * Two transports today: ssh (the OpenSSH client, so the operator's ssh
 * config, agent and jump hosts apply; ControlMaster/ControlPersist so that
 * many commands share one connection; strict host-key checking unless the
 * settings say otherwise) and local (for ansible_connection=local).
 *
 * A command is a struct proc: a child process with pipes for stdin,
 * stdout and stderr, its own process group, a deadline, and per-node
 * output buffers, so output of parallel commands never interleaves.  A
 * buffer either keeps the last PROC_OUTPUT_MAX bytes of its stream (a tail,
 * to show to a person: proc_start()) or all of it up to PROC_DATA_MAX
 * (data the caller parses or writes back: transport_run() with data set),
 * and says when it overflowed: data read from a node arrives whole or the
 * caller fails naming the limit, never cut.  proc_start() does not
 * wait: a poll loop (the executor's, or transport_run()'s) calls
 * proc_pollfds() and proc_handle() until proc_done().
 *
 * Arguments never pass through a shell unquoted: over ssh, each argument
 * is single-quoted into the remote command line; locally, argv goes to
 * execvp() as is.  Secrets go through stdin (stdin_data), never argv.
 * A remote command with a timeout runs under coreutils' timeout(1) on the
 * node, so it dies there even if the connection is lost; locally the
 * process group is killed at the deadline.
 */
#ifndef STACKHOP_TRANSPORT_H
#define STACKHOP_TRANSPORT_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "inventory.h"
#include "run-command.h"
#include "strv.h"

#define PROC_OUTPUT_MAX (64 * 1024)
/* The most stdout kept as data (a configuration file, definitions). */
#define PROC_DATA_MAX (16 * 1024 * 1024)
#define PROC_DATA_MAX_TEXT "16 MiB"

struct ssh_options {
	const char *config;		/* ssh -F, or NULL for the user's */
	const char *identity;		/* ssh -i, or NULL */
	const char *known_hosts;	/* UserKnownHostsFile, or NULL */
	const char *strict;		/* StrictHostKeyChecking: "yes" (default), "accept-new" */
	const char *control_dir;	/* directory for ControlPath sockets, or NULL: no master */
	int control_persist;		/* seconds */
	/* 0: the defaults below. */
	int connect_timeout;		/* ConnectTimeout, seconds */
	int server_alive_interval;	/* ServerAliveInterval, seconds */
	int server_alive_count_max;	/* ServerAliveCountMax */
};

/* A dead node fails a command in ConnectTimeout, or in
 * ServerAliveInterval x ServerAliveCountMax once connected. */
#define SSH_CONNECT_TIMEOUT 10
#define SSH_ALIVE_INTERVAL 15
#define SSH_ALIVE_COUNT_MAX 3

struct outbuf {
	char *data;			/* NUL-terminated */
	size_t len, cap;
	size_t max;			/* 0: a tail of PROC_OUTPUT_MAX; else all, up to max */
	bool truncated;			/* a tail: the front was dropped */
	bool overflow;			/* all: more than max came, the rest was dropped */
};

struct proc {
	struct child_process child;	/* pid, and its pidfd: readable once it ends */
	int in_fd, out_fd, err_fd;	/* -1 once closed */
	const char *stdin_data;		/* borrowed until written */
	size_t stdin_len, stdin_off;
	struct outbuf out, err;
	double deadline;		/* monotonic seconds, 0 = none */
	double killed_at;
	bool timed_out, reaped;
	int status;			/* exit status, 128+signal, or 255 for ssh errors */
};

/*
 * Start argv on host h (ssh unless h->connection is "local"), a child of
 * run-command.h in its own process group.  timeout_s 0 means none.  On
 * success p is running and owned by the caller until proc_release(); its
 * pidfd is released as soon as it is reaped (proc_done()), its pipes at
 * their end of file, so a finished proc holds no fd.
 */
int proc_start(const struct ssh_options *o, const struct inv_host *h,
	       const char *const *argv, const char *stdin_data, size_t stdin_len,
	       int timeout_s, struct proc *p, struct sh_error *err);

/*
 * Forward the unix socket remote on ssh host h to local (a path here):
 * an "ssh -N -L local:remote" of its own in *p, returned once local
 * exists (at most 15 s; an error names what ssh said).  proc_release()
 * ends it; the caller removes local.
 */
int transport_forward_unix(const struct ssh_options *o, const struct inv_host *h,
			   const char *remote, const char *local, struct proc *p,
			   struct sh_error *err);
/*
 * The fds to poll (at most 3); returns how many were filled.  Once the
 * output pipes are closed it is the child's pidfd, so a child that closed
 * its output and runs on never blocks the loop.
 */
int proc_pollfds(const struct proc *p, struct pollfd *fds);
/* Handle readiness and deadlines; reaps the child when it ends. */
void proc_handle(struct proc *p, const struct pollfd *fds, int n);
bool proc_done(const struct proc *p);
void proc_release(struct proc *p);

/*
 * Run to completion (blocking poll loop).  data: keep all of stdout (up to
 * PROC_DATA_MAX; p->out.overflow says when it was more), else its tail.
 */
int transport_run(const struct ssh_options *o, const struct inv_host *h,
		  const char *const *argv, const char *stdin_data, size_t stdin_len,
		  int timeout_s, bool data, struct proc *p, struct sh_error *err);

/*
 * The ssh client's argv for argv on h (timeout_s as proc_start()), or
 * with fwd (argv NULL) for "-N -L fwd", appended to ret: the options of o
 * (and their defaults: BatchMode, strict host keys, ConnectTimeout,
 * ServerAliveInterval/CountMax, ControlMaster), port, user, "--", the
 * address and the quoted remote command line.
 */
void ssh_argv(const struct ssh_options *o, const struct inv_host *h, const char *const *argv,
	      const char *fwd, int timeout_s, struct strv *ret);

/*
 * The remote command line for argv: every argument single-quoted, prefixed
 * by "timeout -k 5 N" when timeout_s > 0.  Malloc'd.
 */
char *ssh_command_line(const char *const *argv, int timeout_s);

double monotonic_now(void);

#endif
