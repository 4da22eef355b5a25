/*
 * runtime.h - how a service runs on a node: the one interface every
 * procedure (the OpenStack container flow, Galera, RabbitMQ, HAProxy,
 * keepalived, memcached) starts, stops and inspects a service through.
 *
 * A runtime is a table of operations (struct runtime_ops), chosen once
 * from the settings' "runtime:" when the infra context is opened
 * (x->rt).  Two exist:
 *
 *   process  (runtime-process.c) the settings' control command,
 *            process.control + ACTION SERVICE NODE [ARGS], run on the
 *            node over ssh (the lab's lab/svc.sh);
 *   docker   (runtime-docker.c) the node's Docker Engine API, its socket
 *            forwarded over ssh (src/runtime/docker.c), containers and
 *            images named from the settings' templates (kolla's layout).
 *
 * The operations only act on one service of one node and log nothing:
 * the procedures decide (order, drains, waits, checks) and log, naming
 * the service as the runtime's unit() does ("galera", "container
 * nova_conductor"), so the process runtime's log is what it was before
 * this interface.  Each returns 0 (or what it says) and -1 with err set.
 *
 * A runtime may leave an operation NULL: it cannot do it.  Each step kind
 * needs a set of operations (the *_NEEDS masks below); runtime_lacks()
 * names what a runtime lacks of a set, so that a plan is refused before
 * its journal is written rather than failing half-way.
 *
 * Adding a runtime: a runtime-NAME.c here with a const struct
 * runtime_ops, its name in settings' enum runtime_kind, and a line in
 * runtime_for() (runtime.c).  Leave NULL what it cannot honestly do.
 */
#ifndef STACKHOP_RUNTIME_H
#define STACKHOP_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "inventory.h"
#include "settings.h"
#include "util.h"

struct infra;

/* One bit per operation of struct runtime_ops. */
enum runtime_op {
	RT_RUNNING = 1u << 0,
	RT_VERSION = 1u << 1,
	RT_VERSIONS = 1u << 2,
	RT_STOP = 1u << 3,
	RT_START = 1u << 4,
	RT_REMOVE = 1u << 5,
	RT_IMAGE_REMOVE = 1u << 6,
	RT_WAIT_HEALTHY = 1u << 7,
	RT_READ_CONFIG = 1u << 8,
	RT_WRITE_CONFIG = 1u << 9,
	RT_RUN_ONE_OFF = 1u << 10,
	RT_EXEC = 1u << 11,
	RT_ACTION = 1u << 12,
	/* Not operations but what they can do (runtime_ops.caps): */
	RT_START_GALERA = 1u << 13,	/* start with new_cluster or position */
	RT_KEEPS_DATA = 1u << 14,	/* a service restarted on a new version keeps its data */
	RT_EXEC_STDIN = 1u << 15,	/* exec with standard input */
	/* Which services' actions (action() with these names) it has: */
	RT_GALERA_ACTIONS = 1u << 16,	/* grastate, safe-to-bootstrap, remove-grastate, recover */
	RT_RABBITMQ_WIPE = 1u << 17,	/* rabbitmq wipe */
	RT_HAPROXY_RELOAD = 1u << 18,	/* haproxy reload [--version V] */
	RT_KEEPALIVED_DRAIN = 1u << 19,	/* keepalived drain */
};

/* How to start a service (start()). */
struct rt_start {
	const char *version;		/* its image's version; NULL: the one it ran */
	/* Galera: --wsrep-new-cluster; --wsrep_start_position=UUID:SEQNO. */
	bool new_cluster;
	const char *position;
	/*
	 * A stopped container of another version is removed first (the
	 * docker runtime; the process runtime has nothing to remove).  The
	 * OpenStack flow leaves this false: container-remove is its own step.
	 */
	bool replace;
	/* The service keeps its data beside it (Galera, RabbitMQ): refused
	 * by a runtime without RT_KEEPS_DATA. */
	bool keep_data;
};

struct runtime_ops {
	const char *name;		/* "process", "docker" */
	/* How the log names service's unit ("galera", "container galera"). */
	void (*unit)(const char *service, char *buf, size_t size);

