/*
 * galera.c - see galera.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fileio.h"
#include "galera.h"
#include "util.h"


/* ---- status ---------------------------------------------------------------- */

void galera_status(struct infra *x, const struct inv_host *h, struct galera_status *s)
{
	struct sh_error err = { 0 };
	MYSQL *m;
	char *out = NULL;

	memset(s, 0, sizeof(*s));
	m = infra_sql_connect(x, h->address, 3306, &err);
	if (!m || infra_sql(m, "SHOW GLOBAL STATUS WHERE Variable_name IN"
			    " ('wsrep_local_state_comment', 'wsrep_cluster_size',"
			    " 'wsrep_cluster_status', 'wsrep_cluster_state_uuid',"
			    " 'wsrep_local_recv_queue', 'wsrep_local_send_queue')",
			    &out, &err) < 0) {
		strlcpy_sh(s->error, err.msg, sizeof(s->error));
		if (m)
			mysql_close(m);
		return;
	}
	mysql_close(m);
	s->up = true;
	for (char *save = NULL, *line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(line, '\t');

		if (!v)
			continue;
		*v++ = '\0';
		if (streq(line, "wsrep_local_state_comment"))
			strlcpy_sh(s->state, v, sizeof(s->state));
		else if (streq(line, "wsrep_cluster_status"))
			strlcpy_sh(s->cluster_status, v, sizeof(s->cluster_status));
		else if (streq(line, "wsrep_cluster_state_uuid"))
			strlcpy_sh(s->uuid, v, sizeof(s->uuid));
		else if (streq(line, "wsrep_cluster_size"))
			s->size = strtol(v, NULL, 10);
		else if (streq(line, "wsrep_local_recv_queue"))
			s->recv_queue = strtol(v, NULL, 10);
		else if (streq(line, "wsrep_local_send_queue"))
			s->send_queue = strtol(v, NULL, 10);
	}
	free(out);
	if (!s->state[0]) {
		s->up = false;
		snprintf(s->error, sizeof(s->error), "%s answers SQL but has no wsrep status (not a Galera node)",
			 h->name);
	}
}

/* ---- HAProxy and the clustercheck ---------------------------------------------- */

struct cluster {
	struct infra *x;
	inv_host_vec db, lb;
};

static int cluster_open(struct infra *x, struct cluster *c, struct sh_error *err)
{
	memset(c, 0, sizeof(*c));
	c->x = x;
	if (infra_hosts(x, infra_db_groups, &c->db, err) < 0)
		return -1;
	if (infra_hosts(x, infra_lb_groups, &c->lb, err) < 0) {
		vec_free(c->db);
		return -1;
	}
	return 0;
}

static void cluster_close(struct cluster *c)
{
	vec_free(c->db);
	vec_free(c->lb);
}

/* "set server BACKEND/NODE state STATE" on every HAProxy. */
static int lb_set(struct cluster *c, const char *node, const char *state, struct sh_error *err)
{
	return infra_lb_set(c->x, &c->lb, c->x->st->galera_backend, node, state, err);
}

struct node_arg {
	struct cluster *c;
	const struct inv_host *h;
	const char *want;		/* HAProxy status prefix */
	long size;			/* cluster size to wait for; 0: every node */
};

/* No HAProxy has a session open to the node. */
static int lb_no_sessions(struct infra *x, void *arg, struct sh_error *err)
{
	struct node_arg *a = arg;
	struct infra_lb_server l = { &a->c->lb, x->st->galera_backend, a->h->name, a->want };

	return infra_lb_no_sessions(x, &l, err);
}

/* Every HAProxy shows the node in status want (UP, MAINT...). */
static int lb_status_is(struct infra *x, void *arg, struct sh_error *err)
{
	struct node_arg *a = arg;
	struct infra_lb_server l = { &a->c->lb, x->st->galera_backend, a->h->name, a->want };

	return infra_lb_status_is(x, &l, err);
}

