/*
 * test-runtime.c - the runtime interface (src/infra/runtime.h): what each
 * runtime lacks of the step kinds' needs, an operation a runtime lacks
 * refused by name rather than called, and the process runtime's control
 * command lines (the same ACTION SERVICE NODE [ARGS] the procedures ran
 * before the interface), on a local host whose "control command" records
 * its arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "harness.h"
#include "infra.h"
#include "runtime.h"
#include "util.h"

TEST(lacks)
{
	CHECK(runtime_for(RUNTIME_PROCESS) == &runtime_process);
	CHECK(runtime_for(RUNTIME_DOCKER) == &runtime_docker);
	/* The process runtime runs every infrastructure procedure. */
	CHECK(!runtime_lacks(&runtime_process, NULL, GALERA_NODE_UPGRADE_NEEDS | GALERA_BOOTSTRAP_NEEDS |
					       GALERA_RECOVER_NEEDS | GALERA_JOIN_NEEDS |
					       RABBITMQ_NODE_UPGRADE_NEEDS | RABBITMQ_START_NEEDS |
					       RABBITMQ_IMPORT_NEEDS | RABBITMQ_VALIDATE_NEEDS |
					       RABBITMQ_WIPE_NEEDS | HAPROXY_UPGRADE_NEEDS |
					       KEEPALIVED_UPGRADE_NEEDS | MEMCACHED_UPGRADE_NEEDS |
					       HEALTH_ALL_NEEDS));
	CHECK(!runtime_lacks(&runtime_process, NULL, CONTAINER_STOP_NEEDS | CONTAINER_REMOVE_NEEDS |
					       IMAGE_REMOVE_NEEDS | CONTAINER_START_NEEDS |
					       HEALTH_CHECK_NEEDS | CONFIG_MIGRATE_NEEDS));
	/* Its catalog commands go through the driver, not a one-off. */
	CHECK(streq(runtime_lacks(&runtime_process, NULL, CONTAINER_RUN_NEEDS), "run_one_off"));
	/* docker: the OpenStack flow, memcached, the health checks and what
	 * only reads or sets through rabbitmqctl. */
	CHECK(!runtime_lacks(&runtime_docker, NULL, CONTAINER_STOP_NEEDS | CONTAINER_REMOVE_NEEDS |
					      IMAGE_REMOVE_NEEDS | CONTAINER_START_NEEDS |
					      HEALTH_CHECK_NEEDS | CONFIG_MIGRATE_NEEDS |
					      CONTAINER_RUN_NEEDS | MEMCACHED_UPGRADE_NEEDS |
					      HEALTH_ALL_NEEDS | RABBITMQ_EXPORT_NEEDS |
					      RABBITMQ_POLICY_NEEDS | RABBITMQ_VALIDATE_NEEDS));
	/* Without volumes: nothing that restarts a stateful service on a new
	 * container or acts on its data. */
	CHECK(streq(runtime_lacks(&runtime_docker, NULL, GALERA_BOOTSTRAP_NEEDS),
		    "keep a service's data across versions, run Galera's actions (grastate, recover)"));
	CHECK(streq(runtime_lacks(&runtime_docker, NULL, GALERA_NODE_UPGRADE_NEEDS),
		    "keep a service's data across versions"));
	CHECK(streq(runtime_lacks(&runtime_docker, NULL, RABBITMQ_NODE_UPGRADE_NEEDS),
		    "keep a service's data across versions"));
	CHECK(!runtime_lacks(&runtime_docker, NULL, RABBITMQ_IMPORT_NEEDS));
	CHECK(streq(runtime_lacks(&runtime_docker, NULL, RABBITMQ_WIPE_NEEDS), "wipe RabbitMQ's data"));
	CHECK(streq(runtime_lacks(&runtime_docker, NULL, HAPROXY_UPGRADE_NEEDS), "reload HAProxy"));
	/* keepalived's drain is an exec in its container: no volume needed. */
	CHECK(!runtime_lacks(&runtime_docker, NULL, KEEPALIVED_UPGRADE_NEEDS | HAPROXY_VIP_MOVE_NEEDS));
	CHECK(!runtime_lacks(&runtime_docker, NULL, 0));
	CHECK(!runtime_lacks(&runtime_docker, NULL, GALERA_STOP_NEEDS | DB_BACKUP_NEEDS));
}

