/* error.c - see error.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "util.h"

static int error_vset(struct sh_error *err, int status, const char *prefix,
		      const char *fmt, va_list ap)
{
	size_t off = 0;

	if (!err || err->status)
		return -1;
	err->status = status;
	err->msg[0] = '\0';
	if (prefix) {
		off = strlcpy_sh(err->msg, prefix, sizeof(err->msg));
		if (off >= sizeof(err->msg))
			return -1;
	}
	vsnprintf(err->msg + off, sizeof(err->msg) - off, fmt, ap);
	return -1;
}

int sh_error_set(struct sh_error *err, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(err, status, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int sh_error_at(struct sh_error *err, const char *file, int line,
		const char *fmt, ...)
{
	char where[512];
	va_list ap;

	if (line > 0)
		snprintf(where, sizeof(where), "%s:%d: ", file, line);
	else
		snprintf(where, sizeof(where), "%s: ", file);
	va_start(ap, fmt);
	error_vset(err, SH_EXIT_INPUT, where, fmt, ap);
	va_end(ap);
	return -1;
}

int sh_error_prefix(struct sh_error *err, const char *fmt, ...)
{
	char old[sizeof(err->msg)];
	size_t off;
	va_list ap;

	if (!err)
		return -1;
	strlcpy_sh(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	off = strlen(err->msg);
	snprintf(err->msg + off, sizeof(err->msg) - off, ": %s", old);
	if (!err->status)
		err->status = SH_EXIT_FAILURE;
	return -1;
}

void sh_error_clear(struct sh_error *err)
{
	if (!err)
		return;
	err->status = 0;
	err->msg[0] = '\0';
}
