/* yamldoc.c - see yamldoc.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "fileio.h"
#include "util.h"
#include "yamldoc.h"

int y_error(struct ydoc *d, const yaml_node_t *n, struct sh_error *err,
	    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sh_error_at(err, d->path, ynode_line(n), "%s", msg);
}

int ydoc_load_buf(struct ydoc *d, const char *name, const char *buf,
		  size_t len, struct sh_error *err)
{
	yaml_parser_t parser;
	int r = -1;

	memset(d, 0, sizeof(*d));
	d->path = name;
	if (!yaml_parser_initialize(&parser))
		return sh_error_set(err, SH_EXIT_FAILURE,
				    "cannot initialize the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &d->doc)) {
		sh_error_at(err, name, (int)parser.problem_mark.line + 1,
			    "invalid YAML: %s%s%s",
			    parser.problem ? parser.problem : "parse error",
			    parser.context ? " " : "",
			    parser.context ? parser.context : "");
		goto out;
	}
	d->loaded = true;
	yaml_node_t *root = yaml_document_get_root_node(&d->doc);
	if (!root || root->type != YAML_MAPPING_NODE) {
		y_error(d, root, err, "expected a YAML mapping at the top");
		goto out;
	}
	r = 0;
out:
	yaml_parser_delete(&parser);
	if (r < 0)
		ydoc_release(d);
	return r;
}

int ydoc_load(struct ydoc *d, const char *path, struct sh_error *err)
{
	char *buf;
	size_t len;
	int r;

	if (read_file_limited(path, YDOC_MAX_BYTES, &buf, &len, err) < 0)
		return -1;
	r = ydoc_load_buf(d, path, buf, len, err);
	free(buf);
	return r;
}

void ydoc_release(struct ydoc *d)
{
	if (d->loaded)
		yaml_document_delete(&d->doc);
	d->loaded = false;
}

yaml_node_t *ydoc_root(struct ydoc *d)
{
	return yaml_document_get_root_node(&d->doc);
}

const char *yscalar(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

size_t yseq_len(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

yaml_node_t *yseq_at(struct ydoc *d, const yaml_node_t *n, size_t i)
{
	return yaml_document_get_node(&d->doc, n->data.sequence.items.start[i]);
}

size_t ymap_len(const yaml_node_t *n)
{
	if (!n || n->type != YAML_MAPPING_NODE)
		return 0;
	return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

yaml_node_t *ymap_key_at(struct ydoc *d, const yaml_node_t *n, size_t i)
{
	return yaml_document_get_node(&d->doc, n->data.mapping.pairs.start[i].key);
}

yaml_node_t *ymap_val_at(struct ydoc *d, const yaml_node_t *n, size_t i)
{
	return yaml_document_get_node(&d->doc, n->data.mapping.pairs.start[i].value);
}

/* A scalar that is empty or a YAML null counts as absent. */
static bool scalar_is_null(const yaml_node_t *n)
{
	const char *s = yscalar(n);

	if (!s)
		return false;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !*s || streq(s, "~") || streq(s, "null") || streq(s, "Null") ||
	       streq(s, "NULL");
}

static int scalar_check(struct ydoc *d, const yaml_node_t *n,
			struct sh_error *err)
{
	if (strlen(yscalar(n)) != n->data.scalar.length)
		return y_error(d, n, err, "value contains a NUL byte");
	return 0;
}

int ymap_check(struct ydoc *d, const yaml_node_t *n, const char *what,
	       const char *const *allowed, struct sh_error *err)
{
	size_t len = ymap_len(n);

	if (!n || n->type != YAML_MAPPING_NODE)
		return y_error(d, n, err, "expected a mapping for %s", what);
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *k = ymap_key_at(d, n, i);
		const char *key = yscalar(k);
		bool ok = !allowed;

		if (!key)
			return y_error(d, k, err,
				       "expected a plain key in %s", what);
		if (scalar_check(d, k, err) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (streq(yscalar(ymap_key_at(d, n, j)), key))
				return y_error(d, k, err,
					       "duplicate key '%s' in %s", key,
					       what);
		for (size_t j = 0; allowed && allowed[j]; j++)
			if (streq(allowed[j], key))
				ok = true;
		if (!ok) {
			char list[512] = "";
			size_t off = 0;

			for (size_t j = 0; allowed[j] && off < sizeof(list); j++)
				off += (size_t)snprintf(list + off, sizeof(list) - off,
					"%s%s", j ? ", " : "", allowed[j]);
			return y_error(d, k, err,
				       "unknown key '%s' in %s (expected one of: %s)",
				       key, what, list);
		}
	}
	return 0;
}

