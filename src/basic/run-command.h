/*
 * run-command.h - the one way stackhop starts a process (git's
 * run-command.c): a struct child_process says what to run and what its
 * fds 0, 1 and 2 are; child_start() forks and executes it, and
 * child_reap() / child_finish() collect its status and release it.
 *
 * Every child gets exactly fds 0-2 (all others closed: close_range() in
 * the child, whatever the parent holds or inherited without CLOEXEC),
 * every signal at its default disposition and none blocked (SIGPIPE too,
 * which stackhop itself ignores), and by default dies with SIGTERM when
 * stackhop dies (PR_SET_PDEATHSIG), so a killed run leaves no command of
 * its own behind to race its resume.  A program that cannot be executed
 * says so on the child's stderr and exits 127, as a shell's would.
 *
 * Ownership: argv, file and env are borrowed until child_start()
 * returns.  The pipe ends child_start() returns in in_fd/out_fd/err_fd
 * (CHILD_STDIO_PIPE) are the caller's, non-blocking and close-on-exec,
 * until child_release(); an fd given with CHILD_STDIO_FD stays the
 * caller's.  The pidfd is released when the child is reaped, so a caller
 * that runs thousands of children holds fds only for those running.
 */
#ifndef STACKHOP_RUN_COMMAND_H
#define STACKHOP_RUN_COMMAND_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

enum child_stdio {
	CHILD_STDIO_NULL = 0,		/* /dev/null */
	CHILD_STDIO_INHERIT,		/* this process's own fd */
	CHILD_STDIO_PIPE,		/* a pipe; our end in the *_fd field */
	CHILD_STDIO_FD,			/* the caller's fd in the *_fd field */
};

struct child_process {
	/* Set by the caller: */
	const char *const *argv;	/* NULL-terminated; argv[0] looked up in PATH */
	const char *file;		/* execute this instead of argv[0], or NULL */
	const char *const *env;		/* "NAME=VALUE" set, "NAME" unset, or NULL */
	enum child_stdio in, out, err;
	int in_fd, out_fd, err_fd;
	bool new_pgroup;		/* a process group of its own (child_kill: all of it) */
	bool keep_on_parent_death;	/* no PR_SET_PDEATHSIG SIGTERM */
	/* Set by child_start() and child_reap(): */
	pid_t pid;			/* > 0 from the start until it is reaped */
	int pid_fd;			/* readable once it ended; -1: none */
	int status;			/* exit status, or 128 + the signal */
	bool reaped;
};

#define CHILD_PROCESS_INIT { .in_fd = -1, .out_fd = -1, .err_fd = -1, .pid_fd = -1 }

/* Start c; -1 with err set (nothing left open) when it could not. */
int child_start(struct child_process *c, struct sh_error *err);

/*
 * Has c ended?  1: reaped (c->status set, its pidfd closed), 0: still
 * running (block false) .  With block it waits (EINTR retried).
 */
int child_reap(struct child_process *c, bool block);

/* Wait for c, release it, return its status (exit status or 128+signal). */
int child_finish(struct child_process *c);

/* Send sig to c (its process group with new_pgroup) unless it was reaped. */
void child_kill(struct child_process *c, int sig);

/*
 * Close the pipe ends still open; a child not reaped yet is SIGKILLed
 * (its group with new_pgroup) and reaped.  c->status stays; c can be
 * started again.  A c never started (pid 0, even all zero) is left alone.
 */
void child_release(struct child_process *c);

/* child_start() and child_finish(): the status, or -1 with err set. */
int child_run(struct child_process *c, struct sh_error *err);

#endif
