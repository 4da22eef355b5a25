/*
 * kinds.c - the one table of step kinds (struct step_kind, stepkind.h),
 * and the runners that are one call of a procedure.  A kind is declared
 * here and nowhere else: what it is, what it needs, how its exit status
 * reads, how the simulated cloud checks and applies it (sim.h) and how it
 * runs on real nodes.  step_kinds_init() registers the table;
 * step_kinds_register() refuses it at startup if a kind has no way to
 * run, or no runner.
 *
 * Adding a kind: an entry below, and its runner beside it when it runs as
 * a "stackhop step" process (docs/ARCHITECTURE.md, "Adding a step kind").
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "galera.h"
#include "haproxy.h"
#include "rabbitmq.h"
#include "runtime.h"
#include "service.h"
#include "sim.h"
#include "steps.h"
#include "util.h"

/* ---- runners --------------------------------------------------------------- */

static int run_db_backup(const struct step_run *r, struct sh_error *err)
{
	char *file = step_state_file(r->a, "db-backup", true, ".sql");
	int ret = galera_backup(r->x, file, err);

	free(file);
	return ret;
}

static int run_galera_node_upgrade(const struct step_run *r, struct sh_error *err)
{
	return galera_node_upgrade(r->x, r->h, r->a->version, err);
}

static int run_galera_drain(const struct step_run *r, struct sh_error *err)
{
	return galera_drain(r->x, r->a->version, err);
}

static int run_galera_stop(const struct step_run *r, struct sh_error *err)
{
	return galera_stop(r->x, r->h, err);
}

static int run_galera_bootstrap(const struct step_run *r, struct sh_error *err)
{
	return galera_bootstrap(r->x, r->a->version, err);
}

static int run_galera_join(const struct step_run *r, struct sh_error *err)
{
	return galera_join(r->x, r->h, r->a->version, err);
}

static int run_galera_validate(const struct step_run *r, struct sh_error *err)
{
	return galera_validate(r->x, err);
}

/*
 * A RabbitMQ kind's options: the version, the clients' reconnect timeout,
 * and for a kind that keeps files, the exported definitions' file
 * (malloc'd in *ret_file).
 */
static struct rabbitmq_options rabbitmq_opts(const struct step_run *r, char **ret_file)
{
	*ret_file = r->kind->needs & STEP_NEEDS_STATE ?
		step_state_file(r->a, "rabbitmq-definitions", false, ".json") : NULL;
	return (struct rabbitmq_options){ r->a->version, *ret_file, r->a->reconnect_timeout };
}

#define RABBITMQ_RUNNER(fn, call)						\
	static int fn(const struct step_run *r, struct sh_error *err)		\
	{									\
		char *file;							\
		struct rabbitmq_options ro = rabbitmq_opts(r, &file);		\
		int ret = (call);						\
										\
		(void)ro;							\
		free(file);							\
		return ret;							\
	}

RABBITMQ_RUNNER(run_rabbitmq_export, rabbitmq_export(r->x, &ro, err))
RABBITMQ_RUNNER(run_rabbitmq_stop, rabbitmq_stop(r->x, r->h, err))
RABBITMQ_RUNNER(run_rabbitmq_wipe, rabbitmq_wipe(r->x, r->h, err))
RABBITMQ_RUNNER(run_rabbitmq_start, rabbitmq_start(r->x, r->h, &ro, err))
RABBITMQ_RUNNER(run_rabbitmq_import, rabbitmq_import(r->x, &ro, err))
RABBITMQ_RUNNER(run_rabbitmq_policy, rabbitmq_policy(r->x, err))
RABBITMQ_RUNNER(run_rabbitmq_validate, rabbitmq_validate(r->x, &ro, err))
RABBITMQ_RUNNER(run_rabbitmq_node_upgrade, rabbitmq_node_upgrade(r->x, r->h, &ro, err))

static int run_haproxy_upgrade(const struct step_run *r, struct sh_error *err)
{
	const char *m = infra_mode(r->x, "haproxy", haproxy_modes, NULL, err);

	if (!m)
		return -1;
	return haproxy_upgrade(r->x, r->a->version,
			       streq(m, "vip-move") ? HAPROXY_VIP_MOVE : HAPROXY_RELOAD, err);
}

