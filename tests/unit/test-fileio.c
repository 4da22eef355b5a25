/* test-fileio.c - atomic state writes: mode, no descriptor or temporary
 * file left behind when the write fails, renames that never replace. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fileio.h"
#include "harness.h"
#include "util.h"

static char dir[] = "/tmp/stackhop-test-fileio-XXXXXX";

/*
 * fsync(2) as this program sees it: with fail_fsync set it fails with EIO
 * (what a disk with a write error reports), otherwise it is the system
 * call.
 */
static bool fail_fsync;

int fsync(int fd)
{
	if (fail_fsync) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_fsync, fd);
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own descriptor */
}

/* Entries of dir other than . and .. */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (!streq(e->d_name, ".") && !streq(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

TEST(writes_with_the_mode_given)
{
	struct sh_error err = { 0 };
	char path[300], *text = NULL;
	size_t len = 0;
	struct stat st;
	mode_t old = umask(077);

	snprintf(path, sizeof(path), "%s/state", dir);
	CHECK(write_file_atomic(path, "one\n", 4, 0640, &err) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
	CHECK(write_file_atomic(path, "two\n", 4, 0600, &err) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(read_file_limited(path, 100, &text, &len, &err) == 0);
	CHECK(text && streq(text, "two\n"));
	free(text);
	CHECK(entries() == 1);
	unlink(path);
	umask(old);
}

TEST(failed_fsync_leaks_no_descriptor_and_no_file)
{
	struct sh_error err = { 0 };
	char path[300];
	int before, after;

	snprintf(path, sizeof(path), "%s/state", dir);
	before = open_fds();
	CHECK(before > 0);
	fail_fsync = true;
	for (int i = 0; i < 10; i++) {
		memset(&err, 0, sizeof(err));
		CHECK(write_file_atomic(path, "data\n", 5, 0600, &err) < 0);
	}
	fail_fsync = false;
	after = open_fds();
	CHECK_CONTAINS(err.msg, "cannot write");
	CHECK_CONTAINS(err.msg, strerror(EIO));
	CHECK(after == before);
	printf("     open descriptors before %d, after 10 failed writes %d\n", before, after);
	/* Neither the file nor a temporary beside it. */
	CHECK(access(path, F_OK) < 0);
	CHECK(entries() == 0);
}

TEST(rename_noreplace_never_replaces)
{
	char a[300], b[300], *text = NULL;
	size_t len = 0;
	struct sh_error err = { 0 };

	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	CHECK(write_file_atomic(a, "new\n", 4, 0600, &err) == 0);
	CHECK(write_file_atomic(b, "old\n", 4, 0600, &err) == 0);
	CHECK(rename_noreplace(a, b) == -EEXIST);
	CHECK(read_file_limited(b, 100, &text, &len, &err) == 0);
	CHECK(text && streq(text, "old\n"));
	free(text);
	CHECK(access(a, F_OK) == 0);
	unlink(b);
	CHECK(rename_noreplace(a, b) == 0);
	CHECK(access(a, F_OK) < 0 && access(b, F_OK) == 0);
	unlink(b);
}

int main(void)
{
	harness_tmpdir(dir);
	RUN(writes_with_the_mode_given);
	RUN(failed_fsync_leaks_no_descriptor_and_no_file);
	RUN(rename_noreplace_never_replaces);
	harness_rmtree(dir);
	HARNESS_END();
}
