/*
 * strmap.h - a string-keyed hash map (open addressing, FNV-1a).
 *
 * Keys are borrowed: they must outlive the map (stackhop keeps them in an
 * arena).  Values are opaque pointers.  Used for host and group lookups in
 * inventories of tens of thousands of hosts.
 */
#ifndef STACKHOP_STRMAP_H
#define STACKHOP_STRMAP_H

#include <stddef.h>

struct strmap_slot {
	const char *key;
	void *value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap, len;	/* cap is 0 or a power of two */
};

void *strmap_get(const struct strmap *m, const char *key);
/* Insert or replace; returns the previous value or NULL. */
void *strmap_put(struct strmap *m, const char *key, void *value);
void strmap_release(struct strmap *m);

#endif
