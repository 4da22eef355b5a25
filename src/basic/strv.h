/*
 * strv.h - a growable argv: a NULL-terminated array of strings it owns
 * (systemd's strv, git's strvec), for command lines of any length.
 *
 *   struct strv a = STRV_INIT;
 *   strv_push(&a, "ssh");
 *   strv_pushf(&a, "ConnectTimeout=%d", 10);
 *   ... run((const char *const *)a.v) ...
 *   strv_release(&a);
 *
 * v is never NULL after the first push and always ends with NULL; the
 * strings are copies, freed by strv_release().
 */
#ifndef STACKHOP_STRV_H
#define STACKHOP_STRV_H

#include <stddef.h>

struct strv {
	char **v;
	size_t n, cap;
};

#define STRV_INIT { NULL, 0, 0 }

/* Append a copy of s. */
void strv_push(struct strv *a, const char *s);
/* Append a formatted string. */
void strv_pushf(struct strv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append copies of every string of the NULL-terminated v (may be NULL). */
void strv_pushv(struct strv *a, const char *const *v);
/* Free the strings and the array; a is empty again. */
void strv_release(struct strv *a);

#endif
