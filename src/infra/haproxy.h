/*
 * haproxy.h - upgrade HAProxy (and restart keepalived) without losing the
 * VIP: the nodes that do not hold the VIP first, one at a time; then the
 * holder gives the VIP away by reloading keepalived at the lowest priority,
 * so that another node takes the address before it lets go (stopping
 * keepalived would leave a moment with no holder, and a killed one leaves
 * the address behind); then the former holder.  On each node the new
 * HAProxy must see every backend UP before keepalived restarts there.
 *
 * The nodes are the inventory's "haproxy" group (else "loadbalancer",
 * else "control"); keepalived runs on the same nodes.
 */
#ifndef STACKHOP_HAPROXY_H
#define STACKHOP_HAPROXY_H

#include "infra.h"

int haproxy_upgrade(struct infra *x, const char *version, struct sh_error *err);

/*
 * keepalived restarted on version node by node (the lab has one version:
 * it is then restarted), the VIP holder last, giving the VIP away first;
 * someone holds the VIP after each.
 */
int keepalived_upgrade(struct infra *x, const char *version, struct sh_error *err);

#endif
