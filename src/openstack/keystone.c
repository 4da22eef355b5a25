/*
 * keystone.c - see keystone.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "keystone.h"
#include "util.h"

#define KS_MAX_BODY (4u << 20)	/* an answer larger than this is refused */

const char *ks_outcome_name(enum ks_outcome o)
{
	return o == KS_CREATED ? "created" : o == KS_UPDATED ? "updated" : "exists";
}

/* X-Subject-Token of a login answer. */
static size_t on_header(char *p, size_t s, size_t n, void *u)
{
	char **token = u;
	size_t m = s * n;
	static const char name[] = "X-Subject-Token:";

	if (m > sizeof(name) && !strncasecmp(p, name, sizeof(name) - 1)) {
		const char *v = p + sizeof(name) - 1;
		size_t l = m - (sizeof(name) - 1);

		while (l && (*v == ' ' || *v == '\t'))
			v++, l--;
		while (l && (v[l - 1] == '\r' || v[l - 1] == '\n' || v[l - 1] == ' '))
			l--;
		free(*token);
		*token = xstrndup(v, l);
	}
	return m;
}

static void wipe(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}

static long request(struct keystone *k, const char *method, const char *url, const char *body,
		    char **ret_token, json_t **ret, struct sh_error *err)
{
	CURL *c = k->curl;
	struct curl_slist *hdr = NULL;
	struct bounded b = { .max = KS_MAX_BODY };
	char errbuf[CURL_ERROR_SIZE] = "", *auth = NULL;
	long code = -1;
	CURLcode rc;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, bounded_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (streq(method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (ret_token) {
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, ret_token);
	}
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (body) {
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	} else if (streq(method, "PUT")) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	}
	if (k->token) {
		size_t n = strlen(k->token) + 20;

		auth = xmalloc(n);
		snprintf(auth, n, "X-Auth-Token: %s", k->token);
		hdr = curl_slist_append(hdr, auth);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		sh_error_set(err, SH_EXIT_FAILURE, "%s %s: %s", method, url,
			     b.over ? "the answer is larger than 4 MiB" :
			     errbuf[0] ? errbuf : curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (ret) {
		json_error_t je;

		*ret = b.len ? json_loadb(b.data, b.len, 0, &je) : NULL;
		if (b.len && !*ret && code < 300) {
			sh_error_set(err, SH_EXIT_FAILURE, "%s %s: HTTP %ld with an answer that is not JSON (%s)",
				     method, url, code, je.text);
			code = -1;
		}
	}
out:
	curl_slist_free_all(hdr);
	wipe(auth);
	free(b.data);
	return code;
}

long keystone_call(struct keystone *k, const char *method, const char *path, json_t *body,
		   json_t **ret, struct sh_error *err)
{
	size_t n = strlen(k->url) + strlen(path) + 1;
	char *url = xmalloc(n), *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	long code;

	if (ret)
		*ret = NULL;
	snprintf(url, n, "%s%s", k->url, path);
	code = request(k, method, url, text, NULL, ret, err);
	wipe(text);
	free(url);
	return code;
}

int keystone_login(struct keystone *k, const char *url, const char *user,
		   const char *password, const char *project, struct sh_error *err)
{
	json_t *body;
	char *text, *turl;
	size_t n;
	long code;

	memset(k, 0, sizeof(*k));
	k->url = xstrdup(url);
	if (strlen(k->url) && k->url[strlen(k->url) - 1] == '/')
		k->url[strlen(k->url) - 1] = '\0';
	if (!(k->curl = curl_easy_init()))
		return sh_error_set(err, SH_EXIT_FAILURE, "libcurl could not start");
	body = json_pack("{s:{s:{s:[s], s:{s:{s:s, s:{s:s}, s:s}}}, s:{s:{s:s, s:{s:s}}}}}",
			 "auth", "identity", "methods", "password", "password", "user", "name", user,
			 "domain", "id", "default", "password", password, "scope", "project", "name",
			 project, "domain", "id", "default");
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	n = strlen(k->url) + 16;
	turl = xmalloc(n);
	snprintf(turl, n, "%s/auth/tokens", k->url);
	code = request(k, "POST", turl, text, &k->token, NULL, err);
	wipe(text);
	free(turl);
	if (code < 0)
		return -1;
	if (code != 201 || !k->token)
		return sh_error_set(err, SH_EXIT_FAILURE,
				    "Keystone at %s issued no token to %s (HTTP %ld)", k->url, user, code);
	return 0;
}

void keystone_release(struct keystone *k)
{
	if (k->curl)
		curl_easy_cleanup(k->curl);
	wipe(k->token);
	free(k->url);
	memset(k, 0, sizeof(*k));
}

/* "/COLLECTION?key=value&key2=value2" with the values escaped. */
static char *query(const char *collection, const char *k1, const char *v1, const char *k2,
		   const char *v2)
{
	char *e1 = curl_easy_escape(NULL, v1, 0), *e2 = v2 ? curl_easy_escape(NULL, v2, 0) : NULL;
	size_t n = strlen(collection) + strlen(k1) + strlen(e1) + (k2 ? strlen(k2) : 0) +
		   (e2 ? strlen(e2) : 0) + 8;
	char *q = xmalloc(n);

	snprintf(q, n, "/%s?%s=%s%s%s%s%s", collection, k1, e1, k2 ? "&" : "", k2 ? k2 : "",
		 k2 ? "=" : "", e2 ? e2 : "");
	curl_free(e1);
	curl_free(e2);
	return q;
}

static int expect(long code, long want, const char *what, struct sh_error *err)
{
	if (code < 0)
		return -1;
	if (code != want)
		return sh_error_set(err, SH_EXIT_FAILURE, "Keystone: %s: HTTP %ld (expected %ld)", what,
				    code, want);
	return 0;
}

/*
 * The id of the one object of collection (kind: its JSON singular) that
 * the query finds, after match() (may be NULL) filters; NULL if none.
 */
static int find_one(struct keystone *k, const char *collection, const char *q,
		    bool (*match)(json_t *o, const void *arg), const void *arg, char **ret_id,
		    struct sh_error *err)
{
	json_t *ans = NULL, *list, *o;
	size_t i;
	long code = keystone_call(k, "GET", q, NULL, &ans, err);
	int r = -1;

	*ret_id = NULL;
	if (expect(code, 200, collection, err) < 0)
		goto out;
	list = json_object_get(ans, collection);
	json_array_foreach(list, i, o) {
		if (match && !match(o, arg))
			continue;
		if (*ret_id) {
			sh_error_set(err, SH_EXIT_FAILURE, "Keystone has more than one of %s: refusing to guess", q);
			free(*ret_id);
			*ret_id = NULL;
			goto out;
		}
		*ret_id = xstrdup(json_string_value(json_object_get(o, "id")) ?
				  json_string_value(json_object_get(o, "id")) : "");
	}
	r = 0;
out:
	json_decref(ans);
	return r;
}

/* POST body to collection; *ret_id the id of what was made. */
static int create(struct keystone *k, const char *collection, const char *kind, json_t *obj,
		  char **ret_id, struct sh_error *err)
{
	json_t *body = json_pack("{s:o}", kind, obj), *ans = NULL;
	char path[64];
	long code;
	int r;

	snprintf(path, sizeof(path), "/%s", collection);
	code = keystone_call(k, "POST", path, body, &ans, err);
	json_decref(body);
	r = expect(code, 201, kind, err);
	if (r == 0 && ret_id) {
		const char *id = json_string_value(json_object_get(json_object_get(ans, kind), "id"));

		*ret_id = xstrdup(id ? id : "");
	}
	json_decref(ans);
	return r;
}

/*
 * The object of collection named name in the Default domain; created as
 * obj (consumed) when missing.
 */
static int ensure_in_domain(struct keystone *k, const char *collection, const char *kind,
			    const char *name, json_t *obj, char **ret_id,
			    enum ks_outcome *ret_outcome, struct sh_error *err)
{
	char *q = query(collection, "name", name, "domain_id", "default");
	int r = find_one(k, collection, q, NULL, NULL, ret_id, err);

	free(q);
	*ret_outcome = KS_EXISTS;
	if (r < 0 || *ret_id) {
		json_decref(obj);
		return r;
	}
	*ret_outcome = KS_CREATED;
	return create(k, collection, kind, obj, ret_id, err);
}

int keystone_ensure_project(struct keystone *k, const char *name, char **ret_id,
			    enum ks_outcome *ret_outcome, struct sh_error *err)
{
	return ensure_in_domain(k, "projects", "project", name,
				json_pack("{s:s, s:s, s:s}", "name", name, "domain_id", "default",
					  "description", "created by stackhop"),
				ret_id, ret_outcome, err);
}

int keystone_ensure_user(struct keystone *k, const char *name, const char *password,
			 char **ret_id, enum ks_outcome *ret_outcome, struct sh_error *err)
{
	return ensure_in_domain(k, "users", "user", name,
				json_pack("{s:s, s:s, s:s, s:b}", "name", name, "domain_id",
					  "default", "password", password, "enabled", 1),
				ret_id, ret_outcome, err);
}

int keystone_ensure_role(struct keystone *k, const char *project_id, const char *user_id,
			 const char *role, enum ks_outcome *ret_outcome, struct sh_error *err)
{
	char *q = query("roles", "name", role, NULL, NULL), *role_id = NULL, path[512];
	int r = find_one(k, "roles", q, NULL, NULL, &role_id, err);
	long code;

	free(q);
	if (r < 0)
		return -1;
	if (!role_id)
		return sh_error_set(err, SH_EXIT_FAILURE, "Keystone has no role '%s'", role);
	snprintf(path, sizeof(path), "/projects/%s/users/%s/roles/%s", project_id, user_id, role_id);
	free(role_id);
	code = keystone_call(k, "HEAD", path, NULL, NULL, err);
	if (code == 204 || code == 200) {
		*ret_outcome = KS_EXISTS;
		return 0;
	}
	if (code < 0)
		return -1;
	*ret_outcome = KS_CREATED;
	return expect(keystone_call(k, "PUT", path, NULL, NULL, err), 204, "role assignment", err);
}

static bool named(json_t *o, const void *name)
{
	return streq(json_string_value(json_object_get(o, "name")) ?
		     json_string_value(json_object_get(o, "name")) : "", name);
}

int keystone_ensure_service(struct keystone *k, const char *name, const char *type,
			    char **ret_id, enum ks_outcome *ret_outcome, struct sh_error *err)
{
	char *q = query("services", "type", type, NULL, NULL);
	int r = find_one(k, "services", q, named, name, ret_id, err);

	free(q);
	*ret_outcome = KS_EXISTS;
	if (r < 0 || *ret_id)
		return r;
	*ret_outcome = KS_CREATED;
	return create(k, "services", "service",
		      json_pack("{s:s, s:s, s:b}", "name", name, "type", type, "enabled", 1), ret_id,
		      err);
}

static bool in_region(json_t *o, const void *region)
{
	const char *r = json_string_value(json_object_get(o, "region_id"));

	return r && streq(r, region);
}

int keystone_ensure_endpoint(struct keystone *k, const char *service_id, const char *interface,
			     const char *url, const char *region, enum ks_outcome *ret_outcome,
			     struct sh_error *err)
{
	char *q = query("endpoints", "service_id", service_id, "interface", interface), *id = NULL;
	json_t *ans = NULL;
	int r = find_one(k, "endpoints", q, in_region, region, &id, err);

	free(q);
	if (r < 0)
		return -1;
	if (!id) {
		*ret_outcome = KS_CREATED;
		return create(k, "endpoints", "endpoint",
			      json_pack("{s:s, s:s, s:s, s:s}", "service_id", service_id, "interface",
					interface, "url", url, "region_id", region), NULL, err);
	}
	{
		char path[256];
		const char *now;
		long code;

		snprintf(path, sizeof(path), "/endpoints/%s", id);
		code = keystone_call(k, "GET", path, NULL, &ans, err);
		if (expect(code, 200, "endpoint", err) < 0)
			goto fail;
		now = json_string_value(json_object_get(json_object_get(ans, "endpoint"), "url"));
		*ret_outcome = KS_EXISTS;
		if (!now || !streq(now, url)) {
			json_t *body = json_pack("{s:{s:s}}", "endpoint", "url", url);

			*ret_outcome = KS_UPDATED;
			code = keystone_call(k, "PATCH", path, body, NULL, err);
			json_decref(body);
			if (expect(code, 200, "endpoint update", err) < 0)
				goto fail;
		}
	}
	json_decref(ans);
	free(id);
	return 0;
fail:
	json_decref(ans);
	free(id);
	return -1;
}

int keystone_register(struct keystone *k, const struct ks_registration *a, FILE *out,
		      struct sh_error *err)
{
	static const char *const ifaces[] = { "public", "internal", "admin" };
	char *pid = NULL, *uid = NULL, *sid = NULL;
	enum ks_outcome o;
	int r = -1;

	if (a->user) {
		if (keystone_ensure_project(k, a->project, &pid, &o, err) < 0)
			goto out;
		fprintf(out, "project %s: %s\n", a->project, ks_outcome_name(o));
		if (keystone_ensure_user(k, a->user, a->password, &uid, &o, err) < 0)
			goto out;
		fprintf(out, "user %s: %s\n", a->user, ks_outcome_name(o));
		if (keystone_ensure_role(k, pid, uid, a->role, &o, err) < 0)
			goto out;
		fprintf(out, "role %s of %s on %s: %s\n", a->role, a->user, a->project,
			ks_outcome_name(o));
	}
	if (keystone_ensure_service(k, a->service, a->type, &sid, &o, err) < 0)
		goto out;
	fprintf(out, "service %s (%s): %s\n", a->service, a->type, ks_outcome_name(o));
	for (size_t i = 0; i < 3; i++) {
		if (keystone_ensure_endpoint(k, sid, ifaces[i], a->url[i], a->region, &o, err) < 0)
			goto out;
		fprintf(out, "endpoint %s %s %s: %s\n", a->service, ifaces[i], a->url[i],
			ks_outcome_name(o));
	}
	r = 0;
out:
	free(pid);
	free(uid);
	free(sid);
	return r;
}
