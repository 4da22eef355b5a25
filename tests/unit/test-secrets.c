/* test-secrets.c - the secrets file: permissions, strictness, and that no
 * message ever contains a secret's value. */
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "secrets.h"

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

int main(void)
{
	harness_tmpdir(dir);
	RUN(loads_and_redacts);
	RUN(refusals_never_show_values);
	harness_rmtree(dir);
	HARNESS_END();
}
