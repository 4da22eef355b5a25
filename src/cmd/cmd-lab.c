/*
 * cmd-lab.c - stackhop lab: the lab cloud (lab/lab.sh does the work: it
 * is shell because it is a sequence of commands on namespaces and
 * daemons; this checks the arguments and runs it).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"

static const char lab_usage[] =
	"usage: stackhop lab up [--dir DIR] [--controllers N] [--computes N] [--networks N]\n"
	"                       [--runtime process|docker]\n"
	"       stackhop lab status [--dir DIR]\n"
	"       stackhop lab down [--dir DIR] [--keep-data]\n"
	"       stackhop lab images [--dir DIR]\n"
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
	"  images   build (or take from DIR/cache) one root filesystem per Debian\n"
	"           release, bookworm (Zed) and trixie (2025.1 Epoxy), and of\n"
	"           bookworm-point (Debian 12 as its last point release shipped\n"
	"           it: Zed at the older patch level), import each into the\n"
	"           lab's Podman store (DIR/podman) with kolla_start as its entry\n"
	"           point and a tag per service (lab/keystone:zed, ...) and per\n"
	"           package version (lab/keystone:22.0.2-0_deb12u6), and print\n"
	"           the versions each carries; lab up does this too\n"
	"\n"
	"      --dir DIR         the lab's directory (default /var/tmp/stackhop-lab)\n"
	"      --controllers N   controllers (default 3), --computes N (default 1),\n"
	"      --computes N      --networks N (default 1); 1 to 9 each\n"
	"      --networks N\n"
	"      --keep-data       down: keep config, data and logs\n"
	"      --runtime docker  up (the default for a new lab): every controller\n"
	"                        service a container of the bookworm-point image\n"
	"                        in its node's namespace, created and started by\n"
	"                        stackhop's own steps through the Docker API (the\n"
	"                        settings say runtime: docker); process: the\n"
	"                        services as processes of unpacked packages\n"
	"  -h, --help            show this help\n"
	"\n"
	"DIR must be root's and writable by no one else; lab up marks it with\n"
	"DIR/.stackhop-lab, and down and status refuse a DIR without that mark\n"
	"(as up does a non-empty one, unless it holds only what a lab leaves).\n";

/* The mark lab up leaves in its directory (lab/lib.sh: LAB_MARK). */
#define LAB_MARK ".stackhop-lab"

/* What lab down keeps, or a lab of an older stackhop left (it had no
 * mark): up takes such a directory over. */
static bool lab_leftover(const char *name)
{
	static const char *const names[] = {
		"images", "cache", "podman", "lab.env", "ssh", "nodes", "shared", "pids", "inventory",
		"settings.yaml", "secrets.yaml", "client.cnf",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (streq(name, names[i]))
			return true;
	return false;
}

/* 1 when every entry of dir is a lab_leftover() (*empty: there is none),
 * 0 when one is not, -1 on error (errno). */
static int dir_only_leftovers(const char *dir, bool *empty)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int r = 1;

	if (!d)
		return -1;
	*empty = true;
	while ((e = readdir(d))) {
		if (streq(e->d_name, ".") || streq(e->d_name, ".."))
			continue;
		*empty = false;
		if (!lab_leftover(e->d_name))
			r = 0;
	}
	closedir(d);
	return r;
}

/* path is root's, and no one else may write it. */
static int check_root_only(const char *path, const struct stat *st, const char *what)
{
	if (st->st_uid != 0) {
		fprintf(stderr, "error: %s '%s' is owned by uid %u, not root: refusing (the lab runs its files as root)\n",
			what, path, (unsigned)st->st_uid);
		return -1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		fprintf(stderr, "error: %s '%s' is writable by group or others (mode %04o): refusing (the lab runs its files as root)\n",
			what, path, (unsigned)(st->st_mode & 07777));
		return -1;
	}
	return 0;
}

/*
 * The lab's directory, before lab.sh (as root) sources its files and
 * removes what it made there: root's, writable by no one else, and marked
 * as the lab's (up: unless it does not exist yet, is empty, or holds only
 * what a lab leaves).  The same rules as lab.sh for which DIR: the last
 * --dir, else $STACKHOP_LAB_DIR, else the default.
 */
