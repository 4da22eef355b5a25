/* settings.c - the settings file reader; see settings.h. */
#include <arpa/inet.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "fileio.h"
#include "settings.h"
#include "yamldoc.h"

/*
 * What an operator of a large cloud would choose, as with Ansible's
 * serial and max_fail_percentage: the control plane (every group but
 * these) one node at a time with no failure allowed; computes in batches
 * of 10% of them, of which up to 5% may fail; storage nodes in batches of
 * 5%, of which up to 5% may fail.  A "rolling:" in the settings file
 * replaces all three.  Line 0 marks them as defaults: an inventory without
 * such a group is no error.
 */
static void add_default_rolling(struct settings *s)
{
	static const struct rolling defaults[] = {
		{ "default", 1, false, 0, 0 },
		{ "compute", 10, true, 5, 0 },
		{ "storage", 5, true, 5, 0 },
	};

	s->rolling.n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
		vec_push(s->rolling, defaults[i]);
}

struct settings *settings_defaults(void)
{
	struct settings *s = xcalloc(1, sizeof(*s));

	s->runtime = RUNTIME_DOCKER;
	s->database_user = "root";
	s->probe_interval_ms = 100;
	s->probe_timeout_ms = 1000;
	s->galera_backend = "galera";
	s->galera_disabled_file = "/var/tmp/clustercheck.disabled";
	s->haproxy_socket = "/run/haproxy/admin.sock";
	s->rabbitmq_reconnect_timeout = 120;
	s->docker_socket = "/run/docker.sock";
	s->docker_image = "quay.io/openstack.kolla/{component}:{version}";
	s->docker_config_dir = "/etc/kolla/{component}";
	s->docker_container = "{component}";
	s->docker_network = "host";
	s->docker_stop_timeout = 60;
	{
		/* kolla's images copy their configuration into place first. */
		static const char *kolla_prefix[] = { "sh", "-c",
			"sudo -E kolla_set_configs && exec \"$@\"", "sh", NULL };

		s->docker_run_prefix = kolla_prefix;
	}
	add_default_rolling(s);
	return s;
}

void settings_free(struct settings *s)
{
	if (!s)
		return;
	vec_free(s->rolling);
	vec_free(s->docker_health);
	vec_free(s->docker_volumes);
	vec_free(s->docker_cap_add);
	vec_free(s->modes);
	vec_free(s->hops);
	arena_release(&s->arena);
	free(s);
}

static bool looks_secret(const char *key)
{
	static const char *const words[] = { "password", "passwd", "token",
		"secret_key", "credential", NULL };

	for (size_t i = 0; words[i]; i++)
		if (strstr(key, words[i]))
			return true;
	return false;
}

/* Refuse secret-looking keys anywhere in a mapping (one level). */
static int refuse_secrets(struct ydoc *d, const yaml_node_t *map,
			  struct sh_error *err)
{
	for (size_t i = 0; i < ymap_len(map); i++) {
		const char *k = yscalar(ymap_key_at(d, map, i));

		if (k && looks_secret(k))
			return y_error(d, ymap_key_at(d, map, i), err,
				       "'%s' looks like a secret: secrets belong in the secrets file (mode 0600), never in the settings file",
				       k);
	}
	return 0;
}

static int check_hostport(struct ydoc *d, const yaml_node_t *n, const char *what,
			  const char *v, struct sh_error *err)
{
	const char *colon = strrchr(v, ':');
	long port;

	if (!colon || colon == v || parse_long(colon + 1, 1, 65535, &port) < 0)
		return y_error(d, n, err, "%s must be host:port, not '%s'", what, v);
	return 0;
}