static int disabled_file(struct cluster *c, const struct inv_host *h, bool on,
			 struct sh_error *err)
{
	char *path = settings_node_path(c->x->st->galera_disabled_file, h->name);
	const char *touch[] = { "touch", path, NULL }, *rm[] = { "rm", "-f", path, NULL };
	int r = infra_run(c->x, h, on ? touch : rm, NULL, 30, NULL, err);

	free(path);
	return r == 0 ? 0 : -1;
}

/* 1 runs, 0 stopped, -1 unknown (err set: never taken for stopped). */
static int svc_running(struct infra *x, const struct inv_host *h, struct sh_error *err)
{
	return rt_running(x, h, "galera", err);
}

/* mariadb-upgrade in the running server. */
static int mariadb_upgrade(struct infra *x, const struct inv_host *h, struct sh_error *err)
{
	const char *const argv[] = { "mariadb-upgrade", NULL };

	return rt_exec(x, h, "galera", argv, NULL, NULL, err);
}

/* ---- waits on SQL state ------------------------------------------------------ */

/* The node is Synced in a Primary component of the expected size. */
static int node_synced(struct infra *x, void *arg, struct sh_error *err)
{
	struct node_arg *a = arg;
	struct galera_status s;

	galera_status(x, a->h, &s);
	if (!s.up)
		return sh_error_set(err, SH_EXIT_FAILURE, "%s", s.error), 0;
	if (!streq(s.state, "Synced") || !streq(s.cluster_status, "Primary") ||
	    s.size < (a->size ? a->size : (long)a->c->db.n)) {
		sh_error_set(err, SH_EXIT_FAILURE, "%s is %s, %s, cluster size %ld", a->h->name,
			     s.state, s.cluster_status, s.size);
		return 0;
	}
	return 1;
}

static int queues_empty(struct infra *x, void *arg, struct sh_error *err)
{
	struct node_arg *a = arg;
	struct galera_status s;

	galera_status(x, a->h, &s);
	if (!s.up)
		return 1;	/* nothing in flight on a node that is down */
	if (s.recv_queue || s.send_queue) {
		sh_error_set(err, SH_EXIT_FAILURE, "%s: recv queue %ld, send queue %ld", a->h->name,
			     s.recv_queue, s.send_queue);
		return 0;
	}
	return 1;
}

/* Every node Synced, cluster size = number of nodes: the gate. */
static int all_synced(struct cluster *c, struct sh_error *err)
{
	for (size_t i = 0; i < c->db.n; i++) {
		struct node_arg a = { c, c->db.v[i], NULL, 0 };

		if (node_synced(c->x, &a, err) != 1)
			return sh_error_prefix(err, "the cluster is not healthy");
	}
	return 0;
}

/* Does h run version? */
static bool node_on(struct cluster *c, const struct inv_host *h, const char *version)
{
	struct sh_error ignore = { 0 };
	char *v = rt_version(c->x, h, "galera", &ignore);
	bool same = v && infra_version_is(v, version);

	free(v);
	return same;
}

/* Every node has an image of version (checked before anything stops). */
static int version_available(struct cluster *c, const char *version, struct sh_error *err)
{
	for (size_t i = 0; i < c->db.n; i++)
		if (rt_image_check(c->x, c->db.v[i], "galera", version, err) < 0)
			return -1;
	return 0;
}

/* ---- rolling upgrade ------------------------------------------------------------- */

/* Backup servers of the backend first, the active one last. */
static void rolling_order(struct cluster *c, const struct inv_host **order)
{
	struct haproxy_server *s = NULL;
	size_t n = 0, k = 0;
	struct sh_error ignore = { 0 };

	if (haproxy_servers(c->x, c->lb.v[0], c->x->st->galera_backend, &s, &n, &ignore) < 0)
		n = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < c->db.n; i++) {
			bool backup = true;

			for (size_t j = 0; j < n; j++)
				if (streq(s[j].name, c->db.v[i]->name))
					backup = s[j].backup;
			if (backup == (pass == 0))
				order[k++] = c->db.v[i];
		}
	free(s);
}

