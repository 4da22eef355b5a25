/*
 * rabbitmq.c - see rabbitmq.h.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "fileio.h"
#include "rabbitmq.h"
#include "util.h"


/* rabbitmqctl ARGS on h, in the running broker. */
static int rabbitmqctl(struct infra *x, const struct inv_host *h, const char *const *args,
		       const char *stdin_data, char **out, struct sh_error *err)
{
	const char *argv[16] = { "rabbitmqctl" };
	size_t n = 1;

	while (args[n - 1] && n + 1 < ARRAY_SIZE(argv)) {
		argv[n] = args[n - 1];
		n++;
	}
	return rt_exec(x, h, "rabbitmq", argv, stdin_data, out, err);
}

/* rabbitmqctl ARGS on h; its stdout parsed as JSON when json is set. */
static int ctl(struct infra *x, const struct inv_host *h, const char *const *args,
	       const char *stdin_data, json_t **json, struct sh_error *err)
{
	char *out = NULL;
	json_error_t je;

	if (rabbitmqctl(x, h, args, stdin_data, json ? &out : NULL, err) < 0)
		return -1;
	if (!json)
		return 0;
	*json = json_loads(out, 0, &je);
	free(out);
	if (!*json)
		return sh_error_set(err, SH_EXIT_FAILURE, "rabbitmqctl %s on %s: not JSON (%s)", args[0],
				    h->name, je.text);
	return 0;
}

static int diag(struct infra *x, const struct inv_host *h, const char *check,
		struct sh_error *err)
{
	const char *argv[] = { "rabbitmq-diagnostics", check, NULL };

	return rt_exec(x, h, "rabbitmq", argv, NULL, NULL, err);
}

/* The node's Erlang VM answers (ping), then the broker has booted. */
static int node_up(struct infra *x, void *arg, struct sh_error *err)
{
	return diag(x, arg, "ping", err) == 0;
}

static int await_node(struct infra *x, const struct inv_host *h, struct sh_error *err)
{
	const char *args[] = { "await_startup", "--timeout", "180", NULL };

	if (infra_wait(x, 180, "the node to answer ping", node_up, (void *)h, err) < 0)
		return sh_error_prefix(err, "%s", h->name);
	return ctl(x, h, args, NULL, NULL, err);
}

/* The node names of a cluster_status list, as one "a b c" string. */
static void names(json_t *list, char *buf, size_t size)
{
	size_t i, o = 0;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach(list, i, v)
		o += (size_t)snprintf(buf + o, o < size ? size - o : 0, "%s%s", i ? " " : "",
				      json_string_value(v));
}

static bool in_list(json_t *list, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (json_is_string(v) && streq(json_string_value(v), name))
			return true;
	return false;
}

static const char *const status_args[] = { "cluster_status", "--formatter", "json", NULL };

/*
 * Every node of expected running in h's view, no partitions, no alarms:
 * 1 yes, 0 not yet (err says why), -1 could not ask.
 */
static int cluster_ok(struct infra *x, const struct inv_host *h, json_t *expected,
		      struct sh_error *err)
{
	json_t *st, *parts, *alarms, *running;
	size_t i;
	json_t *v;
	int r = 1;

	if (ctl(x, h, status_args, NULL, &st, err) < 0)
		return -1;
	running = json_object_get(st, "running_nodes");
	parts = json_object_get(st, "partitions");
	alarms = json_object_get(st, "alarms");
	json_array_foreach(expected, i, v)
		if (!in_list(running, json_string_value(v))) {
			sh_error_set(err, SH_EXIT_FAILURE, "%s is not running", json_string_value(v));
			r = 0;
		}
	if ((json_is_object(parts) && json_object_size(parts)) ||
	    (json_is_array(parts) && json_array_size(parts))) {
		sh_error_set(err, SH_EXIT_FAILURE, "the cluster reports partitions");
		r = 0;
	}
	if (json_array_size(alarms)) {
		sh_error_set(err, SH_EXIT_FAILURE, "the cluster reports %zu alarms",
			     json_array_size(alarms));
		r = 0;
	}
	json_decref(st);
	return r;
}

struct cluster_arg {
	const struct inv_host *h;
	json_t *expected;
};