static int parse_rolling(struct settings *s, struct ydoc *d,
			 const yaml_node_t *map, struct sh_error *err)
{
	static const char *const keys[] = { "serial", "max_fail_percentage", NULL };

	if (ymap_check(d, map, "rolling", NULL, err) < 0)
		return -1;
	/* The file's policies replace the defaults; "default" stays one
	 * host at a time unless the file says otherwise. */
	s->rolling.n = 1;
	s->rolling.v[0] = (struct rolling){ "default", 1, false, 0, 0 };
	for (size_t i = 0; i < ymap_len(map); i++) {
		const char *group = yscalar(ymap_key_at(d, map, i));
		yaml_node_t *v = ymap_val_at(d, map, i);
		struct rolling r = { 0 };
		const char *serial = NULL;
		char what[300];

		snprintf(what, sizeof(what), "rolling '%s'", group);
		if (ymap_check(d, v, what, keys, err) < 0 ||
		    y_str(d, v, "serial", what, false, &serial, err) < 0 ||
		    y_long(d, v, "max_fail_percentage", what, 0, 100, false,
			   &r.max_fail_percentage, err) < 0)
			return -1;
		r.serial = 1;
		if (serial) {
			size_t len = strlen(serial);
			char num[32];

			r.percent = len && serial[len - 1] == '%';
			if (len >= sizeof(num))
				len = sizeof(num) - 1;
			memcpy(num, serial, len);
			num[r.percent ? len - 1 : len] = '\0';
			if (parse_long(num, 1, r.percent ? 100 : 1000000, &r.serial) < 0)
				return y_error(d, ymap_get(d, v, "serial"), err,
					       "serial of %s must be a host count (1 or more) or a percentage like \"20%%\", not '%s'",
					       what, serial);
		}
		r.group = arena_strdup(&s->arena, group);
		r.line = ynode_line(v);
		if (streq(group, "default"))
			s->rolling.v[0] = r;
		else
			vec_push(s->rolling, r);
	}
	return 0;
}

static int parse_choices(struct settings *s, struct ydoc *d,
			 const yaml_node_t *map, const char *what,
			 const char *field, void *listp, struct sh_error *err)
{
	VEC(struct setting_choice) *list = listp;
	/* A component may also name its target version. */
	bool comp = streq(what, "components");
	const char *const keys[] = { field, comp ? "version" : NULL, NULL };

	if (ymap_check(d, map, what, NULL, err) < 0)
		return -1;
	for (size_t i = 0; i < ymap_len(map); i++) {
		const char *name = yscalar(ymap_key_at(d, map, i));
		yaml_node_t *v = ymap_val_at(d, map, i);
		const char *value = NULL, *version = NULL;
		char w[300];

		snprintf(w, sizeof(w), "%s '%s'", what, name);
		if (ymap_check(d, v, w, keys, err) < 0 ||
		    (comp && y_str(d, v, "version", w, false, &version, err) < 0) ||
		    y_str(d, v, field, w, !version, &value, err) < 0)
			return -1;
		struct setting_choice c = { arena_strdup(&s->arena, name),
					    value ? arena_strdup(&s->arena, value) : NULL,
					    version ? arena_strdup(&s->arena, version) : NULL,
					    ynode_line(ymap_get(d, v, value ? field : "version")) };
		vec_push(*list, c);
	}
	return 0;
}

/* The scalars of sequence q (may be NULL) as a NULL-terminated arena array. */
static int string_list(struct settings *s, struct ydoc *d, yaml_node_t *q,
		       const char ***ret, size_t *n)
{
	*n = q ? yseq_len(q) : 0;
	*ret = arena_alloc(&s->arena, (*n + 1) * sizeof(char *));
	for (size_t i = 0; i < *n; i++)
		(*ret)[i] = arena_strdup(&s->arena, yscalar(yseq_at(d, q, i)));
	(*ret)[*n] = NULL;
	return 0;
}

/* An optional string: *ret keeps its default when the key is absent. */
static int opt_str(struct settings *s, struct ydoc *d, yaml_node_t *map, const char *key,
		   const char *what, const char **ret, struct sh_error *err)
{
	const char *v = NULL;

	if (y_str(d, map, key, what, false, &v, err) < 0)
		return -1;
	if (v)
		*ret = arena_strdup(&s->arena, v);
	return 0;
}

