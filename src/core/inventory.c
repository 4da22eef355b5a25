/* inventory.c - the Ansible INI inventory reader; see inventory.h. */
#include <ctype.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "fileio.h"
#include "inventory-internal.h"

enum section_kind { SEC_HOSTS, SEC_CHILDREN, SEC_VARS };

struct parser {
	struct inventory *inv;
	const char *name;	/* file name for messages */
	int line;
	enum section_kind kind;
	struct inv_group *group;	/* current section's group */
	struct strmap membership;	/* "group\x1fhost" -> line, for duplicates */
	struct sh_error *err;
};

static int perr(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int perr(struct parser *p, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sh_error_at(p->err, p->name, p->line, "%s", msg);
}

static bool valid_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

static bool valid_group_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!valid_name_char(*s))
			return false;
	return true;
}

static struct inv_group *group_get(struct inventory *inv, const char *name,
				   int line)
{
	struct inv_group *g = strmap_get(&inv->group_by_name, name);

	if (g)
		return g;
	g = arena_alloc(&inv->arena, sizeof(*g));
	g->name = arena_strdup(&inv->arena, name);
	g->line = line;
	strmap_put(&inv->group_by_name, g->name, g);
	vec_push(inv->groups, g);
	return g;
}

static struct inv_host *host_get(struct inventory *inv, const char *name,
				 int line)
{
	struct inv_host *h = strmap_get(&inv->host_by_name, name);

	if (h)
		return h;
	h = arena_alloc(&inv->arena, sizeof(*h));
	h->name = arena_strdup(&inv->arena, name);
	h->line = line;
	h->port = 22;
	h->index = inv->hosts.n;
	strmap_put(&inv->host_by_name, h->name, h);
	vec_push(inv->hosts, h);
	return h;
}

struct inv_group *inventory_group(const struct inventory *inv, const char *name)
{
	return strmap_get(&inv->group_by_name, name);
}

struct inv_host *inventory_host(const struct inventory *inv, const char *name)
{
	return strmap_get(&inv->host_by_name, name);
}

/*
 * Split a host line into tokens: whitespace separates, single and double
 * quotes group (and are removed), an unquoted '#' ends the line.
 */
static int tokenize(struct parser *p, const char *s, str_vec *out)
{
	while (*s) {
		char buf[4096];
		size_t n = 0;
		char quote = 0;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			break;
		while (*s && (quote || (*s != ' ' && *s != '\t' && *s != '#'))) {
			if (quote && *s == quote) {
				quote = 0;
			} else if (!quote && (*s == '"' || *s == '\'')) {
				quote = *s;
			} else {
				if (n + 1 >= sizeof(buf))
					return perr(p, "token longer than %zu bytes",
						    sizeof(buf) - 1);
				buf[n++] = *s;
			}
			s++;
		}
		if (quote)
			return perr(p, "unterminated %c quote", quote);
		vec_push(*out, arena_strndup(&p->inv->arena, buf, n));
	}
	return 0;
}

static int add_var(struct parser *p, void *vecp, const char *key,
		   const char *value, const char *owner)
{
	VEC(struct inv_var) *vars = vecp;

	for (size_t i = 0; i < vars->n; i++)
		if (streq(vars->v[i].key, key)) {
			if (streq(vars->v[i].value, value))
				return 0;
			return perr(p, "%s sets '%s' to '%s' here and to '%s' at line %d",
				    owner, key, value, vars->v[i].value,
				    vars->v[i].line);
		}
	if (streq(key, "ansible_port") || streq(key, "ansible_ssh_port")) {
		long port;

		if (parse_long(value, 1, 65535, &port) < 0)
			return perr(p, "%s of %s must be a port number from 1 to 65535, not '%s'",
				    key, owner, value);
	}
	if ((streq(key, "ansible_host") || streq(key, "ansible_user") ||
	     streq(key, "ansible_ssh_host") || streq(key, "ansible_ssh_user")) && !*value)
		return perr(p, "%s of %s is empty", key, owner);
	struct inv_var v = { arena_strdup(&p->inv->arena, key),
			     arena_strdup(&p->inv->arena, value), p->line };
	vec_push(*vars, v);
	return 0;
}