/* docker.volumes with the data directories: the stateful procedures too. */
TEST(lacks_with_volumes)
{
	static const char both[] =
		"docker:\n  volumes:\n"
		"    mariadb: [\"/srv/{node}/mysql:/var/lib/mysql\", \"/srv/{node}/log:/var/log/kolla\"]\n"
		"    rabbitmq: [\"/srv/{node}/rabbitmq:/var/lib/rabbitmq/\"]\n";
	static const char galera_only[] =
		"docker:\n  volumes:\n    mariadb: [\"/srv/{node}/mysql:/var/lib/mysql:rw\"]\n"
		"    rabbitmq: [\"/srv/{node}/x:/var/lib/rabbitmq-other\"]\n";
	static const char lb[] =
		"haproxy:\n  admin_socket: /srv/{node}/haproxy/admin.sock\n"
		"docker:\n  volumes:\n    haproxy: [\"/srv/{node}/haproxy:/run/haproxy\"]\n";
	struct settings *st = NULL;
	struct sh_error err = { 0 };

	CHECK(settings_parse("both.yaml", both, sizeof(both) - 1, &st, &err) == 0);
	CHECK(!runtime_lacks(&runtime_docker, st, GALERA_NODE_UPGRADE_NEEDS | GALERA_BOOTSTRAP_NEEDS |
						      GALERA_RECOVER_NEEDS | GALERA_JOIN_NEEDS |
						      RABBITMQ_FULL_STOP_NEEDS | RABBITMQ_ROLLING_NEEDS));
	CHECK(streq(runtime_lacks(&runtime_docker, st, HAPROXY_UPGRADE_NEEDS), "reload HAProxy"));
	settings_free(st);
	/* HAProxy's reload: a volume holds the directory of its admin socket. */
	CHECK(settings_parse("lb.yaml", lb, sizeof(lb) - 1, &st, &err) == 0);
	CHECK(!runtime_lacks(&runtime_docker, st, HAPROXY_UPGRADE_NEEDS));
	settings_free(st);
	/* A bind at another directory is not RabbitMQ's data. */
	CHECK(settings_parse("g.yaml", galera_only, sizeof(galera_only) - 1, &st, &err) == 0);
	CHECK(!runtime_lacks(&runtime_docker, st, GALERA_RECOVER_NEEDS & ~RT_KEEPS_DATA));
	CHECK(streq(runtime_lacks(&runtime_docker, st, GALERA_RECOVER_NEEDS),
		    "keep a service's data across versions"));
	CHECK(streq(runtime_lacks(&runtime_docker, st, RABBITMQ_WIPE_NEEDS), "wipe RabbitMQ's data"));
	settings_free(st);
	/* Bad binds: the file, the line, what was expected. */
	CHECK(settings_parse("bad.yaml", "docker:\n  volumes:\n    mariadb: [\"data:/var/lib/mysql\"]\n",
			     55, &st, &err) == -1);
	CHECK_CONTAINS(err.msg, "bad.yaml:3: docker volumes of 'mariadb': 'data:/var/lib/mysql' is not a bind");
	sh_error_clear(&err);
	CHECK(settings_parse("bad.yaml", "docker:\n  volumes:\n    mariadb: /srv:/var/lib/mysql\n",
			     50, &st, &err) == -1);
	CHECK_CONTAINS(err.msg, "bad.yaml:3: docker volumes of 'mariadb' must be a list of binds");
	sh_error_clear(&err);
}

/* A version and an image tag's spelling of it ('_' for '+' and '~'). */
TEST(version_is)
{
	CHECK(infra_version_is("2.6.12-1+deb12u4", "2.6.12-1_deb12u4"));
	CHECK(infra_version_is("2.6.12-1_deb12u4", "2.6.12-1+deb12u4"));
	CHECK(infra_version_is("26.2.2-1~deb12u5", "26.2.2-1_deb12u5"));
	CHECK(!infra_version_is("2.6.12-1+deb12u4", "2.6.12-1_deb12u3"));
	CHECK(infra_version_is("10.11.19-0_deb12u1", "10.11.19"));
	CHECK(infra_version_is("10.11.19-0+deb12u1", "10.11.19-0"));
	CHECK(!infra_version_is("10.11.19", "10.11.1"));
	CHECK(!infra_version_is("10.11", "10.11.19"));
	CHECK(!infra_version_is("2.6.12-1.deb12u4", "2.6.12-1_deb12u4"));
}

