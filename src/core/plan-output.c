/*
 * plan-output.c - a plan as text (for people), JSON (for programs) and
 * Graphviz DOT (for pictures).
 *
 * JSON is written one step object at a time (jansson encodes each), so a
 * plan of millions of steps never exists twice in memory.  Its shape:
 *   {"from": R, "to": R, "hops": [{"from": R, "to": R, "slurp_jump": b,
 *     "notes": [...], "services": [...], "steps": [{"id", "kind", "phase",
 *     "targets": [...], "after": [ids...], ...}]}]}
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "plan.h"

/* ---- text -------------------------------------------------------------- */

static const char *short_id(const struct plan_step *s)
{
	const char *slash = strchr(s->id, '/');

	return slash ? slash + 1 : s->id;
}

static void print_targets(const struct plan_step *s, size_t nhosts, FILE *out)
{
	if (s->ntargets == nhosts && nhosts > 3)
		fprintf(out, "all %zu hosts", nhosts);
	else if (s->ntargets <= 3)
		for (size_t i = 0; i < s->ntargets; i++)
			fprintf(out, "%s%s", i ? "," : "", s->targets[i]->name);
	else
		fprintf(out, "%s..%s (%zu hosts)", s->targets[0]->name,
			s->targets[s->ntargets - 1]->name, s->ntargets);
}

/* One config change under its config-migrate step. */
static void print_rename(const struct cat_rename *rn, const struct catalog *cat,
			 FILE *out)
{
	fprintf(out, "%66s%s [%s]", "", rn->kind, rn->section);
	for (size_t i = 0; i < rn->noptions; i++)
		fprintf(out, "%s%s", i ? "," : " ", rn->options[i]);
	if (rn->new_option)
		fprintf(out, " -> [%s] %s", rn->new_section, rn->new_option);
	if (rn->new_value)
		fprintf(out, " %s -> %s", rn->value, rn->new_value);
	if (rn->deprecated != RANGE_OPEN)
		fprintf(out, " (deprecated in %s", cat->releases[rn->deprecated].name);
	if (rn->removed != RANGE_OPEN)
		fprintf(out, "%sremoved in %s", rn->deprecated != RANGE_OPEN ? ", " : " (",
			cat->releases[rn->removed].name);
	fputs(")\n", out);
}

int plan_print_text(const struct plan *p, FILE *out)
{
	size_t nhosts = p->inv->hosts.n;

	if (plan_is_minor(p))
		fprintf(out, "stackhop plan: minor update of %s (the settings' newer images of the same release; not a release hop), %zu steps\n",
			catalog_release_label(p->from), p->steps.n);
	else {
		/* (catalog_release_label's buffer is static: one per call.) */
		fprintf(out, "stackhop plan: %s", catalog_release_label(p->from));
		fprintf(out, " -> %s, %zu hop%s, %zu steps\n", catalog_release_label(p->to),
			p->hops.n, p->hops.n == 1 ? "" : "s", p->steps.n);
	}
	fprintf(out, "inventory: %s (%zu hosts), catalog: %s\n", p->inv->path,
		nhosts, p->cat->dir);
	for (size_t i = 0; i < p->warnings.n; i++)
		fprintf(out, "warning: %s\n", p->warnings.v[i]);

	for (size_t h = 0; h < p->hops.n; h++) {
		const struct plan_hop *hop = &p->hops.v[h];
		const char *phase = NULL;

		if (hop->from == hop->to)
			fprintf(out, "\nminor update of %s (%zu steps)\n",
				catalog_release_label(hop->to), hop->count);
		else {
			fprintf(out, "\nhop %zu/%zu: %s", h + 1, p->hops.n,
				catalog_release_label(hop->from));
			fprintf(out, " -> %s%s (%zu steps)\n", catalog_release_label(hop->to),
				hop->slurp_jump ? " [SLURP jump]" : "", hop->count);
		}
		for (size_t i = 0; i < hop->notes.n; i++) {
			const struct cat_note *n = hop->notes.v[i];

			fprintf(out, "  note: %s%s%s\n        source: %s\n",
				n->service ? n->service : "", n->service ? ": " : "",
				n->text, n->source);
		}
		fprintf(out, "  services:");
		for (size_t i = 0; i < hop->services.n; i++) {
			const struct plan_service *s = &hop->services.v[i];

			fprintf(out, "%s %s (%s%s%s)", i ? "," : "", s->name, s->mode,
				s->why ? ": " : "", s->why ? s->why : "");
		}
		fprintf(out, "\n");

		for (size_t i = hop->first; i < hop->first + hop->count; i++) {
			const struct plan_step *s = &p->steps.v[i];
			const char *owner = NULL;

			if (!streq(phase, s->phase)) {
				phase = s->phase;
				fprintf(out, "  phase %s\n", phase);
			}
			if (streq(phase, "openstack") && s->owner &&
			    (i == hop->first || !streq(p->steps.v[i - 1].owner, s->owner) ||
			     !streq(p->steps.v[i - 1].phase, phase)))
				owner = s->owner;
			if (owner)
				fprintf(out, "    %s\n", owner);
			fprintf(out, "    %6zu  %-52s ", i + 1, short_id(s));
			print_targets(s, nhosts, out);
			if (s->nbatches && s->max_fail_percentage)
				fprintf(out, "  [batch %d/%d, max_fail %d%%]", s->batch,
					s->nbatches, s->max_fail_percentage);
			else if (s->nbatches)
				fprintf(out, "  [batch %d/%d]", s->batch, s->nbatches);
			if (s->argc) {
				fprintf(out, "  $");
				for (size_t a = 0; a < s->argc; a++)
					fprintf(out, " %s", s->argv[a]);
			}
			if (!s->argc && plan_step_param(s, "version"))
				fprintf(out, "  -> %s", plan_step_param(s, "version"));
			if (s->nrenames)
				fprintf(out, "  (%zu config change%s)", s->nrenames,
					s->nrenames == 1 ? "" : "s");
			/* Dependencies are shown unless it is just the line above. */
			if (s->nafter && !(s->nafter == 1 && s->after[0] + 1 == i)) {
				fprintf(out, "  after");
				for (size_t a = 0; a < s->nafter && a < 8; a++)
					fprintf(out, "%s%zu", a ? "," : " ", s->after[a] + 1);
				if (s->nafter > 8)
					fprintf(out, ",... (%zu)", s->nafter);
			}
			fputc('\n', out);
			for (size_t k = 0; k < s->nrenames; k++)
				print_rename(s->renames[k], p->cat, out);
		}
	}
	fflush(out);
	return ferror(out) ? -1 : 0;
}

