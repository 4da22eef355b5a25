/*
 * prober.h - downtime prober: one non-blocking loop that samples many
 * targets at a fixed interval and records every outage window.
 *
 * Target kinds (spec strings, as given to prober_add()):
 *
 *   sql:HOST:PORT      connect with libmariadb, SELECT 1, close
 *   http://URL         GET with libcurl's multi interface (also https://);
 *                      any HTTP answer below 500 is a success
 *   tcp:HOST:PORT      a TCP connect
 *   icmp:HOST          an ICMP echo (raw socket: needs root or CAP_NET_RAW)
 *
 * Every sample is a fresh connection, so a sample answers "could a new
 * client be served now?" - the question a load balancer's drain or a VIP
 * move puts.  A sample not finished after the timeout fails; while one is
 * in flight no second one starts for that target.
 *
 * An outage opens at the start of a failed sample that follows a success
 * (or the first sample) and closes at the start of the next successful
 * one; its first error is kept.  Times are wall-clock seconds computed
 * from the monotonic clock, so durations are immune to clock steps.
 */
#ifndef STACKHOP_PROBER_H
#define STACKHOP_PROBER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum probe_kind { PROBE_SQL, PROBE_HTTP, PROBE_TCP, PROBE_ICMP };

#define PROBE_ERROR_MAX 160

struct probe_outage {
	double start, end;		/* wall clock, seconds since the epoch */
	bool open;			/* still down when the run ended */
	char error[PROBE_ERROR_MAX];	/* the first failed sample's error */
};

struct probe_stats {
	long samples, failures;
	long outages;
	double longest, downtime;	/* seconds */
};

struct prober_config {
	long interval_ms;		/* default 100 */
	long timeout_ms;		/* per sample, default 1000 */
	const char *sql_user;		/* for sql targets */
	const char *sql_password;	/* borrowed; never logged */
};

struct prober;

typedef void (*prober_outage_fn)(void *ctx, const char *target, const char *plane,
				 const struct probe_outage *o);

struct prober *prober_new(const struct prober_config *c);
void prober_free(struct prober *p);

/* Add a target; plane is "control" or "data" (copied). */
int prober_add(struct prober *p, const char *spec, const char *plane,
	       struct sh_error *err);
size_t prober_count(const struct prober *p);
const char *prober_name(const struct prober *p, size_t i);
const char *prober_plane(const struct prober *p, size_t i);
const struct probe_stats *prober_stats(const struct prober *p, size_t i);
/* Ticks that started later than one interval after they were due. */
long prober_late_ticks(const struct prober *p);

/*
 * Sample until duration_s passes (0: no limit) or *stop becomes non-zero.
 * fn (may be NULL) is called for each outage when it closes, and for
 * those still open at the end (o->open set).
 */
int prober_run(struct prober *p, double duration_s, volatile sig_atomic_t *stop,
	       prober_outage_fn fn, void *ctx, struct sh_error *err);

#endif