/* Expand the first [a:b(:s)] of pattern into names; recurse for the rest. */
static int expand_range(struct parser *p, const char *pattern,
			str_vec *out)
{
	const char *lb = strchr(pattern, '['), *rb;
	char beg[32], end[32], stride_s[32] = "1";
	long b, e, stride;

	if (!lb) {
		if (strchr(pattern, ']'))
			return perr(p, "bad host range in '%s' (expected name[start:end])",
				    pattern);
		if (out->n >= INVENTORY_MAX_HOSTS)
			return perr(p, "more than %d hosts", INVENTORY_MAX_HOSTS);
		vec_push(*out, arena_strdup(&p->inv->arena, pattern));
		return 0;
	}
	rb = strchr(lb, ']');
	if (!rb)
		return perr(p, "bad host range in '%s' (expected ']')", pattern);
	{
		char inner[100];
		size_t n = (size_t)(rb - lb - 1);
		char *c1, *c2;

		if (n >= sizeof(inner))
			return perr(p, "bad host range in '%s' (too long)", pattern);
		memcpy(inner, lb + 1, n);
		inner[n] = '\0';
		c1 = strchr(inner, ':');
		if (!c1)
			return perr(p, "bad host range in '%s' (expected [start:end])",
				    pattern);
		*c1 = '\0';
		c2 = strchr(c1 + 1, ':');
		if (c2) {
			*c2 = '\0';
			strlcpy_sh(stride_s, c2 + 1, sizeof(stride_s));
		}
		if (strlen(inner) >= sizeof(beg) || strlen(c1 + 1) >= sizeof(end))
			return perr(p, "bad host range in '%s' (bounds too long)", pattern);
		strlcpy_sh(beg, inner, sizeof(beg));
		strlcpy_sh(end, c1 + 1, sizeof(end));
	}
	if (parse_long(stride_s, 1, INVENTORY_MAX_HOSTS, &stride) < 0)
		return perr(p, "bad host range in '%s' (stride must be a positive integer)",
			    pattern);

	bool alpha = strlen(beg) == 1 && isalpha((unsigned char)beg[0]);
	int width = 0;

	if (alpha) {
		if (strlen(end) != 1 || !isalpha((unsigned char)end[0]) ||
		    !!islower((unsigned char)beg[0]) != !!islower((unsigned char)end[0]))
			return perr(p, "bad host range in '%s' (expected letters of the same case, like [a:f])",
				    pattern);
		b = beg[0];
		e = end[0];
	} else {
		if (!*beg)
			strlcpy_sh(beg, "0", sizeof(beg));
		if (parse_long(beg, 0, 999999999, &b) < 0 ||
		    parse_long(end, 0, 999999999, &e) < 0)
			return perr(p, "bad host range in '%s' (expected numbers or letters, like [01:20])",
				    pattern);
		if (beg[0] == '0' && strlen(beg) > 1) {
			if (strlen(beg) != strlen(end))
				return perr(p, "bad host range in '%s' (zero-padded start and end must have the same width)",
					    pattern);
			width = (int)strlen(beg);
		}
	}
	if (b > e)
		return perr(p, "bad host range in '%s' (start after end)", pattern);
	if ((e - b) / stride + 1 > INVENTORY_MAX_HOSTS)
		return perr(p, "bad host range in '%s' (more than %d hosts)",
			    pattern, INVENTORY_MAX_HOSTS);

	for (long i = b; i <= e; i += stride) {
		char name[512];

		if (alpha)
			snprintf(name, sizeof(name), "%.*s%c%s", (int)(lb - pattern),
				 pattern, (char)i, rb + 1);
		else
			snprintf(name, sizeof(name), "%.*s%0*ld%s",
				 (int)(lb - pattern), pattern, width, i, rb + 1);
		if (expand_range(p, name, out) < 0)
			return -1;
	}
	return 0;
}

/*
 * Split "name:port" as Ansible's INI plugin does: the port follows the
 * only ':' outside brackets ("node[1:3]:2222"), or the ']' of a bracketed
 * address ("[fe80::1]:2222"); a bare IPv6 address ("fe80::1") has none.
 * Cuts the port off *name and returns it in *ret_port (NULL when none).
 */
static int split_port(struct parser *p, char *name, const char **ret_port)
{
	char *colon = NULL, *rb;
	int depth = 0, ncolons = 0;
	bool bracketed = false;
	long v;

	*ret_port = NULL;
	rb = strrchr(name, ']');
	if (name[0] == '[' && rb && rb[1] == ':' && !strchr(name + 1, '[')) {
		bracketed = true;
		colon = rb + 1;
	}
	for (char *c = name; *c && !bracketed; c++) {
		if (*c == '[')
			depth++;
		else if (*c == ']')
			depth--;
		else if (*c == ':' && depth == 0 && !ncolons++)
			colon = c;
	}
	if (!bracketed && ncolons != 1)
		return 0;
	if (!colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	    parse_long(colon + 1, 1, 65535, &v) < 0)
		return perr(p, "bad port '%s' in '%s' (expected host:port with a port number from 1 to 65535)",
			    colon + 1, name);
	*ret_port = arena_printf(&p->inv->arena, "%ld", v);
	*colon = '\0';
	if (bracketed) {
		memmove(name, name + 1, (size_t)(rb - name - 1));
		rb[-1] = '\0';
	}
	return 0;
}

