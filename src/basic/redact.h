/*
 * redact.h - keep secrets out of everything stackhop writes.
 *
 * A redactor holds the secret values of a run (from the secrets file).
 * redact() returns a copy of a text with every occurrence of any secret
 * replaced by "[redacted]" (overlapping occurrences, e.g. of a secret and
 * a longer one it begins, as one); output tails, logs, journal rows and
 * reports go through it before they are stored or printed.  The copies
 * are wiped before they are freed.
 */
#ifndef STACKHOP_REDACT_H
#define STACKHOP_REDACT_H

#include <stddef.h>

struct redactor {
	char **secrets;		/* owned copies; empty strings are ignored */
	size_t n;
};

/* Add a secret (copied).  Secrets shorter than 4 bytes are refused (they
 * would redact ordinary words); returns -1 for them. */
int redactor_add(struct redactor *r, const char *secret);
void redactor_release(struct redactor *r);

/* A malloc'd, NUL-terminated copy of text[0..len) with secrets replaced. */
char *redact(const struct redactor *r, const char *text, size_t len);
/* The same for a tail whose front was cut off: a front that is how a
 * secret ends is replaced too (a cut secret is not shown in part; a
 * harmless front that happens to match is redacted as well). */
char *redact_tail(const struct redactor *r, const char *text, size_t len);

#endif
