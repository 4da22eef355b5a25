/* test-plan.c - settings, the hop path and the step DAG. */
#include "harness.h"
#include "drivers.h"
#include "plan.h"
#include "steps.h"

static struct catalog *cat;
static struct inventory *inv;
static struct settings *kept[16];	/* plans borrow their settings */
static size_t nkept;
static char dir[] = "/tmp/stackhop-test-plan-XXXXXX";

/* Write settings text to this test's settings file; returns its path. */
static const char *write_settings(const char *text)
{
	static char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/settings.yaml", dir);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	return path;
}

/* ---- settings ---------------------------------------------------------- */

TEST(settings_file)
{
	struct sh_error err = { 0 };
	struct settings *s = NULL;
	static const char *const compute[] = { "nova-compute", "compute" };
	static const char *const ctl[] = { "nova-api", "nova", "control" };

	CHECK(settings_load("tests/data/settings-lab.yaml", &s, &err) == 0);
	if (!s)
		return;
	CHECK(streq(s->vip, "10.231.0.100"));
	CHECK(streq(s->database, "10.231.0.100:3306"));
	CHECK(s->nrabbitmq == 3);
	CHECK(s->runtime == RUNTIME_PROCESS);
	CHECK(streq(s->secrets, "tests/data/secrets.yaml"));
	CHECK(settings_rolling(s, compute, 2)->percent);
	CHECK(rolling_batch_size(settings_rolling(s, compute, 2), 10) == 5);
	CHECK(rolling_batch_size(settings_rolling(s, compute, 2), 1) == 1);
	CHECK(settings_rolling(s, ctl, 3) == &s->rolling.v[0]);
	CHECK(streq(settings_choice(&s->modes, "galera")->value, "new-cluster"));
	/* What the infrastructure procedures and the prober read. */
	CHECK(streq(s->database_user, "stackhop"));
	CHECK(s->probe_interval_ms == 100 && s->probe_timeout_ms == 800);
	CHECK(s->nprobe_targets == 2 && streq(s->probe_targets[1], "tcp:10.231.0.150:7"));
	CHECK(streq(s->galera_backend, "galera"));
	CHECK(s->nprocess_control == 3 && streq(s->process_control[0], "sh") &&
	      !s->process_control[3]);
	{
		char *p = settings_node_path(s->haproxy_socket, "ctl2");

		CHECK(streq(p, "/var/tmp/lab/nodes/ctl2/haproxy/admin.sock"));
		free(p);
	}
	settings_free(s);
	/* Defaults, for a cloud that does not say. */
	s = settings_defaults();
	CHECK(streq(s->database_user, "root") && s->probe_interval_ms == 100);
	CHECK(streq(s->galera_disabled_file, "/var/tmp/clustercheck.disabled"));
	CHECK(!s->process_control);
	/* Rolling batches an operator of a large cloud would choose. */
	CHECK(s->rolling.n == 3);
	CHECK(settings_rolling(s, compute, 2)->percent && settings_rolling(s, compute, 2)->serial == 10 &&
	      settings_rolling(s, compute, 2)->max_fail_percentage == 5);
	CHECK(rolling_batch_size(settings_rolling(s, compute, 2), 10000) == 1000);
	{
		static const char *const storage[] = { "cinder-volume", "storage" };

		CHECK(rolling_batch_size(settings_rolling(s, storage, 2), 100) == 5);
		CHECK(settings_rolling(s, storage, 2)->max_fail_percentage == 5);
	}
	CHECK(rolling_batch_size(settings_rolling(s, ctl, 3), 3) == 1);
	CHECK(settings_rolling(s, ctl, 3)->max_fail_percentage == 0);
	settings_free(s);
	/* A file's rolling: replaces every default. */
	CHECK(settings_load(write_settings("rolling:\n  compute: {serial: 2}\n"), &s, &err) == 0);
	if (s) {
		CHECK(s->rolling.n == 2 && !settings_rolling(s, compute, 2)->percent &&
		      settings_rolling(s, compute, 2)->serial == 2);
		CHECK(settings_rolling(s, ctl, 3)->serial == 1 && !settings_rolling(s, ctl, 3)->percent);
		settings_free(s);
	}
}

