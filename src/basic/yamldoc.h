/*
 * yamldoc.h - strict, line-aware access to a YAML document (libyaml).
 *
 * The catalog and the settings file are YAML.  libyaml's document loader
 * gives a node tree in which every node keeps its start mark, so each
 * error here names the file and line of the node at fault.  Access is
 * strict: a mapping may only hold the keys its reader declares, a key may
 * appear once, and a required field that is missing or empty is an error.
 *
 * All scalars are strings (libyaml resolves no schema): "2023.1" stays a
 * string; booleans and integers are parsed by y_bool() and y_long().
 */
#ifndef STACKHOP_YAMLDOC_H
#define STACKHOP_YAMLDOC_H

#include <stdbool.h>
#include <yaml.h>

#include "error.h"

/* Largest YAML file stackhop reads (catalog, settings). */
#define YDOC_MAX_BYTES (4u << 20)

struct ydoc {
	yaml_document_t doc;
	const char *path;	/* borrowed; used in error messages */
	bool loaded;
};

/* Load the single document of the file; the root must be a mapping. */
int ydoc_load(struct ydoc *d, const char *path, struct sh_error *err);
/* Same from memory; name is used in messages. */
int ydoc_load_buf(struct ydoc *d, const char *name, const char *buf,
		  size_t len, struct sh_error *err);
void ydoc_release(struct ydoc *d);

yaml_node_t *ydoc_root(struct ydoc *d);
static inline int ynode_line(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

/* The scalar's text, or NULL when n is not a scalar. */
const char *yscalar(const yaml_node_t *n);

size_t yseq_len(const yaml_node_t *n);
yaml_node_t *yseq_at(struct ydoc *d, const yaml_node_t *n, size_t i);
size_t ymap_len(const yaml_node_t *n);
yaml_node_t *ymap_key_at(struct ydoc *d, const yaml_node_t *n, size_t i);
yaml_node_t *ymap_val_at(struct ydoc *d, const yaml_node_t *n, size_t i);

/*
 * Check that n is a mapping whose keys are scalars, unique, and each one of
 * the NULL-terminated list allowed (NULL allowed = any key).  what names the
 * mapping in messages ("release 'ocata'").
 */
int ymap_check(struct ydoc *d, const yaml_node_t *n, const char *what,
	       const char *const *allowed, struct sh_error *err);
yaml_node_t *ymap_get(struct ydoc *d, const yaml_node_t *map, const char *key);

/*
 * Typed fields of a mapping.  A missing field leaves *ret alone and returns
 * 0 unless required (then an error naming the mapping's line).  A present
 * field of the wrong type is always an error at the field's line.
 */
int y_str(struct ydoc *d, const yaml_node_t *map, const char *key,
	  const char *what, bool required, const char **ret,
	  struct sh_error *err);
int y_bool(struct ydoc *d, const yaml_node_t *map, const char *key,
	   const char *what, bool required, bool *ret, struct sh_error *err);
int y_long(struct ydoc *d, const yaml_node_t *map, const char *key,
	   const char *what, long min, long max, bool required, long *ret,
	   struct sh_error *err);
/*
 * A sequence field (NULL in *ret when absent and not required); with
 * scalars_only every item must be a non-empty scalar.
 */
int y_seq(struct ydoc *d, const yaml_node_t *map, const char *key,
	  const char *what, bool required, bool scalars_only,
	  yaml_node_t **ret, struct sh_error *err);
/* Error at node n: "path:line: ..." */
int y_error(struct ydoc *d, const yaml_node_t *n, struct sh_error *err,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