char *settings_node_path(const char *tmpl, const char *node)
{
	const char *at = strstr(tmpl, "{node}");
	size_t len;
	char *r;

	if (!at)
		return xstrdup(tmpl);
	len = strlen(tmpl) - 6 + strlen(node);
	r = xmalloc(len + 1);
	snprintf(r, len + 1, "%.*s%s%s", (int)(at - tmpl), tmpl, node, at + 6);
	return r;
}

/* A path from the settings file: relative ones are relative to its directory. */
static const char *beside(struct settings *s, const char *settings_path,
			  const char *v)
{
	char dir[PATH_MAX];

	if (v[0] == '/')
		return arena_strdup(&s->arena, v);
	strlcpy_sh(dir, settings_path, sizeof(dir));
	return arena_printf(&s->arena, "%s/%s", dirname(dir), v);
}

/*
 * One parser per top-level key of the settings file.  Each gets the
 * document's root and the key's value (present: a key the file lacks
 * keeps its default and its parser is not called); the scalar keys read
 * the value through the root, which checks its type.
 */
typedef int (*section_parse_fn)(struct settings *s, struct ydoc *d, yaml_node_t *root,
				yaml_node_t *n, struct sh_error *err);

static int parse_vip(struct settings *s, struct ydoc *d, yaml_node_t *root,
		     yaml_node_t *n, struct sh_error *err)
{
	unsigned char addr[16];
	const char *v = NULL;

	if (y_str(d, root, "vip", "the settings", false, &v, err) < 0)
		return -1;
	if (!v)
		return 0;
	if (inet_pton(AF_INET, v, addr) != 1 && inet_pton(AF_INET6, v, addr) != 1)
		return y_error(d, n, err, "vip must be an IPv4 or IPv6 address, not '%s'", v);
	s->vip = arena_strdup(&s->arena, v);
	return 0;
}

static int parse_keystone_endpoint(struct settings *s, struct ydoc *d, yaml_node_t *n,
				   struct sh_error *err)
{
	const char *v = NULL;

	if (y_str(d, n, "keystone", "endpoints", false, &v, err) < 0)
		return -1;
	if (v && !str_has_prefix(v, "http://") && !str_has_prefix(v, "https://"))
		return y_error(d, ymap_get(d, n, "keystone"), err,
			       "endpoints keystone must be an http:// or https:// URL, not '%s'", v);
	if (v && strchr(v, '@'))
		return y_error(d, ymap_get(d, n, "keystone"), err,
			       "endpoints keystone must not carry credentials: they belong in the secrets file");
	s->keystone = arena_strdup(&s->arena, v);
	return 0;
}

static int parse_endpoints(struct settings *s, struct ydoc *d, yaml_node_t *root,
			   yaml_node_t *n, struct sh_error *err)
{
	static const char *const ep_keys[] = { "database", "database_user", "rabbitmq",
		"keystone", NULL };
	yaml_node_t *rq;
	const char *v = NULL;

	(void)root;
	if (refuse_secrets(d, n, err) < 0 ||
	    ymap_check(d, n, "endpoints", ep_keys, err) < 0)
		return -1;
	if (y_str(d, n, "database", "endpoints", false, &v, err) < 0 ||
	    (v && check_hostport(d, ymap_get(d, n, "database"), "endpoints database", v, err) < 0))
		return -1;
	s->database = arena_strdup(&s->arena, v);
	if (opt_str(s, d, n, "database_user", "endpoints", &s->database_user, err) < 0 ||
	    parse_keystone_endpoint(s, d, n, err) < 0 ||
	    y_seq(d, n, "rabbitmq", "endpoints", false, true, &rq, err) < 0)
		return -1;
	s->nrabbitmq = yseq_len(rq);
	s->rabbitmq = arena_alloc(&s->arena, (s->nrabbitmq + 1) * sizeof(char *));
	for (size_t i = 0; i < s->nrabbitmq; i++) {
		yaml_node_t *it = yseq_at(d, rq, i);

		if (check_hostport(d, it, "each rabbitmq endpoint", yscalar(it), err) < 0)
			return -1;
		s->rabbitmq[i] = arena_strdup(&s->arena, yscalar(it));
	}
	return 0;
}