static const char *settings_bad(const char *text)
{
	static struct sh_error err;
	struct settings *s = NULL;

	memset(&err, 0, sizeof(err));
	if (settings_load(write_settings(text), &s, &err) == 0) {
		settings_free(s);
		return "(loaded)";
	}
	CHECK(err.status == SH_EXIT_INPUT);
	return err.msg;
}

TEST(settings_bad_inputs)
{
	CHECK_CONTAINS(settings_bad("vip: 10.231.0.300\n"),
		       "settings.yaml:1: vip must be an IPv4 or IPv6 address");
	CHECK_CONTAINS(settings_bad("runtime: lxc\n"), ":1: runtime must be docker or process");
	CHECK_CONTAINS(settings_bad("rolling:\n  compute: {serial: \"0%\"}\n"),
		       ":2: serial of rolling 'compute' must be a host count");
	CHECK_CONTAINS(settings_bad("rolling:\n  compute: {max_fail_percentage: 120}\n"),
		       "field 'max_fail_percentage' of rolling 'compute' must be an integer from 0 to 100");
	CHECK_CONTAINS(settings_bad("admin_password: hunter2\n"),
		       ":1: 'admin_password' looks like a secret: secrets belong in the secrets file");
	CHECK_CONTAINS(settings_bad("endpoints:\n  keystone: http://admin:pw@10.0.0.1/v3\n"),
		       ":2: endpoints keystone must not carry credentials");
	CHECK_CONTAINS(settings_bad("endpoints:\n  database: 10.0.0.1\n"),
		       ":2: endpoints database must be host:port");
	CHECK_CONTAINS(settings_bad("vip: 10.0.0.1\nvip: 10.0.0.2\n"), ":2: duplicate key 'vip'");
	CHECK_CONTAINS(settings_bad("vipp: 10.0.0.1\n"), ":1: unknown key 'vipp' in the settings");
	CHECK_CONTAINS(settings_bad("phases:\n  host: {hops: sometimes}\n"),
		       ":2: hops of phase 'host' must be first, every or none");
	CHECK_CONTAINS(settings_bad("probe:\n  interval_ms: 5\n"),
		       "field 'interval_ms' of probe must be an integer from 10 to 60000");
	CHECK_CONTAINS(settings_bad("probe:\n  targets: icmp:10.0.0.1\n"), ":2:");
	CHECK_CONTAINS(settings_bad("galera:\n  backend: g\n  drain: yes\n"),
		       ":3: unknown key 'drain' in galera");
	CHECK_CONTAINS(settings_bad("process:\n  control: []\n"),
		       ":2: process control must name a command");
	CHECK_CONTAINS(settings_bad("- a list\n"), ":1: expected a YAML mapping at the top");
	CHECK_CONTAINS(settings_bad("vip: [\n"), "invalid YAML");
}

/* ---- the hop path ------------------------------------------------------ */

static int path_len(const char *from, const char *to, bool direct, int *status)
{
	struct sh_error err = { 0 };
	const struct cat_release **path = NULL;
	size_t n = 0;

	*status = 0;
	if (plan_path(cat, from, to, direct, &path, &n, &err) < 0) {
		*status = err.status;
		return -1;
	}
	free(path);
	return (int)n - 1;	/* hops */
}

