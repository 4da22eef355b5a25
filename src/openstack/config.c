/*
 * config.c - see config.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "config.h"

static void report(config_change_vec *out, bool left, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(config_change_vec *out, bool left, const char *fmt, ...)
{
	struct config_change c = { .left = left };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c.text, sizeof(c.text), fmt, ap);
	va_end(ap);
	vec_push(*out, c);
}

static bool applies(const struct cat_rename *rn, const char *service, int to)
{
	int at = rn->deprecated != RANGE_OPEN ? rn->deprecated : rn->removed;
	bool svc = false;

	for (size_t i = 0; i < rn->nservices; i++)
		svc |= streq(rn->services[i], "all") || streq(rn->services[i], service);
	return svc && at != RANGE_OPEN && at <= to;
}

/* " (deprecated in X, removed in Y)" of a rename. */
static const char *when(const struct catalog *cat, const struct cat_rename *rn, char *buf,
			size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	if (rn->deprecated != RANGE_OPEN)
		o += (size_t)snprintf(buf, size, " (deprecated in %s", cat->releases[rn->deprecated].name);
	if (rn->removed != RANGE_OPEN && o < size)
		o += (size_t)snprintf(buf + o, size - o, "%sremoved in %s", o ? ", " : " (",
				      cat->releases[rn->removed].name);
	if (o && o < size)
		snprintf(buf + o, size - o, ")");
	return buf;
}

/* Option o in rn's section or one of its aliases: the line, *ret_sec its section. */
static long find_in(const struct ini *ini, const struct cat_rename *rn, const char *o,
		    const char **ret_sec)
{
	long i = ini_find(ini, rn->section, o);

	*ret_sec = rn->section;
	for (size_t a = 0; i < 0 && a < rn->naliases; a++) {
		i = ini_find(ini, rn->aliases[a], o);
		*ret_sec = rn->aliases[a];
	}
	return i;
}

/* Option at line i renamed in place (same section): the rest of the line kept. */
static void rename_in_place(struct ini *ini, size_t i, const char *key)
{
	struct ini_line *l = &ini->lines.v[i];
	const char *rest = l->text + strspn(l->text, " \t") + strlen(l->name);
	size_t n = strlen(key) + strlen(rest) + 1;
	char *t = xmalloc(n);

	snprintf(t, n, "%s%s", key, rest);
	free(l->text);
	free(l->name);
	l->text = t;
	l->name = xstrdup(key);
}

static void wipe_free(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}

/* Option o of rename rn, found at line i of section sec, changed by rn's kind. */
static void migrate_one(struct ini *ini, const struct catalog *cat, const struct cat_rename *rn,
			const char *sec, const char *o, size_t i, config_change_vec *out)
{
	const char *k = rn->kind;
	char w[128], *v;

	when(cat, rn, w, sizeof(w));
	if (streq(k, "remove")) {
		ini_delete(ini, i);
		report(out, false, "removed [%s] %s%s", sec, o, w);
	} else if (streq(k, "rename") && ini_find(ini, rn->new_section, rn->new_option) >= 0) {
		ini_delete(ini, i);
		report(out, false, "removed [%s] %s: [%s] %s is set already%s", sec, o,
		       rn->new_section, rn->new_option, w);
	} else if (streq(k, "rename")) {
		if (streq(sec, rn->new_section)) {
			rename_in_place(ini, i, rn->new_option);
		} else {
			v = ini_value(ini, i);
			ini_delete(ini, i);
			ini_set(ini, rn->new_section, rn->new_option, v);
			wipe_free(v);
		}
		report(out, false, "renamed [%s] %s -> [%s] %s%s", sec, o, rn->new_section,
		       rn->new_option, w);
	} else if (streq(k, "value")) {
		v = ini_value(ini, i);
		if (streq(v, rn->value)) {
			ini_set(ini, sec, o, rn->new_value);
			report(out, false, "changed [%s] %s from %s to %s%s", sec, o, rn->value,
			       rn->new_value, w);
		}
		free(v);
	} else if (streq(k, "policy_yaml")) {
		v = ini_value(ini, i);
		if (str_has_suffix(v, ".json"))
			report(out, true, "left [%s] %s: a JSON policy file; convert it with oslopolicy-convert-json-to-yaml%s",
			       sec, o, w);
		free(v);
	} else {
		report(out, true, "left [%s] %s: %s%s", sec, o, rn->note ? rn->note : "deprecated", w);
	}
}

/* The value of option o (in rn's sections) or def, malloc'd; the line deleted. */
static char *take(struct ini *ini, const struct cat_rename *rn, const char *o, const char *def,
		  char *taken, size_t tsize)
{
	const char *sec;
	long i = find_in(ini, rn, o, &sec);
	char *v;
	size_t tl = strlen(taken);

	if (i < 0)
		return def ? xstrdup(def) : NULL;
	v = ini_value(ini, (size_t)i);
	ini_delete(ini, (size_t)i);
	snprintf(taken + tl, tsize - tl, "%s[%s] %s", tl ? ", " : "", sec, o);
	return v;
}

static void append(char **buf, const char *s)
{
	size_t n = strlen(*buf), m = strlen(s);

	*buf = xrealloc(*buf, n + m + 1);
	memcpy(*buf + n, s, m + 1);
}

