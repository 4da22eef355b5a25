/*
 * prober.c - see prober.h.
 *
 * The loop is curl_multi_wait(): libcurl polls its own sockets and ours
 * (TCP connects in progress, libmariadb's socket while it waits, the ICMP
 * socket) in one call, so HTTP, SQL, TCP and ICMP samples share one
 * thread and one poll.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <mysql.h>

#include "prober.h"
#include "util.h"

enum sample_state { IDLE, CONNECTING, SQL_CONNECT, SQL_QUERY, SQL_STORE, HTTP_RUNNING, ICMP_WAIT };

struct target {
	enum probe_kind kind;
	char *name, *plane;
	char *host, *url;
	int port;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	bool resolved;

	struct probe_stats st;
	bool down;
	double down_since;		/* monotonic */
	char first_error[PROBE_ERROR_MAX];

	/* the sample in flight */
	enum sample_state state;
	double started;			/* monotonic */
	int fd;
	short events;			/* what fd waits for */
	int my_status;			/* libmariadb's MYSQL_WAIT_* */
	MYSQL *my;
	MYSQL_RES *res;
	CURL *curl;
	/* libcurl keeps this pointer: an allocation of its own, as the
	 * target itself moves when the vector of targets grows. */
	char *curl_err;			/* CURL_ERROR_SIZE bytes */
	uint16_t seq;
};

struct prober {
	struct prober_config cfg;
	VEC(struct target) t;
	CURLM *multi;
	int icmp_fd;
	uint16_t echo_id, echo_seq;
	long *seq_owner;		/* 65536 entries: target of an echo seq, or -1 */
	double wall_offset;		/* wall = monotonic + offset */
	long late_ticks;
	struct curl_waitfd *wfds;
	size_t *wowner;			/* target index of wfds[i], or SIZE_MAX for ICMP */
	size_t wcap;
};

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct prober *prober_new(const struct prober_config *c)
{
	struct prober *p = xcalloc(1, sizeof(*p));
	static bool global_done;

	if (!global_done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		mysql_library_init(0, NULL, NULL);
		global_done = true;
	}
	p->cfg = *c;
	if (p->cfg.interval_ms <= 0)
		p->cfg.interval_ms = 100;
	if (p->cfg.timeout_ms <= 0)
		p->cfg.timeout_ms = 1000;
	p->icmp_fd = -1;
	p->echo_id = (uint16_t)(getpid() & 0xffff);
	p->wall_offset = wall() - mono();
	return p;
}

static void sample_cleanup(struct prober *p, struct target *t)
{
	if (t->res) {
		mysql_free_result(t->res);
		t->res = NULL;
	}
	if (t->my) {
		mysql_close(t->my);
		t->my = NULL;
	}
	if (t->kind == PROBE_TCP && t->fd >= 0) {
		/* Closed with a reset: the question was only whether it
		 * connects, and no TIME_WAIT is left per sample (at 10 Hz on
		 * thousands of targets they fill the port space and slow down
		 * every connect()). */
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(t->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		close(t->fd);
	}
	if (t->curl && t->state == HTTP_RUNNING)
		curl_multi_remove_handle(p->multi, t->curl);
	if (t->kind == PROBE_ICMP && t->state == ICMP_WAIT)
		p->seq_owner[t->seq] = -1;
	t->fd = -1;
	t->state = IDLE;
}

void prober_free(struct prober *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->t.n; i++) {
		struct target *t = &p->t.v[i];

		sample_cleanup(p, t);
		if (t->curl)
			curl_easy_cleanup(t->curl);
		free(t->name);
		free(t->plane);
		free(t->host);
		free(t->url);
		free(t->curl_err);
	}
	vec_free(p->t);
	if (p->multi)
		curl_multi_cleanup(p->multi);
	if (p->icmp_fd >= 0)
		close(p->icmp_fd);
	free(p->seq_owner);
	free(p->wfds);
	free(p->wowner);
	free(p);
}

