/* common.c - what the subcommands share; see cmd.h. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "infra.h"
#include "journal.h"
#include "util.h"

#ifndef STACKHOP_DATADIR
#define STACKHOP_DATADIR "/usr/local/share/stackhop"
#endif

/*
 * name (a directory of stackhop's data) beside the executable when it holds
 * probe (a build tree), else the installed one.  Static buffer.
 */
static const char *data_dir(const char *name, const char *probe)
{
	static char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 64);
	char *slash;

	if (n > 0 && strlen(name) + strlen(probe) < 48) {
		buf[n] = '\0';
		slash = strrchr(buf, '/');
		if (slash) {
			size_t off = (size_t)(slash - buf), len;

			snprintf(buf + off, sizeof(buf) - off, "/%s", name);
			len = strlen(buf);
			snprintf(buf + len, sizeof(buf) - len, "/%s", probe);
			if (access(buf, R_OK) == 0) {
				buf[len] = '\0';
				return buf;
			}
		}
	}
	snprintf(buf, sizeof(buf), "%s/%s", STACKHOP_DATADIR, name);
	return buf;
}

const char *catalog_dir(const char *option)
{
	const char *env = getenv("STACKHOP_CATALOG");

	if (option)
		return option;
	if (env && *env)
		return env;
	return data_dir("catalog", "releases.yaml");
}

const char *lab_dir(void)
{
	return data_dir("lab", "lab.sh");
}

int report_error(const struct sh_error *err)
{
	fprintf(stderr, "error: %s\n", err->msg[0] ? err->msg : "unknown failure");
	return err->status ? err->status : SH_EXIT_FAILURE;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nsee 'stackhop %s --help'\n", cmd);
	return SH_EXIT_INPUT;
}

int ssh_options_init(const struct settings *st, struct ssh_options *o, char *cdir,
		     size_t size, struct sh_error *err)
{
	struct stat sb;

	*o = (struct ssh_options){
		.config = st->ssh_config, .identity = st->ssh_identity,
		.known_hosts = st->ssh_known_hosts, .strict = st->ssh_strict,
		.control_persist = (int)st->ssh_control_persist,
		.connect_timeout = (int)st->ssh_connect_timeout,
		.server_alive_interval = (int)st->ssh_server_alive_interval,
		.server_alive_count_max = (int)st->ssh_server_alive_count_max,
	};
	/* ControlPath sockets in a private directory of this user. */
	snprintf(cdir, size, "/tmp/stackhop-ssh-%d", (int)getuid());
	if (mkdir(cdir, 0700) < 0 && errno != EEXIST)
		return sh_error_set(err, SH_EXIT_FAILURE, "cannot create '%s': %s", cdir,
				    strerror(errno));
	if (lstat(cdir, &sb) < 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != getuid() ||
	    (sb.st_mode & 077))
		return sh_error_set(err, SH_EXIT_FAILURE,
				    "'%s' must be a directory owned by uid %d with mode 0700", cdir,
				    (int)getuid());
	o->control_dir = cdir;
	return 0;
}

int state_file_name(char *buf, size_t size, const char *name, const char *ext,
		    struct sh_error *err)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];

	if (mkdir(STATE_DIR, 0700) < 0 && errno != EEXIST)
		return sh_error_set(err, SH_EXIT_FAILURE, "cannot create %s: %s", STATE_DIR,
				    strerror(errno));
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, size, "%s/%s-%s.%s", STATE_DIR, name, stamp, ext);
	return 0;
}

int infra_open(struct infra *x, const char *inv_path, const char *set_path,
	       struct sh_error *err)
{
	char def[PATH_MAX];

	memset(x, 0, sizeof(*x));
	x->t0 = monotonic_now();
	if (!set_path)
		return sh_error_set(err, SH_EXIT_INPUT, "missing -s SETTINGS");
	if (!inv_path) {
		/* The inventory beside the settings (as the lab writes them). */
		char dir[PATH_MAX];

		strlcpy_sh(dir, set_path, sizeof(dir));
		snprintf(def, sizeof(def), "%s/inventory", dirname(dir));
		if (access(def, R_OK) < 0)
			return sh_error_set(err, SH_EXIT_INPUT,
					    "missing -i INVENTORY (and no 'inventory' beside '%s')", set_path);
		inv_path = def;
	}
	if (inventory_load(inv_path, &x->inv, err) < 0 ||
	    settings_load(set_path, &x->st, err) < 0)
		goto fail;
	x->rt = runtime_for(x->st->runtime);
	if (!x->st->secrets) {
		sh_error_set(err, SH_EXIT_INPUT, "%s: the settings name no secrets file (secrets:), and this needs the database credentials",
			     set_path);
		goto fail;
	}
	if (secrets_load(x->st->secrets, &x->secrets, err) < 0 ||
	    ssh_options_init(x->st, &x->ssh, x->ssh_dir, sizeof(x->ssh_dir), err) < 0)
		goto fail;
	return 0;
fail:
	infra_close(x);
	return -1;
}

int probe_targets_print(struct journal *j)
{
	struct journal_probe_target *t = NULL;
	struct sh_error err = { 0 };
	size_t n = 0;

	if (journal_read_probe_targets(j, &t, &n, &err) < 0) {
		fprintf(stderr, "warning: %s\n", err.msg);
		return -1;
	}
	if (n)
		printf("downtime per probed target (samples, failed, outages, longest, downtime):\n");
	for (size_t i = 0; i < n; i++)
		printf("  %-7s %-34s %7lld %6lld %4lld %9.3f s %9.3f s\n", t[i].plane, t[i].target,
		       t[i].samples, t[i].failures, t[i].outages, t[i].longest, t[i].downtime);
	journal_probe_targets_free(t, n);
	return 0;
}

json_t *probe_targets_json(struct journal *j)
{
	struct journal_probe_target *t = NULL;
	struct sh_error err = { 0 };
	json_t *a = json_array();
	size_t n = 0;

	if (journal_read_probe_targets(j, &t, &n, &err) < 0)
		fprintf(stderr, "warning: %s\n", err.msg);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:I, s:I, s:f, s:f}", "target",
						   t[i].target, "plane", t[i].plane, "samples",
						   (json_int_t)t[i].samples, "failures",
						   (json_int_t)t[i].failures, "outages",
						   (json_int_t)t[i].outages, "longest", t[i].longest,
						   "downtime", t[i].downtime));
	journal_probe_targets_free(t, n);
	return a;
}

bool stdout_reader_gone(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT };

	/* A pipe without readers polls POLLERR; a closed socket POLLHUP. */
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

int stdout_finish(int r)
{
	int e = 0;

	if (fflush(stdout) == EOF)
		e = errno;
	if (!e && !ferror(stdout))
		return r;
	if (stdout_reader_gone() || r)
		return r;	/* the reader left; or the command said what failed */
	fprintf(stderr, "error: cannot write to standard output: %s\n",
		e ? strerror(e) : "a write failed");
	return SH_EXIT_FAILURE;
}
