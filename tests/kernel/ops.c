// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The socket operations of the cases, one per egress path the hooks must
 * cover.  Each runs in a case child and fills a struct op_result: errno 0 on
 * success, the errno the kernel gave otherwise.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <liburing.h>

#include "ktest.h"

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

/* The destination contoso may always send datagrams to. */
#define OPS_DNS_ADDR "127.0.0.53"
#define OPS_DNS_PORT 53

static const char payload[] = "airlock-ktest";
static const char large[4000];

int ops_sockaddr(int family, const char *addr, __u16 port, struct sockaddr_storage *ret,
		 socklen_t *ret_len)
{
	struct sockaddr_storage ss = {};
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	socklen_t len;

	if (family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
			return -EINVAL;
		len = sizeof(*s4);
	} else {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			return -EINVAL;
		len = sizeof(*s6);
	}
	*ret = ss;
	*ret_len = len;
	return 0;
}

void ops_fill(struct op_result *r, int fd, int err, const char *fmt, ...)
{
	socklen_t len = sizeof(r->cookie);
	va_list ap;

	r->err = err;
	if (fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_COOKIE, &r->cookie, &len) < 0)
		r->cookie = 0;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

/* A TCP socket that resets on close, so loops leave no TIME_WAIT behind. */
int ops_tcp_socket(int family)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	return fd;
}

static int sys_ret(long ret)
{
	return ret < 0 ? errno : 0;
}

static void op_sendmmsg(int fd, const struct sockaddr_storage *sa, socklen_t len,
			struct op_result *r)
{
	struct sockaddr_storage dns;
	struct iovec iov = { .iov_base = (void *)payload, .iov_len = sizeof(payload) };
	struct mmsghdr m[2] = {};
	socklen_t dns_len;
	int n;

	ops_sockaddr(AF_INET, OPS_DNS_ADDR, OPS_DNS_PORT, &dns, &dns_len);
	m[0].msg_hdr = (struct msghdr){ .msg_name = &dns, .msg_namelen = dns_len,
					.msg_iov = &iov, .msg_iovlen = 1 };
	m[1].msg_hdr = (struct msghdr){ .msg_name = (void *)sa, .msg_namelen = len,
					.msg_iov = &iov, .msg_iovlen = 1 };
	n = sendmmsg(fd, m, 2, 0);
	if (n == 2) {
		ops_fill(r, fd, 0, "sendmmsg sent both messages");
		return;
	}
	if (n != 1) {
		/* The first, allowed message must always go out. */
		ops_fill(r, fd, EPROTO, "sendmmsg returned %d (%s) for [allowed, case]", n,
			 n < 0 ? strerror(errno) : "none sent");
		return;
	}
	n = sendmmsg(fd, &m[1], 1, 0);
	ops_fill(r, fd, n == 1 ? 0 : errno, "batch sent 1 of 2; second alone: %s",
		 n == 1 ? "sent" : strerror(errno));
}

static void op_uring_connect(int fd, const struct sockaddr_storage *sa, socklen_t len,
			     struct op_result *r)
{
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int err;

	err = io_uring_queue_init(4, &ring, 0);
	if (err) {
		ops_fill(r, fd, EPROTO, "io_uring_queue_init: %s", strerror(-err));
		return;
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_connect(sqe, fd, (const struct sockaddr *)sa, len);
	err = io_uring_submit_and_wait(&ring, 1);
	if (err < 0) {
		ops_fill(r, fd, EPROTO, "io_uring_submit_and_wait: %s", strerror(-err));
		goto out_exit;
	}
	err = io_uring_peek_cqe(&ring, &cqe);
	if (err) {
		ops_fill(r, fd, EPROTO, "no cqe: %s", strerror(-err));
		goto out_exit;
	}
	ops_fill(r, fd, cqe->res < 0 ? -cqe->res : 0, "cqe->res = %d", cqe->res);
	io_uring_cqe_seen(&ring, cqe);
out_exit:
	io_uring_queue_exit(&ring);
}

static void op_uring_sendmsg(int fd, const struct sockaddr_storage *sa, socklen_t len,
			     struct op_result *r)
{
	struct iovec iov = { .iov_base = (void *)payload, .iov_len = sizeof(payload) };
	struct msghdr msg = { .msg_name = (void *)sa, .msg_namelen = len, .msg_iov = &iov,
			      .msg_iovlen = 1 };
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int err;

