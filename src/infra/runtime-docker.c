/*
 * runtime-docker.c - the docker runtime (runtime.h): the node's Docker
 * Engine API (src/runtime/docker.c), its socket forwarded over ssh for
 * each operation (transport_forward_unix: an ssh -N -L of its own, not
 * through the ControlMaster, which would keep the forward).  Containers
 * and images are named as kolla names them: the container of component
 * nova-conductor is nova_conductor, its image the settings' docker.image
 * template with {component} and {version}, its configuration the
 * docker.config_dir template's directory, bound read-only at
 * /var/lib/kolla/config_files.
 *
 * The procedures' services are kolla's containers (kolla_services[]:
 * galera is mariadb).  A component with docker.volumes gets those binds
 * too: where a stateful service (mariadb, rabbitmq) keeps its data, so
 * that a container of a new version starts on the old one's data.  Such
 * a container is disposable: start() creates it anew each time (the
 * options of this start in its environment, BOOTSTRAP_ARGS as kolla's
 * entry point appends them: Galera's --wsrep-new-cluster and start
 * position).  The actions act on the data volume from the node (Galera's
 * grastate.dat; RabbitMQ's mnesia wiped) or in a one-off container of
 * the service's image and binds (mariadbd --wsrep-recover, as kolla's
 * mariadb_wsrep_recovery); so the runtime has Galera's actions and
 * RabbitMQ's wipe when the volumes hold those data directories
 * (caps_for()), and keeps data when both do.  HAProxy's reload hands the
 * listeners from one container to the next (haproxy_reload()) where a
 * volume holds its admin socket.  keepalived's drain edits the priority
 * in the container's copy of its configuration (kolla's
 * /etc/keepalived/keepalived.conf) and reloads it; the next start copies
 * the original again (COPY_ALWAYS).  exec's
 * standard input goes through a file of mode 0600 in the component's
 * configuration directory, removed after.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "docker.h"
#include "infra.h"
#include "redact.h"
#include "runtime.h"
#include "util.h"

/* tmpl with every "{key}" replaced by value (malloc'd). */
static char *subst(const char *tmpl, const char *key, const char *value)
{
	char pat[64];
	size_t plen, cap = strlen(tmpl) + 1, len = 0;
	char *r;
	const char *at;

	snprintf(pat, sizeof(pat), "{%s}", key);
	plen = strlen(pat);
	r = xmalloc(cap);
	while ((at = strstr(tmpl, pat))) {
		size_t pre = (size_t)(at - tmpl), vl = strlen(value);

		cap += vl;
		r = xrealloc(r, cap);
		memcpy(r + len, tmpl, pre);
		memcpy(r + len + pre, value, vl);
		len += pre + vl;
		tmpl = at + plen;
	}
	snprintf(r + len, cap - len, "%s", tmpl);
	return r;
}

/*
 * The services stackhop's procedures name whose kolla container has
 * another name, and the directory where a stateful one keeps its data in
 * its container.
 */
static const struct kolla_service {
	const char *service;	/* as the procedures name it */
	const char *component;	/* kolla's container and image */
	const char *data;	/* its data directory in the container, or NULL */
} kolla_services[] = {
	{ "galera", "mariadb", "/var/lib/mysql" },
	{ "rabbitmq", "rabbitmq", "/var/lib/rabbitmq" },
};

static const struct kolla_service *kolla_service(const char *service)
{
	for (size_t i = 0; i < ARRAY_SIZE(kolla_services); i++)
		if (streq(kolla_services[i].service, service) ||
		    streq(kolla_services[i].component, service))
			return &kolla_services[i];
	return NULL;
}

/* kolla's component of a service (galera: mariadb; else itself). */
static const char *kolla_component(const char *service)
{
	const struct kolla_service *k = kolla_service(service);

	return k ? k->component : service;
}

/* A settings template for node h: "{node}" replaced by its name (malloc'd). */
static char *for_node(const char *tmpl, const struct inv_host *h)
{
	return settings_node_path(tmpl, h->name);
}

/* The image of component at version on h, as the settings' template names it. */
static char *image_ref(const struct infra *x, const struct inv_host *h, const char *component,
		       const char *version)
{
	char *a = for_node(x->st->docker_image, h);
	char *b = subst(a, "component", kolla_component(component));
	char *r = subst(b, "version", version);

	free(a);
	free(b);
	return r;
}

/*
 * The container of component on h as the settings' template names it:
 * kolla's name ('_' for '-': nova_conductor), "{node}_nova_conductor"
 * where one engine serves several nodes.
 */
static void container_name(const struct infra *x, const struct inv_host *h,
			   const char *component, char *buf, size_t size)
{
	char kolla[128], *a, *r;

	snprintf(kolla, sizeof(kolla), "%s", kolla_component(component));
	for (char *c = kolla; *c; c++)
		if (*c == '-')
			*c = '_';
	a = for_node(x->st->docker_container, h);
	r = subst(a, "component", kolla);
	snprintf(buf, size, "%s", r);
	free(r);
	free(a);
}

/* component's configuration directory on h (*cfg, malloc'd) as the bind
 * kolla's images read it from (malloc'd). */
static char *config_bind(const struct infra *x, const struct inv_host *h, const char *component,
			 char **cfg)
{
	char *a = for_node(x->st->docker_config_dir, h);
	size_t len;
	char *bind;

	*cfg = subst(a, "component", kolla_component(component));
	free(a);
	len = strlen(*cfg) + 64;
	bind = xmalloc(len);
	snprintf(bind, len, "%s:/var/lib/kolla/config_files:ro", *cfg);
	return bind;
}

/* The node's Docker API: its socket, over ssh forwarded to one here. */
struct node_api {
	struct docker d;
	struct proc fwd;
	bool forwarded;
	char local[160];
};

static void api_close(struct node_api *a)
{
	docker_close(&a->d);
	if (a->forwarded) {
		proc_release(&a->fwd);
		unlink(a->local);
		a->forwarded = false;
	}
}

/*
 * The forwarded sockets of runs that were killed (a SIGKILL leaves its
 * docker-PID-NODE.sock in the private ssh directory): removed, once per
 * process, when their PID is gone.  A live process's stay.
 */
