/* strv.c - a growable argv; see strv.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"
#include "util.h"

/* Room for one more string and the NULL after it. */
static void grow(struct strv *a)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
	}
}

void strv_push(struct strv *a, const char *s)
{
	grow(a);
	a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

void strv_pushf(struct strv *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();	/* out of memory, as xmalloc() */
	va_end(ap);
	grow(a);
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

void strv_pushv(struct strv *a, const char *const *v)
{
	for (size_t i = 0; v && v[i]; i++)
		strv_push(a, v[i]);
}

void strv_release(struct strv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = a->cap = 0;
}