size_t prober_count(const struct prober *p) { return p->t.n; }
const char *prober_name(const struct prober *p, size_t i) { return p->t.v[i].name; }
const char *prober_plane(const struct prober *p, size_t i) { return p->t.v[i].plane; }
const struct probe_stats *prober_stats(const struct prober *p, size_t i) { return &p->t.v[i].st; }
long prober_late_ticks(const struct prober *p) { return p->late_ticks; }

static size_t discard(char *ptr, size_t size, size_t n, void *ud)
{
	(void)ptr;
	(void)ud;
	return size * n;
}

/* "HOST:PORT" or "[V6]:PORT" into host and port. */
static int split_hostport(const char *s, char **host, int *port)
{
	const char *colon = strrchr(s, ':');
	long v;
	size_t hl;

	if (!colon || colon == s || parse_long(colon + 1, 1, 65535, &v) < 0)
		return -1;
	hl = (size_t)(colon - s);
	if (s[0] == '[' && colon[-1] == ']') {
		s++;
		hl -= 2;
	}
	*host = xstrndup(s, hl);
	*port = (int)v;
	return 0;
}

static int resolve(struct target *t, struct sh_error *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	char port[8];
	int e;

	snprintf(port, sizeof(port), "%d", t->port);
	if (t->kind == PROBE_ICMP)
		hints.ai_family = AF_INET;	/* ICMPv6 is not probed */
	e = getaddrinfo(t->host, port, &hints, &ai);
	if (e)
		return sh_error_set(err, SH_EXIT_INPUT, "probe target '%s': cannot resolve '%s': %s",
				    t->name, t->host, gai_strerror(e));
	memcpy(&t->addr, ai->ai_addr, ai->ai_addrlen);
	t->addrlen = ai->ai_addrlen;
	t->resolved = true;
	freeaddrinfo(ai);
	return 0;
}

static int open_icmp(struct prober *p, struct sh_error *err)
{
	if (p->icmp_fd >= 0)
		return 0;
	p->icmp_fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (p->icmp_fd < 0)
		return sh_error_set(err, SH_EXIT_FAILURE,
				    "icmp probes need a raw socket (root or CAP_NET_RAW): %s",
				    strerror(errno));
	p->seq_owner = xmalloc(65536 * sizeof(long));
	for (size_t i = 0; i < 65536; i++)
		p->seq_owner[i] = -1;
	return 0;
}

int prober_add(struct prober *p, const char *spec, const char *plane,
	       struct sh_error *err)
{
	struct target t = { .fd = -1 };