TEST(hop_path)
{
	int st;

	CHECK(path_len("liberty", "ocata", false, &st) == 3);
	CHECK(path_len("2023.1", "2024.1", false, &st) == 1);	/* SLURP */
	CHECK(path_len("antelope", "caracal", true, &st) == 1);
	CHECK(path_len("2023.2", "2024.2", false, &st) == 2);
	CHECK(path_len("2023.1", "2024.2", false, &st) == 2);
	CHECK(path_len("2023.1", "2026.1", false, &st) == 3);
	CHECK(path_len("zed", "2024.1", false, &st) == 2);	/* zed -> 2023.1 -> 2024.1 */
	CHECK(path_len("yoga", "zed", true, &st) == 1);
	CHECK(path_len("liberty", "2026.1", false, &st) == 18);
	CHECK(path_len("ocata", "liberty", false, &st) == -1 && st == SH_EXIT_INPUT);
	CHECK(path_len("liberty", "ocata", true, &st) == -1 && st == SH_EXIT_INPUT);
	CHECK(path_len("2023.2", "2024.2", true, &st) == -1 && st == SH_EXIT_INPUT);
	/* The same release: a minor update, one "hop" in place. */
	CHECK(path_len("zed", "zed", false, &st) == 1);
	CHECK(path_len("zed", "zed", true, &st) == 1);
	CHECK(path_len("kilo", "ocata", false, &st) == -1 && st == SH_EXIT_INPUT);
	CHECK(path_len("liberty", "2099.1", false, &st) == -1 && st == SH_EXIT_INPUT);
	/* The path's releases themselves. */
	{
		struct sh_error err = { 0 };
		const struct cat_release **p = NULL;
		size_t n;

		CHECK(plan_path(cat, "liberty", "ocata", false, &p, &n, &err) == 0);
		CHECK(n == 4 && streq(p[1]->name, "mitaka") && streq(p[2]->name, "newton"));
		free(p);
	}
}

/* ---- the DAG ----------------------------------------------------------- */

/* anc[i * n + j] != 0 when step j is an ancestor of step i. */
static unsigned char *ancestors(const struct plan *p)
{
	size_t n = p->steps.n;
	unsigned char *anc = xcalloc(n * n, 1);

	/* Steps are in topological order: one pass suffices. */
	for (size_t i = 0; i < n; i++)
		for (size_t a = 0; a < p->steps.v[i].nafter; a++) {
			size_t j = p->steps.v[i].after[a];

			anc[i * n + j] = 1;
			for (size_t k = 0; k < n; k++)
				anc[i * n + k] |= anc[j * n + k];
		}
	return anc;
}

static long find(const struct plan *p, const char *id)
{
	for (size_t i = 0; i < p->steps.n; i++)
		if (streq(p->steps.v[i].id, id))
			return (long)i;
	return -1;
}

static struct plan *build(const char *from, const char *to, const char *settings)
{
	struct sh_error err = { 0 };
	struct settings *st = NULL;
	struct plan *p = NULL;

	if (settings) {
		if (settings_load(settings, &st, &err) < 0)
			fprintf(stderr, "%s\n", err.msg);
	} else {
		st = settings_defaults();
	}
	if (plan_build(inv, cat, st, from, to, false, &p, &err) < 0)
		fprintf(stderr, "%s\n", err.msg);
	/* The plan borrows the settings; keep them until the end. */
	if (nkept < ARRAY_SIZE(kept))
		kept[nkept++] = st;
	else
		settings_free(st);
	return p;
}

TEST(dag_is_well_formed)
{
	struct plan *p = build("liberty", "ocata", NULL);
	struct strmap ids = { 0 };

	CHECK(p);
	if (!p)
		return;
	CHECK(p->hops.n == 3);
	for (size_t i = 0; i < p->steps.n; i++) {
		const struct plan_step *s = &p->steps.v[i];

		CHECK(!strmap_put(&ids, s->id, (void *)s));	/* unique ids */
		CHECK(s->ntargets > 0);
		for (size_t a = 0; a < s->nafter; a++)
			CHECK(s->after[a] < i);	/* exists, and earlier: acyclic */
		CHECK(i == 0 || s->nafter > 0);	/* one connected journey */
	}
	/* Every after id resolves to a step. */
	for (size_t i = 0; i < p->steps.n; i++)
		for (size_t a = 0; a < p->steps.v[i].nafter; a++)
			CHECK(strmap_get(&ids, p->steps.v[p->steps.v[i].after[a]].id));
	strmap_release(&ids);
	plan_free(p);
}