static int parse_host_line(struct parser *p, const char *text)
{
	str_vec tok = { 0 }, names = { 0 };
	const char *port;
	int r = -1;

	if (tokenize(p, text, &tok) < 0)
		goto out;
	if (!tok.n) {
		r = 0;
		goto out;
	}
	if (split_port(p, tok.v[0], &port) < 0)
		goto out;
	for (const char *c = tok.v[0]; *c; c++)
		if (!valid_name_char(*c) && !strchr("[]:", *c)) {
			perr(p, "bad host name '%s' (expected letters, digits, '.', '-', '_' and ranges)",
			     tok.v[0]);
			goto out;
		}
	if (expand_range(p, tok.v[0], &names) < 0)
		goto out;
	for (size_t i = 0; i < names.n; i++) {
		struct inv_host *h = host_get(p->inv, names.v[i], p->line);
		char owner[600];
		const char *key = arena_printf(&p->inv->arena, "%s\x1f%s",
					       p->group->name, h->name);
		void *prev = strmap_put(&p->membership, key,
					(void *)(intptr_t)p->line);

		if (prev) {
			perr(p, "duplicate host '%s' in group '%s' (first at line %d)",
			     h->name, p->group->name, (int)(intptr_t)prev);
			goto out;
		}
		vec_push(p->group->hosts, h);
		snprintf(owner, sizeof(owner), "host '%s'", h->name);
		if (port && (r = add_var(p, &h->vars, "ansible_port", port, owner)) < 0)
			goto out;
		for (size_t t = 1; t < tok.n; t++) {
			char *eq = strchr(tok.v[t], '=');

			if (!eq || eq == tok.v[t]) {
				perr(p, "expected key=value after host '%s', got '%s'",
				     tok.v[0], tok.v[t]);
				goto out;
			}
			*eq = '\0';
			r = add_var(p, &h->vars, tok.v[t], eq + 1, owner);
			*eq = '=';
			if (r < 0)
				goto out;
		}
	}
	r = 0;
out:
	vec_free(tok);
	vec_free(names);
	return r;
}

static int parse_child_line(struct parser *p, const char *text)
{
	str_vec tok = { 0 };
	int r = -1;

	if (tokenize(p, text, &tok) < 0)
		goto out;
	if (tok.n == 0) {
		r = 0;
		goto out;
	}
	if (tok.n > 1 || !valid_group_name(tok.v[0])) {
		perr(p, "expected one group name in [%s:children], got '%s'",
		     p->group->name, text);
		goto out;
	}
	struct inv_group *c = group_get(p->inv, tok.v[0], p->line);
	for (size_t i = 0; i < p->group->children.n; i++)
		if (p->group->children.v[i] == c) {
			perr(p, "duplicate child group '%s' in [%s:children]",
			     c->name, p->group->name);
			goto out;
		}
	if (streq(c->name, "all")) {
		perr(p, "group 'all' cannot be a child of '%s'", p->group->name);
		goto out;
	}
	vec_push(p->group->children, c);
	r = 0;
out:
	vec_free(tok);
	return r;
}

static int parse_var_line(struct parser *p, char *text)
{
	char *eq = strchr(text, '='), *k = text, *v, *e;
	char owner[600];

	if (!eq)
		return perr(p, "expected key=value in [%s:vars], got '%s'",
			    p->group->name, text);
	*eq = '\0';
	v = eq + 1;
	for (e = eq; e > k && isspace((unsigned char)e[-1]); e--)
		e[-1] = '\0';
	while (isspace((unsigned char)*v))
		v++;
	for (e = v + strlen(v); e > v && isspace((unsigned char)e[-1]); e--)
		e[-1] = '\0';
	if (!*k || strpbrk(k, " \t"))
		return perr(p, "expected a variable name before '=' in [%s:vars]",
			    p->group->name);
	size_t vl = strlen(v);
	if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
		v[vl - 1] = '\0';
		v++;
	}
	snprintf(owner, sizeof(owner), "group '%s'", p->group->name);
	return add_var(p, &p->group->vars, k, v, owner);
}

