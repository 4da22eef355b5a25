/*
 * ini.c - see ini.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"

static const char *skip_ws(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

/* The line's end without its '\n' / "\r\n". */
static size_t content_len(const char *t)
{
	size_t n = strcspn(t, "\n");

	return n && t[n - 1] == '\r' ? n - 1 : n;
}

/* Kind and name of one line; the section header it falls under is set by reindex(). */
static int classify(struct ini *ini, struct ini_line *l, bool after_option, struct sh_error *err)
{
	const char *t = l->text, *end = t + content_len(t), *s = skip_ws(t, end);

	l->kind = INI_OTHER;
	l->name = NULL;
	if (s == end || *s == '#' || *s == ';')
		return 0;
	if (s != t) {
		/* Indented text after an option continues its value. */
		if (after_option) {
			l->kind = INI_CONT;
			return 0;
		}
		return sh_error_at(err, ini->path, l->lineno,
				   "an indented line that continues no option (expected 'key = value', '[section]' or a comment)");
	}
	if (*s == '[') {
		const char *close = memchr(s, ']', (size_t)(end - s));

		if (!close || close == s + 1)
			return sh_error_at(err, ini->path, l->lineno,
					   "a section header must be '[name]'");
		l->kind = INI_SECTION;
		l->name = xstrndup(s + 1, (size_t)(close - s - 1));
		return 0;
	}
	{
		size_t k = strcspn(s, "=:");
		const char *ke = s + k;

		if (ke >= end)
			return sh_error_at(err, ini->path, l->lineno,
					   "expected 'key = value', '[section]' or a comment");
		while (ke > s && (ke[-1] == ' ' || ke[-1] == '\t'))
			ke--;
		if (ke == s)
			return sh_error_at(err, ini->path, l->lineno, "an option without a name");
		l->kind = INI_OPTION;
		l->name = xstrndup(s, (size_t)(ke - s));
	}
	return 0;
}

/* Every line's section header index, after the lines changed. */
static void reindex(struct ini *ini)
{
	size_t sec = SIZE_MAX;

	for (size_t i = 0; i < ini->lines.n; i++) {
		if (ini->lines.v[i].kind == INI_SECTION)
			sec = i;
		ini->lines.v[i].section = sec;
	}
}

int ini_parse(struct ini *ini, const char *path, const char *text, size_t len,
	      struct sh_error *err)
{
	const char *p = text, *end = text + len;
	bool after_option = false;

	memset(ini, 0, sizeof(*ini));
	ini->path = path;
	if (memchr(text, '\0', len))
		return sh_error_set(err, SH_EXIT_INPUT, "%s: a NUL byte: not a configuration file", path);
	for (int no = 1; p < end; no++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		struct ini_line l = { .text = xstrndup(p, n), .lineno = no };

		if (classify(ini, &l, after_option, err) < 0) {
			free(l.text);
			ini_release(ini);
			return -1;
		}
		/* A comment, blank line or header ends a multi-line value. */
		after_option = l.kind == INI_OPTION || l.kind == INI_CONT;
		vec_push(ini->lines, l);
		p += n;
	}
	reindex(ini);
	return 0;
}

void ini_release(struct ini *ini)
{
	for (size_t i = 0; i < ini->lines.n; i++) {
		free(ini->lines.v[i].text);
		free(ini->lines.v[i].name);
	}
	vec_free(ini->lines);
}

char *ini_write(const struct ini *ini, size_t *ret_len)
{
	size_t n = 0, o = 0;
	char *buf;

	for (size_t i = 0; i < ini->lines.n; i++)
		n += strlen(ini->lines.v[i].text);
	buf = xmalloc(n + 1);
	for (size_t i = 0; i < ini->lines.n; i++) {
		size_t l = strlen(ini->lines.v[i].text);

		memcpy(buf + o, ini->lines.v[i].text, l);
		o += l;
	}
	buf[o] = '\0';
	*ret_len = o;
	return buf;
}

/* Is line i in section (options before any header are DEFAULT's)? */
static bool in_section(const struct ini *ini, size_t i, const char *section)
{
	size_t s = ini->lines.v[i].section;

	return s == SIZE_MAX ? streq(section, "DEFAULT") : streq(ini->lines.v[s].name, section);
}

long ini_find(const struct ini *ini, const char *section, const char *key)
{
	for (size_t i = 0; i < ini->lines.n; i++)
		if (ini->lines.v[i].kind == INI_OPTION && streq(ini->lines.v[i].name, key) &&
		    in_section(ini, i, section))
			return (long)i;
	return -1;
}

