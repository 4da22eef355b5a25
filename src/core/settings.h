/*
 * settings.h - the stackhop settings file (YAML): what an Ansible
 * inventory lacks.
 *
 *   vip: 10.231.0.100                 the control plane's virtual IP
 *   endpoints:
 *     database: 10.231.0.100:3306     SQL through the VIP
 *     rabbitmq: [10.231.0.11:5672, …] AMQP brokers
 *     keystone: http://10.231.0.100:5000/v3
 *   runtime: docker | process         how services run on the nodes
 *   secrets: secrets.yaml             passwords (mode 0600; relative paths
 *                                     are relative to the settings file)
 *   rolling:                          batches per inventory group; the
 *     default: {serial: 1, max_fail_percentage: 0}      defaults, which a
 *     compute: {serial: "10%", max_fail_percentage: 5}  rolling: of the
 *     storage: {serial: "5%", max_fail_percentage: 5}   file replaces
 *   components:                       procedure per infra component, and
 *     galera: {mode: rolling | new-cluster, version: 10.11.19}
 *     rabbitmq: {mode: full-stop | rolling}   the version its steps install
 *     haproxy: {mode: reload | vip-move}
 *     keystone: {version: 22.0.2-0+deb12u6}   an OpenStack component's (or
 *                                 service's) image: a version, no mode
 *   services: [keystone]              the OpenStack services the cloud runs
 *                                     (default: every one the inventory
 *                                     has groups for); the others are
 *                                     skipped
 *   phases:                           which hops upgrade host OS / Ceph /
 *     host: {hops: first | every | none}      infrastructure / OpenStack
 *     ceph: {hops: first | every | none}
 *     infra: {hops: every}            (every is the default of both)
 *     openstack: {hops: none}         (e.g. the infrastructure alone)
 *   probe:                            the downtime prober
 *     interval_ms: 100                sampling interval
 *     timeout_ms: 1000                a sample slower than this fails
 *     targets: [icmp:10.231.0.150, tcp:10.231.0.150:22]   data plane
 *   galera:
 *     backend: galera                 its HAProxy backend (servers = node names)
 *     disabled_file: /var/tmp/clustercheck.disabled   on each node; "{node}"
 *                                     in a path becomes the node's name
 *   haproxy:
 *     admin_socket: /run/haproxy/admin.sock   on each node ("{node}" too)
 *   rabbitmq:
 *     reconnect_timeout: 120          seconds for the clients' connections
 *                                     to come back after an upgrade
 *     clients: [nova-conductor, …]    services restarted on the RabbitMQ
 *                                     nodes when they do not (none: fail)
 *   process:                          the process runtime
 *     control: [ARGV...]              the node's service control command
 *   docker:                           the docker runtime (the default)
 *     socket: /run/docker.sock        the API's socket on each node
 *                                     ({node} too); over ssh it is
 *                                     forwarded through the ControlMaster
 *     image: "quay.io/openstack.kolla/{component}:{version}"
 *     config_dir: /etc/kolla/{component}   bound read-only at
 *                                     /var/lib/kolla/config_files
 *     container: "{component}"        a container's name (kolla's: '-'
 *                                     in a component becomes '_')
 *     network: host                   its network mode (ns:PATH: Podman's
 *                                     network namespace at PATH)
 *                                     ({node} in image, config_dir,
 *                                     container, network: one engine
 *                                     serving several nodes, as the lab's)
 *     stop_timeout: 60                seconds before a stop kills
 *     run_prefix: [sh, -c, 'sudo -E kolla_set_configs && exec "$@"', sh]
 *                                     before a catalog command run in a
 *                                     one-off container ([] for none)
 *     healthcheck:                    per component, run in the container
 *       keystone: [healthcheck_curl, "http://{address}:5000"]
 *     volumes:                        per component, binds beside its
 *       mariadb: ["/srv/{node}/mysql:/var/lib/mysql"]   configuration:
 *                                     where a stateful service keeps its
 *                                     data across containers
 *     cap_add:                        per component, capabilities its
 *       keepalived: [NET_ADMIN, NET_RAW]   container gets (kolla's
 *                                     privileged services)
 *   deployment_host: skip | upgrade   the host stackhop runs on (group
 *                                     'deployment', ansible_connection=local):
 *                                     skip (default) leaves it out of the
 *                                     host OS upgrade; upgrade does it last,
 *                                     without a reboot
 *   ssh:                              the OpenSSH client's options
 *     config: FILE                    ssh -F (default: the user's config)
 *     identity: FILE                  ssh -i
 *     known_hosts: FILE               UserKnownHostsFile
 *     strict_host_key_checking: yes | accept-new   (default yes)
 *     control_persist: 120            seconds a ControlMaster lingers
 *     connect_timeout: 10             seconds to connect (ConnectTimeout)
 *     server_alive_interval: 15       seconds of silence before a keepalive,
 *     server_alive_count_max: 3       and unanswered ones before ssh gives
 *                                     up on a node that died (exit 255)
 *
 * The file never holds a secret: a key that looks like one is refused.
 * Without a settings file, settings_defaults() gives the values above.
 */