static int cluster_ok_wait(struct infra *x, void *arg, struct sh_error *err)
{
	struct cluster_arg *a = arg;
	int r = cluster_ok(x, a->h, a->expected, err);

	return r < 0 ? 0 : r;	/* a node still booting may not answer */
}

/*
 * Client connections of the whole cluster.  Not "list_connections": it
 * streams the other nodes' answers back to the CLI's own Erlang node,
 * which they must reach by its host name; where they cannot (the lab has
 * no resolver) it stalls until its timeout.  rabbit_networking:connections()
 * gathers them node to node and answers in about a second.
 */
static long connections(struct infra *x, const struct inv_host *h, struct sh_error *err)
{
	const char *args[] = { "eval", "length(rabbit_networking:connections()).", NULL };
	char *out = NULL, *end;
	long n;

	if (rabbitmqctl(x, h, args, NULL, &out, err) < 0)
		return -1;
	n = strtol(out, &end, 10);
	if (end == out) {
		sh_error_set(err, SH_EXIT_FAILURE, "%s: no connection count in '%.40s'", h->name, out);
		n = -1;
	}
	free(out);
	return n;
}

struct conn_arg {
	const struct inv_host *h;
	long want;
};

static int connections_back(struct infra *x, void *arg, struct sh_error *err)
{
	struct conn_arg *a = arg;
	long n = connections(x, a->h, err);

	if (n < 0)
		return 0;
	if (n < a->want) {
		sh_error_set(err, SH_EXIT_FAILURE, "%ld of %ld client connections back", n, a->want);
		return 0;
	}
	return 1;
}

/*
 * The cluster's client connections back to want within the reconnect
 * timeout; where they are not, and the settings name the client services
 * (rabbitmq.clients), those are restarted on every node where they run
 * (the seed's clients did not reconnect by themselves) and waited for
 * once more.
 */
static int clients_back(struct infra *x, const struct inv_host *ask, long want, int timeout,
			struct sh_error *err)
{
	const struct inv_host *const *hosts = (const struct inv_host *const *)x->inv->hosts.v;
	size_t nhosts = x->inv->hosts.n, restarted = 0;
	struct conn_arg a = { ask, want };
	char list[256] = "";

	if (timeout <= 0 || want <= 0) {
		infra_log(x, "client connections before: %ld (nothing to wait for)", want);
		return 0;
	}
	if (infra_wait(x, timeout, "clients to reconnect", connections_back, &a, err) == 0) {
		infra_log(x, "clients reconnected: %ld connections", want);
		return 0;
	}
	if (!x->st->nrabbitmq_clients)
		return sh_error_prefix(err, "the clients did not reconnect (name them in the settings' rabbitmq.clients to have them restarted)");
	for (size_t i = 0; i < x->st->nrabbitmq_clients; i++) {
		size_t o = strlen(list);

		snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", x->st->rabbitmq_clients[i]);
	}
	infra_log(x, "%s; restart the clients: %s", err->msg, list);
	sh_error_clear(err);
	for (size_t i = 0; i < nhosts; i++)
		for (size_t k = 0; k < x->st->nrabbitmq_clients; k++) {
			const char *c = x->st->rabbitmq_clients[k];

			int on = rt_running(x, hosts[i], c, err);

			if (on < 0)
				return -1;
			if (!on)
				continue;	/* it does not run there */
			if (rt_stop_running(x, hosts[i], c, err) < 0 ||
			    rt_start_version(x, hosts[i], c, NULL, err) < 0)
				return -1;
			infra_log(x, "%s: %s restarted", hosts[i]->name, c);
			restarted++;
		}
	if (!restarted)
		return sh_error_set(err, SH_EXIT_FAILURE,
				    "the clients did not reconnect, and none of %s runs on any node to restart",
				    list);
	if (infra_wait(x, timeout, "clients to reconnect after their restart", connections_back, &a,
		       err) < 0)
		return -1;
	infra_log(x, "clients reconnected after their restart: %ld connections", want);
	return 0;
}