/* ---- JSON -------------------------------------------------------------- */

static json_t *release_json(const struct cat_release *r)
{
	return json_string(r->id ? r->id : r->name);
}

static json_t *step_json(const struct plan *p, const struct plan_step *s)
{
	json_t *o = json_object(), *a;

	json_object_set_new(o, "id", json_string(s->id));
	json_object_set_new(o, "kind", json_string(s->kind->name));
	json_object_set_new(o, "phase", json_string(s->phase));
	if (s->owner)
		json_object_set_new(o, "service", json_string(s->owner));
	if (s->component)
		json_object_set_new(o, "component", json_string(s->component));
	json_object_set_new(o, "scope", json_string(s->cluster ? "cluster" : "node"));
	a = json_array();
	for (size_t i = 0; i < s->ntargets; i++)
		json_array_append_new(a, json_string(s->targets[i]->name));
	json_object_set_new(o, "targets", a);
	a = json_array();
	for (size_t i = 0; i < s->nafter; i++)
		json_array_append_new(a, json_string(p->steps.v[s->after[i]].id));
	json_object_set_new(o, "after", a);
	if (s->nbatches) {
		json_t *b = json_object();

		json_object_set_new(b, "index", json_integer(s->batch));
		json_object_set_new(b, "count", json_integer(s->nbatches));
		json_object_set_new(b, "max_fail_percentage",
				    json_integer(s->max_fail_percentage));
		json_object_set_new(o, "batch", b);
	}
	if (s->argc) {
		a = json_array();
		for (size_t i = 0; i < s->argc; i++)
			json_array_append_new(a, json_string(s->argv[i]));
		json_object_set_new(o, "command", a);
	}
	if (s->nprovides) {
		a = json_array();
		for (size_t i = 0; i < s->nprovides; i++)
			json_array_append_new(a, json_string(s->provides[i]));
		json_object_set_new(o, "provides", a);
	}
	if (s->nrequires) {
		a = json_array();
		for (size_t i = 0; i < s->nrequires; i++)
			json_array_append_new(a, json_string(s->requires[i]));
		json_object_set_new(o, "requires", a);
	}
	if (s->nparams) {
		json_t *m = json_object();

		for (size_t i = 0; i < s->nparams; i++)
			json_object_set_new(m, s->params[i].key,
					    json_string(s->params[i].value));
		json_object_set_new(o, "params", m);
	}
	if (s->nrenames) {
		a = json_array();
		for (size_t i = 0; i < s->nrenames; i++) {
			const struct cat_rename *rn = s->renames[i];
			json_t *r = json_object(), *opts = json_array();

			json_object_set_new(r, "kind", json_string(rn->kind));
			json_object_set_new(r, "section", json_string(rn->section));
			for (size_t k = 0; k < rn->noptions; k++)
				json_array_append_new(opts, json_string(rn->options[k]));
			json_object_set_new(r, "options", opts);
			if (rn->new_option) {
				json_object_set_new(r, "new_section", json_string(rn->new_section));
				json_object_set_new(r, "new_option", json_string(rn->new_option));
			}
			json_object_set_new(r, "source", json_string(rn->source));
			json_array_append_new(a, r);
		}
		json_object_set_new(o, "config_changes", a);
	}
	if (s->source)
		json_object_set_new(o, "source", json_string(s->source));
	return o;
}

