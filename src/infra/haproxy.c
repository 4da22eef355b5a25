/*
 * haproxy.c - see haproxy.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haproxy.h"
#include "util.h"

const char *const haproxy_modes[] = { "reload", "vip-move", NULL };

/* Does h hold the VIP?  1 yes, 0 no, -1 could not tell. */
static int holds_vip(struct infra *x, const struct inv_host *h, struct sh_error *err)
{
	const char *argv[] = { "ip", "-o", "addr", "show", NULL };
	char *out, pat[128];
	int r;

	if (infra_run(x, h, argv, NULL, 30, &out, err) != 0) {
		free(out);
		return -1;
	}
	snprintf(pat, sizeof(pat), " %s/", x->st->vip);
	r = strstr(out, pat) != NULL;
	free(out);
	return r;
}

static const struct inv_host *vip_holder(struct infra *x, const inv_host_vec *lb,
					 struct sh_error *err)
{
	for (size_t i = 0; i < lb->n; i++)
		if (holds_vip(x, lb->v[i], err) == 1)
			return lb->v[i];
	return NULL;
}

struct host_arg {
	const struct inv_host *h;
	const char *version;
};

static int vip_gone(struct infra *x, void *arg, struct sh_error *err)
{
	struct host_arg *a = arg;
	int r = holds_vip(x, a->h, err);

	if (r == 1)
		sh_error_set(err, SH_EXIT_FAILURE, "%s still holds %s", a->h->name, x->st->vip);
	return r == 0;
}

/* Someone holds the VIP. */
static int vip_held(struct infra *x, void *arg, struct sh_error *err)
{
	const inv_host_vec *lb = arg;

	if (vip_holder(x, lb, err))
		return 1;
	sh_error_set(err, SH_EXIT_FAILURE, "nobody holds %s", x->st->vip);
	return 0;
}

/* HAProxy on a->h answers, runs a->version, and every backend has a server UP. */
static int haproxy_ready(struct infra *x, void *arg, struct sh_error *err)
{
	struct host_arg *a = arg;
	struct haproxy_server *s;
	char *info, *ver;
	size_t n;

	if (haproxy_cmd(x, a->h, "show info", &info, err) < 0)
		return 0;
	ver = strstr(info, "\nVersion: ");
	if (ver) {
		ver += 10;
		ver[strcspn(ver, "\n")] = '\0';
	}
	/* infra_version_is(): an image tag spells '+' as '_'. */
	if (!ver || !infra_version_is(ver, a->version)) {
		sh_error_set(err, SH_EXIT_FAILURE, "%s runs HAProxy %s", a->h->name, ver ? ver : "?");
		free(info);
		return 0;
	}
	free(info);
	if (haproxy_servers(x, a->h, NULL, &s, &n, err) < 0)
		return 0;
	for (size_t k = 0; k < n; k++) {
		bool up = false;

		for (size_t j = 0; j < n; j++)
			if (streq(s[j].backend, s[k].backend) && str_has_prefix(s[j].status, "UP"))
				up = true;
		if (!up) {
			sh_error_set(err, SH_EXIT_FAILURE, "backend %s has no server UP yet", s[k].backend);
			free(s);
			return 0;
		}
	}
	free(s);
	return 1;
}

/*
 * service started on h on version (NULL: the one it was): a container of
 * another version there is replaced (a container runtime keeps a stopped
 * one), as memcached's upgrade does.
 */
static int start_on(struct infra *x, const struct inv_host *h, const char *service,
		    const char *version, struct sh_error *err)
{
	struct rt_start o = { .version = version, .replace = version != NULL };

	return rt_start(x, h, service, &o, err);
}

/* If h holds the VIP, give it away: keepalived there at the lowest priority. */
static int give_vip_away(struct infra *x, const inv_host_vec *lb, const struct inv_host *h,
			 struct sh_error *err)
{
	struct host_arg a = { h, NULL };
	const struct inv_host *now;
	int held = holds_vip(x, h, err);