/* Names of the objects of one kind in a definitions document, sorted. */
static char *def_names(json_t *defs, const char *kind)
{
	json_t *list = json_object_get(defs, kind), *v;
	size_t i, len = 0;
	char *buf = xstrdup("");

	json_array_foreach(list, i, v) {
		const char *n = json_string_value(json_object_get(v, "name"));
		const char *vh = json_string_value(json_object_get(v, "vhost"));
		const char *user = json_string_value(json_object_get(v, "user"));
		char item[512];
		size_t il;

		snprintf(item, sizeof(item), "%s%s%s%s\n", vh ? vh : "", vh ? "/" : "",
			 n ? n : user ? user : "?", "");
		il = strlen(item);
		buf = xrealloc(buf, len + il + 1);
		memcpy(buf + len, item, il + 1);
		len += il;
	}
	return buf;
}

static bool defs_within(json_t *want, json_t *have, char *missing, size_t size)
{
	static const char *const kinds[] = { "users", "vhosts", "permissions", "policies", NULL };

	for (size_t k = 0; kinds[k]; k++) {
		char *w = def_names(want, kinds[k]), *h = def_names(have, kinds[k]);
		char m[512];
		bool ok = str_lines_within(w, h, m, sizeof(m));

		if (!ok)
			snprintf(missing, size, "%s %s", kinds[k], m);
		free(w);
		free(h);
		if (!ok)
			return false;
	}
	return true;
}

static int set_ha_policy(struct infra *x, const struct inv_host *h, struct sh_error *err)
{
	const char *args[] = { "set_policy", "--apply-to", "all", "ha-all", "",
		"{\"ha-mode\":\"all\",\"ha-sync-mode\":\"automatic\"}", NULL };

	return ctl(x, h, args, NULL, NULL, err);
}

/* What the export step saw, beside the definitions: DEFINITIONS.cluster.json. */
static char *cluster_path(const struct rabbitmq_options *o)
{
	size_t n = strlen(o->definitions) + sizeof(".cluster.json");
	char *p = xmalloc(n);

	snprintf(p, n, "%s.cluster.json", o->definitions);
	return p;
}

/* A JSON file the export step wrote; NULL (err) when absent or broken. */
static json_t *load_json(const char *path, struct sh_error *err)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);

	if (!j)
		sh_error_set(err, SH_EXIT_FAILURE,
			     "%s: %s (written by the rabbitmq-export step: run it first)", path,
			     je.text);
	return j;
}

static int mq_hosts(struct infra *x, inv_host_vec *mq, const char *version, struct sh_error *err)
{
	if (infra_hosts(x, infra_mq_groups, mq, err) < 0)
		return -1;
	for (size_t i = 0; version && i < mq->n; i++)
		if (rt_image_check(x, mq->v[i], "rabbitmq", version, err) < 0) {
			vec_free(*mq);
			return -1;
		}
	return 0;
}

/* 1 runs, 0 stopped, -1 unknown (err set). */
static int running(struct infra *x, const struct inv_host *h, struct sh_error *err)
{
	return rt_running(x, h, "rabbitmq", err);
}

int rabbitmq_export(struct infra *x, const struct rabbitmq_options *o, struct sh_error *err)
{
	inv_host_vec mq = { 0 };
	json_t *st = NULL, *defs = NULL, *cl = NULL;
	const char *export_args[] = { "export_definitions", "-", NULL };
	char *text = NULL, *cpath = cluster_path(o), *ctext = NULL, list[512];
	long conns;
	int r = -1;

	if (mq_hosts(x, &mq, o->version, err) < 0)
		goto out;
	if (ctl(x, mq.v[0], status_args, NULL, &st, err) < 0)
		goto out;
	if (cluster_ok(x, mq.v[0], json_object_get(st, "disk_nodes"), err) != 1) {
		sh_error_prefix(err, "the cluster is not healthy: nothing was changed");
		goto out;
	}
	if ((conns = connections(x, mq.v[0], err)) < 0)
		goto out;
	/* Definitions first: a wiped node forgets users, vhosts, policies. */
	if (rabbitmqctl(x, mq.v[0], export_args, NULL, &text, err) < 0)
		goto out;
	if (!(defs = json_loads(text, 0, NULL))) {
		sh_error_set(err, SH_EXIT_FAILURE, "the exported definitions are not JSON: nothing was changed");
		goto out;
	}
	cl = json_pack("{s:O, s:I}", "disk_nodes", json_object_get(st, "disk_nodes"),
		       "connections", (json_int_t)conns);
	ctext = json_dumps(cl, JSON_INDENT(2));
	if (write_file_atomic(o->definitions, text, strlen(text), 0600, err) < 0 ||
	    write_file_atomic(cpath, ctext, strlen(ctext), 0600, err) < 0)
		goto out;
	names(json_object_get(st, "disk_nodes"), list, sizeof(list));
	infra_log(x, "definitions exported to %s: %zu users, %zu vhosts, %zu permissions, %zu policies, %zu queues; cluster %s, %ld client connections",
		  o->definitions, json_array_size(json_object_get(defs, "users")),
		  json_array_size(json_object_get(defs, "vhosts")),
		  json_array_size(json_object_get(defs, "permissions")),
		  json_array_size(json_object_get(defs, "policies")),
		  json_array_size(json_object_get(defs, "queues")), list, conns);
	r = 0;
out:
	json_decref(cl);
	json_decref(defs);
	json_decref(st);
	free(ctext);
	free(text);
	free(cpath);
	vec_free(mq);
	return r;
}

