/*
 * health.c - see health.h.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "galera.h"
#include "health.h"
#include "keystone.h"
#include "util.h"

const char *const health_components[] = { "galera", "haproxy", "rabbitmq", "keystone", NULL };

/* Raise r to code (never lower it) and append a sentence to its details. */
static void note(struct check_result *r, enum check_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note(struct check_result *r, enum check_code code, const char *fmt, ...)
{
	size_t len = strlen(r->details);
	va_list ap;

	if (code > r->code)
		r->code = code;
	if (len && len + 2 < sizeof(r->details)) {
		memcpy(r->details + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(r->details + len, sizeof(r->details) - len, fmt, ap);
	va_end(ap);
}


static void check_galera(struct infra *x, struct check_result *r)
{
	inv_host_vec db = { 0 };
	struct sh_error err = { 0 };
	char uuid[40] = "";
	size_t synced = 0;

	if (infra_hosts(x, infra_db_groups, &db, &err) < 0) {
		note(r, CHECK_FAILURE, "%s", err.msg);
		return;
	}
	for (size_t i = 0; i < db.n; i++) {
		struct galera_status s;

		galera_status(x, db.v[i], &s);
		if (!s.up) {
			note(r, CHECK_FAILURE, "%s is down (%s)", db.v[i]->name, s.error);
			continue;
		}
		if (!streq(s.cluster_status, "Primary")) {
			note(r, CHECK_FAILURE, "%s is not in the primary component (%s)", db.v[i]->name,
			     s.cluster_status);
			continue;
		}
		if (s.size < (long)db.n)
			note(r, CHECK_FAILURE, "%s sees a cluster of %ld of %zu nodes", db.v[i]->name,
			     s.size, db.n);
		if (!uuid[0])
			strlcpy_sh(uuid, s.uuid, sizeof(uuid));
		else if (!streq(uuid, s.uuid))
			note(r, CHECK_FAILURE, "%s is in another cluster (state %s, not %s)",
			     db.v[i]->name, s.uuid, uuid);
		if (streq(s.state, "Synced"))
			synced++;
		else
			note(r, CHECK_WARNING, "%s is %s, not Synced", db.v[i]->name, s.state);
		if (s.recv_queue > 100)
			note(r, CHECK_WARNING, "%s has %ld write sets queued", db.v[i]->name, s.recv_queue);
	}
	if (r->code == CHECK_SUCCESS)
		note(r, CHECK_SUCCESS, "%zu of %zu nodes Synced in one primary component", synced, db.n);
	vec_free(db);
}

/* A TCP connect to host:port within 2 s. */
static int tcp_connect(const char *hostport, char *why, size_t size)
{
	char host[256];
	const char *colon = strrchr(hostport, ':');
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	int fd, e, r = -1;

	if (!colon) {
		snprintf(why, size, "'%s' is not host:port", hostport);
		return -1;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - hostport), hostport);
	if ((e = getaddrinfo(host, colon + 1, &hints, &ai))) {
		snprintf(why, size, "%s", gai_strerror(e));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		struct pollfd p = { fd, POLLOUT, 0 };
		int so = 0;
		socklen_t sl = sizeof(so);

		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			r = 0;
		else if (errno == EINPROGRESS && poll(&p, 1, 2000) == 1 &&
			 getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &sl) == 0 && !so)
			r = 0;
		else
			snprintf(why, size, "%s", so ? strerror(so) : "no answer in 2 s");
		close(fd);
	}
	freeaddrinfo(ai);
	return r;
}

static void check_haproxy(struct infra *x, struct check_result *r)
{
	inv_host_vec lb = { 0 };
	struct sh_error err = { 0 };
	size_t answering = 0;
	char why[128];

	if (infra_hosts(x, infra_lb_groups, &lb, &err) < 0) {
		note(r, CHECK_FAILURE, "%s", err.msg);
		return;
	}
	for (size_t i = 0; i < lb.n; i++) {
		struct haproxy_server *s;
		size_t n;

		sh_error_clear(&err);
		if (haproxy_servers(x, lb.v[i], NULL, &s, &n, &err) < 0) {
			note(r, CHECK_WARNING, "%s", err.msg);
			continue;
		}
		answering++;
		for (size_t k = 0; k < n; k++) {
			size_t up = 0, total = 0;
			bool first = true;

			/* Each backend once: at its first server. */
			for (size_t j = 0; j < k; j++)
				if (streq(s[j].backend, s[k].backend))
					first = false;
			if (!first)
				continue;
			for (size_t j = k; j < n; j++)
				if (streq(s[j].backend, s[k].backend)) {
					total++;
					up += str_has_prefix(s[j].status, "UP");
					if (!str_has_prefix(s[j].status, "UP"))
						note(r, CHECK_WARNING, "%s: %s/%s is %s", lb.v[i]->name,
						     s[j].backend, s[j].name, s[j].status);
				}
			if (!up)
				note(r, CHECK_FAILURE, "%s: backend %s has no server UP", lb.v[i]->name,
				     s[k].backend);
		}
		free(s);
	}
	if (!answering)
		note(r, CHECK_FAILURE, "no HAProxy answers on its admin socket");
	if (x->st->database && tcp_connect(x->st->database, why, sizeof(why)) < 0)
		note(r, CHECK_FAILURE, "the VIP does not answer at %s: %s", x->st->database, why);
	if (r->code == CHECK_SUCCESS)
		note(r, CHECK_SUCCESS, "%zu of %zu HAProxy answer, every backend server UP, the VIP answers",
		     answering, lb.n);
	vec_free(lb);
}

static void check_rabbitmq(struct infra *x, struct check_result *r)
{
	inv_host_vec mq = { 0 };
	struct sh_error err = { 0 };
	const char *argv[] = { "rabbitmqctl", "cluster_status", "--formatter", "json", NULL };
	json_t *doc = NULL;

	if (infra_hosts(x, infra_mq_groups, &mq, &err) < 0) {
		note(r, CHECK_FAILURE, "%s", err.msg);
		return;
	}
	/* One node's view covers the cluster; the next if it does not answer. */
	for (size_t i = 0; i < mq.n && !doc; i++) {
		char *out = NULL;

		sh_error_clear(&err);
		if (rt_exec(x, mq.v[i], "rabbitmq", argv, NULL, &out, &err) == 0)
			doc = json_loads(out, 0, NULL);
		free(out);
	}
	if (!doc) {
		note(r, CHECK_FAILURE, "no RabbitMQ node gives its cluster status (%s)",
		     err.msg[0] ? err.msg : "not JSON");
	} else {
		json_t *running = json_object_get(doc, "running_nodes");
		json_t *disk = json_object_get(doc, "disk_nodes");
		json_t *parts = json_object_get(doc, "partitions");
		json_t *alarms = json_object_get(doc, "alarms");
		size_t i;
		json_t *v;

		json_array_foreach(disk, i, v) {
			bool found = false;
			size_t k;
			json_t *w;

			json_array_foreach(running, k, w)
				found |= json_equal(v, w);
			if (!found)
				note(r, CHECK_FAILURE, "%s is not running", json_string_value(v));
		}
		if (json_array_size(running) < mq.n)
			note(r, CHECK_FAILURE, "%zu of %zu nodes running", json_array_size(running), mq.n);
		if ((json_is_object(parts) && json_object_size(parts)) ||
		    (json_is_array(parts) && json_array_size(parts))) {
			char *p = json_dumps(parts, JSON_COMPACT);

			note(r, CHECK_FAILURE, "network partitions: %s", p ? p : "?");
			free(p);
		}
		if (json_array_size(alarms))
			note(r, CHECK_FAILURE, "%zu resource alarms", json_array_size(alarms));
		if (r->code == CHECK_SUCCESS)
			note(r, CHECK_SUCCESS, "%zu nodes running, no partitions, no alarms",
			     json_array_size(running));
		json_decref(doc);
	}
	vec_free(mq);
}

static size_t discard(char *p, size_t s, size_t n, void *u)
{
	(void)p;
	(void)u;
	return s * n;
}

/* The HTTP status of a GET of url, 0 with why when there was none. */
static long http_get(const char *url, char *why, size_t size)
{
	CURL *c = curl_easy_init();
	char errbuf[CURL_ERROR_SIZE] = "";
	long code = 0;
	CURLcode rc;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	else
		snprintf(why, size, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	curl_easy_cleanup(c);
	return code;
}

static void check_keystone(struct infra *x, struct check_result *r)
{
	const char *pw = secrets_get(x->secrets, "keystone_admin_password");
	char why[256] = "";
	long code;

	if (!x->st->keystone) {
		note(r, CHECK_FAILURE, "the settings have no endpoints.keystone");
		return;
	}
	code = http_get(x->st->keystone, why, sizeof(why));
	if (code != 200) {
		note(r, CHECK_FAILURE, "GET %s: %s", x->st->keystone, code ? "" : why);
		if (code)
			note(r, CHECK_FAILURE, "HTTP %ld", code);
		return;
	}
	if (!pw) {
		note(r, CHECK_WARNING, "%s answers; no keystone_admin_password in the secrets file, so no token was tried",
		     x->st->keystone);
		return;
	}
	{
		struct keystone k;
		struct sh_error e = { 0 };

		if (keystone_login(&k, x->st->keystone, "admin", pw, "admin", &e) == 0)
			note(r, CHECK_SUCCESS, "%s answers and issues a token to admin", x->st->keystone);
		else
			note(r, CHECK_FAILURE, "%s", e.msg);
		keystone_release(&k);
	}
}

void health_check(struct infra *x, const char *component, struct check_result *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", component);
	if (streq(component, "galera"))
		check_galera(x, r);
	else if (streq(component, "haproxy"))
		check_haproxy(x, r);
	else if (streq(component, "rabbitmq"))
		check_rabbitmq(x, r);
	else if (streq(component, "keystone"))
		check_keystone(x, r);
	else
		note(r, CHECK_FAILURE, "no check for '%s'", component);
}