static int parse_runtime(struct settings *s, struct ydoc *d, yaml_node_t *root,
			 yaml_node_t *n, struct sh_error *err)
{
	const char *v = NULL;

	if (y_str(d, root, "runtime", "the settings", false, &v, err) < 0)
		return -1;
	if (!v)
		return 0;
	if (streq(v, "docker"))
		s->runtime = RUNTIME_DOCKER;
	else if (streq(v, "process"))
		s->runtime = RUNTIME_PROCESS;
	else
		return y_error(d, n, err, "runtime must be docker or process, not '%s'", v);
	return 0;
}

static int parse_deployment_host(struct settings *s, struct ydoc *d, yaml_node_t *root,
				 yaml_node_t *n, struct sh_error *err)
{
	const char *v = NULL;

	if (y_str(d, root, "deployment_host", "the settings", false, &v, err) < 0)
		return -1;
	if (v && !streq(v, "skip") && !streq(v, "upgrade"))
		return y_error(d, n, err, "deployment_host must be skip or upgrade, not '%s'", v);
	s->deployment_host_upgrade = v && streq(v, "upgrade");
	return 0;
}

static int parse_secrets(struct settings *s, struct ydoc *d, yaml_node_t *root,
			 yaml_node_t *n, struct sh_error *err)
{
	const char *v = NULL;

	(void)n;
	if (y_str(d, root, "secrets", "the settings", false, &v, err) < 0)
		return -1;
	if (v)
		s->secrets = beside(s, s->path, v);
	return 0;
}

static int parse_ssh(struct settings *s, struct ydoc *d, yaml_node_t *root,
		     yaml_node_t *n, struct sh_error *err)
{
	static const char *const ssh_keys[] = { "config", "identity", "known_hosts",
		"strict_host_key_checking", "control_persist", "connect_timeout",
		"server_alive_interval", "server_alive_count_max", NULL };
	const char *cfg = NULL, *id = NULL, *kh = NULL, *strict = NULL;

	(void)root;
	if (ymap_check(d, n, "ssh", ssh_keys, err) < 0 ||
	    y_str(d, n, "config", "ssh", false, &cfg, err) < 0 ||
	    y_str(d, n, "identity", "ssh", false, &id, err) < 0 ||
	    y_str(d, n, "known_hosts", "ssh", false, &kh, err) < 0 ||
	    y_str(d, n, "strict_host_key_checking", "ssh", false, &strict, err) < 0 ||
	    y_long(d, n, "control_persist", "ssh", 1, 86400, false,
		   &s->ssh_control_persist, err) < 0 ||
	    y_long(d, n, "connect_timeout", "ssh", 1, 3600, false,
		   &s->ssh_connect_timeout, err) < 0 ||
	    y_long(d, n, "server_alive_interval", "ssh", 1, 3600, false,
		   &s->ssh_server_alive_interval, err) < 0 ||
	    y_long(d, n, "server_alive_count_max", "ssh", 1, 100, false,
		   &s->ssh_server_alive_count_max, err) < 0)
		return -1;
	if (strict && !streq(strict, "yes") && !streq(strict, "accept-new"))
		return y_error(d, ymap_get(d, n, "strict_host_key_checking"), err,
			       "ssh strict_host_key_checking must be yes or accept-new, not '%s' (stackhop never turns host-key checking off)",
			       strict);
	s->ssh_config = cfg ? beside(s, s->path, cfg) : NULL;
	s->ssh_identity = id ? beside(s, s->path, id) : NULL;
	s->ssh_known_hosts = kh ? beside(s, s->path, kh) : NULL;
	s->ssh_strict = strict ? arena_strdup(&s->arena, strict) : NULL;
	return 0;
}