	/*
	 * Does service run on h?  1 yes, 0 stopped (or no such container),
	 * -1 and err: unknown (ssh failed, an unexpected answer) -- never
	 * taken for stopped.
	 */
	int (*running)(struct infra *x, const struct inv_host *h, const char *service,
		       struct sh_error *err);
	/* The version label of what service runs (or last ran) on h, "" when
	 * none, malloc'd; NULL and err on error. */
	char *(*version)(struct infra *x, const struct inv_host *h, const char *service,
			 struct sh_error *err);
	/* The version labels of service's images on h, one a line (*out,
	 * malloc'd). */
	int (*versions)(struct infra *x, const struct inv_host *h, const char *service,
			char **out, struct sh_error *err);
	/* Stop a running service. */
	int (*stop)(struct infra *x, const struct inv_host *h, const char *service,
		    struct sh_error *err);
	/* Start a stopped service as o says. */
	int (*start)(struct infra *x, const struct inv_host *h, const char *service,
		     const struct rt_start *o, struct sh_error *err);
	/* Forget a stopped service's container; what it did into *said
	 * (lines, malloc'd), for the log. */
	int (*remove)(struct infra *x, const struct inv_host *h, const char *service,
		      char **said, struct sh_error *err);
	/* Remove service's images other than keep that nothing uses; *said
	 * as remove(). */
	int (*image_remove)(struct infra *x, const struct inv_host *h, const char *service,
			    const char *keep, char **said, struct sh_error *err);
	/* Until service runs and answers (its health check), timeout_s. */
	int (*wait_healthy)(struct infra *x, const struct inv_host *h, const char *service,
			    double timeout_s, struct sh_error *err);

	/*
	 * The OpenStack service's configuration files on h (the docker
	 * runtime: SERVICE.conf of each container's directory), appended to
	 * *files; NULL: one file, which read_config() and write_config() get
	 * as file NULL (the process runtime's "config" action).
	 */
	int (*config_files)(struct infra *x, const struct inv_host *h, const char *service,
			    str_vec *files, struct sh_error *err);
	int (*read_config)(struct infra *x, const struct inv_host *h, const char *service,
			   const char *file, char **text, struct sh_error *err);
	/* Replace it atomically, owner and mode kept. */
	int (*write_config)(struct infra *x, const struct inv_host *h, const char *service,
			    const char *file, const char *text, struct sh_error *err);

	/*
	 * A catalog command: argv in a one-off run of service's image on h
	 * (version's, NULL: the one its container runs) with its
	 * configuration; output to stdout and stderr.  Its exit status, or
	 * -1 when it could not run.
	 */
	int (*run_one_off)(struct infra *x, const struct inv_host *h, const char *service,
			   const char *version, const char *const *argv, struct sh_error *err);
	/*
	 * argv in the running service on h (rabbitmqctl, rabbitmq-diagnostics,
	 * mariadb-upgrade), stdin_data (may be NULL) on its input, its stdout
	 * into *out (may be NULL).  A non-zero exit is an error.
	 */
	int (*exec)(struct infra *x, const struct inv_host *h, const char *service,
		    const char *const *argv, const char *stdin_data, char **out,
		    struct sh_error *err);
	/*
	 * A service's own action that has no meaning for any other service:
	 * galera grastate, safe-to-bootstrap, remove-grastate, recover;
	 * rabbitmq wipe; haproxy reload [--version V]; keepalived drain.
	 * They act on a service's data directory or configuration, which
	 * only the runtime that laid them out knows.  Arguments as the
	 * process runtime's control command takes them.
	 */
	int (*action)(struct infra *x, const struct inv_host *h, const char *service,
		      const char *action, const char *const *args, char **out,
		      struct sh_error *err);
	/* What the operations can do beyond the above: RT_START_GALERA,
	 * RT_KEEPS_DATA, RT_EXEC_STDIN, and the actions (RT_GALERA_ACTIONS,
	 * ...). */
	unsigned caps;
	/* More of them that the settings give (NULL: none); st may be NULL. */
	unsigned (*caps_for)(const struct settings *st);
};

extern const struct runtime_ops runtime_process;
extern const struct runtime_ops runtime_docker;

/* The runtime the settings name. */
const struct runtime_ops *runtime_for(enum runtime_kind kind);

/* What rt can do beyond its operations with settings st (may be NULL). */
unsigned runtime_caps(const struct runtime_ops *rt, const struct settings *st);

/*
 * The operations of needs (enum runtime_op bits) rt lacks with settings
 * st (may be NULL: what it always has), as "stop, exec" (a static
 * buffer), or NULL when it has them all.
 */
const char *runtime_lacks(const struct runtime_ops *rt, const struct settings *st,
			  unsigned needs);

/* ---- what each step kind needs ---------------------------------------------------- */

/*
 * For the step-kind table: a runtime that lacks any of a kind's needs
 * cannot run it.  The docker runtime has no action, no Galera start
 * options, no exec with standard input, and does not keep a service's
 * data across a new container, so it runs the OpenStack flow, memcached,
 * the health checks and the RabbitMQ steps that only read or set through
 * rabbitmqctl (export, policy), and none that stop and start Galera or
 * RabbitMQ, nor HAProxy and keepalived.
 */
