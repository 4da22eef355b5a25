/* strmap.c - see strmap.h. */
#include <stdint.h>
#include <stdlib.h>

#include "strmap.h"
#include "util.h"

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct strmap_slot *find_slot(struct strmap_slot *slots, size_t cap,
				     const char *key)
{
	size_t i = (size_t)hash_str(key) & (cap - 1);

	while (slots[i].key && strcmp(slots[i].key, key))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

void *strmap_get(const struct strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	return find_slot(m->slots, m->cap, key)->value;
}

static void grow(struct strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct strmap_slot *slots = xcalloc(cap, sizeof(*slots));

	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			*find_slot(slots, cap, m->slots[i].key) = m->slots[i];
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
}

void *strmap_put(struct strmap *m, const char *key, void *value)
{
	struct strmap_slot *s;
	void *old;

	if ((m->len + 1) * 4 > m->cap * 3)
		grow(m);
	s = find_slot(m->slots, m->cap, key);
	old = s->key ? s->value : NULL;
	if (!s->key) {
		s->key = key;
		m->len++;
	}
	s->value = value;
	return old;
}

void strmap_release(struct strmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}
