/*
 * inventory-internal.h - what the inventory reader's files share, for them
 * only: inventory.c (the parser) and inventory-resolve.c (patterns and
 * variables).  The public interface is inventory.h.
 */
#ifndef STACKHOP_INVENTORY_INTERNAL_H
#define STACKHOP_INVENTORY_INTERNAL_H

#include "inventory.h"

/*
 * Append the hosts of g and its descendants not marked with inv->mark to
 * out, marking them and the groups walked (the caller bumps inv->mark
 * for a new walk).
 */
void inventory_collect(struct inventory *inv, struct inv_group *g,
		       inv_host_vec *out);
/* Resolve address, user, port and connection of every host from the
 * ansible_* variables of the groups and the host. */
void inventory_resolve_vars(struct inventory *inv);

#endif
