/* test-catalog.c - the release catalog reader, on the real catalog and on
 * broken copies of it. */
#include <unistd.h>

#include "catalog.h"
#include "fileio.h"
#include "harness.h"
#include "steps.h"

static char tmpdir[] = "/tmp/stackhop-test-catalog-XXXXXX";

TEST(real_catalog)
{
	struct sh_error err = { 0 };
	struct catalog *cat = NULL;
	const struct cat_release *r;
	const struct cat_service *s;

	CHECK(catalog_load("catalog", &cat, &err) == 0);
	if (!cat) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	CHECK(cat->nreleases == 24);
	CHECK(streq(cat->releases[0].name, "liberty"));
	CHECK(streq(cat->releases[cat->nreleases - 1].id, "2027.1"));
	r = catalog_release(cat, "2023.1");
	CHECK(r && streq(r->name, "antelope") && r->slurp);
	CHECK(catalog_release(cat, "Ocata") == &cat->releases[3]);
	CHECK(!catalog_release(cat, "ocatta"));
	CHECK(cat->slurp_first == r->index);
	CHECK(!catalog_release(cat, "2023.2")->slurp);

	/* Placement: inside nova until Stein, then a service of its own. */
	s = catalog_service(cat, "placement");
	CHECK(s && s->range.since == catalog_release(cat, "stein")->index);
	s = catalog_service(cat, "nova");
	CHECK(s && streq(s->components[0].name, "nova-placement-api"));
	CHECK(s->components[0].range.until == catalog_release(cat, "rocky")->index);
	CHECK(streq(s->components[0].moved_to, "placement"));

	/* The rolling order. */
	CHECK(streq(cat->services[0].name, "keystone"));
	CHECK(catalog_service(cat, "placement")->order < catalog_service(cat, "nova")->order);
	CHECK(catalog_service(cat, "nova")->order < catalog_service(cat, "neutron")->order);

	/* Mandatory steps of the reference hops; cells v2 is nova's from Ocata. */
	r = catalog_release(cat, "ocata");
	{
		bool map0 = false, create = false, discover = false, puser = false;
		const struct cat_service *n = catalog_service(cat, "nova");

		for (size_t i = 0; i < n->nkeystone; i++)
			puser |= streq(n->keystone[i].type, "placement") &&
				 n->keystone[i].range.since == r->index &&
				 n->keystone[i].range.until == catalog_release(cat, "rocky")->index;
		for (size_t i = 0; i < n->ncommands; i++) {
			const struct cat_step *c = &n->commands[i];
			bool ocata = c->range.since == r->index;

			map0 |= ocata && c->stage == STAGE_PREPARE && streq(c->id, "cell-v2-map-cell0");
			create |= ocata && c->stage == STAGE_PREPARE &&
				  streq(c->id, "cell-v2-create-cell1");
			discover |= ocata && c->stage == STAGE_POST &&
				    streq(c->id, "cell-v2-discover-hosts");
		}
		CHECK(map0 && create && discover && puser);
	}
	CHECK(catalog_release(cat, "mitaka")->nsteps >= 1);
	CHECK(streq(catalog_release(cat, "newton")->steps[0].id, "keystone-credential-setup"));
	CHECK(catalog_release(cat, "stein")->nsteps == 3);
	CHECK(cat->nrenames >= 30);
	CHECK(catalog_infra(cat, "galera") && catalog_infra(cat, "rabbitmq"));
	catalog_free(cat);
}

/* Every fact of the catalog names its source. */
TEST(every_fact_has_a_source)
{
	struct sh_error err = { 0 };
	struct catalog *cat = NULL;

	CHECK(catalog_load("catalog", &cat, &err) == 0);
	if (!cat)
		return;
	for (size_t i = 0; i < cat->nreleases; i++) {
		CHECK(cat->releases[i].source && *cat->releases[i].source);
		for (size_t k = 0; k < cat->releases[i].nsteps; k++)
			CHECK(*cat->releases[i].steps[k].source);
		for (size_t k = 0; k < cat->releases[i].nnotes; k++)
			CHECK(*cat->releases[i].notes[k].source);
	}
	for (size_t i = 0; i < cat->nservices; i++) {
		const struct cat_service *s = &cat->services[i];

		CHECK(*s->source);
		for (size_t k = 0; k < s->ncomponents; k++)
			CHECK(*s->components[k].source);
		for (size_t k = 0; k < s->ncommands; k++)
			CHECK(*s->commands[k].source);
		for (size_t k = 0; k < s->nkeystone; k++)
			CHECK(*s->keystone[k].source);
	}
	for (size_t i = 0; i < cat->nrenames; i++)
		CHECK(*cat->renames[i].source);
	for (size_t i = 0; i < cat->ninfra; i++)
		CHECK(*cat->infra[i].source);
	catalog_free(cat);
}

