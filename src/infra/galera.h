/*
 * galera.h - MariaDB Galera procedures: verified backup and restore,
 * rolling upgrade (minor versions), the new-cluster procedure (major
 * versions), and recovery after a full crash.
 *
 * The nodes are the inventory's "mariadb" group (else "control"); HAProxy
 * runs on "haproxy" (else "loadbalancer", else "control"), with the
 * settings' galera.backend naming the backend whose servers are the node
 * names.  Nodes are started and stopped through the run's runtime (x->rt,
 * runtime.h).
 */
#ifndef STACKHOP_GALERA_H
#define STACKHOP_GALERA_H

#include <stdbool.h>

#include "infra.h"

struct galera_status {
	bool up;			/* answered SQL */
	char state[32];			/* wsrep_local_state_comment */
	char cluster_status[16];	/* Primary, non-Primary, ... */
	char uuid[40];			/* wsrep_cluster_state_uuid */
	long size, recv_queue, send_queue;
	char error[256];		/* why not up */
};

/* One node's wsrep status over SQL (never fails: up is false instead). */
void galera_status(struct infra *x, const struct inv_host *h, struct galera_status *s);

/* grastate.dat: uuid, seqno, safe_to_bootstrap.  -1 on a malformed file. */
struct grastate {
	char uuid[40];
	long long seqno;
	int safe_to_bootstrap;		/* -1 when absent */
};
int grastate_parse(const char *text, struct grastate *g);
/* "WSREP: Recovered position: UUID:SEQNO[,GTID]" in a --wsrep-recover log. */
int recovered_position(const char *log, char *uuid, size_t size, long long *seqno);

/* Pick the node to bootstrap from: see galera.c. */
struct galera_candidate {
	const char *name;
	struct grastate g;		/* seqno from grastate, or recovered */
	bool recovered;			/* seqno came from --wsrep-recover */
};
int galera_pick(const struct galera_candidate *c, size_t n, bool force, size_t *winner,
		char *why, size_t why_size, struct sh_error *err);

int galera_backup(struct infra *x, const char *path, struct sh_error *err);
int galera_verify(struct infra *x, const char *path, struct sh_error *err);
int galera_restore(struct infra *x, const char *path, struct sh_error *err);
/*
 * Rolling upgrade (minor versions): every node in turn, HAProxy's backup
 * servers first, the active one last; each drained, stopped, started on
 * version, Synced and back in HAProxy before the next.
 * galera_node_upgrade() is that for one node (a step of a plan): the
 * others must be Synced; a node already on version is only put back in
 * service.
 */
int galera_rolling_upgrade(struct infra *x, const char *version, struct sh_error *err);
int galera_node_upgrade(struct infra *x, const struct inv_host *h, const char *version,
			struct sh_error *err);

/*
 * The new-cluster procedure (major versions), which galera_new_cluster()
 * runs in order and a plan runs as steps:
 *   galera_drain()      every node disabled in HAProxy (version: check that
 *                       every node has its image first; may be NULL)
 *   galera_stop()       one node, the bootstrap node (the first) last
 *   galera_bootstrap()  grastate.dat removed on the others, the first node
 *                       started on version with --wsrep-new-cluster
 *   galera_join()       one more node started on version, Synced
 *   galera_validate()   every node Synced, ready in HAProxy, SQL through
 *                       the VIP (also the gate after a rolling upgrade)
 * Each is idempotent: run again after a crash, it finishes what is left.
 */
int galera_new_cluster(struct infra *x, const char *version, struct sh_error *err);
int galera_drain(struct infra *x, const char *version, struct sh_error *err);
int galera_stop(struct infra *x, const struct inv_host *h, struct sh_error *err);
int galera_bootstrap(struct infra *x, const char *version, struct sh_error *err);
int galera_join(struct infra *x, const struct inv_host *h, const char *version,
		struct sh_error *err);
int galera_validate(struct infra *x, struct sh_error *err);
int galera_recover(struct infra *x, bool force, struct sh_error *err);

#endif
