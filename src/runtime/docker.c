/*
 * docker.c - see docker.h.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "docker.h"
#include "util.h"

#define API "/v1.41"
#define MAX_ANSWER (4 << 20)

/* Names go into URL paths: only the characters Docker allows in them. */
static int check_name(const char *what, const char *name, const char *extra,
		      struct sh_error *err)
{
	char allowed[96] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";

	if (extra)
		strncat(allowed, extra, sizeof(allowed) - strlen(allowed) - 1);
	if (!name || !name[0] || !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", name[0]) ||
	    strspn(name, allowed) != strlen(name))
		return sh_error_set(err, SH_EXIT_INPUT,
				    "bad %s name '%s' (expected a letter or digit, then letters, digits, '_', '.', '-'%s)",
				    what, name ? name : "", extra ? ", '/', ':', '@'" : "");
	return 0;
}

/*
 * method path (under /v1.41, or absolute when it starts with "/v4") with
 * an optional JSON body; the status into *code, the answer (JSON or NULL)
 * into *ret.  -1 only when the server could not be reached.
 */
/* A request; its answer as JSON into *ret, or with raw (non-NULL) as bytes. */
static int call_raw(struct docker *d, const char *method, const char *path, json_t *body,
		    long *code, json_t **ret, struct bounded *raw, struct sh_error *err);

static int call(struct docker *d, const char *method, const char *path, json_t *body,
		long *code, json_t **ret, struct sh_error *err)
{
	return call_raw(d, method, path, body, code, ret, NULL, err);
}

static int call_raw(struct docker *d, const char *method, const char *path, json_t *body,
		    long *code, json_t **ret, struct bounded *raw, struct sh_error *err)
{
	CURL *c = d->curl;
	struct curl_slist *hdr = NULL;
	struct bounded a = { .max = MAX_ANSWER };
	char url[1024], errbuf[CURL_ERROR_SIZE] = "", *text = NULL;
	CURLcode rc;
	int r = -1;

	snprintf(url, sizeof(url), "http://localhost%s%s", str_has_prefix(path, "/v4") ? "" : API,
		 path);
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, d->socket);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, bounded_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (body) {
		text = json_dumps(body, JSON_COMPACT);
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
	} else if (streq(method, "POST")) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		sh_error_set(err, SH_EXIT_FAILURE, "docker API on %s: %s %s: %s", d->socket, method,
			     path, a.over ? "the answer is larger than 4 MiB" :
			     errbuf[0] ? errbuf : curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, code);
	if (raw) {
		*raw = a;
		a.data = NULL;
		r = 0;
		goto out;
	}
	*ret = a.len ? json_loadb(a.data, a.len, 0, NULL) : NULL;
	if (a.len && !*ret && *code < 300) {
		sh_error_set(err, SH_EXIT_FAILURE, "docker API on %s: %s %s: HTTP %ld with an answer that is not JSON",
			     d->socket, method, path, *code);
		goto out;
	}
	r = 0;
out:
	curl_slist_free_all(hdr);
	free(text);
	free(a.data);
	return r;
}

/* The API's error for an answer of code: "404 no such container: MESSAGE". */
static int api_error(struct docker *d, const char *method, const char *path, long code,
		     json_t *ans, struct sh_error *err)
{
	const char *msg = json_string_value(json_object_get(ans, "message"));
	const char *what = code == 404 ? "not found" : code == 409 ? "conflict" :
			   code == 400 ? "bad request" : code >= 500 ? "server error" : "refused";

	return sh_error_set(err, SH_EXIT_FAILURE, "docker API on %s: %s %s: %ld %s: %s", d->socket,
			    method, path, code, what, msg ? msg : "(no message)");
}

/* A call whose success is one of ok (0-terminated); else the API's error. */
static int expect(struct docker *d, const char *method, const char *path, json_t *body,
		  const long *ok, json_t **ret, long *ret_code, struct sh_error *err)
{
	json_t *ans = NULL;
	long code = 0;

	if (call(d, method, path, body, &code, &ans, err) < 0)
		return -1;
	if (ret_code)
		*ret_code = code;
	for (size_t i = 0; ok[i]; i++)
		if (code == ok[i]) {
			if (ret)
				*ret = ans;
			else
				json_decref(ans);
			return 0;
		}
	api_error(d, method, path, code, ans, err);
	json_decref(ans);
	return -1;
}

