/* catalog.c - the release catalog reader; see catalog.h. */
#include <ctype.h>
#include <stdarg.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "catalog-internal.h"
#include "stepkind.h"

static const char *const stage_names[STAGE_COUNT] = {
	"pre", "register", "prepare", "bootstrap", "post",
};

const char *cat_stage_name(enum cat_stage s)
{
	return stage_names[s];
}

bool cat_range_has(const struct cat_range *r, int release)
{
	return (r->since == RANGE_OPEN || release >= r->since) &&
	       (r->until == RANGE_OPEN || release <= r->until);
}

const struct cat_release *catalog_release(const struct catalog *cat,
					  const char *name)
{
	for (size_t i = 0; i < cat->nreleases; i++) {
		const struct cat_release *r = &cat->releases[i];

		if (!strcasecmp(r->name, name) || (r->id && streq(r->id, name)))
			return r;
	}
	return NULL;
}

const char *catalog_release_label(const struct cat_release *r)
{
	static char buf[128];

	if (r->id)
		snprintf(buf, sizeof(buf), "%s (%s)", r->name, r->id);
	else
		snprintf(buf, sizeof(buf), "%s", r->name);
	return buf;
}

const struct cat_service *catalog_service(const struct catalog *cat,
					  const char *name)
{
	for (size_t i = 0; i < cat->nservices; i++)
		if (streq(cat->services[i].name, name))
			return &cat->services[i];
	return NULL;
}

const struct cat_infra *catalog_infra(const struct catalog *cat,
				      const char *name)
{
	for (size_t i = 0; i < cat->ninfra; i++)
		if (streq(cat->infra[i].name, name))
			return &cat->infra[i];
	return NULL;
}

const struct cat_procedure *cat_infra_procedure(const struct cat_infra *c,
						const char *name)
{
	for (size_t i = 0; i < c->nprocedures; i++)
		if (streq(c->procedures[i].name, name))
			return &c->procedures[i];
	return NULL;
}

int loader_error(struct loader *l, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return y_error(&l->d, n, l->err, "%s", msg);
}

const char *loader_dup(struct loader *l, const char *s)
{
	return arena_strdup(&l->cat->arena, s);
}

int loader_open(struct loader *l, const char *name)
{
	l->path = arena_printf(&l->cat->arena, "%s/%s", l->cat->dir, name);
	return ydoc_load(&l->d, l->path, l->err);
}

/* A list of non-empty strings into an arena array. */
int loader_str_list(struct loader *l, const yaml_node_t *map, const char *key,
		    const char *what, bool required, const char ***ret,
		    size_t *ret_n)
{
	yaml_node_t *seq;

	if (y_seq(&l->d, map, key, what, required, true, &seq, l->err) < 0)
		return -1;
	*ret = NULL;
	*ret_n = 0;
	if (!seq)
		return 0;
	if (required && !yseq_len(seq))
		return loader_error(l, seq, "field '%s' of %s must not be empty", key, what);
	*ret_n = yseq_len(seq);
	*ret = arena_alloc(&l->cat->arena, (*ret_n + 1) * sizeof(char *));
	for (size_t i = 0; i < *ret_n; i++)
		(*ret)[i] = loader_dup(l, yscalar(yseq_at(&l->d, seq, i)));
	return 0;
}

/* A mapping of strings to strings. */
int loader_kv_map(struct loader *l, const yaml_node_t *map, const char *key,
		  const char *what, struct cat_kv **ret, size_t *ret_n)
{
	yaml_node_t *m = ymap_get(&l->d, map, key);
	char sub[300];

	*ret = NULL;
	*ret_n = 0;
	if (!m)
		return 0;
	snprintf(sub, sizeof(sub), "'%s' of %s", key, what);
	if (ymap_check(&l->d, m, sub, NULL, l->err) < 0)
		return -1;
	*ret_n = ymap_len(m);
	*ret = arena_alloc(&l->cat->arena, *ret_n * sizeof(**ret) + 1);
	for (size_t i = 0; i < *ret_n; i++) {
		yaml_node_t *v = ymap_val_at(&l->d, m, i);
		const char *k = yscalar(ymap_key_at(&l->d, m, i));

		if (!yscalar(v))
			return loader_error(l, v, "value of '%s' in %s must be a string", k, sub);
		(*ret)[i].key = loader_dup(l, k);
		(*ret)[i].value = loader_dup(l, yscalar(v));
	}
	return 0;
}

