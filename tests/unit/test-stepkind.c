/* test-stepkind.c - the one table of step kinds and its validation. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "sim.h"
#include "stepkind.h"
#include "steps.h"

/* The real table passes its own validation, and says what every kind is. */
TEST(the_real_table_is_valid)
{
	struct sh_error err = { 0 };
	size_t process = 0, command = 0, not_yet = 0;

	CHECK(step_kinds_validate(step_kind_table, step_kind_table_size, &err) == 0);
	CHECK(!err.msg[0]);
	step_kinds_init();
	for (size_t i = 0; i < step_kind_table_size; i++) {
		const struct step_kind *k = &step_kind_table[i];

		CHECK(step_kind_find_any(k->name) == k);
		CHECK(step_kind_find(k->name) == (k->internal ? NULL : k));
		CHECK(step_kind_at(i) == k);
		process += k->how == STEP_HOW_PROCESS;
		command += k->how == STEP_HOW_COMMAND;
		not_yet += k->how == STEP_HOW_NOT_YET;
		if (k->how == STEP_HOW_PROCESS)
			CHECK(k->run && k->help);
	}
	CHECK(process + command + not_yet == step_kind_table_size);
	CHECK(command == 5);
	CHECK(step_kind_at(step_kind_table_size) == NULL);
	CHECK(!step_kind_find("db-snyc"));
	/* The exit status of command kinds. */
	CHECK(step_kind_find("online-migrations")->exit == STEP_EXIT_AGAIN);
	CHECK(step_kind_find("archive-deleted-rows")->exit == STEP_EXIT_ARCHIVE);
	CHECK(step_kind_find("status-check")->exit == STEP_EXIT_UPGRADECHECK);
	CHECK(step_kind_find("db-sync")->exit == STEP_EXIT_PLAIN);
	/* The test kind noop-wait is a plan kind that changes nothing. */
	CHECK(step_kind_find("noop-wait") && step_kind_find("noop-wait")->sim_apply == sim_apply_none);
	CHECK(!step_kind_find("noop-wait")->destructive);
	/* The catalog names plan kinds only: container-run is internal. */
	CHECK(step_kind_find_any("container-run") && !step_kind_find("container-run"));
	CHECK(!strstr(step_kind_names(), "container-run"));
	CHECK_CONTAINS(step_kind_names(), "pre-validate, db-backup, host-upgrade");
}

static int fake_run(const struct step_run *r, struct sh_error *err)
{
	(void)r;
	(void)err;
	return 0;
}

/* Validation of a one-kind table built from good with edit applied. */
static const char *refused(void (*edit)(struct step_kind *k))
{
	static struct sh_error err;
	struct step_kind t[2] = {
		{ "good-kind", "a kind", .how = STEP_HOW_PROCESS, .run = fake_run, .help = "h",
		  .sim_check = sim_check_member, .sim_apply = sim_apply_member },
		{ "other-kind", "another", .how = STEP_HOW_COMMAND, .exit = STEP_EXIT_AGAIN,
		  .sim_check = sim_check_member, .sim_apply = sim_apply_member },
	};

	memset(&err, 0, sizeof(err));
	if (edit)
		edit(&t[1]);
	return step_kinds_validate(t, 2, &err) < 0 ? err.msg : NULL;
}

static void no_runner(struct step_kind *k)
{
	k->how = STEP_HOW_PROCESS;
	k->exit = STEP_EXIT_PLAIN;
	k->help = "h";
}

static void no_how(struct step_kind *k) { k->how = STEP_HOW_UNSET; }
static void no_why(struct step_kind *k) { k->how = STEP_HOW_NOT_YET; }
static void no_sim(struct step_kind *k) { k->sim_apply = NULL; }
static void twice(struct step_kind *k) { k->name = "good-kind"; }
static void no_help(struct step_kind *k) { no_runner(k); k->run = fake_run; k->help = NULL; }
static void both_node(struct step_kind *k)
{
	no_runner(k);
	k->run = fake_run;
	k->needs = STEP_NEEDS_NODE | STEP_NEEDS_NODES;
}
static void process_again(struct step_kind *k)
{
	no_runner(k);
	k->run = fake_run;
	k->exit = STEP_EXIT_AGAIN;
}
static void internal_sim(struct step_kind *k) { k->internal = true; }
static void command_runner(struct step_kind *k) { k->run = fake_run; }

/* A broken table is refused, naming the kind: never an empty error later. */
TEST(a_broken_table_is_refused)
{
	struct sh_error err = { 0 };

	CHECK(refused(NULL) == NULL);
	CHECK_CONTAINS(refused(no_runner), "step kind other-kind (entry 2 of the table): a 'stackhop step' kind without a runner");
	CHECK_CONTAINS(refused(no_how), "other-kind");
	CHECK_CONTAINS(refused(no_how), "no way to run on real nodes");
	CHECK_CONTAINS(refused(no_why), "must say why");
	CHECK_CONTAINS(refused(no_sim), "without its sim check and apply");
	CHECK_CONTAINS(refused(twice), "listed twice");
	CHECK_CONTAINS(refused(no_help), "without its help line");
	CHECK_CONTAINS(refused(both_node), "not both");
	CHECK_CONTAINS(refused(process_again), "only a catalog command's exit status");
	CHECK_CONTAINS(refused(internal_sim), "never simulated");
	CHECK_CONTAINS(refused(command_runner), "no runner");
	CHECK(step_kinds_validate(NULL, 0, &err) < 0);
}

int main(void)
{
	RUN(the_real_table_is_valid);
	RUN(a_broken_table_is_refused);
	HARNESS_END();
}
