/* test-upgradecheck.c - reading what OpenStack commands print: the
 * oslo.upgradecheck table (and writing it), nova's archived rows. */
#include "drivers.h"
#include "harness.h"
#include "fileio.h"
#include "upgradecheck.h"
#include "util.h"

static char *slurp(const char *path)
{
	struct sh_error err = { 0 };
	char *text = NULL;
	size_t len;

	if (read_file_limited(path, 1 << 20, &text, &len, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		exit(2);
	}
	return text;
}

/* nova-status upgrade check of Debian's Zed nova on the lab, with the log
 * line it prints after the table. */
TEST(real_nova_status)
{
	char *text = slurp("tests/data/upgradecheck/nova-status-zed.txt"), sum[128];
	struct check_result *r = NULL;
	size_t n = 0;

	CHECK(upgradecheck_parse(text, &r, &n) == CHECK_SUCCESS);
	CHECK(n == 7);
	if (n == 7) {
		CHECK(streq(r[0].name, "Cells v2"));
		CHECK(r[0].code == CHECK_SUCCESS);
		/* Wrapped details joined, one space at each break. */
		CHECK(streq(r[0].details, "No host mappings or compute nodes were found. Remember to "
			    "run command 'nova-manage cell_v2 discover_hosts' when new compute hosts "
			    "are deployed."));
		CHECK(streq(r[1].name, "Placement API") && !r[1].details[0]);
		CHECK(streq(r[6].name, "Service User Token Configuration"));
	}
	upgradecheck_summary(r, n, sum, sizeof(sum));
	CHECK(streq(sum, "Success (7 checks)"));
	free(r);
	free(text);
	text = slurp("tests/data/upgradecheck/placement-status-zed.txt");
	CHECK(upgradecheck_parse(text, &r, &n) == CHECK_SUCCESS && n == 3);
	free(r);
	free(text);
}

TEST(warning_failure_and_bad_input)
{
	const char *t =
		"+------------------------------+\n"
		"| Upgrade Check Results        |\n"
		"+------------------------------+\n"
		"| Check: A                     |\n"
		"| Result: Warning              |\n"
		"| Details: first part         |\n"
		"|   second part                |\n"
		"+------------------------------+\n"
		"| Check: B                     |\n"
		"| Result: Failure              |\n"
		"| Details: None                |\n"
		"+------------------------------+\n"
		"| Check: C                     |\n"
		"| Result: Sucess               |\n"
		"| Details: None                |\n"
		"+------------------------------+\n"
		"| Check: D                     |\n"
		"+------------------------------+\n";
	struct check_result *r = NULL;
	size_t n = 0;
	char sum[128];

	CHECK(upgradecheck_parse(t, &r, &n) == CHECK_FAILURE);
	CHECK(n == 4);
	if (n == 4) {
		CHECK(r[0].code == CHECK_WARNING && streq(r[0].details, "first part second part"));
		CHECK(r[1].code == CHECK_FAILURE && !r[1].details[0]);
		/* A misspelt result is a Failure that says so. */
		CHECK(r[2].code == CHECK_FAILURE);
		CHECK_CONTAINS(r[2].details, "unknown result 'Sucess'");
		CHECK(r[3].code == CHECK_FAILURE && streq(r[3].details, "no Result line"));
	}
	upgradecheck_summary(r, n, sum, sizeof(sum));
	CHECK(streq(sum, "Failure (4 checks: 3 Failure, 1 Warning)"));
	free(r);

	/* No table: -1, nothing allocated to use. */
	CHECK(upgradecheck_parse("Error: Traceback ...\n| not a box\n", &r, &n) == -1 && n == 0);
	free(r);
	CHECK(upgradecheck_parse("", &r, &n) == -1 && n == 0);
	free(r);
}

/* What upgradecheck_print writes, upgradecheck_parse reads back. */
TEST(print_round_trip)
{
	struct check_result in[2] = {
		{ "Galera", CHECK_SUCCESS, "" },
		{ "RabbitMQ", CHECK_WARNING, "" },
	};
	struct check_result *out = NULL;
	char *buf = NULL;
	size_t len = 0, n = 0;
	FILE *f;

	memset(in[1].details, 'x', 10);
	for (int i = 0; i < 30; i++)
		snprintf(in[1].details + strlen(in[1].details), sizeof(in[1].details) -
			 strlen(in[1].details), " word");
	f = open_memstream(&buf, &len);
	upgradecheck_print(f, "stackhop check results", in, 2);
	fclose(f);
	CHECK_CONTAINS(buf, "| Check: Galera ");
	CHECK_CONTAINS(buf, "| Details: None ");
	CHECK(upgradecheck_parse(buf, &out, &n) == CHECK_WARNING && n == 2);
	if (n == 2)
		CHECK(streq(out[1].details, in[1].details) && !out[0].details[0]);
	free(out);
	free(buf);
}

TEST(archived_rows)
{
	const char *rows =
		"Archiving..........complete\n"
		"+--------------------------+-------------------------+\n"
		"| Table                    | Number of Rows Archived |\n"
		"+--------------------------+-------------------------+\n"
		"| API_DB.instance_mappings | 1                       |\n"
		"| cell1.instance_actions   | 2                       |\n"
		"| cell1.services           | 3                       |\n"
		"+--------------------------+-------------------------+\n"
		"Modules with known eventlet monkey patching issues were imported\n";

	CHECK(remote_archived_rows(rows) == 6);
	CHECK(remote_archived_rows("Nothing was archived.\nModules with ...\n") == 0);
	/* Neither said (an error, a traceback): unknown, not zero. */
	CHECK(remote_archived_rows("Failed to connect to API DB so aborting\n") == -1);
	CHECK(remote_archived_rows("") == -1);
	/* A row that is not a count is not added. */
	CHECK(remote_archived_rows("| Table | Number of Rows Archived |\n| x | many |\n| y | 2 |\n") == 2);
}

int main(void)
{
	RUN(real_nova_status);
	RUN(warning_failure_and_bad_input);
	RUN(print_round_trip);
	RUN(archived_rows);
	HARNESS_END();
}
