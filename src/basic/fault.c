/* fault.c - see fault.h. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"
#include "util.h"

static unsigned long count, crash_at;
static bool enabled, initialized;
static FILE *log_file;

static void init(void)
{
	const char *e = getenv("STACKHOP_CRASH_AT"), *l = getenv("STACKHOP_CRASH_LOG");
	long n;

	initialized = true;
	if (!e || parse_long(e, 0, 1L << 40, &n) < 0)
		return;
	enabled = true;
	crash_at = (unsigned long)n;
	if (!crash_at && l && *l)
		log_file = fopen(l, "ae");
}

bool fault_logging(void)
{
	if (!initialized)
		init();
	return log_file != NULL;
}

void fault_point(const char *what, const char *detail)
{
	if (!initialized)
		init();
	if (!enabled)
		return;
	count++;
	if (log_file) {
		fprintf(log_file, "%lu\t%s\t%s\n", count, what, detail ? detail : "");
		fflush(log_file);
	}
	if (count == crash_at)
		raise(SIGKILL);
}

unsigned long fault_points(void)
{
	return count;
}

void fault_truncate(const char *what, const char *path)
{
	const char *e = getenv("STACKHOP_FAULT_TRUNCATE"), *colon;
	size_t wl = strlen(what);
	long n;

	if (!e || !(colon = strchr(e, ':')) || (size_t)(colon - e) != wl || strncmp(e, what, wl) ||
	    parse_long(colon + 1, 0, 1L << 40, &n) < 0)
		return;
	if (truncate(path, (off_t)n) < 0)
		perror(path);
}
