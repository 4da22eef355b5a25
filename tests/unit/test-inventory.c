/* test-inventory.c - the Ansible INI inventory reader. */
#include "harness.h"
#include "inventory.h"

static struct inventory *parse_ok(const char *text)
{
	struct sh_error err = { 0 };
	struct inventory *inv = NULL;

	if (inventory_parse("inv", text, strlen(text), &inv, &err) < 0)
		fprintf(stderr, "unexpected error: %s\n", err.msg);
	return inv;
}

/* Parse text that must fail; return the message (static). */
static const char *parse_bad(const char *text, int *ret_status)
{
	static struct sh_error err;
	struct inventory *inv = NULL;

	memset(&err, 0, sizeof(err));
	if (inventory_parse("inv", text, strlen(text), &inv, &err) == 0) {
		inventory_free(inv);
		*ret_status = 0;
		return "(parsed)";
	}
	*ret_status = err.status;
	return err.msg;
}

static size_t count(struct inventory *inv, const char *pattern)
{
	inv_host_vec v = { 0 };
	size_t n;

	inventory_select(inv, pattern, &v, NULL);
	n = v.n;
	vec_free(v);
	return n;
}

TEST(groups_children_and_ranges)
{
	struct inventory *inv = parse_ok(
		"# comment\n"
		"[control]\n"
		"control[01:03]\n"
		"[compute]\n"
		"compute[1:12:4] ansible_port=2222\n"
		"node[a:c]\n"
		"[network]\n"
		"control01\n"
		"[cloud:children]\n"
		"control\n"
		"compute\n");

	CHECK(inv);
	if (!inv)
		return;
	CHECK(inv->hosts.n == 9);
	CHECK(inventory_host(inv, "control01"));
	CHECK(inventory_host(inv, "control03"));
	CHECK(!inventory_host(inv, "control1"));
	CHECK(inventory_host(inv, "compute1") && inventory_host(inv, "compute5") &&
	      inventory_host(inv, "compute9") && !inventory_host(inv, "compute2"));
	CHECK(inventory_host(inv, "nodeb"));
	CHECK(inventory_host(inv, "compute5")->port == 2222);
	CHECK(count(inv, "cloud") == 9);
	CHECK(count(inv, "network") == 1);
	CHECK(count(inv, "all") == 9);
	CHECK(count(inv, "ungrouped") == 0);
	CHECK(count(inv, "network:control") == 3);	/* union, no duplicates */
	inventory_free(inv);
}

TEST(variable_precedence)
{
	struct inventory *inv = parse_ok(
		"lonely\n"
		"[control]\n"
		"c1 ansible_host=10.0.0.1\n"
		"c2 ansible_user=admin\n"
		"[compute]\n"
		"n1 ansible_host=\"10.0.0.9\"\n"
		"[cloud:children]\n"
		"control\n"
		"compute\n"
		"[all:vars]\n"
		"ansible_user = root\n"
		"[cloud:vars]\n"
		"ansible_user=cloud\n"
		"[compute:vars]\n"
		"ansible_user=kolla\n"
		"ansible_port=2200\n");

	CHECK(inv);
	if (!inv)
		return;
	CHECK(streq(inventory_host(inv, "c1")->address, "10.0.0.1"));
	CHECK(streq(inventory_host(inv, "c1")->user, "cloud"));	/* deeper group */
	CHECK(streq(inventory_host(inv, "c2")->user, "admin"));	/* host var */
	CHECK(streq(inventory_host(inv, "n1")->user, "kolla"));
	CHECK(streq(inventory_host(inv, "n1")->address, "10.0.0.9"));
	CHECK(inventory_host(inv, "n1")->port == 2200);
	CHECK(streq(inventory_host(inv, "lonely")->user, "root"));
	CHECK(streq(inventory_host(inv, "lonely")->address, "lonely"));
	CHECK(count(inv, "ungrouped") == 1);
	CHECK(streq(inventory_host_var(inv, inventory_host(inv, "n1"), "ansible_port"), "2200"));
	inventory_free(inv);
}