/* One line's value part: after the separator, spaces trimmed. */
static void append_value(char **buf, size_t *len, const char *from, const char *end)
{
	const char *s = skip_ws(from, end);

	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*buf = xrealloc(*buf, *len + (size_t)(end - s) + 2);
	if (*len)
		(*buf)[(*len)++] = '\n';
	memcpy(*buf + *len, s, (size_t)(end - s));
	*len += (size_t)(end - s);
	(*buf)[*len] = '\0';
}

char *ini_value(const struct ini *ini, size_t i)
{
	const char *t = ini->lines.v[i].text, *end = t + content_len(t);
	const char *sep = t + strcspn(t, "=:");
	char *buf = xstrdup("");
	size_t len = 0;

	append_value(&buf, &len, sep < end ? sep + 1 : end, end);
	for (size_t k = i + 1; k < ini->lines.n && ini->lines.v[k].kind == INI_CONT; k++) {
		const char *c = ini->lines.v[k].text;

		append_value(&buf, &len, c, c + content_len(c));
	}
	return buf;
}

void ini_delete(struct ini *ini, size_t i)
{
	size_t k = i + 1;

	while (k < ini->lines.n && ini->lines.v[k].kind == INI_CONT)
		k++;
	for (size_t j = i; j < k; j++) {
		free(ini->lines.v[j].text);
		free(ini->lines.v[j].name);
	}
	memmove(&ini->lines.v[i], &ini->lines.v[k], (ini->lines.n - k) * sizeof(ini->lines.v[0]));
	ini->lines.n -= k - i;
	reindex(ini);
}

static void insert_line(struct ini *ini, size_t at, enum ini_kind kind, const char *name,
			char *text)
{
	struct ini_line l = { .text = text, .kind = kind, .name = name ? xstrdup(name) : NULL };

	/* The line before must end: a file may lack its last '\n'. */
	if (at > 0) {
		struct ini_line *prev = &ini->lines.v[at - 1];
		size_t pl = strlen(prev->text);

		if (pl && prev->text[pl - 1] != '\n') {
			prev->text = xrealloc(prev->text, pl + 2);
			memcpy(prev->text + pl, "\n", 2);
		}
	}
	vec_push(ini->lines, l);
	memmove(&ini->lines.v[at + 1], &ini->lines.v[at],
		(ini->lines.n - 1 - at) * sizeof(ini->lines.v[0]));
	ini->lines.v[at] = l;
	reindex(ini);
}

/* "key = value\n", a multi-line value's further lines indented. */
static char *option_text(const char *key, const char *value)
{
	size_t n = strlen(key) + 5, o;
	char *t;

	for (const char *v = value; *v; v++)
		n += *v == '\n' ? 5 : 1;
	t = xmalloc(n);
	o = (size_t)snprintf(t, n, "%s = ", key);
	for (const char *v = value; *v; v++) {
		t[o++] = *v;
		if (*v == '\n') {
			memcpy(t + o, "    ", 4);
			o += 4;
		}
	}
	memcpy(t + o, "\n", 2);
	return t;
}

void ini_set(struct ini *ini, const char *section, const char *key, const char *value)
{
	long i = ini_find(ini, section, key);
	size_t at = SIZE_MAX;

	if (i >= 0) {
		ini_delete(ini, (size_t)i);
		insert_line(ini, (size_t)i, INI_OPTION, key, option_text(key, value));
		return;
	}
	/* After the section's last option (or its header). */
	for (size_t k = 0; k < ini->lines.n; k++) {
		const struct ini_line *l = &ini->lines.v[k];

		if (l->kind == INI_SECTION && streq(l->name, section))
			at = k + 1;
		else if ((l->kind == INI_OPTION || l->kind == INI_CONT) && in_section(ini, k, section) &&
			 (at != SIZE_MAX || l->section == SIZE_MAX))
			at = k + 1;
	}
	if (at == SIZE_MAX) {
		size_t n = strlen(section) + 4;
		char *hdr = xmalloc(n);

		at = ini->lines.n;
		if (at)
			insert_line(ini, at++, INI_OTHER, NULL, xstrdup("\n"));
		snprintf(hdr, n, "[%s]\n", section);
		insert_line(ini, at++, INI_SECTION, section, hdr);
	}
	insert_line(ini, at, INI_OPTION, key, option_text(key, value));
}