static int parse_probe(struct settings *s, struct ydoc *d, yaml_node_t *root,
		       yaml_node_t *n, struct sh_error *err)
{
	static const char *const probe_keys[] = { "interval_ms", "timeout_ms", "targets", NULL };
	yaml_node_t *tq;

	(void)root;
	if (ymap_check(d, n, "probe", probe_keys, err) < 0 ||
	    y_long(d, n, "interval_ms", "probe", 10, 60000, false,
		   &s->probe_interval_ms, err) < 0 ||
	    y_long(d, n, "timeout_ms", "probe", 10, 60000, false,
		   &s->probe_timeout_ms, err) < 0 ||
	    y_seq(d, n, "targets", "probe", false, true, &tq, err) < 0 ||
	    string_list(s, d, tq, &s->probe_targets, &s->nprobe_targets) < 0)
		return -1;
	return 0;
}

static int parse_services(struct settings *s, struct ydoc *d, yaml_node_t *root,
			  yaml_node_t *n, struct sh_error *err)
{
	yaml_node_t *sq;

	(void)n;
	if (y_seq(d, root, "services", "settings", false, true, &sq, err) < 0 ||
	    string_list(s, d, sq, &s->services, &s->nservices) < 0)
		return -1;
	s->services_line = ynode_line(sq);
	return 0;
}

static int parse_galera(struct settings *s, struct ydoc *d, yaml_node_t *root,
			yaml_node_t *n, struct sh_error *err)
{
	static const char *const galera_keys[] = { "backend", "disabled_file", NULL };

	(void)root;
	if (ymap_check(d, n, "galera", galera_keys, err) < 0 ||
	    opt_str(s, d, n, "backend", "galera", &s->galera_backend, err) < 0 ||
	    opt_str(s, d, n, "disabled_file", "galera", &s->galera_disabled_file, err) < 0)
		return -1;
	return 0;
}

static int parse_haproxy(struct settings *s, struct ydoc *d, yaml_node_t *root,
			 yaml_node_t *n, struct sh_error *err)
{
	static const char *const haproxy_keys[] = { "admin_socket", NULL };

	(void)root;
	if (ymap_check(d, n, "haproxy", haproxy_keys, err) < 0 ||
	    opt_str(s, d, n, "admin_socket", "haproxy", &s->haproxy_socket, err) < 0)
		return -1;
	return 0;
}

static int parse_rabbitmq(struct settings *s, struct ydoc *d, yaml_node_t *root,
			  yaml_node_t *n, struct sh_error *err)
{
	static const char *const rabbitmq_keys[] = { "clients", "reconnect_timeout", NULL };
	yaml_node_t *cq;

	(void)root;
	if (ymap_check(d, n, "rabbitmq", rabbitmq_keys, err) < 0 ||
	    y_long(d, n, "reconnect_timeout", "rabbitmq", 0, 3600, false,
		   &s->rabbitmq_reconnect_timeout, err) < 0 ||
	    y_seq(d, n, "clients", "rabbitmq", false, true, &cq, err) < 0 ||
	    string_list(s, d, cq, &s->rabbitmq_clients, &s->nrabbitmq_clients) < 0)
		return -1;
	return 0;
}

static int parse_process(struct settings *s, struct ydoc *d, yaml_node_t *root,
			 yaml_node_t *n, struct sh_error *err)
{
	static const char *const process_keys[] = { "control", NULL };
	yaml_node_t *cq;

	(void)root;
	if (ymap_check(d, n, "process", process_keys, err) < 0 ||
	    y_seq(d, n, "control", "process", true, true, &cq, err) < 0 ||
	    string_list(s, d, cq, &s->process_control, &s->nprocess_control) < 0)
		return -1;
	if (!s->nprocess_control)
		return y_error(d, ymap_get(d, n, "control"), err,
			       "process control must name a command (a list: program and arguments)");
	return 0;
}

