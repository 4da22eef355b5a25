/*
 * infra.c - see infra.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "infra.h"
#include "util.h"

const char *const infra_db_groups[] = { "mariadb", "galera", "control", NULL };
const char *const infra_lb_groups[] = { "haproxy", "loadbalancer", "control", NULL };
const char *const infra_mq_groups[] = { "rabbitmq", "control", NULL };

double infra_elapsed(const struct infra *x)
{
	return monotonic_now() - x->t0;
}

void infra_log(struct infra *x, const char *fmt, ...)
{
	va_list ap;

	if (x->quiet)
		return;
	printf("[%6.1f s] ", infra_elapsed(x));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void infra_close(struct infra *x)
{
	secrets_free(x->secrets);
	settings_free(x->st);
	inventory_free(x->inv);
	memset(x, 0, sizeof(*x));
}

int infra_hosts(struct infra *x, const char *const *names, inv_host_vec *out,
		struct sh_error *err)
{
	char tried[256] = "";

	for (size_t i = 0; names[i]; i++) {
		bool missing = false;

		out->n = 0;
		inventory_select(x->inv, names[i], out, &missing);
		if (!missing && out->n)
			return 0;
		snprintf(tried + strlen(tried), sizeof(tried) - strlen(tried), "%s%s",
			 i ? ", " : "", names[i]);
	}
	return sh_error_set(err, SH_EXIT_INPUT, "the inventory has no hosts in any of the groups %s",
			    tried);
}

struct inv_host *infra_host(struct infra *x, const char *name)
{
	for (size_t i = 0; i < x->inv->hosts.n; i++)
		if (streq(x->inv->hosts.v[i]->name, name))
			return x->inv->hosts.v[i];
	return NULL;
}

/* The last line of a command's stderr, for messages (secrets redacted). */
static char *last_line(struct infra *x, const struct outbuf *b)
{
	size_t end = b->len, start;
	char *line, *r;

	while (end && (b->data[end - 1] == '\n' || b->data[end - 1] == ' '))
		end--;
	start = end;
	while (start && b->data[start - 1] != '\n')
		start--;
	line = xstrndup(b->data ? b->data + start : "", end - start);
	if (!x->secrets)
		return line;
	r = redact(&x->secrets->redactor, line, strlen(line));
	free(line);
	return r;
}

int infra_run(struct infra *x, const struct inv_host *h, const char *const *argv,
	      const char *stdin_data, int timeout_s, char **out, struct sh_error *err)
{
	struct proc p = { .in_fd = -1, .out_fd = -1, .err_fd = -1 };
	int status;

	if (out)
		*out = NULL;
	/* What it prints is data (out): all of it, or an error, never a tail. */
	if (transport_run(&x->ssh, h, argv, stdin_data, stdin_data ? strlen(stdin_data) : 0,
			  timeout_s, out != NULL, &p, err) < 0)
		return -1;
	status = p.status;
	if (p.out.overflow) {
		sh_error_set(err, SH_EXIT_FAILURE,
			     "%s on %s printed more than %s, the limit of data read from a node (%d bytes): nothing of it used",
			     argv[0], h->name, PROC_DATA_MAX_TEXT, PROC_DATA_MAX);
		explicit_bzero(p.out.data, p.out.len);
		proc_release(&p);
		return -1;
	}
	if (status != 0) {
		char *line = last_line(x, &p.err);

		sh_error_set(err, SH_EXIT_FAILURE, "%s on %s: %s (exit status %d)", argv[0],
			     h->name, *line ? line : p.timed_out ? "timed out" : "failed", status);
		free(line);
	}
	if (out) {
		*out = xstrndup(p.out.data ? p.out.data : "", p.out.len);
		if (p.out.data)
			explicit_bzero(p.out.data, p.out.len);
	}
	proc_release(&p);
	return status;
}

MYSQL *infra_sql_connect(struct infra *x, const char *host, int port,
			 struct sh_error *err)
{
	MYSQL *m = mysql_init(NULL);
	unsigned int connect_to = 3, rw_to = 30;
	const char *pw = x->secrets ? secrets_get(x->secrets, "database_password") : NULL;