TEST(reference_journey_order)
{
	struct plan *p = build("liberty", "ocata", NULL);
	unsigned char *anc;
	size_t n;

	CHECK(p);
	if (!p)
		return;
	n = p->steps.n;
	anc = ancestors(p);
#define BEFORE(a, b) ((a) >= 0 && (b) >= 0 && anc[(size_t)(b) * n + (size_t)(a)])

	CHECK(streq(p->hops.v[0].to->name, "mitaka"));
	CHECK(streq(p->hops.v[1].to->name, "newton"));
	CHECK(streq(p->hops.v[2].to->name, "ocata"));

	/* newton -> ocata: placement registration and cells v2 first. */
	{
		static const char *const first[] = { "ocata/nova/keystone-placement",
			"ocata/nova/nova-cell0-db", "ocata/nova/cell-v2-map-cell0",
			"ocata/nova/cell-v2-create-cell1" };
		long dbsync = find(p, "ocata/nova/db-sync");
		long apisync = find(p, "ocata/nova/api-db-sync");

		CHECK(dbsync >= 0 && apisync >= 0);
		for (size_t k = 0; k < ARRAY_SIZE(first); k++) {
			long f = find(p, first[k]);

			CHECK(BEFORE(f, dbsync));
			CHECK(BEFORE(f, apisync));
			for (size_t i = 0; i < n; i++) {
				const struct plan_step *s = &p->steps.v[i];

				if (streq(s->owner, "nova") && s->hop == 2 &&
				    streq(s->kind->name, "container-start"))
					CHECK(BEFORE(f, (long)i));
			}
		}
		CHECK(BEFORE(find(p, "ocata/nova/cell-v2-map-cell0"),
			     find(p, "ocata/nova/cell-v2-create-cell1")));
		CHECK(BEFORE(find(p, "ocata/nova/nova-compute/health-check#b10"),
			     find(p, "ocata/nova/cell-v2-discover-hosts")));
		/* placement starts before any other nova container */
		CHECK(BEFORE(find(p, "ocata/nova/nova-placement-api/health-check#b3"),
			     find(p, "ocata/nova/nova-conductor/container-start#b1")));
	}

	/* Every hop: api_db sync before db sync; galera and rabbitmq before
	 * every OpenStack step; a verified backup before anything destructive. */
	for (size_t h = 0; h < p->hops.n; h++) {
		char id[128];
		const struct plan_hop *hop = &p->hops.v[h];
		long api, db, backup;

		snprintf(id, sizeof(id), "%s/nova/api-db-sync", hop->to->name);
		api = find(p, id);
		snprintf(id, sizeof(id), "%s/nova/db-sync", hop->to->name);
		db = find(p, id);
		CHECK(BEFORE(api, db));
		snprintf(id, sizeof(id), "%s/db-backup", hop->to->name);
		backup = find(p, id);
		CHECK(backup >= 0);
		for (size_t i = hop->first; i < hop->first + hop->count; i++) {
			const struct plan_step *s = &p->steps.v[i];

			if (s->kind->destructive)
				CHECK(BEFORE(backup, (long)i));
			if (!streq(s->phase, "openstack"))
				continue;
			for (size_t j = hop->first; j < hop->first + hop->count; j++) {
				const char *o = p->steps.v[j].owner;

				if (streq(o, "galera") || streq(o, "rabbitmq"))
					CHECK(BEFORE((long)j, (long)i));
			}
		}
	}

	/* Ceph: monitors first, then OSD nodes one at a time. */
	{
		long osd[3], mon[3];
		char id[128];

		for (int k = 0; k < 3; k++) {
			snprintf(id, sizeof(id), "mitaka/ceph-osd/ceph-osd-upgrade@storage0%d", k + 1);
			osd[k] = find(p, id);
			snprintf(id, sizeof(id), "mitaka/ceph-mon/ceph-mon-upgrade@control0%d", k + 1);
			mon[k] = find(p, id);
			CHECK(osd[k] >= 0 && p->steps.v[osd[k]].ntargets == 1);
		}
		for (int k = 0; k < 3; k++)
			for (int m = 0; m < 3; m++)
				CHECK(BEFORE(mon[m], osd[k]));
		CHECK(BEFORE(osd[0], osd[1]) && BEFORE(osd[1], osd[2]));
	}
	/* horizon's static files are built on every horizon node */
	CHECK(p->steps.v[find(p, "ocata/horizon/compress")].ntargets == 3);
	CHECK(p->steps.v[find(p, "ocata/nova/db-sync")].ntargets == 1);
#undef BEFORE
	free(anc);
	plan_free(p);
}

