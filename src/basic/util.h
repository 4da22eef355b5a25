/*
 * util.h - allocation, an arena, growable vectors and small string helpers.
 *
 * Ownership: memory from xmalloc()/xstrdup() belongs to the caller.  Memory
 * from an arena belongs to the arena and is released all at once by
 * arena_release(); the inventory, catalog and plan keep their strings and
 * records there, so their _free() functions are a few lines and cannot leak
 * one field.  Allocation failure aborts with a message (as git's xmalloc),
 * because no caller could do anything more useful.
 */
#ifndef STACKHOP_UTIL_H
#define STACKHOP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/*
 * Every line of want is a line of have (both '\n'-separated); otherwise the
 * first missing line goes into missing.
 */
bool str_lines_within(const char *want, const char *have, char *missing, size_t size);
/* The first n bytes of s (which must have them), terminated. */
char *xstrndup(const char *s, size_t n);

/* Copy at most size-1 bytes and terminate; returns strlen(src). */
size_t strlcpy_sh(char *dst, const char *src, size_t size);

static inline bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

bool str_has_prefix(const char *s, const char *prefix);
bool str_has_suffix(const char *s, const char *suffix);

/*
 * Parse a whole string as a decimal integer in [min, max].  Returns 0 and
 * sets *ret, or -1 (leaving *ret alone) when s is not exactly that.
 */
int parse_long(const char *s, long min, long max, long *ret);

struct arena_block;
struct arena {
	struct arena_block *head;
	size_t used;		/* bytes handed out, for statistics */
};

/* Zeroed memory of n bytes, aligned for any type, owned by the arena. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Copy an array of n elements of size sz into the arena. */
void *arena_memdup(struct arena *a, const void *p, size_t n, size_t sz);
void arena_release(struct arena *a);

/*
 * Growable vectors: VEC(T) declares { T *v; size_t n, cap; }.  Free with
 * vec_free(); elements are not freed.
 */
#define VEC(T) struct { T *v; size_t n, cap; }
void vec_grow_(void *pv, size_t *cap, size_t need, size_t elsize);
#define vec_push(vec, x) \
	(vec_grow_(&(vec).v, &(vec).cap, (vec).n + 1, sizeof(*(vec).v)), \
	 (vec).v[(vec).n++] = (x))
#define vec_free(vec) \
	do { free((vec).v); (vec).v = NULL; (vec).n = (vec).cap = 0; } while (0)

typedef VEC(char *) str_vec;

/*
 * A bounded byte buffer that fills from a libcurl write callback:
 * bounded_write() has CURLOPT_WRITEFUNCTION's signature, its user
 * pointer a struct bounded; past max bytes it stops the transfer and
 * sets over.  data is NUL-terminated; free() it.
 */
struct bounded {
	char *data;
	size_t len, max;
	bool over;
};
size_t bounded_write(char *p, size_t size, size_t n, void *bounded);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#include "banned.h"

#endif
