/*
 * catalog-internal.h - what the catalog reader's files share, for them
 * only: catalog.c (lookups, the loader's helpers, releases.yaml,
 * config-renames.yaml, hops/, catalog_load()), catalog-services.c
 * (services.yaml) and catalog-infra.c (infra.yaml).  The public interface
 * is catalog.h.
 */
#ifndef STACKHOP_CATALOG_INTERNAL_H
#define STACKHOP_CATALOG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "yamldoc.h"

/* The state of one catalog_load() call: one file open at a time. */
struct loader {
	struct catalog *cat;
	struct ydoc d;
	struct sh_error *err;
	const char *path;	/* arena copy of the current file's path */
};

/* Fail with "FILE:LINE: message" at node n of the current file. */
int loader_error(struct loader *l, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* s copied into the catalog's arena (NULL stays NULL). */
const char *loader_dup(struct loader *l, const char *s);
/* Open the catalog's file name (relative to its directory) as l->d. */
int loader_open(struct loader *l, const char *name);
/* A list of non-empty strings into an arena array. */
int loader_str_list(struct loader *l, const yaml_node_t *map, const char *key,
		    const char *what, bool required, const char ***ret,
		    size_t *ret_n);
/* A mapping of strings to strings. */
int loader_kv_map(struct loader *l, const yaml_node_t *map, const char *key,
		  const char *what, struct cat_kv **ret, size_t *ret_n);
/* A release name of field key into its index (RANGE_OPEN when absent). */
int loader_release_ref(struct loader *l, const yaml_node_t *map,
		       const char *key, const char *what, int *ret);
/* The since/until fields of map. */
int loader_range(struct loader *l, const yaml_node_t *map, const char *what,
		 struct cat_range *ret);
/* The notes field of map. */
int loader_notes(struct loader *l, const yaml_node_t *map, const char *what,
		 struct cat_note **ret, size_t *ret_n);
/* Fields shared by a service's commands and a hop's mandatory steps. */
int loader_step_common(struct loader *l, const yaml_node_t *n, const char *what,
		       struct cat_step *s);

/* catalog-services.c: services.yaml, after releases.yaml. */
int catalog_load_services(struct loader *l);
/* catalog-infra.c: infra.yaml, after services.yaml. */
int catalog_load_infra(struct loader *l);

#endif
