/*
 * secrets.h - the secrets file: passwords, tokens and transport URLs that
 * stackhop needs and must never show.
 *
 * A flat YAML mapping of names to strings, e.g.
 *   keystone_admin_password: "..."
 *   database_password: "..."
 * The file must be readable by its owner only (mode 0600 or stricter) and
 * owned by the user running stackhop (or root).  Every value is added to a
 * redactor, so whatever stackhop prints or stores has it replaced by
 * "[redacted]".  Error messages about the file name keys and lines, never
 * values.
 */
#ifndef STACKHOP_SECRETS_H
#define STACKHOP_SECRETS_H

#include "error.h"
#include "redact.h"
#include "util.h"

struct secret_kv {
	const char *name, *value;
};

struct secrets {
	struct arena arena;
	VEC(struct secret_kv) items;
	struct redactor redactor;
};

int secrets_load(const char *path, struct secrets **ret, struct sh_error *err);
/* The value of name, or NULL. */
const char *secrets_get(const struct secrets *s, const char *name);
void secrets_free(struct secrets *s);

#endif
