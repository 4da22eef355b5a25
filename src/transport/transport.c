/* transport.c - ssh and local command execution; see transport.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"
#include "util.h"

/* Seconds between SIGTERM and SIGKILL of a timed-out process group. */
#define KILL_GRACE 3.0

double monotonic_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *ssh_command_line(const char *const *argv, int timeout_s)
{
	size_t cap = 64, o = 0;
	char *s;

	for (size_t i = 0; argv[i]; i++)
		cap += strlen(argv[i]) * 4 + 3;
	s = xmalloc(cap);
	if (timeout_s > 0)
		o += (size_t)snprintf(s, cap, "exec timeout -k 5 %d ", timeout_s);
	else
		o += (size_t)snprintf(s, cap, "exec ");
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			s[o++] = ' ';
		s[o++] = '\'';
		for (const char *c = argv[i]; *c; c++) {
			if (*c == '\'') {
				memcpy(s + o, "'\\''", 4);	/* close, escaped quote, reopen */
				o += 4;
			} else {
				s[o++] = *c;
			}
		}
		s[o++] = '\'';
	}
	s[o] = '\0';
	return s;
}

void ssh_argv(const struct ssh_options *o, const struct inv_host *h, const char *const *argv,
	      const char *fwd, int timeout_s, struct strv *a)
{
	strv_push(a, "ssh");
	if (o->config) {
		strv_push(a, "-F");
		strv_push(a, o->config);
	}
	if (o->identity) {
		strv_push(a, "-i");
		strv_push(a, o->identity);
		strv_push(a, "-o");
		strv_push(a, "IdentitiesOnly=yes");
	}
	strv_push(a, "-o");
	strv_push(a, "BatchMode=yes");
	strv_push(a, "-o");
	strv_pushf(a, "StrictHostKeyChecking=%s", o->strict ? o->strict : "yes");
	if (o->known_hosts) {
		strv_push(a, "-o");
		strv_pushf(a, "UserKnownHostsFile=%s", o->known_hosts);
	}
	/* A dead node is an error in bounded time, never a hang: the
	 * connection gives up, and an open one that stops answering ends. */
	strv_push(a, "-o");
	strv_pushf(a, "ConnectTimeout=%d",
		   o->connect_timeout > 0 ? o->connect_timeout : SSH_CONNECT_TIMEOUT);
	strv_push(a, "-o");
	strv_pushf(a, "ServerAliveInterval=%d",
		   o->server_alive_interval > 0 ? o->server_alive_interval : SSH_ALIVE_INTERVAL);
	strv_push(a, "-o");
	strv_pushf(a, "ServerAliveCountMax=%d",
		   o->server_alive_count_max > 0 ? o->server_alive_count_max : SSH_ALIVE_COUNT_MAX);
	if (o->control_dir) {
		strv_push(a, "-o");
		strv_push(a, "ControlMaster=auto");
		strv_push(a, "-o");
		strv_pushf(a, "ControlPath=%s/cm-%%C", o->control_dir);
		strv_push(a, "-o");
		strv_pushf(a, "ControlPersist=%d", o->control_persist > 0 ? o->control_persist : 60);
	}
	strv_push(a, "-p");
	strv_pushf(a, "%d", h->port);
	if (h->user) {
		strv_push(a, "-l");
		strv_push(a, h->user);
	}
	if (fwd) {
		strv_push(a, "-N");
		strv_push(a, "-o");
		strv_push(a, "ExitOnForwardFailure=yes");
		strv_push(a, "-L");
		strv_push(a, fwd);
	}
	strv_push(a, "--");
	strv_push(a, h->address);
	if (!fwd) {
		char *remote = ssh_command_line(argv, timeout_s);

		strv_push(a, remote);
		free(remote);
	}
}

/*
 * proc_start(), or with fwd (argv NULL) an ssh that only forwards:
 * "-N -L fwd" (LOCAL:REMOTE), its own connection, no command.
 */
static int start(const struct ssh_options *o, const struct inv_host *h,
		 const char *const *argv, const char *fwd, const char *stdin_data,
		 size_t stdin_len, int timeout_s, size_t out_max, struct proc *p,
		 struct sh_error *err);

int proc_start(const struct ssh_options *o, const struct inv_host *h,
	       const char *const *argv, const char *stdin_data, size_t stdin_len,
	       int timeout_s, struct proc *p, struct sh_error *err)
{
	if (!argv || !argv[0])
		return sh_error_set(err, SH_EXIT_INPUT, "no command to run on '%s'", h->name);
	return start(o, h, argv, NULL, stdin_data, stdin_len, timeout_s, 0, p, err);
}

