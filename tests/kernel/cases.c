// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The case table: one row per egress path of ebpf-anchors.md section 4 that
 * a tenant could use to slip past the socket hooks, each asserting the
 * outcome seen by the workload AND the counter or event that records it.
 *
 * contoso may reach 127.0.10.5 and fd00:10::5 on tcp/443 and tcp/8443 and
 * 127.0.0.53 on udp/53; fabrikam 127.0.20.5 on tcp/8000-8100; other/job is
 * in no tenant and the policy allows unmatched workloads.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cases.h"

#define AT(cg_, op_, fam_, addr_, port_)                                                  \
	.cg = KTEST_CG_##cg_, .op = OP_##op_, .family = AF_##fam_, .addr = (addr_),        \
	.port = (port_)
#define ALLOWED(tenant_, ctr_) .expect = 0, .tenant = (tenant_), .ctr = CTR(ctr_), .ctr_delta = 1
#define DENIED(tenant_, ctr_, hook_, reason_, proto_)                                     \
	.expect = EPERM, .tenant = (tenant_), .ctr = CTR(ctr_), .ctr_delta = 1,            \
	.hook = (hook_), .reason = (reason_), .proto = (proto_)
#define CUSTOM(fn_) .custom = (fn_), .ctr = CTR_NONE

static const struct ktest_case cases[] = {
	/* Plain connects, both families. */
	{ "tcp4-allowed", AT(CONTOSO, TCP_CONNECT, INET, "127.0.10.5", 443),
	  ALLOWED("contoso", connect_allowed) },
	{ "tcp6-allowed", AT(CONTOSO, TCP_CONNECT, INET6, "fd00:10::5", 443),
	  ALLOWED("contoso", connect_allowed) },
	{ "tcp4-denied-no-route", AT(CONTOSO, TCP_CONNECT, INET, "127.1.2.3", 443),
	  DENIED("contoso", connect_denied, "connect4", "no_route", "tcp") },
	{ "tcp4-denied-port", AT(CONTOSO, TCP_CONNECT, INET, "127.0.10.5", 444),
	  DENIED("contoso", connect_denied, "connect4", "port", "tcp") },

	/* IPv4-mapped IPv6 goes through connect6, judged as the IPv4 it carries. */
	{ "v4mapped-denied-connect6", AT(CONTOSO, TCP_CONNECT, INET6, "::ffff:127.1.2.3", 443),
	  DENIED("contoso", connect_denied, "connect6", "no_route", "tcp"),
	  .ev_daddr = "127.1.2.3" },
	{ "v4mapped-allowed-connect6", AT(CONTOSO, TCP_CONNECT, INET6, "::ffff:127.0.10.5", 443),
	  ALLOWED("contoso", connect_allowed) },

	/* Datagrams: unconnected, batched, connected. */
	{ "udp4-sendto-allowed", AT(CONTOSO, UDP_SENDTO, INET, "127.0.0.53", 53),
	  ALLOWED("contoso", dgram_allowed) },
	/* Larger than the MTU: judged whole, fragmented after the egress hook. */
	{ "udp4-large-datagram-allowed", AT(CONTOSO, UDP_SENDTO_LARGE, INET, "127.0.0.53", 53),
	  ALLOWED("contoso", dgram_allowed) },
	{ "udp6-large-datagram-allowed", AT(CONTOSO, UDP_SENDTO_LARGE, INET6, "fd00:10::5", 53),
	  ALLOWED("contoso", dgram_allowed) },
	{ "udp4-sendto-denied", AT(CONTOSO, UDP_SENDTO, INET, "127.1.2.3", 53),
	  DENIED("contoso", dgram_denied, "sendmsg4", "no_route", "udp") },
	/* udpv6_sendmsg hands a v4-mapped destination to udp_sendmsg as a
	 * sockaddr_in before the sendmsg6 hook, so sendmsg4 judges it. */
	{ "udp6-sendto-v4mapped-denied", AT(CONTOSO, UDP_SENDTO, INET6, "::ffff:127.1.2.3", 53),
	  DENIED("contoso", dgram_denied, "sendmsg4", "no_route", "udp"),
	  .ev_family = "ipv4", .ev_daddr = "127.1.2.3" },
	/* [allowed, denied] in one call: 1 sent; the denied one alone: EPERM. */
	{ "udp4-sendmmsg-denied", AT(CONTOSO, UDP_SENDMMSG, INET, "127.1.2.3", 53),
	  .expect = EPERM, .tenant = "contoso", .ctr = CTR(dgram_denied), .ctr_delta = 2,
	  .pair_delta = 1, .hook = "sendmsg4", .reason = "no_route", .proto = "udp" },
	{ "udp4-connect-denied", AT(CONTOSO, UDP_CONNECT, INET, "127.1.2.3", 53),
	  DENIED("contoso", connect_denied, "connect4", "no_route", "udp") },
	{ "udp4-connect-tcp-only-port", AT(CONTOSO, UDP_CONNECT, INET, "127.0.10.5", 443),
	  DENIED("contoso", connect_denied, "connect4", "port", "udp") },

	/* TCP Fast Open: the connect hook runs for the SYN that carries data. */
	{ "tfo-msg-fastopen-denied", AT(CONTOSO, TFO_SENDTO, INET, "127.1.2.3", 443),
	  DENIED("contoso", connect_denied, "connect4", "no_route", "tcp") },
	{ "tfo-msg-fastopen-allowed", AT(CONTOSO, TFO_SENDTO, INET, "127.0.10.5", 443),
	  ALLOWED("contoso", connect_allowed) },
	{ "tfo-fastopen-connect-denied", AT(CONTOSO, TFO_CONNECT, INET, "127.1.2.3", 443),
	  DENIED("contoso", connect_denied, "connect4", "no_route", "tcp") },

	/* io_uring evades syscall hooks, not cgroup hooks. */
	{ "io-uring-connect-denied", AT(CONTOSO, URING_CONNECT, INET, "127.1.2.3", 443),
	  DENIED("contoso", connect_denied, "connect4", "no_route", "tcp") },
	{ "io-uring-connect-allowed", AT(CONTOSO, URING_CONNECT, INET, "127.0.10.5", 443),
	  ALLOWED("contoso", connect_allowed) },
	{ "io-uring-sendmsg-udp-denied", AT(CONTOSO, URING_SENDMSG, INET, "127.1.2.3", 53),
	  DENIED("contoso", dgram_denied, "sendmsg4", "no_route", "udp") },

	/* Allowed address, other protocol: DNS over TCP, QUIC to a TCP API. */
	{ "dns-over-tcp-denied", AT(CONTOSO, TCP_CONNECT, INET, "127.0.0.53", 53),
	  DENIED("contoso", connect_denied, "connect4", "port", "tcp") },
	{ "quic-udp-443-to-api-denied", AT(CONTOSO, UDP_SENDTO, INET, "127.0.10.5", 443),
	  DENIED("contoso", dgram_denied, "sendmsg4", "port", "udp") },

	/* ICMP ping sockets: connect() runs the connect hook; an unconnected
	 * sendto() has no socket hook and only the skb backstop sees it. */
	{ "ping-socket-connect-denied", AT(CONTOSO, PING_CONNECT, INET, "127.1.2.3", 0),
	  DENIED("contoso", connect_denied, "connect4", "no_route", "icmp") },
	{ "ping-socket-sendto-backstop", AT(CONTOSO, PING_SENDTO, INET, "127.1.2.3", 0),
	  DENIED("contoso", egress_dropped, "skb_egress", "no_route", "icmp") },

	/* Raw sockets would forge packets past every socket hook. */
	{ "raw4-socket-refused", AT(CONTOSO, RAW_SOCKET, INET, "127.0.0.1", 0),
	  DENIED("contoso", sock_denied, "sock_create", "raw_socket", "icmp"), .ev_daddr = "" },
	{ "raw6-socket-refused", AT(CONTOSO, RAW_SOCKET, INET6, "::1", 0),
	  DENIED("contoso", sock_denied, "sock_create", "raw_socket", NULL), .ev_daddr = "" },

	/* A cgroup created below a workload inherits its tenant at once. */
	{ "nested-cgroup-denied", AT(NESTED, TCP_CONNECT, INET, "127.1.2.3", 443),
	  DENIED("contoso", connect_denied, "connect4", "no_route", "tcp") },
	{ "nested-cgroup-allowed", AT(NESTED, TCP_CONNECT, INET, "127.0.10.5", 443),
	  ALLOWED("contoso", connect_allowed) },

	/* Opened before airlockd started, connecting after it is ready. */
	{ "socket-before-agent-denied", AT(CONTOSO, CUSTOM, INET, "127.1.2.3", 443),
	  CUSTOM(case_preexisting) },

	/* The tenant is the socket's creator's, wherever the socket goes. */
	{ "socket-carried-to-unmatched-denied", AT(CONTOSO, CUSTOM, INET, "127.1.2.3", 443),
	  CUSTOM(case_carried_socket) },

	/* Loopback is not a free pass: other 127/8 aliases and ::1. */
	{ "loopback-127.0.0.1-denied", AT(CONTOSO, TCP_CONNECT, INET, "127.0.0.1", 443),
	  DENIED("contoso", connect_denied, "connect4", "no_route", "tcp") },
	{ "loopback-127.255.255.254-denied",
	  AT(CONTOSO, TCP_CONNECT, INET, "127.255.255.254", 443),
	  DENIED("contoso", connect_denied, "connect4", "no_route", "tcp") },
	{ "loopback-::1-denied", AT(CONTOSO, TCP_CONNECT, INET6, "::1", 443),
	  DENIED("contoso", connect_denied, "connect6", "no_route", "tcp") },
	{ "loopback-::ffff:127.0.0.1-denied",
	  AT(CONTOSO, TCP_CONNECT, INET6, "::ffff:127.0.0.1", 443),
	  DENIED("contoso", connect_denied, "connect6", "no_route", "tcp"),
	  .ev_daddr = "127.0.0.1" },

	/* Port range edges. */
	{ "fabrikam-port-8000-allowed", AT(FABRIKAM, TCP_CONNECT, INET, "127.0.20.5", 8000),
	  ALLOWED("fabrikam", connect_allowed) },
	{ "fabrikam-port-8100-allowed", AT(FABRIKAM, TCP_CONNECT, INET, "127.0.20.5", 8100),
	  ALLOWED("fabrikam", connect_allowed) },
	{ "fabrikam-port-8101-denied", AT(FABRIKAM, TCP_CONNECT, INET, "127.0.20.5", 8101),
	  DENIED("fabrikam", connect_denied, "connect4", "port", "tcp") },
	{ "fabrikam-to-contoso-api-denied", AT(FABRIKAM, TCP_CONNECT, INET, "127.0.10.5", 443),
	  DENIED("fabrikam", connect_denied, "connect4", "no_route", "tcp") },

	/* In no tenant, with unmatchedWorkloads allow. */
	{ "unmatched-cgroup-allowed", AT(OTHER, TCP_CONNECT, INET, "127.1.2.3", 443),
	  ALLOWED(NULL, connect_allowed) },
	/* Allowed means allowed: the backstop must not drop what it cannot
	 * parse from a workload that policy does not govern. */
	{ "unmatched-raw-short-header-allowed", AT(OTHER, RAW_SHORT_TCP, INET, "127.1.2.3", 0),
	  ALLOWED(NULL, egress_packets) },

	/* What airlockctl reports is what the pinned map holds. */
	{ "stats-json-matches-pinned-map", AT(CONTOSO, CUSTOM, INET, "", 0),
	  CUSTOM(case_stats_json) },

	/* A reload of a file that does not parse changes nothing. */
	{ "reload-broken-policy-changes-nothing", AT(CONTOSO, CUSTOM, INET, "", 0),
	  CUSTOM(case_reload_broken) },
	/* Counter slots survive a reload. */
	{ "reload-keeps-counter-slot", AT(CONTOSO, CUSTOM, INET, "", 0),
	  CUSTOM(case_reload_keeps_counters) },

	/* A cgroup moved to another tenant is judged as its own at once, on
	 * every CPU: the per-CPU memo of cgroup resolutions goes stale. */
	{ "remap-takes-effect-on-every-cpu", AT(OTHER, CUSTOM, INET, "", 0),
	  CUSTOM(case_remap_follows) },

	/* cgroup_skb catches what bypassed the socket hooks: connected before a
	 * policy change revoked the destination. */
	{ "backstop-connected-udp-revoked", AT(CONTOSO, CUSTOM, INET, "127.0.0.53", 53),
	  CUSTOM(case_backstop_udp) },
	{ "backstop-established-tcp-revoked", AT(CONTOSO, CUSTOM, INET, "127.0.10.5", 8443),
	  CUSTOM(case_backstop_tcp) },

	/* A tenant that serves answers whoever connected in: replies are not
	 * egress (listener marked on its SYN-ACK, accepted sockets inherit). */
	{ "tenant-server-replies-allowed", AT(CONTOSO, CUSTOM, INET, "127.0.0.1", 7100),
	  CUSTOM(case_tenant_server) },

	/* kill -9 of airlockd under load: enforcement stays, restart adopts. */
	{ "agent-kill9-enforcement-stays", AT(CONTOSO, CUSTOM, INET, "", 0),
	  CUSTOM(case_agent_kill9) },
};