int rabbitmq_stop(struct infra *x, const struct inv_host *h, struct sh_error *err)
{
	return rt_stop_running(x, h, "rabbitmq", err);
}

int rabbitmq_wipe(struct infra *x, const struct inv_host *h, struct sh_error *err)
{
	if (rt_require(x, RABBITMQ_WIPE_NEEDS, "rabbitmq-wipe", err) < 0)
		return -1;
	if (rt_action(x, h, "rabbitmq", "wipe", NULL, NULL, err) < 0)
		return -1;
	infra_log(x, "%s: mnesia removed", h->name);
	return 0;
}

/*
 * Start h on the version unless it runs, wait for it; a node that is not
 * in the first node's cluster then joins it (the first node just starts).
 */
int rabbitmq_start(struct infra *x, const struct inv_host *h, const struct rabbitmq_options *o,
		   struct sh_error *err)
{
	inv_host_vec mq = { 0 };
	json_t *now = NULL;
	char self[300];
	int r = -1, on;

	if (rt_require(x, RABBITMQ_START_NEEDS, "rabbitmq-start", err) < 0)
		return -1;
	if (mq_hosts(x, &mq, o->version, err) < 0)
		return -1;
	if ((on = running(x, h, err)) < 0 ||
	    (!on && rt_start_data(x, h, "rabbitmq", o->version, err) < 0))
		goto out;
	if (await_node(x, h, err) < 0)
		goto out;
	infra_log(x, "%s: started", h->name);
	if (h == mq.v[0]) {
		r = 0;
		goto out;
	}
	if (ctl(x, mq.v[0], status_args, NULL, &now, err) < 0)
		goto out;
	snprintf(self, sizeof(self), "rabbit@%s", h->address);
	if (!in_list(json_object_get(now, "running_nodes"), self)) {
		const char *stop_app[] = { "stop_app", NULL }, *reset[] = { "reset", NULL };
		const char *start_app[] = { "start_app", NULL };
		const char *join[] = { "join_cluster",
			json_string_value(json_array_get(json_object_get(now, "running_nodes"), 0)),
			NULL };

		infra_log(x, "%s: join the cluster of %s", h->name, join[1]);
		if (!join[1]) {
			sh_error_set(err, SH_EXIT_FAILURE, "%s lists no running node", mq.v[0]->name);
			goto out;
		}
		if (ctl(x, h, stop_app, NULL, NULL, err) < 0 || ctl(x, h, reset, NULL, NULL, err) < 0 ||
		    ctl(x, h, join, NULL, NULL, err) < 0 || ctl(x, h, start_app, NULL, NULL, err) < 0)
			goto out;
	}
	infra_log(x, "%s: in the cluster of %s", h->name, mq.v[0]->name);
	r = 0;
out:
	json_decref(now);
	vec_free(mq);
	return r;
}