/* Each bad input: the message names inv:LINE and what was expected. */
TEST(bad_inputs)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "[control\nc1\n", "inv:1: expected ']'" },
		{ "[control:kids]\nc1\n", "inv:1: unknown section kind 'kids'" },
		{ "[control]\nc1\n[cloud:children]\ncontrol\ncontrl\n",
		  "inv:5: unknown group 'contrl'" },
		{ "[control]\nc1\n[ghost:vars]\nx=1\n", "inv:3: unknown group 'ghost'" },
		{ "[control]\nc1\nc2\nc1\n", "inv:4: duplicate host 'c1' in group 'control'" },
		{ "[control]\nc[1:2]\n[control]\nc2\n", "inv:4: duplicate host 'c2'" },
		{ "[compute]\nn[20:01]\n", "inv:2: bad host range in 'n[20:01]' (start after end)" },
		{ "[compute]\nn[01:100]\n", "inv:2: bad host range in 'n[01:100]' (zero-padded" },
		{ "[compute]\nn[a:3]\n", "inv:2: bad host range in 'n[a:3]'" },
		{ "[compute]\nn[1-3]\n", "inv:2: bad host range in 'n[1-3]' (expected [start:end])" },
		{ "[compute]\nn[1:3\n", "inv:2: bad host range in 'n[1:3' (expected ']')" },
		{ "[compute]\nn1 ansible_host\n", "inv:2: expected key=value after host 'n1'" },
		{ "[compute]\nn1 ansible_port=99999\n", "inv:2: ansible_port of host 'n1' must be a port" },
		{ "[compute]\nn1 x=\"open\n", "inv:2: unterminated \" quote" },
		{ "[a]\nh1 ansible_host=10.0.0.1\nh2 ansible_host=10.0.0.1\n",
		  "inv:3: duplicate host: 'h2' and 'h1' (line 2) both reach 10.0.0.1:22" },
		{ "[a:children]\nb\n[b:children]\na\n[c]\nh\n", "is its own ancestor" },
		{ "[a]\nh1 ansible_user=x\n[b]\nh1 ansible_user=y\n",
		  "inv:4: host 'h1' sets 'ansible_user' to 'y' here and to 'x' at line 2" },
		{ "# nothing\n", "inv: no hosts" },
		{ "[bad group]\nh\n", "inv:1: bad group name 'bad group'" },
		{ "[a:vars]\nnovalue\n[a]\nh\n", "inv:2: expected key=value in [a:vars]" },
		{ "[a]\nh1\x01\n", "inv:2: bad host name" },
		{ "[a]\nh1\n\0\n", "inv:3: unexpected NUL byte" },
		{ "[a]\nh1\nctl01:99999\n",
		  "inv:3: bad port '99999' in 'ctl01:99999' (expected host:port with a port number from 1 to 65535)" },
		{ "[a]\nctl01:\n", "inv:2: bad port '' in 'ctl01:'" },
		{ "[a]\nctl01:22x\n", "inv:2: bad port '22x' in 'ctl01:22x'" },
		{ "[a]\nctl01:2201 ansible_port=2202\n",
		  "inv:2: host 'ctl01' sets 'ansible_port' to '2202' here and to '2201' at line 2" },
		{ "[a]\nctl01:2201\n[b]\nctl01:2202\n",
		  "inv:4: host 'ctl01' sets 'ansible_port' to '2202' here and to '2201' at line 2" },
		{ "[a]\nh1 ansible_ssh_port=0\n", "inv:2: ansible_ssh_port of host 'h1' must be a port" },
		{ "[a]\nh1 ansible_ssh_host=\n", "inv:2: ansible_ssh_host of host 'h1' is empty" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int status;
		size_t len = strlen(cases[i].text);
		const char *msg;

		/* The NUL case: pass the full literal. */
		if (strstr(cases[i].want, "NUL")) {
			static struct sh_error err;
			struct inventory *inv = NULL;

			memset(&err, 0, sizeof(err));
			CHECK(inventory_parse("inv", cases[i].text, len + 2, &inv, &err) < 0);
			CHECK_CONTAINS(err.msg, cases[i].want);
			continue;
		}
		msg = parse_bad(cases[i].text, &status);
		CHECK(status == SH_EXIT_INPUT);
		CHECK_CONTAINS(msg, cases[i].want);
	}
}