#define RT_CHECK_IMAGE (RT_VERSIONS)
/* OpenStack container flow (src/procedures/service.c). */
#define CONTAINER_STOP_NEEDS (RT_RUNNING | RT_STOP)
#define CONTAINER_REMOVE_NEEDS (RT_RUNNING | RT_REMOVE)
#define IMAGE_REMOVE_NEEDS (RT_CHECK_IMAGE | RT_IMAGE_REMOVE)
#define CONTAINER_START_NEEDS (RT_CHECK_IMAGE | RT_RUNNING | RT_VERSION | RT_START)
#define HEALTH_CHECK_NEEDS (RT_WAIT_HEALTHY)
#define CONFIG_MIGRATE_NEEDS (RT_READ_CONFIG | RT_WRITE_CONFIG)
#define CONTAINER_RUN_NEEDS (RT_RUN_ONE_OFF)
/* memcached (memcached.c): stop, the new image started, TCP answers (a
 * cache: nothing to keep). */
#define MEMCACHED_UPGRADE_NEEDS (RT_CHECK_IMAGE | RT_RUNNING | RT_STOP | RT_START)
/* pre-validate, post-verify (health.c): the RabbitMQ check's
 * cluster_status; the others are SQL and HAProxy's socket. */
#define HEALTH_ALL_NEEDS (RT_EXEC)
/* db-backup (galera-backup.c): SQL through the VIP and local clients. */
#define DB_BACKUP_NEEDS 0u
/* Galera (galera.c); status is stackhop galera status. */
#define GALERA_STATUS_NEEDS (RT_VERSION)
#define GALERA_DRAIN_NEEDS (RT_CHECK_IMAGE)
#define GALERA_STOP_NEEDS (RT_RUNNING | RT_STOP)
#define GALERA_NODE_UPGRADE_NEEDS \
	(RT_CHECK_IMAGE | RT_RUNNING | RT_VERSION | RT_STOP | RT_START | RT_KEEPS_DATA | RT_EXEC)
#define GALERA_BOOTSTRAP_NEEDS \
	(RT_CHECK_IMAGE | RT_RUNNING | RT_VERSION | RT_STOP | RT_START | RT_KEEPS_DATA | \
	 RT_START_GALERA | RT_EXEC | RT_GALERA_ACTIONS)
#define GALERA_JOIN_NEEDS \
	(RT_CHECK_IMAGE | RT_RUNNING | RT_VERSION | RT_STOP | RT_START | RT_KEEPS_DATA)
#define GALERA_VALIDATE_NEEDS 0u
#define GALERA_ROLLING_NEEDS GALERA_NODE_UPGRADE_NEEDS
#define GALERA_NEW_CLUSTER_NEEDS \
	(GALERA_DRAIN_NEEDS | GALERA_STOP_NEEDS | GALERA_BOOTSTRAP_NEEDS | GALERA_JOIN_NEEDS)
#define GALERA_RECOVER_NEEDS \
	(RT_RUNNING | RT_STOP | RT_START | RT_KEEPS_DATA | RT_START_GALERA | RT_GALERA_ACTIONS)
/* RabbitMQ (rabbitmq.c): rabbitmqctl and rabbitmq-diagnostics through
 * exec; validate may restart the settings' rabbitmq.clients (stop and
 * start again). */
#define RABBITMQ_EXPORT_NEEDS (RT_CHECK_IMAGE | RT_EXEC)
#define RABBITMQ_STOP_NEEDS (RT_RUNNING | RT_STOP)
#define RABBITMQ_WIPE_NEEDS (RT_RABBITMQ_WIPE)
#define RABBITMQ_START_NEEDS (RT_CHECK_IMAGE | RT_RUNNING | RT_START | RT_KEEPS_DATA | RT_EXEC)
#define RABBITMQ_IMPORT_NEEDS (RT_EXEC | RT_EXEC_STDIN)
#define RABBITMQ_POLICY_NEEDS (RT_EXEC)
#define RABBITMQ_VALIDATE_NEEDS (RT_RUNNING | RT_STOP | RT_START | RT_EXEC)
#define RABBITMQ_NODE_UPGRADE_NEEDS \
	(RT_CHECK_IMAGE | RT_RUNNING | RT_STOP | RT_START | RT_KEEPS_DATA | RT_EXEC)
