/*
 * ini.h - oslo.config INI files, read and written back byte for byte.
 *
 * A file is a list of its lines as they were read: section headers
 * ("[name]"), options ("key = value" or "key: value", with indented
 * continuation lines), and everything else (comments, blank lines) kept
 * untouched.  ini_write() of a file nobody changed gives back the same
 * bytes; a change rewrites only the lines it touches, so comments, blank
 * lines, the order of keys and options stackhop does not know survive.
 */
#ifndef STACKHOP_INI_H
#define STACKHOP_INI_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "util.h"

enum ini_kind { INI_OTHER, INI_SECTION, INI_OPTION, INI_CONT };

struct ini_line {
	char *text;		/* the line with its '\n' (the last may lack it), malloc'd */
	enum ini_kind kind;
	char *name;		/* section name, or option key (malloc'd), else NULL */
	size_t section;		/* index of its section's header line, or SIZE_MAX */
	int lineno;		/* in the file read, 0 for added lines */
};

struct ini {
	const char *path;	/* for messages */
	VEC(struct ini_line) lines;
};

/* Parse text (len bytes, may hold no NUL) into ini; path names it in errors. */
int ini_parse(struct ini *ini, const char *path, const char *text, size_t len,
	      struct sh_error *err);
void ini_release(struct ini *ini);

/* The file's bytes, malloc'd, *ret_len set. */
char *ini_write(const struct ini *ini, size_t *ret_len);

/* The line index of option key in section (the first one), or -1. */
long ini_find(const struct ini *ini, const char *section, const char *key);
/* The value of the option at line i (continuations joined by '\n'), malloc'd. */
char *ini_value(const struct ini *ini, size_t i);
/* Remove the option at line i with its continuation lines. */
void ini_delete(struct ini *ini, size_t i);
/*
 * Set key in section to value: an existing option's line is rewritten
 * ("key = value"), else the option is added after the section's last
 * option, else a new section is added at the end.
 */
void ini_set(struct ini *ini, const char *section, const char *key, const char *value);

#endif
