/*
 * fault.h - crash points for the kill tests (SQLite's torture mode, in
 * the form of a real SIGKILL).
 *
 * Every write that makes state durable (a journal transaction, a sim
 * model write) calls fault_point() after it.  With STACKHOP_CRASH_AT=N in
 * the environment the process kills itself with SIGKILL right after the
 * N-th such point.  With STACKHOP_CRASH_AT=0 it only counts them, and
 * with STACKHOP_CRASH_LOG=FILE as well it appends one line per point to
 * FILE: "N<TAB>WHAT<TAB>DETAIL" (e.g. "17	done	ocata/nova/db-sync").
 * Without the variables a point costs one comparison.  This is a test
 * hook: the crash test of make check uses it to kill a run at every step
 * boundary and inside long steps.
 */
#ifndef STACKHOP_FAULT_H
#define STACKHOP_FAULT_H

#include <stdbool.h>

void fault_point(const char *what, const char *detail);
/* Whether fault_point() logs: callers compute detail only then. */
bool fault_logging(void);
unsigned long fault_points(void);

/*
 * With STACKHOP_FAULT_TRUNCATE=WHAT:BYTES in the environment, truncate
 * path to BYTES when what is WHAT: a corrupted file where the code that
 * must catch it will look (test hook: "backup" is the fresh dump before
 * its verification).  Without the variable it does nothing.
 */
void fault_truncate(const char *what, const char *path);

#endif