static int parse_section(struct parser *p, char *text)
{
	char *end = strchr(text, ']'), *colon, *rest;

	if (!end)
		return perr(p, "expected ']' to close the section header");
	rest = end + 1;
	while (isspace((unsigned char)*rest))
		rest++;
	if (*rest && *rest != '#' && *rest != ';')
		return perr(p, "unexpected '%s' after the section header", rest);
	*end = '\0';
	colon = strchr(text + 1, ':');
	p->kind = SEC_HOSTS;
	if (colon) {
		*colon = '\0';
		if (streq(colon + 1, "children"))
			p->kind = SEC_CHILDREN;
		else if (streq(colon + 1, "vars"))
			p->kind = SEC_VARS;
		else
			return perr(p, "unknown section kind '%s' (expected [group], [group:children] or [group:vars])",
				    colon + 1);
	}
	if (!valid_group_name(text + 1))
		return perr(p, "bad group name '%s' (expected letters, digits, '.', '-', '_')",
			    text + 1);
	p->group = group_get(p->inv, text + 1, p->line);
	if (p->kind != SEC_VARS) {
		if (!p->group->defined)
			p->group->line = p->line;
		p->group->defined = true;
	}
	return 0;
}

/* "[fe80::1]:2222 ...": a host line, not a section header. */
static bool is_bracketed_host(const char *t)
{
	const char *rb = strchr(t, ']');

	return rb && rb[1] == ':' && isdigit((unsigned char)rb[2]);
}

/* Reports a cycle, computes depths (longest path from 'all'). */
static int check_graph(struct parser *p)
{
	struct inventory *inv = p->inv;
	size_t n = inv->groups.n;
	/* state: 0 new, 1 on stack, 2 done; iterative DFS over children. */
	unsigned char *state = xcalloc(n, 1);
	struct inv_group **order = xcalloc(n, sizeof(*order));
	struct strmap index = { 0 };
	size_t norder = 0;
	int r = -1;

	for (size_t i = 0; i < n; i++)
		strmap_put(&index, inv->groups.v[i]->name, (void *)(i + 1));
	struct frame { size_t g, next; } *stack = xcalloc(n, sizeof(*stack));
	for (size_t root = 0; root < n; root++) {
		size_t sp = 0;

		if (state[root])
			continue;
		stack[sp++] = (struct frame){ root, 0 };
		state[root] = 1;
		while (sp) {
			struct frame *f = &stack[sp - 1];
			struct inv_group *g = inv->groups.v[f->g];

			if (f->next < g->children.n) {
				struct inv_group *c = g->children.v[f->next++];
				size_t ci = (size_t)strmap_get(&index, c->name) - 1;

				if (state[ci] == 1) {
					sh_error_at(p->err, p->name, g->line,
						    "group '%s' is its own ancestor through '%s'",
						    c->name, g->name);
					goto out;
				}
				if (!state[ci]) {
					state[ci] = 1;
					stack[sp++] = (struct frame){ ci, 0 };
				}
			} else {
				state[f->g] = 2;
				order[norder++] = g;
				sp--;
			}
		}
	}
	/* order is a post-order: parents come after children.  Relax from
	 * the end (parents first). */
	for (size_t i = 0; i < n; i++)
		inv->groups.v[i]->depth = streq(inv->groups.v[i]->name, "all") ? 0 : 1;
	for (size_t i = norder; i-- > 0;) {
		struct inv_group *g = order[i];

		for (size_t j = 0; j < g->children.n; j++)
			if (g->children.v[j]->depth < g->depth + 1)
				g->children.v[j]->depth = g->depth + 1;
	}
	r = 0;
out:
	free(stack);
	free(order);
	free(state);
	strmap_release(&index);
	return r;
}

static int check_addresses(struct parser *p)
{
	struct inventory *inv = p->inv;
	struct strmap seen = { 0 };
	int r = 0;

	for (size_t i = 0; i < inv->hosts.n && !r; i++) {
		struct inv_host *h = inv->hosts.v[i], *o;

		if (streq(h->connection, "local"))
			continue;
		const char *key = arena_printf(&inv->arena, "%s:%d", h->address,
					       h->port);
		o = strmap_get(&seen, key);
		if (o)
			r = sh_error_at(p->err, p->name, h->line,
					"duplicate host: '%s' and '%s' (line %d) both reach %s",
					h->name, o->name, o->line, key);
		else
			strmap_put(&seen, key, h);
	}
	strmap_release(&seen);
	return r;
}

