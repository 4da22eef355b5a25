/*
 * main.c - stackhop's entry point: the command table (git's git.c shape).
 *
 * stackhop plans and runs multi-release OpenStack upgrades.  Each
 * subcommand lives in src/cmd/cmd-<name>.c and owns its options.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "steps.h"
#include "util.h"

#ifndef STACKHOP_VERSION
#define STACKHOP_VERSION "unknown"
#endif

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "plan", cmd_plan, "compute the ordered upgrade plan of a journey (touches nothing)" },
	{ "releases", cmd_releases, "list the catalog's releases, SLURP flags and mandatory steps" },
	{ "inventory", cmd_inventory, "show how an Ansible inventory was read" },
	{ "status", cmd_status, "show where a run stands, from its journal" },
	{ "upgrade", cmd_upgrade, "run an upgrade: plan, journal, execute (ssh, local or sim)" },
	{ "resume", cmd_resume, "carry on with a stopped or killed run from its journal" },
	{ "lab", cmd_lab, "bring the lab cloud up, show its status, or take it down" },
	{ "probe", cmd_probe, "measure downtime: sample SQL, HTTP, TCP and ICMP targets, record outages" },
	{ "check", cmd_check, "health checks (Galera, HAProxy, RabbitMQ, Keystone): Success/Warning/Failure" },
	{ "galera", cmd_galera, "Galera: status, verified backup, restore, rolling/new-cluster upgrade, recover" },
	{ "rabbitmq", cmd_rabbitmq, "RabbitMQ: full-stop (definitions kept) or rolling upgrade, validated" },
	{ "haproxy", cmd_haproxy, "HAProxy/keepalived: upgrade node by node, the VIP answering throughout" },
	{ "config", cmd_config, "config migrate: a service's configuration file translated to a release" },
	{ "keystone", cmd_keystone, "keystone register|list: a service's user, service and endpoints, found or created" },
	{ "docker", cmd_docker, "docker version|inspect|create|start|wait|stop|remove|image-remove: one container through the Docker API" },
	{ "step", cmd_step, "run one infrastructure step of a plan (as upgrade does) on the real cloud" },
	{ "exec", cmd_exec, "run a command on hosts of an inventory over ssh (or locally)" },
};

static void usage(FILE *out)
{
	fputs("usage: stackhop [--version] [--help] COMMAND [ARGS]\n\n"
	      "Upgrade containerized OpenStack clouds across releases.\n\n"
	      "Commands:\n", out);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'stackhop COMMAND --help' for a command's options.\n", out);
}

int main(int argc, char **argv)
{
	const char *name;

	/*
	 * A closed stdout ("stackhop plan | head -1") is EPIPE on a write, not
	 * a signal that kills a run half-way; children get SIGPIPE back
	 * (run-command.h resets every signal).
	 */
	signal(SIGPIPE, SIG_IGN);
	/* The one table of step kinds (src/procedures/kinds.c), checked. */
	step_kinds_init();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	name = argv[1];
	if (streq(name, "--version") || streq(name, "version")) {
		printf("stackhop %s\n", STACKHOP_VERSION);
		return 0;
	}
	if (streq(name, "--help") || streq(name, "-h")) {
		usage(stdout);
		return 0;
	}
	if (streq(name, "help")) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		name = argv[2];
		for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
			if (streq(commands[i].name, name)) {
				char *help_argv[] = { argv[2], (char *)"--help", NULL };

				return commands[i].fn(2, help_argv);
			}
		fprintf(stderr, "error: unknown command '%s'\n", name);
		return 2;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (streq(commands[i].name, name))
			return stdout_finish(commands[i].fn(argc - 1, argv + 1));
	fprintf(stderr, "error: unknown command '%s'\nsee 'stackhop --help'\n", name);
	return 2;
}