static void case_child(void *arg, struct op_result *r)
{
	const struct ktest_case *c = arg;

	ops_run(c->op, c->family, c->addr, c->port, r);
}

static int case_event(struct ktest_env *env, const struct ktest_case *c,
		      const struct op_result *r, char *detail, size_t len)
{
	/* Packet-level events carry no task; the socket cookie names the socket. */
	int skb = c->hook && !strcmp(c->hook, "skb_egress");
	struct event_match m = {
		.tenant = c->tenant ? c->tenant : "(unmatched)",
		.pid = skb ? 0 : r->pid,
		.cookie = skb ? r->cookie : 0,
		.family = c->ev_family ? c->ev_family : c->family == AF_INET ? "ipv4" : "ipv6",
		.daddr = c->ev_daddr ? (c->ev_daddr[0] ? c->ev_daddr : NULL) : c->addr,
		.dport = c->op == OP_RAW_SOCKET || c->op == OP_PING_SENDTO ? -1 : c->port,
		.proto = c->proto,
		.hook = c->hook,
		.reason = c->reason,
	};

	return events_wait(env, &m, 3000, detail, len);
}

static int case_generic(struct ktest_env *env, const struct ktest_case *c, char *detail,
			size_t len)
{
	struct airlock_stats before = {}, after = {};
	size_t pair = case_pair(c->ctr);
	struct op_result r;
	int err;

	if (c->cg == KTEST_CG_NESTED) {
		err = cgroup_make(env->cg_path[KTEST_CG_NESTED]);
		if (err) {
			snprintf(detail, len, "mkdir %.200s: %s", env->cg_path[KTEST_CG_NESTED],
				 strerror(-err));
			return err;
		}
	}
	if (!env->no_agent && (err = case_stats(env, c->tenant, &before))) {
		snprintf(detail, len, "read alk_stats: %s", strerror(-err));
		return err;
	}
	err = child_run(env->cg_path[c->cg], case_child, (void *)c, 5000, &r);
	if (err) {
		snprintf(detail, len, "case child: %s", strerror(-err));
		return err;
	}
	err = case_check_errno(&r, env->no_agent ? 0 : c->expect, detail, len);
	if (err || env->no_agent)
		goto out;
	err = case_stats(env, c->tenant, &after);
	if (err) {
		snprintf(detail, len, "read alk_stats: %s", strerror(-err));
		return err;
	}
	err = case_check_delta(&before, &after, c->ctr, c->ctr_delta, detail, len);
	if (!err && pair != CTR_NONE)
		err = case_check_delta(&before, &after, pair, c->pair_delta, detail, len);
	if (!err && c->hook)
		err = case_event(env, c, &r, detail, len);
out:
	if (!err && env->no_agent)
		snprintf(detail, len, "%s (no agent: outcome only)", r.detail);
	else if (!err)
		snprintf(detail, len, "%s; %s +%d%s", r.detail, case_ctr_name(c->ctr),
			 c->ctr_delta, c->hook ? "; event seen" : "");
	return err;
}

int cases_run(struct ktest_env *env, int *ret_passed, int *ret_failed, int *ret_skipped)
{
	int passed = 0, failed = 0, skipped = 0, err;
	char detail[KTEST_DETAIL];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ktest_case *c = &cases[i];

		if (env->filter && !strstr(c->name, env->filter))
			continue;
		detail[0] = '\0';
		if (c->custom && env->no_agent && c->custom != case_preexisting) {
			/* Their checks are all about what airlockd does. */
			printf("skip %-38s needs airlockd (--no-agent)\n", c->name);
			skipped++;
			continue;
		}
		err = c->custom ? c->custom(env, c, detail, sizeof(detail))
				: case_generic(env, c, detail, sizeof(detail));
		printf("%-4s %-38s %s\n", err ? "FAIL" : "ok", c->name, detail);
		if (err)
			failed++;
		else
			passed++;
	}
	*ret_passed = passed;
	*ret_failed = failed;
	*ret_skipped = skipped;
	return failed ? -EPROTO : 0;
}