TEST(stein_extracts_placement)
{
	struct plan *p = build("rocky", "stein", NULL);
	long retire, migrate, sync;

	CHECK(p);
	if (!p)
		return;
	retire = find(p, "stein/nova/nova-placement-api/container-stop#b1");
	migrate = find(p, "stein/placement/placement-migrate-data");
	sync = find(p, "stein/placement/db-sync");
	CHECK(retire >= 0 && migrate > retire && sync > migrate);
	CHECK(streq(p->steps.v[retire].owner, "nova"));
	/* retired once, by placement, not again by nova */
	{
		size_t stops = 0;

		for (size_t i = 0; i < p->steps.n; i++)
			stops += streq(p->steps.v[i].component, "nova-placement-api");
		CHECK(stops == 9);	/* 3 batches x stop, remove, remove image */
	}
	CHECK(find(p, "stein/placement/placement-api/container-start#b1") > sync);
	plan_free(p);
}

/* A minor update is named as one: the release's own steps, in place, none
 * of the notes about crossing into it. */
TEST(minor_update)
{
	struct plan *p = build("zed", "zed", NULL);
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	CHECK(p);
	if (!p)
		return;
	CHECK(plan_is_minor(p) && p->hops.n == 1);
	CHECK(p->hops.v[0].from == p->hops.v[0].to && !p->hops.v[0].slurp_jump);
	CHECK(p->hops.v[0].notes.n == 0);
	CHECK(p->steps.n > 0 && !strncmp(p->steps.v[0].id, "zed/", 4));
	CHECK(find(p, "zed/keystone/db-expand") >= 0);
	f = open_memstream(&text, &len);
	CHECK(f && plan_print_text(p, f) == 0);
	if (f)
		fclose(f);
	CHECK(text && strstr(text, "stackhop plan: minor update of zed (") &&
	      strstr(text, "\nminor update of zed (") && !strstr(text, "hop 1/1") &&
	      !strstr(text, "zed -> zed"));
	free(text);
	plan_free(p);
	p = build("zed", "2023.1", NULL);
	CHECK(p && !plan_is_minor(p));
	plan_free(p);
}

TEST(settings_shape_the_plan)
{
	struct plan *p = build("2023.1", "2024.1", "tests/data/settings-lab.yaml");
	size_t compute_batches = 0;

	CHECK(p);
	if (!p)
		return;
	CHECK(p->hops.n == 1 && p->hops.v[0].slurp_jump);
	CHECK(p->hops.v[0].notes.n >= 2);	/* SLURP notes */
	CHECK(find(p, "caracal/galera/galera-bootstrap@control01") >= 0);	/* new-cluster */
	CHECK(find(p, "caracal/galera/galera-node-upgrade@control01") < 0);
	CHECK(find(p, "caracal/ceph-mon/ceph-mon-upgrade@control01") < 0);	/* ceph: none */
	CHECK(find(p, "caracal/host/host-upgrade#b1") >= 0);	/* host: every */
	for (size_t i = 0; i < p->steps.n; i++) {
		const struct plan_step *s = &p->steps.v[i];

		if (streq(s->component, "nova-compute") && streq(s->kind->name, "container-start")) {
			compute_batches++;
			CHECK(s->ntargets == 5 && s->nbatches == 2 && s->max_fail_percentage == 20);
		}
	}
	CHECK(compute_batches == 2);
	plan_free(p);
}

