/*
 * cmd-check.c - stackhop check: health checks of the infrastructure, in
 * the oslo.upgradecheck form.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "health.h"
#include "infra.h"
#include "upgradecheck.h"

static const char check_usage[] =
	"usage: stackhop check -s SETTINGS [-i INVENTORY] [--component NAME]...\n"
	"                      [--format text|json]\n"
	"\n"
	"Check the health of the cloud's infrastructure, as oslo.upgradecheck\n"
	"does for a service: each check gives Success, Warning or Failure with\n"
	"details, and the exit status is the worst: 0, 1 or 2.\n"
	"\n"
	"  galera    every node up, Synced, in one primary component of full size\n"
	"  haproxy   every HAProxy answers, every backend server UP, the VIP answers\n"
	"  rabbitmq  every node running, no partitions, no alarms\n"
	"  keystone  the API answers through the VIP and issues a token to admin\n"
	"\n"
	"  -s, --settings FILE     endpoints, credentials (secrets), runtime\n"
	"  -i, --inventory FILE    default: 'inventory' beside the settings\n"
	"      --component NAME    only these checks (repeatable; default all)\n"
	"      --format text|json  default text\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit status: 0 Success, 1 Warning, 2 Failure; 3 bad input.\n";

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "settings", required_argument, NULL, 's' },
		{ "inventory", required_argument, NULL, 'i' },
		{ "component", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *set_path = NULL, *inv_path = NULL, *format = "text";
	VEC(const char *) comps = { 0 };
	struct check_result *res;
	struct sh_error err = { 0 };
	struct infra x;
	int c, worst = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': set_path = optarg; break;
		case 'i': inv_path = optarg; break;
		case 'c': {
			bool known = false;

			for (size_t i = 0; health_components[i]; i++)
				known |= streq(health_components[i], optarg);
			if (!known) {
				vec_free(comps);
				usage_error("check", "unknown component '%s' (expected galera, haproxy, rabbitmq or keystone)", optarg);
				return 3;
			}
			vec_push(comps, optarg);
			break;
		}
		case 'f':
			if (!streq(optarg, "text") && !streq(optarg, "json")) {
				vec_free(comps);
				usage_error("check", "--format must be text or json, not '%s'", optarg);
				return 3;
			}
			format = optarg;
			break;
		case 'h': fputs(check_usage, stdout); vec_free(comps); return 0;
		default: vec_free(comps); usage_error("check", "bad option"); return 3;
		}
	}
	if (optind < argc) {
		vec_free(comps);
		usage_error("check", "unexpected argument '%s'", argv[optind]);
		return 3;
	}
	if (!comps.n)
		for (size_t i = 0; health_components[i]; i++)
			vec_push(comps, health_components[i]);
	if (infra_open(&x, inv_path, set_path, &err) < 0) {
		vec_free(comps);
		report_error(&err);
		return 3;
	}
	res = xcalloc(comps.n, sizeof(*res));
	for (size_t i = 0; i < comps.n; i++) {
		health_check(&x, comps.v[i], &res[i]);
		if ((int)res[i].code > worst)
			worst = (int)res[i].code;
	}
	if (streq(format, "json")) {
		json_t *a = json_array();

		for (size_t i = 0; i < comps.n; i++)
			json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:s}", "check", res[i].name,
							   "result", check_code_name(res[i].code),
							   "code", (int)res[i].code, "details", res[i].details));
		json_t *doc = json_pack("{s:o, s:s, s:i}", "checks", a, "result",
					check_code_name((enum check_code)worst), "code", worst);

		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(doc);
	} else {
		upgradecheck_print(stdout, "stackhop check results", res, comps.n);
	}
	free(res);
	vec_free(comps);
	infra_close(&x);
	return worst;
}
