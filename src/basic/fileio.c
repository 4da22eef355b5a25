/* fileio.c - see fileio.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "util.h"

int read_file_limited(const char *path, size_t max, char **ret_buf,
		      size_t *ret_len, struct sh_error *err)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap;
	int fd, r = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sh_error_set(err, SH_EXIT_INPUT, "cannot open '%s': %s",
				    path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		sh_error_set(err, SH_EXIT_INPUT, "cannot stat '%s': %s", path,
			     strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		sh_error_set(err, SH_EXIT_INPUT, "'%s' is a directory, expected a file",
			     path);
		goto out;
	}
	cap = S_ISREG(st.st_mode) && (size_t)st.st_size < max ? (size_t)st.st_size + 1 : 4096;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sh_error_set(err, SH_EXIT_INPUT, "cannot read '%s': %s",
				     path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			sh_error_set(err, SH_EXIT_INPUT,
				     "'%s' is larger than %zu bytes", path, max);
			goto out;
		}
	}
	buf[len] = '\0';
	*ret_buf = buf;
	*ret_len = len;
	buf = NULL;
	r = 0;
out:
	free(buf);
	close(fd);
	return r;
}

int write_file_atomic(const char *path, const void *data, size_t len,
		      unsigned mode, struct sh_error *err)
{
	size_t plen = strlen(path);
	char *tmp = xmalloc(plen + 16), *dircopy = xstrdup(path);
	const char *p = data;
	int fd, dfd, c, r = -1;

	snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		sh_error_set(err, SH_EXIT_FAILURE, "cannot create a file beside '%s': %s",
			     path, strerror(errno));
		goto out_free;
	}
	if (fchmod(fd, mode) < 0)
		goto fail;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0)
		goto fail;
	c = close(fd);
	fd = -1;		/* closed even when close() fails */
	if (c < 0)
		goto fail;
	if (rename(tmp, path) < 0)
		goto fail;
	dfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	r = 0;
	goto out_free;
fail:
	sh_error_set(err, SH_EXIT_FAILURE, "cannot write '%s': %s", path,
		     strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out_free:
	free(tmp);
	free(dircopy);
	return r;
}

int rename_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	if (link(from, to) < 0)
		return -errno;
	(void)unlink(from);
	return 0;
}