static const struct inv_host local = { .name = "node1", .address = "127.0.0.1",
				       .connection = "local", .port = 22 };

/* A test double of a runtime's image list (no engine is needed to check
 * how a version is matched against it). */
static int two_memcached(struct infra *x, const struct inv_host *h, const char *service,
			 char **out, struct sh_error *err)
{
	(void)x, (void)h, (void)service, (void)err;
	*out = xstrdup("1.6.18-1\n1.6.18-1_deb12u1\n1.6.18-2_deb12u1\n");
	return 0;
}

/* A version that is one image's whole version names that image, though it
 * is a prefix of another's (memcached 1.6.18-1 and 1.6.18-1+deb12u1). */
TEST(image_check_exact)
{
	static const struct runtime_ops listing = { .name = "listing", .versions = two_memcached };
	struct infra x = { .quiet = true, .rt = &listing };
	struct sh_error err = { 0 }, err2 = { 0 };

	CHECK(rt_image_check(&x, &local, "memcached", "1.6.18-1", &err) == 0);
	CHECK(rt_image_check(&x, &local, "memcached", "1.6.18-1+deb12u1", &err) == 0);
	CHECK(rt_image_check(&x, &local, "memcached", "1.6.18-2", &err) == 0);
	CHECK(rt_image_check(&x, &local, "memcached", "1.6.18", &err) == -1);
	CHECK(strstr(err.msg, "names more than one memcached image"));
	CHECK(rt_image_check(&x, &local, "memcached", "1.6.19", &err2) == -1);
	CHECK(strstr(err2.msg, "no memcached image for version '1.6.19'"));
}

TEST(refused)
{
	struct infra x = { .quiet = true, .rt = &runtime_docker };
	struct sh_error err = { 0 };
	const char *argv[] = { "rabbitmqctl", "status", NULL };
	struct rt_start boot = { .version = "10.11", .new_cluster = true };
	char *out = (char *)"unset";

	x.st = settings_defaults();
	(void)argv;
	(void)out;
	CHECK(rt_start_data(&x, &local, "rabbitmq", "3.12", &err) == -1);
	CHECK_CONTAINS(err.msg, "cannot keep a service's data across versions (rabbitmq on node1)");
	sh_error_clear(&err);
	CHECK(rt_action(&x, &local, "galera", "grastate", NULL, NULL, &err) == -1);
	CHECK_CONTAINS(err.msg, "the docker runtime cannot run Galera's actions (grastate, recover) (galera on node1)");
	sh_error_clear(&err);
	CHECK(rt_action(&x, &local, "haproxy", "reload", NULL, NULL, &err) == -1);
	CHECK_CONTAINS(err.msg, "the docker runtime cannot reload HAProxy (haproxy on node1)");
	sh_error_clear(&err);
	/* Galera's options without its data in a volume: refused before the API. */
	CHECK(rt_start(&x, &local, "galera", &boot, &err) == -1);
	CHECK_CONTAINS(err.msg, "galera on node1: Galera's start options need its data in docker.volumes");
	sh_error_clear(&err);
	/* A procedure asks first, naming itself and what is missing. */
	CHECK(rt_require(&x, GALERA_RECOVER_NEEDS, "the Galera recovery", &err) == -1);
	CHECK_CONTAINS(err.msg, "the Galera recovery needs what the docker runtime cannot do (keep a service's data across versions, run Galera's actions (grastate, recover)): nothing was changed");
	sh_error_clear(&err);
	CHECK(rt_require(&x, MEMCACHED_UPGRADE_NEEDS, "memcached-upgrade", &err) == 0);
	/* The process runtime without a control command says what it needs. */
	x.rt = &runtime_process;
	CHECK(rt_require(&x, GALERA_RECOVER_NEEDS | RABBITMQ_FULL_STOP_NEEDS, "all", &err) == 0);
	CHECK(rt_running(&x, &local, "galera", &err) == -1);
	CHECK_CONTAINS(err.msg, "the settings name no process control command");
	sh_error_clear(&err);
	settings_free(x.st);
}

