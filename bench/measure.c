/*
 * measure.c - run a command, print its wall time and peak memory.
 *
 *   measure OUTFILE CMD [ARGS...]
 *
 * Output: "seconds=<wall> maxrss_kib=<peak RSS of the child> status=<exit>"
 * on stderr.  stdout of the command goes to OUTFILE (e.g. /dev/null).
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	struct rusage ru;
	int status, fd;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: measure OUTFILE CMD [ARGS...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(127);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	fprintf(stderr, "seconds=%.3f maxrss_kib=%ld status=%d\n",
		(double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9,
		ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