/* The message of plan_build() for settings text that parses but that the
 * planner must refuse (NULL when it plans). */
static const char *plan_refuses(const char *settings_text)
{
	static struct sh_error err;
	struct settings *st = NULL;
	struct plan *p = NULL;

	memset(&err, 0, sizeof(err));
	CHECK(settings_load(write_settings(settings_text), &st, &err) == 0);
	if (plan_build(inv, cat, st, "liberty", "mitaka", false, &p, &err) == 0) {
		plan_free(p);
		settings_free(st);
		return NULL;
	}
	CHECK(err.status == SH_EXIT_INPUT);
	settings_free(st);
	return err.msg;
}

TEST(settings_the_planner_refuses)
{
	CHECK_CONTAINS(plan_refuses("components:\n  galera: {mode: sideways}\n"),
		       "settings.yaml:2: unknown mode 'sideways' for component 'galera' (expected rolling, new-cluster)");
	CHECK_CONTAINS(plan_refuses("components:\n  mysql: {mode: rolling}\n"),
		       "settings.yaml:2: unknown component 'mysql' in components");
	CHECK_CONTAINS(plan_refuses("rolling:\n  compute: {serial: 2}\n  computes: {serial: \"10%\"}\n"),
		       "settings.yaml:3: rolling names 'computes', which is not a group of inventory 'examples/multinode'");
	CHECK(!plan_refuses("rolling:\n  compute: {serial: 2}\n"));
	CHECK_CONTAINS(plan_refuses("components:\n  keystone: {mode: rolling}\n"),
		       "settings.yaml:2: component 'keystone' is an OpenStack one: it takes a version, not a mode");
	CHECK_CONTAINS(plan_refuses("services: [keystone, novva]\n"),
		       "settings.yaml:1: unknown service 'novva' in services");
}

/* services: plans those alone; an OpenStack component's version goes to
 * the steps that run its new image, not to those of the old one. */
TEST(services_and_openstack_versions)
{
	struct plan *p = build("2023.1", "2024.1",
			       write_settings("services: [keystone]\n"
					      "components:\n  keystone: {version: \"25.0.0-1\"}\n"));
	size_t ks = 0;

	if (!p)
		return;
	for (size_t i = 0; i < p->steps.n; i++) {
		const struct plan_step *s = &p->steps.v[i];
		const char *v = plan_step_param(s, "version");
		const char *k = s->kind->name;

		if (!streq(s->phase, "openstack"))
			continue;
		CHECK(s->owner && streq(s->owner, "keystone"));
		ks++;
		if (streq(k, "container-start") || streq(k, "image-remove") || streq(k, "db-sync"))
			CHECK(v && streq(v, "25.0.0-1"));
		if (streq(k, "container-stop") || streq(k, "container-remove") ||
		    streq(k, "health-check"))
			CHECK(!v);
	}
	CHECK(ks > 5);
	for (size_t i = 0; i < p->hops.v[0].services.n; i++) {
		const struct plan_service *sv = &p->hops.v[0].services.v[i];

		if (!streq(sv->name, "keystone"))
			CHECK(streq(sv->mode, "skipped") && sv->why &&
			      strstr(sv->why, "not among the settings' services"));
	}
	plan_free(p);
}

