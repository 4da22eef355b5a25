/* common.c - what the subcommands share; see cmd.h. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd.h"
#include "util.h"

#ifndef STACKHOP_DATADIR
#define STACKHOP_DATADIR "/usr/local/share/stackhop"
#endif

const char *catalog_dir(const char *option)
{
	static char buf[PATH_MAX];
	const char *env = getenv("STACKHOP_CATALOG");
	ssize_t n;

	if (option)
		return option;
	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", buf, sizeof(buf) - 32);
	if (n > 0) {
		char *slash;

		buf[n] = '\0';
		slash = strrchr(buf, '/');
		if (slash) {
			size_t off = (size_t)(slash - buf);

			snprintf(buf + off, sizeof(buf) - off, "/catalog");
			strlcpy_sh(buf + off + 8, "/releases.yaml", sizeof(buf) - off - 8);
			if (access(buf, R_OK) == 0) {
				buf[off + 8] = '\0';
				return buf;
			}
		}
	}
	return STACKHOP_DATADIR "/catalog";
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