int rabbitmq_import(struct infra *x, const struct rabbitmq_options *o, struct sh_error *err)
{
	inv_host_vec mq = { 0 };
	const char *import_args[] = { "import_definitions", NULL };
	char *text = NULL;
	size_t len;
	int r = -1;

	if (rt_require(x, RABBITMQ_IMPORT_NEEDS, "rabbitmq-import", err) < 0)
		return -1;
	if (mq_hosts(x, &mq, NULL, err) < 0)
		return -1;
	if (read_file_limited(o->definitions, 64 << 20, &text, &len, err) < 0)
		goto out;
	if (ctl(x, mq.v[0], import_args, text, NULL, err) < 0)
		goto out;
	infra_log(x, "definitions imported from %s", o->definitions);
	r = 0;
out:
	if (text)
		explicit_bzero(text, strlen(text));
	free(text);
	vec_free(mq);
	return r;
}

int rabbitmq_policy(struct infra *x, struct sh_error *err)
{
	inv_host_vec mq = { 0 };
	int r;

	if (mq_hosts(x, &mq, NULL, err) < 0)
		return -1;
	r = set_ha_policy(x, mq.v[0], err);
	if (r == 0)
		infra_log(x, "policy ha-all set: {\"ha-mode\":\"all\",\"ha-sync-mode\":\"automatic\"}");
	vec_free(mq);
	return r;
}

int rabbitmq_validate(struct infra *x, const struct rabbitmq_options *o, struct sh_error *err)
{
	inv_host_vec mq = { 0 };
	const char *export_args[] = { "export_definitions", "-", NULL };
	json_t *st = NULL, *cl = NULL, *defs = NULL, *after = NULL, *expected;
	char *cpath = o->definitions ? cluster_path(o) : NULL, *text = NULL;
	char list[512], missing[600];
	long before = 0;
	int r = -1;

	if (mq_hosts(x, &mq, NULL, err) < 0)
		goto out;
	/* The members the export saw, else those the cluster knows now. */
	if (cpath && access(cpath, F_OK) == 0) {
		if (!(cl = load_json(cpath, err)))
			goto out;
		expected = json_object_get(cl, "disk_nodes");
		before = (long)json_integer_value(json_object_get(cl, "connections"));
	} else {
		if (ctl(x, mq.v[0], status_args, NULL, &st, err) < 0)
			goto out;
		expected = json_object_get(st, "disk_nodes");
	}
	names(expected, list, sizeof(list));
	{
		struct cluster_arg a = { mq.v[0], expected };

		if (infra_wait(x, 120, "every node running, no partitions, no alarms", cluster_ok_wait,
			       &a, err) < 0)
			goto out;
	}
	if (cl) {
		if (!(defs = load_json(o->definitions, err)))
			goto out;
		if (rabbitmqctl(x, mq.v[0], export_args, NULL, &text, err) < 0)
			goto out;
		if (!(after = json_loads(text, 0, NULL)) ||
		    !defs_within(defs, after, missing, sizeof(missing))) {
			sh_error_set(err, SH_EXIT_FAILURE, "the cluster lacks %s of the export",
				     after ? missing : "readable definitions");
			goto out;
		}
		infra_log(x, "validated: %s running, no partitions, no alarms; every user, vhost, permission and policy of the export there",
			  list);
	} else {
		infra_log(x, "validated: %s running, no partitions, no alarms", list);
	}
	if (cl && clients_back(x, mq.v[0], before, o->reconnect_timeout, err) < 0)
		goto out;
	r = 0;
out:
	json_decref(after);
	json_decref(defs);
	json_decref(cl);
	json_decref(st);
	free(text);
	free(cpath);
	vec_free(mq);
	return r;
}

int rabbitmq_full_stop(struct infra *x, const struct rabbitmq_options *o,
		       struct sh_error *err)
{
	inv_host_vec mq = { 0 };
	double down_at, up_at;
	int r = -1;

