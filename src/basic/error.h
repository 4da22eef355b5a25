/*
 * error.h - the error object every fallible stackhop function fills in.
 *
 * Library code never prints: it returns -1 and describes the failure in a
 * caller-supplied struct sh_error (as crun's libcrun_error_t does).  Only
 * the command layer prints it, once, in git's style:
 *
 *   error: examples/multinode:12: unknown group 'contrl' in [all:children]
 *
 * The status is the process exit status the failure deserves: 2 for bad
 * input (inventory, catalog, settings, arguments), 1 for anything else.
 */
#ifndef STACKHOP_ERROR_H
#define STACKHOP_ERROR_H

#include <stddef.h>

enum {
	SH_EXIT_OK = 0,
	SH_EXIT_FAILURE = 1,
	SH_EXIT_INPUT = 2,
};

struct sh_error {
	int status;		/* SH_EXIT_INPUT or SH_EXIT_FAILURE; 0 when unset */
	char msg[2048];
};

/*
 * Record a failure and return -1, so that callers can write
 * "return sh_error_set(err, SH_EXIT_INPUT, ...)".  A NULL err is allowed
 * (the message is then dropped).  The first error set wins: a caller that
 * adds context uses sh_error_prefix().
 */
int sh_error_set(struct sh_error *err, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Bad input at file:line; status SH_EXIT_INPUT.  line <= 0 omits it. */
int sh_error_at(struct sh_error *err, const char *file, int line,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Put "prefix: " in front of an error already set; returns -1. */
int sh_error_prefix(struct sh_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void sh_error_clear(struct sh_error *err);

#endif
