/*
 * sim-infra.c - the members of infrastructure components in the simulated
 * cloud: what each Galera, RabbitMQ, HAProxy, keepalived, memcached and
 * Ceph kind checks and applies (sim.h).
 *
 * They act on a step of phase infra or ceph with an owner (the component);
 * any other step has no members here: its check reads its 'provides'
 * facts, or cannot tell, and its apply changes nothing (catalog commands
 * use sim_check_member and sim_apply_member for that).  A step of a node
 * (t) acts on that node's member, a cluster step on each of its targets'.
 */
#include <stdio.h>
#include <string.h>

#include "sim-internal.h"

static bool on_members(const struct plan_step *s)
{
	return s->owner && (streq(s->phase, "infra") || streq(s->phase, "ceph"));
}

/* Every member of an infrastructure component, in host order. */
static size_t members_where(struct sim *m, const char *comp, const char *key,
			    const char *value, const char *release, size_t *ret_total)
{
	json_t *nodes = sim_child(m->root, "nodes"), *n;
	const char *host;
	size_t count = 0, total = 0;

	json_object_foreach(nodes, host, n) {
		json_t *mb = json_object_get(json_object_get(n, "infra"), comp);

		if (!mb)
			continue;
		total++;
		if ((!key || streq(sim_sat(mb, key), value)) &&
		    (!release || streq(sim_sat(mb, "release"), release)))
			count++;
	}
	if (ret_total)
		*ret_total = total;
	return count;
}

/* ---- check --------------------------------------------------------------- */

/* Is member mb (of the step's target) done?  to: the hop's release. */
typedef bool member_done_fn(struct sim *m, json_t *mb, const char *to);

/* done NULL: the step has no lasting effect (a validation). */
static enum sim_check check_members(struct sim *m, const struct plan_step *s,
				    const struct inv_host *t, member_done_fn *done)
{
	const char *to = sim_hop_to(m, s)->name;
	bool all = true;

	if (s->nprovides)
		return sim_check_facts(m, s);
	if (!on_members(s))
		return SIM_UNKNOWN;
	for (size_t i = 0; i < s->ntargets; i++) {
		json_t *mb = sim_member(m->root, t ? t->name : s->targets[i]->name, s->owner);

		if (!done)
			return SIM_UNKNOWN;
		all &= done(m, mb, to);
		if (t)
			break;
	}
	return all ? SIM_DONE : SIM_NOT_DONE;
}

static bool upgraded(struct sim *m, json_t *mb, const char *to)
{
	(void)m;
	return streq(sim_sat(mb, "release"), to) && !streq(sim_sat(mb, "state"), "stopped");
}

static bool stopped(struct sim *m, json_t *mb, const char *to)
{
	(void)m;
	return streq(sim_sat(mb, "state"), "stopped") || streq(sim_sat(mb, "release"), to);
}

static bool drained(struct sim *m, json_t *mb, const char *to)
{
	(void)mb;
	(void)to;
	return sim_bool(sim_child(m->root, "galera"), "drained");
}

static bool wiped(struct sim *m, json_t *mb, const char *to)
{
	(void)m;
	return !sim_bool(mb, "mnesia") || streq(sim_sat(mb, "release"), to);
}

static bool exported(struct sim *m, json_t *mb, const char *to)
{
	(void)mb;
	return streq(sim_sat(sim_child(m->root, "rabbitmq"), "definitions"), to);
}

static bool imported(struct sim *m, json_t *mb, const char *to)
{
	(void)mb;
	(void)to;
	return sim_bool(sim_child(m->root, "rabbitmq"), "imported");
}

static bool policy_set(struct sim *m, json_t *mb, const char *to)
{
	(void)mb;
	(void)to;
	return streq(sim_sat(sim_child(m->root, "rabbitmq"), "policy"), "ha-all");
}

#define MEMBER_CHECK(fn, done)							\
	enum sim_check fn(struct sim *m, const struct plan_step *s,		\
			  const struct inv_host *t)				\
	{									\
		return check_members(m, s, t, done);				\
	}

