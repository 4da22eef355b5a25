/*
 * memcached.h - memcached's upgrade on one node, through the node's
 * runtime (x->rt): its image of the version checked, the old one stopped,
 * the new one started (a stopped container of the old version replaced),
 * then TCP on port 11211 of the node's address answers.  Idempotent: run
 * again, it restarts memcached on the version, which holds nothing that
 * must survive (a cache).
 */
#ifndef STACKHOP_MEMCACHED_H
#define STACKHOP_MEMCACHED_H

#include "infra.h"

int memcached_node_upgrade(struct infra *x, const struct inv_host *h, const char *version,
			   struct sh_error *err);

/* A TCP connection to addr (IPv4) :port within timeout_ms: 1, 0 (err
 * says why not), -1 for a bad address or no socket. */
int tcp_answers(const char *addr, int port, int timeout_ms, struct sh_error *err);

#endif