	if (!m) {
		sh_error_set(err, SH_EXIT_FAILURE, "out of memory");
		return NULL;
	}
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_to);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rw_to);
	mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &rw_to);
	mysql_options(m, MYSQL_READ_DEFAULT_FILE, "/dev/null");
	if (!mysql_real_connect(m, host, x->st->database_user, pw, NULL, (unsigned int)port,
				NULL, 0)) {
		sh_error_set(err, SH_EXIT_FAILURE, "SQL to %s:%d as %s: %s", host, port,
			     x->st->database_user, mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	return m;
}

int infra_vip_parts(struct infra *x, char *host, size_t size, char *port, size_t psize,
		    struct sh_error *err)
{
	const char *colon;

	if (!x->st->database)
		return sh_error_set(err, SH_EXIT_INPUT,
				    "the settings have no endpoints.database (the VIP's SQL address)");
	colon = strrchr(x->st->database, ':');
	snprintf(host, size, "%.*s", (int)(colon - x->st->database), x->st->database);
	snprintf(port, psize, "%s", colon + 1);
	return 0;
}

MYSQL *infra_vip_connect(struct infra *x, struct sh_error *err)
{
	char host[256], port[16];

	if (infra_vip_parts(x, host, sizeof(host), port, sizeof(port), err) < 0)
		return NULL;
	return infra_sql_connect(x, host, atoi(port), err);
}

int infra_sql(MYSQL *m, const char *q, char **out, struct sh_error *err)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	size_t len = 0, cap = 64;
	char *buf;

	if (out)
		*out = NULL;
	if (mysql_query(m, q))
		return sh_error_set(err, SH_EXIT_FAILURE, "SQL '%.60s': %s", q, mysql_error(m));
	res = mysql_store_result(m);
	if (!res) {
		if (mysql_field_count(m))
			return sh_error_set(err, SH_EXIT_FAILURE, "SQL '%.60s': %s", q, mysql_error(m));
		if (out)
			*out = xstrdup("");
		return 0;
	}
	buf = xmalloc(cap);
	buf[0] = '\0';
	while ((row = mysql_fetch_row(res))) {
		unsigned int nf = mysql_num_fields(res);

		for (unsigned int i = 0; i < nf && i < 2; i++) {
			const char *v = row[i] ? row[i] : "NULL";
			size_t vl = strlen(v);

			while (len + vl + 2 > cap)
				buf = xrealloc(buf, cap *= 2);
			memcpy(buf + len, v, vl);
			len += vl;
			buf[len++] = i + 1 < nf && i == 0 ? '\t' : '\n';
			buf[len] = '\0';
		}
	}
	mysql_free_result(res);
	if (out)
		*out = buf;
	else
		free(buf);
	return 0;
}

int haproxy_cmd(struct infra *x, const struct inv_host *h, const char *cmd, char **out,
		struct sh_error *err)
{
	char *sock = settings_node_path(x->st->haproxy_socket, h->name);
	size_t cl = strlen(sock) + 16, il = strlen(cmd) + 2;
	char *conn = xmalloc(cl), *in = xmalloc(il);
	const char *argv[] = { "socat", "-t", "5", "stdio", conn, NULL };
	int r;

	snprintf(conn, cl, "UNIX-CONNECT:%s", sock);
	snprintf(in, il, "%s\n", cmd);
	r = infra_run(x, h, argv, in, 30, out, err);
	free(sock);
	free(conn);
	free(in);
	if (r != 0) {
		free(*out);	/* infra_run() fills it even on failure */
		*out = NULL;
		return sh_error_prefix(err, "HAProxy runtime API on %s ('%s')", h->name, cmd);
	}
	return 0;
}

/* Field number of name in a "# a,b,c" CSV header, or -1. */
static int csv_field(const char *header, const char *name)
{
	int i = 0;
	size_t nl = strlen(name);

	for (const char *p = header; p && *p; i++) {
		const char *c = strpbrk(p, ",\n");
		size_t fl = c ? (size_t)(c - p) : strlen(p);

		if (fl == nl && !strncmp(p, name, nl))
			return i;
		if (!c || *c == '\n')
			break;
		p = c + 1;
	}
	return -1;
}

/* Field i of a CSV line into buf. */
static void csv_get(const char *line, int i, char *buf, size_t size)
{
	const char *p = line;

	for (int k = 0; k < i && p; k++) {
		p = strpbrk(p, ",\n");
		if (p && *p == ',')
			p++;
		else
			p = NULL;
	}
	buf[0] = '\0';
	if (p) {
		size_t fl = strcspn(p, ",\n");

		snprintf(buf, size, "%.*s", (int)fl, p);
	}
}