/* mariadb-upgrade, out of the disable file, ready in HAProxy, seen UP. */
static int back_in_service(struct cluster *c, const struct inv_host *h, struct sh_error *err)
{
	struct node_arg a = { c, h, "UP", 0 };

	if (mariadb_upgrade(c->x, h, err) < 0 ||
	    disabled_file(c, h, false, err) < 0 || lb_set(c, h->name, "ready", err) < 0 ||
	    infra_wait(c->x, 60, "HAProxy to see the node UP", lb_status_is, &a, err) < 0)
		return -1;
	return 0;
}

static int upgrade_one(struct cluster *c, const struct inv_host *h, const char *version,
		       struct sh_error *err)
{
	struct infra *x = c->x;
	struct node_arg a = { c, h, "UP", 0 };
	double t;
	int running;

	infra_log(x, "%s: drain in HAProxy, touch the clustercheck's disable file", h->name);
	if (lb_set(c, h->name, "drain", err) < 0 || disabled_file(c, h, true, err) < 0)
		return -1;
	if (infra_wait(x, 60, "HAProxy sessions to end", lb_no_sessions, &a, err) < 0 ||
	    infra_wait(x, 60, "replication queues to empty", queues_empty, &a, err) < 0)
		return -1;
	infra_log(x, "%s: no sessions, queues empty; disable in HAProxy and stop", h->name);
	if (lb_set(c, h->name, "maint", err) < 0)
		return -1;
	t = infra_elapsed(x);
	if ((running = svc_running(x, h, err)) < 0 ||
	    (running && rt_stop(x, h, "galera", err) < 0))
		return -1;
	infra_log(x, "%s: stopped in %.1f s; start %s", h->name, infra_elapsed(x) - t, version);
	t = infra_elapsed(x);
	if (rt_start_data(x, h, "galera", version, err) < 0 ||
	    infra_wait(x, 300, "the node to be Synced", node_synced, &a, err) < 0)
		return -1;
	infra_log(x, "%s: Synced, cluster size %zu, in %.1f s; mariadb-upgrade", h->name, c->db.n,
		  infra_elapsed(x) - t);
	if (back_in_service(c, h, err) < 0)
		return -1;
	infra_log(x, "%s: back in HAProxy (UP)", h->name);
	return 0;
}

/*
 * One node of the rolling upgrade: the others must be Synced (the cluster
 * keeps 2 members); a node already on version (a run stopped part-way) is
 * only made sure to serve.  The gate after it: every node Synced.
 */
static int rolling_node(struct cluster *c, const struct inv_host *h, const char *version,
			struct sh_error *err)
{
	struct infra *x = c->x;
	char *v;
	int running;

	for (size_t i = 0; i < c->db.n; i++) {
		struct node_arg a = { c, c->db.v[i], NULL, 0 };

		if (c->db.v[i] != h && node_synced(x, &a, err) != 1)
			return sh_error_prefix(err, "the cluster is not healthy without %s", h->name);
	}
	if (!(v = rt_version(c->x, h, "galera", err)))
		return -1;
	if ((running = svc_running(x, h, err)) < 0) {
		free(v);
		return -1;
	}
	if (infra_version_is(v, version) && running) {
		infra_log(x, "%s: already runs %s; in HAProxy", h->name, v);
		free(v);
		if (back_in_service(c, h, err) < 0)
			return -1;
	} else {
		infra_log(x, "%s: %s -> %s", h->name, v, version);
		free(v);
		if (upgrade_one(c, h, version, err) < 0)
			return sh_error_prefix(err, "upgrading %s", h->name);
	}
	/* The gate between nodes: all members back and Synced. */
	return all_synced(c, err);
}

