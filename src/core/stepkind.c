/* stepkind.c - see stepkind.h. */
#include <stdio.h>
#include <stdlib.h>

#include "stepkind.h"
#include "util.h"

static const struct step_kind *kinds;
static size_t nkinds;

static int bad(struct sh_error *err, const struct step_kind *k, size_t i, const char *what)
{
	return sh_error_set(err, SH_EXIT_FAILURE, "step kind %s (entry %zu of the table): %s",
			    k->name ? k->name : "(no name)", i + 1, what);
}

static int validate_one(const struct step_kind *k, size_t i, struct sh_error *err)
{
	unsigned both = STEP_NEEDS_NODE | STEP_NEEDS_NODES;

	if (!k->name || !*k->name)
		return bad(err, k, i, "no name");
	if (!k->summary)
		return bad(err, k, i, "no summary");
	switch (k->how) {
	case STEP_HOW_COMMAND:
		if (k->run || k->needs)
			return bad(err, k, i, "a catalog command kind has no runner and needs nothing");
		break;
	case STEP_HOW_PROCESS:
		if (!k->run)
			return bad(err, k, i, "a 'stackhop step' kind without a runner");
		if (!k->help)
			return bad(err, k, i, "a 'stackhop step' kind without its help line");
		if ((k->needs & both) == both)
			return bad(err, k, i, "needs one node or a node list, not both");
		if (k->exit != STEP_EXIT_PLAIN)
			return bad(err, k, i, "only a catalog command's exit status reads otherwise");
		break;
	case STEP_HOW_NOT_YET:
		if (!k->why)
			return bad(err, k, i, "a kind that cannot run on real nodes must say why");
		if (k->run)
			return bad(err, k, i, "a runner, yet it says it cannot run");
		break;
	default:
		return bad(err, k, i, "no way to run on real nodes (how: command, process or not yet)");
	}
	if (k->internal ? k->sim_check || k->sim_apply : !k->sim_check || !k->sim_apply)
		return bad(err, k, i, k->internal ? "an internal kind is never simulated"
					: "a plan kind without its sim check and apply");
	if (k->retries < 0)
		return bad(err, k, i, "negative retries");
	return 0;
}

int step_kinds_validate(const struct step_kind *table, size_t n, struct sh_error *err)
{
	if (!table || !n)
		return sh_error_set(err, SH_EXIT_FAILURE, "an empty table of step kinds");
	for (size_t i = 0; i < n; i++) {
		if (validate_one(&table[i], i, err) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (streq(table[j].name, table[i].name))
				return bad(err, &table[i], i, "listed twice");
	}
	return 0;
}

void step_kinds_register(const struct step_kind *table, size_t n)
{
	struct sh_error err = { 0 };

	if (step_kinds_validate(table, n, &err) < 0) {
		fprintf(stderr, "stackhop: BUG: %s\n", err.msg);
		abort();
	}
	kinds = table;
	nkinds = n;
}

static void need_table(void)
{
	if (!kinds) {
		fputs("stackhop: BUG: a step kind was looked up before the table was registered (step_kinds_register())\n",
		      stderr);
		abort();
	}
}

const struct step_kind *step_kind_find_any(const char *name)
{
	need_table();
	for (size_t i = 0; i < nkinds; i++)
		if (streq(kinds[i].name, name))
			return &kinds[i];
	return NULL;
}

const struct step_kind *step_kind_find(const char *name)
{
	const struct step_kind *k = step_kind_find_any(name);

	return k && !k->internal ? k : NULL;
}

const struct step_kind *step_kind_at(size_t i)
{
	need_table();
	return i < nkinds ? &kinds[i] : NULL;
}

const char *step_kind_names(void)
{
	static char buf[2048];
	static const struct step_kind *made_for;

	need_table();
	if (made_for != kinds) {
		size_t off = 0;

		buf[0] = '\0';
		for (size_t i = 0; i < nkinds && off < sizeof(buf); i++)
			if (!kinds[i].internal)
				off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
							off ? ", " : "", kinds[i].name);
		made_for = kinds;
	}
	return buf;
}
