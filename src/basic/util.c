/* util.c - see util.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

static void die_oom(size_t n)
{
	fprintf(stderr, "fatal: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die_oom(n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		die_oom(nmemb * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		die_oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

char *xstrndup(const char *s, size_t n)
{
	char *r = xmalloc(n + 1);

	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

size_t strlcpy_sh(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

bool str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

int parse_long(const char *s, long min, long max, long *ret)
{
	char *end;
	long v;

	if (!s || !*s || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*ret = v;
	return 0;
}

/* Blocks of at least 64 KiB; bigger requests get a block of their own. */
#define ARENA_BLOCK 65536

struct arena_block {
	struct arena_block *next;
	size_t size, off;
	max_align_t data[];
};

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	const size_t align = _Alignof(max_align_t);
	size_t need = (n + align - 1) & ~(align - 1);

	if (!b || b->size - b->off < need) {
		size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;

		b = xmalloc(sizeof(*b) + size);
		b->size = size;
		b->off = 0;
		b->next = a->head;
		a->head = b;
	}
	void *p = (char *)b->data + b->off;
	b->off += need;
	a->used += need;
	return memset(p, 0, n);
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die_oom(0);
	char *p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void *arena_memdup(struct arena *a, const void *p, size_t n, size_t sz)
{
	if (!n)
		return NULL;
	if (sz && n > SIZE_MAX / sz)
		die_oom(SIZE_MAX);
	return memcpy(arena_alloc(a, n * sz), p, n * sz);
}

void arena_release(struct arena *a)
{
	struct arena_block *b = a->head;

	while (b) {
		struct arena_block *next = b->next;

		free(b);
		b = next;
	}
	a->head = NULL;
	a->used = 0;
}

void vec_grow_(void *pv, size_t *cap, size_t need, size_t elsize)
{
	void **p = pv;
	size_t c = *cap;

	if (need <= c)
		return;
	c = c ? c : 8;
	while (c < need)
		c *= 2;
	if (c > SIZE_MAX / elsize)
		die_oom(SIZE_MAX);
	*p = xrealloc(*p, c * elsize);
	*cap = c;
}

/* Every line of want is a line of have; the first missing one in *missing. */
bool str_lines_within(const char *want, const char *have, char *missing, size_t size)
{
	for (const char *l = want; l && *l;) {
		size_t len = strcspn(l, "\n");
		bool found = false;

		for (const char *h = have; h && *h;) {
			size_t hl = strcspn(h, "\n");

			if (hl == len && !strncmp(h, l, len)) {
				found = true;
				break;
			}
			h += hl + (h[hl] == '\n');
		}
		if (!found) {
			snprintf(missing, size, "%.*s", (int)len, l);
			return false;
		}
		l += len + (l[len] == '\n');
	}
	return true;
}

size_t bounded_write(char *p, size_t size, size_t n, void *arg)
{
	struct bounded *b = arg;
	size_t m = size * n;

	if (b->len + m > b->max) {
		b->over = true;
		return 0;
	}
	b->data = xrealloc(b->data, b->len + m + 1);
	memcpy(b->data + b->len, p, m);
	b->len += m;
	b->data[b->len] = '\0';
	return m;
}