#ifndef STACKHOP_SETTINGS_H
#define STACKHOP_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "util.h"

enum runtime_kind { RUNTIME_DOCKER, RUNTIME_PROCESS };

struct rolling {
	const char *group;	/* "default" for the fallback */
	long serial;		/* hosts, or percent when percent is set */
	bool percent;
	long max_fail_percentage;
	int line;		/* 0: a default (settings_defaults()) */
};

struct setting_choice {
	const char *name;	/* component or phase */
	const char *value;	/* mode or hops; a component's may be NULL */
	const char *version;	/* a component's target version, or NULL */
	int line;
};

/* docker: healthcheck and volumes: a list of strings per component. */
struct docker_list {
	const char *component;
	const char **argv;	/* NULL-terminated */
};

struct settings {
	const char *path;	/* NULL for defaults */
	struct arena arena;
	const char *vip;
	const char *database;	/* host:port */
	const char **rabbitmq;	/* host:port each */
	size_t nrabbitmq;
	const char *keystone;	/* URL */
	const char *database_user;	/* endpoints: database_user, default root */
	long probe_interval_ms, probe_timeout_ms;
	const char **probe_targets;	/* data-plane targets */
	size_t nprobe_targets;
	const char *galera_backend;	/* default "galera" */
	const char *galera_disabled_file;	/* may hold {node} */
	const char *haproxy_socket;	/* may hold {node} */
	const char **rabbitmq_clients;	/* services to restart, NULL-terminated, or NULL */
	size_t nrabbitmq_clients;
	long rabbitmq_reconnect_timeout;	/* seconds, default 120 */
	const char **process_control;	/* argv prefix, NULL-terminated, or NULL */
	size_t nprocess_control;
	enum runtime_kind runtime;
	const char *docker_socket;	/* may hold {node} */
	const char *docker_image;	/* {component}, {version}; may hold {node} */
	const char *docker_config_dir;	/* {component}; may hold {node} */
	const char *docker_container;	/* {component}; may hold {node} */
	const char *docker_network;	/* "host", "ns:PATH"; may hold {node} */
	long docker_stop_timeout;	/* seconds */
	const char **docker_run_prefix;	/* before a one-off container's command */
	VEC(struct docker_list) docker_health;	/* a check; {address}: the node's */
	VEC(struct docker_list) docker_volumes;	/* binds HOST:PATH[:ro]; {node} */
	VEC(struct docker_list) docker_cap_add;	/* capabilities, "NET_ADMIN" */
	const char *secrets;	/* absolute path, or NULL */
	VEC(struct rolling) rolling;	/* rolling[0] is "default" */
	VEC(struct setting_choice) modes;	/* components: */
	const char **services;		/* services: (NULL-terminated), or NULL: all */
	size_t nservices;
	int services_line;
	VEC(struct setting_choice) hops;	/* phases: */
	bool deployment_host_upgrade;	/* deployment_host: upgrade */
	const char *ssh_config, *ssh_identity, *ssh_known_hosts;
	const char *ssh_strict;		/* "yes" or "accept-new" */
	long ssh_control_persist;
	long ssh_connect_timeout;	/* 0: the transport's defaults */
	long ssh_server_alive_interval, ssh_server_alive_count_max;
};

/* The docker health check argv of component, or NULL. */
const char *const *settings_docker_health(const struct settings *s, const char *component);
/* The docker volumes (binds) of component, or NULL. */
const char *const *settings_docker_volumes(const struct settings *s, const char *component);
/* The capabilities docker adds to component's container, or NULL. */
const char *const *settings_docker_cap_add(const struct settings *s, const char *component);

int settings_load(const char *path, struct settings **ret, struct sh_error *err);
/* The same from memory; path is used in messages and for relative paths. */
int settings_parse(const char *path, const char *buf, size_t len,
		   struct settings **ret, struct sh_error *err);
struct settings *settings_defaults(void);
/* settings_load() of path, or the defaults when path is NULL. */
int settings_load_or_defaults(const char *path, struct settings **ret,
			      struct sh_error *err);
void settings_free(struct settings *s);

/*
 * The rolling policy for a component whose inventory groups are the
 * fallback list groups[0..n): the first group that has an entry, else
 * "default".
 */
const struct rolling *settings_rolling(const struct settings *s,
				       const char *const *groups, size_t n);
/* Batch size for count hosts under policy r (at least 1). */
size_t rolling_batch_size(const struct rolling *r, size_t count);

/* A per-node path of the settings with "{node}" replaced by node (malloc'd). */
char *settings_node_path(const char *tmpl, const char *node);

/* The chosen value for name in list, or NULL. */
const struct setting_choice *settings_choice(const void *list,
					     const char *name);

#endif