	if (str_has_prefix(spec, "http://") || str_has_prefix(spec, "https://")) {
		t.kind = PROBE_HTTP;
		t.url = xstrdup(spec);
	} else if (str_has_prefix(spec, "sql:") || str_has_prefix(spec, "tcp:")) {
		t.kind = spec[0] == 's' ? PROBE_SQL : PROBE_TCP;
		if (split_hostport(spec + 4, &t.host, &t.port) < 0)
			return sh_error_set(err, SH_EXIT_INPUT,
					    "probe target '%s': expected %.3s:HOST:PORT", spec, spec);
	} else if (str_has_prefix(spec, "icmp:") && spec[5]) {
		t.kind = PROBE_ICMP;
		t.host = xstrdup(spec + 5);
	} else {
		return sh_error_set(err, SH_EXIT_INPUT,
				    "probe target '%s': expected sql:HOST:PORT, tcp:HOST:PORT, icmp:HOST or an http(s):// URL",
				    spec);
	}
	t.name = xstrdup(spec);
	t.plane = xstrdup(plane);
	if (t.host && resolve(&t, err) < 0)
		goto fail;
	if (t.kind == PROBE_ICMP && open_icmp(p, err) < 0)
		goto fail;
	if (t.kind == PROBE_HTTP) {
		if (!p->multi)
			p->multi = curl_multi_init();
		t.curl = curl_easy_init();
		curl_easy_setopt(t.curl, CURLOPT_URL, t.url);
		curl_easy_setopt(t.curl, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(t.curl, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(t.curl, CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(t.curl, CURLOPT_TIMEOUT_MS, p->cfg.timeout_ms);
		curl_easy_setopt(t.curl, CURLOPT_WRITEFUNCTION, discard);
		t.curl_err = xcalloc(1, CURL_ERROR_SIZE);
		curl_easy_setopt(t.curl, CURLOPT_ERRORBUFFER, t.curl_err);
		/* An index, not a pointer: the target moves when the vector grows. */
		curl_easy_setopt(t.curl, CURLOPT_PRIVATE, (void *)(uintptr_t)p->t.n);
		curl_easy_setopt(t.curl, CURLOPT_PROXY, "");
		curl_easy_setopt(t.curl, CURLOPT_USERAGENT, "stackhop-prober");
	}
	vec_push(p->t, t);
	return 0;
fail:
	if (t.curl)
		curl_easy_cleanup(t.curl);
	free(t.curl_err);
	free(t.name);
	free(t.plane);
	free(t.host);
	free(t.url);
	return -1;
}

/* ---- outcome of a sample -------------------------------------------------- */

/* The target is up again at monotonic time end (or the run ended). */
static void close_outage(struct prober *p, struct target *t, double end, bool open,
			 prober_outage_fn fn, void *ctx)
{
	struct probe_outage o = {
		.start = t->down_since + p->wall_offset,
		.end = end + p->wall_offset,
		.open = open,
	};
	double d = end - t->down_since;

	strlcpy_sh(o.error, t->first_error, sizeof(o.error));
	t->down = false;
	t->st.outages++;
	t->st.downtime += d;
	if (d > t->st.longest)
		t->st.longest = d;
	if (fn)
		fn(ctx, t->name, t->plane, &o);
}

static void sample_done(struct prober *p, struct target *t, const char *error,
			prober_outage_fn fn, void *ctx)
{
	double started = t->started;

	sample_cleanup(p, t);
	t->st.samples++;
	if (error) {
		t->st.failures++;
		if (!t->down) {
			t->down = true;
			t->down_since = started;
			strlcpy_sh(t->first_error, error, sizeof(t->first_error));
		}
		return;
	}
	if (t->down)
		close_outage(p, t, started, false, fn, ctx);
}

static void failf(struct prober *p, struct target *t, prober_outage_fn fn, void *ctx,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void failf(struct prober *p, struct target *t, prober_outage_fn fn, void *ctx,
		  const char *fmt, ...)
{
	char msg[PROBE_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sample_done(p, t, msg, fn, ctx);
}

/* ---- starting samples ----------------------------------------------------- */

static uint16_t icmp_checksum(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static short my_events(int status)
{
	return (short)((status & MYSQL_WAIT_READ ? POLLIN : 0) |
		       (status & MYSQL_WAIT_WRITE ? POLLOUT : 0) |
		       (status & MYSQL_WAIT_EXCEPT ? POLLPRI : 0));
}

static void sql_step(struct prober *p, struct target *t, int ready,
		     prober_outage_fn fn, void *ctx);

static void sample_start(struct prober *p, size_t i, double now,
			 prober_outage_fn fn, void *ctx)
{
	struct target *t = &p->t.v[i];

	t->started = now;
	switch (t->kind) {
	case PROBE_TCP:
		t->fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (t->fd < 0) {
			t->state = CONNECTING;
			failf(p, t, fn, ctx, "socket: %s", strerror(errno));
			return;
		}
		t->state = CONNECTING;
		t->events = POLLOUT;
		if (connect(t->fd, (struct sockaddr *)&t->addr, t->addrlen) == 0)
			sample_done(p, t, NULL, fn, ctx);
		else if (errno != EINPROGRESS)
			failf(p, t, fn, ctx, "connect: %s", strerror(errno));
		return;
	case PROBE_ICMP: {
		struct icmphdr h = { .type = ICMP_ECHO };
		unsigned char pkt[sizeof(h) + 8];

		t->seq = p->echo_seq++;
		if (p->seq_owner[t->seq] >= 0)	/* 65536 echoes since: give up on it */
			failf(p, &p->t.v[p->seq_owner[t->seq]], fn, ctx,
			      "no answer before its sequence number came round again");
		h.un.echo.id = htons(p->echo_id);
		h.un.echo.sequence = htons(t->seq);
		memcpy(pkt, &h, sizeof(h));
		memcpy(pkt + sizeof(h), "stackhop", 8);
		((struct icmphdr *)pkt)->checksum = icmp_checksum(pkt, sizeof(pkt));
		t->state = ICMP_WAIT;
		p->seq_owner[t->seq] = (long)i;
		if (sendto(p->icmp_fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&t->addr,
			   t->addrlen) < 0)
			failf(p, t, fn, ctx, "send: %s", strerror(errno));
		return;
	}
	case PROBE_HTTP:
		t->curl_err[0] = '\0';
		t->state = HTTP_RUNNING;
		curl_multi_add_handle(p->multi, t->curl);
		return;
	case PROBE_SQL: {
		MYSQL *ret = NULL;
		unsigned int secs = (unsigned int)((p->cfg.timeout_ms + 999) / 1000);

		t->my = mysql_init(NULL);
		t->state = SQL_CONNECT;
		if (!t->my) {
			failf(p, t, fn, ctx, "out of memory");
			return;
		}
		mysql_options(t->my, MYSQL_OPT_NONBLOCK, 0);
		mysql_options(t->my, MYSQL_OPT_CONNECT_TIMEOUT, &secs);
		mysql_options(t->my, MYSQL_READ_DEFAULT_FILE, "/dev/null");
		t->my_status = mysql_real_connect_start(&ret, t->my, t->host, p->cfg.sql_user,
							p->cfg.sql_password, NULL,
							(unsigned int)t->port, NULL, 0);
		if (!t->my_status && !ret) {
			failf(p, t, fn, ctx, "%s", mysql_error(t->my));
			return;
		}
		sql_step(p, t, 0, fn, ctx);
		return;
	}
	}
}

/*
 * Advance the SQL state machine after readiness ready (0 right after a
 * _start call whose status is in t->my_status).
 */
static void sql_step(struct prober *p, struct target *t, int ready,
		     prober_outage_fn fn, void *ctx)
{
	for (;;) {
		if (ready) {
			switch (t->state) {
			case SQL_CONNECT: {
				MYSQL *ret = NULL;

				t->my_status = mysql_real_connect_cont(&ret, t->my, ready);
				if (!t->my_status && !ret) {
					failf(p, t, fn, ctx, "%s", mysql_error(t->my));
					return;
				}
				break;
			}
			case SQL_QUERY: {
				int e = 0;

				t->my_status = mysql_real_query_cont(&e, t->my, ready);
				if (!t->my_status && e) {
					failf(p, t, fn, ctx, "%s", mysql_error(t->my));
					return;
				}
				break;
			}
			case SQL_STORE:
				t->my_status = mysql_store_result_cont(&t->res, t->my, ready);
				break;
			default:
				return;
			}
			ready = 0;
		}
		if (t->my_status) {	/* waits on the socket */
			t->fd = mysql_get_socket(t->my);
			t->events = my_events(t->my_status);
			return;
		}
		/* The current call finished: start the next. */
		if (t->state == SQL_CONNECT) {
			int e = 0;

			t->state = SQL_QUERY;
			t->my_status = mysql_real_query_start(&e, t->my, "SELECT 1", 8);
			if (!t->my_status && e) {
				failf(p, t, fn, ctx, "%s", mysql_error(t->my));
				return;
			}
		} else if (t->state == SQL_QUERY) {
			t->state = SQL_STORE;
			t->my_status = mysql_store_result_start(&t->res, t->my);
		} else {
			MYSQL_ROW row = t->res ? mysql_fetch_row(t->res) : NULL;

			if (!row || !row[0] || !streq(row[0], "1"))
				failf(p, t, fn, ctx, "SELECT 1: %s",
				      mysql_errno(t->my) ? mysql_error(t->my) : "no row");
			else
				sample_done(p, t, NULL, fn, ctx);
			return;
		}
	}
}

/* ---- the loop ------------------------------------------------------------- */

static void icmp_read(struct prober *p, prober_outage_fn fn, void *ctx)
{
	unsigned char buf[1500];

	for (;;) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(p->icmp_fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		size_t ihl;
		struct icmphdr h;
		long owner;

		if (n < 0)
			return;
		if ((size_t)n < sizeof(struct iphdr))
			continue;
		ihl = (size_t)(buf[0] & 0x0f) * 4;
		if ((size_t)n < ihl + sizeof(h))
			continue;
		memcpy(&h, buf + ihl, sizeof(h));
		if (h.type != ICMP_ECHOREPLY || ntohs(h.un.echo.id) != p->echo_id)
			continue;
		owner = p->seq_owner[ntohs(h.un.echo.sequence)];
		if (owner < 0)
			continue;
		struct target *t = &p->t.v[owner];

		if (((struct sockaddr_in *)&t->addr)->sin_addr.s_addr != from.sin_addr.s_addr)
			continue;
		sample_done(p, t, NULL, fn, ctx);
	}
}

static void curl_done(struct prober *p, prober_outage_fn fn, void *ctx)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(p->multi, &left))) {
		void *priv = NULL;
		struct target *t;
		long code = 0;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&priv);
		t = &p->t.v[(uintptr_t)priv];
		if (m->data.result != CURLE_OK)
			failf(p, t, fn, ctx, "%s", t->curl_err[0] ? t->curl_err :
			      curl_easy_strerror(m->data.result));
		else if (curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code), code >= 500)
			failf(p, t, fn, ctx, "HTTP %ld", code);
		else
			sample_done(p, t, NULL, fn, ctx);
	}
}

static void raise_fd_limit(size_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want + 64) {
		rl.rlim_cur = rl.rlim_max < want + 64 ? rl.rlim_max : want + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* A tick at now: a sample starts on every idle target. */
static void tick(struct prober *p, double now, double *next_tick, double interval,
		 prober_outage_fn fn, void *ctx)
{
	int running;

	for (size_t i = 0; i < p->t.n; i++)
		if (p->t.v[i].state == IDLE)
			sample_start(p, i, now, fn, ctx);
	*next_tick += interval;
	if (now - *next_tick > interval) {	/* fell behind: skip, count */
		p->late_ticks++;
		*next_tick = now + interval;
	}
	if (p->multi)
		curl_multi_perform(p->multi, &running);
}

/*
 * Fail the samples that timed out, and put the prober's own sockets
 * (those of samples in flight, the ICMP one) into p->wfds; returns how
 * many, and lowers *wait_until to the first sample deadline.
 */
static size_t fill_waitfds(struct prober *p, double now, double timeout, double *wait_until,
			   prober_outage_fn fn, void *ctx)
{
	size_t nw = 0;

	for (size_t i = 0; i < p->t.n; i++) {
		struct target *t = &p->t.v[i];

		if (t->state == IDLE)
			continue;
		if (now - t->started >= timeout) {
			failf(p, t, fn, ctx, "no answer in %ld ms", p->cfg.timeout_ms);
			continue;
		}
		if (t->started + timeout < *wait_until)
			*wait_until = t->started + timeout;
		if (t->fd >= 0 && t->state != HTTP_RUNNING) {
			p->wfds[nw] = (struct curl_waitfd){ t->fd, t->events, 0 };
			p->wowner[nw++] = i;
		}
	}
	if (p->icmp_fd >= 0) {
		p->wfds[nw] = (struct curl_waitfd){ p->icmp_fd, POLLIN, 0 };
		p->wowner[nw++] = SIZE_MAX;
	}
	return nw;
}

/* Wait up to ms for the nw sockets of p->wfds, and libcurl's with them. */
static int wait_sockets(struct prober *p, size_t nw, int ms, struct sh_error *err)
{
	if (p->multi) {
		if (curl_multi_wait(p->multi, p->wfds, (unsigned int)nw, ms, NULL) != CURLM_OK)
			return sh_error_set(err, SH_EXIT_FAILURE, "prober: curl_multi_wait failed");
	} else {
		struct pollfd *pf = (struct pollfd *)p->wfds;	/* same layout */

		static_assert(sizeof(struct pollfd) == sizeof(struct curl_waitfd),
			      "curl_waitfd is laid out as pollfd");
		if (poll(pf, nw, ms) < 0 && errno != EINTR)
			return sh_error_set(err, SH_EXIT_FAILURE, "prober: poll: %s",
					    strerror(errno));
	}
	return 0;
}

/* Move on each sample whose socket of p->wfds is ready. */
static void handle_sockets(struct prober *p, size_t nw, prober_outage_fn fn, void *ctx)
{
	for (size_t k = 0; k < nw; k++) {
		short rev = p->wfds[k].revents;
		struct target *t;

		if (!rev)
			continue;
		if (p->wowner[k] == SIZE_MAX) {
			icmp_read(p, fn, ctx);
			continue;
		}
		t = &p->t.v[p->wowner[k]];
		if (t->kind == PROBE_TCP && t->state == CONNECTING) {
			int soerr = 0;
			socklen_t sl = sizeof(soerr);

			getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
			if (soerr)
				failf(p, t, fn, ctx, "connect: %s", strerror(soerr));
			else
				sample_done(p, t, NULL, fn, ctx);
		} else if (t->kind == PROBE_SQL && t->state != IDLE) {
			int ready = (rev & POLLIN ? MYSQL_WAIT_READ : 0) |
				    (rev & POLLOUT ? MYSQL_WAIT_WRITE : 0) |
				    (rev & POLLPRI ? MYSQL_WAIT_EXCEPT : 0);

			if (rev & (POLLERR | POLLHUP) && !ready)
				ready = t->my_status & (MYSQL_WAIT_READ | MYSQL_WAIT_WRITE);
			sql_step(p, t, ready, fn, ctx);
		}
	}
}

int prober_run(struct prober *p, double duration_s, volatile sig_atomic_t *stop,
	       prober_outage_fn fn, void *ctx, struct sh_error *err)
{
	double interval = (double)p->cfg.interval_ms / 1000.0;
	double timeout = (double)p->cfg.timeout_ms / 1000.0;
	double begin = mono(), next_tick = begin, end_at = duration_s > 0 ? begin + duration_s : 0;

	raise_fd_limit(p->t.n);
	if (p->t.n + 1 > p->wcap) {
		p->wcap = p->t.n + 1;
		p->wfds = xrealloc(p->wfds, p->wcap * sizeof(*p->wfds));
		p->wowner = xrealloc(p->wowner, p->wcap * sizeof(*p->wowner));
	}
	while (!(stop && *stop)) {
		double now = mono(), wait_until;
		size_t nw;
		int running, ms;

		if (end_at && now >= end_at)
			break;
		if (now >= next_tick)
			tick(p, now, &next_tick, interval, fn, ctx);
		wait_until = next_tick;
		nw = fill_waitfds(p, now, timeout, &wait_until, fn, ctx);
		if (end_at && end_at < wait_until)
			wait_until = end_at;
		ms = (int)ceil((wait_until - mono()) * 1000.0);
		if (ms < 0)
			ms = 0;
		if (wait_sockets(p, nw, ms, err) < 0)
			return -1;
		handle_sockets(p, nw, fn, ctx);
		if (p->multi) {
			curl_multi_perform(p->multi, &running);
			curl_done(p, fn, ctx);
		}
	}
	/* In-flight samples are abandoned (not counted); open outages close now. */
	double now = mono();

	for (size_t i = 0; i < p->t.n; i++) {
		struct target *t = &p->t.v[i];

		sample_cleanup(p, t);
		if (t->down)
			close_outage(p, t, now, true, fn, ctx);
	}
	return 0;
}
