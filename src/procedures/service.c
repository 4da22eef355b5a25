/*
 * service.c - see service.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "config.h"
#include "docker.h"
#include "health.h"
#include "ini.h"
#include "secrets.h"
#include "service.h"
#include "util.h"

/*
 * The load balancers whose backend component has a server h: into *lb,
 * 1; 0 when none has (no HAProxy, or the component is not behind one).
 */
static int lb_of(struct infra *x, const char *component, const struct inv_host *h,
		 inv_host_vec *lb, struct sh_error *err)
{
	struct sh_error none = { 0 };
	struct haproxy_server *s;
	size_t n;
	bool found = false;

	if (infra_hosts(x, infra_lb_groups, lb, &none) < 0)
		return 0;
	/* Every backend's servers: a component need not have a backend. */
	if (haproxy_servers(x, lb->v[0], NULL, &s, &n, err) < 0) {
		vec_free(*lb);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		found |= streq(s[i].backend, component) && streq(s[i].name, h->name);
	free(s);
	if (!found)
		vec_free(*lb);
	return found;
}

/* ---- the docker runtime ------------------------------------------------- */

static bool docker_runtime(const struct infra *x)
{
	return x->st->runtime == RUNTIME_DOCKER;
}

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

/* The image of component at version, as the settings' template names it. */
static char *image_ref(const struct infra *x, const char *component, const char *version)
{
	char *a = subst(x->st->docker_image, "component", component);
	char *r = subst(a, "version", version);

	free(a);
	return r;
}

/* Kolla names a component's container with '_' for '-' (nova_conductor). */
static void container_name(const char *component, char *buf, size_t size)
{
	snprintf(buf, size, "%s", component);
	for (char *c = buf; *c; c++)
		if (*c == '-')
			*c = '_';
}

/* component's configuration directory (*cfg, malloc'd) as the bind kolla's
 * images read it from (malloc'd). */
static char *config_bind(const struct infra *x, const char *component, char **cfg)
{
	size_t len;
	char *bind;

	*cfg = subst(x->st->docker_config_dir, "component", component);
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

static int api_open(struct infra *x, const struct inv_host *h, struct node_api *a,
		    struct sh_error *err)
{
	char *sock = settings_node_path(x->st->docker_socket, h->name);
	const char *path = sock;
	int r = -1;

	memset(a, 0, sizeof(*a));
	if (!streq(h->connection, "local")) {
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

/* The container of component on h into *st, through an open API. */
static int inspect(struct node_api *a, const char *component, struct docker_state *st,
		   char *name, size_t size, struct sh_error *err)
{
	container_name(component, name, size);
	return docker_inspect(&a->d, name, st, err);
}

static int docker_container_stop(struct infra *x, const char *component,
				 const struct inv_host *h, struct sh_error *err)
{
	struct node_api a;
	struct docker_state st;
	char name[128];
	double t;
	int r = -1;

	if (api_open(x, h, &a, err) < 0)
		return -1;
	if (inspect(&a, component, &st, name, sizeof(name), err) < 0)
		goto out;
	if (!st.exists || !st.running) {
		infra_log(x, "%s: container %s %s", h->name, name,
			  st.exists ? "is stopped" : "does not exist");
		r = 0;
		goto out;
	}
	t = infra_elapsed(x);
	if (docker_stop(&a.d, name, (int)x->st->docker_stop_timeout, err) < 0)
		goto out;
	infra_log(x, "%s: container %s stopped in %.1f s", h->name, name, infra_elapsed(x) - t);
	r = 0;
out:
	api_close(&a);
	return r;
}

static int docker_container_remove(struct infra *x, const char *component,
				   const struct inv_host *h, struct sh_error *err)
{
	struct node_api a;
	struct docker_state st;
	char name[128];
	int r = -1;

	if (api_open(x, h, &a, err) < 0)
		return -1;
	if (inspect(&a, component, &st, name, sizeof(name), err) < 0)
		goto out;
	if (st.running)
		sh_error_set(err, SH_EXIT_FAILURE, "container %s still runs on %s: container-stop comes first",
			     name, h->name);
	else if (!st.exists)
		r = 0, infra_log(x, "%s: no container %s: nothing to remove", h->name, name);
	else if ((r = docker_remove(&a.d, name, err)) == 0)
		infra_log(x, "%s: removed the container %s (image %s)", h->name, name, st.image);
out:
	api_close(&a);
	return r;
}

static int docker_image_cleanup(struct infra *x, const char *component, const struct inv_host *h,
				const char *keep, struct sh_error *err)
{
	char *ref = image_ref(x, component, keep), *colon = strrchr(ref, ':');
	str_vec tags = { 0 };
	struct node_api a;
	int r = -1;

	/* The repository: the reference without its tag. */
	if (!colon || strchr(colon, '/')) {
		sh_error_set(err, SH_EXIT_INPUT, "image '%s' has no tag (docker: image needs :{version})",
			     ref);
		free(ref);
		return -1;
	}
	if (api_open(x, h, &a, err) < 0) {
		free(ref);
		return -1;
	}
	*colon = '\0';
	if (docker_image_tags(&a.d, ref, &tags, err) < 0)
		goto out;
	*colon = ':';
	r = 0;
	for (size_t i = 0; i < tags.n && r == 0; i++) {
		struct sh_error e = { 0 };

		if (streq(tags.v[i], ref))
			continue;
		if (docker_image_remove(&a.d, tags.v[i], &e) == 0)
			infra_log(x, "%s: removed image %s", h->name, tags.v[i]);
		else if (strstr(e.msg, ": 409 "))	/* a container uses it */
			infra_log(x, "%s: kept image %s: %s", h->name, tags.v[i], e.msg);
		else
			r = sh_error_set(err, e.status, "%s", e.msg);
	}
	if (r == 0 && !tags.n)
		infra_log(x, "%s: no image of %s", h->name, ref);
out:
	for (size_t i = 0; i < tags.n; i++)
		free(tags.v[i]);
	vec_free(tags);
	api_close(&a);
	free(ref);
	return r;
}

static int docker_container_start(struct infra *x, const char *component,
				  const struct inv_host *h, const char *version,
				  struct sh_error *err)
{
	const char *const *health = settings_docker_health(x->st, component);
	char *ref = image_ref(x, component, version), *cfg = NULL, *bind = NULL, name[128];
	const char **hc = NULL, *binds[2] = { NULL, NULL };
	struct docker_state st;
	struct node_api a;
	int r = -1, have;

	if (api_open(x, h, &a, err) < 0) {
		free(ref);
		return -1;
	}
	if (inspect(&a, component, &st, name, sizeof(name), err) < 0)
		goto out;
	if (st.exists && streq(st.image, ref)) {
		if (st.running) {
			infra_log(x, "%s: container %s already runs %s", h->name, name, ref);
			r = 0;
		} else if ((r = docker_start(&a.d, name, err)) == 0) {
			infra_log(x, "%s: container %s (%s) started again", h->name, name, ref);
		}
		goto out;
	}
	if (st.exists) {
		sh_error_set(err, SH_EXIT_FAILURE,
			     "container %s on %s is of %s, not %s: container-stop and container-remove come first",
			     name, h->name, st.image, ref);
		goto out;
	}
	if ((have = docker_image_exists(&a.d, ref, err)) <= 0) {
		if (have == 0)
			sh_error_set(err, SH_EXIT_FAILURE, "no image %s on %s (pull it first)", ref,
				     h->name);
		goto out;
	}
	binds[0] = bind = config_bind(x, component, &cfg);
	if (health) {
		size_t n = 0;

		while (health[n])
			n++;
		hc = xcalloc(n + 1, sizeof(*hc));
		for (size_t i = 0; i < n; i++)
			hc[i] = subst(health[i], "address", h->address);
	}
	{
		struct docker_spec spec = { .name = name, .image = ref, .binds = binds,
					    .health = hc, .network_mode = "host", .init = true };

		if (docker_create(&a.d, &spec, NULL, 0, err) < 0 ||
		    docker_start(&a.d, name, err) < 0)
			goto out;
	}
	infra_log(x, "%s: container %s created from %s (config %s) and started", h->name, name,
		  ref, cfg);
	r = 0;
out:
	if (hc)
		for (size_t i = 0; hc[i]; i++)
			free((char *)hc[i]);
	free(hc);
	free(bind);
	free(cfg);
	free(ref);
	api_close(&a);
	return r;
}

static int docker_wait(struct infra *x, const char *component, const struct inv_host *h,
		       struct sh_error *err)
{
	struct node_api a;
	char name[128];
	double t = infra_elapsed(x);
	int r;

	if (api_open(x, h, &a, err) < 0)
		return -1;
	container_name(component, name, sizeof(name));
	if ((r = docker_wait_healthy(&a.d, name, 120, err)) == 0)
		infra_log(x, "%s: container %s running and healthy (%.1f s)", h->name, name,
			  infra_elapsed(x) - t);
	api_close(&a);
	return r;
}

/* The component of service's container on h (kolla: nova_conductor is
 * nova-conductor's) and its image, malloc'd; 0 when there is none. */
static int service_container(struct node_api *a, const char *service, char **component,
			     char **image, struct sh_error *err)
{
	str_vec names = { 0 }, images = { 0 };
	char prefix[128];
	size_t plen;
	int r;

	container_name(service, prefix, sizeof(prefix));
	plen = strlen(prefix);
	*component = *image = NULL;
	if ((r = docker_containers(&a->d, &names, &images, err)) == 0)
		for (size_t i = 0; i < names.n && !*component; i++)
			if (!strncmp(names.v[i], prefix, plen) &&
			    (!names.v[i][plen] || names.v[i][plen] == '_') &&
			    !str_has_prefix(names.v[i], "stackhop_run_")) {
				*component = xstrdup(names.v[i]);
				*image = xstrdup(images.v[i]);
				for (char *c = *component; *c; c++)
					if (*c == '_')
						*c = '-';
			}
	for (size_t i = 0; i < names.n; i++) {
		free(names.v[i]);
		free(images.v[i]);
	}
	vec_free(names);
	vec_free(images);
	return r < 0 ? -1 : *component != NULL;
}

int service_container_run(struct infra *x, const char *service, const struct inv_host *h,
			  const char *version, const char *const *argv, struct sh_error *err)
{
	static const char *const env[] = { "KOLLA_CONFIG_STRATEGY=COPY_ALWAYS", NULL };
	char *component = NULL, *image = NULL, *cfg = NULL, *bind = NULL, name[160];
	const char **cmd = NULL, *binds[2] = { NULL, NULL };
	const char *const *prefix = x->st->docker_run_prefix;
	struct node_api a;
	size_t n = 0, np = 0, na = 0;
	long code = -1;
	int r = -1, found;

	if (api_open(x, h, &a, err) < 0)
		return -1;
	if ((found = service_container(&a, service, &component, &image, err)) <= 0) {
		if (found == 0)
			sh_error_set(err, SH_EXIT_FAILURE,
				     "no container of %s on %s to take the image and configuration from",
				     service, h->name);
		goto out;
	}
	if (version) {
		free(image);
		image = image_ref(x, component, version);
	}
	binds[0] = bind = config_bind(x, component, &cfg);
	while (prefix && prefix[np])
		np++;
	while (argv[na])
		na++;
	cmd = xcalloc(np + na + 1, sizeof(*cmd));
	for (size_t i = 0; i < np; i++)
		cmd[n++] = prefix[i];
	for (size_t i = 0; i < na; i++)
		cmd[n++] = argv[i];
	{
		char run[160];

		snprintf(run, sizeof(run), "stackhop-run-%s-%d", component, (int)getpid());
		container_name(run, name, sizeof(name));
	}
	{
		struct docker_spec spec = { .name = name, .image = image, .cmd = cmd, .env = env,
					    .binds = binds, .network_mode = "host" };

		if (docker_create(&a.d, &spec, NULL, 0, err) < 0)
			goto out;
	}
	fprintf(stderr, "[%s: %s in a container of %s]\n", h->name, argv[0], image);
	if (docker_start(&a.d, name, err) == 0 && docker_wait_exit(&a.d, name, 0, &code, err) == 0 &&
	    docker_logs(&a.d, name, stdout, stderr, err) == 0)
		r = (int)(code < 0 || code > 255 ? 255 : code);
	fflush(stdout);
	{
		/* Removed in any case; its error counts when the run did not fail. */
		struct sh_error e = { 0 };

		if (docker_remove(&a.d, name, &e) < 0 && r >= 0) {
			sh_error_set(err, e.status, "%s", e.msg);
			r = -1;
		}
	}
out:
	free(cmd);
	free(bind);
	free(cfg);
	free(image);
	free(component);
	api_close(&a);
	return r;
}

int service_container_stop(struct infra *x, const char *component, const struct inv_host *h,
			   struct sh_error *err)
{
	inv_host_vec lb = { 0 };
	struct infra_lb_server l = { &lb, component, h->name, "MAINT" };
	int behind = lb_of(x, component, h, &lb, err), running;
	double t;

	if (behind < 0)
		return -1;
	if (behind) {
		infra_log(x, "%s: drain %s/%s in HAProxy", h->name, component, h->name);
		if (infra_lb_set(x, &lb, component, h->name, "drain", err) < 0 ||
		    infra_wait(x, 60, "HAProxy sessions to end", infra_lb_no_sessions, &l, err) < 0 ||
		    infra_lb_set(x, &lb, component, h->name, "maint", err) < 0 ||
		    infra_wait(x, 10, "HAProxy to show the server in maintenance",
			       infra_lb_status_is, &l, err) < 0) {
			vec_free(lb);
			return -1;
		}
		infra_log(x, "%s: no session left, in maintenance on %zu HAProxy", h->name, lb.n);
		vec_free(lb);
	}
	if (docker_runtime(x))
		return docker_container_stop(x, component, h, err);
	if ((running = infra_svc_running(x, h, component, err)) < 0)
		return -1;
	if (!running) {
		infra_log(x, "%s: %s is stopped", h->name, component);
		return 0;
	}
	t = infra_elapsed(x);
	if (infra_svc(x, h, "stop", component, NULL, NULL, err) < 0)
		return -1;
	infra_log(x, "%s: %s stopped in %.1f s", h->name, component, infra_elapsed(x) - t);
	return 0;
}

/* Run action, logging the last line of what it says. */
static int svc_logged(struct infra *x, const struct inv_host *h, const char *action,
		      const char *component, const char *const *extra, struct sh_error *err)
{
	char *out = NULL;

	if (infra_svc(x, h, action, component, extra, &out, err) < 0) {
		free(out);
		return -1;
	}
	for (char *save = NULL, *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		infra_log(x, "%s: %s", h->name, l);
	free(out);
	return 0;
}

int service_container_remove(struct infra *x, const char *component, const struct inv_host *h,
			     struct sh_error *err)
{
	int running;

	if (docker_runtime(x))
		return docker_container_remove(x, component, h, err);
	if ((running = infra_svc_running(x, h, component, err)) < 0)
		return -1;
	if (running)
		return sh_error_set(err, SH_EXIT_FAILURE,
				    "%s still runs on %s: container-stop comes first", component,
				    h->name);
	return svc_logged(x, h, "remove", component, NULL, err);
}

int service_image_remove(struct infra *x, const char *component, const struct inv_host *h,
			 const char *keep, struct sh_error *err)
{
	const char *extra[] = { "--keep", keep, NULL };

	if (docker_runtime(x))
		return docker_image_cleanup(x, component, h, keep, err);
	if (infra_image_check(x, h, component, keep, err) < 0)
		return -1;
	return svc_logged(x, h, "remove-image", component, extra, err);
}

int service_container_start(struct infra *x, const char *component, const struct inv_host *h,
			    const char *version, struct sh_error *err)
{
	const char *extra[] = { "--version", version, NULL };
	char *v = NULL;
	int r;

	if (docker_runtime(x))
		return docker_container_start(x, component, h, version, err);
	if (infra_image_check(x, h, component, version, err) < 0 ||
	    (r = infra_svc_running(x, h, component, err)) < 0)
		return -1;
	if (r) {
		if (!(v = infra_svc_version(x, h, component, err)))
			return -1;
		r = infra_version_is(v, version) ? 0 :
		    sh_error_set(err, SH_EXIT_FAILURE,
				 "%s on %s runs %s, not %s: container-stop comes first", component,
				 h->name, v, version);
		if (r == 0)
			infra_log(x, "%s: %s already runs %s", h->name, component, v);
		free(v);
		return r;
	}
	if (infra_svc(x, h, "start", component, extra, NULL, err) < 0)
		return -1;
	infra_log(x, "%s: %s started on %s", h->name, component, version);
	return 0;
}

struct health_arg {
	const char *component;
	const struct inv_host *h;
};

static int answers(struct infra *x, void *arg, struct sh_error *err)
{
	struct health_arg *a = arg;
	struct sh_error e = { 0 };

	if (infra_svc(x, a->h, "health", a->component, NULL, NULL, &e) == 0)
		return 1;
	sh_error_set(err, SH_EXIT_FAILURE, "%s", e.msg);
	return 0;
}

int service_health_check(struct infra *x, const char *component,
			 const struct inv_host *const *hosts, size_t n, struct sh_error *err)
{
	for (size_t i = 0; i < n; i++) {
		const struct inv_host *h = hosts[i];
		struct health_arg a = { component, h };
		inv_host_vec lb = { 0 };
		struct infra_lb_server l = { &lb, component, h->name, "UP" };
		int behind;

		if (docker_runtime(x)) {
			if (docker_wait(x, component, h, err) < 0)
				return -1;
		} else {
			int running = infra_svc_running(x, h, component, err);

			if (running < 0)
				return -1;
			if (!running)
				return sh_error_set(err, SH_EXIT_FAILURE, "%s does not run on %s",
						    component, h->name);
			if (infra_wait(x, 120, "the service to answer", answers, &a, err) < 0)
				return -1;
			infra_log(x, "%s: %s answers", h->name, component);
		}
		if ((behind = lb_of(x, component, h, &lb, err)) < 0)
			return -1;
		if (behind) {
			int r = infra_lb_set(x, &lb, component, h->name, "ready", err) < 0 ||
				infra_wait(x, 60, "HAProxy to see the server UP", infra_lb_status_is,
					   &l, err) < 0;

			vec_free(lb);
			if (r)
				return -1;
			infra_log(x, "%s: back in HAProxy (UP on every load balancer)", h->name);
		}
	}
	if (streq(component, "keystone")) {
		struct check_result r;

		health_check(x, "keystone", &r);
		if (r.code == CHECK_FAILURE)
			return sh_error_set(err, SH_EXIT_FAILURE, "keystone: %s", r.details);
		infra_log(x, "keystone: %s", r.details);
	}
	return 0;
}

/* One host's file: read, translate, write back if changed. */
/*
 * The docker runtime's files of service on h: SERVICE.conf in every
 * directory the config_dir template names with {component} as '*'.
 */
static int docker_config_files(struct infra *x, const struct inv_host *h, const char *service,
			       str_vec *files, struct sh_error *err)
{
	static const char list_sh[] =
		"for f in $1; do if [ -f \"$f\" ]; then printf \x27%s\\n\x27 \"$f\"; fi; done";
	char *dir = subst(x->st->docker_config_dir, "component", "*");
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
	return r;
}

/*
 * One host's file: read, translate, write back if changed.  file: its path
 * on h (the docker runtime: read whole with cat, written with a rename
 * beside it, owner and mode kept), or NULL: through the process runtime's
 * control ("config", "config-write").
 */
static int config_one(struct infra *x, const struct catalog *cat, const char *service, int to,
		      const struct inv_host *h, const char *file, struct sh_error *err)
{
	/*
	 * The new file beside the old one: created (never an existing one:
	 * noclobber) with the old one's mode from the start and its owner
	 * before a byte of it is written, synced, renamed over the old one,
	 * the directory synced.  No moment with the content under a wider
	 * mode or another owner.
	 */
	static const char write_sh[] =
		"t=\"$1.stackhop-new\" && m=$(stat -c %a -- \"$1\") && rm -f -- \"$t\" && "
		"(umask \"$(printf %o $((0777 & ~0$m)))\" && set -C && : >\"$t\") && "
		"chown --reference=\"$1\" -- \"$t\" && chmod --reference=\"$1\" -- \"$t\" && "
		"cat >>\"$t\" && sync -- \"$t\" && mv -f -- \"$t\" \"$1\" && "
		"sync -- \"$(dirname -- \"$1\")\"";
	const char *const cat_argv[] = { "cat", "--", file, NULL };
	const char *const write_argv[] = { "sh", "-c", write_sh, "sh", file, NULL };
	struct ini ini = { 0 };
	config_change_vec changes = { 0 };
	char *text = NULL, *res = NULL, label[600];
	size_t len = 0, rlen = 0;
	int r = -1;

	snprintf(label, sizeof(label), "%s:%s", h->name, file ? file : service);
	if (!file)
		snprintf(label + strlen(label), sizeof(label) - strlen(label), ".conf");
	if (file ? infra_run(x, h, cat_argv, NULL, 60, &text, err) != 0 :
		   infra_svc(x, h, "config", service, NULL, &text, err) < 0) {
		sh_error_prefix(err, "%s", label);
		goto out;
	}
	len = strlen(text);
	if (ini_parse(&ini, label, text, len, err) < 0)
		goto out;
	config_migrate(&ini, cat, service, to, &changes);
	res = ini_write(&ini, &rlen);
	for (size_t i = 0; i < changes.n; i++)
		infra_log(x, "%s: %s", h->name, changes.v[i].text);
	if (rlen == len && !memcmp(res, text, len)) {
		infra_log(x, "%s: %s's configuration needs no change for %s", h->name, service,
			  cat->releases[to].name);
		r = 0;
		goto out;
	}
	if (file ? infra_run(x, h, write_argv, res, 60, NULL, err) != 0 :
		   infra_svc_stdin(x, h, "config-write", service, NULL, res, NULL, err) < 0)
		goto out;
	if (file)
		infra_log(x, "%s: %s: configuration written (%zu changes)", h->name, file, changes.n);
	else
		infra_log(x, "%s: %s's configuration written (%zu changes)", h->name, service,
			  changes.n);
	r = 0;
out:
	if (text)
		explicit_bzero(text, strlen(text));
	if (res)
		explicit_bzero(res, rlen);
	free(text);
	free(res);
	vec_free(changes);
	ini_release(&ini);
	return r;
}

int service_config_migrate(struct infra *x, const struct catalog *cat, const char *service,
			   int to, const struct inv_host *const *hosts, size_t n,
			   struct sh_error *err)
{
	for (size_t i = 0; i < n; i++) {
		str_vec files = { 0 };
		int r = 0;

		if (!docker_runtime(x)) {
			if (config_one(x, cat, service, to, hosts[i], NULL, err) < 0)
				return -1;
			continue;
		}
		/* Each container's directory holds its copy (kolla). */
		if (docker_config_files(x, hosts[i], service, &files, err) < 0)
			return -1;
		if (!files.n)
			infra_log(x, "%s: no %s.conf under the containers' configuration", hosts[i]->name,
				  service);
		for (size_t k = 0; k < files.n && r == 0; k++)
			r = config_one(x, cat, service, to, hosts[i], files.v[k], err);
		for (size_t k = 0; k < files.n; k++)
			free(files.v[k]);
		vec_free(files);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* A name safe to quote in SQL as an identifier and a user name. */
static bool sql_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z')))
			return false;
	return true;
}

/* 1 when q returns a row, 0 when none, -1 on error. */
static int sql_any(MYSQL *m, const char *q, struct sh_error *err)
{
	char *out = NULL;
	int r = infra_sql(m, q, &out, err);

	if (r == 0)
		r = out[0] != '\0';
	free(out);
	return r;
}

char *service_create_user_sql(const char *user, const char *password)
{
	unsigned char h1[EVP_MAX_MD_SIZE], h2[EVP_MAX_MD_SIZE];
	unsigned int l1 = 0, l2 = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1], *q;
	size_t qlen = strlen(user) + sizeof(hex) + 80;

	if (!sql_name(user))
		return NULL;
	/* mysql_native_password: "*" and SHA1(SHA1(password)) in upper hex. */
	if (!EVP_Digest(password, strlen(password), h1, &l1, EVP_sha1(), NULL) ||
	    !EVP_Digest(h1, l1, h2, &l2, EVP_sha1(), NULL))
		return NULL;
	for (unsigned int i = 0; i < l2; i++)
		snprintf(hex + 2 * i, 3, "%02X", h2[i]);
	explicit_bzero(h1, sizeof(h1));
	q = xmalloc(qlen);
	snprintf(q, qlen, "CREATE USER IF NOT EXISTS '%s'@'%%' IDENTIFIED BY PASSWORD '*%s'",
		 user, hex);
	return q;
}

int service_db_create(struct infra *x, const char *db, const char *user, FILE *out,
		      struct sh_error *err)
{
	char q[512];
	MYSQL *m;
	int r = -1, have;

	if (!sql_name(db) || !sql_name(user))
		return sh_error_set(err, SH_EXIT_INPUT,
				    "database and user names are letters, digits and '_' (up to 64), not '%s' and '%s'",
				    db, user);
	if (!(m = infra_vip_connect(x, err)))
		return -1;
	snprintf(q, sizeof(q), "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '%s'", db);
	if ((have = sql_any(m, q, err)) < 0)
		goto out;
	snprintf(q, sizeof(q), "CREATE DATABASE IF NOT EXISTS `%s`", db);
	if (!have && infra_sql(m, q, NULL, err) < 0)
		goto out;
	fprintf(out, "database %s: %s\n", db, have ? "exists" : "created");
	snprintf(q, sizeof(q), "SELECT User FROM mysql.user WHERE User = '%s' AND Host = '%%'", user);
	if ((have = sql_any(m, q, err)) < 0)
		goto out;
	if (!have) {
		const char *pw;
		char key[96], *cq;

		snprintf(key, sizeof(key), "%s_db_password", user);
		if (!(pw = secrets_get(x->secrets, key))) {
			sh_error_set(err, SH_EXIT_INPUT,
				     "no database user '%s'@'%%', and the secrets file holds no '%s' to create it with",
				     user, key);
			goto out;
		}
		/* The password's hash, not the password: the statement is in the
		 * server's process list and general log. */
		if (!(cq = service_create_user_sql(user, pw))) {
			sh_error_set(err, SH_EXIT_FAILURE, "cannot hash the password of '%s'", user);
			goto out;
		}
		/* Not infra_sql(): its error would quote the statement. */
		have = mysql_query(m, cq);
		explicit_bzero(cq, strlen(cq));
		free(cq);
		if (have) {
			sh_error_set(err, SH_EXIT_FAILURE, "creating the database user '%s'@'%%': %s",
				     user, mysql_error(m));
			goto out;
		}
		fprintf(out, "database user %s: created\n", user);
	} else {
		fprintf(out, "database user %s: exists\n", user);
	}
	snprintf(q, sizeof(q), "GRANT ALL PRIVILEGES ON `%s`.* TO '%s'@'%%'", db, user);
	if (infra_sql(m, q, NULL, err) < 0)
		goto out;
	fprintf(out, "every privilege on %s.* granted to %s\n", db, user);
	r = 0;
out:
	mysql_close(m);
	return r;
}