static void append_escaped(char **buf, const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);

	append(buf, e ? e : "");
	if (e)
		explicit_bzero(e, strlen(e));
	curl_free(e);
}

/* rpc_backend and the rabbit_* options into one [DEFAULT] transport_url. */
static void fold_transport(struct ini *ini, const struct catalog *cat,
			   const struct cat_rename *const *tr, size_t ntr, config_change_vec *out)
{
	const struct cat_rename *mq = NULL, *be = NULL;
	char taken[512] = "", w[128];
	char *backend, *hosts, *host, *port, *user, *pass, *vhost, *url;
	bool had;

	for (size_t i = 0; i < ntr; i++) {
		for (size_t k = 0; k < tr[i]->noptions; k++) {
			if (streq(tr[i]->options[k], "rpc_backend"))
				be = tr[i];
			else if (str_has_prefix(tr[i]->options[k], "rabbit_"))
				mq = tr[i];
		}
	}
	backend = be ? take(ini, be, "rpc_backend", NULL, taken, sizeof(taken)) : NULL;
	if (!mq) {
		if (backend)
			report(out, false, "removed [DEFAULT] rpc_backend%s", when(cat, be, w, sizeof(w)));
		wipe_free(backend);
		return;
	}
	hosts = take(ini, mq, "rabbit_hosts", NULL, taken, sizeof(taken));
	host = take(ini, mq, "rabbit_host", "localhost", taken, sizeof(taken));
	port = take(ini, mq, "rabbit_port", "5672", taken, sizeof(taken));
	user = take(ini, mq, "rabbit_userid", "guest", taken, sizeof(taken));
	pass = take(ini, mq, "rabbit_password", "guest", taken, sizeof(taken));
	vhost = take(ini, mq, "rabbit_virtual_host", "/", taken, sizeof(taken));
	if (!taken[0])
		goto out;
	had = ini_find(ini, "DEFAULT", "transport_url") >= 0;
	if (!had) {
		/* oslo.messaging's impl_kombu ("rabbit", or a module path) is rabbit. */
		url = xstrdup(backend && !strstr(backend, "rabbit") && !strstr(backend, "kombu") ?
			      backend : "rabbit");
		append(&url, "://");
		for (char *h = hosts ? hosts : host, *next; h && *h; h = next) {
			size_t n = strcspn(h, ",");

			next = h[n] ? h + n + 1 : NULL;
			h[n] = '\0';
			h += strspn(h, " ");
			if (url[strlen(url) - 1] != '/')
				append(&url, ",");
			append_escaped(&url, user);
			append(&url, ":");
			append_escaped(&url, pass);
			append(&url, "@");
			append(&url, h);
			if (!strchr(h, ':')) {
				append(&url, ":");
				append(&url, port);
			}
		}
		append(&url, "/");
		append_escaped(&url, vhost[0] == '/' ? vhost + 1 : vhost);
		ini_set(ini, "DEFAULT", "transport_url", url);
		wipe_free(url);
	}
	report(out, false, "folded %s into [DEFAULT] transport_url%s%s", taken,
	       had ? " (set already: kept)" : "", when(cat, mq, w, sizeof(w)));
out:
	wipe_free(backend);
	wipe_free(hosts);
	wipe_free(host);
	wipe_free(port);
	wipe_free(user);
	wipe_free(pass);
	wipe_free(vhost);
}

static void fold_glance(struct ini *ini, const struct catalog *cat, const struct cat_rename *rn,
			config_change_vec *out)
{
	char taken[256] = "", w[128];
	char *proto = take(ini, rn, "protocol", "http", taken, sizeof(taken));
	char *host = take(ini, rn, "host", "$my_ip", taken, sizeof(taken));
	char *port = take(ini, rn, "port", "9292", taken, sizeof(taken));
	bool had = ini_find(ini, rn->new_section, rn->new_option) >= 0;

	if (taken[0]) {
		if (!had) {
			size_t n = strlen(proto) + strlen(host) + strlen(port) + 5;
			char *v = xmalloc(n);

			snprintf(v, n, "%s://%s:%s", proto, host, port);
			ini_set(ini, rn->new_section, rn->new_option, v);
			free(v);
		}
		report(out, false, "folded %s into [%s] %s%s%s", taken, rn->new_section,
		       rn->new_option, had ? " (set already: kept)" : "", when(cat, rn, w, sizeof(w)));
	}
	free(proto);
	free(host);
	free(port);
}

void config_migrate(struct ini *ini, const struct catalog *cat, const char *service, int to,
		    config_change_vec *out)
{
	VEC(const struct cat_rename *) tr = { 0 };

	for (size_t r = 0; r < cat->nrenames; r++) {
		const struct cat_rename *rn = &cat->renames[r];

		if (!applies(rn, service, to))
			continue;
		if (streq(rn->kind, "transport_url")) {
			vec_push(tr, rn);
			continue;
		}
		if (streq(rn->kind, "glance_api_servers")) {
			fold_glance(ini, cat, rn, out);
			continue;
		}
		for (size_t k = 0; k < rn->noptions; k++) {
			const char *sec, *o = rn->options[k];
			long i = find_in(ini, rn, o, &sec);

			if (i >= 0)
				migrate_one(ini, cat, rn, sec, o, (size_t)i, out);
		}
	}
	if (tr.n)
		fold_transport(ini, cat, tr.v, tr.n, out);
	vec_free(tr);
}
