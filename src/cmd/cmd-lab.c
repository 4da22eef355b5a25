/*
 * cmd-lab.c - stackhop lab: the lab cloud (lab/lab.sh does the work: it
 * is shell because it is a sequence of commands on namespaces and
 * daemons; this checks the arguments and runs it).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

static const char lab_usage[] =
	"usage: stackhop lab up [--dir DIR] [--controllers N] [--computes N] [--networks N]\n"
	"       stackhop lab status [--dir DIR]\n"
	"       stackhop lab down [--dir DIR] [--keep-data]\n"
	"\n"
	"The lab: a small cloud on this machine built from real Debian packages.\n"
	"Every node is a network namespace on a bridge (10.231.0.0/24) with its\n"
	"own sshd; the controllers run a MariaDB Galera cluster, a RabbitMQ\n"
	"cluster, HAProxy and keepalived (VIP 10.231.0.100), memcached and\n"
	"Keystone; the compute and network nodes an instance behind a floating\n"
	"IP (10.231.0.150).  Services run from images of two Debian versions\n"
	"where Debian has two, starting at the older.  Needs root.\n"
	"\n"
	"  up       build and start what is not running (a second run repairs,\n"
	"           never duplicates); prints the inventory, settings and\n"
	"           secrets files it writes into DIR\n"
	"  status   each node and service with its version and health\n"
	"  down     stop every process the lab started (by recorded PID), remove\n"
	"           its namespaces and bridge, and its state unless --keep-data\n"
	"           (downloaded images are kept)\n"
	"\n"
	"      --dir DIR         the lab's directory (default /var/tmp/stackhop-lab)\n"
	"      --controllers N   controllers (default 3), --computes N (default 1),\n"
	"      --computes N      --networks N (default 1); 1 to 9 each\n"
	"      --networks N\n"
	"      --keep-data       down: keep config, data and logs\n"
	"  -h, --help            show this help\n";

int cmd_lab(int argc, char **argv)
{
	char script[PATH_MAX];
	const char *sub = argc > 1 ? argv[1] : NULL;
	const char **args;
	struct child_process lab = CHILD_PROCESS_INIT;
	struct sh_error err = { 0 };
	int status;

	if (!sub || streq(sub, "-h") || streq(sub, "--help")) {
		fputs(lab_usage, sub ? stdout : stderr);
		return sub ? 0 : SH_EXIT_INPUT;
	}
	if (!streq(sub, "up") && !streq(sub, "down") && !streq(sub, "status"))
		return usage_error("lab", "unknown lab command '%s' (expected up, status or down)", sub);
	for (int i = 2; i < argc; i++)
		if (streq(argv[i], "-h") || streq(argv[i], "--help")) {
			fputs(lab_usage, stdout);
			return 0;
		}
	snprintf(script, sizeof(script), "%s/lab.sh", lab_dir());
	if (access(script, R_OK) < 0) {
		fprintf(stderr, "error: cannot find the lab's scripts at '%s': %s\n", script,
			strerror(errno));
		return SH_EXIT_FAILURE;
	}
	fflush(stdout);
	args = xcalloc((size_t)argc + 2, sizeof(*args));
	args[0] = "sh";
	args[1] = script;
	for (int i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	/*
	 * A child like every other (fds 0-2 only, signals reset), its status
	 * ours.  As system() does, a Ctrl-C is the script's to handle (its
	 * cleanup traps): this process ignores it while it waits, and the
	 * script is not ended when this process is.
	 */
	lab.argv = args;
	lab.file = "/bin/sh";
	lab.in = lab.out = lab.err = CHILD_STDIO_INHERIT;
	lab.keep_on_parent_death = true;
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	status = child_run(&lab, &err);
	free(args);
	return status < 0 ? report_error(&err) : status;
}
