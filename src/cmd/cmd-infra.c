/*
 * cmd-infra.c - stackhop rabbitmq and stackhop haproxy: the RabbitMQ and
 * HAProxy/keepalived procedures for operators.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "haproxy.h"
#include "infra.h"
#include "rabbitmq.h"

static const char rabbitmq_usage[] =
	"usage: stackhop rabbitmq upgrade -s SETTINGS [-i INVENTORY] --to VERSION\n"
	"                         [--mode full-stop|rolling] [--definitions FILE]\n"
	"                         [--reconnect-timeout S]\n"
	"\n"
	"full-stop (default; the seed's procedure): export the definitions,\n"
	"stop every node, remove the mnesia directories, start VERSION, re-cluster,\n"
	"import the definitions, set the ha-all policy, validate (every node\n"
	"running, no partitions, no alarms, every user, vhost, permission and\n"
	"policy back), then wait up to S seconds (default: the settings'\n"
	"rabbitmq.reconnect_timeout, else 120) for the client connections to come\n"
	"back to their count before; where they do not, the services the settings\n"
	"name in rabbitmq.clients are restarted where they run, and waited for\n"
	"again.  rolling (patch versions): one node at a time, with check_running,\n"
	"check_local_alarms and the clients back before the next.\n"
	"\n"
	"  --definitions FILE  where the export is kept (mode 0600; default\n"
	"                      " STATE_DIR "/rabbitmq-definitions-STAMP.json)\n"
	"\n"
	"The nodes are the inventory's rabbitmq group (else control).\n";

static const char haproxy_usage[] =
	"usage: stackhop haproxy upgrade -s SETTINGS [-i INVENTORY] --to VERSION\n"
	"                        [--mode reload|vip-move]\n"
	"\n"
	"Upgrade HAProxy node by node, those not holding the VIP first, the VIP\n"
	"holder last; on each node the new HAProxy must see every backend UP\n"
	"before the next.\n"
	"  --mode reload    (default, else the settings' components: haproxy:\n"
	"                   {mode}) a seamless reload: the new process takes the\n"
	"                   listening sockets over from the old one, which\n"
	"                   finishes what it has in flight; the VIP stays\n"
	"  --mode vip-move  stop and start; the holder first gives the VIP away\n"
	"                   (keepalived at its lowest priority, so another node\n"
	"                   takes it before it lets go); a connection in flight\n"
	"                   at the move is reset\n"
	"The nodes are the inventory's haproxy group (else loadbalancer, else\n"
	"control).\n";

static const char *const rabbitmq_modes[] = { "full-stop", "rolling", NULL };

/* Options both commands share; sub-specific ones in mode/definitions/timeout. */
static int parse(const char *cmd, const char *usage, int argc, char **argv,
		 const char **set_path, const char **inv_path, const char **to,
		 const char *const *modes, const char **mode, const char **defs,
		 long *timeout)
{
	static const struct option opts[] = {
		{ "settings", required_argument, NULL, 's' },
		{ "inventory", required_argument, NULL, 'i' },
		{ "to", required_argument, NULL, 't' },
		{ "mode", required_argument, NULL, 'm' },
		{ "definitions", required_argument, NULL, 'D' },
		{ "reconnect-timeout", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	if (argc < 2 || streq(argv[1], "-h") || streq(argv[1], "--help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!streq(argv[1], "upgrade"))
		return usage_error(cmd, "unknown subcommand '%s' (expected upgrade)", argv[1]);
	optind = 2;
	while ((c = getopt_long(argc, argv, "s:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': *set_path = optarg; break;
		case 'i': *inv_path = optarg; break;
		case 't': *to = optarg; break;
		case 'm':
			if (!streq(optarg, modes[0]) && !streq(optarg, modes[1]))
				return usage_error(cmd, "--mode must be %s or %s, not '%s'", modes[0],
						   modes[1], optarg);
			*mode = optarg;
			break;
		case 'D':
			if (!defs)
				return usage_error(cmd, "--definitions is for rabbitmq");
			*defs = optarg;
			break;
		case 'R':
			if (!timeout || parse_long(optarg, 0, 3600, timeout) < 0)
				return usage_error(cmd, "--reconnect-timeout must be seconds from 0 to 3600 (rabbitmq only)");
			break;
		case 'h': fputs(usage, stdout); return 0;
		default: return usage_error(cmd, "bad option");
		}
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!*to)
		return usage_error(cmd, "upgrade needs --to VERSION");
	return -1;	/* go on */
}

int cmd_rabbitmq(int argc, char **argv)
{
	const char *set_path = NULL, *inv_path = NULL, *to = NULL, *mode = NULL, *defs = NULL;
	long timeout = -1;
	char defbuf[128];
	struct rabbitmq_options o = { 0 };
	struct sh_error err = { 0 };
	struct infra x;
	int r = parse("rabbitmq", rabbitmq_usage, argc, argv, &set_path, &inv_path, &to,
		      rabbitmq_modes, &mode, &defs, &timeout);

	if (r >= 0)
		return r;
	if (infra_open(&x, inv_path, set_path, &err) < 0)
		return report_error(&err);
	if (!(mode = infra_mode(&x, "rabbitmq", rabbitmq_modes, mode, &err)))
		goto fail;
	if (!defs) {
		if (state_file_name(defbuf, sizeof(defbuf), "rabbitmq-definitions", "json", &err) < 0)
			goto fail;
		defs = defbuf;
	}
	if (timeout < 0)
		timeout = x.st->rabbitmq_reconnect_timeout;
	o = (struct rabbitmq_options){ to, defs, (int)timeout };
	r = streq(mode, "rolling") ? rabbitmq_rolling(&x, &o, &err) :
	    rabbitmq_full_stop(&x, &o, &err);
	if (r < 0)
		goto fail;
	infra_close(&x);
	return 0;
fail:
	infra_close(&x);
	return report_error(&err);
}

int cmd_haproxy(int argc, char **argv)
{
	const char *set_path = NULL, *inv_path = NULL, *to = NULL, *mode = NULL;
	struct sh_error err = { 0 };
	struct infra x;
	int r = parse("haproxy", haproxy_usage, argc, argv, &set_path, &inv_path, &to,
		      haproxy_modes, &mode, NULL, NULL);

	if (r >= 0)
		return r;
	if (infra_open(&x, inv_path, set_path, &err) < 0)
		return report_error(&err);
	mode = infra_mode(&x, "haproxy", haproxy_modes, mode, &err);
	r = mode ? haproxy_upgrade(&x, to, streq(mode, "vip-move") ? HAPROXY_VIP_MOVE : HAPROXY_RELOAD,
				   &err) : -1;
	infra_close(&x);
	return r < 0 ? report_error(&err) : 0;
}
