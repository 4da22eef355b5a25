/*
 * haproxy.h - upgrade HAProxy (and keepalived) without losing the VIP: the
 * nodes that do not hold the VIP first, one at a time, the holder last.
 * On each node the new HAProxy must see every backend UP before the next.
 *
 * Two ways to replace a node's HAProxy:
 *   HAPROXY_RELOAD (the default): a seamless reload: the new process takes
 *     the listening sockets over from the old one (haproxy -x ADMIN_SOCKET
 *     -sf OLDPID, which needs "expose-fd listeners" on that socket) and the
 *     old one finishes what it has in flight.  The VIP does not move, so
 *     no connection is refused or reset.
 *   HAPROXY_VIP_MOVE: stop and start; the holder first gives the VIP away
 *     by reloading keepalived at the lowest priority, so that another node
 *     takes the address before it lets go (stopping keepalived would leave
 *     a moment with no holder, and a killed one leaves the address
 *     behind).  A connection in flight at the move is reset by the new
 *     holder, which knows nothing of it: for an HAProxy that cannot hand
 *     its sockets over.
 *
 * The nodes are the inventory's "haproxy" group (else "loadbalancer",
 * else "control"); keepalived runs on the same nodes.
 */
#ifndef STACKHOP_HAPROXY_H
#define STACKHOP_HAPROXY_H

#include "infra.h"

enum haproxy_mode { HAPROXY_RELOAD, HAPROXY_VIP_MOVE };

/* The modes' names, as in settings and --mode, in enum order. */
extern const char *const haproxy_modes[];

int haproxy_upgrade(struct infra *x, const char *version, enum haproxy_mode mode,
		    struct sh_error *err);

/*
 * keepalived restarted on version node by node, the VIP holder last,
 * giving the VIP away first; someone holds the VIP after each.  A node
 * that already runs version is left alone (a restart would move the VIP
 * for nothing: the lab, with one keepalived version, moves none).
 */
int keepalived_upgrade(struct infra *x, const char *version, struct sh_error *err);

#endif
