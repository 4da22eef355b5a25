/*
 * cmd-exec.c - stackhop exec: run one command on many hosts through
 * stackhop's transport (the ad-hoc command of an operator, and the
 * transport's test and benchmark driver).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "inventory.h"
#include "secrets.h"
#include "settings.h"
#include "transport.h"

static const char exec_usage[] =
	"usage: stackhop exec -i INVENTORY [-s SETTINGS] [--limit PATTERN] [--forks N]\n"
	"                     [--timeout SECONDS] [--quiet] -- COMMAND [ARGS...]\n"
	"\n"
	"Run COMMAND with ARGS on every host of PATTERN (groups joined by ':',\n"
	"default all), at most N at once, over ssh (ControlMaster, strict host\n"
	"keys, the settings' ssh options) or locally for ansible_connection=local.\n"
	"Arguments arrive exactly as given.  Each host's output is printed as one\n"
	"block when it finishes, with the values of the settings' secrets file\n"
	"replaced by [redacted].\n"
	"\n"
	"  -i, --inventory FILE  Ansible INI inventory\n"
	"  -s, --settings FILE   stackhop settings (the ssh: section applies)\n"
	"      --limit PATTERN   hosts to run on (default: all)\n"
	"      --forks N         commands at once (default 10)\n"
	"      --timeout S       kill the command after S seconds (0: none; default 0)\n"
	"      --quiet           print only hosts that failed\n"
	"  -h, --help            show this help\n"
	"\n"
	"Exit status: 0 when every host succeeded, 1 when any failed, 2 bad input.\n";

/* One stream of a command's output, secrets redacted. */
static void print_stream(const char *title, const struct outbuf *b,
			 const struct redactor *red)
{
	char *text;

	if (!b->len)
		return;
	text = b->truncated ? redact_tail(red, b->data, b->len) : redact(red, b->data, b->len);
	printf("%s%s%s%s", title, b->truncated ? "[...]\n" : "", text,
	       text[0] && text[strlen(text) - 1] == '\n' ? "" : "\n");
	free(text);
}

static void print_result(const struct inv_host *h, const struct proc *p, bool quiet,
			 const struct redactor *red)
{
	bool ok = p->status == 0;

	if (quiet && ok)
		return;
	printf("== %s: %s, exit status %d\n", h->name,
	       p->timed_out ? "timed out" : ok ? "ok" : "failed", p->status);
	print_stream("", &p->out, red);
	print_stream("-- stderr\n", &p->err, red);
	fflush(stdout);
}

struct exec_opts {
	const char *inv_path, *set_path, *limit;
	long forks, timeout;
	bool quiet;
};

/*
 * Read the options into o; the command starts at argv[optind].  Returns
 * -1 to go on, else the exit status (after --help, or a usage error).
 */
static int exec_options(int argc, char **argv, struct exec_opts *o)
{
	static const struct option opts[] = {
		{ "inventory", required_argument, NULL, 'i' },
		{ "settings", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ "forks", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+i:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': o->inv_path = optarg; break;
		case 's': o->set_path = optarg; break;
		case 'l': o->limit = optarg; break;
		case 'f':
			if (parse_long(optarg, 1, 1000, &o->forks) < 0)
				return usage_error("exec", "--forks must be from 1 to 1000, not '%s'", optarg);
			break;
		case 't':
			if (parse_long(optarg, 0, 86400, &o->timeout) < 0)
				return usage_error("exec", "--timeout must be seconds from 0 to 86400, not '%s'",
						   optarg);
			break;
		case 'q': o->quiet = true; break;
		case 'h': fputs(exec_usage, stdout); return 0;
		default: return usage_error("exec", "bad option");
		}
	}
	if (!o->inv_path)
		return usage_error("exec", "missing -i INVENTORY");
	if (optind >= argc)
		return usage_error("exec", "missing COMMAND (after --)");
	return -1;
}

/*
 * Run cmd on every host, at most o->forks at once, in one poll loop over
 * the running commands: run[] holds them, each with the range of fds[]
 * it filled this round.  Each result is printed as its command ends;
 * *failed counts the hosts that failed.
 */