int transport_forward_unix(const struct ssh_options *o, const struct inv_host *h,
			   const char *remote, const char *local, struct proc *p,
			   struct sh_error *err)
{
	struct ssh_options own = *o;
	double end = monotonic_now() + 15;
	char spec[8400];

	memset(p, 0, sizeof(*p));
	p->in_fd = p->out_fd = p->err_fd = -1;
	p->child = (struct child_process)CHILD_PROCESS_INIT;
	if (streq(h->connection, "local"))
		return sh_error_set(err, SH_EXIT_INPUT, "'%s' is this machine: nothing to forward",
				    h->name);
	/* A connection of its own: a ControlMaster would keep the forward
	 * after this ssh ends. */
	own.control_dir = NULL;
	snprintf(spec, sizeof(spec), "%s:%s", local, remote);
	unlink(local);
	if (start(&own, h, NULL, spec, NULL, 0, 0, 0, p, err) < 0)
		return -1;
	for (;;) {
		struct pollfd fds[3];
		struct stat sb;
		int n;

		if (stat(local, &sb) == 0 && S_ISSOCK(sb.st_mode))
			return 0;
		n = proc_pollfds(p, fds);
		poll(fds, (nfds_t)n, 50);
		proc_handle(p, fds, n);
		if (proc_done(p) || monotonic_now() > end) {
			const char *e = p->err.data ? p->err.data : "";
			size_t len = p->err.len;

			while (len && (e[len - 1] == '\n' || e[len - 1] == '\r'))
				len--;
			sh_error_set(err, SH_EXIT_FAILURE, "ssh forward of %s from %s: %.*s%s",
				     remote, h->name, (int)(len > 300 ? 300 : len),
				     len > 300 ? e + len - 300 : e,
				     proc_done(p) ? "" : len ? " (timed out)" : "timed out after 15 s");
			proc_release(p);
			unlink(local);
			return -1;
		}
	}
}

static int start(const struct ssh_options *o, const struct inv_host *h,
		 const char *const *argv, const char *fwd, const char *stdin_data,
		 size_t stdin_len, int timeout_s, size_t out_max, struct proc *p,
		 struct sh_error *err)
{
	struct child_process *c = &p->child;
	struct strv args = STRV_INIT;
	bool local = streq(h->connection, "local");
	int r;

	memset(p, 0, sizeof(*p));
	p->in_fd = p->out_fd = p->err_fd = -1;
	*c = (struct child_process)CHILD_PROCESS_INIT;
	p->out.max = out_max;
	if (!local)
		ssh_argv(o, h, argv, fwd, timeout_s, &args);
	c->argv = local ? argv : (const char *const *)args.v;
	c->in = c->out = c->err = CHILD_STDIO_PIPE;
	c->new_pgroup = true;	/* a timeout kills all of it */
	r = child_start(c, err);
	strv_release(&args);
	if (r < 0)
		return -1;
	/* The pipe ends are the proc's now: closed one by one at their end. */
	p->in_fd = c->in_fd;
	p->out_fd = c->out_fd;
	p->err_fd = c->err_fd;
	c->in_fd = c->out_fd = c->err_fd = -1;
	c->in = c->out = c->err = CHILD_STDIO_NULL;
	p->stdin_data = stdin_data;
	p->stdin_len = stdin_data ? stdin_len : 0;
	if (!p->stdin_len) {
		close(p->in_fd);
		p->in_fd = -1;
	}
	/* Locally we enforce the deadline; remotely timeout(1) does, and we
	 * give it a little longer before killing the ssh client. */
	if (timeout_s > 0)
		p->deadline = monotonic_now() + timeout_s + (local ? 0 : 10);
	return 0;
}

int proc_pollfds(const struct proc *p, struct pollfd *fds)
{
	int n = 0;

	if (p->in_fd >= 0)
		fds[n++] = (struct pollfd){ .fd = p->in_fd, .events = POLLOUT };
	if (p->out_fd >= 0)
		fds[n++] = (struct pollfd){ .fd = p->out_fd, .events = POLLIN };
	if (p->err_fd >= 0)
		fds[n++] = (struct pollfd){ .fd = p->err_fd, .events = POLLIN };
	if (!n && !p->reaped && p->child.pid_fd >= 0)
		fds[n++] = (struct pollfd){ .fd = p->child.pid_fd, .events = POLLIN };
	return n;
}

/*
 * Append: a tail keeps only the last PROC_OUTPUT_MAX bytes; data keeps
 * everything up to b->max and marks the overflow of anything more.
 */
