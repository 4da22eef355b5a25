/* run-command.c - starting and reaping child processes; see run-command.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run-command.h"

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* All fds from 3 on closed (close_range, else one by one). */
static void close_from_3(void)
{
	long max;

	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return;
	max = sysconf(_SC_OPEN_MAX);
	for (long fd = 3; fd < (max > 0 ? max : 65536); fd++)
		close((int)fd);
}

/*
 * In the child, after fork(): never returns.  src[i] is what fd i becomes
 * (-1: left as it is).  Only async-signal-safe calls before exec, but
 * setenv()/unsetenv() for env (stackhop runs no threads).
 */
static void child_exec(const struct child_process *c, int src[3], pid_t parent)
{
	sigset_t none;

	/* Dispositions as a fresh process has them: SIGPIPE ignored by
	 * stackhop is the default again; handlers would be reset by exec
	 * anyway, ignored signals would not. */
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (!c->keep_on_parent_death) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);	/* it died before the prctl */
	}
	if (c->new_pgroup)
		setpgid(0, 0);
	/* First out of the way of 0-2 (a source may be one of them), then
	 * into place; dup2() leaves the copies without CLOEXEC. */
	for (int i = 0; i < 3; i++)
		if (src[i] >= 0 && (src[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 3)) < 0)
			_exit(127);
	for (int i = 0; i < 3; i++)
		if (src[i] >= 0 && dup2(src[i], i) < 0)
			_exit(127);
	close_from_3();
	for (size_t i = 0; c->env && c->env[i]; i++) {
		const char *eq = strchr(c->env[i], '=');

		if (eq) {
			char name[256];

			snprintf(name, sizeof(name), "%.*s", (int)(eq - c->env[i]), c->env[i]);
			setenv(name, eq + 1, 1);
		} else {
			unsetenv(c->env[i]);
		}
	}
	execvp(c->file ? c->file : c->argv[0], (char *const *)c->argv);
	dprintf(2, "cannot run '%s': %s\n", c->file ? c->file : c->argv[0], strerror(errno));
	_exit(127);
}

int child_start(struct child_process *c, struct sh_error *err)
{
	enum child_stdio how[3] = { c->in, c->out, c->err };
	int *mine[3] = { &c->in_fd, &c->out_fd, &c->err_fd };
	int pipes[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } };
	int src[3] = { -1, -1, -1 }, null = -1;
	pid_t parent = getpid();

	c->pid = 0;
	c->pid_fd = -1;
	c->status = 0;
	c->reaped = false;
	if (!c->argv || !c->argv[0])
		return sh_error_set(err, SH_EXIT_INPUT, "no command to run");
	for (int i = 0; i < 3; i++) {
		switch (how[i]) {
		case CHILD_STDIO_NULL:
			if (null < 0 && (null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
				sh_error_set(err, SH_EXIT_FAILURE, "cannot open /dev/null: %s",
					     strerror(errno));
				goto fail;
			}
			src[i] = null;
			break;
		case CHILD_STDIO_INHERIT:
			break;
		case CHILD_STDIO_PIPE:
			if (pipe2(pipes[i], O_CLOEXEC) < 0) {
				sh_error_set(err, SH_EXIT_FAILURE, "cannot create a pipe for %s: %s",
					     c->argv[0], strerror(errno));
				goto fail;
			}
			src[i] = pipes[i][i == 0 ? 0 : 1];
			break;
		case CHILD_STDIO_FD:
			src[i] = *mine[i];
			break;
		}
	}
	c->pid = fork();
	if (c->pid < 0) {
		c->pid = 0;
		sh_error_set(err, SH_EXIT_FAILURE, "cannot fork for %s: %s", c->argv[0],
			     strerror(errno));
		goto fail;
	}
	if (c->pid == 0)
		child_exec(c, src, parent);
	if (c->new_pgroup)
		setpgid(c->pid, c->pid);	/* here too: no race with kill(-pid) */
	c->pid_fd = (int)syscall(SYS_pidfd_open, c->pid, 0);	/* CLOEXEC; -1: none */
	close_fd(&null);
	for (int i = 0; i < 3; i++) {
		if (how[i] != CHILD_STDIO_PIPE)
			continue;
		close_fd(&pipes[i][i == 0 ? 0 : 1]);
		*mine[i] = pipes[i][i == 0 ? 1 : 0];
		set_nonblock(*mine[i]);
	}
	return 0;
fail:
	close_fd(&null);
	for (int i = 0; i < 3; i++) {
		close_fd(&pipes[i][0]);
		close_fd(&pipes[i][1]);
	}
	return -1;
}

int child_reap(struct child_process *c, bool block)
{
	int st;
	pid_t r;

	if (c->reaped || c->pid <= 0)
		return 1;
	do
		r = waitpid(c->pid, &st, block ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return 0;
	c->reaped = true;
	c->status = r < 0 ? 255 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	close_fd(&c->pid_fd);	/* released: a finished child holds no fd */
	return 1;
}

void child_kill(struct child_process *c, int sig)
{
	if (c->pid > 0 && !c->reaped)
		kill(c->new_pgroup ? -c->pid : c->pid, sig);
}

void child_release(struct child_process *c)
{
	if (c->pid <= 0)
		return;		/* never started (or released): a zeroed struct is fine */
	if (!c->reaped) {
		child_kill(c, SIGKILL);
		child_reap(c, true);
	}
	close_fd(&c->pid_fd);
	if (c->in == CHILD_STDIO_PIPE)
		close_fd(&c->in_fd);
	if (c->out == CHILD_STDIO_PIPE)
		close_fd(&c->out_fd);
	if (c->err == CHILD_STDIO_PIPE)
		close_fd(&c->err_fd);
	c->pid = 0;
}

int child_finish(struct child_process *c)
{
	child_reap(c, true);
	child_release(c);
	return c->status;
}

int child_run(struct child_process *c, struct sh_error *err)
{
	if (child_start(c, err) < 0)
		return -1;
	return child_finish(c);
}