static int check_lab_dir(const char *sub, int argc, char **argv)
{
	const char *dir = getenv("STACKHOP_LAB_DIR");
	char mark[PATH_MAX];
	struct stat st;
	bool empty;
	int only;

	if (!dir || !*dir)
		dir = "/var/tmp/stackhop-lab";
	for (int i = 2; i < argc; i++)
		if (streq(argv[i], "--dir")) {
			if (i + 1 >= argc || !*argv[i + 1]) {
				usage_error("lab", "--dir needs a directory");
				return -1;
			}
			dir = argv[++i];
		}
	if (lstat(dir, &st) < 0) {
		if (errno == ENOENT && (streq(sub, "up") || streq(sub, "images")))
			return 0;	/* lab up (or images) makes it */
		fprintf(stderr, "error: no lab at '%s': %s\n", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "error: lab directory '%s' is not a directory%s: refusing\n", dir,
			S_ISLNK(st.st_mode) ? " (a symbolic link)" : "");
		return -1;
	}
	if (check_root_only(dir, &st, "lab directory") < 0)
		return -1;
	if (snprintf(mark, sizeof(mark), "%s/%s", dir, LAB_MARK) >= (int)sizeof(mark)) {
		fprintf(stderr, "error: lab directory '%s': name too long\n", dir);
		return -1;
	}
	if (lstat(mark, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			fprintf(stderr, "error: '%s' is not a regular file: refusing\n", mark);
			return -1;
		}
		return check_root_only(mark, &st, "lab mark");
	}
	if (errno != ENOENT) {
		fprintf(stderr, "error: cannot read '%s': %s\n", mark, strerror(errno));
		return -1;
	}
	if (streq(sub, "up") || streq(sub, "images")) {
		only = dir_only_leftovers(dir, &empty);
		if (only < 0) {
			fprintf(stderr, "error: cannot read lab directory '%s': %s\n", dir, strerror(errno));
			return -1;
		}
		if (empty || only)
			return 0;
		fprintf(stderr, "error: '%s' is not empty and has no %s: not a lab directory, refusing\n",
			dir, LAB_MARK);
		return -1;
	}
	fprintf(stderr, "error: '%s' has no %s: not a lab directory (lab up makes one), refusing\n",
		dir, LAB_MARK);
	return -1;
}

int cmd_lab(int argc, char **argv)
{
	char script[PATH_MAX];
	const char *sub = argc > 1 ? argv[1] : NULL;
	const char **args;
	struct child_process lab = CHILD_PROCESS_INIT;
	struct sh_error err = { 0 };
	static const char bin_key[] = "STACKHOP_BIN=";
	char self[PATH_MAX + sizeof(bin_key)];
	const char *env[] = { NULL, NULL };
	int status;

	if (!sub || streq(sub, "-h") || streq(sub, "--help")) {
		fputs(lab_usage, sub ? stdout : stderr);
		return sub ? 0 : SH_EXIT_INPUT;
	}
	if (!streq(sub, "up") && !streq(sub, "down") && !streq(sub, "status") &&
	    !streq(sub, "images"))
		return usage_error("lab", "unknown lab command '%s' (expected up, status, down or images)",
				   sub);
	for (int i = 2; i < argc; i++)
		if (streq(argv[i], "-h") || streq(argv[i], "--help")) {
			fputs(lab_usage, stdout);
			return 0;
		}
	if (check_lab_dir(sub, argc, argv) < 0)
		return SH_EXIT_INPUT;
	snprintf(script, sizeof(script), "%s/lab.sh", lab_dir());
	if (access(script, R_OK) < 0) {
		fprintf(stderr, "error: cannot find the lab's scripts at '%s': %s\n", script,
			strerror(errno));
		return SH_EXIT_FAILURE;
	}
	fflush(stdout);
	/* lab.sh starts the containerized lab's services with this binary. */
	{
		const size_t kl = sizeof(bin_key) - 1;
		ssize_t n = readlink("/proc/self/exe", self + kl, sizeof(self) - kl - 1);

		if (n > 0) {
			memcpy(self, bin_key, kl);
			self[kl + (size_t)n] = '\0';
			env[0] = self;
			lab.env = env;
		}
	}
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