/* The lines the fake control command recorded, then emptied. */
static char *recorded(const char *path)
{
	char *text = NULL;
	size_t len;

	if (read_file_limited(path, 65536, &text, &len, NULL) < 0)
		return xstrdup("");
	unlink(path);
	return text;
}

TEST(process_lines)
{
	char dir[] = "/tmp/stackhop-test-rt-XXXXXX", log[64], script[600], *got;
	const char *control[] = { "sh", "-c", script, "svc", NULL };
	struct infra x = { .quiet = true, .rt = &runtime_process };
	struct sh_error err = { 0 };
	struct rt_start boot = { .version = "10.11", .new_cluster = true };
	struct rt_start recover = { .new_cluster = true, .position = "U:7" };
	const char *upgrade[] = { "mariadb-upgrade", NULL };
	const char *diag[] = { "rabbitmq-diagnostics", "ping", NULL };
	const char *reload[] = { "--version", "2.8", NULL };
	char *v = NULL;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(log, sizeof(log), "%s/log", dir);
	/* Records "ACTION SERVICE NODE ARGS..."; status says 3 (stopped),
	 * version 10.6.1, versions two. */
	snprintf(script, sizeof(script),
		 "echo \"$*\" >>%s; case $1 in status) exit 3 ;; version) echo 10.6.1 ;; "
		 "versions) printf '10.6.1\\n10.11.9-1\\n' ;; esac", log);
	x.st = settings_defaults();
	x.st->process_control = control;
	x.st->nprocess_control = 4;
	CHECK(rt_running(&x, &local, "galera", &err) == 0);
	CHECK((v = rt_version(&x, &local, "galera", &err)) && streq(v, "10.6.1"));
	free(v);
	CHECK(rt_image_check(&x, &local, "galera", "10.11.9", &err) == 0);
	CHECK(rt_image_check(&x, &local, "galera", "11", &err) == -1);
	CHECK_CONTAINS(err.msg, "node1 has no galera image for version '11'");
	sh_error_clear(&err);
	got = recorded(log);
	CHECK(streq(got, "status galera node1\nversion galera node1\nversions galera node1\n"
			 "versions galera node1\n"));
	free(got);
	CHECK(rt_start(&x, &local, "galera", &boot, &err) == 0);
	CHECK(rt_start(&x, &local, "galera", &recover, &err) == 0);
	CHECK(rt_start_version(&x, &local, "rabbitmq", NULL, &err) == 0);
	CHECK(rt_start_data(&x, &local, "rabbitmq", "3.12", &err) == 0);
	CHECK(rt_stop(&x, &local, "memcached", &err) == 0);
	CHECK(rt_exec(&x, &local, "galera", upgrade, NULL, NULL, &err) == 0);
	CHECK(rt_exec(&x, &local, "rabbitmq", diag, NULL, NULL, &err) == 0);
	CHECK(rt_action(&x, &local, "haproxy", "reload", reload, NULL, &err) == 0);
	CHECK(rt_stop_running(&x, &local, "keystone", &err) == 0);
	got = recorded(log);
	CHECK(streq(got, "start galera node1 --version 10.11 --new-cluster\n"
			 "start galera node1 --new-cluster --start-position U:7\n"
			 "start rabbitmq node1\n"
			 "start rabbitmq node1 --version 3.12\n"
			 "stop memcached node1\n"
			 "upgrade-db galera node1\n"
			 "diag rabbitmq node1 ping\n"
			 "reload haproxy node1 --version 2.8\n"
			 "status keystone node1\n"));
	free(got);
	/* What it has no action for is refused, not sent. */
	upgrade[0] = "mysql";
	CHECK(rt_exec(&x, &local, "galera", upgrade, NULL, NULL, &err) == -1);
	CHECK_CONTAINS(err.msg, "runs no mysql in galera");
	sh_error_clear(&err);
	got = recorded(log);
	CHECK(streq(got, ""));
	free(got);
	x.st->process_control = NULL;
	settings_free(x.st);
	rmdir(dir);
}

int main(void)
{
	RUN(lacks);
	RUN(lacks_with_volumes);
	RUN(version_is);
	RUN(image_check_exact);
	RUN(refused);
	RUN(process_lines);
	HARNESS_END();
}