/* The infrastructure alone, with the versions its steps install. */
TEST(infra_versions_and_phases)
{
	struct plan *p = build("2023.1", "2024.1",
			       write_settings("components:\n"
					      "  galera: {version: 10.11.19}\n"
					      "  rabbitmq: {mode: rolling, version: \"3.10.8\"}\n"
					      "phases:\n  openstack: {hops: none}\n  host: {hops: none}\n"));
	size_t galera = 0, other = 0;
	const struct plan_step *keep = NULL;

	if (!p)
		return;
	for (size_t i = 0; i < p->steps.n; i++) {
		const struct plan_step *s = &p->steps.v[i];
		const char *v = plan_step_param(s, "version");

		CHECK(!streq(s->phase, "openstack") && !streq(s->phase, "host"));
		if (str_has_prefix(s->kind->name, "galera-")) {
			galera++;
			CHECK(v && streq(v, "10.11.19"));
		} else if (str_has_prefix(s->kind->name, "rabbitmq-")) {
			CHECK(v && streq(v, "3.10.8"));
			CHECK(streq(s->kind->name, "rabbitmq-node-upgrade") ||
			      streq(s->kind->name, "rabbitmq-validate"));
		} else if (streq(s->kind->name, "keepalived-upgrade")) {
			keep = s;
		} else if (!v) {
			other++;
		}
	}
	CHECK(galera > 0 && other > 0);
	/* The default galera procedure, its version from the settings. */
	CHECK(find(p, "caracal/galera/galera-node-upgrade@control01") >= 0);
	/* A step that installs a version the settings do not name is refused
	 * before anything runs. */
	CHECK(keep && !plan_step_param(keep, "version"));
	if (keep)
		CHECK_CONTAINS(remote_driver.unsupported(NULL, keep),
			       "the settings name none for its component");
	CHECK(!remote_driver.unsupported(NULL, &p->steps.v[find(p, "caracal/galera/galera-node-upgrade@control01")]));
	CHECK_CONTAINS(settings_bad("components:\n  galera: {}\n"), ":2: ");
	CHECK_CONTAINS(settings_bad("phases:\n  nova: {hops: none}\n"),
		       "unknown phase 'nova' in phases (expected host, ceph, infra or openstack)");
	CHECK_CONTAINS(settings_bad("phases:\n  host: {hops: none, version: 1}\n"),
		       "unknown key 'version'");
	plan_free(p);
}

/* Targets of the phase's steps with kind, as "a,b;c" (static). */
static const char *kind_targets(const struct plan *p, const char *kind)
{
	static char buf[4096];
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->steps.n && off < sizeof(buf); i++) {
		const struct plan_step *s = &p->steps.v[i];

		if (!streq(s->kind->name, kind))
			continue;
		for (size_t t = 0; t < s->ntargets && off < sizeof(buf); t++)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
						t ? "," : off ? ";" : "", s->targets[t]->name);
	}
	return buf;
}

/* The host stackhop runs on: out of the host OS upgrade unless the
 * settings say so, then last and with reboot=no; an all-in-one host still
 * gets its services' steps. */