static void remove_stale_forwards(const char *dir)
{
	static bool done;
	struct dirent *e;
	DIR *d;

	if (done || !(d = opendir(dir)))
		return;
	done = true;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		struct stat sb;
		int pid, end = 0;

		if (sscanf(e->d_name, "docker-%d-%*[^/]%n", &pid, &end) != 1 || !end || pid <= 0 ||
		    len < 5 || !streq(e->d_name + len - 5, ".sock") || pid == (int)getpid())
			continue;
		if (kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISSOCK(sb.st_mode))
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

static int api_open(struct infra *x, const struct inv_host *h, struct node_api *a,
		    struct sh_error *err)
{
	char *sock = settings_node_path(x->st->docker_socket, h->name);
	const char *path = sock;
	int r = -1;

	memset(a, 0, sizeof(*a));
	if (!streq(h->connection, "local")) {
		remove_stale_forwards(x->ssh_dir);
		snprintf(a->local, sizeof(a->local), "%s/docker-%d-%s.sock", x->ssh_dir,
			 (int)getpid(), h->name);
		if (transport_forward_unix(&x->ssh, h, sock, a->local, &a->fwd, err) < 0)
			goto out;
		a->forwarded = true;
		path = a->local;
	}
	if ((r = docker_open(&a->d, path, err)) < 0) {
		if (a->forwarded)
			sh_error_prefix(err, "%s: its socket %s, forwarded over ssh", h->name, sock);
		else
			sh_error_prefix(err, "%s", h->name);
		api_close(a);
	}
out:
	free(sock);
	return r;
}

/* The container of component on h into *st (and its name), API opened. */
static int open_inspect(struct infra *x, const struct inv_host *h, const char *component,
			struct node_api *a, struct docker_state *st, char *name, size_t size,
			struct sh_error *err)
{
	if (api_open(x, h, a, err) < 0)
		return -1;
	container_name(x, h, component, name, size);
	if (docker_inspect(&a->d, name, st, err) < 0) {
		api_close(a);
		return -1;
	}
	return 0;
}

/* The log names the kolla container (the node is named beside it). */
static void unit(const char *service, char *buf, size_t size)
{
	snprintf(buf, size, "container %s", kolla_component(service));
	for (char *c = buf + strlen("container "); *c; c++)
		if (*c == '-')
			*c = '_';
}

static int running(struct infra *x, const struct inv_host *h, const char *service,
		   struct sh_error *err)
{
	struct node_api a;
	struct docker_state st;
	char name[128];

	if (open_inspect(x, h, service, &a, &st, name, sizeof(name), err) < 0)
		return -1;
	api_close(&a);
	return st.exists && st.running;
}

/*
 * The template's image reference split around {version}: image refs of
 * component are PRE + version + SUF; *repo is PRE up to its tag's ':'.
 */
static int ref_parts(const struct infra *x, const struct inv_host *h, const char *component, char **pre, char **suf,
		     char **repo, struct sh_error *err)
{
	char *ref = image_ref(x, h, component, "\x01"), *mark = strchr(ref, '\x01'), *colon;

	*mark = '\0';
	colon = strrchr(ref, ':');
	if (!colon || strchr(colon, '/')) {
		*mark = '\x01';
		free(ref);
		*pre = *suf = *repo = NULL;
		return sh_error_set(err, SH_EXIT_INPUT,
				    "image '%s' has no tag (docker: image needs :{version})",
				    x->st->docker_image);
	}
	*pre = xstrdup(ref);
	*suf = xstrdup(mark + 1);
	*repo = xstrndup(ref, (size_t)(colon - ref));
	free(ref);
	return 0;
}

/* The version in image ref, or NULL when the template does not make it. */
static char *ref_version(const char *ref, const char *pre, const char *suf)
{
	size_t n = strlen(ref), np = strlen(pre), ns = strlen(suf);

	if (n <= np + ns || strncmp(ref, pre, np) || strcmp(ref + n - ns, suf))
		return NULL;
	return xstrndup(ref + np, n - np - ns);
}

static char *version(struct infra *x, const struct inv_host *h, const char *service,
		     struct sh_error *err)
{
	struct node_api a;
	struct docker_state st;
	char name[128], *pre, *suf, *repo, *v;

	if (ref_parts(x, h, service, &pre, &suf, &repo, err) < 0)
		return NULL;
	v = NULL;
	if (open_inspect(x, h, service, &a, &st, name, sizeof(name), err) == 0) {
		api_close(&a);
		if (!st.exists)
			v = xstrdup("");
		else if (!(v = ref_version(st.image, pre, suf)))
			sh_error_set(err, SH_EXIT_FAILURE,
				     "container %s on %s is of %s, which the settings' docker.image does not name",
				     name, h->name, st.image);
	}
	free(pre);
	free(suf);
	free(repo);
	return v;
}

/* The tags of component's repository ("repo:TAG"), appended to *tags. */
static int image_tags(struct infra *x, const struct inv_host *h, const char *component,
		      const char *repo, str_vec *tags, struct sh_error *err)
{
	struct node_api a;
	int r;

	if (api_open(x, h, &a, err) < 0)
		return -1;
	r = docker_image_tags(&a.d, repo, tags, err);
	api_close(&a);
	(void)component;
	return r;
}

/* fmt appended to *s (malloc'd, NULL at first). */
static void __attribute__((format(printf, 2, 3))) addf(char **s, const char *fmt, ...)
{
	size_t have = *s ? strlen(*s) : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	*s = xrealloc(*s, have + (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(*s + have, (size_t)n + 1, fmt, ap);
	va_end(ap);
}

static void free_strs(str_vec *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	vec_free(*v);
}

static int versions(struct infra *x, const struct inv_host *h, const char *service, char **out,
		    struct sh_error *err)
{
	char *pre, *suf, *repo;
	str_vec tags = { 0 };
	char *b = NULL;
	int r;

	*out = NULL;
	if (ref_parts(x, h, service, &pre, &suf, &repo, err) < 0)
		return -1;
	if ((r = image_tags(x, h, service, repo, &tags, err)) == 0) {
		for (size_t i = 0; i < tags.n; i++) {
			char *v = ref_version(tags.v[i], pre, suf);

			if (v)
				addf(&b, "%s\n", v);
			free(v);
		}
		*out = b ? b : xstrdup("");
	}
	free_strs(&tags);
	free(pre);
	free(suf);
	free(repo);
	return r;
}

static int stop(struct infra *x, const struct inv_host *h, const char *service,
		struct sh_error *err)
{
	struct node_api a;
	char name[128];
	int r;

	if (api_open(x, h, &a, err) < 0)
		return -1;
	container_name(x, h, service, name, sizeof(name));
	r = docker_stop(&a.d, name, (int)x->st->docker_stop_timeout, err);
	api_close(&a);
	return r;
}

/* The binds of component on h: its configuration, then its docker.volumes
 * ({node} replaced); NULL-terminated, each malloc'd. */
static char **component_binds(const struct infra *x, const struct inv_host *h,
			      const char *component)
{
	const char *const *vol = settings_docker_volumes(x->st, kolla_component(component));
	size_t n = 0;
	char **b, *cfg;

	while (vol && vol[n])
		n++;
	b = xcalloc(n + 2, sizeof(*b));
	b[0] = config_bind(x, h, component, &cfg);
	free(cfg);
	for (size_t i = 0; i < n; i++)
		b[i + 1] = for_node(vol[i], h);
	return b;
}

static void free_nullv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* The docker.volumes bind of service's data directory ("HOST:PATH..."),
 * or NULL. */
static const char *data_volume(const struct settings *st, const char *service)
{
	const struct kolla_service *k = kolla_service(service);
	const char *const *vol = st && k ? settings_docker_volumes(st, k->component) : NULL;
	size_t dl = k && k->data ? strlen(k->data) : 0;

	for (size_t i = 0; dl && vol && vol[i]; i++) {
		const char *c = strchr(vol[i], ':'), *end;

		/* Settings binds are checked: c is there.  PATH, PATH/, PATH:ro. */
		if (!c || strncmp(c + 1, k->data, dl))
			continue;
		end = c + 1 + dl;
		if (*end == '/')
			end++;
		if (!*end || *end == ':')
			return vol[i];
	}
	return NULL;
}

/* The host directory of h where service keeps its data (the volume bound
 * at its data directory), or NULL (malloc'd). */
static char *data_dir(const struct infra *x, const struct inv_host *h, const char *service)
{
	const char *v = data_volume(x->st, service);
	char *hostpart, *r;

	if (!v)
		return NULL;
	hostpart = xstrndup(v, (size_t)(strchr(v, ':') - v));
	r = for_node(hostpart, h);
	free(hostpart);
	return r;
}

/* kolla's BOOTSTRAP_ARGS for o's Galera options ("" when none), malloc'd. */
static char *bootstrap_args(const struct rt_start *o)
{
	char *b = NULL;

	addf(&b, "BOOTSTRAP_ARGS=%s", o->new_cluster ? "--wsrep-new-cluster" : "");
	if (o->position)
		addf(&b, "%s--wsrep_start_position=%s", o->new_cluster ? " " : "", o->position);
	return b;
}

/* Create component's container name from ref on h (its binds, its
 * capabilities, boot, "BOOTSTRAP_ARGS=...", in its environment) and start
 * it. */
static int create_start(struct infra *x, struct node_api *a, const struct inv_host *h,
			const char *component, const char *name, const char *ref,
			const char *boot, struct sh_error *err)
{
	const char *const *health = settings_docker_health(x->st, kolla_component(component));
	char **binds = component_binds(x, h, component), *net = for_node(x->st->docker_network, h);
	const char *env[] = { "KOLLA_CONFIG_STRATEGY=COPY_ALWAYS", boot, NULL };
	const char **hc = NULL;
	int r = -1;

	if (health) {
		size_t n = 0;

		while (health[n])
			n++;
		hc = xcalloc(n + 1, sizeof(*hc));
		for (size_t i = 0; i < n; i++)
			hc[i] = subst(health[i], "address", h->address);
	}
	{
		struct docker_spec spec = { .name = name, .image = ref,
					    .binds = (const char *const *)binds, .env = env,
					    .health = hc, .network_mode = net, .init = true,
					    .cap_add = settings_docker_cap_add(x->st,
									       kolla_component(component)) };

		if (docker_create(&a->d, &spec, NULL, 0, err) == 0 &&
		    docker_start(&a->d, name, err) == 0)
			r = 0;
	}
	if (hc)
		for (size_t i = 0; hc[i]; i++)
			free((char *)hc[i]);
	free(hc);
	free_nullv(binds);
	free(net);
	return r;
}

/* An ID as the log shows it: 12 hex digits, without "sha256:". */
static const char *short_id(const char *id, char buf[13])
{
	if (str_has_prefix(id, "sha256:"))
		id += 7;
	snprintf(buf, 13, "%.12s", *id ? id : "?");
	return buf;
}

/* What runs on h as name now: its container's ID and its image's. */
static void log_ids(struct infra *x, const struct inv_host *h, struct node_api *a,
		    const char *name)
{
	struct docker_state st;
	struct sh_error e = { 0 };
	char c[13], i[13];

	if (docker_inspect(&a->d, name, &st, &e) == 0 && st.exists)
		infra_log(x, "%s: container %s %s, image %s %s", h->name, name, short_id(st.id, c),
			  st.image, short_id(st.image_id, i));
}

/*
 * The container of version (NULL: the one there): started again if it
 * exists stopped, created from the image otherwise; one of another
 * version is an error unless o says to replace it (removed first).  A
 * component with volumes (its data outside the container) gets a new
 * container at every start, the options of this one in its environment:
 * never one that would bootstrap a new cluster again.
 */
static int start(struct infra *x, const struct inv_host *h, const char *service,
		 const struct rt_start *o, struct sh_error *err)
{
	bool stateful = settings_docker_volumes(x->st, kolla_component(service)) != NULL;
	struct docker_state st;
	struct node_api a;
	char name[128], *ref = NULL;
	int r = -1, have;

	if (o->keep_data && !data_volume(x->st, service))
		return sh_error_set(err, SH_EXIT_INPUT,
				    "%s on %s keeps its data, but docker.volumes binds no directory of this node at its %s: nothing was changed",
				    service, h->name,
				    kolla_service(service) ? kolla_service(service)->data : "data directory");
	if ((o->new_cluster || o->position) && !stateful)
		return sh_error_set(err, SH_EXIT_INPUT,
				    "%s on %s: Galera's start options need its data in docker.volumes",
				    service, h->name);
	if (open_inspect(x, h, service, &a, &st, name, sizeof(name), err) < 0)
		return -1;
	if (st.running && (o->new_cluster || o->position)) {
		sh_error_set(err, SH_EXIT_FAILURE,
			     "container %s runs on %s: stop it before starting it with Galera's options",
			     name, h->name);
		goto out;
	}
	if (!o->version && !st.exists) {
		sh_error_set(err, SH_EXIT_INPUT, "no container %s on %s to start again: give a version",
			     name, h->name);
		goto out;
	}
	ref = o->version ? image_ref(x, h, service, o->version) : xstrdup(st.image);
	if (st.exists && streq(st.image, ref) && (st.running || !stateful)) {
		r = st.running ? 0 : docker_start(&a.d, name, err);
		if (r == 0)
			log_ids(x, h, &a, name);
		goto out;
	}
	if (st.exists && (st.running || (!o->replace && !o->keep_data && !streq(st.image, ref)))) {
		sh_error_set(err, SH_EXIT_FAILURE,
			     "container %s on %s is of %s, not %s: container-stop and container-remove come first",
			     name, h->name, st.image, ref);
		goto out;
	}
	if (st.exists && docker_remove(&a.d, name, err) < 0)
		goto out;
	if ((have = docker_image_exists(&a.d, ref, err)) <= 0) {
		if (have == 0)
			sh_error_set(err, SH_EXIT_FAILURE, "no image %s on %s (pull it first)", ref,
				     h->name);
		goto out;
	}
	{
		char *boot = bootstrap_args(o);

		r = create_start(x, &a, h, service, name, ref, boot, err);
		free(boot);
		if (r == 0)
			log_ids(x, h, &a, name);
	}
out:
	free(ref);
	api_close(&a);
	return r;
}

static int remove_container(struct infra *x, const struct inv_host *h, const char *service,
			    char **said, struct sh_error *err)
{
	struct node_api a;
	struct docker_state st;
	char *b = NULL;
	char name[128];
	int r = -1;

	*said = NULL;
	if (open_inspect(x, h, service, &a, &st, name, sizeof(name), err) < 0)
		return -1;
	if (st.running)
		sh_error_set(err, SH_EXIT_FAILURE, "container %s still runs on %s: container-stop comes first",
			     name, h->name);
	else if (!st.exists)
		r = 0, addf(&b, "no container %s: nothing to remove", name);
	else if ((r = docker_remove(&a.d, name, err)) == 0) {
		char c[13], i[13];

		addf(&b, "removed the container %s %s (image %s %s)", name, short_id(st.id, c),
		     st.image, short_id(st.image_id, i));
	}
	*said = b;
	api_close(&a);
	return r;
}

static int image_remove(struct infra *x, const struct inv_host *h, const char *service,
			const char *keep, char **said, struct sh_error *err)
{
	char *ref = image_ref(x, h, service, keep), *pre, *suf, *repo;
	str_vec tags = { 0 };
	char *b = NULL;
	struct node_api a;
	int r = -1;

	*said = NULL;
	if (ref_parts(x, h, service, &pre, &suf, &repo, err) < 0) {
		free(ref);
		return -1;
	}
	if (api_open(x, h, &a, err) < 0)
		goto out;
	if (docker_image_tags(&a.d, repo, &tags, err) == 0)
		r = 0;
	for (size_t i = 0; i < tags.n && r == 0; i++) {
		struct sh_error e = { 0 };

		if (streq(tags.v[i], ref))
			continue;
		if (docker_image_remove(&a.d, tags.v[i], &e) == 0)
			addf(&b, "removed image %s\n", tags.v[i]);
		else if (strstr(e.msg, ": 409 "))	/* a container uses it */
			addf(&b, "kept image %s: %s\n", tags.v[i], e.msg);
		else
			r = sh_error_set(err, e.status, "%s", e.msg);
	}
	if (r == 0 && !tags.n)
		addf(&b, "no image of %s\n", repo);
	api_close(&a);
out:
	*said = b;
	free_strs(&tags);
	free(pre);
	free(suf);
	free(repo);
	free(ref);
	return r;
}

static int wait_healthy(struct infra *x, const struct inv_host *h, const char *service,
			double timeout_s, struct sh_error *err)
{
	struct node_api a;
	char name[128];
	int r;

	if (api_open(x, h, &a, err) < 0)
		return -1;
	container_name(x, h, service, name, sizeof(name));
	r = docker_wait_healthy(&a.d, name, timeout_s, err);
	api_close(&a);
	return r;
}

/* SERVICE.conf in every directory the config_dir template names with
 * {component} as '*': each container's copy (kolla). */
static int config_files(struct infra *x, const struct inv_host *h, const char *service,
			str_vec *files, struct sh_error *err)
{
	static const char list_sh[] =
		"for f in $1; do if [ -f \"$f\" ]; then printf \x27%s\\n\x27 \"$f\"; fi; done";
	char *nd = for_node(x->st->docker_config_dir, h), *dir = subst(nd, "component", "*");
	size_t len = strlen(dir) + strlen(service) + 8;
	char *pattern = xmalloc(len), *out = NULL, *save = NULL;
	const char *const argv[] = { "sh", "-c", list_sh, "sh", pattern, NULL };
	int r;

	snprintf(pattern, len, "%s/%s.conf", dir, service);
	if ((r = infra_run(x, h, argv, NULL, 60, &out, err) != 0 ? -1 : 0) == 0)
		for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			vec_push(*files, xstrdup(l));
	free(out);
	free(pattern);
	free(dir);
	free(nd);
	return r;
}

static int read_config(struct infra *x, const struct inv_host *h, const char *service,
		       const char *file, char **text, struct sh_error *err)
{
	const char *const argv[] = { "cat", "--", file, NULL };

	(void)service;
	return infra_run(x, h, argv, NULL, 60, text, err) != 0 ? -1 : 0;
}

/*
 * The new file beside the old one: created (never an existing one:
 * noclobber) with the old one's mode from the start and its owner before
 * a byte of it is written, synced, renamed over the old one, the
 * directory synced.  No moment with the content under a wider mode or
 * another owner.
 */
static int write_config(struct infra *x, const struct inv_host *h, const char *service,
			const char *file, const char *text, struct sh_error *err)
{
	static const char write_sh[] =
		"t=\"$1.stackhop-new\" && m=$(stat -c %a -- \"$1\") && rm -f -- \"$t\" && "
		"(umask \"$(printf %o $((0777 & ~0$m)))\" && set -C && : >\"$t\") && "
		"chown --reference=\"$1\" -- \"$t\" && chmod --reference=\"$1\" -- \"$t\" && "
		"cat >>\"$t\" && sync -- \"$t\" && mv -f -- \"$t\" \"$1\" && "
		"sync -- \"$(dirname -- \"$1\")\"";
	const char *const argv[] = { "sh", "-c", write_sh, "sh", file, NULL };

	(void)service;
	return infra_run(x, h, argv, text, 60, NULL, err) != 0 ? -1 : 0;
}

/*
 * The component of service's container on h (kolla: nova_conductor is
 * nova-conductor's; the part of the name the settings' container template
 * has for {component}) and its image, malloc'd; 0 when there is none.
 */
static int service_container(struct infra *x, const struct inv_host *h, struct node_api *a,
			     const char *service, char **component, char **image,
			     struct sh_error *err)
{
	str_vec names = { 0 }, images = { 0 };
	char want[128], tmpl[128], *mark;
	size_t np, ns, nw;
	int r;

	container_name(x, h, service, want, sizeof(want));
	container_name(x, h, "\x01", tmpl, sizeof(tmpl));
	mark = strchr(tmpl, '\x01');
	np = (size_t)(mark - tmpl);
	ns = strlen(mark + 1);
	nw = strlen(want) - ns;	/* the name up to the component's end */
	*component = *image = NULL;
	if ((r = docker_containers(&a->d, &names, &images, err)) == 0)
		for (size_t i = 0; i < names.n && !*component; i++) {
			const char *nm = names.v[i];
			size_t len = strlen(nm);

			if (len < nw + ns || strncmp(nm, want, nw) || strcmp(nm + len - ns, mark + 1) ||
			    (len - ns > nw && nm[nw] != '_') || str_has_prefix(nm, "stackhop_run_"))
				continue;
			*component = xstrndup(nm + np, len - ns - np);
			*image = xstrdup(images.v[i]);
			for (char *c = *component; *c; c++)
				if (*c == '_')
					*c = '-';
		}
	free_strs(&names);
	free_strs(&images);
	return r < 0 ? -1 : *component != NULL;
}

/* A one-off container's name: stackhop_run_NODE_WHAT_PID ('_' for '-'; one
 * engine may serve several nodes, the lab's). */
static void run_name(const struct inv_host *h, const char *what, char *buf, size_t size)
{
	snprintf(buf, size, "stackhop_run_%s_%s_%d", h->name, what, (int)getpid());
	for (char *c = buf; *c; c++)
		if (*c == '-')
			*c = '_';
}

/* The one-off container: created, started, waited for, its logs copied
 * (what NULL: not, nor named), removed in any case.  Its exit status, or
 * -1. */
static int run_container(struct node_api *a, const struct inv_host *h,
			 const struct docker_spec *spec, const char *what, struct sh_error *err)
{
	struct sh_error e = { 0 };
	long code = -1;
	int r = -1;

	if (docker_create(&a->d, spec, NULL, 0, err) < 0)
		return -1;
	if (what)
		fprintf(stderr, "[%s: %s in a container of %s]\n", h->name, what, spec->image);
	if (docker_start(&a->d, spec->name, err) == 0 &&
	    docker_wait_exit(&a->d, spec->name, 0, &code, err) == 0 &&
	    (!what || docker_logs(&a->d, spec->name, stdout, stderr, err) == 0))
		r = (int)(code < 0 || code > 255 ? 255 : code);
	fflush(stdout);
	/* Its error counts when the run did not fail. */
	if (docker_remove(&a->d, spec->name, &e) < 0 && r >= 0) {
		sh_error_set(err, e.status, "%s", e.msg);
		r = -1;
	}
	return r;
}

/*
 * argv in a one-off container of service's image on h: the image of its
 * container there (version's, if given), that container's component's
 * binds (its configuration and docker.volumes: kolla's bootstrap
 * containers see the service's volumes).  Before any container of the
 * service exists (a deployment's first db sync), version names the image
 * and service is the component.
 */
static int run_one_off(struct infra *x, const struct inv_host *h, const char *service,
		       const char *version, const char *const *argv, struct sh_error *err)
{
	static const char *const env[] = { "KOLLA_CONFIG_STRATEGY=COPY_ALWAYS", NULL };
	char *component = NULL, *image = NULL, *net = NULL, **binds = NULL;
	char name[160];
	const char **cmd = NULL;
	const char *const *prefix = x->st->docker_run_prefix;
	struct node_api a;
	size_t n = 0, np = 0, na = 0;
	int r = -1, found;

	if (api_open(x, h, &a, err) < 0)
		return -1;
	if ((found = service_container(x, h, &a, service, &component, &image, err)) < 0)
		goto out;
	if (!found && !version) {
		sh_error_set(err, SH_EXIT_FAILURE,
			     "no container of %s on %s to take the image and configuration from (give a version)",
			     service, h->name);
		goto out;
	}
	if (!found)
		component = xstrdup(kolla_component(service));
	if (version) {
		free(image);
		image = image_ref(x, h, component, version);
	}
	binds = component_binds(x, h, component);
	while (prefix && prefix[np])
		np++;
	while (argv[na])
		na++;
	cmd = xcalloc(np + na + 1, sizeof(*cmd));
	for (size_t i = 0; i < np; i++)
		cmd[n++] = prefix[i];
	for (size_t i = 0; i < na; i++)
		cmd[n++] = argv[i];
	run_name(h, component, name, sizeof(name));
	net = for_node(x->st->docker_network, h);
	{
		struct docker_spec spec = { .name = name, .image = image, .cmd = cmd, .env = env,
					    .binds = (const char *const *)binds,
					    .network_mode = net };

		r = run_container(&a, h, &spec, argv[0], err);
	}
out:
	free(net);
	free(cmd);
	free_nullv(binds);
	free(image);
	free(component);
	api_close(&a);
	return r;
}

/*
 * exec's standard input: a file of mode 0600 in the component's
 * configuration directory on the node (bound in its container at
 * /var/lib/kolla/config_files), read by a shell that execs argv; the file
 * is removed after (stdin_drop).  The API's exec has no input without
 * hijacking its connection; this keeps it an HTTP request.
 */
struct stdin_file {
	char *host;		/* its path on the node, or NULL */
	const char **argv;	/* sh -c 'exec "$@" <FILE' sh ARGV... */
};

static const char *const *stdin_put(struct infra *x, const struct inv_host *h,
				    const char *service, const char *const *argv,
				    const char *data, struct stdin_file *in, struct sh_error *err)
{
	static const char put_sh[] = "umask 077 && rm -f -- \"$1\" && set -C && cat >\"$1\"";
	char *cfg, *bind = config_bind(x, h, service, &cfg), base[64], *inner = NULL;
	size_t n = 0;

	free(bind);
	snprintf(base, sizeof(base), ".stackhop-stdin-%d", (int)getpid());
	in->host = NULL;
	addf(&in->host, "%s/%s", cfg, base);
	free(cfg);
	{
		const char *const put[] = { "sh", "-c", put_sh, "sh", in->host, NULL };

		if (infra_run(x, h, put, data, 60, NULL, err) != 0) {
			free(in->host);
			in->host = NULL;
			return NULL;
		}
	}
	while (argv[n])
		n++;
	addf(&inner, "exec \"$@\" </var/lib/kolla/config_files/%s", base);
	in->argv = xcalloc(n + 5, sizeof(*in->argv));
	in->argv[0] = "sh";
	in->argv[1] = "-c";
	in->argv[2] = inner;
	in->argv[3] = "sh";
	for (size_t i = 0; i < n; i++)
		in->argv[4 + i] = argv[i];
	return in->argv;
}

static void stdin_drop(struct infra *x, const struct inv_host *h, struct stdin_file *in)
{
	if (in->host) {
		const char *const rm[] = { "rm", "-f", "--", in->host, NULL };
		struct sh_error e = { 0 };

		infra_run(x, h, rm, NULL, 60, NULL, &e);
		free(in->host);
		in->host = NULL;
	}
	if (in->argv) {
		free((char *)in->argv[2]);
		free(in->argv);
		in->argv = NULL;
	}
}

/* argv in the running container; a failure's error has its stderr's last line. */
static int exec_in(struct infra *x, const struct inv_host *h, const char *service,
		   const char *const *argv, const char *stdin_data, char **out,
		   struct sh_error *err)
{
	struct node_api a;
	char name[128], *obuf = NULL, *ebuf = NULL;
	size_t olen = 0, elen = 0;
	FILE *o, *e;
	long code = -1;
	int r;

	struct stdin_file in = { 0 };
	const char *const *run = argv;

	if (stdin_data && (run = stdin_put(x, h, service, argv, stdin_data, &in, err)) == NULL)
		return -1;
	if (api_open(x, h, &a, err) < 0) {
		stdin_drop(x, h, &in);
		return -1;
	}
	container_name(x, h, service, name, sizeof(name));
	o = open_memstream(&obuf, &olen);
	e = open_memstream(&ebuf, &elen);
	if (!o || !e)
		abort();
	r = docker_exec(&a.d, name, run, o, e, &code, err);
	fclose(o);
	fclose(e);
	api_close(&a);
	stdin_drop(x, h, &in);
	if (r == 0 && code != 0) {
		size_t end = elen;
		const char *last;
		char *red;

		while (end && (ebuf[end - 1] == '\n' || ebuf[end - 1] == ' '))
			ebuf[--end] = '\0';
		last = strrchr(ebuf, '\n') ? strrchr(ebuf, '\n') + 1 : ebuf;
		/* As infra_run(): the secrets redacted out of the message. */
		red = x->secrets ? redact(&x->secrets->redactor, last, strlen(last)) : xstrdup(last);
		r = sh_error_set(err, SH_EXIT_FAILURE, "%s in container %s on %s: %s (exit status %ld)",
				 argv[0], name, h->name, *red ? red : "failed", code);
		free(red);
	}
	if (r == 0 && out)
		*out = obuf;
	else if (obuf) {
		explicit_bzero(obuf, olen);
		free(obuf);
	}
	free(ebuf);
	return r;
}

/* service runs on h: refused (an action on its data needs it stopped). */
static int refuse_running(struct infra *x, const struct inv_host *h, const char *service,
			  const char *act, struct sh_error *err)
{
	int on = running(x, h, service, err);

	if (on > 0)
		return sh_error_set(err, SH_EXIT_FAILURE, "%s runs on %s: %s needs it stopped",
				    service, h->name, act);
	return on < 0 ? -1 : 0;
}

/*
 * mariadbd --wsrep-recover in a one-off container of the image the
 * node's mariadb container was of, with its binds (kolla's
 * mariadb_wsrep_recovery); the log it wrote into the data volume into
 * *out.
 */
static int galera_recover(struct infra *x, const struct inv_host *h, const char *dd, char **out,
			  struct sh_error *err)
{
	static const char *const env[] = { "KOLLA_CONFIG_STRATEGY=COPY_ALWAYS",
		"BOOTSTRAP_ARGS=--wsrep-recover --log-error=/var/lib/mysql/stackhop-recover.log",
		NULL };
	struct docker_state st;
	struct node_api a;
	char name[128], run[160], *log = NULL, **binds, *net;
	int r;

	if (open_inspect(x, h, "galera", &a, &st, name, sizeof(name), err) < 0)
		return -1;
	if (!st.exists) {
		api_close(&a);
		return sh_error_set(err, SH_EXIT_FAILURE,
				    "no container %s on %s: nothing to take the image of --wsrep-recover from",
				    name, h->name);
	}
	run_name(h, "mariadb_recover", run, sizeof(run));
	binds = component_binds(x, h, "galera");
	net = for_node(x->st->docker_network, h);
	addf(&log, "%s/stackhop-recover.log", dd);
	{
		const char *const rm[] = { "rm", "-f", "--", log, NULL };
		struct docker_spec spec = { .name = run, .image = st.image, .env = env,
					    .binds = (const char *const *)binds, .network_mode = net };

		r = infra_run(x, h, rm, NULL, 60, NULL, err) != 0 ? -1 : 0;
		if (r == 0 && (r = run_container(&a, h, &spec, NULL, err)) > 0)
			r = 0;	/* its log says what it found */
	}
	api_close(&a);
	if (r == 0) {
		const char *const cat[] = { "cat", "--", log, NULL };
		const char *const rm[] = { "rm", "-f", "--", log, NULL };

		r = infra_run(x, h, cat, NULL, 60, out, err) != 0 ? -1 : 0;
		if (r == 0 && infra_run(x, h, rm, NULL, 60, NULL, err) != 0)
			r = -1;
	}
	free_nullv(binds);
	free(net);
	free(log);
	return r;
}

/*
 * The path in the container of host_path on h, through one of the
 * component's volumes (malloc'd), or NULL.
 */
static char *in_container(const struct infra *x, const struct inv_host *h, const char *component,
			  const char *host_path)
{
	const char *const *vol = settings_docker_volumes(x->st, component);

	for (size_t i = 0; vol && vol[i]; i++) {
		char *b = for_node(vol[i], h), *c = strchr(b, ':'), *r = NULL;
		size_t hl = (size_t)(c - b);
		char *end = strchr(c + 1, ':');

		if (end)
			*end = '\0';
		if (!strncmp(host_path, b, hl) && (host_path[hl] == '/' || !host_path[hl])) {
			r = NULL;
			addf(&r, "%s%s", c + 1, host_path + hl);
		}
		free(b);
		if (r)
			return r;
	}
	return NULL;
}

/* The new HAProxy container answers on the admin socket (it holds the
 * listeners now). */
struct next_arg {
	struct infra *x;
	const struct inv_host *h;
	const char *name, *sock;
};

/* a's container inspected into *st; the API opened, and left open (*api)
 * when keep. */
static int inspect_named(struct next_arg *a, struct node_api *api, struct docker_state *st,
			 bool keep, struct sh_error *err)
{
	if (api_open(a->x, a->h, api, err) < 0)
		return -1;
	if (docker_inspect(&api->d, a->name, st, err) < 0) {
		api_close(api);
		return -1;
	}
	if (!keep)
		api_close(api);
	return 0;
}

static int next_answers(struct infra *x, void *arg, struct sh_error *err)
{
	struct next_arg *a = arg;
	struct node_api api;
	struct docker_state st;
	long code = -1;
	FILE *devnull;
	const char *const argv[] = { "sh", "-c", "echo 'show info' | socat -t 2 stdio \"UNIX-CONNECT:$1\" | grep -q '^Pid: '",
				     "sh", a->sock, NULL };
	int r;

	(void)x;
	if (inspect_named(a, &api, &st, true, err) < 0)
		return -1;
	if (!st.running) {
		api_close(&api);
		sh_error_set(err, SH_EXIT_FAILURE, "the new HAProxy container %s ended (status %s, exit %ld)",
			     a->name, st.status, st.exit_code);
		return -1;
	}
	devnull = fopen("/dev/null", "w");
	r = devnull ? docker_exec(&api.d, a->name, argv, devnull, devnull, &code, err) :
		      sh_error_set(err, SH_EXIT_FAILURE, "/dev/null: cannot open");
	if (devnull)
		fclose(devnull);
	api_close(&api);
	if (r < 0)
		return -1;
	if (code)
		sh_error_set(err, SH_EXIT_FAILURE, "its admin socket %s does not answer yet", a->sock);
	return code == 0;
}

/* The old container ended (it finished what it had in flight). */
static int old_ended(struct infra *x, void *arg, struct sh_error *err)
{
	struct next_arg *a = arg;
	struct node_api api;
	struct docker_state st;

	(void)x;
	if (inspect_named(a, &api, &st, false, err) < 0)
		return -1;
	if (st.running)
		sh_error_set(err, SH_EXIT_FAILURE, "%s still runs", a->name);
	return !st.running;
}

/*
 * HAProxy's seamless reload across containers: a container of the new
 * image (NAME_next) is started with "-x SOCKET" (kolla's BOOTSTRAP_ARGS),
 * which takes the listening sockets over from the running one through the
 * admin socket both see in a volume; once it answers there, the old
 * container gets SIGUSR1 (soft stop: it finishes what it has in flight),
 * is waited for and removed, and the new one takes its name.  Where the
 * handover cannot happen the new process binds the ports itself beside the
 * old one (SO_REUSEPORT), and connections queued on the old listener when
 * it closes are reset.
 */
static int haproxy_reload(struct infra *x, const struct inv_host *h, const char *const *args,
			  char **out, struct sh_error *err)
{
	char *host_sock = settings_node_path(x->st->haproxy_socket, h->name);
	char *sock = in_container(x, h, "haproxy", host_sock), *ref = NULL, *said = NULL;
	char name[128], next[160], *boot = NULL;
	const char *version = args && args[0] && streq(args[0], "--version") ? args[1] : NULL;
	struct docker_state st;
	struct node_api a;
	double t0;
	int r = -1;

	if (!sock) {
		sh_error_set(err, SH_EXIT_INPUT,
			     "haproxy reload on %s: no docker.volumes bind of haproxy holds its admin socket %s",
			     h->name, host_sock);
		free(host_sock);
		return -1;
	}
	if (open_inspect(x, h, "haproxy", &a, &st, name, sizeof(name), err) < 0)
		goto out_free;
	if (!st.running) {
		sh_error_set(err, SH_EXIT_FAILURE, "container %s does not run on %s: start it", name,
			     h->name);
		goto out;
	}
	ref = version ? image_ref(x, h, "haproxy", version) : xstrdup(st.image);
	snprintf(next, sizeof(next), "%s_next", name);
	{
		struct docker_state ns;

		if (docker_inspect(&a.d, next, &ns, err) < 0 ||
		    (ns.exists && docker_remove(&a.d, next, err) < 0))
			goto out;
	}
	addf(&boot, "BOOTSTRAP_ARGS=-x %s", sock);
	if (create_start(x, &a, h, "haproxy", next, ref, boot, err) < 0)
		goto out;
	api_close(&a);
	{
		struct next_arg na = { x, h, next, sock };
		struct next_arg oa = { x, h, name, sock };

		if (infra_wait(x, 60, "the new HAProxy container to answer on its admin socket",
			       next_answers, &na, err) < 0)
			goto out_free;
		if (api_open(x, h, &a, err) < 0)
			goto out_free;
		t0 = infra_elapsed(x);
		if (docker_kill(&a.d, name, "USR1", err) < 0)
			goto out;
		api_close(&a);
		if (infra_wait(x, (double)x->st->docker_stop_timeout, "the old HAProxy container to finish",
			       old_ended, &oa, err) < 0)
			goto out_free;
		if (api_open(x, h, &a, err) < 0)
			goto out_free;
		if (docker_remove(&a.d, name, err) < 0 || docker_rename(&a.d, next, name, err) < 0)
			goto out;
		addf(&said, "reloaded: container %s %s -> %s; the old one ended after %.1f s\n", name,
		     st.image, ref, infra_elapsed(x) - t0);
	}
	r = 0;
out:
	api_close(&a);
out_free:
	if (out)
		*out = said;
	else
		free(said);
	free(boot);
	free(ref);
	free(sock);
	free(host_sock);
	return r;
}

/*
 * The lowest priority in the container's copy of keepalived.conf, the
 * daemon reloaded (SIGHUP): the others take the VIP over while this one
 * still holds it.  Nothing in the node's configuration changes.
 */
static int keepalived_drain(struct infra *x, const struct inv_host *h, struct sh_error *err)
{
	static const char drain_sh[] =
		"sed -i 's/^\\([[:space:]]*priority\\)[[:space:]].*/\\1 1/' "
		"/etc/keepalived/keepalived.conf && "
		"grep -q '^[[:space:]]*priority 1$' /etc/keepalived/keepalived.conf && "
		"kill -HUP \"$(cat /run/keepalived.pid)\"";
	const char *const argv[] = { "sh", "-c", drain_sh, NULL };

	return exec_in(x, h, "keepalived", argv, NULL, NULL, err);
}

/*
 * The actions on a service's data volume (data_dir()): Galera's
 * grastate, safe-to-bootstrap, remove-grastate, recover; RabbitMQ's wipe.
 */
static int action(struct infra *x, const struct inv_host *h, const char *service, const char *act,
		  const char *const *args, char **out, struct sh_error *err)
{
	char *dd, *path = NULL;
	int r = -1;

	if (streq(service, "haproxy") && streq(act, "reload"))
		return haproxy_reload(x, h, args, out, err);
	if (streq(service, "keepalived") && streq(act, "drain"))
		return keepalived_drain(x, h, err);
	if (!(dd = data_dir(x, h, service)))
		return sh_error_set(err, SH_EXIT_INPUT,
				    "%s %s on %s: docker.volumes binds no directory at its data directory",
				    service, act, h->name);
	if (streq(service, "galera") && streq(act, "grastate")) {
		addf(&path, "%s/grastate.dat", dd);
		const char *const argv[] = { "cat", "--", path, NULL };

		r = infra_run(x, h, argv, NULL, 60, out, err) != 0 ? -1 : 0;
	} else if (streq(service, "galera") && streq(act, "safe-to-bootstrap")) {
		/* A node that never ran has no grastate.dat: nothing to mark. */
		static const char mark_sh[] = "if [ -e \"$1\" ]; then "
			"sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' -- \"$1\"; fi";
		addf(&path, "%s/grastate.dat", dd);
		const char *const argv[] = { "sh", "-c", mark_sh, "sh", path, NULL };

		r = infra_run(x, h, argv, NULL, 60, NULL, err) != 0 ? -1 : 0;
	} else if (streq(service, "galera") && streq(act, "remove-grastate")) {
		addf(&path, "%s/grastate.dat", dd);
		const char *const argv[] = { "rm", "-f", "--", path, NULL };

		r = infra_run(x, h, argv, NULL, 60, NULL, err) != 0 ? -1 : 0;
	} else if (streq(service, "galera") && streq(act, "recover")) {
		if (refuse_running(x, h, service, "--wsrep-recover", err) == 0)
			r = galera_recover(x, h, dd, out, err);
	} else if (streq(service, "rabbitmq") && streq(act, "wipe")) {
		addf(&path, "%s/mnesia", dd);
		const char *const argv[] = { "rm", "-rf", "--", path, NULL };

		if (refuse_running(x, h, service, "wipe", err) == 0)
			r = infra_run(x, h, argv, NULL, 60, NULL, err) != 0 ? -1 : 0;
	} else {
		sh_error_set(err, SH_EXIT_INPUT, "the docker runtime has no action '%s' for %s", act,
			     service);
	}
	free(path);
	free(dd);
	return r;
}

/* Galera's actions and RabbitMQ's wipe where their data is in a volume;
 * a service's data kept across versions where both are. */
static unsigned caps_for(const struct settings *st)
{
	bool g = data_volume(st, "galera"), q = data_volume(st, "rabbitmq"), lb = false;
	const char *const *vol = st ? settings_docker_volumes(st, "haproxy") : NULL;

	/* HAProxy's reload: a volume holds its admin socket's directory. */
	for (size_t i = 0; vol && vol[i] && !lb; i++) {
		size_t hl = (size_t)(strchr(vol[i], ':') - vol[i]);

		lb = !strncmp(st->haproxy_socket, vol[i], hl) && st->haproxy_socket[hl] == '/';
	}
	return (g ? RT_GALERA_ACTIONS : 0) | (q ? RT_RABBITMQ_WIPE : 0) |
	       (g && q ? RT_KEEPS_DATA : 0) | (lb ? RT_HAPROXY_RELOAD : 0);
}

const struct runtime_ops runtime_docker = {
	.name = "docker",
	.unit = unit,
	.running = running,
	.version = version,
	.versions = versions,
	.stop = stop,
	.start = start,
	.remove = remove_container,
	.image_remove = image_remove,
	.wait_healthy = wait_healthy,
	.config_files = config_files,
	.read_config = read_config,
	.write_config = write_config,
	.run_one_off = run_one_off,
	.exec = exec_in,
	.action = action,
	.caps = RT_START_GALERA | RT_EXEC_STDIN | RT_KEEPALIVED_DRAIN,
	.caps_for = caps_for,
};