static int run_keepalived_upgrade(const struct step_run *r, struct sh_error *err)
{
	return keepalived_upgrade(r->x, r->a->version, err);
}

static int run_container_stop(const struct step_run *r, struct sh_error *err)
{
	return service_container_stop(r->x, r->a->component, r->h, err);
}

static int run_container_remove(const struct step_run *r, struct sh_error *err)
{
	return service_container_remove(r->x, r->a->component, r->h, err);
}

static int run_image_remove(const struct step_run *r, struct sh_error *err)
{
	return service_image_remove(r->x, r->a->component, r->h, r->a->version, err);
}

static int run_container_start(const struct step_run *r, struct sh_error *err)
{
	return service_container_start(r->x, r->a->component, r->h, r->a->version, err);
}

static int run_container_run(const struct step_run *r, struct sh_error *err)
{
	if (r->x->st->runtime != RUNTIME_DOCKER)
		return sh_error_set(err, SH_EXIT_INPUT,
				    "%s: container-run is the docker runtime's (runtime: docker)",
				    r->x->st->path ? r->x->st->path : "the settings");
	return service_container_run(r->x, r->a->component, r->h, r->a->version, r->a->cmd, err);
}

/*
 * noop-wait, for tests: hold a step running until the file --param path=
 * exists (looked for every 10 ms), at most --param timeout_ms= (default
 * 60000); it changes nothing.
 */
static int run_noop_wait(const struct step_run *r, struct sh_error *err)
{
	const char *path = step_param(r->a, "path"), *limit = step_param(r->a, "timeout_ms");
	double t0 = monotonic_now();
	long timeout = 60000;
	char *end;

	if (!path)
		return sh_error_set(err, SH_EXIT_INPUT, "step noop-wait needs --param path=FILE");
	if (limit && ((timeout = strtol(limit, &end, 10)) < 0 || timeout > 86400000 ||
		      end == limit || *end))
		return sh_error_set(err, SH_EXIT_INPUT,
				    "noop-wait: timeout_ms must be 0 to 86400000, not '%s'", limit);
	while (access(path, F_OK) < 0) {
		if ((monotonic_now() - t0) * 1000.0 >= (double)timeout)
			return sh_error_set(err, SH_EXIT_FAILURE,
					    "noop-wait: '%s' did not appear within %ld ms", path, timeout);
		poll(NULL, 0, 10);
	}
	printf("noop-wait: '%s' is there after %.0f ms\n", path, (monotonic_now() - t0) * 1000.0);
	fflush(stdout);
	return 0;
}

/* ---- the table ------------------------------------------------------------- */

#define NODE STEP_NEEDS_NODE
#define NODES STEP_NEEDS_NODES
#define VERSION STEP_NEEDS_VERSION
#define STATE STEP_NEEDS_STATE
#define COMPONENT STEP_NEEDS_COMPONENT
#define PARAMS STEP_NEEDS_PARAMS
#define RELEASE STEP_NEEDS_RELEASE

/* A "stackhop step" process: its runner, needs and help line. */
#define PROCESS(fn, need, text) .how = STEP_HOW_PROCESS, .run = fn, .needs = (need), .help = text
/* What it needs of the runtime (runtime.h: the *_NEEDS of its procedure). */
#define RT(needs) .runtime_needs = (needs)
/* The catalog's command, run on the target, its exit status read so. */
#define COMMAND(ex) .how = STEP_HOW_COMMAND, .exit = (ex)
#define NOT_YET .how = STEP_HOW_NOT_YET, \
	.why = "this step kind has no implementation for real nodes yet (only catalog commands and the infrastructure procedures do)"
#define SIM(check, apply) .sim_check = check, .sim_apply = apply
/* Infrastructure members at the hop's release (and catalog commands). */
#define SIM_MEMBER SIM(sim_check_member, sim_apply_member)