int loader_release_ref(struct loader *l, const yaml_node_t *map,
		       const char *key, const char *what, int *ret)
{
	const char *name = NULL;
	const struct cat_release *r;

	*ret = RANGE_OPEN;
	if (y_str(&l->d, map, key, what, false, &name, l->err) < 0)
		return -1;
	if (!name)
		return 0;
	r = catalog_release(l->cat, name);
	if (!r)
		return loader_error(l, ymap_get(&l->d, map, key),
				    "unknown release '%s' in field '%s' of %s (expected a release of releases.yaml)",
				    name, key, what);
	*ret = r->index;
	return 0;
}

int loader_range(struct loader *l, const yaml_node_t *map, const char *what,
		 struct cat_range *ret)
{
	if (loader_release_ref(l, map, "since", what, &ret->since) < 0 ||
	    loader_release_ref(l, map, "until", what, &ret->until) < 0)
		return -1;
	if (ret->since != RANGE_OPEN && ret->until != RANGE_OPEN &&
	    ret->since > ret->until)
		return loader_error(l, map, "%s: since '%s' is after until '%s'", what,
				    l->cat->releases[ret->since].name,
				    l->cat->releases[ret->until].name);
	return 0;
}

int loader_notes(struct loader *l, const yaml_node_t *map, const char *what,
		 struct cat_note **ret, size_t *ret_n)
{
	static const char *const keys[] = { "service", "text", "source", NULL };
	yaml_node_t *seq;

	if (y_seq(&l->d, map, "notes", what, false, false, &seq, l->err) < 0)
		return -1;
	*ret_n = yseq_len(seq);
	*ret = arena_alloc(&l->cat->arena, *ret_n * sizeof(**ret) + 1);
	for (size_t i = 0; i < *ret_n; i++) {
		yaml_node_t *n = yseq_at(&l->d, seq, i);
		struct cat_note *note = &(*ret)[i];
		const char *service = NULL, *text, *source;

		if (ymap_check(&l->d, n, "a note", keys, l->err) < 0 ||
		    y_str(&l->d, n, "service", "a note", false, &service, l->err) < 0 ||
		    y_str(&l->d, n, "text", "a note", true, &text, l->err) < 0 ||
		    y_str(&l->d, n, "source", "a note", true, &source, l->err) < 0)
			return -1;
		if (service && !catalog_service(l->cat, service))
			return loader_error(l, n, "unknown service '%s' in a note", service);
		note->service = service ? loader_dup(l, service) : NULL;
		note->text = loader_dup(l, text);
		note->source = loader_dup(l, source);
	}
	return 0;
}