int haproxy_servers(struct infra *x, const struct inv_host *h, const char *backend,
		    struct haproxy_server **ret, size_t *n, struct sh_error *err)
{
	char *out, *line;
	int fpx, fsv, fst, fcur, fbck;
	VEC(struct haproxy_server) v = { 0 };

	*ret = NULL;
	*n = 0;
	if (haproxy_cmd(x, h, "show stat", &out, err) < 0)
		return -1;
	if (!str_has_prefix(out, "# ")) {
		sh_error_set(err, SH_EXIT_FAILURE, "HAProxy on %s: 'show stat' gave no CSV header", h->name);
		free(out);
		return -1;
	}
	fpx = csv_field(out + 2, "pxname");
	fsv = csv_field(out + 2, "svname");
	fst = csv_field(out + 2, "status");
	fcur = csv_field(out + 2, "scur");
	fbck = csv_field(out + 2, "bck");
	if (fpx < 0 || fsv < 0 || fst < 0 || fcur < 0 || fbck < 0) {
		sh_error_set(err, SH_EXIT_FAILURE,
			     "HAProxy on %s: 'show stat' lacks pxname, svname, status, scur or bck", h->name);
		free(out);
		return -1;
	}
	for (line = strchr(out, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
		char px[128], sv[64], num[32];
		struct haproxy_server s = { 0 };
		const char *l = line + 1;

		csv_get(l, fpx, px, sizeof(px));
		csv_get(l, fsv, sv, sizeof(sv));
		if (!px[0] || (backend && !streq(px, backend)) || streq(sv, "FRONTEND") ||
		    streq(sv, "BACKEND"))
			continue;
		strlcpy_sh(s.backend, px, sizeof(s.backend));
		strlcpy_sh(s.name, sv, sizeof(s.name));
		csv_get(l, fst, s.status, sizeof(s.status));
		csv_get(l, fcur, num, sizeof(num));
		s.scur = strtol(num, NULL, 10);
		csv_get(l, fbck, num, sizeof(num));
		s.backup = strtol(num, NULL, 10) != 0;
		vec_push(v, s);
	}
	free(out);
	if (!v.n)
		return sh_error_set(err, SH_EXIT_FAILURE, "HAProxy on %s has no backend '%s'",
				    h->name, backend ? backend : "at all");
	*ret = v.v;
	*n = v.n;
	return 0;
}

int infra_wait(struct infra *x, double timeout_s, const char *what,
	       int (*ok)(struct infra *x, void *arg, struct sh_error *err), void *arg,
	       struct sh_error *err)
{
	double end = monotonic_now() + timeout_s;
	struct sh_error last = { 0 };

	for (;;) {
		int r;

		sh_error_clear(&last);
		r = ok(x, arg, &last);
		if (r == 1) {
			sh_error_clear(&last);
			return 0;
		}
		if (r < 0) {
			*err = last;
			return -1;
		}
		if (monotonic_now() >= end) {
			sh_error_set(err, SH_EXIT_FAILURE, "timed out after %.0f s waiting for %s%s%s",
				     timeout_s, what, last.msg[0] ? ": " : "", last.msg);
			sh_error_clear(&last);
			return -1;
		}
		poll(NULL, 0, 200);
	}
}

int infra_local(struct infra *x, const char *const *argv, const char *stdin_path,
		struct sh_error *err)
{
	char errpath[] = "/tmp/stackhop-local-XXXXXX";
	struct child_process c = CHILD_PROCESS_INIT;
	int efd = mkostemp(errpath, O_CLOEXEC), status;

