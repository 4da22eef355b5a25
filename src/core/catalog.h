/*
 * catalog.h - the release catalog: what stackhop knows about OpenStack
 * releases, read from the YAML files under catalog/ (never from C).
 *
 *   releases.yaml        series in upgrade order, dates, SLURP flags, versions
 *   services.yaml        services, containers, commands, Keystone entries
 *   infra.yaml           host, Ceph and infrastructure procedures
 *   config-renames.yaml  configuration options renamed or removed
 *   hops/<release>.yaml  mandatory steps and notes for hops to that release
 *
 * Every fact carries its source.  Reading is strict: unknown keys, missing
 * fields, unknown release names, unknown step kinds and bad ranges are
 * errors naming file:line.  Release references are stored as indexes into
 * catalog.releases; an open range end is RANGE_OPEN.
 *
 * Ownership: everything lives in the catalog's arena; catalog_free()
 * releases it.
 */
#ifndef STACKHOP_CATALOG_H
#define STACKHOP_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "util.h"

#define RANGE_OPEN (-1)

struct cat_range {
	int since, until;	/* release indexes, inclusive; RANGE_OPEN = open */
};

struct cat_kv {
	const char *key, *value;
};

struct cat_note {
	const char *service;	/* NULL for the whole hop */
	const char *text, *source;
};

struct cat_release {
	const char *name, *id, *date, *status, *source;
	bool slurp;
	int index, line;
	struct cat_kv *versions;
	size_t nversions;
	struct cat_step *steps;	/* mandatory steps of hops arriving here */
	size_t nsteps;
	struct cat_note *notes;
	size_t nnotes;
};

enum cat_stage {
	STAGE_PRE,		/* before the service is touched, old code */
	STAGE_REGISTER,		/* Keystone registrations */
	STAGE_PREPARE,		/* after old containers stop, before bootstrap */
	STAGE_BOOTSTRAP,	/* database migrations */
	STAGE_POST,		/* after every component runs the new release */
	STAGE_COUNT
};
const char *cat_stage_name(enum cat_stage s);

/* A command of a service or a mandatory step of a hop. */
struct cat_step {
	const char *id, *kind, *service, *source, *file;
	int line;
	enum cat_stage stage;
	struct cat_range range;	/* services' commands only */
	bool offline;		/* needs every old container stopped */
	bool all_nodes;		/* run on every node of the service */
	const char **argv;
	size_t argc;
	struct cat_kv *params;
	size_t nparams;
	const char **after;	/* ids of steps in the same hop file */
	size_t nafter;
	/* Facts about the cloud the step establishes, and the facts it needs
	 * ("FACT", or "FACT@RELEASE": provided at that release or later). */
	const char **provides, **requires;
	size_t nprovides, nrequires;
};

enum cat_tier { TIER_CONTROL, TIER_DATA };

struct cat_component {
	const char *name, *moved_to, *source;
	const char **groups;	/* fallback list of inventory patterns */
	size_t ngroups;
	enum cat_tier tier;
	struct cat_range range;
	int line;
};

struct cat_keystone {
	const char *user, *type, *name, *path, *source;
	int port, line;
	struct cat_range range;
};

struct cat_service {
	const char *name, *source;
	struct cat_range range;
	int order, line;
	struct cat_component *components;
	size_t ncomponents;
	struct cat_step *commands;
	size_t ncommands;
	struct cat_keystone *keystone;
	size_t nkeystone;
	/* The oldest release of floor_component that its control services of
	 * a release accept (key: release, value: oldest release), or none. */
	const char *floor_component, *floor_source;
	struct cat_kv *floor;
	size_t nfloor;
};

enum cat_scope {
	SCOPE_BATCHES, SCOPE_EACH_NODE, SCOPE_FIRST_NODE, SCOPE_OTHER_NODES,
	SCOPE_ALL_NODES, SCOPE_CLUSTER,
};
const char *cat_scope_name(enum cat_scope s);

struct cat_proc_step {
	const char *kind;
	enum cat_scope scope;
	bool reverse;
};

struct cat_procedure {
	const char *name;
	struct cat_proc_step *steps;
	size_t nsteps;
};

enum cat_hops { HOPS_EVERY, HOPS_FIRST, HOPS_NONE };

struct cat_infra {
	const char *name, *phase, *source, *default_procedure;
	const char **groups;
	size_t ngroups;
	enum cat_hops hops;
	struct cat_procedure *procedures;
	size_t nprocedures;
	int line;
};

struct cat_rename {
	const char *kind, *section, *new_section, *new_option, *value,
		*new_value, *note, *source;
	const char **services, **options, **aliases;
	size_t nservices, noptions, naliases;
	int deprecated, removed;	/* release indexes or RANGE_OPEN */
	int line;
};

struct catalog {
	const char *dir;
	struct arena arena;
	struct cat_release *releases;
	size_t nreleases;
	int slurp_first;	/* index of the first SLURP release with jumps */
	struct cat_note *slurp_notes;
	size_t nslurp_notes;
	struct cat_service *services;	/* in rolling order */
	size_t nservices;
	const char *order_source;
	struct cat_infra *infra;	/* in phase order, then file order */
	size_t ninfra;
	struct cat_rename *renames;
	size_t nrenames;
};

/* Read the catalog in directory dir.  On failure *ret is untouched. */
int catalog_load(const char *dir, struct catalog **ret, struct sh_error *err);
void catalog_free(struct catalog *cat);

/*
 * The release named name (series name, any case, or ID like "2023.1"),
 * or NULL.
 */
const struct cat_release *catalog_release(const struct catalog *cat,
					  const char *name);
/* Display name: "antelope (2023.1)" or "liberty"; static buffer. */
const char *catalog_release_label(const struct cat_release *r);

bool cat_range_has(const struct cat_range *r, int release);
const struct cat_service *catalog_service(const struct catalog *cat,
					  const char *name);
const struct cat_infra *catalog_infra(const struct catalog *cat,
				      const char *name);
const struct cat_procedure *cat_infra_procedure(const struct cat_infra *c,
						const char *name);

#endif