MEMBER_CHECK(sim_check_member, upgraded)
MEMBER_CHECK(sim_check_stopped, stopped)
MEMBER_CHECK(sim_check_drained, drained)
MEMBER_CHECK(sim_check_wiped, wiped)
MEMBER_CHECK(sim_check_exported, exported)
MEMBER_CHECK(sim_check_imported, imported)
MEMBER_CHECK(sim_check_policy, policy_set)
MEMBER_CHECK(sim_check_validate, NULL)

/* ---- apply --------------------------------------------------------------- */

/* What a step does to each member it acts on. */
typedef void member_effect_fn(struct sim *m, const struct plan_step *s, json_t *mb);

static void effect_upgrade(struct sim *m, const struct plan_step *s, json_t *mb)
{
	const char *own = s->owner;

	sim_put_str(mb, "release", sim_hop_to(m, s)->name);
	sim_put_str(mb, "state", streq(own, "galera") ? "synced" : "running");
	if (streq(own, "rabbitmq"))
		json_object_set_new(mb, "mnesia", json_true());
	if (streq(own, "rabbitmq"))
		json_object_set_new(sim_child(m->root, "rabbitmq"), "imported", json_false());
}

static void effect_stop(struct sim *m, const struct plan_step *s, json_t *mb)
{
	(void)m;
	(void)s;
	sim_put_str(mb, "state", "stopped");
}

static void effect_wipe(struct sim *m, const struct plan_step *s, json_t *mb)
{
	(void)m;
	(void)s;
	json_object_set_new(mb, "mnesia", json_false());
}

static int each_member(struct sim *m, const struct plan_step *s, const struct inv_host *t,
		       member_effect_fn *effect)
{
	for (size_t i = 0; i < s->ntargets; i++) {
		effect(m, s, sim_member(m->root, t ? t->name : s->targets[i]->name, s->owner));
		if (t)
			break;
	}
	return 0;
}

int sim_apply_member(struct sim *m, const struct plan_step *s, const struct inv_host *t,
		     struct sh_error *err)
{
	(void)err;
	return on_members(s) ? each_member(m, s, t, effect_upgrade) : 0;
}

int sim_apply_stop(struct sim *m, const struct plan_step *s, const struct inv_host *t,
		   struct sh_error *err)
{
	(void)err;
	return on_members(s) ? each_member(m, s, t, effect_stop) : 0;
}

int sim_apply_galera_stop(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			  struct sh_error *err)
{
	if (!on_members(s))
		return 0;
	if (!sim_bool(sim_child(m->root, "galera"), "drained"))
		return sim_unmet(err, s, t, "the Galera backend is still enabled in HAProxy (drain it first)");
	return each_member(m, s, t, effect_stop);
}

int sim_apply_galera_drain(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			   struct sh_error *err)
{
	(void)t;
	(void)err;
	if (on_members(s))
		json_object_set_new(sim_child(m->root, "galera"), "drained", json_true());
	return 0;
}

int sim_apply_galera_node_upgrade(struct sim *m, const struct plan_step *s,
				  const struct inv_host *t, struct sh_error *err)
{
	size_t total, n;

	if (!on_members(s))
		return 0;
	n = members_where(m, s->owner, "state", "synced", NULL, &total);
	if (total > 1 &&
	    n - streq(sim_sat(sim_member(m->root, t->name, s->owner), "state"), "synced") < 1)
		return sim_unmet(err, s, t, "no other Galera member is synced: the cluster would lose its primary component");
	return each_member(m, s, t, effect_upgrade);
}

int sim_apply_galera_bootstrap(struct sim *m, const struct plan_step *s,
			       const struct inv_host *t, struct sh_error *err)
{
	size_t total;

	if (!on_members(s))
		return 0;
	if (members_where(m, s->owner, "state", "stopped", NULL, &total) != total)
		return sim_unmet(err, s, t, "every Galera member must be stopped before a new cluster is bootstrapped");
	return each_member(m, s, t, effect_upgrade);
}