	if (efd < 0)
		return sh_error_set(err, SH_EXIT_FAILURE, "cannot create a temporary file in /tmp: %s", strerror(errno));
	unlink(errpath);
	c.argv = argv;
	if (stdin_path) {
		c.in = CHILD_STDIO_FD;
		if ((c.in_fd = open(stdin_path, O_RDONLY | O_CLOEXEC)) < 0) {
			sh_error_set(err, SH_EXIT_FAILURE, "cannot open %s: %s", stdin_path,
				     strerror(errno));
			close(efd);
			return -1;
		}
	}
	c.err = CHILD_STDIO_FD;
	c.err_fd = efd;
	status = child_run(&c, err);
	if (c.in_fd >= 0)
		close(c.in_fd);
	if (status < 0) {
		close(efd);
		return -1;
	}
	if (status) {
		struct outbuf b = { 0 };
		char buf[4096];
		ssize_t n;
		char *line;

		lseek(efd, 0, SEEK_SET);
		/* The end of stderr is what explains a failure. */
		while ((n = read(efd, buf, sizeof(buf))) > 0) {
			b.data = xrealloc(b.data, b.len + (size_t)n);
			memcpy(b.data + b.len, buf, (size_t)n);
			b.len += (size_t)n;
		}
		line = last_line(x, &b);
		sh_error_set(err, SH_EXIT_FAILURE, "%s: %s (%s %d)", argv[0],
			     *line ? line : "failed", status > 128 ? "signal" : "exit status",
			     status > 128 ? status - 128 : status);
		free(line);
		free(b.data);
		close(efd);
		return -1;
	}
	close(efd);
	return 0;
}

/* The --mode given, else the settings' components: NAME: {mode}, else modes[0]. */
const char *infra_mode(struct infra *x, const char *name, const char *const *modes,
			   const char *given, struct sh_error *err)
{
	const struct setting_choice *m = settings_choice(&x->st->modes, name);

	if (given)
		return given;
	if (!m || !m->value)
		return modes[0];
	for (size_t i = 0; modes[i]; i++)
		if (streq(m->value, modes[i]))
			return m->value;
	sh_error_at(err, x->st->path ? x->st->path : "settings", m->line,
		    "unknown mode '%s' for component '%s' (expected %s or %s)", m->value, name,
		    modes[0], modes[1]);
	return NULL;
}

/* ---- HAProxy backends -------------------------------------------------------- */

int infra_lb_set(struct infra *x, const inv_host_vec *lb, const char *backend, const char *node,
		 const char *state, struct sh_error *err)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "set server %s/%s state %s", backend, node, state);
	for (size_t i = 0; i < lb->n; i++) {
		char *out;

		if (haproxy_cmd(x, lb->v[i], cmd, &out, err) < 0)
			return -1;
		if (out[strspn(out, " \r\n")]) {
			sh_error_set(err, SH_EXIT_FAILURE, "HAProxy on %s refused '%s': %.*s",
				     lb->v[i]->name, cmd, (int)strcspn(out, "\n"), out);
			free(out);
			return -1;
		}
		free(out);
	}
	return 0;
}

int infra_lb_no_sessions(struct infra *x, void *arg, struct sh_error *err)
{
	const struct infra_lb_server *l = arg;

	for (size_t i = 0; i < l->lb->n; i++) {
		struct haproxy_server *s;
		size_t n;

		if (haproxy_servers(x, l->lb->v[i], l->backend, &s, &n, err) < 0)
			return -1;
		for (size_t k = 0; k < n; k++)
			if (streq(s[k].name, l->node) && s[k].scur > 0) {
				sh_error_set(err, SH_EXIT_FAILURE, "%ld sessions through %s", s[k].scur,
					     l->lb->v[i]->name);
				free(s);
				return 0;
			}
		free(s);
	}
	return 1;
}

int infra_lb_status_is(struct infra *x, void *arg, struct sh_error *err)
{
	const struct infra_lb_server *l = arg;

	for (size_t i = 0; i < l->lb->n; i++) {
		struct haproxy_server *s;
		size_t n;
		bool ok = false;

		if (haproxy_servers(x, l->lb->v[i], l->backend, &s, &n, err) < 0)
			return -1;
		for (size_t k = 0; k < n; k++)
			if (streq(s[k].name, l->node)) {
				ok = str_has_prefix(s[k].status, l->want);
				if (!ok)
					sh_error_set(err, SH_EXIT_FAILURE, "%s shows it %s",
						     l->lb->v[i]->name, s[k].status);
			}
		free(s);
		if (!ok)
			return 0;
	}
	return 1;
}

/* The same character, or '_' against '+', '~' or '_': an image tag's
 * spelling of them (a tag cannot hold '+' or '~'). */
static bool version_char_is(char a, char b)
{
	return a == b || ((a == '_' || b == '_') && strchr("+~_", a) && strchr("+~_", b));
}

bool infra_version_is(const char *label, const char *v)
{
	size_t i;

	for (i = 0; v[i]; i++)
		if (!label[i] || !version_char_is(label[i], v[i]))
			return false;
	return !label[i] || strchr("-+~_", label[i]);
}
