/*
 * config.h - translate a service's oslo.config file from one release to
 * another with the catalog's renames (catalog/config-renames.yaml).
 *
 * Every rename due by the target release (deprecated or removed at or
 * before it: the first hop of a journey makes the changes that were due
 * earlier too) that names the service or "all" is applied:
 *   rename              the option moves (value kept); one already set at
 *                       the new place wins and the old one is dropped
 *   remove              the option goes
 *   transport_url       rpc_backend and the rabbit_* options become one
 *                       [DEFAULT] transport_url (rabbit://user:pass@host:port,…/vhost)
 *   glance_api_servers  [glance] host/port/protocol become api_servers
 *   value               value -> new_value
 *   notice, policy_yaml reported, not rewritten
 * Each change is reported by option name: values never appear in the
 * report (they may be passwords or transport URLs).
 */
#ifndef STACKHOP_CONFIG_H
#define STACKHOP_CONFIG_H

#include "catalog.h"
#include "ini.h"

struct config_change {
	char text[512];		/* "renamed [DEFAULT] notification_driver -> ..." */
	bool left;		/* reported only: the file still has it */
};

typedef VEC(struct config_change) config_change_vec;

/*
 * Apply to ini the renames of service due by release to (an index of
 * cat->releases); the changes go to *changes.
 */
void config_migrate(struct ini *ini, const struct catalog *cat, const char *service, int to,
		    config_change_vec *changes);

#endif