/* A bind "HOST:PATH" or "HOST:PATH:ro|rw", both paths absolute. */
static bool bind_ok(const char *b)
{
	const char *c = strchr(b, ':'), *c2 = c ? strchr(c + 1, ':') : NULL;

	if (b[0] != '/' || !c || c[1] != '/')
		return false;
	return !c2 || streq(c2, ":ro") || streq(c2, ":rw");
}

/* A capability as Docker names it: NET_ADMIN (upper case and '_'). */
static bool cap_ok(const char *c)
{
	return strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == strlen(c);
}

enum docker_list_kind { DOCKER_HEALTH, DOCKER_VOLUMES, DOCKER_CAP_ADD };

/*
 * docker: healthcheck (a command), volumes (binds) and cap_add
 * (capabilities): a non-empty list of strings per component.
 */
static int parse_docker_lists(struct settings *s, struct ydoc *d, yaml_node_t *m,
			      enum docker_list_kind kind, struct sh_error *err)
{
	static const char *const whats[] = { "docker healthcheck", "docker volumes",
		"docker cap_add" };
	static const char *const musts[] = { "a command (a list: program and arguments)",
		"a list of binds HOST:PATH[:ro]", "a list of capabilities (NET_ADMIN, ...)" };
	const char *what = whats[kind];
	bool volumes = kind == DOCKER_VOLUMES;

	if (ymap_check(d, m, what, NULL, err) < 0)
		return -1;
	for (size_t i = 0; i < ymap_len(m); i++) {
		const char *name = yscalar(ymap_key_at(d, m, i));
		yaml_node_t *q = ymap_val_at(d, m, i);
		struct docker_list l = { arena_strdup(&s->arena, name), NULL };
		size_t nargv;

		if (q->type != YAML_SEQUENCE_NODE || !yseq_len(q))
			return y_error(d, q, err, "%s of '%s' must be %s", what, name, musts[kind]);
		for (size_t k = 0; k < yseq_len(q); k++) {
			const char *v = yscalar(yseq_at(d, q, k));

			if (!v || !*v)
				return y_error(d, yseq_at(d, q, k), err,
					       "%s of '%s': every item must be a non-empty string", what,
					       name);
			if (volumes && !bind_ok(v))
				return y_error(d, yseq_at(d, q, k), err,
					       "docker volumes of '%s': '%s' is not a bind HOST:PATH[:ro|:rw] of absolute paths",
					       name, v);
			if (kind == DOCKER_CAP_ADD && !cap_ok(v))
				return y_error(d, yseq_at(d, q, k), err,
					       "docker cap_add of '%s': '%s' is not a capability (upper case, as NET_ADMIN)",
					       name, v);
		}
		string_list(s, d, q, &l.argv, &nargv);
		if (kind == DOCKER_VOLUMES)
			vec_push(s->docker_volumes, l);
		else if (kind == DOCKER_CAP_ADD)
			vec_push(s->docker_cap_add, l);
		else
			vec_push(s->docker_health, l);
	}
	return 0;
}