TEST(load_missing_file)
{
	struct sh_error err = { 0 };
	struct inventory *inv = NULL;

	CHECK(inventory_load("/nonexistent/inventory", &inv, &err) < 0);
	CHECK(err.status == SH_EXIT_INPUT);
	CHECK_CONTAINS(err.msg, "cannot open '/nonexistent/inventory'");
	CHECK(!inv);
}

TEST(example_multinode)
{
	struct sh_error err = { 0 };
	struct inventory *inv = NULL;

	CHECK(inventory_load("examples/multinode", &inv, &err) == 0);
	if (!inv)
		return;
	CHECK(inv->hosts.n == 19);
	CHECK(count(inv, "control") == 3);
	CHECK(count(inv, "network") == 2);
	CHECK(count(inv, "compute") == 10);
	CHECK(count(inv, "storage") == 3);
	CHECK(count(inv, "deployment") == 1);
	CHECK(count(inv, "ceph-osd") == 3);
	CHECK(streq(inventory_host(inv, "compute07")->user, "kolla"));
	CHECK(streq(inventory_host(inv, "control02")->address, "192.0.2.12"));
	inventory_free(inv);
}

/* host:port on a host line, as Ansible's INI plugin reads it. */
TEST(host_port)
{
	struct inventory *inv = parse_ok(
		"[control]\n"
		"ctl01:2201\n"
		"ctl02:2202 ansible_host=192.0.2.2\n"
		"node[1:3]:2300\n"
		"[network]\n"
		"ctl01\n"
		"fe80::1\n"
		"[fe80::2]:2222\n"
		"[storage]\n"
		"ctl01:2201\n");

	CHECK(inv);
	if (!inv)
		return;
	CHECK(inventory_host(inv, "ctl01") && !inventory_host(inv, "ctl01:2201"));
	CHECK(inventory_host(inv, "ctl01")->port == 2201);
	CHECK(streq(inventory_host(inv, "ctl01")->address, "ctl01"));
	CHECK(inventory_host(inv, "ctl02")->port == 2202);
	CHECK(streq(inventory_host(inv, "ctl02")->address, "192.0.2.2"));
	CHECK(inventory_host(inv, "node1") && inventory_host(inv, "node3"));
	CHECK(inventory_host(inv, "node2") && inventory_host(inv, "node2")->port == 2300);
	CHECK(inventory_host(inv, "fe80::1") && inventory_host(inv, "fe80::1")->port == 22);
	CHECK(inventory_host(inv, "fe80::2") && inventory_host(inv, "fe80::2")->port == 2222);
	CHECK(streq(inventory_host_var(inv, inventory_host(inv, "ctl01"), "ansible_port"), "2201"));
	CHECK(count(inv, "control") == 5);
	CHECK(count(inv, "network") == 3);
	inventory_free(inv);
}

/* The pre-2.0 names: ansible_ssh_host/port/user, which Ansible's ssh
 * connection still reads, and prefers when both are set. */
TEST(legacy_ssh_names)
{
	struct inventory *inv = parse_ok(
		"[control]\n"
		"c1 ansible_ssh_host=10.0.0.1 ansible_ssh_port=2201 ansible_ssh_user=admin\n"
		"c2 ansible_host=10.0.0.2 ansible_ssh_host=10.0.0.3\n"
		"c3 ansible_user=kolla\n"
		"[control:vars]\n"
		"ansible_ssh_port=2222\n"
		"[all:vars]\n"
		"ansible_ssh_user=root\n");

	CHECK(inv);
	if (!inv)
		return;
	CHECK(streq(inventory_host(inv, "c1")->address, "10.0.0.1"));
	CHECK(inventory_host(inv, "c1")->port == 2201);
	CHECK(streq(inventory_host(inv, "c1")->user, "admin"));
	CHECK(streq(inventory_host(inv, "c2")->address, "10.0.0.3"));
	CHECK(inventory_host(inv, "c2")->port == 2222);
	/* Ansible: the legacy name wins over the new one whatever their levels. */
	CHECK(streq(inventory_host(inv, "c3")->user, "root"));
	inventory_free(inv);
}

int main(void)
{
	RUN(groups_children_and_ranges);
	RUN(variable_precedence);
	RUN(host_port);
	RUN(legacy_ssh_names);
	RUN(bad_inputs);
	RUN(load_missing_file);
	RUN(example_multinode);
	HARNESS_END();
}