yaml_node_t *ymap_get(struct ydoc *d, const yaml_node_t *map, const char *key)
{
	size_t len = ymap_len(map);

	for (size_t i = 0; i < len; i++)
		if (streq(yscalar(ymap_key_at(d, map, i)), key))
			return ymap_val_at(d, map, i);
	return NULL;
}

/* Common part of the typed getters: the field's scalar or absence. */
static int field_scalar(struct ydoc *d, const yaml_node_t *map, const char *key,
			const char *what, bool required, const char *expect,
			yaml_node_t **ret_node, const char **ret,
			struct sh_error *err)
{
	yaml_node_t *v = ymap_get(d, map, key);

	*ret = NULL;
	*ret_node = v;
	if (!v || scalar_is_null(v)) {
		if (required)
			return y_error(d, v ? v : map, err,
				       "missing field '%s' in %s (expected %s)",
				       key, what, expect);
		return 0;
	}
	if (!yscalar(v))
		return y_error(d, v, err, "field '%s' of %s must be %s", key,
			       what, expect);
	if (scalar_check(d, v, err) < 0)
		return -1;
	*ret = yscalar(v);
	return 0;
}

int y_str(struct ydoc *d, const yaml_node_t *map, const char *key,
	  const char *what, bool required, const char **ret,
	  struct sh_error *err)
{
	yaml_node_t *v;
	const char *s;

	if (field_scalar(d, map, key, what, required, "a string", &v, &s, err) < 0)
		return -1;
	if (s)
		*ret = s;
	return 0;
}

int y_bool(struct ydoc *d, const yaml_node_t *map, const char *key,
	   const char *what, bool required, bool *ret, struct sh_error *err)
{
	yaml_node_t *v;
	const char *s;

	if (field_scalar(d, map, key, what, required, "true or false", &v, &s,
			 err) < 0)
		return -1;
	if (!s)
		return 0;
	if (!strcasecmp(s, "true") || !strcasecmp(s, "yes"))
		*ret = true;
	else if (!strcasecmp(s, "false") || !strcasecmp(s, "no"))
		*ret = false;
	else
		return y_error(d, v, err,
			       "field '%s' of %s must be true or false, not '%s'",
			       key, what, s);
	return 0;
}

int y_long(struct ydoc *d, const yaml_node_t *map, const char *key,
	   const char *what, long min, long max, bool required, long *ret,
	   struct sh_error *err)
{
	yaml_node_t *v;
	const char *s;
	long l;

	if (field_scalar(d, map, key, what, required, "an integer", &v, &s,
			 err) < 0)
		return -1;
	if (!s)
		return 0;
	if (parse_long(s, min, max, &l) < 0)
		return y_error(d, v, err,
			       "field '%s' of %s must be an integer from %ld to %ld, not '%s'",
			       key, what, min, max, s);
	*ret = l;
	return 0;
}

int y_seq(struct ydoc *d, const yaml_node_t *map, const char *key,
	  const char *what, bool required, bool scalars_only,
	  yaml_node_t **ret, struct sh_error *err)
{
	yaml_node_t *v = ymap_get(d, map, key);

	*ret = NULL;
	if (!v || scalar_is_null(v)) {
		if (required)
			return y_error(d, v ? v : map, err,
				       "missing field '%s' in %s (expected a list)",
				       key, what);
		return 0;
	}
	if (v->type != YAML_SEQUENCE_NODE)
		return y_error(d, v, err, "field '%s' of %s must be a list",
			       key, what);
	for (size_t i = 0; scalars_only && i < yseq_len(v); i++) {
		yaml_node_t *it = yseq_at(d, v, i);

		if (!yscalar(it) || scalar_is_null(it))
			return y_error(d, it, err,
				       "items of '%s' in %s must be non-empty strings",
				       key, what);
		if (scalar_check(d, it, err) < 0)
			return -1;
	}
	*ret = v;
	return 0;
}
