/* cmd-plan.c - stackhop plan: print the upgrade plan of a journey. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "catalog.h"
#include "cmd.h"
#include "inventory.h"
#include "journal.h"
#include "plan.h"
#include "settings.h"

static const char plan_usage[] =
	"usage: stackhop plan -i INVENTORY [-s SETTINGS] --from RELEASE --to RELEASE\n"
	"                     [--format text|json|dot] [--direct] [--catalog DIR]\n"
	"                     [--save JOURNAL]\n"
	"\n"
	"Compute the complete, ordered upgrade plan from one OpenStack release to\n"
	"another, without touching anything: the hops (one release at a time, or\n"
	"SLURP to SLURP from 2023.1 on), and in each hop the steps of every phase\n"
	"(pre, host, ceph, infra, openstack, verify) with their targets, rolling\n"
	"batches and dependencies.\n"
	"\n"
	"  -i, --inventory FILE  Ansible INI inventory (kolla-ansible's format)\n"
	"  -s, --settings FILE   stackhop settings (YAML); defaults apply without it\n"
	"      --from RELEASE    release running now (name like 'liberty' or ID like '2023.1')\n"
	"      --to RELEASE      release to reach (the one running now: a minor update\n"
	"                        to the settings' newer images of it)\n"
	"      --format FORMAT   text (default), json, or dot (Graphviz)\n"
	"      --direct          refuse unless the journey is a single hop\n"
	"      --catalog DIR     release catalog (default: $STACKHOP_CATALOG, the\n"
	"                        catalog/ beside the binary, or the installed one)\n"
	"      --save JOURNAL    also write the plan into a new run journal (SQLite),\n"
	"                        every step 'planned'; see 'stackhop status'\n"
	"  -h, --help            show this help\n"
	"\n"
	"Exit status: 0 success, 1 failure, 2 bad input.\n";

int cmd_plan(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "inventory", required_argument, NULL, 'i' },
		{ "settings", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "format", required_argument, NULL, 'f' },
		{ "direct", no_argument, NULL, 'd' },
		{ "catalog", required_argument, NULL, 'c' },
		{ "save", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *inv_path = NULL, *set_path = NULL, *from = NULL, *to = NULL;
	const char *format = "text", *cat_opt = NULL, *save = NULL;
	struct sh_error err = { 0 };
	struct inventory *inv = NULL;
	struct catalog *cat = NULL;
	struct settings *st = NULL;
	struct plan *plan = NULL;
	bool direct = false;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+i:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': inv_path = optarg; break;
		case 's': set_path = optarg; break;
		case 'F': from = optarg; break;
		case 'T': to = optarg; break;
		case 'f': format = optarg; break;
		case 'd': direct = true; break;
		case 'c': cat_opt = optarg; break;
		case 'S': save = optarg; break;
		case 'h': fputs(plan_usage, stdout); return 0;
		default: return usage_error("plan", "bad option");
		}
	}
	if (optind < argc)
		return usage_error("plan", "unexpected argument '%s'", argv[optind]);
	if (!inv_path)
		return usage_error("plan", "missing -i INVENTORY");
	if (!from || !to)
		return usage_error("plan", "missing --%s RELEASE", from ? "to" : "from");
	if (!streq(format, "text") && !streq(format, "json") && !streq(format, "dot"))
		return usage_error("plan", "unknown format '%s' (expected text, json or dot)",
				   format);

	if (catalog_load(catalog_dir(cat_opt), &cat, &err) < 0 ||
	    inventory_load(inv_path, &inv, &err) < 0)
		goto fail;
	if (settings_load_or_defaults(set_path, &st, &err) < 0)
		goto fail;
	if (plan_build(inv, cat, st, from, to, direct, &plan, &err) < 0)
		goto fail;

	if (save) {
		struct journal_meta meta = {
			.from = plan->from->name, .to = plan->to->name,
			.inventory = inv_path, .settings = set_path,
			.catalog = cat->dir, .transport = "",
		};

		if (journal_create(save, plan, &meta, &err) < 0)
			goto fail;
	}
	if (streq(format, "json"))
		r = plan_print_json(plan, stdout);
	else if (streq(format, "dot"))
		r = plan_print_dot(plan, stdout);
	else
		r = plan_print_text(plan, stdout);
	if (r < 0 && !stdout_reader_gone()) {
		sh_error_set(&err, SH_EXIT_FAILURE, "cannot write the plan to standard output");
		goto fail;
	}
	r = 0;
	goto out;
fail:
	r = report_error(&err);
out:
	plan_free(plan);
	settings_free(st);
	inventory_free(inv);
	catalog_free(cat);
	return r;
}