const struct step_kind step_kind_table[] = {
	{ "pre-validate", "health of services, clusters and hosts before the hop",
	  RT(HEALTH_ALL_NEEDS), PROCESS(step_run_health, 0, "every health check (galera, haproxy, rabbitmq, keystone) not Failure"),
	  SIM(sim_check_member, sim_apply_pre_validate) },
	{ "db-backup", "verified dump of every database through the VIP",
	  RT(DB_BACKUP_NEEDS), PROCESS(run_db_backup, STATE, "verified dump through the VIP into STATE/db-backup-ID.sql"),
	  SIM(sim_check_db_backup, sim_apply_db_backup), .sim_weight = 8 },
	{ "host-upgrade", "host OS packages and kernel", .destructive = true, NOT_YET,
	  SIM(sim_check_host_upgrade, sim_apply_host_upgrade), .sim_weight = 6 },
	{ "ceph-mon-upgrade", "upgrade one Ceph monitor", .destructive = true, NOT_YET, SIM_MEMBER },
	{ "ceph-osd-upgrade", "upgrade the OSDs of one storage node", .destructive = true, NOT_YET,
	  SIM_MEMBER, .sim_weight = 4 },
	{ "ceph-post", "Ceph post-upgrade flags and health", .destructive = true, NOT_YET, SIM_MEMBER },

	{ "galera-node-upgrade", "drain, stop, switch, start and resync one Galera node", .destructive = true,
	  RT(GALERA_NODE_UPGRADE_NEEDS), PROCESS(run_galera_node_upgrade, NODE | VERSION, "one node of the rolling upgrade"),
	  SIM(sim_check_member, sim_apply_galera_node_upgrade), .sim_weight = 5 },
	{ "galera-drain", "disable the Galera backend in HAProxy and wait for pending transactions",
	  .destructive = true,
	  RT(GALERA_DRAIN_NEEDS), PROCESS(run_galera_drain, 0, "every node disabled in HAProxy, replication queues empty"),
	  SIM(sim_check_drained, sim_apply_galera_drain) },
	{ "galera-stop", "stop one Galera node", .destructive = true,
	  RT(GALERA_STOP_NEEDS), PROCESS(run_galera_stop, NODE, "stop one node"),
	  SIM(sim_check_stopped, sim_apply_galera_stop) },
	{ "galera-bootstrap", "bootstrap a new Galera cluster on one node", .destructive = true,
	  RT(GALERA_BOOTSTRAP_NEEDS), PROCESS(run_galera_bootstrap, VERSION, "the first node as a new primary component on VERSION"),
	  SIM(sim_check_member, sim_apply_galera_bootstrap), .sim_weight = 4 },
	{ "galera-join", "join one node to the Galera cluster", .destructive = true,
	  RT(GALERA_JOIN_NEEDS), PROCESS(run_galera_join, NODE | VERSION, "one more node on VERSION, Synced"),
	  SIM(sim_check_member, sim_apply_galera_join), .sim_weight = 4 },
	{ "galera-validate", "every node Synced, cluster size, SQL through the VIP", .retries = 5,
	  RT(GALERA_VALIDATE_NEEDS), PROCESS(run_galera_validate, 0, "every node Synced and ready in HAProxy, SQL through the VIP"),
	  SIM(sim_check_validate, sim_apply_validate) },

	{ "rabbitmq-export", "export RabbitMQ definitions",
	  RT(RABBITMQ_EXPORT_NEEDS), PROCESS(run_rabbitmq_export, STATE, "definitions and members into STATE/rabbitmq-definitions.json"),
	  SIM(sim_check_exported, sim_apply_rabbitmq_export) },
	{ "rabbitmq-stop", "stop RabbitMQ", .destructive = true,
	  RT(RABBITMQ_STOP_NEEDS), PROCESS(run_rabbitmq_stop, NODE, "stop one node"),
	  SIM(sim_check_stopped, sim_apply_stop) },
	{ "rabbitmq-wipe", "remove the mnesia directory", .destructive = true,
	  RT(RABBITMQ_WIPE_NEEDS), PROCESS(run_rabbitmq_wipe, NODE, "remove one stopped node's mnesia directory"),
	  SIM(sim_check_wiped, sim_apply_rabbitmq_wipe) },
	{ "rabbitmq-start", "start RabbitMQ", .destructive = true,
	  RT(RABBITMQ_START_NEEDS), PROCESS(run_rabbitmq_start, NODE | VERSION | STATE, "start one node on VERSION"),
	  SIM_MEMBER, .sim_weight = 3 },
	{ "rabbitmq-join", "join one node to the RabbitMQ cluster", .destructive = true,
	  RT(RABBITMQ_START_NEEDS), PROCESS(run_rabbitmq_start, NODE | VERSION | STATE,
		  "start one node on VERSION, join the first node's cluster"),
	  SIM(sim_check_member, sim_apply_rabbitmq_join) },
	{ "rabbitmq-import", "import RabbitMQ definitions", .destructive = true,
	  RT(RABBITMQ_IMPORT_NEEDS), PROCESS(run_rabbitmq_import, STATE, "import the exported definitions"),
	  SIM(sim_check_imported, sim_apply_rabbitmq_import) },
	{ "rabbitmq-policy", "set the ha-all mirrored-queue policy", .destructive = true,
	  RT(RABBITMQ_POLICY_NEEDS), PROCESS(run_rabbitmq_policy, 0, "set the ha-all policy"),
	  SIM(sim_check_policy, sim_apply_rabbitmq_policy) },
	{ "rabbitmq-node-upgrade", "upgrade one RabbitMQ node in place", .destructive = true,
	  RT(RABBITMQ_NODE_UPGRADE_NEEDS), PROCESS(run_rabbitmq_node_upgrade, NODE | VERSION, "one node of the rolling upgrade"),
	  SIM_MEMBER },
	{ "rabbitmq-validate", "members running, no partitions, no alarms", .retries = 5,
	  RT(RABBITMQ_VALIDATE_NEEDS), PROCESS(run_rabbitmq_validate, STATE,
		  "members running, no partitions or alarms, definitions and clients back"),
	  SIM(sim_check_validate, sim_apply_validate) },

	{ "haproxy-upgrade", "upgrade HAProxy on one node", .destructive = true,
	  RT(HAPROXY_UPGRADE_NEEDS), PROCESS(run_haproxy_upgrade, VERSION,
		  "HAProxy on VERSION node by node (seamless reload, or vip-move), the VIP holder last"),
	  SIM_MEMBER },
	{ "keepalived-upgrade", "upgrade keepalived on one node", .destructive = true,
	  RT(KEEPALIVED_UPGRADE_NEEDS), PROCESS(run_keepalived_upgrade, VERSION,
		  "keepalived on VERSION node by node (those already on it left alone), the VIP holder last"),
	  SIM_MEMBER },
	{ "memcached-upgrade", "upgrade memcached on one node", .destructive = true,
	  RT(MEMCACHED_UPGRADE_NEEDS), PROCESS(step_run_memcached_upgrade, NODE | VERSION,
		  "memcached restarted on VERSION on one node, answering"),
	  SIM_MEMBER },

	{ "config-migrate", "render the new release's configuration (renames applied)",
	  RT(CONFIG_MIGRATE_NEEDS), PROCESS(step_run_config_migrate, NODES | COMPONENT | RELEASE,
		  "each node's configuration translated to --release with the catalog's renames (--catalog)"),
	  SIM(sim_check_config_migrate, sim_apply_config_migrate) },
	{ "container-stop", "stop the old container", .destructive = true,
	  RT(CONTAINER_STOP_NEEDS), PROCESS(run_container_stop, NODE | COMPONENT,
		  "drain the node in HAProxy, stop the old container"),
	  SIM(sim_check_container_stop, sim_apply_container_stop) },
	{ "container-remove", "remove the old container", .destructive = true,
	  RT(CONTAINER_REMOVE_NEEDS), PROCESS(run_container_remove, NODE | COMPONENT, "remove the stopped container"),
	  SIM(sim_check_container_remove, sim_apply_container_remove) },
	{ "image-remove", "remove the old image", .destructive = true,
	  RT(IMAGE_REMOVE_NEEDS), PROCESS(run_image_remove, NODE | VERSION | COMPONENT,
		  "remove the images other than VERSION that no container uses"),
	  SIM(sim_check_image_remove, sim_apply_image_remove) },
	{ "container-start", "start the new container with the new configuration", .destructive = true,
	  RT(CONTAINER_START_NEEDS), PROCESS(run_container_start, NODE | VERSION | COMPONENT, "start the container on VERSION"),
	  SIM(sim_check_container_start, sim_apply_container_start), .sim_weight = 2 },
	{ "health-check", "check the service's health", .retries = 5,
	  RT(HEALTH_CHECK_NEEDS), PROCESS(step_run_health_check, NODES | COMPONENT,
		  "each node answers, back in HAProxy; keystone: a token through the VIP"),
	  SIM(sim_check_member, sim_apply_health_check) },
	{ "db-create", "create a database and grant its user", .destructive = true,
	  PROCESS(step_run_db_create, PARAMS,
		  "the database and its user's privileges, found or created through the VIP (--param database= user=; a new user's password: USER_db_password)"),
	  SIM(sim_check_db_create, sim_apply_db_create) },
	{ "db-sync", "database schema migration", .destructive = true, COMMAND(STEP_EXIT_PLAIN),
	  SIM(sim_check_db_sync, sim_apply_db_sync), .sim_weight = 6 },
	{ "keystone-register", "find-or-create a Keystone user, service or endpoints",
	  .destructive = true, .retries = 2,
	  PROCESS(step_run_keystone_register, PARAMS | COMPONENT,
		  "the service user (password: USER_password), service and endpoints at the VIP, found or created (--param user= type= name= port= [path=])"),
	  SIM(sim_check_keystone_register, sim_apply_keystone_register) },
	{ "command", "a management command in the new release's container", .destructive = true,
	  COMMAND(STEP_EXIT_PLAIN), SIM_MEMBER, .sim_weight = 2 },
	{ "online-migrations", "online data migrations until complete", .destructive = true,
	  COMMAND(STEP_EXIT_AGAIN), SIM_MEMBER, .sim_weight = 5 },
	{ "status-check", "upgrade status check (0 success, 1 warning, 2 failure)",
	  COMMAND(STEP_EXIT_UPGRADECHECK), SIM(sim_check_member, sim_apply_status_check) },
	{ "archive-deleted-rows", "archive soft-deleted rows until none are left", .destructive = true,
	  COMMAND(STEP_EXIT_ARCHIVE), SIM_MEMBER, .sim_weight = 4 },
	{ "post-verify", "health, status checks and resource survival after the hop",
	  RT(HEALTH_ALL_NEEDS), PROCESS(step_run_health, 0, "the same health checks after the hop"),
	  SIM(sim_check_post_verify, sim_apply_post_verify) },

	/* For tests: a step that runs until the test lets it end. */
	{ "noop-wait", "wait until a file exists, changing nothing (for tests)",
	  PROCESS(run_noop_wait, PARAMS,
		  "wait until --param path=FILE exists (at most --param timeout_ms=, default 60000); changes nothing"),
	  SIM(sim_check_none, sim_apply_none) },

	/* The docker runtime's way to run a catalog command (drivers.c). */
	{ "container-run", "a catalog command in a one-off container of the service (docker runtime)",
	  .internal = true,
	  RT(CONTAINER_RUN_NEEDS), PROCESS(run_container_run, NODE | COMPONENT | STEP_NEEDS_COMMAND,
		  "the docker runtime: -- COMMAND in a one-off container of the service's image on the node (VERSION's, else the running one's); exits with its status (125: it could not run)") },
};

const size_t step_kind_table_size = ARRAY_SIZE(step_kind_table);

void step_kinds_init(void)
{
	step_kinds_register(step_kind_table, step_kind_table_size);
}

int step_kinds_runtime_check(const struct plan *p, const struct runtime_ops *rt,
			     const struct settings *st, struct sh_error *err)
{
	char list[1024] = "";
	size_t n = 0, count = 0;

	for (size_t i = 0; i < p->steps.n; i++) {
		const struct step_kind *k = p->steps.v[i].kind;
		const char *lacks;
		bool seen = false;

		if (k->how != STEP_HOW_PROCESS || !(lacks = runtime_lacks(rt, st, k->runtime_needs)))
			continue;
		for (size_t e = 0; e < i && !seen; e++)
			seen = p->steps.v[e].kind == k;
		if (seen)
			continue;
		if (n < sizeof(list))
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s (lacks: %s)",
					      count ? ", " : "", k->name, lacks);
		count++;
	}
	if (!count)
		return 0;
	return sh_error_set(err, SH_EXIT_INPUT,
			    "the %s runtime cannot run %zu step kind%s of this plan: %s; nothing was run and no journal was written (the settings' runtime: process can run them)",
			    rt->name, count, count == 1 ? "" : "s", list);
}
