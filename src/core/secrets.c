/* secrets.c - see secrets.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "secrets.h"
#include "yamldoc.h"

int secrets_load(const char *path, struct secrets **ret, struct sh_error *err)
{
	struct secrets *s = NULL;
	struct stat st;
	struct ydoc d;
	yaml_node_t *root;
	char *buf = NULL;
	size_t len;
	int r = -1;

	if (stat(path, &st) < 0)
		return sh_error_set(err, SH_EXIT_INPUT, "secrets file '%s': %s", path,
				    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return sh_error_set(err, SH_EXIT_INPUT, "secrets file '%s' is not a regular file",
				    path);
	if (st.st_mode & 077)
		return sh_error_set(err, SH_EXIT_INPUT,
				    "secrets file '%s' has mode %04o: it must be readable by its owner only (chmod 600 '%s')",
				    path, (unsigned)(st.st_mode & 07777), path);
	if (st.st_uid != getuid() && st.st_uid != 0)
		return sh_error_set(err, SH_EXIT_INPUT,
				    "secrets file '%s' belongs to uid %d, not to you (uid %d) or root",
				    path, (int)st.st_uid, (int)getuid());
	if (read_file_limited(path, 1 << 20, &buf, &len, err) < 0)
		return -1;
	if (ydoc_load_buf(&d, path, buf, len, err) < 0)
		goto out_buf;
	root = ydoc_root(&d);
	if (ymap_check(&d, root, "the secrets", NULL, err) < 0)
		goto out;
	s = xcalloc(1, sizeof(*s));
	for (size_t i = 0; i < ymap_len(root); i++) {
		yaml_node_t *k = ymap_key_at(&d, root, i), *v = ymap_val_at(&d, root, i);
		const char *name = yscalar(k), *value = yscalar(v);
		struct secret_kv kv;

		/* Never quote the value in a message. */
		if (!value || !*value) {
			y_error(&d, v, err, "secret '%s' must be a non-empty string", name);
			goto out;
		}
		if (strlen(value) != v->data.scalar.length) {
			y_error(&d, v, err, "secret '%s' contains a NUL byte", name);
			goto out;
		}
		if (redactor_add(&s->redactor, value) < 0) {
			y_error(&d, v, err,
				"secret '%s' is shorter than 4 characters: too short to keep out of output reliably",
				name);
			goto out;
		}
		kv.name = arena_strdup(&s->arena, name);
		kv.value = arena_strdup(&s->arena, value);
		vec_push(s->items, kv);
	}
	*ret = s;
	s = NULL;
	r = 0;
out:
	ydoc_release(&d);
out_buf:
	if (buf) {
		explicit_bzero(buf, len);	/* do not leave the secrets in freed memory */
		free(buf);
	}
	secrets_free(s);
	return r;
}

const char *secrets_get(const struct secrets *s, const char *name)
{
	for (size_t i = 0; i < s->items.n; i++)
		if (streq(s->items.v[i].name, name))
			return s->items.v[i].value;
	return NULL;
}

void secrets_free(struct secrets *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->items.n; i++)
		explicit_bzero((char *)s->items.v[i].value, strlen(s->items.v[i].value));
	vec_free(s->items);
	redactor_release(&s->redactor);
	arena_release(&s->arena);
	free(s);
}