int sim_apply_galera_join(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			  struct sh_error *err)
{
	const char *to = sim_hop_to(m, s)->name;

	if (!on_members(s))
		return 0;
	if (!members_where(m, s->owner, "state", "synced", to, NULL))
		return sim_unmet(err, s, t, "no synced Galera member of %s to join", to);
	return each_member(m, s, t, effect_upgrade);
}

int sim_apply_validate(struct sim *m, const struct plan_step *s, const struct inv_host *t,
		       struct sh_error *err)
{
	const char *to = sim_hop_to(m, s)->name, *own = s->owner;
	const char *want;
	size_t total;

	if (!on_members(s))
		return 0;
	want = streq(own, "galera") ? "synced" : "running";
	if (members_where(m, own, "state", want, to, &total) != total)
		return sim_unmet(err, s, t, "%zu of %zu %s members are %s at %s",
				 members_where(m, own, "state", want, to, NULL), total, own, want, to);
	if (streq(own, "galera"))
		json_object_set_new(sim_child(m->root, "galera"), "drained", json_false());
	return 0;
}

int sim_apply_rabbitmq_export(struct sim *m, const struct plan_step *s,
			      const struct inv_host *t, struct sh_error *err)
{
	(void)t;
	(void)err;
	if (on_members(s))
		sim_put_str(sim_child(m->root, "rabbitmq"), "definitions", sim_hop_to(m, s)->name);
	return 0;
}

int sim_apply_rabbitmq_wipe(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			    struct sh_error *err)
{
	json_t *root = m->root;

	if (!on_members(s))
		return 0;
	if (!streq(sim_sat(sim_child(root, "rabbitmq"), "definitions"), sim_hop_to(m, s)->name))
		return sim_unmet(err, s, t, "RabbitMQ definitions were not exported: wiping mnesia would lose users, vhosts and policies");
	for (size_t i = 0; i < s->ntargets; i++)
		if (!streq(sim_sat(sim_member(root, s->targets[i]->name, s->owner), "state"), "stopped"))
			return sim_unmet(err, s, t, "RabbitMQ on %s is still running", s->targets[i]->name);
	return each_member(m, s, t, effect_wipe);
}

/* rabbitmq-join, -import and -policy need a running node of the release. */
static int rabbitmq_running(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			    struct sh_error *err)
{
	const char *to = sim_hop_to(m, s)->name;

	if (!members_where(m, s->owner, "state", "running", to, NULL))
		return sim_unmet(err, s, t, "no running RabbitMQ node of %s", to);
	return 0;
}

int sim_apply_rabbitmq_join(struct sim *m, const struct plan_step *s, const struct inv_host *t,
			    struct sh_error *err)
{
	if (!on_members(s))
		return 0;
	if (rabbitmq_running(m, s, t, err) < 0)
		return -1;
	return each_member(m, s, t, effect_upgrade);
}

int sim_apply_rabbitmq_import(struct sim *m, const struct plan_step *s,
			      const struct inv_host *t, struct sh_error *err)
{
	json_t *rmq = sim_child(m->root, "rabbitmq");

	if (!on_members(s))
		return 0;
	if (rabbitmq_running(m, s, t, err) < 0)
		return -1;
	if (!streq(sim_sat(rmq, "definitions"), sim_hop_to(m, s)->name))
		return sim_unmet(err, s, t, "no exported RabbitMQ definitions to import");
	json_object_set_new(rmq, "imported", json_true());
	return 0;
}

int sim_apply_rabbitmq_policy(struct sim *m, const struct plan_step *s,
			      const struct inv_host *t, struct sh_error *err)
{
	if (!on_members(s))
		return 0;
	if (rabbitmq_running(m, s, t, err) < 0)
		return -1;
	sim_put_str(sim_child(m->root, "rabbitmq"), "policy", "ha-all");
	return 0;
}
