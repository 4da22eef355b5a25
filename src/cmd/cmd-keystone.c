/*
 * cmd-keystone.c - stackhop keystone register|list: what a service needs
 * in Keystone, found or created, through the v3 API.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "keystone.h"
#include "secrets.h"
#include "settings.h"

static const char keystone_usage[] =
	"usage: stackhop keystone register -s SETTINGS --service NAME --type TYPE --url URL\n"
	"                [--public-url URL] [--internal-url URL] [--admin-url URL]\n"
	"                [--region REGION] [--user NAME --password-secret KEY]\n"
	"                [--project NAME] [--role NAME]\n"
	"       stackhop keystone list -s SETTINGS [--type TYPE]\n"
	"\n"
	"register: find or create, in the Keystone of the settings'\n"
	"endpoints.keystone (as admin, password keystone_admin_password of the\n"
	"secrets file): the service user (its password the secrets file's KEY),\n"
	"its project (default service) and role on it (default admin), the\n"
	"service of NAME and TYPE, and its public, internal and admin endpoints\n"
	"in REGION (default RegionOne; --url for all three, or one per\n"
	"interface).  What exists is left alone (an endpoint whose URL differs is\n"
	"updated), so a second run creates nothing.  Each object is reported as\n"
	"created, exists or updated.\n"
	"list: the services (of TYPE) with their endpoints.\n"
	"\n"
	"Exit status: 0 done, 1 failed, 2 bad input.\n";

static int login(const struct settings *st, const struct secrets *sec, struct keystone *k,
		 struct sh_error *err)
{
	const char *pw = sec ? secrets_get(sec, "keystone_admin_password") : NULL;

	if (!st->keystone)
		return sh_error_set(err, SH_EXIT_INPUT, "%s: the settings have no endpoints.keystone",
				    st->path);
	if (!pw)
		return sh_error_set(err, SH_EXIT_INPUT,
				    "the secrets file holds no keystone_admin_password");
	return keystone_login(k, st->keystone, "admin", pw, "admin", err);
}

static int list(struct keystone *k, const char *type, struct sh_error *err)
{
	char path[256];
	json_t *svcs = NULL, *eps = NULL, *s, *e;
	size_t i, j;
	int r = -1;

	snprintf(path, sizeof(path), "/services%s%s", type ? "?type=" : "", type ? type : "");
	if (keystone_call(k, "GET", path, NULL, &svcs, err) != 200 ||
	    keystone_call(k, "GET", "/endpoints", NULL, &eps, err) != 200) {
		if (!err->msg[0])
			sh_error_set(err, SH_EXIT_FAILURE, "Keystone: listing services and endpoints failed");
		goto out;
	}
	json_array_foreach(json_object_get(svcs, "services"), i, s) {
		const char *id = json_string_value(json_object_get(s, "id"));

		printf("service %s (%s) %s\n", json_string_value(json_object_get(s, "name")),
		       json_string_value(json_object_get(s, "type")), id);
		json_array_foreach(json_object_get(eps, "endpoints"), j, e)
			if (id && streq(json_string_value(json_object_get(e, "service_id")) ?
					json_string_value(json_object_get(e, "service_id")) : "", id))
				printf("  endpoint %s %s %s\n",
				       json_string_value(json_object_get(e, "interface")),
				       json_string_value(json_object_get(e, "region_id")),
				       json_string_value(json_object_get(e, "url")));
	}
	r = 0;
out:
	json_decref(svcs);
	json_decref(eps);
	return r;
}

struct reg {
	struct ks_registration r;
	const char *pw_key;
};

int cmd_keystone(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "settings", required_argument, NULL, 's' },
		{ "service", required_argument, NULL, 'S' },
		{ "type", required_argument, NULL, 'T' },
		{ "url", required_argument, NULL, 'u' },
		{ "public-url", required_argument, NULL, 'P' },
		{ "internal-url", required_argument, NULL, 'I' },
		{ "admin-url", required_argument, NULL, 'A' },
		{ "region", required_argument, NULL, 'R' },
		{ "user", required_argument, NULL, 'U' },
		{ "password-secret", required_argument, NULL, 'W' },
		{ "project", required_argument, NULL, 'p' },
		{ "role", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct reg a = { .r = { .region = "RegionOne", .project = "service", .role = "admin" } };
	const char *set_path = NULL, *url = NULL, *sub;
	struct settings *st = NULL;
	struct secrets *sec = NULL;
	struct keystone k = { 0 };
	struct sh_error err = { 0 };
	int c, r;

	if (argc < 2 || streq(argv[1], "-h") || streq(argv[1], "--help")) {
		fputs(keystone_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	sub = argv[1];
	if (!streq(sub, "register") && !streq(sub, "list"))
		return usage_error("keystone", "unknown subcommand '%s' (expected register or list)", sub);
	optind = 2;
	while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': set_path = optarg; break;
		case 'S': a.r.service = optarg; break;
		case 'T': a.r.type = optarg; break;
		case 'u': url = optarg; break;
		case 'P': a.r.url[0] = optarg; break;
		case 'I': a.r.url[1] = optarg; break;
		case 'A': a.r.url[2] = optarg; break;
		case 'R': a.r.region = optarg; break;
		case 'U': a.r.user = optarg; break;
		case 'W': a.pw_key = optarg; break;
		case 'p': a.r.project = optarg; break;
		case 'r': a.r.role = optarg; break;
		case 'h': fputs(keystone_usage, stdout); return 0;
		default: return usage_error("keystone", "bad option");
		}
	}
	if (optind < argc)
		return usage_error("keystone", "unexpected argument '%s'", argv[optind]);
	if (!set_path)
		return usage_error("keystone", "missing -s SETTINGS");
	for (size_t i = 0; i < 3; i++)
		if (!a.r.url[i])
			a.r.url[i] = url;
	if (streq(sub, "register")) {
		if (!a.r.service || !a.r.type || !a.r.url[0] || !a.r.url[1] || !a.r.url[2])
			return usage_error("keystone", "register needs --service, --type and --url (or a URL per interface)");
		if (!a.r.user != !a.pw_key)
			return usage_error("keystone", "--user and --password-secret go together");
	}
	if (settings_load(set_path, &st, &err) < 0 ||
	    (st->secrets && secrets_load(st->secrets, &sec, &err) < 0) ||
	    login(st, sec, &k, &err) < 0)
		goto fail;
	if (streq(sub, "register") && a.r.user && !(a.r.password = secrets_get(sec, a.pw_key))) {
		sh_error_set(&err, SH_EXIT_INPUT, "the secrets file holds no '%s'", a.pw_key);
		goto fail;
	}
	r = streq(sub, "list") ? list(&k, a.r.type, &err) : keystone_register(&k, &a.r, stdout, &err);
	if (r < 0)
		goto fail;
	r = 0;
	goto out;
fail:
	r = report_error(&err);
out:
	keystone_release(&k);
	secrets_free(sec);
	settings_free(st);
	return r;
}