char *plan_step_json_text(const struct plan *p, const struct plan_step *s)
{
	json_t *o = step_json(p, s);
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(o);
	if (!text) {
		fprintf(stderr, "fatal: out of memory encoding a step\n");
		abort();
	}
	return text;
}

/*
 * Dump one value compactly (and release it); returns -1 on failure.
 * Encoded to memory, then written at once: json_dumpf() writes each
 * token with its own fwrite(), which was most of a large plan's time.
 */
static int dump(json_t *v, FILE *out)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII |
				   JSON_ENCODE_ANY);
	int r = -1;

	json_decref(v);
	if (text && fputs(text, out) >= 0)
		r = 0;
	free(text);
	return r;
}

int plan_print_json(const struct plan *p, FILE *out)
{
	int r = 0;

	fputs("{\"from\":", out);
	r |= dump(release_json(p->from), out);
	fputs(",\"to\":", out);
	r |= dump(release_json(p->to), out);
	fprintf(out, ",\"minor_update\":%s,\"warnings\":", plan_is_minor(p) ? "true" : "false");
	{
		json_t *w = json_array();

		for (size_t i = 0; i < p->warnings.n; i++)
			json_array_append_new(w, json_string(p->warnings.v[i]));
		r |= dump(w, out);
	}
	fputs(",\"hops\":[", out);
	for (size_t h = 0; h < p->hops.n; h++) {
		const struct plan_hop *hop = &p->hops.v[h];
		json_t *notes = json_array(), *svcs = json_array();

		fputs(h ? ",\n{\"from\":" : "\n{\"from\":", out);
		r |= dump(release_json(hop->from), out);
		fputs(",\"to\":", out);
		r |= dump(release_json(hop->to), out);
		fprintf(out, ",\"slurp_jump\":%s,\"notes\":", hop->slurp_jump ? "true" : "false");
		for (size_t i = 0; i < hop->notes.n; i++) {
			const struct cat_note *n = hop->notes.v[i];

			json_array_append_new(notes, json_pack("{s:s?,s:s,s:s}",
				"service", n->service, "text", n->text, "source", n->source));
		}
		r |= dump(notes, out);
		fputs(",\"services\":", out);
		for (size_t i = 0; i < hop->services.n; i++) {
			const struct plan_service *s = &hop->services.v[i];

			json_array_append_new(svcs, json_pack("{s:s,s:s,s:s?,s:I}",
				"name", s->name, "mode", s->mode, "why", s->why,
				"steps", (json_int_t)s->count));
		}
		r |= dump(svcs, out);
		fputs(",\"steps\":[", out);
		for (size_t i = hop->first; i < hop->first + hop->count; i++) {
			fputs(i == hop->first ? "\n" : ",\n", out);
			r |= dump(step_json(p, &p->steps.v[i]), out);
		}
		fputs("]}", out);
	}
	fputs("]}\n", out);
	fflush(out);
	return r || ferror(out) ? -1 : 0;
}

/* ---- DOT --------------------------------------------------------------- */

static void dot_string(const char *s, FILE *out)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '\n') {
			fputs("\\n", out);
			continue;
		}
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

int plan_print_dot(const struct plan *p, FILE *out)
{
	fputs("digraph stackhop_plan {\n"
	      "  rankdir=TB;\n"
	      "  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n", out);
	for (size_t h = 0; h < p->hops.n; h++) {
		const struct plan_hop *hop = &p->hops.v[h];
		char label[300], from[128];

		strlcpy_sh(from, catalog_release_label(hop->from), sizeof(from));
		if (hop->from == hop->to)
			snprintf(label, sizeof(label), "minor update of %s", from);
		else
			snprintf(label, sizeof(label), "hop %zu: %s -> %s", h + 1, from,
				 catalog_release_label(hop->to));
		fprintf(out, "  subgraph cluster_hop%zu {\n    label=", h + 1);
		dot_string(label, out);
		fputs(";\n", out);
		for (size_t i = hop->first; i < hop->first + hop->count; i++) {
			const struct plan_step *s = &p->steps.v[i];
			char text[700];

			if (s->ntargets == 1)
				snprintf(text, sizeof(text), "%s\n%s", short_id(s),
					 s->targets[0]->name);
			else
				snprintf(text, sizeof(text), "%s\n%zu hosts", short_id(s),
					 s->ntargets);
			fprintf(out, "    s%zu [label=", i);
			dot_string(text, out);
			if (s->kind->destructive)
				fputs(", style=filled, fillcolor=\"#fde0c5\"", out);
			fputs("];\n", out);
		}
		fputs("  }\n", out);
	}
	for (size_t i = 0; i < p->steps.n; i++)
		for (size_t a = 0; a < p->steps.v[i].nafter; a++)
			fprintf(out, "  s%zu -> s%zu;\n", p->steps.v[i].after[a], i);
	fputs("}\n", out);
	fflush(out);
	return ferror(out) ? -1 : 0;
}