static int rolling_open(struct infra *x, struct cluster *c, const char *version,
			struct sh_error *err)
{
	if (cluster_open(x, c, err) < 0)
		return -1;
	if (c->db.n < 3) {
		sh_error_set(err, SH_EXIT_FAILURE,
			     "a rolling upgrade keeps 2 members at all times, so it needs 3 or more nodes (have %zu); use --mode new-cluster",
			     c->db.n);
		goto fail;
	}
	if (version_available(c, version, err) < 0)
		goto fail;
	return 0;
fail:
	cluster_close(c);
	return -1;
}

int galera_node_upgrade(struct infra *x, const struct inv_host *h, const char *version,
			struct sh_error *err)
{
	struct cluster c;
	int r;

	if (rt_require(x, GALERA_NODE_UPGRADE_NEEDS, "galera-node-upgrade", err) < 0)
		return -1;
	if (rolling_open(x, &c, version, err) < 0)
		return -1;
	r = rolling_node(&c, h, version, err);
	cluster_close(&c);
	return r;
}

int galera_rolling_upgrade(struct infra *x, const char *version, struct sh_error *err)
{
	struct cluster c;
	const struct inv_host **order = NULL;
	int r = -1;

	if (rt_require(x, GALERA_ROLLING_NEEDS, "the Galera rolling upgrade", err) < 0)
		return -1;
	if (rolling_open(x, &c, version, err) < 0)
		return -1;
	infra_log(x, "galera rolling upgrade to %s: %zu nodes, HAProxy on %zu", version, c.db.n,
		  c.lb.n);
	if (all_synced(&c, err) < 0)
		goto out;
	order = xcalloc(c.db.n, sizeof(*order));
	rolling_order(&c, order);
	for (size_t i = 0; i < c.db.n; i++)
		if (rolling_node(&c, order[i], version, err) < 0)
			goto out;
	infra_log(x, "galera: every node runs %s, %zu Synced", version, c.db.n);
	r = 0;
out:
	free(order);
	cluster_close(&c);
	return r;
}

/* ---- the new-cluster procedure ----------------------------------------------------- */

static int sql_through_vip(struct infra *x, void *arg, struct sh_error *err)
{
	MYSQL *m;
	int r;

	(void)arg;
	if (!x->st->database)
		return 1;
	if (!(m = infra_vip_connect(x, err)))
		return 0;
	r = infra_sql(m, "SELECT 1", NULL, err);
	mysql_close(m);
	return r == 0 ? 1 : 0;
}

int galera_drain(struct infra *x, const char *version, struct sh_error *err)
{
	struct cluster c;
	int r = -1;

	if (cluster_open(x, &c, err) < 0)
		return -1;
	if (version && version_available(&c, version, err) < 0)
		goto out;
	for (size_t i = 0; i < c.db.n; i++)
		if (lb_set(&c, c.db.v[i]->name, "maint", err) < 0)
			goto out;
	infra_log(x, "every node disabled in HAProxy: SQL through the VIP is down from here");
	for (size_t i = 0; i < c.db.n; i++) {
		struct node_arg a = { &c, c.db.v[i], NULL, 0 };

		if (infra_wait(x, 60, "replication queues to empty", queues_empty, &a, err) < 0)
			goto out;
	}
	infra_log(x, "replication queues empty on %zu nodes", c.db.n);
	r = 0;
out:
	cluster_close(&c);
	return r;
}

int galera_stop(struct infra *x, const struct inv_host *h, struct sh_error *err)
{
	return rt_stop_running(x, h, "galera", err);
}