int docker_open(struct docker *d, const char *socket_path, struct sh_error *err)
{
	static const long ok[] = { 200, 0 };
	json_t *v = NULL, *comp;
	const char *name = NULL, *ver;

	memset(d, 0, sizeof(*d));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	d->curl = curl_easy_init();
	d->socket = xstrdup(socket_path);
	if (expect(d, "GET", "/version", NULL, ok, &v, NULL, err) < 0) {
		docker_close(d);
		return -1;
	}
	ver = json_string_value(json_object_get(v, "Version"));
	comp = json_object_get(v, "Components");
	for (size_t i = 0; i < json_array_size(comp) && !name; i++) {
		const char *n = json_string_value(json_object_get(json_array_get(comp, i), "Name"));

		if (n && (streq(n, "Podman Engine") || streq(n, "Engine")))
			name = n;
	}
	d->podman = name && streq(name, "Podman Engine");
	snprintf(d->server, sizeof(d->server), "%s %s", d->podman ? "Podman Engine" : "Docker Engine",
		 ver ? ver : "?");
	json_decref(v);
	return 0;
}

void docker_close(struct docker *d)
{
	if (d->curl)
		curl_easy_cleanup(d->curl);
	free(d->socket);
	memset(d, 0, sizeof(*d));
}

static void copy_str(char *dst, size_t size, json_t *v)
{
	const char *s = json_string_value(v);

	snprintf(dst, size, "%s", s ? s : "");
}

int docker_inspect(struct docker *d, const char *name, struct docker_state *st,
		   struct sh_error *err)
{
	static const long ok[] = { 200, 404, 0 };
	json_t *ans = NULL, *state;
	char path[512];
	long code;

	memset(st, 0, sizeof(*st));
	if (check_name("container", name, NULL, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "/containers/%s/json", name);
	if (expect(d, "GET", path, NULL, ok, &ans, &code, err) < 0)
		return -1;
	if (code == 404) {
		json_decref(ans);
		return 0;
	}
	state = json_object_get(ans, "State");
	st->exists = true;
	st->running = json_is_true(json_object_get(state, "Running"));
	st->exit_code = (long)json_integer_value(json_object_get(state, "ExitCode"));
	copy_str(st->id, sizeof(st->id), json_object_get(ans, "Id"));
	copy_str(st->status, sizeof(st->status), json_object_get(state, "Status"));
	copy_str(st->health, sizeof(st->health),
		 json_object_get(json_object_get(state, "Health"), "Status"));
	copy_str(st->image, sizeof(st->image),
		 json_object_get(json_object_get(ans, "Config"), "Image"));
	copy_str(st->image_id, sizeof(st->image_id), json_object_get(ans, "Image"));
	json_decref(ans);
	return 0;
}

static int container_action(struct docker *d, const char *method, const char *name,
			    const char *action, const char *query, const long *ok,
			    struct sh_error *err)
{
	char path[512];

	if (check_name("container", name, NULL, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "/containers/%s%s%s%s", name, action, query ? "?" : "",
		 query ? query : "");
	return expect(d, method, path, NULL, ok, NULL, NULL, err);
}

int docker_stop(struct docker *d, const char *name, int timeout_s, struct sh_error *err)
{
	static const long ok[] = { 204, 304, 0 };
	char q[32];

	snprintf(q, sizeof(q), "t=%d", timeout_s);
	return container_action(d, "POST", name, "/stop", q, ok, err);
}

int docker_start(struct docker *d, const char *name, struct sh_error *err)
{
	static const long ok[] = { 204, 304, 0 };

	return container_action(d, "POST", name, "/start", NULL, ok, err);
}

int docker_kill(struct docker *d, const char *name, const char *signal, struct sh_error *err)
{
	static const long ok[] = { 204, 0 };
	char q[48];

	if (check_name("signal", signal, NULL, err) < 0)
		return -1;
	snprintf(q, sizeof(q), "signal=%s", signal);
	return container_action(d, "POST", name, "/kill", q, ok, err);
}

int docker_rename(struct docker *d, const char *name, const char *new_name,
		  struct sh_error *err)
{
	static const long ok[] = { 204, 0 };
	char q[160];

