// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Listeners for every destination the cases use, on the dual-stack wildcard
 * of the private netns (whose only interface is lo): TCP connections are
 * accepted and closed, UDP datagrams are counted.  The parked port's
 * connections are never accepted: they stay established in the accept queue,
 * for cases that need a peer that keeps the connection open.  They run in the runner,
 * outside the governed subtree, so airlock never judges their sockets.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ktest.h"

static const __u16 tcp_ports[] = { 53, 443, 444, 8000, 8100, 8101 };
static const __u16 udp_ports[] = { 53, 443 };
#define PARKED_PORT 8443

#define NLISTEN                                                                     \
	(sizeof(tcp_ports) / sizeof(tcp_ports[0]) + sizeof(udp_ports) / sizeof(udp_ports[0]))

struct servers {
	int fds[NLISTEN];
	int types[NLISTEN];
	int nfds;
	int parked_fd;
	int epfd;
	int stop_fd;
	pthread_t thread;
	int running;
	atomic_ulong udp_received;
};

static int listen_on(int type, __u16 port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_ANY_INIT };
	int fd, zero = 0, one = 1;

	fd = socket(AF_INET6, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 4096) < 0)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static void drain(struct servers *srv, int fd, int type)
{
	char buf[2048];
	int c;

	for (;;) {
		if (type == SOCK_STREAM) {
			c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
			if (c < 0)
				return;
			close(c);
		} else {
			if (recv(fd, buf, sizeof(buf), 0) < 0)
				return;
			atomic_fetch_add(&srv->udp_received, 1);
		}
	}
}

static void *servers_loop(void *arg)
{
	struct servers *srv = arg;
	struct epoll_event ev[16];
	int i, n;

	for (;;) {
		n = epoll_wait(srv->epfd, ev, 16, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return NULL;
		for (i = 0; i < n; i++) {
			if (ev[i].data.u32 == NLISTEN)
				return NULL;
			drain(srv, srv->fds[ev[i].data.u32], srv->types[ev[i].data.u32]);
		}
	}
}

static int servers_add(struct servers *srv, int type, __u16 port)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = srv->nfds };
	int fd = listen_on(type, port);

	if (fd < 0)
		return fd;
	srv->fds[srv->nfds] = fd;
	srv->types[srv->nfds] = type;
	srv->nfds++;
	return epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

struct servers *servers_stop(struct servers *srv)
{
	__u64 one = 1;
	int i;

	if (!srv)
		return NULL;
	if (srv->running) {
		(void)!write(srv->stop_fd, &one, sizeof(one));
		pthread_join(srv->thread, NULL);
	}
	for (i = 0; i < srv->nfds; i++)
		close(srv->fds[i]);
	if (srv->parked_fd >= 0)
		close(srv->parked_fd);
	if (srv->epfd >= 0)
		close(srv->epfd);
	if (srv->stop_fd >= 0)
		close(srv->stop_fd);
	free(srv);
	return NULL;
}

int servers_start(struct servers **ret)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = NLISTEN };
	struct servers *srv;
	size_t i;
	int err = 0;

	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->parked_fd = listen_on(SOCK_STREAM, PARKED_PORT);
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	srv->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (srv->parked_fd < 0 || srv->epfd < 0 || srv->stop_fd < 0 ||
	    epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->stop_fd, &ev) < 0)
		err = -errno;
	for (i = 0; !err && i < sizeof(tcp_ports) / sizeof(tcp_ports[0]); i++)
		err = servers_add(srv, SOCK_STREAM, tcp_ports[i]);
	for (i = 0; !err && i < sizeof(udp_ports) / sizeof(udp_ports[0]); i++)
		err = servers_add(srv, SOCK_DGRAM, udp_ports[i]);
	if (!err)
		err = -pthread_create(&srv->thread, NULL, servers_loop, srv);
	if (err) {
		servers_stop(srv);
		return err;
	}
	srv->running = 1;
	*ret = srv;
	return 0;
}

unsigned long servers_udp_received(struct servers *srv)
{
	return atomic_load(&srv->udp_received);
}
