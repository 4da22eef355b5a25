/*
 * infra.h - what the infrastructure procedures (Galera, RabbitMQ,
 * HAProxy/keepalived) share: the cloud they act on, commands on its nodes,
 * the runtime services run in (runtime.h, x->rt), SQL to one node,
 * HAProxy's runtime API, and bounded waits.
 *
 * Every procedure prints what it does, one line per action with the
 * seconds since it began, so that an operator can follow it and a test can
 * check the order.  Secrets never reach argv: SQL passwords go to
 * libmariadb, shell tools get stdin or option files of mode 0600 that no
 * directory holds (a memfd read as /proc/PID/fd/N: a killed run leaves
 * none behind).
 */
#ifndef STACKHOP_INFRA_H
#define STACKHOP_INFRA_H

#include <stdbool.h>
#include <stddef.h>

#include <mysql.h>

#include "error.h"
#include "inventory.h"
#include "runtime.h"
#include "secrets.h"
#include "settings.h"
#include "transport.h"

struct infra {
	struct inventory *inv;
	struct settings *st;
	struct secrets *secrets;
	struct ssh_options ssh;
	char ssh_dir[64];
	/* How services run on the nodes: runtime_for(st->runtime), set by
	 * infra_open() (cmd.h). */
	const struct runtime_ops *rt;
	double t0;			/* monotonic start, for the log */
	bool quiet;
};

/*
 * Release what the command layer's infra_open() (cmd.h) loaded: the
 * inventory, settings and secrets of a procedure.
 */
void infra_close(struct infra *x);

/* One line of the procedure's log on stdout: "[  12.3 s] ...". */
void infra_log(struct infra *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Where each cluster runs: the first of these groups that has hosts. */
extern const char *const infra_db_groups[];	/* Galera */
extern const char *const infra_lb_groups[];	/* HAProxy and keepalived */
extern const char *const infra_mq_groups[];	/* RabbitMQ */

/*
 * The hosts of the first inventory group of names[] that exists (e.g.
 * "mariadb", "control"); an error naming them when none has hosts.
 */
int infra_hosts(struct infra *x, const char *const *names, inv_host_vec *out,
		struct sh_error *err);
struct inv_host *infra_host(struct infra *x, const char *name);

/*
 * Run argv on host h; stdin_data may be NULL.  Returns the exit status
 * (or -1 with err set when it could not run); *out (may be NULL) gets its
 * stdout, malloc'd: all of it, or -1 and an error naming the command,
 * the host and the limit when it printed more than PROC_DATA_MAX.
 */
int infra_run(struct infra *x, const struct inv_host *h, const char *const *argv,
	      const char *stdin_data, int timeout_s, char **out, struct sh_error *err);

/*
 * Run argv on this machine with stdin from stdin_path (NULL: /dev/null),
 * stdout discarded; a failure's error carries the end of its stderr.
 */
int infra_local(struct infra *x, const char *const *argv, const char *stdin_path,
		struct sh_error *err);

/* SQL on one node (its address, port 3306) or through host:port. */
MYSQL *infra_sql_connect(struct infra *x, const char *host, int port,
			 struct sh_error *err);
/* endpoints.database (the VIP) split, and a connection through it. */
int infra_vip_parts(struct infra *x, char *host, size_t size, char *port, size_t psize,
		    struct sh_error *err);
MYSQL *infra_vip_connect(struct infra *x, struct sh_error *err);
/*
 * Run q; the first column of each row, joined by '\n', into *out (may be
 * NULL).  Rows of two columns "name\tvalue".
 */
int infra_sql(MYSQL *m, const char *q, char **out, struct sh_error *err);

/* A HAProxy runtime API command on host h; *out its answer. */
int haproxy_cmd(struct infra *x, const struct inv_host *h, const char *cmd, char **out,
		struct sh_error *err);

struct haproxy_server {
	char backend[64];
	char name[64];
	char status[32];		/* UP, DOWN, MAINT, DRAIN, "UP 1/2", ... */
	long scur;			/* current sessions */
	bool backup;
};

/*
 * The servers of backend (NULL: of every backend) on host h, from "show
 * stat" (CSV, by header).
 */
int haproxy_servers(struct infra *x, const struct inv_host *h, const char *backend,
		    struct haproxy_server **ret, size_t *n, struct sh_error *err);

/* "set server BACKEND/NODE state STATE" on every load balancer of lb. */
int infra_lb_set(struct infra *x, const inv_host_vec *lb, const char *backend, const char *node,
		 const char *state, struct sh_error *err);

/* A server of a backend on every load balancer, for the waits below. */
struct infra_lb_server {
	const inv_host_vec *lb;
	const char *backend;
	const char *node;
	const char *want;		/* a status prefix: UP, MAINT, ... */
};

/* infra_wait() conditions (arg: a struct infra_lb_server): no HAProxy
 * has a session open to the server; every HAProxy shows it in want. */
int infra_lb_no_sessions(struct infra *x, void *arg, struct sh_error *err);
int infra_lb_status_is(struct infra *x, void *arg, struct sh_error *err);

/*
 * Call ok(arg) every 200 ms until it returns 1, -1 (error, err set), or
 * timeout_s passes (an error naming what).
 */
int infra_wait(struct infra *x, double timeout_s, const char *what,
	       int (*ok)(struct infra *x, void *arg, struct sh_error *err), void *arg,
	       struct sh_error *err);

double infra_elapsed(const struct infra *x);

/*
 * The mode of component name: given (an option) if not NULL, else the
 * settings' components: NAME: {mode}, else modes[0]; modes holds two
 * names.  NULL and err (naming the settings' line) for an unknown one.
 */
const char *infra_mode(struct infra *x, const char *name, const char *const *modes,
		       const char *given, struct sh_error *err);

/* label (an image's version) is version v, or v and a Debian revision. */
bool infra_version_is(const char *label, const char *v);

#endif
