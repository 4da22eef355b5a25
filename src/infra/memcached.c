/*
 * memcached.c - see memcached.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "memcached.h"

/* A TCP connection to addr:port within timeout_ms. */
int tcp_answers(const char *addr, int port, int timeout_ms, struct sh_error *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct pollfd p;
	int fd, e = 0, r = 0;
	socklen_t len = sizeof(e);

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return sh_error_set(err, SH_EXIT_INPUT, "'%s' is not an IPv4 address", addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return sh_error_set(err, SH_EXIT_FAILURE, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		r = 1;
	} else if (errno == EINPROGRESS) {
		p = (struct pollfd){ .fd = fd, .events = POLLOUT };
		if (poll(&p, 1, timeout_ms) == 1 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0 && e == 0)
			r = 1;
	} else {
		e = errno;
	}
	if (!r)
		sh_error_set(err, SH_EXIT_FAILURE, "%s:%d: %s", addr, port,
			     e ? strerror(e) : "no answer");
	close(fd);
	return r;
}

static int memcached_answers(struct infra *x, void *arg, struct sh_error *err)
{
	const struct inv_host *h = arg;

	(void)x;
	return tcp_answers(h->address, 11211, 1000, err) == 1;
}

int memcached_node_upgrade(struct infra *x, const struct inv_host *h, const char *version,
			   struct sh_error *err)
{
	struct rt_start start = { .version = version, .replace = true };

	if (rt_require(x, MEMCACHED_UPGRADE_NEEDS, "memcached-upgrade", err) < 0)
		return -1;
	if (rt_image_check(x, h, "memcached", version, err) < 0 ||
	    rt_stop_running(x, h, "memcached", err) < 0)
		return -1;
	if (rt_start(x, h, "memcached", &start, err) < 0 ||
	    infra_wait(x, 30, "memcached to answer on port 11211", memcached_answers, (void *)h,
		       err) < 0)
		return -1;
	infra_log(x, "%s: memcached %s answers on %s:11211", h->name, version, h->address);
	return 0;
}
