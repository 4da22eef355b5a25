/*
 * sim.h - the sim transport's cloud: an in-memory model of the cloud a
 * plan upgrades, that enforces the catalog's preconditions.
 *
 * A simulation is a planning and test aid: nothing real is changed, and
 * every output made with it says so.  The model holds, per node, the host
 * release, each container (release, running, images present) and each
 * infrastructure member (release, state: Galera synced/stopped, RabbitMQ
 * running/stopped, mnesia present); per database, its owner, its schema
 * release and the migrations run at that release; the Keystone catalog
 * (users, services, endpoints); facts the catalog's steps provide (cell
 * mappings, credential keys, completed data migrations, each with the
 * release it was provided at); the backups taken and the release the
 * cloud was verified at.
 *
 * It starts as the cloud at the plan's first release (sim_create) and is
 * written to a file after every change (temp file, fsync, rename), so a
 * run killed at any instant leaves either the whole change or none of it,
 * like a real cloud that finished or never began a step.
 *
 * Preconditions enforced by sim_apply() (the failure message names them):
 *   - a step's catalog 'requires' facts (e.g. nova's Ocata db syncs need
 *     the cell0 mapping);
 *   - a control-plane container refuses to start while a database of its
 *     service has a schema older than its release, or before its
 *     configuration was rendered for that release;
 *   - a container is stopped before it is removed; a database exists
 *     before it is migrated; Keystone registrations need a running
 *     Keystone;
 *   - Galera: a rolling node upgrade needs the rest of the cluster
 *     synced; a bootstrap needs every member stopped; a join needs a
 *     synced member of the new release;
 *   - RabbitMQ: mnesia is wiped only after definitions were exported, a
 *     node joins only a running node of its release;
 *   - validations and post-verify need every member and container up at
 *     the hop's release.
 *
 * Ownership: struct sim owns its model; it borrows the plan, which must
 * outlive it.
 */
#ifndef STACKHOP_SIM_H
#define STACKHOP_SIM_H

#include "error.h"
#include "plan.h"

struct sim;

/* Write the model of the cloud at p's first release into a new file. */
int sim_create(const char *path, const struct plan *p, struct sh_error *err);
/* Load the model of a run in progress. */
int sim_open(const char *path, const struct plan *p, struct sim **ret,
	     struct sh_error *err);
void sim_free(struct sim *m);

/*
 * Is step s already done on target t (NULL for a cluster step)?  Pure:
 * reads the model only.
 */
enum sim_check sim_check(struct sim *m, size_t step, const struct inv_host *t);
/*
 * Apply step s on target t: check its preconditions, change the model and
 * write it.  Returns 0, or -1 with err naming the precondition that is not
 * met (SH_EXIT_FAILURE); *ret_out gets a malloc'd one-line account.
 */
int sim_apply(struct sim *m, size_t step, const struct inv_host *t,
	      char **ret_out, struct sh_error *err);

/* How long step s takes in the simulation, in units (1 = a quick step):
 * its kind's sim_weight. */
unsigned sim_weight(const struct plan_step *s);

/*
 * What each kind does to the model: the sim_check and sim_apply of the
 * step kind table (stepkind.h, src/procedures/kinds.c).  sim_check()
 * and sim_apply() call them; sim_apply() checks the step's catalog
 * 'requires' first and records its 'provides' after.  A check is pure, an
 * apply changes the model (the caller writes it) or refuses with the
 * precondition it misses.
 *
 * sim-infra.c, the members of infrastructure components (Galera,
 * RabbitMQ, HAProxy, keepalived, memcached, Ceph), for a step of phase
 * infra or ceph with an owner; any other step: the check reads its
 * 'provides' facts (or cannot tell), the apply does nothing.
 * sim_*_member are also what a kind without an effect of its own uses
 * (catalog commands):
 */
sim_check_fn sim_check_member;		/* provides, else each member upgraded */
sim_apply_fn sim_apply_member;		/* each member upgraded */
sim_check_fn sim_check_stopped;		/* galera-stop, rabbitmq-stop */
sim_apply_fn sim_apply_stop;		/* rabbitmq-stop */
sim_apply_fn sim_apply_galera_stop;	/* after the drain */
sim_check_fn sim_check_drained;
sim_apply_fn sim_apply_galera_drain;
sim_apply_fn sim_apply_galera_node_upgrade;	/* another member synced */
sim_apply_fn sim_apply_galera_bootstrap;	/* every member stopped */
sim_apply_fn sim_apply_galera_join;		/* a synced member of the release */
sim_check_fn sim_check_validate;	/* cannot tell */
sim_apply_fn sim_apply_validate;	/* every member up at the release */
sim_check_fn sim_check_exported;
sim_apply_fn sim_apply_rabbitmq_export;
sim_check_fn sim_check_wiped;
sim_apply_fn sim_apply_rabbitmq_wipe;	/* exported, stopped */
sim_apply_fn sim_apply_rabbitmq_join;	/* a running node of the release */
sim_check_fn sim_check_imported;
sim_apply_fn sim_apply_rabbitmq_import;
sim_check_fn sim_check_policy;
sim_apply_fn sim_apply_rabbitmq_policy;

/* sim.c, a kind with no effect on the model (a test kind): its check
 * reads its 'provides' facts or cannot tell, its apply changes nothing. */
sim_check_fn sim_check_none;
sim_apply_fn sim_apply_none;

/* sim-service.c, OpenStack containers, databases, Keystone, the hop: */
sim_check_fn sim_check_container_stop;
sim_apply_fn sim_apply_container_stop;
sim_check_fn sim_check_container_remove;
sim_apply_fn sim_apply_container_remove;	/* stopped */
sim_check_fn sim_check_image_remove;
sim_apply_fn sim_apply_image_remove;		/* no container uses it */
sim_check_fn sim_check_container_start;
sim_apply_fn sim_apply_container_start;		/* schemas, config, compute floor */
sim_apply_fn sim_apply_health_check;		/* running the release */
sim_check_fn sim_check_config_migrate;
sim_apply_fn sim_apply_config_migrate;
sim_check_fn sim_check_db_create;
sim_apply_fn sim_apply_db_create;
sim_check_fn sim_check_db_sync;
sim_apply_fn sim_apply_db_sync;			/* the database exists */
sim_check_fn sim_check_keystone_register;
sim_apply_fn sim_apply_keystone_register;	/* Keystone runs */
sim_check_fn sim_check_db_backup;
sim_apply_fn sim_apply_db_backup;
sim_apply_fn sim_apply_pre_validate;		/* every container running */
sim_apply_fn sim_apply_status_check;		/* the service's, at the release */
sim_check_fn sim_check_post_verify;
sim_apply_fn sim_apply_post_verify;		/* all at the release */
sim_check_fn sim_check_host_upgrade;
sim_apply_fn sim_apply_host_upgrade;

#endif