/* Copy the real catalog into tmpdir, replacing from by to in file. */
static int broken_copy(const char *file, const char *from, const char *to)
{
	char cmd[512], path[512];
	char *buf, *at, *out;
	size_t len;
	struct sh_error err = { 0 };

	snprintf(cmd, sizeof(cmd), "rm -rf %s/* && cp -r catalog/. %s/", tmpdir, tmpdir);
	if (system(cmd) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", tmpdir, file);
	if (read_file_limited(path, 1 << 22, &buf, &len, &err) < 0)
		return -1;
	at = strstr(buf, from);
	if (!at) {
		fprintf(stderr, "'%s' not in %s\n", from, file);
		free(buf);
		return -1;
	}
	out = xmalloc(len + strlen(to) + 1);
	memcpy(out, buf, (size_t)(at - buf));
	memcpy(out + (at - buf), to, strlen(to));
	memcpy(out + (at - buf) + strlen(to), at + strlen(from),
	       len - (size_t)(at - buf) - strlen(from) + 1);
	int r = write_file_atomic(path, out, strlen(out), 0644, &err);
	free(buf);
	free(out);
	return r;
}

TEST(broken_catalogs)
{
	static const struct { const char *file, *from, *to, *want; } cases[] = {
		{ "releases.yaml", "{name: mitaka,   date: 2016-04-07, ", "{name: mitaka, ",
		  "releases.yaml:19: missing field 'date' in release 'mitaka' (expected a string)" },
		{ "releases.yaml", "date: 2016-04-07", "date: 2016-4-7",
		  "releases.yaml:19: date of release 'mitaka' must be YYYY-MM-DD" },
		{ "releases.yaml", "{name: newton,   date: 2016-10-06", "{name: newton,   date: 2015-10-06",
		  "releases.yaml:21: release 'newton' (2015-10-06) is not after 'liberty'" },
		{ "releases.yaml", "name: ocata,", "name: mitaka,", "duplicate release 'mitaka'" },
		{ "releases.yaml", "status: eol, slurp: false, source: *series,\n     versions: {nova: \"16\"",
		  "status: eol, slurp: false,\n     versions: {nova: \"16\"",
		  "releases.yaml:25: missing field 'source' in release 'pike'" },
		{ "services.yaml", "{id: api-db-sync, until: newton, kind: db-sync,", "{id: api-db-sync, until: newton, kind: db-snyc,",
		  "unknown step kind 'db-snyc'" },
		/* An internal kind of the table is no plan kind. */
		{ "services.yaml", "{id: api-db-sync, until: newton, kind: db-sync,", "{id: api-db-sync, until: newton, kind: container-run,",
		  "unknown step kind 'container-run'" },
		/* A kind whose table entry runs the catalog's command needs one. */
		{ "services.yaml", "kind: db-sync, argv: [keystone-manage, db_sync], source: *keystone_upg}",
		  "kind: db-sync, source: *keystone_upg}",
		  "services.yaml:63: missing field 'argv' in a command of service 'keystone' (a db-sync step needs a command)" },
		{ "services.yaml", "{id: online-migrations, since: mitaka,", "{id: online-migrations, since: mitaca,",
		  "unknown release 'mitaca' in field 'since'" },
		{ "services.yaml", "order:\n  services: [keystone, glance,", "order:\n  services: [keystone,",
		  "service 'glance' is missing from order" },
		{ "services.yaml", "{name: nova-api, groups:", "{name: nova-api, colour: red, groups:",
		  "unknown key 'colour' in a component of 'nova'" },
		{ "services.yaml", "{name: nova-compute, tier: data,", "{name: nova-compute, tier: dataplane,",
		  "tier of component 'nova-compute' of 'nova' must be control or data" },
		{ "hops/stein.yaml", "after: [placement-db]", "after: [placement-db-stamp]",
		  "after 'placement-db-stamp' in step #2 of the stein hop names no earlier step of this file" },
		{ "hops/stein.yaml", "stage: prepare\n    kind: command\n    argv: [mysql-migrate-db.sh",
		  "stage: prepare\n    argv: [mysql-migrate-db.sh",
		  "hops/stein.yaml:11: missing field 'kind' in step #2 of the stein hop" },
		{ "hops/stein.yaml", "release: stein", "release: steinn", "unknown release 'steinn'" },
		{ "infra.yaml", "{kind: galera-stop, scope: each-node, reverse: true}",
		  "{kind: galera-stop, scope: every-node}", "unknown scope 'every-node'" },
		{ "infra.yaml", "default: full-stop", "default: fullstop",
		  "default procedure 'fullstop' of infra component 'rabbitmq' is not among its procedures" },
		{ "config-renames.yaml", "new_section: oslo_messaging_notifications, new_option: driver,",
		  "new_section: oslo_messaging_notifications,", "missing field 'new_option' in rename #3" },
		{ "services.yaml", "caracal: antelope,", "caracal: antelop,",
		  "unknown release in 'caracal: antelop' of compute_floor of service 'nova'" },
		{ "services.yaml", "requires: [cell0-mapping], source: *nova_upg}",
		  "requires: [cell0-mapping@ocataa], source: *nova_upg}", "bad requirement 'cell0-mapping@ocataa'" },
		{ "releases.yaml", "releases:\n", "releases:\n  - [oops\n", "releases.yaml:18: invalid YAML" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sh_error err = { 0 };
		struct catalog *cat = NULL;

		CHECK(broken_copy(cases[i].file, cases[i].from, cases[i].to) == 0);
		CHECK(catalog_load(tmpdir, &cat, &err) < 0);
		CHECK(err.status == SH_EXIT_INPUT);
		CHECK_CONTAINS(err.msg, cases[i].want);
		CHECK(!cat);
	}
}

int main(void)
{
	step_kinds_init();	/* as main() does */
	harness_tmpdir(tmpdir);
	RUN(real_catalog);
	RUN(every_fact_has_a_source);
	RUN(broken_catalogs);
	harness_rmtree(tmpdir);
	HARNESS_END();
}
