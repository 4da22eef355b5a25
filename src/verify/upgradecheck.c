/* upgradecheck.c - see upgradecheck.h. */
#include <stdlib.h>
#include <string.h>

#include "upgradecheck.h"
#include "util.h"

const char *check_code_name(enum check_code c)
{
	return c == CHECK_SUCCESS ? "Success" : c == CHECK_WARNING ? "Warning" : "Failure";
}

/* The text of a table line "| TEXT |", trimmed, or NULL for other lines. */
static const char *cell(const char *line, size_t len, char *buf, size_t size)
{
	const char *b = line, *e = line + len;

	while (b < e && (*b == ' ' || *b == '\t'))
		b++;
	if (b == e || *b != '|')
		return NULL;
	while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	if (e - b < 2 || e[-1] != '|')
		return NULL;
	b++;
	e--;
	while (b < e && *b == ' ')
		b++;
	while (e > b && e[-1] == ' ')
		e--;
	snprintf(buf, size, "%.*s", (int)(e - b), b);
	return buf;
}

static void append(char *dst, size_t size, const char *text)
{
	size_t l = strlen(dst);

	if (l && l + 1 < size)
		dst[l++] = ' ', dst[l] = '\0';
	snprintf(dst + l, size - l, "%s", text);
}

int upgradecheck_parse(const char *text, struct check_result **ret, size_t *n)
{
	VEC(struct check_result) v = { 0 };
	struct check_result *cur = NULL;
	bool in_details = false;
	int worst = -1;

	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		char buf[1024];
		const char *c = cell(l, len, buf, sizeof(buf));

		l = nl ? nl + 1 : NULL;
		if (!c) {
			in_details = false;	/* a rule or another line ends a box */
			continue;
		}
		if (str_has_prefix(c, "Check: ")) {
			struct check_result r = { .code = CHECK_FAILURE };

			strlcpy_sh(r.name, c + 7, sizeof(r.name));
			vec_push(v, r);
			cur = &v.v[v.n - 1];
			snprintf(cur->details, sizeof(cur->details), "no Result line");
			in_details = false;
		} else if (cur && str_has_prefix(c, "Result: ")) {
			const char *res = c + 8;

			cur->details[0] = '\0';
			if (streq(res, "Success"))
				cur->code = CHECK_SUCCESS;
			else if (streq(res, "Warning"))
				cur->code = CHECK_WARNING;
			else if (streq(res, "Failure"))
				cur->code = CHECK_FAILURE;
			else
				snprintf(cur->details, sizeof(cur->details),
					 "unknown result '%.64s' (expected Success, Warning or Failure)", res);
		} else if (cur && str_has_prefix(c, "Details: ")) {
			if (!streq(c + 9, "None"))
				append(cur->details, sizeof(cur->details), c + 9);
			in_details = true;
		} else if (cur && in_details) {
			append(cur->details, sizeof(cur->details), c);
		}
	}
	for (size_t i = 0; i < v.n; i++)
		if ((int)v.v[i].code > worst)
			worst = (int)v.v[i].code;
	*ret = v.v;
	*n = v.n;
	return worst;
}

void upgradecheck_summary(const struct check_result *r, size_t n, char *buf, size_t size)
{
	size_t count[3] = { 0 }, off;
	const char *sep = ": ";
	int worst = 0;

	for (size_t i = 0; i < n; i++) {
		count[r[i].code]++;
		if ((int)r[i].code > worst)
			worst = (int)r[i].code;
	}
	off = (size_t)snprintf(buf, size, "%s (%zu check%s", check_code_name((enum check_code)worst),
			       n, n == 1 ? "" : "s");
	for (int c = CHECK_FAILURE; c >= CHECK_SUCCESS && count[CHECK_SUCCESS] != n; c--) {
		if (!count[c] || off >= size)
			continue;
		off += (size_t)snprintf(buf + off, size - off, "%s%zu %s", sep, count[c],
					check_code_name((enum check_code)c));
		sep = ", ";
	}
	if (off < size)
		snprintf(buf + off, size - off, ")");
}

void upgradecheck_print(FILE *f, const char *title, const struct check_result *r, size_t n)
{
	enum { W = 64 };
	char rule[W + 3];

	memset(rule, '-', sizeof(rule) - 1);
	rule[0] = rule[W + 1] = '+';
	rule[W + 2] = '\0';
	fprintf(f, "%s\n| %-*.*s |\n%s\n", rule, W - 2, W - 2, title, rule);
	for (size_t i = 0; i < n; i++) {
		char line[W];
		const char *d = r[i].details[0] ? r[i].details : "None";
		const char *label = "Details: ";

		fprintf(f, "| Check: %-*.*s |\n", W - 9, W - 9, r[i].name);
		fprintf(f, "| Result: %-*s |\n", W - 10, check_code_name(r[i].code));
		while (*d) {
			size_t room = W - 2 - strlen(label), len = strlen(d);

			if (len > room) {
				len = room;
				while (len > room / 2 && d[len] != ' ')
					len--;
			}
			snprintf(line, sizeof(line), "%s%.*s", label, (int)len, d);
			fprintf(f, "| %-*s |\n", W - 2, line);
			d += len;
			while (*d == ' ')
				d++;
			label = "  ";
		}
		fprintf(f, "%s\n", rule);
	}
}
