/*
 * listener.c - the far end of bench/prober: accept TCP connections on
 * PORT (every loopback address) and close them at once, as fast as the
 * kernel hands them over, until killed.
 *
 *   listener PORT
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr = { htonl(INADDR_ANY) } };
	struct epoll_event ev = { .events = EPOLLIN }, out[1];
	int one = 1, fd, ep;

	if (argc != 2)
		return 2;
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 65535) < 0) {
		perror("listener");
		return 1;
	}
	ep = epoll_create1(0);
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	puts("ready");
	fflush(stdout);
	for (;;) {
		if (epoll_wait(ep, out, 1, -1) < 0 && errno != EINTR)
			return 1;
		for (;;) {
			int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK);

			if (c < 0)
				break;
			close(c);
		}
	}
}