static int exec_loop(const struct exec_opts *o, const inv_host_vec *hosts,
		     const char *const *cmd, const struct ssh_options *ssh,
		     const struct redactor *red, struct proc *procs, size_t *failed,
		     struct sh_error *err)
{
	struct pollfd *fds = xcalloc((size_t)o->forks * 3, sizeof(*fds));
	struct running { size_t host, first; int count; } *run =
		xcalloc((size_t)o->forks, sizeof(*run));
	size_t next = 0, running = 0;
	int r = -1;

	while (next < hosts->n || running) {
		size_t nfds = 0;

		while (running < (size_t)o->forks && next < hosts->n) {
			if (proc_start(ssh, hosts->v[next], cmd, NULL, 0, (int)o->timeout,
				       &procs[next], err) < 0)
				goto out;
			run[running++].host = next++;
		}
		for (size_t k = 0; k < running; k++) {
			run[k].first = nfds;
			run[k].count = proc_pollfds(&procs[run[k].host], fds + nfds);
			nfds += (size_t)run[k].count;
		}
		poll(fds, nfds, nfds ? 200 : 20);
		for (size_t k = 0; k < running;) {
			struct proc *p = &procs[run[k].host];

			proc_handle(p, fds + run[k].first, run[k].count);
			if (!proc_done(p)) {
				k++;
				continue;
			}
			*failed += p->status != 0;
			print_result(hosts->v[run[k].host], p, o->quiet, red);
			proc_release(p);	/* a finished command holds no fd */
			run[k] = run[--running];	/* order does not matter */
		}
	}
	r = 0;
out:
	free(fds);
	free(run);
	return r;
}

int cmd_exec(int argc, char **argv)
{
	struct exec_opts x = { .limit = "all", .forks = 10 };
	bool missing = false;
	struct sh_error err = { 0 };
	struct inventory *inv = NULL;
	struct settings *st = NULL;
	struct secrets *secrets = NULL;
	inv_host_vec hosts = { 0 };
	struct proc *procs = NULL;
	char cdir[64];
	struct ssh_options o = { 0 };
	size_t failed = 0;
	int r;

	if ((r = exec_options(argc, argv, &x)) >= 0)
		return r;
	if (inventory_load(x.inv_path, &inv, &err) < 0)
		goto fail;
	if (settings_load_or_defaults(x.set_path, &st, &err) < 0)
		goto fail;
	/* Output is shown with the run's secrets redacted. */
	if (st->secrets && secrets_load(st->secrets, &secrets, &err) < 0)
		goto fail;
	inventory_select(inv, x.limit, &hosts, &missing);
	if (missing || !hosts.n) {
		sh_error_set(&err, SH_EXIT_INPUT, "--limit '%s' matches no host of '%s'%s", x.limit,
			     x.inv_path, missing ? " (unknown group)" : "");
		goto fail;
	}
	if (ssh_options_init(st, &o, cdir, sizeof(cdir), &err) < 0)
		goto fail;

	procs = xcalloc(hosts.n, sizeof(*procs));
	for (size_t i = 0; i < hosts.n; i++) {
		procs[i].in_fd = procs[i].out_fd = procs[i].err_fd = -1;
		procs[i].child = (struct child_process)CHILD_PROCESS_INIT;
	}
	if (exec_loop(&x, &hosts, (const char *const *)argv + optind, &o,
		      secrets ? &secrets->redactor : NULL, procs, &failed, &err) < 0)
		goto fail;
	if (!x.quiet || failed)
		printf("%zu host%s, %zu failed\n", hosts.n, hosts.n == 1 ? "" : "s", failed);
	r = failed ? SH_EXIT_FAILURE : 0;
	goto out;
fail:
	r = report_error(&err);
out:
	for (size_t i = 0; procs && i < hosts.n; i++)
		if (procs[i].child.pid)
			proc_release(&procs[i]);
	free(procs);
	vec_free(hosts);
	secrets_free(secrets);
	settings_free(st);
	inventory_free(inv);
	return r;
}