	if (check_name("container", new_name, NULL, err) < 0)
		return -1;
	snprintf(q, sizeof(q), "name=%s", new_name);
	return container_action(d, "POST", name, "/rename", q, ok, err);
}

int docker_remove(struct docker *d, const char *name, struct sh_error *err)
{
	static const long ok[] = { 204, 0 };

	return container_action(d, "DELETE", name, "", NULL, ok, err);
}

int docker_image_remove(struct docker *d, const char *image, struct sh_error *err)
{
	static const long ok[] = { 200, 0 };
	char path[512];

	if (check_name("image", image, "/:@", err) < 0)
		return -1;
	snprintf(path, sizeof(path), "/images/%s", image);
	return expect(d, "DELETE", path, NULL, ok, NULL, NULL, err);
}

int docker_image_exists(struct docker *d, const char *image, struct sh_error *err)
{
	static const long ok[] = { 200, 404, 0 };
	char path[512];
	long code;

	if (check_name("image", image, "/:@", err) < 0)
		return -1;
	snprintf(path, sizeof(path), "/images/%s/json", image);
	if (expect(d, "GET", path, NULL, ok, NULL, &code, err) < 0)
		return -1;
	return code == 200;
}

int docker_image_tags(struct docker *d, const char *repo, str_vec *tags, struct sh_error *err)
{
	static const long ok[] = { 200, 0 };
	json_t *ans = NULL, *img;
	size_t i, len = strlen(repo);

	if (expect(d, "GET", "/images/json", NULL, ok, &ans, NULL, err) < 0)
		return -1;
	json_array_foreach(ans, i, img) {
		json_t *t;
		size_t k;

		json_array_foreach(json_object_get(img, "RepoTags"), k, t) {
			const char *tag = json_string_value(t);

			if (tag && !strncmp(tag, repo, len) && tag[len] == ':')
				vec_push(*tags, xstrdup(tag));
		}
	}
	json_decref(ans);
	return 0;
}

static json_t *str_array(const char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

int docker_create(struct docker *d, const struct docker_spec *spec, char *ret_id, size_t size,
		  struct sh_error *err)
{
	static const long ok[] = { 201, 0 };
	json_t *body = json_object(), *host = json_object(), *ans = NULL;
	char path[512];
	int r = -1;

	if (check_name("container", spec->name, NULL, err) < 0 ||
	    check_name("image", spec->image, "/:@", err) < 0)
		goto out;
	json_object_set_new(body, "Image", json_string(spec->image));
	if (spec->cmd)
		json_object_set_new(body, "Cmd", str_array(spec->cmd));
	if (spec->env)
		json_object_set_new(body, "Env", str_array(spec->env));
	if (spec->binds)
		json_object_set_new(host, "Binds", str_array(spec->binds));
	if (spec->network_mode)
		json_object_set_new(host, "NetworkMode", json_string(spec->network_mode));
	if (spec->init)
		json_object_set_new(host, "Init", json_true());
	if (spec->cap_add)
		json_object_set_new(host, "CapAdd", str_array(spec->cap_add));
	json_object_set_new(body, "HostConfig", host);
	host = NULL;
	if (spec->health) {
		json_t *hc = json_object(), *test = json_array();
		long long ns = (spec->health_interval_ms > 0 ? spec->health_interval_ms : 1000) *
			       1000000LL;

		json_array_append_new(test, json_string("CMD"));
		for (size_t i = 0; spec->health[i]; i++)
			json_array_append_new(test, json_string(spec->health[i]));
		json_object_set_new(hc, "Test", test);
		json_object_set_new(hc, "Interval", json_integer(ns));
		json_object_set_new(hc, "Timeout", json_integer(5000000000LL));
		json_object_set_new(hc, "Retries", json_integer(3));
		json_object_set_new(body, "Healthcheck", hc);
	}
	snprintf(path, sizeof(path), "/containers/create?name=%s", spec->name);
	if (expect(d, "POST", path, body, ok, &ans, NULL, err) < 0)
		goto out;
	if (ret_id)
		copy_str(ret_id, size, json_object_get(ans, "Id"));
	r = 0;
out:
	json_decref(ans);
	json_decref(host);
	json_decref(body);
	return r;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* docker_inspect() of a container that must exist. */
static int inspect_existing(struct docker *d, const char *name, struct docker_state *st,
			    struct sh_error *err)
{
	if (docker_inspect(d, name, st, err) < 0)
		return -1;
	if (!st->exists)
		return sh_error_set(err, SH_EXIT_FAILURE, "no container '%s' on %s", name, d->socket);
	return 0;
}

int docker_wait_healthy(struct docker *d, const char *name, double timeout_s,
			struct sh_error *err)
{
	const double end = now() + timeout_s;
	struct docker_state st;

	for (;;) {
		if (inspect_existing(d, name, &st, err) < 0)
			return -1;
		if (!st.running && !streq(st.status, "created"))
			return sh_error_set(err, SH_EXIT_FAILURE,
					    "container '%s' is %s (exit code %ld), not running", name,
					    st.status, st.exit_code);
		if (st.running && (!st.health[0] || streq(st.health, "healthy")))
			return 0;
		if (streq(st.health, "unhealthy"))
			return sh_error_set(err, SH_EXIT_FAILURE, "container '%s' is unhealthy", name);
		if (now() > end)
			return sh_error_set(err, SH_EXIT_FAILURE,
					    "container '%s' not healthy after %.0f s (status %s, health %s)",
					    name, timeout_s, st.status, st.health[0] ? st.health : "none");
		if (d->podman && st.running && streq(st.health, "starting")) {
			/* No systemd to run Podman's checks: run one now. */
			static const long ok[] = { 200, 0 };
			char path[512];

			snprintf(path, sizeof(path), "/v4.0.0/libpod/containers/%s/healthcheck", name);
			if (expect(d, "GET", path, NULL, ok, NULL, NULL, err) < 0)
				return -1;
		}
		nanosleep(&(struct timespec){ 0, 200 * 1000 * 1000 }, NULL);
	}
}

/*
 * Without a terminal the stream is framed: 1 byte stream (1 stdout, 2
 * stderr), 3 zero bytes, a 4-byte big-endian length, the bytes.
 */
static void demux(const char *data, size_t len, FILE *out, FILE *errf)
{
	size_t off = 0;

	while (off + 8 <= len) {
		const unsigned char *h = (const unsigned char *)data + off;
		size_t n = (size_t)h[4] << 24 | (size_t)h[5] << 16 | (size_t)h[6] << 8 | h[7];

		if (h[0] > 2 || h[1] || h[2] || h[3] || off + 8 + n > len)
			break;	/* not a frame: the rest as it is */
		fwrite(data + off + 8, 1, n, h[0] == 2 ? errf : out);
		off += 8 + n;
	}
	if (off < len)
		fwrite(data + off, 1, len - off, out);
}

int docker_logs(struct docker *d, const char *name, FILE *out, FILE *errf, struct sh_error *err)
{
	struct bounded raw = { 0 };
	char path[512];
	long code = 0;
	json_t *ans = NULL;

	if (check_name("container", name, NULL, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "/containers/%s/logs?stdout=1&stderr=1", name);
	if (call_raw(d, "GET", path, NULL, &code, &ans, &raw, err) < 0)
		return -1;
	if (code != 200) {
		ans = raw.len ? json_loadb(raw.data, raw.len, 0, NULL) : NULL;
		api_error(d, "GET", path, code, ans, err);
		json_decref(ans);
		free(raw.data);
		return -1;
	}
	demux(raw.data, raw.len, out, errf);
	if (raw.over)
		fprintf(errf, "(the log is longer than 4 MiB: cut there)\n");
	free(raw.data);
	return 0;
}

int docker_wait_exit(struct docker *d, const char *name, double timeout_s, long *exit_code,
		     struct sh_error *err)
{
	const double end = now() + timeout_s;
	struct docker_state st;

	for (;;) {
		if (inspect_existing(d, name, &st, err) < 0)
			return -1;
		if (!st.running && !streq(st.status, "created")) {
			*exit_code = st.exit_code;
			return 0;
		}
		if (timeout_s > 0 && now() > end)
			return sh_error_set(err, SH_EXIT_FAILURE,
					    "container %s still runs after %.0f s", name, timeout_s);
		poll(NULL, 0, 100);
	}
}

int docker_containers(struct docker *d, str_vec *names, str_vec *images, struct sh_error *err)
{
	static const long ok[] = { 200, 0 };
	json_t *ans = NULL, *c;
	size_t i;

	if (expect(d, "GET", "/containers/json?all=1", NULL, ok, &ans, NULL, err) < 0)
		return -1;
	json_array_foreach(ans, i, c) {
		const char *n = json_string_value(json_array_get(json_object_get(c, "Names"), 0));
		const char *img = json_string_value(json_object_get(c, "Image"));

		if (!n || !img)
			continue;
		vec_push(*names, xstrdup(n[0] == '/' ? n + 1 : n));
		vec_push(*images, xstrdup(img));
	}
	json_decref(ans);
	return 0;
}

int docker_exec(struct docker *d, const char *name, const char *const *argv, FILE *out,
		FILE *errf, long *exit_code, struct sh_error *err)
{
	static const long created[] = { 201, 0 }, ok[] = { 200, 0 };
	struct bounded raw = { 0 };
	json_t *body, *ans = NULL;
	const char *idv;
	char path[512], epath[256], id[128];
	long code = 0;
	int r = -1;

	if (check_name("container", name, NULL, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "/containers/%s/exec", name);
	body = json_pack("{s:b, s:b, s:b, s:o}", "AttachStdin", 0, "AttachStdout", 1,
			 "AttachStderr", 1, "Cmd", str_array(argv));
	r = expect(d, "POST", path, body, created, &ans, NULL, err);
	json_decref(body);
	if (r < 0)
		return -1;
	r = -1;
	if (!(idv = json_string_value(json_object_get(ans, "Id")))) {
		sh_error_set(err, SH_EXIT_FAILURE, "docker API on %s: POST %s: no exec Id", d->socket,
			     path);
		goto out;
	}
	snprintf(id, sizeof(id), "%s", idv);
	if (check_name("exec", id, NULL, err) < 0)
		goto out;
	snprintf(epath, sizeof(epath), "/exec/%s/start", id);
	body = json_pack("{s:b, s:b}", "Detach", 0, "Tty", 0);
	if (call_raw(d, "POST", epath, body, &code, NULL, &raw, err) < 0) {
		json_decref(body);
		goto out;
	}
	json_decref(body);
	if (code != 200) {
		json_t *e = raw.len ? json_loadb(raw.data, raw.len, 0, NULL) : NULL;

		api_error(d, "POST", epath, code, e, err);
		json_decref(e);
		goto out;
	}
	demux(raw.data, raw.len, out, errf);
	if (raw.over)
		fprintf(errf, "(the output is longer than 4 MiB: cut there)\n");
	json_decref(ans);
	ans = NULL;
	snprintf(epath, sizeof(epath), "/exec/%s/json", id);
	if (expect(d, "GET", epath, NULL, ok, &ans, NULL, err) < 0)
		goto out;
	if (json_is_true(json_object_get(ans, "Running"))) {
		sh_error_set(err, SH_EXIT_FAILURE, "docker API on %s: %s still runs after its output ended",
			     d->socket, epath);
		goto out;
	}
	*exit_code = json_integer_value(json_object_get(ans, "ExitCode"));
	r = 0;
out:
	free(raw.data);
	json_decref(ans);
	return r;
}