	if (rt_require(x, RABBITMQ_FULL_STOP_NEEDS, "the RabbitMQ full-stop upgrade", err) < 0)
		return -1;
	if (mq_hosts(x, &mq, o->version, err) < 0)
		return -1;
	infra_log(x, "rabbitmq full-stop procedure to %s: %zu nodes", o->version, mq.n);
	if (rabbitmq_export(x, o, err) < 0)
		goto out;
	/* Every node stopped, the first one last, as it starts first. */
	down_at = infra_elapsed(x);
	for (size_t k = mq.n; k-- > 0;)
		if (rabbitmq_stop(x, mq.v[k], err) < 0)
			goto out;
	for (size_t i = 0; i < mq.n; i++)
		if (rabbitmq_wipe(x, mq.v[i], err) < 0)
			goto out;
	infra_log(x, "mnesia removed on %zu nodes; start %s", mq.n, o->version);
	/* The others boot while the first one does: the start steps then
	 * find them running and only wait (and join what did not). */
	for (size_t i = 0; i < mq.n; i++)
		if (rt_start_data(x, mq.v[i], "rabbitmq", o->version, err) < 0)
			goto out;
	for (size_t i = 0; i < mq.n; i++)
		if (rabbitmq_start(x, mq.v[i], o, err) < 0)
			goto out;
	up_at = infra_elapsed(x);
	if (rabbitmq_import(x, o, err) < 0 || rabbitmq_policy(x, err) < 0 ||
	    rabbitmq_validate(x, o, err) < 0)
		goto out;
	printf("rabbitmq broker downtime (first stop to every node started): %.1f s\n",
	       up_at - down_at);
	r = 0;
out:
	vec_free(mq);
	return r;
}

int rabbitmq_node_upgrade(struct infra *x, const struct inv_host *h,
			  const struct rabbitmq_options *o, struct sh_error *err)
{
	inv_host_vec mq = { 0 };
	json_t *st = NULL;
	const struct inv_host *peer = NULL;
	long conns;
	int r = -1, on;

	if (rt_require(x, RABBITMQ_NODE_UPGRADE_NEEDS, "rabbitmq-node-upgrade", err) < 0)
		return -1;
	if (mq_hosts(x, &mq, o->version, err) < 0)
		return -1;
	for (size_t i = 0; i < mq.n && !peer; i++)
		if (mq.v[i] != h)
			peer = mq.v[i];
	if (!peer) {
		sh_error_set(err, SH_EXIT_FAILURE, "a rolling upgrade needs 2 or more RabbitMQ nodes");
		goto out;
	}
	/* The cluster as a peer sees it: it must be whole, unless h is the
	 * one missing (a run stopped part-way through h). */
	if (ctl(x, peer, status_args, NULL, &st, err) < 0)
		goto out;
	if ((on = running(x, h, err)) < 0)
		goto out;
	if (on && cluster_ok(x, peer, json_object_get(st, "disk_nodes"), err) != 1) {
		sh_error_prefix(err, "the cluster is not healthy");
		goto out;
	}
	if ((conns = connections(x, peer, err)) < 0)
		goto out;
	if (rabbitmq_stop(x, h, err) < 0)
		goto out;
	infra_log(x, "%s: start %s", h->name, o->version);
	{
		struct cluster_arg a = { peer, json_object_get(st, "disk_nodes") };

		if (rt_start_data(x, h, "rabbitmq", o->version, err) < 0 ||
		    await_node(x, h, err) < 0 || diag(x, h, "check_running", err) < 0 ||
		    diag(x, h, "check_local_alarms", err) < 0 ||
		    infra_wait(x, 120, "every node running again", cluster_ok_wait, &a, err) < 0)
			goto out;
	}
	infra_log(x, "%s: running, no local alarms; cluster complete", h->name);
	/* The clients h had come back before the next node goes. */
	if (clients_back(x, peer, conns, o->reconnect_timeout, err) < 0)
		goto out;
	r = 0;
out:
	json_decref(st);
	vec_free(mq);
	return r;
}

int rabbitmq_rolling(struct infra *x, const struct rabbitmq_options *o,
		     struct sh_error *err)
{
	inv_host_vec mq = { 0 };
	int r = -1;

	if (rt_require(x, RABBITMQ_ROLLING_NEEDS, "the RabbitMQ rolling upgrade", err) < 0)
		return -1;
	if (mq_hosts(x, &mq, o->version, err) < 0)
		return -1;
	infra_log(x, "rabbitmq rolling upgrade to %s: %zu nodes, one at a time", o->version, mq.n);
	for (size_t i = 0; i < mq.n; i++)
		if (rabbitmq_node_upgrade(x, mq.v[i], o, err) < 0)
			goto out;
	if (rabbitmq_validate(x, o, err) < 0)
		goto out;
	infra_log(x, "rabbitmq: %zu nodes on %s", mq.n, o->version);
	r = 0;
out:
	vec_free(mq);
	return r;
}
