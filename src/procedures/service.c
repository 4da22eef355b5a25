/*
 * service.c - see service.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "config.h"
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

int service_container_run(struct infra *x, const char *service, const struct inv_host *h,
			  const char *version, const char *const *argv, struct sh_error *err)
{
	return rt_run_one_off(x, h, service, version, argv, err);
}

int service_container_stop(struct infra *x, const char *component, const struct inv_host *h,
			   struct sh_error *err)
{
	inv_host_vec lb = { 0 };
	struct infra_lb_server l = { &lb, component, h->name, "MAINT" };
	int behind = lb_of(x, component, h, &lb, err), running;
	char unit[160];
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
	if ((running = rt_running(x, h, component, err)) < 0)
		return -1;
	rt_unit(x, component, unit, sizeof(unit));
	if (!running) {
		infra_log(x, "%s: %s is stopped", h->name, unit);
		return 0;
	}
	t = infra_elapsed(x);
	if (rt_stop(x, h, component, err) < 0)
		return -1;
	infra_log(x, "%s: %s stopped in %.1f s", h->name, unit, infra_elapsed(x) - t);
	return 0;
}

int service_container_remove(struct infra *x, const char *component, const struct inv_host *h,
			     struct sh_error *err)
{
	char unit[160];
	int running;

	if ((running = rt_running(x, h, component, err)) < 0)
		return -1;
	rt_unit(x, component, unit, sizeof(unit));
	if (running)
		return sh_error_set(err, SH_EXIT_FAILURE,
				    "%s still runs on %s: container-stop comes first", unit, h->name);
	return rt_remove(x, h, component, err);
}

int service_image_remove(struct infra *x, const char *component, const struct inv_host *h,
			 const char *keep, struct sh_error *err)
{
	if (rt_image_check(x, h, component, keep, err) < 0)
		return -1;
	return rt_image_remove(x, h, component, keep, err);
}

int service_container_start(struct infra *x, const char *component, const struct inv_host *h,
			    const char *version, struct sh_error *err)
{
	char *v = NULL, unit[160];
	int r;

	if (rt_image_check(x, h, component, version, err) < 0 ||
	    (r = rt_running(x, h, component, err)) < 0)
		return -1;
	rt_unit(x, component, unit, sizeof(unit));
	if (r) {
		if (!(v = rt_version(x, h, component, err)))
			return -1;
		r = infra_version_is(v, version) ? 0 :
		    sh_error_set(err, SH_EXIT_FAILURE,
				 "%s on %s runs %s, not %s: container-stop comes first", unit,
				 h->name, v, version);
		if (r == 0)
			infra_log(x, "%s: %s already runs %s", h->name, unit, v);
		free(v);
		return r;
	}
	if (rt_start_version(x, h, component, version, err) < 0)
		return -1;
	infra_log(x, "%s: %s started on %s", h->name, unit, version);
	return 0;
}

int service_health_check(struct infra *x, const char *component,
			 const struct inv_host *const *hosts, size_t n, struct sh_error *err)
{
	for (size_t i = 0; i < n; i++) {
		const struct inv_host *h = hosts[i];
		inv_host_vec lb = { 0 };
		struct infra_lb_server l = { &lb, component, h->name, "UP" };
		char unit[160];
		int behind;

		if (rt_wait_healthy(x, h, component, 120, err) < 0)
			return -1;
		rt_unit(x, component, unit, sizeof(unit));
		infra_log(x, "%s: %s answers", h->name, unit);
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

/*
 * One host's file: read, translate, write back if changed.  file: its path
 * on h, or NULL: the runtime's one file of service (the process runtime's
 * "config" and "config-write" actions).
 */
static int config_one(struct infra *x, const struct catalog *cat, const char *service, int to,
		      const struct inv_host *h, const char *file, struct sh_error *err)
{
	struct ini ini = { 0 };
	config_change_vec changes = { 0 };
	char *text = NULL, *res = NULL, label[600];
	size_t len = 0, rlen = 0;
	int r = -1;

	snprintf(label, sizeof(label), "%s:%s", h->name, file ? file : service);
	if (!file)
		snprintf(label + strlen(label), sizeof(label) - strlen(label), ".conf");
	if (rt_read_config(x, h, service, file, &text, err) < 0) {
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
	if (rt_write_config(x, h, service, file, res, err) < 0)
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

		/* The docker runtime: each container's directory holds its copy (kolla). */
		if (rt_config_files(x, hosts[i], service, &files, err) < 0)
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