static int parse_docker(struct settings *s, struct ydoc *d, yaml_node_t *root,
			yaml_node_t *n, struct sh_error *err)
{
	static const char *const docker_keys[] = { "socket", "image", "config_dir",
		"container", "network", "stop_timeout", "healthcheck", "volumes", "cap_add",
		"run_prefix", NULL };
	yaml_node_t *hc, *vol, *cap;

	(void)root;
	if (ymap_check(d, n, "docker", docker_keys, err) < 0 ||
	    opt_str(s, d, n, "socket", "docker", &s->docker_socket, err) < 0 ||
	    opt_str(s, d, n, "image", "docker", &s->docker_image, err) < 0 ||
	    opt_str(s, d, n, "config_dir", "docker", &s->docker_config_dir, err) < 0 ||
	    opt_str(s, d, n, "container", "docker", &s->docker_container, err) < 0 ||
	    opt_str(s, d, n, "network", "docker", &s->docker_network, err) < 0 ||
	    y_long(d, n, "stop_timeout", "docker", 1, 3600, false, &s->docker_stop_timeout,
		   err) < 0)
		return -1;
	if (ymap_get(d, n, "run_prefix")) {
		yaml_node_t *q;
		size_t np;

		if (y_seq(d, n, "run_prefix", "docker", false, true, &q, err) < 0)
			return -1;
		string_list(s, d, q, &s->docker_run_prefix, &np);
	}
	if (!strstr(s->docker_image, "{version}"))
		return y_error(d, ymap_get(d, n, "image"), err,
			       "docker image must hold {version} (and usually {component}), not '%s'",
			       s->docker_image);
	if (!strstr(s->docker_container, "{component}"))
		return y_error(d, ymap_get(d, n, "container"), err,
			       "docker container must hold {component} (and {node} where one engine serves several nodes), not '%s'",
			       s->docker_container);
	if (!streq(s->docker_network, "host") && !streq(s->docker_network, "none") &&
	    !str_has_prefix(s->docker_network, "ns:/"))
		return y_error(d, ymap_get(d, n, "network"), err,
			       "docker network must be host, none or ns:PATH (a network namespace), not '%s'",
			       s->docker_network);
	if ((hc = ymap_get(d, n, "healthcheck")) &&
	    parse_docker_lists(s, d, hc, DOCKER_HEALTH, err) < 0)
		return -1;
	if ((vol = ymap_get(d, n, "volumes")) &&
	    parse_docker_lists(s, d, vol, DOCKER_VOLUMES, err) < 0)
		return -1;
	if ((cap = ymap_get(d, n, "cap_add")) &&
	    parse_docker_lists(s, d, cap, DOCKER_CAP_ADD, err) < 0)
		return -1;
	return 0;
}

static int parse_rolling_section(struct settings *s, struct ydoc *d, yaml_node_t *root,
				 yaml_node_t *n, struct sh_error *err)
{
	(void)root;
	return parse_rolling(s, d, n, err);
}

static int parse_components(struct settings *s, struct ydoc *d, yaml_node_t *root,
			    yaml_node_t *n, struct sh_error *err)
{
	(void)root;
	return parse_choices(s, d, n, "components", "mode", &s->modes, err);
}

static int parse_phases(struct settings *s, struct ydoc *d, yaml_node_t *root,
			yaml_node_t *n, struct sh_error *err)
{
	(void)root;
	if (parse_choices(s, d, n, "phases", "hops", &s->hops, err) < 0)
		return -1;
	for (size_t i = 0; i < s->hops.n; i++) {
		struct setting_choice *c = &s->hops.v[i];

		if (!streq(c->name, "host") && !streq(c->name, "ceph") &&
		    !streq(c->name, "infra") && !streq(c->name, "openstack"))
			return sh_error_at(err, s->path, c->line,
					   "unknown phase '%s' in phases (expected host, ceph, infra or openstack)",
					   c->name);
		if (!streq(c->value, "first") && !streq(c->value, "every") &&
		    !streq(c->value, "none"))
			return sh_error_at(err, s->path, c->line,
					   "hops of phase '%s' must be first, every or none, not '%s'",
					   c->name, c->value);
	}
	return 0;
}

/*
 * The top-level keys, in the order they are read (which decides the
 * error a file with several reports).  The "expected one of" list of an
 * unknown key is top_keys[] below, in the order of the documentation.
 */
