/*
 * fileio.h - reading input files with a size bound, and writing state
 * atomically (temp file, fsync, rename, fsync of the directory).
 */
#ifndef STACKHOP_FILEIO_H
#define STACKHOP_FILEIO_H

#include <stddef.h>

#include "error.h"

/*
 * Read the whole file into a NUL-terminated malloc'd buffer; refuse files
 * over max bytes.  On success *ret_buf belongs to the caller.
 */
int read_file_limited(const char *path, size_t max, char **ret_buf,
		      size_t *ret_len, struct sh_error *err);

/*
 * Replace path with data atomically: a reader sees the old content or the
 * new one, never a mix, and after return the new content survives a crash.
 */
int write_file_atomic(const char *path, const void *data, size_t len,
		      unsigned mode, struct sh_error *err);

/*
 * rename(2) that never replaces: -EEXIST when to exists (checked by the
 * kernel in the rename itself, RENAME_NOREPLACE; where the file system
 * has no such rename, link(2) and unlink(2) of from).  0 or -errno.
 */
int rename_noreplace(const char *from, const char *to);

#endif