TEST(deployment_host)
{
	static const char aio_text[] =
		"[control]\nlocalhost ansible_connection=local\n"
		"[network:children]\ncontrol\n[compute:children]\ncontrol\n"
		"[deployment]\nlocalhost\n";
	struct sh_error err = { 0 };
	struct inventory *aio = NULL;
	struct settings *st = settings_defaults(), *up = NULL;
	struct plan *p = NULL;
	bool touched = false;

	/* examples/multinode: mgmt01 (deployment, local) is no target. */
	CHECK(plan_build(inv, cat, st, "liberty", "mitaka", false, &p, &err) == 0);
	if (p) {
		for (size_t i = 0; i < p->steps.n; i++)
			for (size_t t = 0; t < p->steps.v[i].ntargets; t++)
				touched |= streq(p->steps.v[i].targets[t]->name, "mgmt01");
		CHECK(!touched);
		CHECK(!strstr(kind_targets(p, "host-upgrade"), "mgmt01"));
		CHECK(strstr(kind_targets(p, "host-upgrade"), "storage03"));
		CHECK(p->warnings.n == 1 && strstr(p->warnings.v[0], "leaves out mgmt01"));
		plan_free(p);
		p = NULL;
	}
	CHECK(settings_load(write_settings("deployment_host: upgrade\n"), &up, &err) == 0);
	CHECK(plan_build(inv, cat, up, "liberty", "mitaka", false, &p, &err) == 0);
	if (p) {
		long i = find(p, "mitaka/host/host-upgrade@mgmt01");

		CHECK(i >= 0);
		if (i >= 0) {
			CHECK(streq(plan_step_param(&p->steps.v[i], "reboot"), "no"));
			CHECK(!streq(p->steps.v[i + 1].phase, "host"));	/* last of its phase */
		}
		plan_free(p);
		p = NULL;
	}
	CHECK(inventory_parse("aio", aio_text, strlen(aio_text), &aio, &err) == 0);
	if (aio && plan_build(aio, cat, st, "liberty", "mitaka", false, &p, &err) == 0) {
		CHECK(streq(kind_targets(p, "host-upgrade"), ""));
		CHECK(strstr(kind_targets(p, "container-start"), "localhost"));
		CHECK(streq(kind_targets(p, "pre-validate"), "localhost"));
		plan_free(p);
	}
	inventory_free(aio);
	settings_free(st);
	settings_free(up);
}

/* Without a settings file, a large cloud's computes go in 10% batches
 * with a 5% failure budget, the control plane one node at a time. */
TEST(default_batches_scale)
{
	static char text[64 * 1024];
	struct sh_error err = { 0 };
	struct inventory *big = NULL;
	struct settings *st = settings_defaults();
	struct plan *p = NULL;
	size_t starts = 0;
	int off;

	off = snprintf(text, sizeof(text),
		       "[control]\nctl[1:3]\n[network:children]\ncontrol\n[compute]\n");
	snprintf(text + off, sizeof(text) - (size_t)off, "cmp[001:200]\n");
	CHECK(inventory_parse("big", text, strlen(text), &big, &err) == 0);
	if (big && plan_build(big, cat, st, "liberty", "mitaka", false, &p, &err) == 0) {
		for (size_t i = 0; i < p->steps.n; i++) {
			const struct plan_step *s = &p->steps.v[i];

			if (!streq(s->kind->name, "container-start"))
				continue;
			if (streq(s->component, "nova-compute")) {
				starts++;
				CHECK(s->ntargets == 20 && s->nbatches == 10 &&
				      s->max_fail_percentage == 5);
			}
			if (streq(s->component, "keystone"))
				CHECK(s->ntargets == 1 && s->max_fail_percentage == 0);
		}
		CHECK(starts == 10);
		/* Host OS: the control nodes one by one, then computes 20 at once. */
		CHECK(str_has_prefix(kind_targets(p, "host-upgrade"), "ctl1;ctl2;ctl3;cmp001,"));
		CHECK(strstr(kind_targets(p, "host-upgrade"), ",cmp020;cmp021,"));
		plan_free(p);
	}
	inventory_free(big);
	settings_free(st);
}

int main(void)
{
	struct sh_error err = { 0 };

	step_kinds_init();	/* as main() does */
	harness_tmpdir(dir);
	if (catalog_load("catalog", &cat, &err) < 0 ||
	    inventory_load("examples/multinode", &inv, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	RUN(settings_file);
	RUN(settings_bad_inputs);
	RUN(hop_path);
	RUN(dag_is_well_formed);
	RUN(reference_journey_order);
	RUN(stein_extracts_placement);
	RUN(minor_update);
	RUN(settings_shape_the_plan);
	RUN(settings_the_planner_refuses);
	RUN(services_and_openstack_versions);
	RUN(infra_versions_and_phases);
	RUN(deployment_host);
	RUN(default_batches_scale);
	for (size_t i = 0; i < nkept; i++)
		settings_free(kept[i]);
	inventory_free(inv);
	catalog_free(cat);
	harness_rmtree(dir);
	HARNESS_END();
}