/* Every line of buf, by the kind of section it is in. */
static int parse_lines(struct parser *p, const char *buf, size_t len)
{
	const char *s = buf, *end = buf + len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *line, *t;
		int r;

		p->line++;
		if (memchr(s, '\0', n))
			return perr(p, "unexpected NUL byte");
		line = arena_strndup(&p->inv->arena, s, n);
		s += n + (nl ? 1 : 0);
		t = line;
		while (isspace((unsigned char)*t))
			t++;
		for (char *e = t + strlen(t); e > t && isspace((unsigned char)e[-1]); e--)
			e[-1] = '\0';
		if (!*t || *t == '#' || *t == ';')
			continue;
		if (*t == '[' && !is_bracketed_host(t))
			r = parse_section(p, t);
		else if (p->kind == SEC_HOSTS)
			r = parse_host_line(p, t);
		else if (p->kind == SEC_CHILDREN)
			r = parse_child_line(p, t);
		else
			r = parse_var_line(p, t);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Every group referenced must be defined by a section of its own. */
static int check_defined(struct parser *p)
{
	for (size_t i = 0; i < p->inv->groups.n; i++) {
		struct inv_group *g = p->inv->groups.v[i];

		if (!g->defined)
			return sh_error_at(p->err, p->name, g->line,
					   "unknown group '%s' (no [%s] or [%s:children] section defines it)",
					   g->name, g->name, g->name);
	}
	return 0;
}

/* 'ungrouped' holds the hosts in no other group, 'all' the groups that
 * no other group holds. */
static void fill_implicit_groups(struct inventory *inv, struct inv_group *all,
				 struct inv_group *ungrouped)
{
	inv_host_vec grouped = { 0 };

	inv->mark++;
	for (size_t i = 0; i < inv->groups.n; i++) {
		struct inv_group *g = inv->groups.v[i];

		if (g != all && g != ungrouped)
			inventory_collect(inv, g, &grouped);
	}
	ungrouped->hosts.n = 0;
	for (size_t i = 0; i < inv->hosts.n; i++)
		if (inv->hosts.v[i]->mark != inv->mark)
			vec_push(ungrouped->hosts, inv->hosts.v[i]);
	vec_free(grouped);
	for (size_t i = 0; i < inv->groups.n; i++) {
		struct inv_group *g = inv->groups.v[i];
		bool child = false;

		for (size_t j = 0; j < all->children.n; j++)
			child |= all->children.v[j] == g;
		if (g != all && !child && g->depth == 1)
			vec_push(all->children, g);
	}
}

int inventory_parse(const char *name, const char *buf, size_t len,
		    struct inventory **ret, struct sh_error *err)
{
	struct inventory *inv = xcalloc(1, sizeof(*inv));
	struct parser p = { .inv = inv, .name = name, .err = err };
	struct inv_group *all, *ungrouped;
	int r = -1;

	inv->path = arena_strdup(&inv->arena, name);
	p.name = inv->path;
	all = group_get(inv, "all", 0);
	ungrouped = group_get(inv, "ungrouped", 0);
	all->defined = ungrouped->defined = true;
	p.group = ungrouped;
	p.kind = SEC_HOSTS;

	if (parse_lines(&p, buf, len) < 0 || check_defined(&p) < 0 || check_graph(&p) < 0)
		goto out;
	fill_implicit_groups(inv, all, ungrouped);
	inventory_resolve_vars(inv);
	if (check_addresses(&p) < 0)
		goto out;
	if (inv->hosts.n == 0) {
		sh_error_at(err, p.name, 0, "no hosts (expected at least one host line)");
		goto out;
	}
	*ret = inv;
	inv = NULL;
	r = 0;
out:
	strmap_release(&p.membership);
	inventory_free(inv);
	return r;
}

int inventory_load(const char *path, struct inventory **ret,
		   struct sh_error *err)
{
	char *buf;
	size_t len;
	int r;

	if (read_file_limited(path, INVENTORY_MAX_BYTES, &buf, &len, err) < 0)
		return sh_error_prefix(err, "inventory");
	r = inventory_parse(path, buf, len, ret, err);
	free(buf);
	return r;
}

void inventory_free(struct inventory *inv)
{
	if (!inv)
		return;
	for (size_t i = 0; i < inv->groups.n; i++) {
		vec_free(inv->groups.v[i]->hosts);
		vec_free(inv->groups.v[i]->children);
		vec_free(inv->groups.v[i]->vars);
	}
	for (size_t i = 0; i < inv->hosts.n; i++)
		vec_free(inv->hosts.v[i]->vars);
	vec_free(inv->hosts);
	vec_free(inv->groups);
	strmap_release(&inv->host_by_name);
	strmap_release(&inv->group_by_name);
	arena_release(&inv->arena);
	free(inv);
}