int galera_bootstrap(struct infra *x, const char *version, struct sh_error *err)
{
	struct cluster c;
	const struct inv_host *boot;
	struct rt_start start_new = { .version = version, .new_cluster = true,
				      .keep_data = true };
	struct node_arg a = { &c, NULL, NULL, 1 };
	int r = -1, running;

	if (rt_require(x, GALERA_BOOTSTRAP_NEEDS, "galera-bootstrap", err) < 0)
		return -1;
	if (cluster_open(x, &c, err) < 0)
		return -1;
	boot = a.h = c.db.v[0];
	if (version_available(&c, version, err) < 0)
		goto out;
	if ((running = svc_running(x, boot, err)) < 0)
		goto out;
	if (running && node_on(&c, boot, version) && node_synced(x, &a, err) == 1) {
		infra_log(x, "%s: already the primary on %s, Synced", boot->name, version);
	} else {
		for (size_t i = 1; i < c.db.n; i++) {
			if ((running = svc_running(x, c.db.v[i], err)) != 0) {
				if (running < 0)
					goto out;
				sh_error_set(err, SH_EXIT_FAILURE,
					     "%s still runs: a new cluster starts only when every node is stopped",
					     c.db.v[i]->name);
				goto out;
			}
			if (rt_action(x, c.db.v[i], "galera", "remove-grastate", NULL, NULL, err) < 0)
				goto out;
		}
		infra_log(x, "grastate.dat removed on the others; %s: start %s with --wsrep-new-cluster",
			  boot->name, version);
		if ((running = svc_running(x, boot, err)) < 0 ||
		    (running && rt_stop(x, boot, "galera", err) < 0))
			goto out;
		if (rt_action(x, boot, "galera", "safe-to-bootstrap", NULL, NULL, err) < 0 ||
		    rt_start(x, boot, "galera", &start_new, err) < 0 ||
		    infra_wait(x, 120, "the bootstrap node to be Synced", node_synced, &a, err) < 0)
			goto out;
	}
	if (mariadb_upgrade(x, boot, err) < 0)
		goto out;
	infra_log(x, "%s: primary, Synced; mariadb-upgrade done", boot->name);
	r = 0;
out:
	cluster_close(&c);
	return r;
}

int galera_join(struct infra *x, const struct inv_host *h, const char *version,
		struct sh_error *err)
{
	struct cluster c;
	struct node_arg a = { &c, h, NULL, 0 };
	int r = -1, running;

	if (rt_require(x, GALERA_JOIN_NEEDS, "galera-join", err) < 0)
		return -1;
	if (cluster_open(x, &c, err) < 0)
		return -1;
	/* The cluster so far: the nodes before h in inventory order, and h. */
	for (size_t i = 0; i < c.db.n; i++)
		if (c.db.v[i] == h)
			a.size = (long)i + 1;
	if (!a.size) {
		sh_error_set(err, SH_EXIT_INPUT, "%s is not a Galera node", h->name);
		goto out;
	}
	if (version_available(&c, version, err) < 0)
		goto out;
	if ((running = svc_running(x, h, err)) < 0)
		goto out;
	if (running) {
		if (!node_on(&c, h, version)) {
			infra_log(x, "%s: runs another version; stop it first", h->name);
			if (rt_stop(x, h, "galera", err) < 0)
				goto out;
		}
	}
	if ((running = svc_running(x, h, err)) < 0 ||
	    (!running && rt_start_data(x, h, "galera", version, err) < 0))
		goto out;
	if (infra_wait(x, 300, "the joiner to be Synced", node_synced, &a, err) < 0)
		goto out;
	infra_log(x, "%s: joined, Synced", h->name);
	r = 0;
out:
	cluster_close(&c);
	return r;
}

int galera_validate(struct infra *x, struct sh_error *err)
{
	struct cluster c;
	int r = -1;

	if (cluster_open(x, &c, err) < 0)
		return -1;
	if (all_synced(&c, err) < 0)
		goto out;
	for (size_t i = 0; i < c.db.n; i++) {
		if (disabled_file(&c, c.db.v[i], false, err) < 0 ||
		    lb_set(&c, c.db.v[i]->name, "ready", err) < 0)
			goto out;
	}
	if (infra_wait(x, 60, "SQL through the VIP", sql_through_vip, NULL, err) < 0)
		goto out;
	infra_log(x, "galera: %zu nodes Synced, cluster size %zu, every one ready in HAProxy; SQL through the VIP answers",
		  c.db.n, c.db.n);
	r = 0;
out:
	cluster_close(&c);
	return r;
}

