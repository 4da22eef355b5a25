/*
 * cmd-step.c - stackhop step: one infrastructure step of a plan, the way
 * "stackhop upgrade" runs it (and an operator can, by hand).  The kinds
 * are the table's "stackhop step" ones (src/procedures/kinds.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "infra.h"
#include "steps.h"

static const char step_usage[] =
	"usage: stackhop step KIND -s SETTINGS [-i INVENTORY] [--node NODE] [--to VERSION]\n"
	"                     [--component NAME] [--state DIR] [--id ID]\n"
	"                     [--catalog DIR --release NAME] [--param KEY=VALUE]...\n"
	"                     [--reconnect-timeout S]\n"
	"\n"
	"Run one step of an upgrade plan on the real cloud: what 'stackhop\n"
	"upgrade' runs for each step of these kinds.  Every kind is idempotent:\n"
	"run again after a crash, it finishes what is left.\n"
	"\n"
	"  -s, --settings FILE     endpoints, credentials (secrets), runtime\n"
	"  -i, --inventory FILE    default: 'inventory' beside the settings\n"
	"      --node NODE         the node of a per-node kind (L: a list, NODE,NODE...)\n"
	"      --component NAME    the OpenStack container of a container kind (C)\n"
	"      --catalog DIR, --release NAME  config-migrate: the renames up to\n"
	"                          that release\n"
	"      --param KEY=VALUE   keystone-register: the catalog's entry; db-create:\n"
	"                          database= user=\n"
	"      --to VERSION        the component's target version\n"
	"      --state DIR         the run's files: backups, RabbitMQ definitions\n"
	"                          (created with mode 0700)\n"
	"      --id ID             the plan step's id, naming its files\n"
	"      --reconnect-timeout S  seconds for RabbitMQ clients to come back\n"
	"                          (default: the settings' rabbitmq.reconnect_timeout,\n"
	"                          else 120; 0: do not wait)\n"
	"  -h, --help              show this help\n"
	"\n"
	"Kinds (N: needs --node, V: needs --to, S: needs --state, C: needs --component):\n";

static void print_usage(FILE *f)
{
	const struct step_kind *k;

	fputs(step_usage, f);
	for (size_t i = 0; (k = step_kind_at(i)); i++)
		if (k->how == STEP_HOW_PROCESS)
			fprintf(f, "  %-22s %c%c%c%c  %s\n", k->name,
				k->needs & STEP_NEEDS_NODES ? 'L' : k->needs & STEP_NEEDS_NODE ? 'N' : '-',
				k->needs & STEP_NEEDS_VERSION ? 'V' : '-',
				k->needs & STEP_NEEDS_STATE ? 'S' : '-',
				k->needs & STEP_NEEDS_COMPONENT ? 'C' : '-', k->help);
	fputs("\nExit status: 0 done, 1 failed (the message says where), 2 bad input.\n", f);
}

/*
 * A kind that runs a command (STEP_NEEDS_COMMAND, container-run): the
 * command after "--"; exits with the command's status, or 125 when it
 * could not run it (so that no failure of stackhop's reads as "more to
 * migrate", exit 1).
 */
static int command_step(const struct step_kind *k, struct infra_step_args *a,
			const char *set_path, const char *inv_path, const char *const *cmd)
{
	struct sh_error err = { 0 };
	struct infra x;
	int r;

	if (((k->needs & STEP_NEEDS_NODE) && !a->node) ||
	    ((k->needs & STEP_NEEDS_COMPONENT) && !a->component) || !cmd[0])
		return usage_error("step", "%s needs --node, --component SERVICE and -- COMMAND",
				   k->name);
	a->cmd = cmd;
	if (infra_open(&x, inv_path, set_path, &err) < 0) {
		report_error(&err);
		return 125;
	}
	r = infra_step_run(&x, a, &err);
	infra_close(&x);
	if (r < 0) {
		report_error(&err);
		return 125;
	}
	return r;
}

int cmd_step(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "settings", required_argument, NULL, 's' },
		{ "inventory", required_argument, NULL, 'i' },
		{ "node", required_argument, NULL, 'n' },
		{ "component", required_argument, NULL, 'c' },
		{ "catalog", required_argument, NULL, 'C' },
		{ "release", required_argument, NULL, 'r' },
		{ "param", required_argument, NULL, 'p' },
		{ "to", required_argument, NULL, 't' },
		{ "state", required_argument, NULL, 'S' },
		{ "id", required_argument, NULL, 'I' },
		{ "reconnect-timeout", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct infra_step_args a = { .reconnect_timeout = -1 };
	const struct step_kind *k;
	const char *params[16];
	size_t nparams = 0;
	const char *set_path = NULL, *inv_path = NULL;
	struct sh_error err = { 0 };
	struct infra x;
	int c, r;

	if (argc < 2 || streq(argv[1], "-h") || streq(argv[1], "--help")) {
		print_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	a.kind = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "s:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': set_path = optarg; break;
		case 'i': inv_path = optarg; break;
		case 'n': a.node = optarg; break;
		case 'c': a.component = optarg; break;
		case 'C': a.catalog = optarg; break;
		case 'r': a.release = optarg; break;
		case 'p':
			if (!strchr(optarg, '=') || nparams == ARRAY_SIZE(params))
				return usage_error("step", "--param takes KEY=VALUE (at most %zu), not '%s'",
						   ARRAY_SIZE(params), optarg);
			params[nparams++] = optarg;
			break;
		case 't': a.version = optarg; break;
		case 'S': a.state_dir = optarg; break;
		case 'I': a.id = optarg; break;
		case 'R': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || end == optarg || v < 0 || v > 86400)
				return usage_error("step", "--reconnect-timeout must be 0 to 86400 seconds, not '%s'", optarg);
			a.reconnect_timeout = (int)v;
			break;
		}
		case 'h': print_usage(stdout); return 0;
		default: return usage_error("step", "bad option");
		}
	}
	a.params = params;
	a.nparams = nparams;
	if (!(k = step_kind_find_any(a.kind)) || k->how != STEP_HOW_PROCESS)
		return usage_error("step", "unknown step kind '%s' (see 'stackhop step --help')", a.kind);
	if (k->needs & STEP_NEEDS_COMMAND)
		return command_step(k, &a, set_path, inv_path, (const char *const *)argv + optind);
	if (optind < argc)
		return usage_error("step", "unexpected argument '%s'", argv[optind]);
	if (infra_open(&x, inv_path, set_path, &err) < 0)
		return report_error(&err);
	if (a.reconnect_timeout < 0)
		a.reconnect_timeout = (int)x.st->rabbitmq_reconnect_timeout;
	r = infra_step_run(&x, &a, &err);
	infra_close(&x);
	return r < 0 ? report_error(&err) : 0;
}