#define RABBITMQ_ROLLING_NEEDS (RABBITMQ_NODE_UPGRADE_NEEDS | RABBITMQ_VALIDATE_NEEDS)
#define RABBITMQ_FULL_STOP_NEEDS \
	(RABBITMQ_EXPORT_NEEDS | RABBITMQ_STOP_NEEDS | RABBITMQ_WIPE_NEEDS | \
	 RABBITMQ_START_NEEDS | RABBITMQ_IMPORT_NEEDS | RABBITMQ_POLICY_NEEDS | \
	 RABBITMQ_VALIDATE_NEEDS)
/* HAProxy (haproxy.c): reload mode (an action), vip-move mode (stop and
 * start, keepalived's drain action); keepalived the same. */
#define HAPROXY_RELOAD_NEEDS \
	(RT_CHECK_IMAGE | RT_RUNNING | RT_VERSION | RT_STOP | RT_START | RT_HAPROXY_RELOAD)
#define HAPROXY_VIP_MOVE_NEEDS \
	(RT_CHECK_IMAGE | RT_RUNNING | RT_VERSION | RT_STOP | RT_START | RT_KEEPALIVED_DRAIN)
/* The step kind: either mode (the settings choose at run time). */
#define HAPROXY_UPGRADE_NEEDS (HAPROXY_RELOAD_NEEDS | HAPROXY_VIP_MOVE_NEEDS)
#define KEEPALIVED_UPGRADE_NEEDS \
	(RT_CHECK_IMAGE | RT_RUNNING | RT_VERSION | RT_STOP | RT_START | RT_KEEPALIVED_DRAIN)

/* ---- the calls the procedures make (runtime.c) ------------------------------------ */

/*
 * x->rt's operations, each an error naming the runtime and what it cannot
 * do where the operation is NULL.  rt_remove() and rt_image_remove() log
 * what the runtime said, line by line.
 */
void rt_unit(struct infra *x, const char *service, char *buf, size_t size);
int rt_running(struct infra *x, const struct inv_host *h, const char *service,
	       struct sh_error *err);
char *rt_version(struct infra *x, const struct inv_host *h, const char *service,
		 struct sh_error *err);
int rt_stop(struct infra *x, const struct inv_host *h, const char *service,
	    struct sh_error *err);
int rt_start(struct infra *x, const struct inv_host *h, const char *service,
	     const struct rt_start *o, struct sh_error *err);
/* start() with only a version (NULL: the one it ran). */
int rt_start_version(struct infra *x, const struct inv_host *h, const char *service,
		     const char *version, struct sh_error *err);
/* The same for a service whose data must be kept (.keep_data). */
int rt_start_data(struct infra *x, const struct inv_host *h, const char *service,
		  const char *version, struct sh_error *err);
int rt_remove(struct infra *x, const struct inv_host *h, const char *service,
	      struct sh_error *err);
int rt_image_remove(struct infra *x, const struct inv_host *h, const char *service,
		    const char *keep, struct sh_error *err);
int rt_wait_healthy(struct infra *x, const struct inv_host *h, const char *service,
		    double timeout_s, struct sh_error *err);
/* The files (a NULL entry: the runtime's one file of service). */
int rt_config_files(struct infra *x, const struct inv_host *h, const char *service,
		    str_vec *files, struct sh_error *err);
int rt_read_config(struct infra *x, const struct inv_host *h, const char *service,
		   const char *file, char **text, struct sh_error *err);
int rt_write_config(struct infra *x, const struct inv_host *h, const char *service,
		    const char *file, const char *text, struct sh_error *err);
int rt_run_one_off(struct infra *x, const struct inv_host *h, const char *service,
		   const char *version, const char *const *argv, struct sh_error *err);
int rt_exec(struct infra *x, const struct inv_host *h, const char *service,
	    const char *const *argv, const char *stdin_data, char **out, struct sh_error *err);
int rt_action(struct infra *x, const struct inv_host *h, const char *service,
	      const char *action, const char *const *args, char **out, struct sh_error *err);

/*
 * The run's runtime has every operation of needs, else an error naming
 * what (a step kind, a procedure) needs what it lacks: each procedure
 * asks first, so that nothing is changed when it could not finish.
 */
int rt_require(struct infra *x, unsigned needs, const char *what, struct sh_error *err);

/* Stop service on h unless it is not running; logs which. */
int rt_stop_running(struct infra *x, const struct inv_host *h, const char *service,
		    struct sh_error *err);
/*
 * h has exactly one image of service matching version (infra_version_is;
 * one whose whole version it is, though others begin with it;
 * checked before a procedure changes anything).
 */
int rt_image_check(struct infra *x, const struct inv_host *h, const char *service,
		   const char *version, struct sh_error *err);

#endif