	err = io_uring_queue_init(4, &ring, 0);
	if (err) {
		ops_fill(r, fd, EPROTO, "io_uring_queue_init: %s", strerror(-err));
		return;
	}
	io_uring_prep_sendmsg(io_uring_get_sqe(&ring), fd, &msg, 0);
	err = io_uring_submit_and_wait(&ring, 1);
	if (err >= 0)
		err = io_uring_peek_cqe(&ring, &cqe);
	if (err < 0)
		ops_fill(r, fd, EPROTO, "io_uring: %s", strerror(-err));
	else
		ops_fill(r, fd, cqe->res < 0 ? -cqe->res : 0, "cqe->res = %d", cqe->res);
	io_uring_queue_exit(&ring);
}

/* An ICMP echo request with an id the kernel fills in. */
static void op_ping_sendto(int fd, const struct sockaddr_storage *sa, socklen_t len,
			   struct op_result *r)
{
	unsigned char echo[16] = { 8 /* ICMP_ECHO */ };
	int err;

	err = sys_ret(sendto(fd, echo, sizeof(echo), 0, (const struct sockaddr *)sa, len));
	ops_fill(r, fd, err, "ping sendto: %s", strerror(err));
}

void ops_run(enum ktest_op op, int family, const char *addr, __u16 port, struct op_result *r)
{
	int type = SOCK_STREAM, one = 1, fd = -1, err;
	struct sockaddr_storage sa;
	socklen_t len;

	if (ops_sockaddr(family, addr, port, &sa, &len)) {
		ops_fill(r, -1, EINVAL, "bad address %s", addr);
		return;
	}
	if (op == OP_RAW_SOCKET) {
		fd = socket(family, SOCK_RAW | SOCK_CLOEXEC,
			    family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
		ops_fill(r, -1, sys_ret(fd), "socket(SOCK_RAW) = %d", fd);
		goto out_close;
	}
	if (op == OP_RAW_SHORT_TCP) {
		fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP);
		if (fd < 0) {
			ops_fill(r, -1, EPROTO, "socket(SOCK_RAW, IPPROTO_TCP): %s", strerror(errno));
			return;
		}
		err = sys_ret(sendto(fd, payload, 4, 0, (struct sockaddr *)&sa, len));
		ops_fill(r, fd, err, "raw sendto of a 4-byte TCP header: %s", strerror(err));
		goto out_close;
	}
	if (op == OP_UDP_SENDTO || op == OP_UDP_SENDTO_LARGE || op == OP_UDP_SENDMMSG || op == OP_UDP_CONNECT ||
	    op == OP_URING_SENDMSG || op == OP_PING_CONNECT || op == OP_PING_SENDTO)
		type = SOCK_DGRAM;
	if (op == OP_PING_CONNECT || op == OP_PING_SENDTO)
		fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC,
			    family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	else if (type == SOCK_STREAM)
		fd = ops_tcp_socket(family);
	else
		fd = socket(family, type | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ops_fill(r, -1, EPROTO, "socket: %s", strerror(errno));
		return;
	}

	switch (op) {
	case OP_TCP_CONNECT:
	case OP_UDP_CONNECT:
	case OP_PING_CONNECT:
		err = sys_ret(connect(fd, (struct sockaddr *)&sa, len));
		ops_fill(r, fd, err, "connect: %s", strerror(err));
		break;
	case OP_UDP_SENDTO:
		err = sys_ret(sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)&sa, len));
		ops_fill(r, fd, err, "sendto: %s", strerror(err));
		break;
	case OP_UDP_SENDTO_LARGE:
		err = sys_ret(sendto(fd, large, sizeof(large), 0, (struct sockaddr *)&sa, len));
		ops_fill(r, fd, err, "sendto of %zu bytes: %s", sizeof(large), strerror(err));
		break;
	case OP_UDP_SENDMMSG:
		op_sendmmsg(fd, &sa, len, r);
		break;
	case OP_TFO_SENDTO:
		err = sys_ret(sendto(fd, payload, sizeof(payload), MSG_FASTOPEN,
				     (struct sockaddr *)&sa, len));
		ops_fill(r, fd, err, "sendto(MSG_FASTOPEN): %s", strerror(err));
		break;
	case OP_TFO_CONNECT:
		if (setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one, sizeof(one)) < 0) {
			ops_fill(r, fd, EPROTO, "TCP_FASTOPEN_CONNECT: %s", strerror(errno));
			break;
		}
		err = sys_ret(connect(fd, (struct sockaddr *)&sa, len));
		ops_fill(r, fd, err, "connect(TCP_FASTOPEN_CONNECT): %s", strerror(err));
		break;
	case OP_URING_CONNECT:
		op_uring_connect(fd, &sa, len, r);
		break;
	case OP_URING_SENDMSG:
		op_uring_sendmsg(fd, &sa, len, r);
		break;
	case OP_PING_SENDTO:
		op_ping_sendto(fd, &sa, len, r);
		break;
	default:
		ops_fill(r, fd, EINVAL, "no such op %d", op);
		break;
	}
out_close:
	if (fd >= 0)
		close(fd);
}
