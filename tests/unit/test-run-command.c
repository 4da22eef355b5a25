/*
 * test-run-command.c - the one spawn helper: what a child gets (fds 0-2
 * only, default signal dispositions, the environment asked for), its
 * status, and that a reaped child holds no fd of ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <dirent.h>
#include <unistd.h>

#include "harness.h"
#include "run-command.h"

/* Run sh -c script; its stdout (up to size - 1 bytes) into out. */
static int sh_out(const char *script, const char *const *env, char *out, size_t size)
{
	const char *const argv[] = { "sh", "-c", script, NULL };
	struct child_process c = CHILD_PROCESS_INIT;
	struct sh_error err = { 0 };
	size_t len = 0;

	c.argv = argv;
	c.env = env;
	c.out = CHILD_STDIO_PIPE;
	if (child_start(&c, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	for (;;) {
		struct pollfd p = { .fd = c.out_fd, .events = POLLIN };
		ssize_t n;

		poll(&p, 1, -1);
		n = read(c.out_fd, out + len, size - 1 - len);
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	out[len] = '\0';
	return child_finish(&c);
}

/* How many fds this process has open. */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the DIR's own */
}

TEST(a_child_gets_only_fds_0_to_2)
{
	char out[256];
	int leak = open("/dev/null", O_RDONLY);	/* no O_CLOEXEC */

	CHECK(leak > 2);
	CHECK(sh_out("ls /proc/$$/fd", NULL, out, sizeof(out)) == 0);
	CHECK(!strcmp(out, "0\n1\n2\n"));
	close(leak);
}

TEST(signals_reset_sigpipe_included)
{
	sigset_t block, old;
	char out[256];

	/* What stackhop ignores or blocks, the child does not. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	CHECK(sh_out("sed -n 's/^Sig\\(Ign\\|Blk\\):\t/\\1 /p' /proc/self/status | tr '\n' ' '",
		     NULL, out, sizeof(out)) == 0);
	/* glibc keeps signals 32 and 33 (below SIGRTMIN) for itself and will
	 * not change their disposition; make ignores them for its children.
	 * Every other signal must be at its default. */
	{
		unsigned long long blk = 1, ign = 1, reserved = 0;

		for (int sig = 32; sig < SIGRTMIN; sig++)
			reserved |= 1ULL << (sig - 1);
		CHECK(sscanf(out, "Blk %llx Ign %llx", &blk, &ign) == 2);
		if ((blk & ~reserved) || (ign & ~reserved))
			fprintf(stderr, "child's signals: %s\n", out);
		CHECK(!(blk & ~reserved));
		CHECK(!(ign & ~reserved));
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
}

TEST(status_env_and_exec_failure)
{
	const char *const env[] = { "STACKHOP_T=value one", "HOME", NULL };
	const char *const nosuch[] = { "stackhop-no-such-program", NULL };
	struct child_process c = CHILD_PROCESS_INIT;
	struct sh_error err = { 0 };
	char out[256];

	CHECK(sh_out("exit 7", NULL, out, sizeof(out)) == 7);
	CHECK(sh_out("kill -TERM $$", NULL, out, sizeof(out)) == 128 + SIGTERM);
	CHECK(sh_out("echo \"$STACKHOP_T|${HOME-unset}\"", env, out, sizeof(out)) == 0);
	CHECK(!strcmp(out, "value one|unset\n"));
	c.argv = nosuch;
	CHECK(child_run(&c, &err) == 127);
}

TEST(a_reaped_child_holds_no_fd)
{
	const char *const argv[] = { "true", NULL };
	int before = open_fds();

	for (int i = 0; i < 50; i++) {
		struct child_process c = CHILD_PROCESS_INIT;
		struct sh_error err = { 0 };

		c.argv = argv;
		c.in = c.out = c.err = CHILD_STDIO_PIPE;
		CHECK(child_start(&c, &err) == 0);
		while (child_reap(&c, false) == 0)
			poll(NULL, 0, 5);
		CHECK(c.pid_fd == -1 && c.status == 0);
		child_release(&c);
	}
	CHECK(open_fds() == before);
}

int main(void)
{
	RUN(a_child_gets_only_fds_0_to_2);
	RUN(signals_reset_sigpipe_included);
	RUN(status_env_and_exec_failure);
	RUN(a_reaped_child_holds_no_fd);
	HARNESS_END();
}
