/*
 * galera-backup.c - verified backups of the Galera cluster.
 *
 * backup: mariadb-dump --single-transaction of every database but the
 * mysql schema, plus the users and grants as portable SQL (--system=users:
 * the mysql schema's tables are not replicated by Galera, so loading them
 * as rows through one node would leave the others different), with
 * routines, events and triggers, through the VIP, into PATH.tmp; then
 * verification; then fsync, PATH.sha256 and the rename to PATH.
 *
 * Verification restores the dump into a scratch mysqld started here
 * (its own datadir and socket, no network) and compares with the cluster,
 * whose tables were counted and checksummed (CHECKSUM TABLE) just before
 * and just after the dump: a table equal in both is compared exactly; a
 * table written to during the dump must have a row count between the two.
 * Every table, routine, trigger, event and user of the cluster must be in
 * the restore, and the dump must end with mariadb-dump's completion line.
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fault.h"
#include "fileio.h"
#include "galera.h"
#include "run-command.h"
#include "util.h"

#define SKIP_SCHEMAS "('mysql', 'information_schema', 'performance_schema', 'sys')"

struct table_stat {
	char *name;			/* `schema`.`table`, quoted */
	long long rows;
	char sum[32];
};

struct db_stats {
	VEC(struct table_stat) t;
	char *objects;			/* routines, triggers, events: sorted lines */
	char *users;			/* user@host lines */
};

static void stats_free(struct db_stats *s)
{
	for (size_t i = 0; i < s->t.n; i++)
		free(s->t.v[i].name);
	vec_free(s->t);
	free(s->objects);
	free(s->users);
	memset(s, 0, sizeof(*s));
}

