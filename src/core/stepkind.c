/* stepkind.c - see stepkind.h. */
#include <stdio.h>

#include "stepkind.h"
#include "util.h"

static const struct step_kind kinds[] = {
	{ "pre-validate", false, "health of services, clusters and hosts before the hop", 0 },
	{ "db-backup", false, "verified dump of every database through the VIP", 0 },
	{ "host-upgrade", true, "host OS packages and kernel", 0 },
	{ "ceph-mon-upgrade", true, "upgrade one Ceph monitor", 0 },
	{ "ceph-osd-upgrade", true, "upgrade the OSDs of one storage node", 0 },
	{ "ceph-post", true, "Ceph post-upgrade flags and health", 0 },
	{ "galera-node-upgrade", true, "drain, stop, switch, start and resync one Galera node", 0 },
	{ "galera-drain", true, "disable the Galera backend in HAProxy and wait for pending transactions", 0 },
	{ "galera-stop", true, "stop one Galera node", 0 },
	{ "galera-bootstrap", true, "bootstrap a new Galera cluster on one node", 0 },
	{ "galera-join", true, "join one node to the Galera cluster", 0 },
	{ "galera-validate", false, "every node Synced, cluster size, SQL through the VIP", 5 },
	{ "rabbitmq-export", false, "export RabbitMQ definitions", 0 },
	{ "rabbitmq-stop", true, "stop RabbitMQ", 0 },
	{ "rabbitmq-wipe", true, "remove the mnesia directory", 0 },
	{ "rabbitmq-start", true, "start RabbitMQ", 0 },
	{ "rabbitmq-join", true, "join one node to the RabbitMQ cluster", 0 },
	{ "rabbitmq-import", true, "import RabbitMQ definitions", 0 },
	{ "rabbitmq-policy", true, "set the ha-all mirrored-queue policy", 0 },
	{ "rabbitmq-node-upgrade", true, "upgrade one RabbitMQ node in place", 0 },
	{ "rabbitmq-validate", false, "members running, no partitions, no alarms", 5 },
	{ "haproxy-upgrade", true, "upgrade HAProxy on one node", 0 },
	{ "keepalived-upgrade", true, "upgrade keepalived on one node", 0 },
	{ "memcached-upgrade", true, "upgrade memcached on one node", 0 },
	{ "config-migrate", false, "render the new release's configuration (renames applied)", 0 },
	{ "container-stop", true, "stop the old container", 0 },
	{ "container-remove", true, "remove the old container", 0 },
	{ "image-remove", true, "remove the old image", 0 },
	{ "container-start", true, "start the new container with the new configuration", 0 },
	{ "health-check", false, "check the service's health", 5 },
	{ "db-create", true, "create a database and grant its user", 0 },
	{ "db-sync", true, "database schema migration", 0 },
	{ "keystone-register", true, "find-or-create a Keystone user, service or endpoints", 2 },
	{ "command", true, "a management command in the new release's container", 0 },
	{ "online-migrations", true, "online data migrations until complete", 0 },
	{ "status-check", false, "upgrade status check (0 success, 1 warning, 2 failure)", 0 },
	{ "archive-deleted-rows", true, "archive soft-deleted rows until none are left", 0 },
	{ "post-verify", false, "health, status checks and resource survival after the hop", 0 },
};

const struct step_kind *step_kind_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (streq(kinds[i].name, name))
			return &kinds[i];
	return NULL;
}

const char *step_kind_names(void)
{
	static char buf[2048];

	if (!buf[0]) {
		size_t off = 0;

		for (size_t i = 0; i < ARRAY_SIZE(kinds) && off < sizeof(buf); i++)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
						i ? ", " : "", kinds[i].name);
	}
	return buf;
}
