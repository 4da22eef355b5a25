/*
 * sim-internal.h - what sim.c, sim-infra.c and sim-service.c share: the
 * model and its accessors.  Not for use outside the sim (sim.h is).
 *
 * The model is a JSON object (jansson): nodes.<host>.{os, containers.<c>,
 * infra.<c>, config.<service>}, databases.<name>, keystone.<entry>,
 * facts.<fact>, backups.<step id>, galera, rabbitmq, release.
 */
#ifndef STACKHOP_SIM_INTERNAL_H
#define STACKHOP_SIM_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "sim.h"

struct sim {
	const struct plan *p;
	char *path;
	json_t *root;
};

/* The object at key, created empty when absent. */
json_t *sim_child(json_t *parent, const char *key);
/* The string at key, or NULL / "" when absent. */
const char *sim_str(json_t *o, const char *key);
const char *sim_sat(json_t *o, const char *key);
bool sim_bool(json_t *o, const char *key);
void sim_put_str(json_t *o, const char *key, const char *v);
/* Release index of a name in the model (-1 when absent or unknown). */
int sim_rel_index(const struct sim *m, const char *name);
const struct cat_release *sim_hop_to(const struct sim *m, const struct plan_step *s);
/* nodes.<host>.containers.<component>, nodes.<host>.infra.<component> */
json_t *sim_container(json_t *root, const char *host, const char *comp);
json_t *sim_member(json_t *root, const char *host, const char *comp);
/* The database a db-sync or db-create step works on. */
const char *sim_step_database(const struct plan_step *s);
/* Split a comma-separated list into the callback's calls. */
void sim_each_item(const char *list, void (*fn)(void *, const char *), void *ctx);
void sim_new_database(json_t *root, const char *name, const char *owner, const char *release);
/* The Keystone entries of a keystone-register step: add them (apply), or
 * whether all exist. */
bool sim_ks_entries(json_t *root, const struct plan_step *s, bool apply);
/* Are the step's 'provides' facts there at its hop's release? */
enum sim_check sim_check_facts(struct sim *m, const struct plan_step *s);
/* A refused precondition: -1, err "sim: step 'ID' on NODE: precondition not met: ..." */
int sim_unmet(struct sh_error *err, const struct plan_step *s, const struct inv_host *t,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

struct sim_db_ctx {
	json_t *root;
	const char *owner, *release;
};

#endif
