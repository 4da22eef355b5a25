/*
 * inventory-resolve.c - what a parsed inventory resolves to: the hosts of
 * a pattern of groups, and variables by Ansible's precedence; see
 * inventory.h.
 */
#include <stdlib.h>

#include "inventory-internal.h"

/* Collect the hosts of g and its descendants (mark-deduplicated). */
void inventory_collect(struct inventory *inv, struct inv_group *g,
		       inv_host_vec *out)
{
	VEC(struct inv_group *) stack = { 0 };

	if (g->mark == inv->mark)
		return;
	g->mark = inv->mark;
	vec_push(stack, g);
	while (stack.n) {
		struct inv_group *cur = stack.v[--stack.n];

		for (size_t i = 0; i < cur->hosts.n; i++) {
			struct inv_host *h = cur->hosts.v[i];

			if (h->mark != inv->mark) {
				h->mark = inv->mark;
				vec_push(*out, h);
			}
		}
		for (size_t i = cur->children.n; i-- > 0;) {
			struct inv_group *c = cur->children.v[i];

			if (c->mark != inv->mark) {
				c->mark = inv->mark;
				vec_push(stack, c);
			}
		}
	}
	vec_free(stack);
}

static int cmp_host_index(const void *a, const void *b)
{
	const struct inv_host *x = *(struct inv_host *const *)a;
	const struct inv_host *y = *(struct inv_host *const *)b;

	return (x->index > y->index) - (x->index < y->index);
}

void inventory_select(struct inventory *inv, const char *pattern,
		      inv_host_vec *out, bool *ret_missing)
{
	size_t start = out->n;
	char name[256];
	const char *s = pattern;

	inv->mark++;
	for (size_t i = 0; i < out->n; i++)
		out->v[i]->mark = inv->mark;
	while (*s) {
		size_t n = strcspn(s, ":");
		struct inv_group *g;

		if (n < sizeof(name)) {
			memcpy(name, s, n);
			name[n] = '\0';
			g = inventory_group(inv, name);
			if (g)
				inventory_collect(inv, g, out);
			else if (ret_missing)
				*ret_missing = true;
		}
		s += n;
		if (*s == ':')
			s++;
	}
	if (out->n - start > 1)
		qsort(out->v + start, out->n - start, sizeof(*out->v), cmp_host_index);
}

static int cmp_group_precedence(const void *a, const void *b)
{
	const struct inv_group *x = *(struct inv_group *const *)a;
	const struct inv_group *y = *(struct inv_group *const *)b;

	if (x->depth != y->depth)
		return x->depth - y->depth;
	return strcmp(x->name, y->name);
}

static const char *var_lookup(const void *vecp, const char *key)
{
	const VEC(struct inv_var) *vars = vecp;

	for (size_t i = 0; i < vars->n; i++)
		if (streq(vars->v[i].key, key))
			return vars->v[i].value;
	return NULL;
}

/* The connection variables, each new name before its legacy alias. */
enum { CV_HOST, CV_SSH_HOST, CV_USER, CV_SSH_USER, CV_PORT, CV_SSH_PORT,
       CV_CONNECTION, CV_COUNT };
static const char *const conn_vars[CV_COUNT] = {
	"ansible_host", "ansible_ssh_host", "ansible_user", "ansible_ssh_user",
	"ansible_port", "ansible_ssh_port", "ansible_connection",
};

static void apply_connection_vars(const char **slots, const void *vars)
{
	const char *v;

	for (int i = 0; i < CV_COUNT; i++)
		if ((v = var_lookup(vars, conn_vars[i])))
			slots[i] = v;
}

/*
 * Resolve ansible_* for every host: groups by precedence, then the host.
 * Each name resolves on its own; as in Ansible's ssh connection, a legacy
 * ansible_ssh_* value then wins over the new name's, whatever their levels.
 */
void inventory_resolve_vars(struct inventory *inv)
{
	VEC(struct inv_group *) withvars = { 0 };
	inv_host_vec members = { 0 };
	const char **slots = xcalloc(inv->hosts.n * CV_COUNT + 1, sizeof(*slots));

	for (size_t i = 0; i < inv->groups.n; i++)
		if (inv->groups.v[i]->vars.n)
			vec_push(withvars, inv->groups.v[i]);
	if (withvars.n > 1)
		qsort(withvars.v, withvars.n, sizeof(*withvars.v), cmp_group_precedence);
	for (size_t i = 0; i < withvars.n; i++) {
		members.n = 0;
		inv->mark++;
		inventory_collect(inv, withvars.v[i], &members);
		for (size_t j = 0; j < members.n; j++)
			apply_connection_vars(slots + members.v[j]->index * CV_COUNT,
					      &withvars.v[i]->vars);
	}
	for (size_t i = 0; i < inv->hosts.n; i++) {
		struct inv_host *h = inv->hosts.v[i];
		const char **sl = slots + i * CV_COUNT;
		const char *port;

		apply_connection_vars(sl, &h->vars);
		h->address = sl[CV_SSH_HOST] ? sl[CV_SSH_HOST] :
			     sl[CV_HOST] ? sl[CV_HOST] : h->name;
		h->user = sl[CV_SSH_USER] ? sl[CV_SSH_USER] : sl[CV_USER];
		h->connection = sl[CV_CONNECTION];
		port = sl[CV_SSH_PORT] ? sl[CV_SSH_PORT] : sl[CV_PORT];
		if (port)
			h->port = atoi(port);	/* validated in add_var() */
	}
	free(slots);
	vec_free(withvars);
	vec_free(members);
}

const char *inventory_host_var(const struct inventory *inv,
			       const struct inv_host *h, const char *key)
{
	const char *v = var_lookup(&h->vars, key), *best = NULL;
	const struct inv_group *bestg = NULL;

	if (v)
		return v;
	for (size_t i = 0; i < inv->groups.n; i++) {
		struct inv_group *g = inv->groups.v[i];
		inv_host_vec members = { 0 };
		bool member = false;

		if (!(v = var_lookup(&g->vars, key)))
			continue;
		if (bestg && cmp_group_precedence(&g, &bestg) < 0)
			continue;
		((struct inventory *)inv)->mark++;
		inventory_collect((struct inventory *)inv, g, &members);
		for (size_t j = 0; j < members.n && !member; j++)
			member = members.v[j] == h;
		vec_free(members);
		if (member) {
			best = v;
			bestg = g;
		}
	}
	return best;
}
