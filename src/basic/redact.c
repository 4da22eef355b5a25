/* redact.c - see redact.h. */
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
	for (size_t i = 0; i < r->n; i++)
		free(r->secrets[i]);
	free(r->secrets);
	r->secrets = NULL;
	r->n = 0;
}

char *redact(const struct redactor *r, const char *text, size_t len)
{
	/* Worst case: every byte starts a 4-byte secret replaced by 10. */
	size_t cap = len * 3 + 1, o = 0;
	char *out = xmalloc(cap);

	for (size_t i = 0; i < len;) {
		size_t hit = 0;

		for (size_t k = 0; r && k < r->n && !hit; k++) {
			size_t sl = strlen(r->secrets[k]);

			if (sl <= len - i && memcmp(text + i, r->secrets[k], sl) == 0)
				hit = sl;
		}
		if (hit) {
			memcpy(out + o, REDACTED, sizeof(REDACTED) - 1);
			o += sizeof(REDACTED) - 1;
			i += hit;
		} else {
			out[o++] = text[i] ? text[i] : '?';
			i++;
		}
	}
	out[o] = '\0';
	return out;
}
