/*
 * rabbitmq.h - RabbitMQ cluster procedures.
 *
 * full-stop (the seed's, for minor and major versions): export the
 * definitions (users, vhosts, permissions, policies, queues, exchanges),
 * stop every node, remove every node's mnesia directory, start the new
 * version (the first node first: it was the last to stop), re-cluster,
 * import the definitions, set the ha-all policy, then validate: every
 * expected node running, no partitions, no alarms; and the client
 * connections back to their count before.
 *
 * rolling (patch versions): one node at a time, stopped and started on the
 * new version, with check_running and check_local_alarms on it and the
 * whole cluster running before the next; then the validation.
 *
 * The nodes are the inventory's "rabbitmq" group (else "control").
 */
#ifndef STACKHOP_RABBITMQ_H
#define STACKHOP_RABBITMQ_H

#include "infra.h"

struct rabbitmq_options {
	const char *version;
	const char *definitions;	/* where the export is kept (mode 0600) */
	int reconnect_timeout;		/* seconds to wait for clients, 0: no check */
};

/*
 * full-stop runs these in order; a plan runs them as its steps.  Each is
 * idempotent (run again after a crash, it finishes what is left):
 *   rabbitmq_export()    on a healthy cluster only: definitions to
 *                        o->definitions, members and client connection
 *                        count to DEFINITIONS.cluster.json (both 0600)
 *   rabbitmq_stop()      one node
 *   rabbitmq_wipe()      one stopped node's mnesia directory
 *   rabbitmq_start()     one node on o->version; a node other than the
 *                        first joins the first one's cluster
 *   rabbitmq_import()    the exported definitions, on the first node
 *   rabbitmq_policy()    ha-all: {"ha-mode":"all","ha-sync-mode":"automatic"}
 *   rabbitmq_validate()  the export's members running, no partitions, no
 *                        alarms, its definitions present, its client
 *                        connections back (o->reconnect_timeout); without
 *                        an export, the current members running
 */
int rabbitmq_full_stop(struct infra *x, const struct rabbitmq_options *o,
		       struct sh_error *err);
int rabbitmq_export(struct infra *x, const struct rabbitmq_options *o, struct sh_error *err);
int rabbitmq_stop(struct infra *x, const struct inv_host *h, struct sh_error *err);
int rabbitmq_wipe(struct infra *x, const struct inv_host *h, struct sh_error *err);
int rabbitmq_start(struct infra *x, const struct inv_host *h, const struct rabbitmq_options *o,
		   struct sh_error *err);
int rabbitmq_import(struct infra *x, const struct rabbitmq_options *o, struct sh_error *err);
int rabbitmq_policy(struct infra *x, struct sh_error *err);
int rabbitmq_validate(struct infra *x, const struct rabbitmq_options *o, struct sh_error *err);

/* rolling: rabbitmq_node_upgrade() on each node in turn, then validate. */
int rabbitmq_rolling(struct infra *x, const struct rabbitmq_options *o,
		     struct sh_error *err);
int rabbitmq_node_upgrade(struct infra *x, const struct inv_host *h,
			  const struct rabbitmq_options *o, struct sh_error *err);

#endif
