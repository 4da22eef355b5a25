/*
 * cmd-galera.c - stackhop galera: the Galera procedures for operators.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "galera.h"
#include "infra.h"

static const char galera_usage[] =
	"usage: stackhop galera status  -s SETTINGS [-i INVENTORY]\n"
	"       stackhop galera backup  -s SETTINGS [-i INVENTORY] --file PATH\n"
	"       stackhop galera verify  -s SETTINGS [-i INVENTORY] --file PATH\n"
	"       stackhop galera restore -s SETTINGS [-i INVENTORY] --file PATH\n"
	"       stackhop galera upgrade -s SETTINGS [-i INVENTORY] --to VERSION\n"
	"                               [--mode rolling|new-cluster]\n"
	"       stackhop galera recover -s SETTINGS [-i INVENTORY] [--force]\n"
	"\n"
	"status:  each node's wsrep state, cluster size and version.\n"
	"backup:  mariadb-dump of every database (and the users, as SQL) through\n"
	"         the VIP into PATH, atomically, with PATH.sha256; passes only once\n"
	"         verified: restored into a scratch mysqld here, every table's row\n"
	"         count and CHECKSUM TABLE compared with the cluster's.\n"
	"verify:  the checksum and the scratch-restore comparison of a backup.\n"
	"restore: load a verified backup back through the VIP.\n"
	"upgrade: rolling (default; a minor version, one node at a time, drained\n"
	"         in HAProxy, never fewer than 2 members) or new-cluster (a major\n"
	"         version: every node stopped, bootstrap one, join the others).\n"
	"recover: after a full crash, find the node with the newest state\n"
	"         (grastate.dat, else mariadbd --wsrep-recover), bootstrap it and\n"
	"         join the rest; refuses when the nodes name different clusters\n"
	"         unless --force.\n"
	"\n"
	"The nodes are the inventory's mariadb group (else control); HAProxy runs\n"
	"on haproxy (else loadbalancer, else control).  Without -i, the file\n"
	"'inventory' beside the settings is used.\n"
	"\n"
	"Exit status: 0 done, 1 failed (the message says where), 2 bad input.\n";

static int print_status(struct infra *x, struct sh_error *err)
{
	inv_host_vec db = { 0 };
	size_t n;
	int bad = 0;

	if (infra_hosts(x, infra_db_groups, &db, err) < 0)
		return -1;
	printf("%-10s %-10s %-12s %5s %s\n", "NODE", "STATE", "COMPONENT", "SIZE", "VERSION");
	for (size_t i = 0; i < db.n; i++) {
		struct galera_status s;
		char *v = NULL;
		struct sh_error ignore = { 0 };

		galera_status(x, db.v[i], &s);
		v = rt_version(x, db.v[i], "galera", &ignore);
		if (s.up)
			printf("%-10s %-10s %-12s %5ld %s\n", db.v[i]->name, s.state,
			       s.cluster_status, s.size, v && *v ? v : "-");
		else
			printf("%-10s %-10s %-12s %5s %-24s %s\n", db.v[i]->name, "DOWN", "-", "-",
			       v && *v ? v : "-", s.error);
		bad += !s.up || !streq(s.state, "Synced");
		free(v);
	}
	n = db.n;
	vec_free(db);
	return bad ? sh_error_set(err, SH_EXIT_FAILURE, "%d of %zu nodes not Synced", bad, n) : 0;
}

int cmd_galera(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "settings", required_argument, NULL, 's' },
		{ "inventory", required_argument, NULL, 'i' },
		{ "file", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 't' },
		{ "mode", required_argument, NULL, 'm' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *sub, *set_path = NULL, *inv_path = NULL, *file = NULL, *to = NULL;
	const char *mode = NULL;
	bool force = false;
	struct infra x;
	struct sh_error err = { 0 };
	int c, r;

	if (argc < 2 || streq(argv[1], "-h") || streq(argv[1], "--help")) {
		fputs(galera_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	sub = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "s:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': set_path = optarg; break;
		case 'i': inv_path = optarg; break;
		case 'F': file = optarg; break;
		case 't': to = optarg; break;
		case 'm':
			if (!streq(optarg, "rolling") && !streq(optarg, "new-cluster"))
				return usage_error("galera", "--mode must be rolling or new-cluster, not '%s'", optarg);
			mode = optarg;
			break;
		case 'f': force = true; break;
		case 'h': fputs(galera_usage, stdout); return 0;
		default: return usage_error("galera", "bad option");
		}
	}
	if (optind < argc)
		return usage_error("galera", "unexpected argument '%s'", argv[optind]);
	if (!streq(sub, "status") && !streq(sub, "backup") && !streq(sub, "verify") &&
	    !streq(sub, "restore") && !streq(sub, "upgrade") && !streq(sub, "recover"))
		return usage_error("galera", "unknown subcommand '%s' (expected status, backup, verify, restore, upgrade or recover)", sub);
	if ((streq(sub, "backup") || streq(sub, "verify") || streq(sub, "restore")) && !file)
		return usage_error("galera", "%s needs --file PATH", sub);
	if (streq(sub, "upgrade") && !to)
		return usage_error("galera", "upgrade needs --to VERSION");
	if (infra_open(&x, inv_path, set_path, &err) < 0)
		return report_error(&err);
	if (streq(sub, "upgrade") && !mode) {
		const struct setting_choice *m = settings_choice(&x.st->modes, "galera");

		mode = m && m->value ? m->value : "rolling";
	}
	if (streq(sub, "status"))
		r = print_status(&x, &err);
	else if (streq(sub, "backup"))
		r = galera_backup(&x, file, &err);
	else if (streq(sub, "verify"))
		r = galera_verify(&x, file, &err);
	else if (streq(sub, "restore"))
		r = galera_restore(&x, file, &err);
	else if (streq(sub, "upgrade"))
		r = streq(mode, "rolling") ? galera_rolling_upgrade(&x, to, &err) :
		    galera_new_cluster(&x, to, &err);
	else
		r = galera_recover(&x, force, &err);
	infra_close(&x);
	return r < 0 ? report_error(&err) : 0;
}