static int collect(MYSQL *m, struct db_stats *s, struct sh_error *err)
{
	char *list = NULL;

	memset(s, 0, sizeof(*s));
	if (infra_sql(m, "SELECT CONCAT('`', REPLACE(table_schema, '`', '``'), '`.`',"
		      " REPLACE(table_name, '`', '``'), '`') FROM information_schema.tables"
		      " WHERE table_type = 'BASE TABLE' AND table_schema NOT IN " SKIP_SCHEMAS
		      " ORDER BY 1", &list, err) < 0)
		return -1;
	for (char *save = NULL, *l = strtok_r(list, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct table_stat t = { .name = xstrdup(l) };
		char q[1024], *out;

		snprintf(q, sizeof(q), "SELECT COUNT(*) FROM %s", l);
		if (infra_sql(m, q, &out, err) < 0)
			goto fail;
		t.rows = strtoll(out, NULL, 10);
		free(out);
		snprintf(q, sizeof(q), "CHECKSUM TABLE %s", l);
		if (infra_sql(m, q, &out, err) < 0)
			goto fail;
		/* "name\tchecksum" */
		snprintf(t.sum, sizeof(t.sum), "%.*s", (int)strcspn(strchr(out, '\t') ? strchr(out, '\t') + 1 : "", "\n"),
			 strchr(out, '\t') ? strchr(out, '\t') + 1 : "");
		free(out);
		vec_push(s->t, t);
		continue;
fail:
		free(t.name);
		free(list);
		stats_free(s);
		return -1;
	}
	free(list);
	if (infra_sql(m, "SELECT CONCAT('routine ', routine_schema, '.', routine_name) AS o"
		      " FROM information_schema.routines WHERE routine_schema NOT IN " SKIP_SCHEMAS
		      " UNION ALL SELECT CONCAT('trigger ', trigger_schema, '.', trigger_name)"
		      " FROM information_schema.triggers WHERE trigger_schema NOT IN " SKIP_SCHEMAS
		      " UNION ALL SELECT CONCAT('event ', event_schema, '.', event_name)"
		      " FROM information_schema.events ORDER BY 1", &s->objects, err) < 0 ||
	    infra_sql(m, "SELECT CONCAT(user, '@', host) FROM mysql.user ORDER BY 1",
		      &s->users, err) < 0) {
		stats_free(s);
		return -1;
	}
	return 0;
}

static const struct table_stat *find_table(const struct db_stats *s, const char *name)
{
	for (size_t i = 0; i < s->t.n; i++)
		if (streq(s->t.v[i].name, name))
			return &s->t.v[i];
	return NULL;
}

/* ---- the scratch server -------------------------------------------------------- */

struct scratch {
	char dir[64];
	char sock[128];
	struct child_process server;	/* mariadbd */
};

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void scratch_stop(struct scratch *s)
{
	if (s->server.pid > 0) {
		child_kill(&s->server, SIGTERM);
		for (int i = 0; i < 300 && child_reap(&s->server, false) == 0; i++)
			poll(NULL, 0, 100);
		child_release(&s->server);	/* SIGKILL if it still runs */
	}
	if (s->dir[0])
		nftw(s->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	s->dir[0] = '\0';
}

static int chown_tree(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	struct passwd *pw = getpwnam("mysql");

	(void)sb;
	(void)flag;
	(void)ftw;
	return pw ? lchown(path, pw->pw_uid, pw->pw_gid) : 0;
}

static int scratch_start(struct infra *x, struct scratch *s, struct sh_error *err)
{
	char datadir[128], arg_data[160], arg_sock[160], arg_pid[160], arg_log[160];
	const char *install[] = { "mariadb-install-db", "--no-defaults", arg_data,
		"--user=mysql", "--skip-test-db", "--auth-root-authentication-method=socket", NULL };
	const char *server[] = { "mariadbd", "--no-defaults", arg_data, arg_sock, arg_pid, arg_log,
		"--user=mysql", "--skip-networking", "--innodb-buffer-pool-size=64M",
		"--performance-schema=OFF", "--wsrep-on=OFF", NULL };
	memset(s, 0, sizeof(*s));
	s->server = (struct child_process)CHILD_PROCESS_INIT;
	snprintf(s->dir, sizeof(s->dir), "/var/tmp/stackhop-verify-XXXXXX");
	if (!mkdtemp(s->dir)) {
		s->dir[0] = '\0';
		return sh_error_set(err, SH_EXIT_FAILURE, "cannot create a scratch directory: %s",
				    strerror(errno));
	}
	chmod(s->dir, 0750);
	snprintf(datadir, sizeof(datadir), "%s/data", s->dir);
	snprintf(s->sock, sizeof(s->sock), "%s/mysqld.sock", s->dir);
	snprintf(arg_data, sizeof(arg_data), "--datadir=%s", datadir);
	snprintf(arg_sock, sizeof(arg_sock), "--socket=%s", s->sock);
	snprintf(arg_pid, sizeof(arg_pid), "--pid-file=%s/mysqld.pid", s->dir);
	snprintf(arg_log, sizeof(arg_log), "--log-error=%s/error.log", s->dir);
	mkdir(datadir, 0750);
	nftw(s->dir, chown_tree, 16, FTW_PHYS);
	if (infra_local(x, install, NULL, err) < 0)
		return sh_error_prefix(err, "scratch mysqld for verification");
	s->server.argv = server;	/* stdio /dev/null: its log is --log-error */
	if (child_start(&s->server, err) < 0)
		return sh_error_prefix(err, "scratch mysqld for verification");
	for (int i = 0; i < 300; i++) {
		MYSQL *m = mysql_init(NULL);

		mysql_options(m, MYSQL_READ_DEFAULT_FILE, "/dev/null");
		if (mysql_real_connect(m, NULL, "root", NULL, NULL, 0, s->sock, 0)) {
			mysql_close(m);
			return 0;
		}
		mysql_close(m);
		if (child_reap(&s->server, false) == 1) {
			child_release(&s->server);
			return sh_error_set(err, SH_EXIT_FAILURE,
					    "the scratch mysqld for verification died at start (see %s/error.log)",
					    s->dir);
		}
		poll(NULL, 0, 100);
	}
	return sh_error_set(err, SH_EXIT_FAILURE, "the scratch mysqld did not answer in 30 s");
}

static MYSQL *scratch_connect(struct scratch *s, struct sh_error *err)
{
	MYSQL *m = mysql_init(NULL);

	mysql_options(m, MYSQL_READ_DEFAULT_FILE, "/dev/null");
	if (!mysql_real_connect(m, NULL, "root", NULL, NULL, 0, s->sock, 0)) {
		sh_error_set(err, SH_EXIT_FAILURE, "scratch mysqld: %s", mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	return m;
}

/* ---- option files, the VIP, checksums -------------------------------------------- */

/*
 * A client option file holding the credentials, so that no password is in
 * a command line: a memfd of mode 0600 that no directory holds, given to
 * the client as /proc/PID/fd/N of this process.  It ends with the
 * descriptor (cnf_close()) or with the process, killed or not: nothing is
 * left behind.  The descriptor is close-on-exec; the client opens it by
 * that path while this process waits for it.
 */
static int client_cnf(struct infra *x, int *fd, char *arg, size_t asize, struct sh_error *err)
{
	const char *pw = secrets_get(x->secrets, "database_password");
	char *text;
	size_t cap, len;
	int r = -1;

	*fd = -1;
	if (!pw)
		return sh_error_set(err, SH_EXIT_INPUT, "the secrets file has no database_password");
	cap = strlen(pw) * 2 + strlen(x->st->database_user) + 64;
	text = xmalloc(cap);
	{
		size_t o = (size_t)snprintf(text, cap, "[client]\nuser=%s\npassword=\"",
					    x->st->database_user);

		for (const char *p = pw; *p; p++) {
			if (*p == '"' || *p == '\\')
				text[o++] = '\\';
			text[o++] = *p;
		}
		snprintf(text + o, cap - o, "\"\n");
	}
	len = strlen(text);
	*fd = memfd_create("stackhop-client.cnf", MFD_CLOEXEC);
	if (*fd < 0 || fchmod(*fd, 0600) < 0 || write(*fd, text, len) != (ssize_t)len) {
		sh_error_set(err, SH_EXIT_FAILURE, "cannot write the client option file: %s",
			     strerror(errno));
		goto out;
	}
	snprintf(arg, asize, "--defaults-extra-file=/proc/%d/fd/%d", (int)getpid(), *fd);
	r = 0;
out:
	explicit_bzero(text, cap);
	free(text);
	if (r < 0 && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	return r;
}

static void cnf_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

static int sha256_file(const char *path, char hex[65], struct sh_error *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char buf[65536], md[32];
	unsigned int mdlen = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		EVP_MD_CTX_free(ctx);
		return sh_error_set(err, SH_EXIT_FAILURE, "cannot read '%s': %s", path, strerror(errno));
	}
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	close(fd);
	if (n < 0)
		return sh_error_set(err, SH_EXIT_FAILURE, "cannot read '%s': %s", path, strerror(errno));
	for (unsigned int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* The dump ends with mariadb-dump's "-- Dump completed" line. */
static bool dump_complete(const char *path)
{
	char tail[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t size;
	ssize_t n;

	if (fd < 0)
		return false;
	size = lseek(fd, 0, SEEK_END);
	n = pread(fd, tail, sizeof(tail) - 1, size > 200 ? size - 200 : 0);
	close(fd);
	if (n <= 0)
		return false;
	tail[n] = '\0';
	return strstr(tail, "-- Dump completed") != NULL;
}

/*
 * The cluster's accounts as SQL that any account with the grant option
 * can replay through the VIP: CREATE USER IF NOT EXISTS and the grants of
 * each, from SHOW CREATE USER and SHOW GRANTS.  The node-local accounts
 * every node makes for itself (root, mysql and mariadb.sys at localhost;
 * root's PROXY grant cannot be replayed by another account) and roles are
 * left out.
 */
static int users_sql(MYSQL *m, char **ret, struct sh_error *err)
{
	char *list = NULL;
	size_t len = 0, cap = 256;
	char *buf = xmalloc(cap);

	*ret = NULL;
	len = (size_t)snprintf(buf, cap, "-- stackhop: the accounts and their grants\n");
	if (infra_sql(m, "SELECT CONCAT(QUOTE(user), '@', QUOTE(host)) FROM mysql.user"
		      " WHERE is_role = 'N' AND NOT (host = 'localhost' AND user IN"
		      " ('root', 'mysql', 'mariadb.sys')) ORDER BY 1", &list, err) < 0) {
		free(buf);
		return -1;
	}
	for (char *save = NULL, *u = strtok_r(list, "\n", &save); u; u = strtok_r(NULL, "\n", &save)) {
		char q[600], *out = NULL;

		for (int pass = 0; pass < 2; pass++) {
			snprintf(q, sizeof(q), "%s %s", pass ? "SHOW GRANTS FOR" : "SHOW CREATE USER", u);
			if (infra_sql(m, q, &out, err) < 0) {
				free(list);
				free(buf);
				return -1;
			}
			for (char *s2 = NULL, *l = strtok_r(out, "\n", &s2); l; l = strtok_r(NULL, "\n", &s2)) {
				bool create = str_has_prefix(l, "CREATE USER ");
				size_t need = strlen(l) + 32;

				while (len + need >= cap)
					buf = xrealloc(buf, cap *= 2);
				len += (size_t)snprintf(buf + len, cap - len, "%s%s;\n",
							create ? "CREATE USER IF NOT EXISTS " : "",
							create ? l + strlen("CREATE USER ") : l);
			}
			free(out);
		}
	}
	free(list);
	*ret = buf;
	return 0;
}

/* path (0600) = head followed by the bytes of file from. */
static int concat_file(const char *path, const char *head, const char *from,
		       struct sh_error *err)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	char buf[65536];
	ssize_t n = 0;

	if (in < 0)
		return sh_error_set(err, SH_EXIT_FAILURE, "cannot read '%s': %s", from, strerror(errno));
	unlink(path);
	out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0 || write(out, head, strlen(head)) != (ssize_t)strlen(head))
		goto fail;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			goto fail;
	if (n < 0)
		goto fail;
	close(in);
	close(out);
	return 0;
fail:
	sh_error_set(err, SH_EXIT_FAILURE, "cannot write '%s': %s", path, strerror(errno));
	close(in);
	if (out >= 0)
		close(out);
	return -1;
}

/* ---- verification ------------------------------------------------------------------ */

/*
 * Restore path into a scratch server and compare with before/after, the
 * cluster's tables before and after the dump.  With after NULL, before is
 * the cluster now, which may have been written to since the backup (a
 * cloud's services write all the time): a table that differs counts as
 * changed since, and only its presence is checked.  Prints what it
 * compared.
 */
static int verify_against(struct infra *x, const char *path, const struct db_stats *before,
			  const struct db_stats *after, struct sh_error *err)
{
	bool since = !after;

	struct scratch s;
	char sock_arg[160], missing[256];
	const char *load[] = { "mariadb", "--no-defaults", "-u", "root", sock_arg, NULL };
	struct db_stats got = { 0 };
	MYSQL *m = NULL;
	size_t exact = 0, live = 0;
	int r = -1;

	if (since)
		after = before;

	if (!dump_complete(path))
		return sh_error_set(err, SH_EXIT_FAILURE,
				    "backup '%s' does not end with mariadb-dump's completion line: it is truncated",
				    path);
	if (scratch_start(x, &s, err) < 0)
		goto out;
	snprintf(sock_arg, sizeof(sock_arg), "--socket=%s", s.sock);
	infra_log(x, "verify: restoring into a scratch mysqld (%s)", s.dir);
	if (infra_local(x, load, path, err) < 0) {
		sh_error_prefix(err, "backup '%s' does not restore", path);
		goto out;
	}
	if (!(m = scratch_connect(&s, err)) || collect(m, &got, err) < 0)
		goto out;
	for (size_t i = 0; i < before->t.n; i++) {
		const struct table_stat *b = &before->t.v[i], *a = find_table(after, b->name);
		const struct table_stat *g = find_table(&got, b->name);

		if (!a)
			continue;	/* dropped during the dump */
		if (!g) {
			sh_error_set(err, SH_EXIT_FAILURE, "backup '%s' lacks table %s", path, b->name);
			goto out;
		}
		if (since) {
			if (g->rows == b->rows && streq(g->sum, b->sum))
				exact++;
			else
				live++;
		} else if (a->rows == b->rows && streq(a->sum, b->sum)) {
			if (g->rows != b->rows || !streq(g->sum, b->sum)) {
				sh_error_set(err, SH_EXIT_FAILURE,
					     "backup '%s': table %s restores with %lld rows (checksum %s), the cluster has %lld (checksum %s)",
					     path, b->name, g->rows, g->sum, b->rows, b->sum);
				goto out;
			}
			exact++;
		} else {
			long long lo = a->rows < b->rows ? a->rows : b->rows;
			long long hi = a->rows < b->rows ? b->rows : a->rows;

			if (g->rows < lo || g->rows > hi) {
				sh_error_set(err, SH_EXIT_FAILURE,
					     "backup '%s': table %s restores with %lld rows; it had %lld to %lld during the dump",
					     path, b->name, g->rows, lo, hi);
				goto out;
			}
			live++;
		}
	}
	if (!str_lines_within(before->objects, got.objects, missing, sizeof(missing))) {
		sh_error_set(err, SH_EXIT_FAILURE, "backup '%s' lacks %s", path, missing);
		goto out;
	}
	if (!str_lines_within(before->users, got.users, missing, sizeof(missing))) {
		sh_error_set(err, SH_EXIT_FAILURE, "backup '%s' lacks user %s", path, missing);
		goto out;
	}
	if (since)
		infra_log(x, "verify: %zu tables equal to the cluster now in rows and CHECKSUM TABLE, %zu changed since the backup (present); routines, triggers, events and users present",
			  exact, live);
	else
		infra_log(x, "verify: %zu tables equal in rows and CHECKSUM TABLE, %zu written to during the dump within their row counts; routines, triggers, events and users present",
			  exact, live);
	r = 0;
out:
	if (m)
		mysql_close(m);
	stats_free(&got);
	scratch_stop(&s);
	return r;
}

static int read_sha(const char *path, char hex[65], struct sh_error *err)
{
	char shapath[PATH_MAX], *buf;
	size_t len;

	snprintf(shapath, sizeof(shapath), "%s.sha256", path);
	if (read_file_limited(shapath, 4096, &buf, &len, err) < 0)
		return -1;
	if (len < 64 || strspn(buf, "0123456789abcdef") != 64) {
		free(buf);
		return sh_error_set(err, SH_EXIT_FAILURE, "'%s' is not a SHA-256 checksum file", shapath);
	}
	memcpy(hex, buf, 64);
	hex[64] = '\0';
	free(buf);
	return 0;
}

int galera_verify(struct infra *x, const char *path, struct sh_error *err)
{
	char want[65], got[65];
	struct db_stats now = { 0 };
	MYSQL *m;
	int r;

	if (read_sha(path, want, err) < 0 || sha256_file(path, got, err) < 0)
		return -1;
	if (!streq(want, got))
		return sh_error_set(err, SH_EXIT_FAILURE,
				    "backup '%s' does not match its checksum (%.12s..., the file has %.12s...): it changed since it was written",
				    path, want, got);
	infra_log(x, "verify: SHA-256 matches %s.sha256", path);
	if (!(m = infra_vip_connect(x, err)))
		return -1;
	r = collect(m, &now, err);
	mysql_close(m);
	if (r < 0)
		return -1;
	r = verify_against(x, path, &now, NULL, err);
	stats_free(&now);
	return r;
}

int galera_backup(struct infra *x, const char *path, struct sh_error *err)
{
	char tmp[PATH_MAX], dtmp[PATH_MAX], shapath[PATH_MAX], cnfarg[160];
	char host[256], port[16], *users = NULL;
	char hostarg[300], portarg[32], resarg[PATH_MAX + 20], hex[65], line[PATH_MAX + 80];
	const char *dump[] = { "mariadb-dump", cnfarg, hostarg, portarg, "--single-transaction",
		"--all-databases", "--ignore-database=mysql", "--routines", "--events",
		"--triggers", resarg, NULL };
	struct db_stats before = { 0 }, after = { 0 };
	MYSQL *m = NULL;
	char *base;
	int fd, cnffd = -1, r = -1;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(dtmp, sizeof(dtmp), "%s.dump.tmp", path);
	snprintf(shapath, sizeof(shapath), "%s.sha256", path);
	if (infra_vip_parts(x, host, sizeof(host), port, sizeof(port), err) < 0 ||
	    client_cnf(x, &cnffd, cnfarg, sizeof(cnfarg), err) < 0)
		goto out;
	snprintf(hostarg, sizeof(hostarg), "--host=%s", host);
	snprintf(portarg, sizeof(portarg), "--port=%s", port);
	snprintf(resarg, sizeof(resarg), "--result-file=%s", dtmp);
	/* The dump holds password hashes: the file is private from the start. */
	unlink(dtmp);
	if ((fd = open(dtmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		sh_error_set(err, SH_EXIT_FAILURE, "cannot create '%s': %s", dtmp, strerror(errno));
		goto out;
	}
	close(fd);
	if (!(m = infra_vip_connect(x, err)) || collect(m, &before, err) < 0)
		goto out;
	infra_log(x, "backup: %zu tables through %s; mariadb-dump --single-transaction", before.t.n,
		  x->st->database);
	if (infra_local(x, dump, NULL, err) < 0 || users_sql(m, &users, err) < 0 ||
	    concat_file(tmp, users, dtmp, err) < 0)
		goto out;
	if (collect(m, &after, err) < 0)
		goto out;
	fault_truncate("backup", tmp);
	if (verify_against(x, tmp, &before, &after, err) < 0)
		goto out;
	if ((fd = open(tmp, O_RDONLY | O_CLOEXEC)) < 0 || fsync(fd) < 0) {
		sh_error_set(err, SH_EXIT_FAILURE, "cannot sync '%s': %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	if (sha256_file(tmp, hex, err) < 0)
		goto out;
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : (char *)path;
	snprintf(line, sizeof(line), "%s  %s\n", hex, base);
	if (write_file_atomic(shapath, line, strlen(line), 0600, err) < 0)
		goto out;
	if (rename(tmp, path) < 0) {
		sh_error_set(err, SH_EXIT_FAILURE, "cannot rename '%s' to '%s': %s", tmp, path,
			     strerror(errno));
		goto out;
	}
	{
		char dir[PATH_MAX];
		int dfd;

		strlcpy_sh(dir, path, sizeof(dir));
		if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	infra_log(x, "backup: %s (sha256 %.12s...), verified", path, hex);
	r = 0;
out:
	if (r < 0)
		unlink(tmp);
	unlink(dtmp);
	free(users);
	if (m)
		mysql_close(m);
	stats_free(&before);
	stats_free(&after);
	cnf_close(cnffd);
	return r;
}

int galera_restore(struct infra *x, const char *path, struct sh_error *err)
{
	char want[65], got[65], cnfarg[160], host[256], port[16];
	char hostarg[300], portarg[32];
	const char *load[] = { "mariadb", cnfarg, hostarg, portarg, NULL };
	int cnffd = -1, r = -1;

	if (read_sha(path, want, err) < 0 || sha256_file(path, got, err) < 0)
		return -1;
	if (!streq(want, got))
		return sh_error_set(err, SH_EXIT_FAILURE,
				    "backup '%s' does not match its checksum: refusing to restore it", path);
	if (!dump_complete(path))
		return sh_error_set(err, SH_EXIT_FAILURE, "backup '%s' is truncated: refusing to restore it",
				    path);
	if (infra_vip_parts(x, host, sizeof(host), port, sizeof(port), err) < 0 ||
	    client_cnf(x, &cnffd, cnfarg, sizeof(cnfarg), err) < 0)
		goto out;
	snprintf(hostarg, sizeof(hostarg), "--host=%s", host);
	snprintf(portarg, sizeof(portarg), "--port=%s", port);
	infra_log(x, "restore: loading %s through %s", path, x->st->database);
	if (infra_local(x, load, path, err) < 0)
		goto out;
	infra_log(x, "restore: done");
	r = 0;
out:
	cnf_close(cnffd);
	return r;
}