	if (held <= 0)
		return held;
	infra_log(x, "%s: give the VIP away (keepalived at the lowest priority)", h->name);
	if (rt_action(x, h, "keepalived", "drain", NULL, NULL, err) < 0 ||
	    infra_wait(x, 30, "another node to take the VIP", vip_gone, &a, err) < 0 ||
	    infra_wait(x, 30, "another node to take the VIP", vip_held, (void *)lb, err) < 0)
		return -1;
	now = vip_holder(x, lb, err);
	infra_log(x, "%s: VIP moved to %s", h->name, now ? now->name : "?");
	return 0;
}

/* keepalived on h restarted (on version, if given), someone holding the VIP. */
static int keepalived_restart(struct infra *x, const inv_host_vec *lb, const struct inv_host *h,
			      const char *version, struct sh_error *err)
{
	if (rt_stop(x, h, "keepalived", err) < 0 ||
	    start_on(x, h, "keepalived", version, err) < 0 ||
	    infra_wait(x, 30, "someone to hold the VIP", vip_held, (void *)lb, err) < 0)
		return -1;
	return 0;
}

/* The load balancers, each with an image of service at version; someone holds the VIP. */
static int lb_open(struct infra *x, inv_host_vec *lb, const char *service, const char *version,
		   struct sh_error *err)
{
	if (!x->st->vip)
		return sh_error_set(err, SH_EXIT_INPUT, "the settings have no vip");
	if (infra_hosts(x, infra_lb_groups, lb, err) < 0)
		return -1;
	for (size_t i = 0; i < lb->n; i++)
		if (rt_image_check(x, lb->v[i], service, version, err) < 0)
			goto fail;
	if (!vip_holder(x, lb, err)) {
		sh_error_set(err, SH_EXIT_FAILURE, "nobody holds the VIP %s: fix that first", x->st->vip);
		goto fail;
	}
	return 0;
fail:
	vec_free(*lb);
	return -1;
}

/* The last line of out, for the log (out is changed). */
static const char *last_line(char *out)
{
	char *nl;

	while ((nl = strrchr(out, '\n')) && nl[1] == '\0')
		*nl = '\0';
	return nl ? nl + 1 : out;
}

/*
 * The seamless reload: a new HAProxy from version's image takes the
 * listening sockets over from the running one and the old one finishes
 * what it has in flight, so no connection is refused or reset and the VIP
 * stays where it is.  Where HAProxy does not run, it is started.
 */
static int node_reload(struct infra *x, const inv_host_vec *lb, const struct inv_host *h,
		       const char *version, struct sh_error *err)
{
	struct host_arg a = { h, version };
	const char *ver[] = { "--version", version, NULL };
	char *v = rt_version(x, h, "haproxy", err), *out = NULL;
	int held, running;

	(void)lb;
	if (!v)
		return -1;
	if ((running = rt_running(x, h, "haproxy", err)) < 0) {
		free(v);
		return -1;
	}
	if (infra_version_is(v, version) && running) {
		infra_log(x, "%s: already runs %s", h->name, v);
		free(v);
		return 0;
	}
	held = holds_vip(x, h, err);
	infra_log(x, "%s: haproxy %s -> %s by a seamless reload%s", h->name, v, version,
		  held == 1 ? " (it holds the VIP, which stays)" : "");
	free(v);
	if (!running) {
		if (start_on(x, h, "haproxy", version, err) < 0)
			return -1;
	} else if (rt_action(x, h, "haproxy", "reload", ver, &out, err) < 0) {
		free(out);
		return -1;
	}
	if (out)
		infra_log(x, "%s: %s", h->name, last_line(out));
	free(out);
	if (infra_wait(x, 60, "the new HAProxy to see its backends UP", haproxy_ready, &a, err) < 0)
		return -1;
	infra_log(x, "%s: haproxy %s serves, every backend UP", h->name, version);
	return 0;
}

