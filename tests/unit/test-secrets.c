/* test-secrets.c - the secrets file: permissions, strictness, and that no
 * message ever contains a secret's value. */
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "catalog.h"
#include "drivers.h"
#include "executor.h"
#include "fileio.h"
#include "galera.h"
#include "harness.h"
#include "infra.h"
#include "inventory.h"
#include "journal.h"
#include "secrets.h"
#include "service.h"
#include "steps.h"

static char dir[] = "/tmp/stackhop-test-secrets-XXXXXX";

static const char *write_secrets(const char *name, const char *text, mode_t mode)
{
	static char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

TEST(loads_and_redacts)
{
	struct sh_error err = { 0 };
	struct secrets *s = NULL;
	const char *path = write_secrets("ok.yaml",
		"keystone_admin_password: \"Adm1n-pw\"\n"
		"transport_url: rabbit://openstack:R4bbit-pw@10.231.0.11:5672/\n", 0600);
	char *out;

	CHECK(secrets_load(path, &s, &err) == 0);
	if (!s)
		return;
	CHECK(streq(secrets_get(s, "keystone_admin_password"), "Adm1n-pw"));
	CHECK(!secrets_get(s, "nope"));
	out = redact(&s->redactor, "login Adm1n-pw via rabbit://openstack:R4bbit-pw@10.231.0.11:5672/ ok", 68);
	CHECK(!strstr(out, "Adm1n-pw") && !strstr(out, "R4bbit-pw"));
	CHECK_CONTAINS(out, "login [redacted] via [redacted] ok");
	free(out);
	secrets_free(s);
}

/* Each bad file is refused with a message that never holds the value. */
TEST(refusals_never_show_values)
{
	static const struct { const char *text; mode_t mode; const char *want; } cases[] = {
		{ "db_password: Sup3r-s3cret\n", 0644, "has mode 0644: it must be readable by its owner only" },
		{ "db_password: Sup3r-s3cret\n", 0640, "has mode 0640" },
		{ "db_password: [Sup3r-s3cret]\n", 0600, ":1: secret 'db_password' must be a non-empty string" },
		{ "db_password: Sup3r-s3cret\ndb_password: Sup3r-s3cret\n", 0600, ":2: duplicate key 'db_password'" },
		{ "db_password: abc\n", 0600, ":1: secret 'db_password' is shorter than 4 characters" },
		{ "db_password: Sup3r-s3cret: x\n", 0600, "invalid YAML" },
		{ "- Sup3r-s3cret\n", 0600, "expected a YAML mapping" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sh_error err = { 0 };
		struct secrets *s = NULL;
		const char *path = write_secrets("bad.yaml", cases[i].text, cases[i].mode);

		CHECK(secrets_load(path, &s, &err) < 0);
		CHECK(err.status == SH_EXIT_INPUT);
		CHECK_CONTAINS(err.msg, cases[i].want);
		CHECK(!strstr(err.msg, "Sup3r") && !strstr(err.msg, "abc\n"));
		CHECK(!s);
		unlink(path);
	}
}

/* Any run of four bytes of secret in text (a secret shown in part). */
static bool shows_part(const char *text, const char *secret)
{
	for (size_t i = 0; i + 4 <= strlen(secret); i++)
		if (memmem(text, strlen(text), secret + i, 4))
			return true;
	return false;
}

/* A secret that begins a longer one, and secrets that overlap: no part of
 * either is left, whatever the order they were added in. */
TEST(overlapping_secrets)
{
	static const char *const texts[] = {
		"pw=Passw0rd-Long-Tail end",
		"pw=Passw0rd end",
		"a Passw0rd-Long-Tail and a Passw0rd",
		"x Passw0rd-Long-Tailgate-9 y",	/* overlaps the long one */
	};
	static const char *const want[] = {
		"pw=[redacted] end",
		"pw=[redacted] end",
		"a [redacted] and a [redacted]",
		"x [redacted] y",
	};
	for (int order = 0; order < 2; order++) {
		struct redactor red = { 0 };
		const char *sec[] = { "Passw0rd", "Passw0rd-Long-Tail", "Tailgate-9" };

		for (int k = 0; k < 3; k++)
			CHECK(redactor_add(&red, sec[order ? 2 - k : k]) == 0);
		for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
			char *out = redact(&red, texts[i], strlen(texts[i]));

			CHECK(streq(out, want[i]));
			for (int k = 0; k < 3; k++)
				CHECK(!shows_part(out, sec[k]));
			free(out);
		}
		redactor_release(&red);
	}
}

/*
 * A step whose output has a secret across the point where the journal
 * cuts its tail (the last JOURNAL_TAIL_MAX bytes): the tail stored, which
 * "stackhop status" prints, holds no part of it.  Run for real: a command
 * through the local transport, the secrets on its stdin.
 */
/* A kept tail can begin inside a secret: redact_tail() covers that front,
 * redact() (for texts that were not cut) does not guess. */
TEST(tail_that_begins_inside_a_secret)
{
	struct redactor red = { 0 };
	const char *cut = "ong-Tail then the rest\n";
	char *a, *b;

	CHECK(redactor_add(&red, "Passw0rd-Long-Tail") == 0);
	CHECK(redactor_add(&red, "other-secret") == 0);
	a = redact_tail(&red, cut, strlen(cut));
	CHECK(streq(a, "[redacted] then the rest\n"));
	b = redact(&red, cut, strlen(cut));
	CHECK(streq(b, cut));
	free(a);
	free(b);
	/* The longest matching front wins; a whole secret later is covered. */
	a = redact_tail(&red, "ecret Passw0rd-Long-Tail.", 25);
	CHECK(streq(a, "[redacted] [redacted]."));
	free(a);
	a = redact_tail(&red, "nothing cut here", 16);
	CHECK(streq(a, "nothing cut here"));
	free(a);
	redactor_release(&red);
}

TEST(secret_across_the_tail_cut)
{
	static const char script[] =
		"read -r a; read -r b; printf \"%s\\n%s\" \"$a\" \"$b\"; "
		"head -c 4088 /dev/zero | tr \"\\0\" x";
	static struct cat_kv params[] = { { "stdin_secrets", "short_password,long_password" } };
	const char *stext = "short_password: \"Passw0rd\"\nlong_password: \"Passw0rd-Long-Tail\"\n";
	const char *spath = write_secrets("run.yaml", stext, 0600);
	static const struct journal_meta meta = { "liberty", "mitaka", "inventory", NULL,
						  "catalog", "local" };
	struct sh_error err = { 0 };
	struct catalog *cat = NULL;
	struct inventory *inv = NULL;
	struct secrets *sec = NULL;
	struct journal *j = NULL;
	struct journal_view v = { 0 };
	struct exec_report rep = { 0 };
	struct plan p = { 0 };
	struct plan_step st = { 0 };
	struct ssh_options so = { 0 };
	struct remote_driver rd = { 0 };
	struct exec_options eo = { .forks = 1, .timeout_s = 30, .backoff_s = 0.01 };
	const char *argv[] = { "sh", "-c", script, NULL };
	char ipath[300], jpath[300];

	snprintf(ipath, sizeof(ipath), "%s/local.ini", dir);
	snprintf(jpath, sizeof(jpath), "%s/cut.journal", dir);
	CHECK(write_file_atomic(ipath, "[control]\nhere ansible_connection=local\n", 40, 0600, &err) == 0);
	CHECK(secrets_load(spath, &sec, &err) == 0);
	CHECK(catalog_load("catalog", &cat, &err) == 0);
	CHECK(inventory_load(ipath, &inv, &err) == 0);
	if (!sec || !cat || !inv)
		goto out;
	{
		struct plan_hop h = { .from = catalog_release(cat, "liberty"),
				      .to = catalog_release(cat, "mitaka") };

		p.inv = inv;
		p.cat = cat;
		p.from = h.from;
		p.to = h.to;
		vec_push(p.hops, h);
	}
	st.id = "mitaka/test/secret-output";
	st.kind = step_kind_find("command");
	st.phase = "openstack";
	st.owner = "test";
	st.targets = inv->hosts.v;
	st.ntargets = 1;
	st.argv = argv;
	st.argc = 3;
	st.params = params;
	st.nparams = 1;
	vec_push(p.steps, st);
	rd.plan = &p;
	rd.ssh = &so;
	rd.timeout_s = 30;
	rd.secrets = sec;
	CHECK(journal_create(jpath, &p, &meta, &err) == 0);
	CHECK(journal_open(jpath, &j, &err) == 0);
	if (!j)
		goto out;
	journal_set_redactor(j, &sec->redactor);
	CHECK(executor_run(&p, j, &remote_driver, &rd, &eo, NULL, &rep, &err) == 0);
	CHECK(journal_read(j, &v, &err) == 0);
	CHECK(v.nsteps == 1 && v.steps[0].state == STEP_DONE);
	if (v.nsteps == 1 && v.steps[0].tail) {
		const char *tail = v.steps[0].tail;

		CHECK(strlen(tail) == JOURNAL_TAIL_MAX);
		CHECK(!shows_part(tail, "Passw0rd-Long-Tail"));
		CHECK(!shows_part(tail, "Passw0rd"));
		CHECK(str_has_prefix(tail, "edacted]xxxx"));	/* the cut, after redaction */
	}
	journal_view_release(&v);
	exec_report_release(&rep);
	journal_close(j);
out:
	vec_free(p.steps);
	vec_free(p.hops);
	arena_release(&p.arena);
	free(rd.archived);
	inventory_free(inv);
	catalog_free(cat);
	secrets_free(sec);
}

/*
 * The statement that creates a database user holds the password's
 * mysql_native_password hash, never the password (it would be in the
 * server's process list and general log).
 */
TEST(create_user_sends_a_hash)
{
	char *q = service_create_user_sql("nova", "password");

	/* MariaDB's PASSWORD('password'). */
	CHECK(q && streq(q, "CREATE USER IF NOT EXISTS 'nova'@'%' IDENTIFIED BY PASSWORD"
			 " '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19'"));
	free(q);
	q = service_create_user_sql("glance", "N0va-s3cret'pw");
	CHECK(q && !shows_part(q, "N0va-s3cret'pw"));
	CHECK_CONTAINS(q, "'glance'@'%' IDENTIFIED BY PASSWORD '*");
	free(q);
	CHECK(!service_create_user_sql("bad user", "N0va-s3cret"));
}

/*
 * The client option file with the database credentials that a restore
 * gives mariadb: the client reads it, and once the step is killed
 * (SIGKILL, no cleanup runs) it is gone.  mariadb is a script here that
 * keeps the path and what it read there, then kills its parent, the
 * step; or exits 0 (kill=0).
 */
static int restore_with_fake_client(const char *bin, bool kill_parent, char *cnf, size_t size,
				    bool *read_credentials)
{
	static const char *stext = "database_password: \"Db-R00t-s3cret\"\n";
	char script[1200], sql[300], sha[320], line[200], spath[300], *text = NULL;
	unsigned char md[32];
	unsigned int mdlen = 0;
	const char *body = "SELECT 1;\n-- Dump completed on 2026-01-01\n";
	size_t len = 0;
	int status = 0;
	pid_t pid;

	snprintf(script, sizeof(script),
		 "#!/bin/sh\n"
		 "for a; do case $a in --defaults-extra-file=*) f=${a#*=};; esac; done\n"
		 "printf '%%s' \"$f\" >%s/cnf-path\n"
		 "cat \"$f\" >%s/cnf-text\n"
		 "%s\n", dir, dir, kill_parent ? "kill -9 $PPID" : "exit 0");
	snprintf(spath, sizeof(spath), "%s/mariadb", bin);
	unlink(spath);
	CHECK(write_file_atomic(spath, script, strlen(script), 0700, NULL) == 0);
	snprintf(sql, sizeof(sql), "%s/backup.sql", dir);
	CHECK(write_file_atomic(sql, body, strlen(body), 0600, NULL) == 0);
	EVP_Digest(body, strlen(body), md, &mdlen, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(line + 2 * i, 3, "%02x", md[i]);
	snprintf(line + 64, sizeof(line) - 64, "  backup.sql\n");
	snprintf(sha, sizeof(sha), "%s.sha256", sql);
	CHECK(write_file_atomic(sha, line, strlen(line), 0600, NULL) == 0);
	snprintf(spath, sizeof(spath), "%s/cnf-path", dir);
	unlink(spath);
	pid = fork();
	if (pid == 0) {
		struct sh_error err = { 0 };
		struct infra x = { 0 };
		char path[600];

		snprintf(path, sizeof(path), "%s:%s", bin, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
		setenv("PATH", path, 1);
		x.quiet = true;
		x.st = settings_defaults();
		x.st->database = "127.0.0.1:1";
		if (secrets_load(write_secrets("db.yaml", stext, 0600), &x.secrets, &err) < 0)
			_exit(3);
		_exit(galera_restore(&x, sql, &err) == 0 ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	cnf[0] = '\0';
	*read_credentials = false;
	if (read_file_limited(spath, 4096, &text, &len, NULL) == 0) {
		snprintf(cnf, size, "%s", text);
		free(text);
	}
	snprintf(spath, sizeof(spath), "%s/cnf-text", dir);
	if (read_file_limited(spath, 4096, &text, &len, NULL) == 0) {
		*read_credentials = strstr(text, "[client]") &&
				    strstr(text, "password=\"Db-R00t-s3cret\"");
		explicit_bzero(text, len);
		free(text);
		unlink(spath);
	}
	return status;
}

TEST(a_killed_step_leaves_no_option_file)
{
	char bin[300], cnf[300], cnfdir[300];
	bool read_it;
	int status;

	snprintf(bin, sizeof(bin), "%s/bin", dir);
	CHECK(mkdir(bin, 0700) == 0);
	/* Killed while the client runs. */
	status = restore_with_fake_client(bin, true, cnf, sizeof(cnf), &read_it);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK(cnf[0] && read_it);	/* the client had it, and could read it */
	CHECK(access(cnf, F_OK) < 0);
	if (cnf[0] && access(cnf, F_OK) == 0) {	/* do not leave it here either */
		snprintf(cnfdir, sizeof(cnfdir), "%s", cnf);
		unlink(cnf);
		if (strrchr(cnfdir, '/'))
			*strrchr(cnfdir, '/') = '\0';
		rmdir(cnfdir);
	}
	/* And when the client ends. */
	status = restore_with_fake_client(bin, false, cnf, sizeof(cnf), &read_it);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(cnf[0] && read_it);
	CHECK(access(cnf, F_OK) < 0);
}

int main(void)
{
	step_kinds_init();	/* as main() does */
	harness_tmpdir(dir);
	RUN(loads_and_redacts);
	RUN(refusals_never_show_values);
	RUN(overlapping_secrets);
	RUN(tail_that_begins_inside_a_secret);
	RUN(secret_across_the_tail_cut);
	RUN(create_user_sends_a_hash);
	RUN(a_killed_step_leaves_no_option_file);
	harness_rmtree(dir);
	HARNESS_END();
}