int galera_new_cluster(struct infra *x, const char *version, struct sh_error *err)
{
	inv_host_vec db = { 0 };
	double down_at;
	int r = -1;

	if (rt_require(x, GALERA_NEW_CLUSTER_NEEDS, "the Galera new-cluster procedure", err) < 0)
		return -1;
	if (infra_hosts(x, infra_db_groups, &db, err) < 0)
		return -1;
	infra_log(x, "galera new-cluster procedure to %s: %zu nodes, bootstrap from %s", version,
		  db.n, db.v[0]->name);
	down_at = infra_elapsed(x);
	if (galera_drain(x, version, err) < 0)
		goto out;
	/* The bootstrap node stops last: its grastate is then the newest. */
	for (size_t k = db.n; k-- > 0;)
		if (galera_stop(x, db.v[k], err) < 0)
			goto out;
	if (galera_bootstrap(x, version, err) < 0)
		goto out;
	for (size_t i = 1; i < db.n; i++)
		if (galera_join(x, db.v[i], version, err) < 0)
			goto out;
	if (galera_validate(x, err) < 0)
		goto out;
	printf("control-plane downtime (SQL through the VIP): %.1f s\n", infra_elapsed(x) - down_at);
	r = 0;
out:
	vec_free(db);
	return r;
}

/* ---- recovery after a full crash -------------------------------------------------- */

/*
 * Which nodes run (into running[]), and the first of them in a Primary
 * component (*primary, SIZE_MAX when none).
 */
static int recover_scan(struct cluster *c, struct galera_candidate *cand, bool *running,
			size_t *primary, struct sh_error *err)
{
	*primary = SIZE_MAX;
	for (size_t i = 0; i < c->db.n; i++) {
		struct galera_status s;
		int on = svc_running(c->x, c->db.v[i], err);

		cand[i].name = c->db.v[i]->name;
		if (on < 0)
			return -1;
		running[i] = on;
		if (!running[i])
			continue;
		galera_status(c->x, c->db.v[i], &s);
		infra_log(c->x, "%s: running, %s", c->db.v[i]->name,
			  s.up ? s.cluster_status : "not answering SQL");
		if (s.up && streq(s.cluster_status, "Primary") && *primary == SIZE_MAX)
			*primary = i;
	}
	return 0;
}

/* A stopped node's last position: grastate.dat, else mariadbd --wsrep-recover. */
static int recover_position(struct cluster *c, const struct inv_host *h,
			    struct galera_candidate *cand, struct sh_error *err)
{
	struct infra *x = c->x;
	char *text = NULL;
	struct sh_error e2 = { 0 };

	if (rt_action(x, h, "galera", "grastate", NULL, &text, &e2) < 0 ||
	    grastate_parse(text, &cand->g) < 0) {
		infra_log(x, "%s: no readable grastate.dat", h->name);
		snprintf(cand->g.uuid, sizeof(cand->g.uuid), "%s",
			 "00000000-0000-0000-0000-000000000000");
		cand->g.seqno = -1;
		cand->g.safe_to_bootstrap = -1;
	}
	free(text);
	if (cand->g.seqno == -1) {
		char *log = NULL;
		int r;

		if (rt_action(x, h, "galera", "recover", NULL, &log, err) < 0) {
			free(log);
			return -1;
		}
		r = recovered_position(log, cand->g.uuid, sizeof(cand->g.uuid), &cand->g.seqno);
		free(log);
		if (r < 0)
			return sh_error_set(err, SH_EXIT_FAILURE,
					    "%s: mariadbd --wsrep-recover printed no 'Recovered position'",
					    h->name);
		cand->recovered = true;
	}
	infra_log(x, "%s: state %s seqno %lld (%s), safe_to_bootstrap %d", h->name, cand->g.uuid,
		  cand->g.seqno, cand->recovered ? "from --wsrep-recover" : "from grastate.dat",
		  cand->g.safe_to_bootstrap);
	return 0;
}

