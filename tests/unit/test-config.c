/* test-config.c - the INI reader/writer and config migrate's renames. */
#include "harness.h"
#include "steps.h"
#include "config.h"
#include "fileio.h"

static struct catalog *cat;

/* path parsed and migrated to release to; the result (malloc'd) and its report. */
static char *migrate(const char *path, const char *service, const char *to,
		     config_change_vec *ch, char **ret_orig)
{
	struct sh_error err = { 0 };
	struct ini ini;
	char *text = NULL, *out;
	size_t len, olen;

	if (read_file_limited(path, 1 << 20, &text, &len, &err) < 0 ||
	    ini_parse(&ini, path, text, len, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		exit(2);
	}
	config_migrate(&ini, cat, service, catalog_release(cat, to)->index, ch);
	out = ini_write(&ini, &olen);
	ini_release(&ini);
	*ret_orig = text;
	return out;
}

/* The value of key in section of text, or NULL (malloc'd). */
static char *value_of(const char *text, const char *section, const char *key)
{
	struct sh_error err = { 0 };
	struct ini ini;
	long i;
	char *v = NULL;

	if (ini_parse(&ini, "result", text, strlen(text), &err) < 0)
		return xstrdup(err.msg);
	if ((i = ini_find(&ini, section, key)) >= 0)
		v = ini_value(&ini, (size_t)i);
	ini_release(&ini);
	return v;
}

#define CHECK_VALUE(text, sec, key, want)                                        \
	do {                                                                     \
		char *v_ = value_of(text, sec, key);                             \
		CHECK(v_ && streq(v_, want));                                    \
		if (!v_ || !streq(v_, want))                                     \
			fprintf(stderr, "  [%s] %s = %s\n", sec, key, v_ ? v_ : "(absent)"); \
		free(v_);                                                        \
	} while (0)
#define CHECK_ABSENT(text, sec, key)                                             \
	do {                                                                     \
		char *v_ = value_of(text, sec, key);                             \
		CHECK(!v_);                                                      \
		free(v_);                                                        \
	} while (0)

TEST(nova_liberty_to_ocata)
{
	config_change_vec ch = { 0 };
	char *orig, *out = migrate("tests/data/liberty/nova.conf", "nova", "ocata", &ch, &orig);

	CHECK_VALUE(out, "DEFAULT", "transport_url",
		    "rabbit://openstack:s3cret%2Fwith%3Achars%40@192.0.2.11:5672,"
		    "openstack:s3cret%2Fwith%3Achars%40@192.0.2.12:5672,"
		    "openstack:s3cret%2Fwith%3Achars%40@192.0.2.13:5672/");
	CHECK_ABSENT(out, "DEFAULT", "rpc_backend");
	CHECK_ABSENT(out, "oslo_messaging_rabbit", "rabbit_hosts");
	CHECK_ABSENT(out, "oslo_messaging_rabbit", "rabbit_password");
	CHECK_VALUE(out, "oslo_messaging_notifications", "driver", "messagingv2");
	CHECK_ABSENT(out, "DEFAULT", "notification_driver");
	CHECK_ABSENT(out, "DEFAULT", "verbose");
	CHECK_VALUE(out, "glance", "api_servers", "http://192.0.2.100:9292");
	CHECK_ABSENT(out, "glance", "host");
	CHECK_VALUE(out, "neutron", "username", "neutron");
	CHECK_VALUE(out, "neutron", "project_name", "service");
	CHECK_VALUE(out, "neutron", "auth_url", "http://192.0.2.100:35357/v2.0");
	CHECK_ABSENT(out, "neutron", "admin_password");
	CHECK_VALUE(out, "scheduler", "driver", "filter_scheduler");
	CHECK_VALUE(out, "filter_scheduler", "enabled_filters",
		    "RetryFilter,AvailabilityZoneFilter,RamFilter,ComputeFilter");
	CHECK_ABSENT(out, "DEFAULT", "use_neutron");
	/* Not due by Ocata: left as they are. */
	CHECK_VALUE(out, "DEFAULT", "vncserver_listen", "0.0.0.0");
	CHECK_VALUE(out, "neutron", "url", "http://192.0.2.100:9696");
	CHECK_VALUE(out, "keystone_authtoken", "auth_uri", "http://192.0.2.100:5000");
	/* What stackhop does not know, and every comment, stays. */
	CHECK_VALUE(out, "DEFAULT", "a_local_option_stackhop_does_not_know", "keep me");
	CHECK_CONTAINS(out, "# nova.conf of a Liberty controller (kolla-style), the seed's reference case.\n[DEFAULT]\ndebug = False\n# Liberty still logs verbosely unless told otherwise.\nmy_ip");
	CHECK_CONTAINS(out, "[oslo_messaging_rabbit]\n# Three brokers behind no VIP, as kolla deploys them.\n");
	CHECK(ch.n == 12);
	/* The report names options, never values. */
	for (size_t i = 0; i < ch.n; i++)
		CHECK(!strstr(ch.v[i].text, "s3cret") && !strstr(ch.v[i].text, "neutronpass"));
	free(orig);
	free(out);
	vec_free(ch);
}

TEST(an_earlier_target_makes_fewer_changes)
{
	config_change_vec ch = { 0 };
	char *orig, *out = migrate("tests/data/liberty/nova.conf", "nova", "mitaka", &ch, &orig);

	/* transport_url is Newton's, the scheduler options Ocata's. */
	CHECK_VALUE(out, "DEFAULT", "rpc_backend", "rabbit");
	CHECK_VALUE(out, "DEFAULT", "scheduler_driver", "filter_scheduler");
	CHECK_VALUE(out, "oslo_messaging_notifications", "driver", "messagingv2");
	free(orig);
	free(out);
	vec_free(ch);
}

TEST(other_services)
{
	config_change_vec ch = { 0 };
	char *orig, *out = migrate("tests/data/liberty/neutron.conf", "neutron", "ocata", &ch, &orig);

	CHECK_VALUE(out, "DEFAULT", "transport_url", "rabbit://openstack:rabbitpass@192.0.2.100:5672/");
	CHECK_VALUE(out, "nova", "username", "nova");
	CHECK_ABSENT(out, "DEFAULT", "advertise_mtu");
	CHECK_VALUE(out, "DEFAULT", "core_plugin", "ml2");
	free(orig);
	free(out);
	vec_free(ch);
	ch = (config_change_vec){ 0 };
	out = migrate("tests/data/liberty/keystone.conf", "keystone", "rocky", &ch, &orig);
	CHECK_VALUE(out, "token", "provider", "fernet");
	free(orig);
	free(out);
	vec_free(ch);
	ch = (config_change_vec){ 0 };
	out = migrate("tests/data/liberty/cinder.conf", "cinder", "ocata", &ch, &orig);
	CHECK_VALUE(out, "DEFAULT", "transport_url", "rabbit://guest:guest@192.0.2.100:5672/");
	CHECK_VALUE(out, "DEFAULT", "enable_v1_api", "True");	/* removed in Queens */
	free(orig);
	free(out);
	vec_free(ch);
}

TEST(nothing_to_change_is_byte_identical)
{
	config_change_vec ch = { 0 };
	char *orig, *out = migrate("tests/data/liberty/nothing-to-do.conf", "nova", "ocata", &ch,
				   &orig);

	CHECK(ch.n == 0);
	CHECK(streq(out, orig));
	free(orig);
	free(out);
	vec_free(ch);
}

TEST(ini_edits_and_errors)
{
	struct sh_error err = { 0 };
	struct ini ini;
	const char *t = "[a]\nx = 1\n  continued\ny: 2\n[b]\nz=3";
	char *out, *v;
	size_t n;

	CHECK(ini_parse(&ini, "t.conf", t, strlen(t), &err) == 0);
	v = ini_value(&ini, (size_t)ini_find(&ini, "a", "x"));
	CHECK(streq(v, "1\ncontinued"));
	free(v);
	ini_set(&ini, "b", "w", "4");		/* after the last option, which lacked its '\n' */
	ini_set(&ini, "a", "y", "5");		/* in place */
	ini_set(&ini, "c", "m", "one\ntwo");	/* a new section; continuation indented */
	ini_delete(&ini, (size_t)ini_find(&ini, "a", "x"));
	out = ini_write(&ini, &n);
	CHECK(streq(out, "[a]\ny = 5\n[b]\nz=3\nw = 4\n\n[c]\nm = one\n    two\n"));
	free(out);
	ini_release(&ini);
	CHECK(ini_parse(&ini, "t.conf", "[a]\njust words\n", 15, &err) < 0);
	CHECK_CONTAINS(err.msg, "t.conf:2: expected 'key = value', '[section]' or a comment");
	sh_error_clear(&err);
	CHECK(ini_parse(&ini, "t.conf", "  indented\n", 11, &err) < 0);
	CHECK_CONTAINS(err.msg, "t.conf:1: an indented line that continues no option");
	sh_error_clear(&err);
	CHECK(ini_parse(&ini, "t.conf", "[]\n", 3, &err) < 0);
	CHECK_CONTAINS(err.msg, "t.conf:1: a section header must be '[name]'");
	sh_error_clear(&err);
}

int main(void)
{
	struct sh_error err = { 0 };

	step_kinds_init();	/* as main() does */
	if (catalog_load("catalog", &cat, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	RUN(nova_liberty_to_ocata);
	RUN(an_earlier_target_makes_fewer_changes);
	RUN(other_services);
	RUN(nothing_to_change_is_byte_identical);
	RUN(ini_edits_and_errors);
	catalog_free(cat);
	HARNESS_END();
}
