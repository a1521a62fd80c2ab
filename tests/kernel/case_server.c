// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A tenant workload that serves: egress policy governs what a tenant
 * connects to, not whom it answers.  A listener inside contoso on a port
 * and address no contoso rule admits accepts a connection from outside and
 * replies; the reply must arrive and the backstop must drop nothing.  Its
 * packets still count as contoso's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cases.h"

#define SERVER_PORT 7100

struct server_state {
	int lfd;
};

static void server_listen(void *arg, struct op_result *r)
{
	struct server_state *st = arg;
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(SERVER_PORT),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int one = 1;

	st->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(st->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(st->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(st->lfd, 4) < 0) {
		ops_fill(r, st->lfd, errno, "listen on 127.0.0.1:%d: %s", SERVER_PORT,
			 strerror(errno));
		return;
	}
	ops_fill(r, st->lfd, 0, "listening");
}

static void server_reply(void *arg, struct op_result *r)
{
	struct server_state *st = arg;
	struct pollfd pfd = { .fd = st->lfd, .events = POLLIN };
	char buf[16];
	int c;

	if (poll(&pfd, 1, 2000) != 1) {
		ops_fill(r, st->lfd, ETIMEDOUT, "no connection to accept");
		return;
	}
	c = accept4(st->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0 || read(c, buf, sizeof(buf)) <= 0 || write(c, "pong", 4) != 4) {
		ops_fill(r, c, errno ? errno : EPROTO, "accept/read/reply: %s", strerror(errno));
		return;
	}
	ops_fill(r, c, 0, "replied");
	usleep(200 * 1000); /* keep the socket while the reply is acknowledged */
	close(c);
}

/* The client, outside every governed cgroup: connect and ask.  The
 * handshake completes against the listener's backlog before the server
 * accepts, as for any real server. */
static int client_ask(int *ret_fd)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(SERVER_PORT),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd, err;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || write(fd, "ping", 4) != 4) {
		err = -errno;
		close(fd);
		return err;
	}
	*ret_fd = fd;
	return 0;
}

static int client_reply(int fd, char *reply, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	*reply = '\0';
	if (poll(&pfd, 1, 2000) != 1)
		return -ETIMEDOUT;
	n = read(fd, reply, len - 1);
	if (n < 0)
		return -errno;
	reply[n] = '\0';
	return 0;
}

int case_tenant_server(struct ktest_env *env, const struct ktest_case *c, char *detail, size_t len)
{
	struct server_state st = { .lfd = -1 };
	struct airlock_stats before = {}, after = {};
	struct op_result r1, r2;
	char reply[16] = "";
	struct child2 ch;
	int err, fd = -1;

	err = case_stats(env, "contoso", &before);
	if (err) {
		snprintf(detail, len, "reading contoso stats: %s", strerror(-err));
		return err;
	}
	err = child2_start(env->cg_path[c->cg], server_listen, server_reply, &st, 5000, &ch, &r1);
	if (err || r1.err) {
		snprintf(detail, len, "listener: %s", err ? strerror(-err) : r1.detail);
		return err ? err : -r1.err;
	}
	err = client_ask(&fd);
	if (err) {
		snprintf(detail, len, "client connect: %s", strerror(-err));
		child2_abort(&ch);
		return err;
	}
	err = child2_finish(&ch, 5000, &r2);
	if (err || r2.err) {
		snprintf(detail, len, "server: %s", err ? strerror(-err) : r2.detail);
		close(fd);
		return err ? err : -r2.err;
	}
	err = client_reply(fd, reply, sizeof(reply));
	close(fd);
	if (err || strcmp(reply, "pong")) {
		snprintf(detail, len, "the tenant's reply never arrived (%s, got \"%s\")",
			 err ? strerror(-err) : "wrong reply", reply);
		return err ? err : -EPROTO;
	}
	err = case_stats(env, "contoso", &after);
	if (err) {
		snprintf(detail, len, "reading contoso stats: %s", strerror(-err));
		return err;
	}
	if (after.egress_dropped != before.egress_dropped ||
	    after.egress_packets < before.egress_packets + 2) {
		snprintf(detail, len, "egress_dropped +%llu (want 0), egress_packets +%llu (want >= 2)",
			 (unsigned long long)(after.egress_dropped - before.egress_dropped),
			 (unsigned long long)(after.egress_packets - before.egress_packets));
		return -EPROTO;
	}
	snprintf(detail, len, "reply arrived; egress_packets +%llu, egress_dropped +0",
		 (unsigned long long)(after.egress_packets - before.egress_packets));
	return 0;
}
