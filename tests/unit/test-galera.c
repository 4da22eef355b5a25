/*
 * test-galera.c - the parts of Galera recovery that decide from text:
 * grastate.dat, the --wsrep-recover log, and the choice of the node to
 * bootstrap from.
 */
#include <stdio.h>
#include <string.h>

#include "galera.h"
#include "harness.h"

#define U1 "5ffd8a77-e8be-11f1-9c31-0b182187a204"
#define U2 "0a1b2c3d-e8be-11f1-9c31-0b182187a204"
#define UZ "00000000-0000-0000-0000-000000000000"

TEST(grastate)
{
	struct grastate g;

	CHECK(grastate_parse("# GALERA saved state\nversion: 2.1\nuuid:    " U1 "\nseqno:   169\n"
			     "safe_to_bootstrap: 1\n", &g) == 0);
	CHECK(streq(g.uuid, U1) && g.seqno == 169 && g.safe_to_bootstrap == 1);
	CHECK(grastate_parse("uuid: " U1 "\nseqno: -1\nsafe_to_bootstrap: 0\n", &g) == 0);
	CHECK(g.seqno == -1 && g.safe_to_bootstrap == 0);
	/* Old files without safe_to_bootstrap (provider < 3.19). */
	CHECK(grastate_parse("version: 2.1\nuuid: " U1 "\nseqno: 7\ncert_index:\n", &g) == 0);
	CHECK(g.seqno == 7 && g.safe_to_bootstrap == -1);
	CHECK(grastate_parse("", &g) < 0);
	CHECK(grastate_parse("uuid: short\nseqno: 3\n", &g) < 0);
	CHECK(grastate_parse("uuid: " U1 "\nseqno: 3x\n", &g) < 0);
	CHECK(grastate_parse("uuid: " U1 "\n", &g) < 0);
}

TEST(recovered)
{
	char uuid[40];
	long long seqno = 0;

	CHECK(recovered_position("2026-11-25 [Note] InnoDB: ...\n2026-11-25 0 [Note] WSREP: Recovered position: "
				 U1 ":169\n", uuid, sizeof(uuid), &seqno) == 0);
	CHECK(streq(uuid, U1) && seqno == 169);
	/* MariaDB 10.5+ may add the GTID after a comma. */
	CHECK(recovered_position("[Note] WSREP: Recovered position: " U1 ":42,0-1-42\n", uuid,
				 sizeof(uuid), &seqno) == 0);
	CHECK(seqno == 42);
	/* The last line counts. */
	CHECK(recovered_position("WSREP: Recovered position: " U1 ":1\nWSREP: Recovered position: "
				 U1 ":2\n", uuid, sizeof(uuid), &seqno) == 0);
	CHECK(seqno == 2);
	CHECK(recovered_position("[ERROR] Aborting\n", uuid, sizeof(uuid), &seqno) < 0);
	CHECK(recovered_position("WSREP: Recovered position: garbage\n", uuid, sizeof(uuid), &seqno) < 0);
	CHECK(recovered_position("WSREP: Recovered position: " U1 ":12abc\n", uuid, sizeof(uuid),
				 &seqno) < 0);
}

static struct galera_candidate cand(const char *name, const char *uuid, long long seqno, int safe)
{
	struct galera_candidate c = { .name = name, .g = { .seqno = seqno, .safe_to_bootstrap = safe } };

	snprintf(c.g.uuid, sizeof(c.g.uuid), "%s", uuid);
	return c;
}

TEST(pick)
{
	struct sh_error err = { 0 };
	char why[256];
	size_t w = 99;

	{	/* the highest seqno wins */
		struct galera_candidate c[] = { cand("n1", U1, 10, 0), cand("n2", U1, 12, 0),
						cand("n3", U1, 11, 0) };

		CHECK(galera_pick(c, 3, false, &w, why, sizeof(why), &err) == 0 && w == 1);
		CHECK_CONTAINS(why, "n2 has the highest seqno, 12");
	}
	{	/* a tie: safe_to_bootstrap decides, else inventory order */
		struct galera_candidate c[] = { cand("n1", U1, 12, 0), cand("n2", U1, 12, 1) };
		struct galera_candidate d[] = { cand("n1", U1, 12, 0), cand("n2", U1, 12, 0) };

		CHECK(galera_pick(c, 2, false, &w, why, sizeof(why), &err) == 0 && w == 1);
		CHECK_CONTAINS(why, "safe_to_bootstrap: 1");
		CHECK(galera_pick(d, 2, false, &w, why, sizeof(why), &err) == 0 && w == 0);
		CHECK_CONTAINS(why, "first in inventory order");
	}
	{	/* nodes that know nothing do not vote */
		struct galera_candidate c[] = { cand("n1", UZ, -1, 0), cand("n2", U1, 5, 0) };

		CHECK(galera_pick(c, 2, false, &w, why, sizeof(why), &err) == 0 && w == 1);
	}
	{	/* two clusters: refused unless forced */
		struct galera_candidate c[] = { cand("n1", U1, 10, 0), cand("n2", U2, 50, 0) };

		CHECK(galera_pick(c, 2, false, &w, why, sizeof(why), &err) < 0);
		CHECK_CONTAINS(err.msg, "disagree on the cluster");
		CHECK_CONTAINS(err.msg, "--force");
		sh_error_clear(&err);
		CHECK(galera_pick(c, 2, true, &w, why, sizeof(why), &err) == 0 && w == 1);
	}
	{	/* nobody knows its position */
		struct galera_candidate c[] = { cand("n1", UZ, -1, 0), cand("n2", U1, -1, 0) };

		CHECK(galera_pick(c, 2, false, &w, why, sizeof(why), &err) < 0);
		CHECK_CONTAINS(err.msg, "nothing safe to bootstrap from");
	}
}

int main(void)
{
	RUN(grastate);
	RUN(recovered);
	RUN(pick);
	HARNESS_END();
}