/* win bootstraps a new cluster at its position; the others start at theirs. */
static int recover_start(struct cluster *c, size_t win, char **pos, struct sh_error *err)
{
	struct infra *x = c->x;
	struct rt_start boot = { .new_cluster = true, .position = pos[win],
				 .keep_data = true };
	/* Alone for now: the others join below. */
	struct node_arg a = { c, c->db.v[win], NULL, 1 };

	if (rt_action(x, c->db.v[win], "galera", "safe-to-bootstrap", NULL, NULL, err) < 0 ||
	    rt_start(x, c->db.v[win], "galera", &boot, err) < 0 ||
	    infra_wait(x, 120, "the bootstrap node to be Synced", node_synced, &a, err) < 0)
		return -1;
	for (size_t i = 0; i < c->db.n; i++) {
		struct rt_start join = { .position = pos[i], .keep_data = true };

		if (i == win)
			continue;
		infra_log(x, "%s: start at its own position %s", c->db.v[i]->name, pos[i]);
		if (rt_start(x, c->db.v[i], "galera", &join, err) < 0)
			return -1;
	}
	return 0;
}

int galera_recover(struct infra *x, bool force, struct sh_error *err)
{
	struct cluster c;
	struct galera_candidate *cand = NULL;
	bool *running = NULL;
	char **pos = NULL;
	size_t primary, win;
	char why[256];
	int r = -1;

	if (rt_require(x, GALERA_RECOVER_NEEDS, "the Galera recovery", err) < 0)
		return -1;
	if (cluster_open(x, &c, err) < 0)
		return -1;
	cand = xcalloc(c.db.n, sizeof(*cand));
	running = xcalloc(c.db.n, sizeof(*running));
	pos = xcalloc(c.db.n, sizeof(*pos));
	if (recover_scan(&c, cand, running, &primary, err) < 0)
		goto out;
	if (primary != SIZE_MAX) {
		/* A primary component exists: the others just join it. */
		infra_log(x, "%s is in a primary component: the stopped nodes join it",
			  c.db.v[primary]->name);
		for (size_t i = 0; i < c.db.n; i++)
			if (!running[i] && rt_start_data(x, c.db.v[i], "galera", NULL, err) < 0)
				goto out;
		goto wait_all;
	}
	/* No primary component: nodes still running are stuck; stop them. */
	for (size_t i = 0; i < c.db.n; i++)
		if (running[i]) {
			infra_log(x, "%s: runs without a primary component; stop it", c.db.v[i]->name);
			if (rt_stop(x, c.db.v[i], "galera", err) < 0)
				goto out;
		}
	for (size_t i = 0; i < c.db.n; i++) {
		if (recover_position(&c, c.db.v[i], &cand[i], err) < 0)
			goto out;
		pos[i] = xmalloc(64);
		snprintf(pos[i], 64, "%s:%lld", cand[i].g.uuid, cand[i].g.seqno);
	}
	if (galera_pick(cand, c.db.n, force, &win, why, sizeof(why), err) < 0)
		goto out;
	infra_log(x, "bootstrap from %s: %s", c.db.v[win]->name, why);
	if (recover_start(&c, win, pos, err) < 0)
		goto out;
wait_all:
	for (size_t i = 0; i < c.db.n; i++) {
		struct node_arg a = { &c, c.db.v[i], NULL, 0 };

		if (infra_wait(x, 300, "every node to be Synced", node_synced, &a, err) < 0)
			goto out;
	}
	infra_log(x, "galera: %zu of %zu nodes Synced", c.db.n, c.db.n);
	r = 0;
out:
	for (size_t i = 0; pos && i < c.db.n; i++)
		free(pos[i]);
	free(pos);
	free(running);
	free(cand);
	cluster_close(&c);
	return r;
}
