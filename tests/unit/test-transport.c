/*
 * test-transport.c - the command lines stackhop builds: the "stackhop
 * step" argv of a plan step (any number of arguments), and the ssh argv
 * of the transport (the settings' timeouts and keepalives in it).
 */
#include <stdio.h>

#include "drivers.h"
#include "harness.h"
#include "plan.h"
#include "settings.h"
#include "stepkind.h"
#include "steps.h"
#include "transport.h"

/* Is "opt" followed by "val" somewhere in v? */
static int has_pair(char *const *v, const char *opt, const char *val)
{
	for (size_t i = 0; v[i] && v[i + 1]; i++)
		if (!strcmp(v[i], opt) && !strcmp(v[i + 1], val))
			return 1;
	return 0;
}

TEST(a_step_argv_holds_every_param)
{
	struct cat_kv params[40];
	char keys[40][16];
	struct plan_step s = { .id = "antelope/nova/keystone-register",
			       .kind = step_kind_find("keystone-register"),
			       .component = "nova-api", .params = params, .nparams = 40 };
	struct remote_driver d = { .settings = "/etc/stackhop/settings.yaml",
				   .inventory = "/etc/stackhop/inventory", .state_dir = "/var/lib/x" };
	struct strv a = STRV_INIT;
	int found = 0;

	for (int i = 0; i < 40; i++) {
		snprintf(keys[i], sizeof(keys[i]), "key%d", i);
		params[i] = (struct cat_kv){ keys[i], "v" };
	}
	remote_step_argv(&d, &s, NULL, &a);
	/* 7 + --state, --id, --component (6) + 40 --param pairs. */
	CHECK(a.n == 7 + 6 + 80);
	CHECK(a.v && a.v[a.n] == NULL);
	for (int i = 0; i < 40; i++) {
		char kv[32];

		snprintf(kv, sizeof(kv), "key%d=v", i);
		found += a.v && has_pair(a.v, "--param", kv);
	}
	CHECK(found == 40);
	CHECK(a.v && has_pair(a.v, "--component", "nova-api"));
	strv_release(&a);
}

/* The index of s in v, or -1. */
static int find(char *const *v, const char *s)
{
	for (int i = 0; v[i]; i++)
		if (!strcmp(v[i], s))
			return i;
	return -1;
}

TEST(ssh_argv_bounds_every_wait_on_a_dead_node_by_default)
{
	const struct inv_host h = { .name = "ctl1", .address = "10.0.0.1", .port = 22,
				    .user = "root" };
	const struct ssh_options o = { .control_dir = "/tmp/cm" };
	const char *const argv[] = { "echo", "it's", NULL };
	struct strv a = STRV_INIT;

	ssh_argv(&o, &h, argv, NULL, 30, &a);
	CHECK(!strcmp(a.v[0], "ssh"));
	CHECK(has_pair(a.v, "-o", "ConnectTimeout=10"));
	CHECK(has_pair(a.v, "-o", "ServerAliveInterval=15"));
	CHECK(has_pair(a.v, "-o", "ServerAliveCountMax=3"));
	CHECK(has_pair(a.v, "-o", "BatchMode=yes"));
	CHECK(has_pair(a.v, "-o", "StrictHostKeyChecking=yes"));
	CHECK(has_pair(a.v, "-o", "ControlPath=/tmp/cm/cm-%C"));
	CHECK(has_pair(a.v, "-p", "22") && has_pair(a.v, "-l", "root"));
	/* Options before "--", then the address and the quoted command. */
	CHECK(find(a.v, "--") > find(a.v, "ServerAliveCountMax=3"));
	CHECK(has_pair(a.v, "--", "10.0.0.1"));
	CHECK(!strcmp(a.v[a.n - 1], "exec timeout -k 5 30 'echo' 'it'\\''s'"));
	CHECK(a.v[a.n] == NULL);
	strv_release(&a);
}

TEST(ssh_timeouts_come_from_the_settings)
{
	char dir[] = "/tmp/stackhop-test-transport-XXXXXX", path[128];
	const struct inv_host h = { .name = "n", .address = "n", .port = 2222 };
	struct settings *st = NULL;
	struct sh_error err = { 0 };
	struct ssh_options o = { 0 };
	struct strv a = STRV_INIT;
	FILE *f;

	harness_tmpdir(dir);
	snprintf(path, sizeof(path), "%s/s.yaml", dir);
	f = fopen(path, "w");
	fputs("ssh:\n  connect_timeout: 4\n  server_alive_interval: 7\n"
	      "  server_alive_count_max: 2\n", f);
	fclose(f);
	CHECK(settings_load(path, &st, &err) == 0);
	if (st) {
		o.connect_timeout = (int)st->ssh_connect_timeout;
		o.server_alive_interval = (int)st->ssh_server_alive_interval;
		o.server_alive_count_max = (int)st->ssh_server_alive_count_max;
		ssh_argv(&o, &h, NULL, "/l.sock:/r.sock", 0, &a);
		CHECK(has_pair(a.v, "-o", "ConnectTimeout=4"));
		CHECK(has_pair(a.v, "-o", "ServerAliveInterval=7"));
		CHECK(has_pair(a.v, "-o", "ServerAliveCountMax=2"));
		CHECK(has_pair(a.v, "-L", "/l.sock:/r.sock") && find(a.v, "-N") > 0);
		CHECK(!strcmp(a.v[a.n - 1], "n"));	/* a forward runs no command */
		strv_release(&a);
		settings_free(st);
	}
	/* A bad value names the file, the line and the range. */
	f = fopen(path, "w");
	fputs("ssh:\n  connect_timeout: 0\n", f);
	fclose(f);
	st = NULL;
	CHECK(settings_load(path, &st, &err) < 0);
	CHECK_CONTAINS(err.msg, "s.yaml:2");
	CHECK_CONTAINS(err.msg, "connect_timeout");
	settings_free(st);
	harness_rmtree(dir);
}

int main(void)
{
	step_kinds_init();	/* as main() does */
	RUN(a_step_argv_holds_every_param);
	RUN(ssh_argv_bounds_every_wait_on_a_dead_node_by_default);
	RUN(ssh_timeouts_come_from_the_settings);
	HARNESS_END();
}
