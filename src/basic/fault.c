/* fault.c - see fault.h. */
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

#include "fault.h"
#include "util.h"

static unsigned long count, crash_at;
static bool enabled, initialized;

void fault_point(const char *what)
{
	(void)what;
	if (!initialized) {
		const char *e = getenv("STACKHOP_CRASH_AT");
		long n;

		initialized = true;
		if (e && parse_long(e, 0, 1L << 40, &n) == 0) {
			enabled = true;
			crash_at = (unsigned long)n;
		}
	}
	if (!enabled)
		return;
	if (++count == crash_at)
		raise(SIGKILL);
}

unsigned long fault_points(void)
{
	return count;
}
