/* stepkind.c - see stepkind.h. */
#include <stdio.h>

#include "stepkind.h"
#include "util.h"

static const struct step_kind kinds[] = {
	{ "pre-validate", false, "health of services, clusters and hosts before the hop" },
	{ "db-backup", false, "verified dump of every database through the VIP" },
	{ "host-upgrade", true, "host OS packages and kernel" },
	{ "ceph-mon-upgrade", true, "upgrade one Ceph monitor" },
	{ "ceph-osd-upgrade", true, "upgrade the OSDs of one storage node" },
	{ "ceph-post", true, "Ceph post-upgrade flags and health" },
	{ "galera-node-upgrade", true, "drain, stop, switch, start and resync one Galera node" },
	{ "galera-drain", true, "disable the Galera backend in HAProxy and wait for pending transactions" },
	{ "galera-stop", true, "stop one Galera node" },
	{ "galera-bootstrap", true, "bootstrap a new Galera cluster on one node" },
	{ "galera-join", true, "join one node to the Galera cluster" },
	{ "galera-validate", false, "every node Synced, cluster size, SQL through the VIP" },
	{ "rabbitmq-export", false, "export RabbitMQ definitions" },
	{ "rabbitmq-stop", true, "stop RabbitMQ" },
	{ "rabbitmq-wipe", true, "remove the mnesia directory" },
	{ "rabbitmq-start", true, "start RabbitMQ" },
	{ "rabbitmq-join", true, "join one node to the RabbitMQ cluster" },
	{ "rabbitmq-import", true, "import RabbitMQ definitions" },
	{ "rabbitmq-policy", true, "set the ha-all mirrored-queue policy" },
	{ "rabbitmq-node-upgrade", true, "upgrade one RabbitMQ node in place" },
	{ "rabbitmq-validate", false, "members running, no partitions, no alarms" },
	{ "haproxy-upgrade", true, "upgrade HAProxy on one node" },
	{ "keepalived-upgrade", true, "upgrade keepalived on one node" },
	{ "memcached-upgrade", true, "upgrade memcached on one node" },
	{ "config-migrate", false, "render the new release's configuration (renames applied)" },
	{ "container-stop", true, "stop the old container" },
	{ "container-remove", true, "remove the old container" },
	{ "image-remove", true, "remove the old image" },
	{ "container-start", true, "start the new container with the new configuration" },
	{ "health-check", false, "check the service's health" },
	{ "db-create", true, "create a database and grant its user" },
	{ "db-sync", true, "database schema migration" },
	{ "keystone-register", true, "find-or-create a Keystone user, service or endpoints" },
	{ "command", true, "a management command in the new release's container" },
	{ "online-migrations", true, "online data migrations until complete" },
	{ "status-check", false, "upgrade status check (0 success, 1 warning, 2 failure)" },
	{ "archive-deleted-rows", true, "archive soft-deleted rows until none are left" },
	{ "post-verify", false, "health, status checks and resource survival after the hop" },
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
