/* redact.c - see redact.h. */
#include <stdbool.h>
#include <string.h>

#include "redact.h"
#include "util.h"

#define REDACTED "[redacted]"

int redactor_add(struct redactor *r, const char *secret)
{
	if (strlen(secret) < 4)
		return -1;
	r->secrets = xrealloc(r->secrets, (r->n + 1) * sizeof(*r->secrets));
	r->secrets[r->n++] = xstrdup(secret);
	return 0;
}

void redactor_release(struct redactor *r)
{
	for (size_t i = 0; i < r->n; i++) {
		explicit_bzero(r->secrets[i], strlen(r->secrets[i]));
		free(r->secrets[i]);
	}
	free(r->secrets);
	r->secrets = NULL;
	r->n = 0;
}

/*
 * Every byte inside an occurrence of any secret is covered, and each run
 * of covered bytes becomes one "[redacted]": a secret that begins another
 * ("Passw0rd", "Passw0rd-Long-Tail") or overlaps it leaves no part of
 * either.
 */
static char *redact_covering(const struct redactor *r, const char *text, size_t len,
			     bool cut_front)
{
	/* Worst case: a 4-byte secret replaced by 10 after every other byte. */
	size_t cap = len * 3 + 1, o = 0;
	char *out = xmalloc(cap);
	unsigned char *covered = r && r->n && len ? xcalloc(len, 1) : NULL;

	for (size_t k = 0; covered && k < r->n; k++) {
		size_t sl = strlen(r->secrets[k]);
		const char *p = text, *end = text + len;

		if (!sl)
			continue;
		while ((size_t)(end - p) >= sl && (p = memmem(p, (size_t)(end - p), r->secrets[k], sl))) {
			memset(covered + (p - text), 1, sl);
			p++;
		}
		/* A text that is a tail may begin inside a secret: cover the
		 * longest front that is how one of them ends. */
		for (size_t n = sl - 1 < len ? sl - 1 : len; cut_front && n > 0; n--)
			if (!memcmp(text, r->secrets[k] + sl - n, n)) {
				memset(covered, 1, n);
				break;
			}
	}
	for (size_t i = 0; i < len;) {
		if (covered && covered[i]) {
			memcpy(out + o, REDACTED, sizeof(REDACTED) - 1);
			o += sizeof(REDACTED) - 1;
			while (i < len && covered[i])
				i++;
		} else {
			out[o++] = text[i] ? text[i] : '?';
			i++;
		}
	}
	out[o] = '\0';
	free(covered);
	return out;
}

char *redact(const struct redactor *r, const char *text, size_t len)
{
	return redact_covering(r, text, len, false);
}

char *redact_tail(const struct redactor *r, const char *text, size_t len)
{
	return redact_covering(r, text, len, true);
}
