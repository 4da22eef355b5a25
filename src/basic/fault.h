/*
 * fault.h - crash points for the kill tests (SQLite's torture mode, in
 * the form of a real SIGKILL).
 *
 * Every write that makes state durable (a journal transaction, a sim
 * model write) calls fault_point() after it.  With STACKHOP_CRASH_AT=N in
 * the environment the process kills itself with SIGKILL right after the
 * N-th such point; with STACKHOP_CRASH_AT=0 it only counts them, and
 * fault_points() says how many there were.  Without the variable it costs
 * one comparison.  This is a test hook: the crash test in make check uses
 * it to kill a run at every boundary.
 */
#ifndef STACKHOP_FAULT_H
#define STACKHOP_FAULT_H

void fault_point(const char *what);
unsigned long fault_points(void);

#endif
