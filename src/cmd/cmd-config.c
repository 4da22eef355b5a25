/*
 * cmd-config.c - stackhop config migrate: a service's configuration file
 * translated from one release to another with the catalog's renames.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog.h"
#include "cmd.h"
#include "config.h"
#include "fileio.h"
#include "ini.h"

static const char config_usage[] =
	"usage: stackhop config migrate --service NAME --from RELEASE --to RELEASE FILE\n"
	"                               [-o OUT] [--catalog DIR]\n"
	"\n"
	"Apply to FILE (an oslo.config INI file of service NAME) every option\n"
	"rename and removal of the catalog due by --to: options move or go,\n"
	"rpc_backend and rabbit_* become one transport_url, [glance] host/port/\n"
	"protocol become api_servers.  Comments, blank lines, the order of the\n"
	"options and options the catalog does not name are kept byte for byte;\n"
	"a file with nothing to change comes back identical.  Each change is\n"
	"reported by option name (never a value: they may be secrets), and so is\n"
	"each deprecated option left in place.\n"
	"\n"
	"  -o, --output OUT    write the new file there (atomically, with FILE's\n"
	"                      mode); without it only the report is printed\n"
	"      --catalog DIR   release catalog\n"
	"\n"
	"Exit status: 0 done, 2 bad input.\n";

int cmd_config(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "service", required_argument, NULL, 'S' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "catalog", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *service = NULL, *from = NULL, *to = NULL, *outp = NULL, *catdir = NULL, *file;
	const struct cat_release *rf, *rt;
	struct catalog *cat = NULL;
	struct ini ini = { 0 };
	config_change_vec changes = { 0 };
	struct sh_error err = { 0 };
	struct stat sb;
	char *text = NULL, *res = NULL;
	size_t len, rlen;
	bool known = false;
	int c, r = 2;

	if (argc < 2 || streq(argv[1], "-h") || streq(argv[1], "--help")) {
		fputs(config_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!streq(argv[1], "migrate"))
		return usage_error("config", "unknown subcommand '%s' (expected migrate)", argv[1]);
	optind = 2;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'S': service = optarg; break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'o': outp = optarg; break;
		case 'c': catdir = optarg; break;
		case 'h': fputs(config_usage, stdout); return 0;
		default: return usage_error("config", "bad option");
		}
	}
	if (optind + 1 != argc)
		return usage_error("config", "config migrate takes one FILE");
	if (!service || !from || !to)
		return usage_error("config", "config migrate needs --service, --from and --to");
	file = argv[optind];
	if (catalog_load(catalog_dir(catdir), &cat, &err) < 0)
		goto fail;
	if (!(rf = catalog_release(cat, from)) || !(rt = catalog_release(cat, to))) {
		sh_error_set(&err, SH_EXIT_INPUT, "unknown release '%s' (see 'stackhop releases')",
			     catalog_release(cat, from) ? to : from);
		goto fail;
	}
	if (rt->index <= rf->index) {
		sh_error_set(&err, SH_EXIT_INPUT, "--to %s does not come after --from %s", to, from);
		goto fail;
	}
	for (size_t i = 0; i < cat->nservices; i++)
		known |= streq(cat->services[i].name, service);
	if (!known) {
		sh_error_set(&err, SH_EXIT_INPUT, "unknown service '%s' (expected a service of the catalog, like nova or keystone)",
			     service);
		goto fail;
	}
	if (stat(file, &sb) < 0) {
		sh_error_set(&err, SH_EXIT_INPUT, "cannot read '%s': %s", file, strerror(errno));
		goto fail;
	}
	if (read_file_limited(file, 16 << 20, &text, &len, &err) < 0 ||
	    ini_parse(&ini, file, text, len, &err) < 0)
		goto fail;
	config_migrate(&ini, cat, service, rt->index, &changes);
	res = ini_write(&ini, &rlen);
	if (outp && write_file_atomic(outp, res, rlen, sb.st_mode & 07777, &err) < 0)
		goto fail;
	printf("%s: %s %s -> %s: %zu change%s\n", file, service, rf->name, rt->name, changes.n,
	       changes.n == 1 ? "" : "s");
	for (size_t i = 0; i < changes.n; i++)
		printf("  %s\n", changes.v[i].text);
	if (outp)
		printf("written: %s%s\n", outp,
		       rlen == len && !memcmp(res, text, len) ? " (identical to the input)" : "");
	r = 0;
	goto out;
fail:
	r = report_error(&err);
out:
	if (res)
		explicit_bzero(res, rlen);
	if (text)
		explicit_bzero(text, len);
	free(res);
	free(text);
	vec_free(changes);
	ini_release(&ini);
	catalog_free(cat);
	return r;
}
