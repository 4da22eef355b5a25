/*
 * cmd-info.c - stackhop releases and stackhop inventory: show what
 * stackhop read, so an operator can check the catalog and an inventory
 * before planning.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

#include "catalog.h"
#include "cmd.h"
#include "inventory.h"

static const char releases_usage[] =
	"usage: stackhop releases [--format text|json] [--catalog DIR]\n"
	"\n"
	"List the releases of the catalog in upgrade order, with their IDs,\n"
	"dates, status, SLURP flag and mandatory steps.\n";

static const char inventory_usage[] =
	"usage: stackhop inventory -i INVENTORY [--format text|json]\n"
	"\n"
	"Parse an Ansible INI inventory and show its hosts (with the address,\n"
	"user and port stackhop will use) and groups.\n";

/* Shared option parsing: -i, --format, --catalog, --help. */
static int parse(int argc, char **argv, const char *cmd, const char *usage,
		 const char **inv, const char **format, const char **cat,
		 int *ret_status)
{
	static const struct option opts[] = {
		{ "inventory", required_argument, NULL, 'i' },
		{ "format", required_argument, NULL, 'f' },
		{ "catalog", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': *inv = optarg; break;
		case 'f': *format = optarg; break;
		case 'c': *cat = optarg; break;
		case 'h': fputs(usage, stdout); *ret_status = 0; return -1;
		default: *ret_status = usage_error(cmd, "bad option"); return -1;
		}
	}
	if (optind < argc) {
		*ret_status = usage_error(cmd, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (!streq(*format, "text") && !streq(*format, "json")) {
		*ret_status = usage_error(cmd, "unknown format '%s' (expected text or json)",
					  *format);
		return -1;
	}
	return 0;
}

int cmd_releases(int argc, char **argv)
{
	const char *inv = NULL, *format = "text", *cat_opt = NULL;
	struct sh_error err = { 0 };
	struct catalog *cat;
	int status;

	if (parse(argc, argv, "releases", releases_usage, &inv, &format, &cat_opt,
		  &status) < 0)
		return status;
	if (inv)
		return usage_error("releases", "-i is not an option of releases");
	if (catalog_load(catalog_dir(cat_opt), &cat, &err) < 0)
		return report_error(&err);
	if (streq(format, "json")) {
		json_t *a = json_array();

		for (size_t i = 0; i < cat->nreleases; i++) {
			const struct cat_release *r = &cat->releases[i];

			json_array_append_new(a, json_pack("{s:s,s:s?,s:s,s:s,s:b,s:I}",
				"name", r->name, "id", r->id, "date", r->date,
				"status", r->status, "slurp", r->slurp,
				"mandatory_steps", (json_int_t)r->nsteps));
		}
		json_dumpf(a, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(a);
	} else {
		printf("%-10s %-7s %-10s %-13s %-5s %s\n", "RELEASE", "ID", "DATE",
		       "STATUS", "SLURP", "MANDATORY STEPS");
		for (size_t i = 0; i < cat->nreleases; i++) {
			const struct cat_release *r = &cat->releases[i];

			printf("%-10s %-7s %-10s %-13s %-5s", r->name, r->id ? r->id : "-",
			       r->date, r->status, r->slurp ? "yes" : "no");
			for (size_t k = 0; k < r->nsteps; k++)
				printf("%s%s/%s", k ? ", " : " ", r->steps[k].service,
				       r->steps[k].id);
			putchar('\n');
		}
	}
	catalog_free(cat);
	return ferror(stdout) ? SH_EXIT_FAILURE : 0;
}

int cmd_inventory(int argc, char **argv)
{
	const char *path = NULL, *format = "text", *cat_opt = NULL;
	struct sh_error err = { 0 };
	struct inventory *inv;
	int status;

	if (parse(argc, argv, "inventory", inventory_usage, &path, &format, &cat_opt,
		  &status) < 0)
		return status;
	if (!path)
		return usage_error("inventory", "missing -i INVENTORY");
	if (inventory_load(path, &inv, &err) < 0)
		return report_error(&err);
	if (streq(format, "json")) {
		json_t *o = json_object(), *hosts = json_array(), *groups = json_object();

		for (size_t i = 0; i < inv->hosts.n; i++) {
			struct inv_host *h = inv->hosts.v[i];

			json_array_append_new(hosts, json_pack("{s:s,s:s,s:s?,s:i,s:s?}",
				"name", h->name, "address", h->address, "user", h->user,
				"port", h->port, "connection", h->connection));
		}
		for (size_t i = 0; i < inv->groups.n; i++) {
			inv_host_vec sel = { 0 };
			json_t *a = json_array();

			inventory_select(inv, inv->groups.v[i]->name, &sel, NULL);
			for (size_t k = 0; k < sel.n; k++)
				json_array_append_new(a, json_string(sel.v[k]->name));
			json_object_set_new(groups, inv->groups.v[i]->name, a);
			vec_free(sel);
		}
		json_object_set_new(o, "hosts", hosts);
		json_object_set_new(o, "groups", groups);
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
	} else {
		printf("%zu hosts, %zu groups\n", inv->hosts.n, inv->groups.n);
		for (size_t i = 0; i < inv->hosts.n; i++) {
			struct inv_host *h = inv->hosts.v[i];

			printf("  %-20s %s%s%s:%d%s%s\n", h->name, h->user ? h->user : "",
			       h->user ? "@" : "", h->address, h->port,
			       h->connection ? "  connection=" : "",
			       h->connection ? h->connection : "");
		}
		for (size_t i = 0; i < inv->groups.n; i++) {
			inv_host_vec sel = { 0 };

			inventory_select(inv, inv->groups.v[i]->name, &sel, NULL);
			printf("  [%s] %zu host%s\n", inv->groups.v[i]->name, sel.n,
			       sel.n == 1 ? "" : "s");
			vec_free(sel);
		}
	}
	inventory_free(inv);
	return ferror(stdout) ? SH_EXIT_FAILURE : 0;
}