static const struct {
	const char *key;
	section_parse_fn parse;
} sections[] = {
	{ "vip", parse_vip },
	{ "endpoints", parse_endpoints },
	{ "runtime", parse_runtime },
	{ "deployment_host", parse_deployment_host },
	{ "secrets", parse_secrets },
	{ "ssh", parse_ssh },
	{ "probe", parse_probe },
	{ "services", parse_services },
	{ "galera", parse_galera },
	{ "haproxy", parse_haproxy },
	{ "rabbitmq", parse_rabbitmq },
	{ "process", parse_process },
	{ "docker", parse_docker },
	{ "rolling", parse_rolling_section },
	{ "components", parse_components },
	{ "phases", parse_phases },
};

static const char *const top_keys[] = { "vip", "endpoints", "runtime",
	"secrets", "rolling", "components", "phases", "ssh", "probe", "galera",
	"haproxy", "rabbitmq", "process", "docker", "services", "deployment_host",
	NULL };

int settings_parse(const char *path, const char *buf, size_t len,
		   struct settings **ret, struct sh_error *err)
{
	struct settings *s = settings_defaults();
	struct ydoc d;
	yaml_node_t *root;
	int r = -1;

	s->path = arena_strdup(&s->arena, path);
	if (ydoc_load_buf(&d, s->path, buf, len, err) < 0) {
		settings_free(s);
		return -1;
	}
	root = ydoc_root(&d);
	if (refuse_secrets(&d, root, err) < 0 ||
	    ymap_check(&d, root, "the settings", top_keys, err) < 0)
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++) {
		yaml_node_t *n = ymap_get(&d, root, sections[i].key);

		if (n && sections[i].parse(s, &d, root, n, err) < 0)
			goto out;
	}
	*ret = s;
	s = NULL;
	r = 0;
out:
	ydoc_release(&d);
	settings_free(s);
	return r;
}

int settings_load(const char *path, struct settings **ret, struct sh_error *err)
{
	char *buf;
	size_t len;
	int r;

	if (read_file_limited(path, YDOC_MAX_BYTES, &buf, &len, err) < 0)
		return sh_error_prefix(err, "settings");
	r = settings_parse(path, buf, len, ret, err);
	free(buf);
	return r;
}

int settings_load_or_defaults(const char *path, struct settings **ret,
			      struct sh_error *err)
{
	if (path)
		return settings_load(path, ret, err);
	*ret = settings_defaults();
	return 0;
}

const struct rolling *settings_rolling(const struct settings *s,
				       const char *const *groups, size_t n)
{
	for (size_t g = 0; g < n; g++)
		for (size_t i = 1; i < s->rolling.n; i++)
			if (streq(s->rolling.v[i].group, groups[g]))
				return &s->rolling.v[i];
	return &s->rolling.v[0];
}

size_t rolling_batch_size(const struct rolling *r, size_t count)
{
	size_t size;

	if (!r->percent)
		return (size_t)r->serial;
	/* Ansible rounds a percentage down, but never below one host. */
	size = count * (size_t)r->serial / 100;
	return size ? size : 1;
}

const struct setting_choice *settings_choice(const void *listp, const char *name)
{
	const VEC(struct setting_choice) *list = listp;

	for (size_t i = 0; i < list->n; i++)
		if (streq(list->v[i].name, name))
			return &list->v[i];
	return NULL;
}

/* The list of component in one of the docker lists, or NULL. */
static const char *const *docker_list_of(const struct docker_list *v, size_t n,
					 const char *component)
{
	for (size_t i = 0; i < n; i++)
		if (streq(v[i].component, component))
			return v[i].argv;
	return NULL;
}

const char *const *settings_docker_volumes(const struct settings *s, const char *component)
{
	return docker_list_of(s->docker_volumes.v, s->docker_volumes.n, component);
}

const char *const *settings_docker_cap_add(const struct settings *s, const char *component)
{
	return docker_list_of(s->docker_cap_add.v, s->docker_cap_add.n, component);
}

const char *const *settings_docker_health(const struct settings *s, const char *component)
{
	return docker_list_of(s->docker_health.v, s->docker_health.n, component);
}
