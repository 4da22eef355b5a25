/*
 * service.c - see service.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int service_container_stop(struct infra *x, const char *component, const struct inv_host *h,
			   struct sh_error *err)
{
	inv_host_vec lb = { 0 };
	struct infra_lb_server l = { &lb, component, h->name, "MAINT" };
	int behind = lb_of(x, component, h, &lb, err);
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
	if (!infra_svc_running(x, h, component)) {
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
	if (infra_svc_running(x, h, component))
		return sh_error_set(err, SH_EXIT_FAILURE,
				    "%s still runs on %s: container-stop comes first", component,
				    h->name);
	return svc_logged(x, h, "remove", component, NULL, err);
}

int service_image_remove(struct infra *x, const char *component, const struct inv_host *h,
			 const char *keep, struct sh_error *err)
{
	const char *extra[] = { "--keep", keep, NULL };

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

	if (infra_image_check(x, h, component, version, err) < 0)
		return -1;
	if (infra_svc_running(x, h, component)) {
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

		if (!infra_svc_running(x, h, component))
			return sh_error_set(err, SH_EXIT_FAILURE, "%s does not run on %s", component,
					    h->name);
		if (infra_wait(x, 120, "the service to answer", answers, &a, err) < 0)
			return -1;
		infra_log(x, "%s: %s answers", h->name, component);
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
static int config_one(struct infra *x, const struct catalog *cat, const char *service, int to,
		      const struct inv_host *h, struct sh_error *err)
{
	struct ini ini = { 0 };
	config_change_vec changes = { 0 };
	char *text = NULL, *res = NULL, label[128];
	size_t len = 0, rlen = 0;
	int r = -1;

	if (infra_svc(x, h, "config", service, NULL, &text, err) < 0)
		goto out;
	len = strlen(text);
	snprintf(label, sizeof(label), "%s:%s.conf", h->name, service);
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
	if (infra_svc_stdin(x, h, "config-write", service, NULL, res, NULL, err) < 0)
		goto out;
	infra_log(x, "%s: %s's configuration written (%zu changes)", h->name, service, changes.n);
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
	for (size_t i = 0; i < n; i++)
		if (config_one(x, cat, service, to, hosts[i], err) < 0)
			return -1;
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
		char key[96], *esc, *cq;
		size_t len, qlen;

		snprintf(key, sizeof(key), "%s_db_password", user);
		if (!(pw = secrets_get(x->secrets, key))) {
			sh_error_set(err, SH_EXIT_INPUT,
				     "no database user '%s'@'%%', and the secrets file holds no '%s' to create it with",
				     user, key);
			goto out;
		}
		len = strlen(pw);
		esc = xmalloc(2 * len + 1);
		mysql_real_escape_string(m, esc, pw, (unsigned long)len);
		qlen = strlen(esc) + 128;
		cq = xmalloc(qlen);
		snprintf(cq, qlen, "CREATE USER IF NOT EXISTS '%s'@'%%' IDENTIFIED BY '%s'", user, esc);
		/* Not infra_sql(): its error would quote the statement. */
		have = mysql_query(m, cq);
		explicit_bzero(esc, 2 * len + 1);
		explicit_bzero(cq, qlen);
		free(esc);
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

long service_archived_rows(const char *output)
{
	bool table = false;
	long sum = 0;

	if (strstr(output, "Nothing was archived."))
		return 0;
	for (const char *l = output; *l;) {
		size_t len = strcspn(l, "\n");
		char line[512], name[256];
		long n;
		int used = 0;

		snprintf(line, sizeof(line), "%.*s", (int)len, l);
		l += len + (l[len] == '\n');
		if (str_has_prefix(line, "| Table ") && strstr(line, "| Number of Rows Archived"))
			table = true;
		else if (table && sscanf(line, "| %255s | %ld |%n", name, &n, &used) == 2 &&
			 used > 0 && n >= 0)
			sum += n;
	}
	return table ? sum : -1;
}