static void outbuf_add(struct outbuf *b, const char *data, size_t len)
{
	if (b->max) {
		if (b->overflow)
			return;
		if (len > b->max - b->len) {
			len = b->max - b->len;
			b->overflow = true;
		}
		if (b->len + len + 1 > b->cap) {
			size_t cap = b->cap ? b->cap : 65536;

			while (cap < b->len + len + 1)
				cap *= 2;
			b->data = xrealloc(b->data, cap);
			b->cap = cap;
		}
	} else if (!b->data) {
		b->data = xmalloc(PROC_OUTPUT_MAX + 1);
		b->cap = PROC_OUTPUT_MAX + 1;
	}
	if (!b->max && len >= PROC_OUTPUT_MAX) {
		data += len - PROC_OUTPUT_MAX;
		len = PROC_OUTPUT_MAX;
		b->len = 0;
		b->truncated = true;
	} else if (!b->max && b->len + len > PROC_OUTPUT_MAX) {
		size_t drop = b->len + len - PROC_OUTPUT_MAX;

		memmove(b->data, b->data + drop, b->len - drop);
		b->len -= drop;
		b->truncated = true;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

static void drain(int *fd, struct outbuf *b)
{
	char buf[16384];

	for (;;) {
		ssize_t n = read(*fd, buf, sizeof(buf));

		if (n > 0) {
			outbuf_add(b, buf, (size_t)n);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		close(*fd);	/* EOF or error */
		*fd = -1;
		return;
	}
}

void proc_handle(struct proc *p, const struct pollfd *fds, int n)
{
	for (int i = 0; i < n; i++) {
		if (!fds[i].revents)
			continue;
		if (fds[i].fd == p->in_fd) {
			ssize_t w = write(p->in_fd, p->stdin_data + p->stdin_off,
					  p->stdin_len - p->stdin_off);

			if (w > 0)
				p->stdin_off += (size_t)w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) ||
			    p->stdin_off == p->stdin_len) {
				close(p->in_fd);
				p->in_fd = -1;
			}
		} else if (fds[i].fd == p->out_fd) {
			drain(&p->out_fd, &p->out);
		} else if (fds[i].fd == p->err_fd) {
			drain(&p->err_fd, &p->err);
		}
	}
	if (p->deadline > 0 && !p->reaped) {
		double t = monotonic_now();

		if (!p->timed_out && t >= p->deadline) {
			p->timed_out = true;
			p->killed_at = t;
			child_kill(&p->child, SIGTERM);
		} else if (p->timed_out && t >= p->killed_at + KILL_GRACE) {
			child_kill(&p->child, SIGKILL);
		}
	}
	/* With a pidfd the loop polls it and nothing blocks here. */
	if (!p->reaped && p->out_fd < 0 && p->err_fd < 0 &&
	    child_reap(&p->child, !p->timed_out && p->child.pid_fd < 0) == 1) {
		p->reaped = true;
		p->status = p->child.status;
		if (p->in_fd >= 0) {
			close(p->in_fd);
			p->in_fd = -1;
		}
	}
}

bool proc_done(const struct proc *p)
{
	return p->reaped;
}

void proc_release(struct proc *p)
{
	child_release(&p->child);	/* SIGKILLed and reaped if it runs */
	if (p->in_fd >= 0)
		close(p->in_fd);
	if (p->out_fd >= 0)
		close(p->out_fd);
	if (p->err_fd >= 0)
		close(p->err_fd);
	free(p->out.data);
	free(p->err.data);
	memset(p, 0, sizeof(*p));
	p->in_fd = p->out_fd = p->err_fd = -1;
	p->child = (struct child_process)CHILD_PROCESS_INIT;
}

int transport_run(const struct ssh_options *o, const struct inv_host *h,
		  const char *const *argv, const char *stdin_data, size_t stdin_len,
		  int timeout_s, bool data, struct proc *p, struct sh_error *err)
{
	if (!argv || !argv[0])
		return sh_error_set(err, SH_EXIT_INPUT, "no command to run on '%s'", h->name);
	if (start(o, h, argv, NULL, stdin_data, stdin_len, timeout_s, data ? PROC_DATA_MAX : 0,
		  p, err) < 0)
		return -1;
	while (!proc_done(p)) {
		struct pollfd fds[3];
		int n = proc_pollfds(p, fds);

		if (n)
			poll(fds, (nfds_t)n, 200);
		else
			poll(NULL, 0, 20);	/* all pipes closed: waiting for the exit */
		proc_handle(p, fds, n);
	}
	return 0;
}