/* Stop and start: the holder gives the VIP away first. */
static int node_vip_move(struct infra *x, const inv_host_vec *lb, const struct inv_host *h,
			 const char *version, struct sh_error *err)
{
	struct host_arg a = { h, version };
	char *v = rt_version(x, h, "haproxy", err);

	if (!v)
		return -1;
	if (infra_version_is(v, version)) {
		infra_log(x, "%s: already runs %s", h->name, v);
		free(v);
		return 0;
	}
	if (give_vip_away(x, lb, h, err) < 0) {
		free(v);
		return -1;
	}
	infra_log(x, "%s: haproxy %s -> %s", h->name, v, version);
	free(v);
	if (rt_stop(x, h, "haproxy", err) < 0 ||
	    start_on(x, h, "haproxy", version, err) < 0 ||
	    infra_wait(x, 60, "the new HAProxy to see its backends UP", haproxy_ready, &a, err) < 0)
		return -1;
	/* keepalived restarts with its own priority only now that this
	 * HAProxy serves, in case the VIP comes back to it. */
	if (keepalived_restart(x, lb, h, NULL, err) < 0)
		return -1;
	infra_log(x, "%s: haproxy %s serves, every backend UP; keepalived restarted", h->name,
		  version);
	return 0;
}

/* The nodes not holding the VIP first, the holder last (one VIP move). */
static const struct inv_host **holder_last(struct infra *x, const inv_host_vec *lb,
					   const struct inv_host **ret_holder,
					   struct sh_error *err)
{
	const struct inv_host **order = xcalloc(lb->n, sizeof(*order));
	const struct inv_host *holder = vip_holder(x, lb, err);
	size_t k = 0;

	for (size_t i = 0; i < lb->n; i++)
		if (lb->v[i] != holder)
			order[k++] = lb->v[i];
	if (holder)
		order[k++] = holder;
	*ret_holder = holder;
	return order;
}

/*
 * one() on every load balancer with an image of service at version, the
 * VIP holder last; the log says where the VIP ends up.
 */
static int holder_last_each(struct infra *x, const char *service, const char *version,
			    int (*one)(struct infra *x, const inv_host_vec *lb,
				       const struct inv_host *h, const char *version,
				       struct sh_error *err),
			    struct sh_error *err)
{
	inv_host_vec lb = { 0 };
	const struct inv_host *holder, **order;
	int r = -1;

	if (lb_open(x, &lb, service, version, err) < 0)
		return -1;
	order = holder_last(x, &lb, &holder, err);
	infra_log(x, "%s upgrade to %s: %zu nodes; %s holds the VIP %s and goes last", service,
		  version, lb.n, holder ? holder->name : "nobody", x->st->vip);
	for (size_t i = 0; i < lb.n; i++)
		if (one(x, &lb, order[i], version, err) < 0)
			goto out;
	holder = vip_holder(x, &lb, err);
	infra_log(x, "%s: %zu nodes on %s; the VIP is on %s", service, lb.n, version,
		  holder ? holder->name : "nobody");
	r = 0;
out:
	free(order);
	vec_free(lb);
	return r;
}

static int keepalived_node(struct infra *x, const inv_host_vec *lb, const struct inv_host *h,
			   const char *version, struct sh_error *err)
{
	char *v = rt_version(x, h, "keepalived", err);
	int running;

	if (!v)
		return -1;
	if ((running = rt_running(x, h, "keepalived", err)) < 0) {
		free(v);
		return -1;
	}
	/* Restarting it anyway would move the VIP for nothing. */
	if (infra_version_is(v, version) && running) {
		infra_log(x, "%s: keepalived already runs %s: not restarted", h->name, v);
		free(v);
		return 0;
	}
	free(v);
	if (give_vip_away(x, lb, h, err) < 0 || keepalived_restart(x, lb, h, version, err) < 0)
		return -1;
	infra_log(x, "%s: keepalived %s runs; the VIP is held", h->name, version);
	return 0;
}

int keepalived_upgrade(struct infra *x, const char *version, struct sh_error *err)
{
	if (rt_require(x, KEEPALIVED_UPGRADE_NEEDS, "keepalived-upgrade", err) < 0)
		return -1;
	return holder_last_each(x, "keepalived", version, keepalived_node, err);
}

int haproxy_upgrade(struct infra *x, const char *version, enum haproxy_mode mode,
		    struct sh_error *err)
{
	if (rt_require(x, mode == HAPROXY_VIP_MOVE ? HAPROXY_VIP_MOVE_NEEDS : HAPROXY_RELOAD_NEEDS,
		       "haproxy-upgrade", err) < 0)
		return -1;
	return holder_last_each(x, "haproxy", version,
				mode == HAPROXY_VIP_MOVE ? node_vip_move : node_reload, err);
}
