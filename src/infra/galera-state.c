/*
 * galera-state.c - the parts of Galera recovery that decide from text
 * alone (galera.h): grastate.dat, the --wsrep-recover log, and the node
 * to bootstrap from.  Unit-tested (tests/unit/test-galera.c).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "galera.h"
#include "util.h"

int grastate_parse(const char *text, struct grastate *g)
{
	bool have_uuid = false, have_seqno = false;

	memset(g, 0, sizeof(*g));
	g->safe_to_bootstrap = -1;
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char key[32], val[64];

		if (sscanf(l, "%31[a-z_]: %63s", key, val) != 2)
			continue;
		if (streq(key, "uuid")) {
			strlcpy_sh(g->uuid, val, sizeof(g->uuid));
			have_uuid = strlen(val) == 36;
		} else if (streq(key, "seqno")) {
			char *end;

			errno = 0;
			g->seqno = strtoll(val, &end, 10);
			have_seqno = !errno && !*end;
		} else if (streq(key, "safe_to_bootstrap")) {
			g->safe_to_bootstrap = streq(val, "1");
		}
	}
	return have_uuid && have_seqno ? 0 : -1;
}

int recovered_position(const char *log, char *uuid, size_t size, long long *seqno)
{
	static const char marker[] = "WSREP: Recovered position: ";
	const char *p = NULL, *q;

	/* The last such line counts. */
	for (q = strstr(log, marker); q; q = strstr(q + 1, marker))
		p = q + strlen(marker);
	if (!p)
		return -1;
	q = strchr(p, ':');
	if (!q || q - p != 36 || (size_t)(q - p) >= size)
		return -1;
	snprintf(uuid, size, "%.*s", (int)(q - p), p);
	errno = 0;
	*seqno = strtoll(q + 1, (char **)&p, 10);	/* may be followed by ",GTID" */
	if (errno || (*p && *p != ',' && *p != '\n' && *p != '\r' && *p != ' '))
		return -1;
	return 0;
}

static bool zero_uuid(const char *u)
{
	return strspn(u, "0-") == strlen(u);
}

/*
 * The node to bootstrap from: every node that knows its position must name
 * the same cluster UUID (else refuse, unless force); the highest seqno
 * wins; among equals, a node whose grastate says safe_to_bootstrap: 1,
 * else the first in inventory order.
 */
int galera_pick(const struct galera_candidate *c, size_t n, bool force, size_t *winner,
		char *why, size_t why_size, struct sh_error *err)
{
	const char *uuid = NULL;
	size_t best = SIZE_MAX, ties = 0;

	for (size_t i = 0; i < n; i++) {
		if (c[i].g.seqno < 0 || zero_uuid(c[i].g.uuid))
			continue;
		if (!uuid) {
			uuid = c[i].g.uuid;
		} else if (!streq(uuid, c[i].g.uuid)) {
			if (!force)
				return sh_error_set(err, SH_EXIT_FAILURE,
						    "the nodes disagree on the cluster: %s has state %s, %s has %s; refusing to pick one (--force takes the highest seqno anyway)",
						    c[0].name, uuid, c[i].name, c[i].g.uuid);
		}
		if (best == SIZE_MAX || c[i].g.seqno > c[best].g.seqno) {
			best = i;
			ties = 0;
		} else if (c[i].g.seqno == c[best].g.seqno) {
			ties++;
			if (c[i].g.safe_to_bootstrap == 1 && c[best].g.safe_to_bootstrap != 1)
				best = i;
		}
	}
	if (best == SIZE_MAX)
		return sh_error_set(err, SH_EXIT_FAILURE,
				    "no node knows its position (every grastate and --wsrep-recover gave seqno -1): nothing safe to bootstrap from");
	*winner = best;
	snprintf(why, why_size, "%s has the highest seqno, %lld%s", c[best].name, c[best].g.seqno,
		 !ties ? "" : c[best].g.safe_to_bootstrap == 1 ?
		 ", tied, and its grastate says safe_to_bootstrap: 1" :
		 ", tied with another node: the first in inventory order");
	return 0;
}
