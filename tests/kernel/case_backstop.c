// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The cgroup_skb backstop: a socket connected while its destination was
 * allowed sends no more addresses through the socket hooks, so after a
 * policy change revokes the destination only the packet-level program can
 * stop it.  Each case connects, has airlockd reload a policy without the
 * destination (SIGHUP), sends again, and restores the policy.
 */
#include <errno.h>
#include <netinet/in.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cases.h"

struct backstop_state {
	const struct ktest_case *c;
	int fd;
};

static const char payload[] = "airlock-backstop";

/* Phase 1: connect while allowed, and prove the path works. */
static void backstop_connect(void *arg, struct op_result *r)
{
	struct backstop_state *st = arg;
	const struct ktest_case *c = st->c;
	int type = c->port == 53 ? SOCK_DGRAM : SOCK_STREAM;
	struct sockaddr_storage sa;
	socklen_t len;

	ops_sockaddr(c->family, c->addr, c->port, &sa, &len);
	st->fd = type == SOCK_STREAM ? ops_tcp_socket(c->family)
				     : socket(c->family, type | SOCK_CLOEXEC, 0);
	if (connect(st->fd, (struct sockaddr *)&sa, len) < 0) {
		ops_fill(r, st->fd, errno, "connect while allowed: %s", strerror(errno));
		return;
	}
	if (send(st->fd, payload, sizeof(payload), 0) < 0) {
		ops_fill(r, st->fd, errno, "send while allowed: %s", strerror(errno));
		return;
	}
	ops_fill(r, st->fd, 0, "connected and sent while allowed");
}

/* Phase 2, UDP: the datagram must be refused. */
static void backstop_send_udp(void *arg, struct op_result *r)
{
	struct backstop_state *st = arg;
	int err;

	err = send(st->fd, payload, sizeof(payload), 0) < 0 ? errno : 0;
	ops_fill(r, st->fd, err, "send after revoke: %s", strerror(err));
}

/*
 * Phase 2, TCP: send() only queues.  A segment the egress program drops is
 * never acknowledged, so its bytes stay in the send queue (SIOCOUTQ counts
 * unsent and unacknowledged bytes alike).
 */
static void backstop_send_tcp(void *arg, struct op_result *r)
{
	struct backstop_state *st = arg;
	int outq = 0;
	ssize_t n;

	n = send(st->fd, payload, sizeof(payload), 0);
	if (n < 0) {
		ops_fill(r, st->fd, 0, "send after revoke: %s", strerror(errno));
		return;
	}
	usleep(300 * 1000); /* the first transmission and the retries after it */
	if (ioctl(st->fd, SIOCOUTQ, &outq) < 0)
		outq = -errno;
	ops_fill(r, st->fd, outq >= (int)sizeof(payload) ? 0 : EPROTO,
		 "send queued %zd bytes; %d bytes still unacknowledged", n, outq);
}

/* Swap in a policy variant and wait for airlockd to apply it. */
static int backstop_policy(struct ktest_env *env, enum ktest_policy v, char *detail, size_t len)
{
	int err = policy_file_write(env, v);

	if (!err)
		err = agent_reload(env, 10000);
	if (err)
		snprintf(detail, len, "%s policy, SIGHUP reload: %s",
			 v == KTEST_POLICY_BASE ? "restore base" : "revoke", strerror(-err));
	return err;
}

/* Until the servers have counted `want` datagrams in all, for up to 2 s. */
static int backstop_udp_wait(struct ktest_env *env, unsigned long want)
{
	int waited;

	for (waited = 0; waited < 2000; waited += 10) {
		if (servers_udp_received(env->servers) >= want)
			return 0;
		case_sleep_ms(10);
	}
	return -ETIMEDOUT;
}

static int backstop_run(struct ktest_env *env, const struct ktest_case *c, child_fn phase2,
			int expect, char *detail, size_t len)
{
	struct backstop_state st = { .c = c, .fd = -1 };
	struct airlock_stats before = {}, after = {};
	unsigned long udp_before, udp_after;
	char restore[KTEST_DETAIL];
	struct op_result r1, r2;
	struct child2 ch;
	int err, restore_err;
	int udp = c->port == 53;
	struct event_match m = {
		.tenant = "contoso", .family = "ipv4", .daddr = c->addr, .dport = c->port,
		.proto = udp ? "udp" : "tcp", .hook = "skb_egress", .reason = "no_route",
	};

	udp_before = servers_udp_received(env->servers);
	err = child2_start(env->cg_path[c->cg], backstop_connect, phase2, &st, 5000, &ch, &r1);
	if (err || r1.err) {
		snprintf(detail, len, "phase 1: %s", err ? strerror(-err) : r1.detail);
		return err ? err : -r1.err;
	}
	if (udp && backstop_udp_wait(env, udp_before + 1)) {
		snprintf(detail, len, "phase 1: the datagram sent while allowed never arrived");
		child2_abort(&ch);
		return -ETIMEDOUT;
	}
	err = case_stats(env, "contoso", &before);
	udp_before = servers_udp_received(env->servers);
	if (!err)
		err = backstop_policy(env, KTEST_POLICY_REVOKED, detail, len);
	if (err) {
		child2_abort(&ch);
		goto out_restore;
	}
	err = child2_finish(&ch, 5000, &r2);
	if (err) {
		snprintf(detail, len, "phase 2: %s", strerror(-err));
		goto out_restore;
	}
	case_sleep_ms(100);
	udp_after = servers_udp_received(env->servers);
	err = case_stats(env, "contoso", &after);
	if (err) {
		snprintf(detail, len, "read alk_stats: %s", strerror(-err));
		goto out_restore;
	}
	err = case_check_errno(&r2, expect, detail, len);
	if (!err && udp_after != udp_before) {
		snprintf(detail, len, "%lu datagrams reached the server after the revoke",
			 udp_after - udp_before);
		err = -EPROTO;
	}
	if (!err)
		err = case_check_delta(&before, &after, CTR(egress_dropped), -1, detail, len);
	m.cookie = r2.cookie;
	if (!err)
		err = events_wait(env, &m, 3000, detail, len);
	if (err) /* what the backstop saw meanwhile */
		snprintf(detail + strlen(detail), len - strlen(detail),
			 " [egress_packets +%llu, egress_dropped +%llu]",
			 (unsigned long long)(after.egress_packets - before.egress_packets),
			 (unsigned long long)(after.egress_dropped - before.egress_dropped));
	if (!err)
		snprintf(detail, len, "%s; egress_dropped +%llu; skb_egress event seen", r2.detail,
			 (unsigned long long)(after.egress_dropped - before.egress_dropped));
out_restore:
	restore_err = backstop_policy(env, KTEST_POLICY_BASE, restore, sizeof(restore));
	if (restore_err && !err)
		snprintf(detail, len, "%s", restore);
	else if (restore_err)
		snprintf(detail + strlen(detail), len - strlen(detail), "; %s", restore);
	return err ? err : restore_err;
}

int case_backstop_udp(struct ktest_env *env, const struct ktest_case *c, char *detail, size_t len)
{
	return backstop_run(env, c, backstop_send_udp, EPERM, detail, len);
}

int case_backstop_tcp(struct ktest_env *env, const struct ktest_case *c, char *detail, size_t len)
{
	return backstop_run(env, c, backstop_send_tcp, 0, detail, len);
}