static bool valid_date(const char *s)
{
	/* YYYY-MM-DD */
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	int m = atoi(s + 5), d = atoi(s + 8);
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* Entry i of releases.yaml's releases, n, into cat->releases[i]. */
static int load_release(struct loader *l, const yaml_node_t *n, size_t i)
{
	static const char *const keys[] = { "name", "id", "date", "status", "slurp",
		"versions", "source", NULL };
	static const char *const statuses[] = { "maintained", "unmaintained", "eol",
		"development", "future", NULL };
	struct catalog *cat = l->cat;
	struct cat_release *rel = &cat->releases[i];
	const char *name = NULL, *id = NULL, *date, *status, *source;
	char what[160];
	bool ok = false;

	snprintf(what, sizeof(what), "release #%zu", i + 1);
	if (ymap_check(&l->d, n, what, keys, l->err) < 0 ||
	    y_str(&l->d, n, "name", what, true, &name, l->err) < 0)
		return -1;
	snprintf(what, sizeof(what), "release '%s'", name);
	if (y_str(&l->d, n, "id", what, false, &id, l->err) < 0 ||
	    y_str(&l->d, n, "date", what, true, &date, l->err) < 0 ||
	    y_str(&l->d, n, "status", what, true, &status, l->err) < 0 ||
	    y_bool(&l->d, n, "slurp", what, true, &rel->slurp, l->err) < 0 ||
	    y_str(&l->d, n, "source", what, true, &source, l->err) < 0)
		return -1;
	for (const char *c = name; *c; c++)
		if (!islower((unsigned char)*c))
			return loader_error(l, n, "release name '%s' must be lowercase letters", name);
	if (!valid_date(date))
		return loader_error(l, ymap_get(&l->d, n, "date"),
				    "date of %s must be YYYY-MM-DD, not '%s'", what, date);
	for (size_t j = 0; statuses[j]; j++)
		ok |= streq(statuses[j], status);
	if (!ok)
		return loader_error(l, ymap_get(&l->d, n, "status"),
				    "status of %s must be maintained, unmaintained, eol, development or future, not '%s'",
				    what, status);
	for (size_t j = 0; j < i; j++) {
		struct cat_release *o = &cat->releases[j];

		if (streq(o->name, name) || (id && o->id && streq(o->id, id)))
			return loader_error(l, n, "duplicate release '%s' (first at line %d)",
					    id && o->id && streq(o->id, id) ? id : name, o->line);
		if (strcmp(o->date, date) >= 0)
			return loader_error(l, n, "%s (%s) is not after '%s' (%s): releases must be listed oldest first",
					    what, date, o->name, o->date);
	}
	rel->name = loader_dup(l, name);
	rel->id = id ? loader_dup(l, id) : NULL;
	rel->date = loader_dup(l, date);
	rel->status = loader_dup(l, status);
	rel->source = loader_dup(l, source);
	rel->index = (int)i;
	rel->line = ynode_line(n);
	return loader_kv_map(l, n, "versions", what, &rel->versions, &rel->nversions);
}

/* releases.yaml's slurp: the first SLURP release with supported jumps. */
static int load_slurp(struct loader *l, const yaml_node_t *slurp)
{
	static const char *const slurp_keys[] = { "first", "source", "notes", NULL };
	struct catalog *cat = l->cat;
	const struct cat_release *rel;
	const char *first, *source;

	if (ymap_check(&l->d, slurp, "slurp", slurp_keys, l->err) < 0 ||
	    y_str(&l->d, slurp, "first", "slurp", true, &first, l->err) < 0 ||
	    y_str(&l->d, slurp, "source", "slurp", true, &source, l->err) < 0 ||
	    loader_notes(l, slurp, "slurp", &cat->slurp_notes, &cat->nslurp_notes) < 0)
		return -1;
	rel = catalog_release(cat, first);
	if (!rel || !rel->slurp)
		return loader_error(l, slurp, "slurp first '%s' must name a release with slurp: true",
				    first);
	cat->slurp_first = rel->index;
	return 0;
}

static int load_releases(struct loader *l)
{
	static const char *const top[] = { "sources", "releases", "slurp", NULL };
	struct catalog *cat = l->cat;
	yaml_node_t *root, *seq, *slurp;
	int r = -1;

	if (loader_open(l, "releases.yaml") < 0)
		return -1;
	root = ydoc_root(&l->d);
	if (ymap_check(&l->d, root, "releases.yaml", top, l->err) < 0 ||
	    y_seq(&l->d, root, "releases", "releases.yaml", true, false, &seq, l->err) < 0)
		goto out;
	cat->nreleases = yseq_len(seq);
	if (cat->nreleases < 2) {
		loader_error(l, seq, "expected at least two releases");
		goto out;
	}
	cat->releases = arena_alloc(&cat->arena, cat->nreleases * sizeof(*cat->releases));
	for (size_t i = 0; i < cat->nreleases; i++)
		if (load_release(l, yseq_at(&l->d, seq, i), i) < 0)
			goto out;
	cat->slurp_first = (int)cat->nreleases;	/* no SLURP jumps */
	slurp = ymap_get(&l->d, root, "slurp");
	if (slurp && load_slurp(l, slurp) < 0)
		goto out;
	r = 0;
out:
	ydoc_release(&l->d);
	return r;
}

/* Fields shared by a service's commands and a hop's mandatory steps. */
int loader_step_common(struct loader *l, const yaml_node_t *n, const char *what,
		       struct cat_step *s)
{
	const char *id, *kind, *stage = NULL, *source;

	if (y_str(&l->d, n, "id", what, true, &id, l->err) < 0 ||
	    y_str(&l->d, n, "kind", what, true, &kind, l->err) < 0 ||
	    y_str(&l->d, n, "stage", what, false, &stage, l->err) < 0 ||
	    y_str(&l->d, n, "source", what, true, &source, l->err) < 0 ||
	    y_bool(&l->d, n, "offline", what, false, &s->offline, l->err) < 0 ||
	    y_bool(&l->d, n, "all_nodes", what, false, &s->all_nodes, l->err) < 0 ||
	    loader_str_list(l, n, "argv", what, false, &s->argv, &s->argc) < 0 ||
	    loader_str_list(l, n, "provides", what, false, &s->provides, &s->nprovides) < 0 ||
	    loader_str_list(l, n, "requires", what, false, &s->requires, &s->nrequires) < 0 ||
	    loader_kv_map(l, n, "params", what, &s->params, &s->nparams) < 0)
		return -1;
	for (size_t i = 0; i < s->nrequires; i++) {
		const char *at = strchr(s->requires[i], '@');

		if (at && (at == s->requires[i] || !catalog_release(l->cat, at + 1)))
			return loader_error(l, ymap_get(&l->d, n, "requires"),
					    "bad requirement '%s' in %s (expected FACT or FACT@RELEASE with a known release)",
					    s->requires[i], what);
	}
	if (!step_kind_find(kind))
		return loader_error(l, ymap_get(&l->d, n, "kind"),
				    "unknown step kind '%s' in %s (expected one of: %s)",
				    kind, what, step_kind_names());
	s->stage = STAGE_BOOTSTRAP;
	if (stage) {
		size_t i;

		for (i = 0; i < STAGE_COUNT; i++)
			if (streq(stage_names[i], stage))
				break;
		if (i == STAGE_COUNT)
			return loader_error(l, ymap_get(&l->d, n, "stage"),
					    "unknown stage '%s' in %s (expected pre, register, prepare, bootstrap or post)",
					    stage, what);
		s->stage = (enum cat_stage)i;
	}
	if (!s->argc && step_kind_find(kind)->how == STEP_HOW_COMMAND)
		return loader_error(l, n, "missing field 'argv' in %s (a %s step needs a command)",
				    what, kind);
	s->id = loader_dup(l, id);
	s->kind = loader_dup(l, kind);
	s->source = loader_dup(l, source);
	s->file = l->path;
	s->line = ynode_line(n);
	s->range.since = s->range.until = RANGE_OPEN;
	return 0;
}

static int load_renames(struct loader *l)
{
	static const char *const top[] = { "sources", "renames", NULL };
	static const char *const keys[] = { "services", "kind", "section",
		"aliases", "options", "new_section", "new_option", "value",
		"new_value", "deprecated", "removed", "note", "source", NULL };
	static const char *const kinds[] = { "rename", "remove", "transport_url",
		"glance_api_servers", "value", "policy_yaml", "notice", NULL };
	struct catalog *cat = l->cat;
	yaml_node_t *root, *seq;
	int r = -1;

	if (loader_open(l, "config-renames.yaml") < 0)
		return -1;
	root = ydoc_root(&l->d);
	if (ymap_check(&l->d, root, "config-renames.yaml", top, l->err) < 0 ||
	    y_seq(&l->d, root, "renames", "config-renames.yaml", true, false, &seq, l->err) < 0)
		goto out;
	cat->nrenames = yseq_len(seq);
	cat->renames = arena_alloc(&cat->arena, cat->nrenames * sizeof(*cat->renames) + 1);
	for (size_t i = 0; i < cat->nrenames; i++) {
		yaml_node_t *n = yseq_at(&l->d, seq, i);
		struct cat_rename *rn = &cat->renames[i];
		const char *kind, *section, *ns = NULL, *no = NULL, *v = NULL,
			*nv = NULL, *note = NULL, *source;
		char what[64];
		bool ok = false;

		snprintf(what, sizeof(what), "rename #%zu", i + 1);
		if (ymap_check(&l->d, n, what, keys, l->err) < 0 ||
		    y_str(&l->d, n, "kind", what, true, &kind, l->err) < 0 ||
		    y_str(&l->d, n, "section", what, true, &section, l->err) < 0 ||
		    y_str(&l->d, n, "new_section", what, false, &ns, l->err) < 0 ||
		    y_str(&l->d, n, "new_option", what, false, &no, l->err) < 0 ||
		    y_str(&l->d, n, "value", what, false, &v, l->err) < 0 ||
		    y_str(&l->d, n, "new_value", what, false, &nv, l->err) < 0 ||
		    y_str(&l->d, n, "note", what, false, &note, l->err) < 0 ||
		    y_str(&l->d, n, "source", what, true, &source, l->err) < 0 ||
		    loader_str_list(l, n, "services", what, true, &rn->services, &rn->nservices) < 0 ||
		    loader_str_list(l, n, "options", what, true, &rn->options, &rn->noptions) < 0 ||
		    loader_str_list(l, n, "aliases", what, false, &rn->aliases, &rn->naliases) < 0 ||
		    loader_release_ref(l, n, "deprecated", what, &rn->deprecated) < 0 ||
		    loader_release_ref(l, n, "removed", what, &rn->removed) < 0)
			goto out;
		for (size_t k = 0; kinds[k]; k++)
			ok |= streq(kinds[k], kind);
		if (!ok) {
			loader_error(l, ymap_get(&l->d, n, "kind"),
				     "unknown kind '%s' in %s (expected rename, remove, transport_url, glance_api_servers, value, policy_yaml or notice)",
				     kind, what);
			goto out;
		}
		if ((streq(kind, "rename") || streq(kind, "transport_url") ||
		     streq(kind, "glance_api_servers")) && (!ns || !no)) {
			loader_error(l, n, "missing field '%s' in %s (a %s needs new_section and new_option)",
				     ns ? "new_option" : "new_section", what, kind);
			goto out;
		}
		if (streq(kind, "value") && (!v || !nv)) {
			loader_error(l, n, "missing field '%s' in %s (a value change needs value and new_value)",
				     v ? "new_value" : "value", what);
			goto out;
		}
		if (rn->deprecated == RANGE_OPEN && rn->removed == RANGE_OPEN) {
			loader_error(l, n, "missing field 'deprecated' in %s (expected deprecated, removed or both)",
				     what);
			goto out;
		}
		for (size_t k = 0; k < rn->nservices; k++)
			if (!streq(rn->services[k], "all") &&
			    !catalog_service(cat, rn->services[k])) {
				loader_error(l, ymap_get(&l->d, n, "services"),
					     "unknown service '%s' in %s", rn->services[k], what);
				goto out;
			}
		rn->kind = loader_dup(l, kind);
		rn->section = loader_dup(l, section);
		rn->new_section = ns ? loader_dup(l, ns) : NULL;
		rn->new_option = no ? loader_dup(l, no) : NULL;
		rn->value = v ? loader_dup(l, v) : NULL;
		rn->new_value = nv ? loader_dup(l, nv) : NULL;
		rn->note = note ? loader_dup(l, note) : NULL;
		rn->source = loader_dup(l, source);
		rn->line = ynode_line(n);
	}
	r = 0;
out:
	ydoc_release(&l->d);
	return r;
}

static int load_hop_file(struct loader *l, const char *file)
{
	static const char *const top[] = { "sources", "release", "steps", "notes", NULL };
	static const char *const keys[] = { "id", "service", "kind", "stage",
		"argv", "params", "after", "offline", "all_nodes", "provides", "requires",
		"source", NULL };
	struct catalog *cat = l->cat;
	yaml_node_t *root, *seq;
	const char *relname;
	struct cat_release *rel;
	char name[PATH_MAX];
	int r = -1;

	snprintf(name, sizeof(name), "hops/%s", file);
	if (loader_open(l, name) < 0)
		return -1;
	root = ydoc_root(&l->d);
	if (ymap_check(&l->d, root, name, top, l->err) < 0 ||
	    y_str(&l->d, root, "release", name, true, &relname, l->err) < 0 ||
	    y_seq(&l->d, root, "steps", name, false, false, &seq, l->err) < 0)
		goto out;
	if (!catalog_release(cat, relname)) {
		loader_error(l, ymap_get(&l->d, root, "release"),
			     "unknown release '%s' (expected a release of releases.yaml)", relname);
		goto out;
	}
	rel = &cat->releases[catalog_release(cat, relname)->index];
	if (rel->nsteps || rel->nnotes) {
		loader_error(l, root, "release '%s' already has a hop file", rel->name);
		goto out;
	}
	if (rel->index == 0) {
		loader_error(l, root, "release '%s' is the oldest in the catalog: no hop arrives at it",
			     rel->name);
		goto out;
	}
	rel->nsteps = yseq_len(seq);
	rel->steps = arena_alloc(&cat->arena, rel->nsteps * sizeof(*rel->steps) + 1);
	for (size_t i = 0; i < rel->nsteps; i++) {
		yaml_node_t *n = yseq_at(&l->d, seq, i);
		struct cat_step *s = &rel->steps[i];
		const char *service;
		char what[200];

		snprintf(what, sizeof(what), "step #%zu of the %s hop", i + 1, rel->name);
		if (ymap_check(&l->d, n, what, keys, l->err) < 0 ||
		    loader_step_common(l, n, what, s) < 0 ||
		    y_str(&l->d, n, "service", what, true, &service, l->err) < 0 ||
		    loader_str_list(l, n, "after", what, false, &s->after, &s->nafter) < 0)
			goto out;
		if (!catalog_service(cat, service)) {
			loader_error(l, ymap_get(&l->d, n, "service"),
				     "unknown service '%s' in %s", service, what);
			goto out;
		}
		s->service = catalog_service(cat, service)->name;
		for (size_t j = 0; j < i; j++)
			if (streq(rel->steps[j].id, s->id)) {
				loader_error(l, n, "duplicate step id '%s' (first at line %d)",
					     s->id, rel->steps[j].line);
				goto out;
			}
		/* after may only name earlier steps: acyclic by construction. */
		for (size_t a = 0; a < s->nafter; a++) {
			size_t j;

			for (j = 0; j < i && !streq(rel->steps[j].id, s->after[a]); j++)
				;
			if (j == i) {
				loader_error(l, ymap_get(&l->d, n, "after"),
					     "after '%s' in %s names no earlier step of this file",
					     s->after[a], what);
				goto out;
			}
			if (!streq(rel->steps[j].service, s->service) ||
			    rel->steps[j].stage > s->stage) {
				loader_error(l, ymap_get(&l->d, n, "after"),
					     "after '%s' in %s must name a step of the same service in the same or an earlier stage",
					     s->after[a], what);
				goto out;
			}
		}
	}
	if (loader_notes(l, root, name, &rel->notes, &rel->nnotes) < 0)
		goto out;
	r = 0;
out:
	ydoc_release(&l->d);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_hops(struct loader *l)
{
	char *dir = arena_printf(&l->cat->arena, "%s/hops", l->cat->dir);
	VEC(char *) files = { 0 };
	struct dirent *de;
	DIR *dh = opendir(dir);
	int r = 0;

	if (!dh)
		return 0;	/* a catalog may have no mandatory steps */
	while ((de = readdir(dh))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] != '.' && len > 5 && streq(de->d_name + len - 5, ".yaml"))
			vec_push(files, xstrdup(de->d_name));
	}
	closedir(dh);
	if (files.n > 1)
		qsort(files.v, files.n, sizeof(*files.v), cmp_str);
	for (size_t i = 0; i < files.n && r == 0; i++)
		r = load_hop_file(l, files.v[i]);
	for (size_t i = 0; i < files.n; i++)
		free(files.v[i]);
	vec_free(files);
	return r;
}

int catalog_load(const char *dir, struct catalog **ret, struct sh_error *err)
{
	struct catalog *cat = xcalloc(1, sizeof(*cat));
	struct loader l = { .cat = cat, .err = err };

	cat->dir = arena_strdup(&cat->arena, dir);
	if (load_releases(&l) < 0 || catalog_load_services(&l) < 0 ||
	    catalog_load_infra(&l) < 0 || load_renames(&l) < 0 || load_hops(&l) < 0) {
		catalog_free(cat);
		return -1;
	}
	*ret = cat;
	return 0;
}

void catalog_free(struct catalog *cat)
{
	if (!cat)
		return;
	arena_release(&cat->arena);
	free(cat);
}
