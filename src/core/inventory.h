/*
 * inventory.h - the operator's nodes and groups, read from the Ansible INI
 * inventory that kolla-ansible users already have.
 *
 * Supported: [group], [group:children], [group:vars], host lines with
 * key=value variables (quotes allowed), host ranges (compute[01:20],
 * node[a:f], rack[0:10:2]), comments (# and ;), the implicit groups 'all'
 * and 'ungrouped', a port after the host name (ctl01:2201, node[1:3]:2201,
 * [fe80::1]:2201; a bare IPv6 address has none) as its ansible_port.
 * Variable precedence follows Ansible: host variables, then the deepest
 * group's, ties broken by group name (the later wins), then [all:vars].
 * stackhop reads ansible_host, ansible_user, ansible_port and
 * ansible_connection, and the legacy ansible_ssh_host, ansible_ssh_user and
 * ansible_ssh_port, which win over the new names (as in Ansible's ssh
 * connection); other variables are kept as given.
 *
 * Stricter than Ansible, because a typo in an upgrade inventory is a
 * missed node: a child or vars section naming a group that no section
 * defines, a host listed twice in one group, two hosts resolving to the
 * same address and port, a bad range and a cycle of children are errors
 * naming file:line.
 *
 * Ownership: everything hangs off struct inventory and is released by
 * inventory_free().
 */
#ifndef STACKHOP_INVENTORY_H
#define STACKHOP_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "strmap.h"
#include "util.h"

/* Bounds on what one inventory may expand to. */
#define INVENTORY_MAX_HOSTS 1000000
#define INVENTORY_MAX_BYTES (64u << 20)

struct inv_var {
	const char *key, *value;
	int line;
};

struct inv_host {
	const char *name;
	const char *address;	/* ansible_host, else the name */
	const char *user;	/* ansible_user or NULL */
	const char *connection;	/* ansible_connection or NULL (ssh) */
	int port;		/* ansible_port, else 22 */
	int line;		/* first line naming the host */
	size_t index;		/* position in inventory.hosts */
	VEC(struct inv_var) vars;	/* host variables, as written */
	unsigned mark;		/* scratch for set walks */
};

struct inv_group {
	const char *name;
	int line;		/* line of its first section, or first reference */
	bool defined;		/* a section names it (or it is implicit) */
	int depth;		/* longest path from 'all' */
	VEC(struct inv_host *) hosts;		/* direct members */
	VEC(struct inv_group *) children;
	VEC(struct inv_var) vars;
	unsigned mark;
};

struct inventory {
	const char *path;
	struct arena arena;
	VEC(struct inv_host *) hosts;	/* in order of first appearance */
	VEC(struct inv_group *) groups;	/* in order of first appearance */
	struct strmap host_by_name, group_by_name;
	unsigned mark;		/* generation counter for set walks */
};

/* Parse the file at path.  On failure *ret is untouched. */
int inventory_load(const char *path, struct inventory **ret,
		   struct sh_error *err);
/* Parse a buffer; name is used in messages. */
int inventory_parse(const char *name, const char *buf, size_t len,
		    struct inventory **ret, struct sh_error *err);
void inventory_free(struct inventory *inv);

struct inv_group *inventory_group(const struct inventory *inv,
				  const char *name);
struct inv_host *inventory_host(const struct inventory *inv,
				const char *name);

/*
 * Resolve an Ansible-style pattern of group names joined by ':' (a union,
 * e.g. "network:compute") into hosts, in inventory order, without
 * duplicates.  Unknown groups contribute nothing and set *ret_missing (if
 * given) to true.  Appends to out, which the caller owns.
 */
typedef VEC(struct inv_host *) inv_host_vec;
void inventory_select(struct inventory *inv, const char *pattern,
		      inv_host_vec *out, bool *ret_missing);

/* The value of a host's variable after precedence, or NULL. */
const char *inventory_host_var(const struct inventory *inv,
			       const struct inv_host *h, const char *key);

#endif
