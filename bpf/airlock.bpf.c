// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * airlock egress datapath.
 *
 * Socket hooks are the fast path: connect4/6 and sendmsg4/6 judge every
 * connect and every addressed datagram of a tenant's sockets, sock_create
 * records each socket's cgroup and refuses raw sockets.  cgroup_skb egress
 * re-judges every IP packet as a backstop for whatever the socket hooks
 * cannot see (sockets older than the attach, raw sockets, ping sockets).
 * All hooks fail closed: no configuration or no policy means deny.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "lib/decide.h"
#include "lib/events.h"
#include "lib/maps.h"
#include "lib/stats.h"
#include "lib/tenant.h"
#include "lib/verdict.h"

#define AF_INET 2
#define AF_INET6 10
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define IP_MF 0x2000
#define IP_OFFSET 0x1FFF
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_ACK 0x10

/* Return values of cgroup programs. */
#define SYS_REJECT 0
#define SYS_PROCEED 1

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Judge one connect or datagram.  is_dgram selects the counters: sendmsg is
 * always a datagram; connect counts as a connect whatever the socket type.
 */
static __always_inline int alk_sock_addr_judge(struct bpf_sock_addr *ctx, struct airlock_memo *m,
					       const __u32 addr6[4], __u8 family, __u8 hook,
					       int is_dgram)
{
	struct airlock_config *cfg = alk_config_get();
	struct airlock_policy_key key;
	__u16 port = bpf_ntohs((__u16)ctx->user_port);
	__u8 proto = ctx->protocol;
	struct alk_tenant t = {};
	__u8 reason, verdict;
	__u64 cgid;

	alk_sock_tenant(ctx->sk, cfg, m, &cgid, &t);
	airlock_key_v6(&key, t.id, addr6);
	verdict = alk_verdict(cfg, m, t.id, &key, proto, port, &reason);

	if (verdict == AIRLOCK_ALLOW) {
		if (is_dgram)
			alk_count(t.slot, dgram_allowed, 1);
		else
			alk_count(t.slot, connect_allowed, 1);
		return SYS_PROCEED;
	}

	if (is_dgram)
		alk_count(t.slot, dgram_denied, 1);
	else
		alk_count(t.slot, connect_denied, 1);

	struct alk_event_in ev = {
		.cgroup_id = cgid,
		.cookie = bpf_get_socket_cookie(ctx),
		.tenant = t.id,
		.port = port,
		.family = family,
		.proto = proto,
		.hook = hook,
		.reason = reason,
		.task = 1,
		.addr = key.addr,
	};
	alk_emit(&ev);
	return SYS_REJECT;
}

static __always_inline int alk_sock_addr(struct bpf_sock_addr *ctx, const __u32 addr6[4],
					 __u8 family, __u8 hook, int is_dgram)
{
	struct airlock_memo *m = alk_memo_take();
	int ret = alk_sock_addr_judge(ctx, m, addr6, family, hook, is_dgram);

	alk_memo_give(m);
	return ret;
}

/* IPv4 destination as an IPv4-mapped IPv6 address, the trie's form. */
static __always_inline void alk_v4_mapped(__u32 addr6[4], __u32 addr_be)
{
	addr6[0] = 0;
	addr6[1] = 0;
	addr6[2] = bpf_htonl(0x0000ffff);
	addr6[3] = addr_be;
}

static __always_inline void alk_read_ip6(struct bpf_sock_addr *ctx, __u32 addr6[4])
{
	/* ctx fields allow only 4-byte loads, one word at a time. */
	addr6[0] = ctx->user_ip6[0];
	addr6[1] = ctx->user_ip6[1];
	addr6[2] = ctx->user_ip6[2];
	addr6[3] = ctx->user_ip6[3];
}

SEC("cgroup/connect4")
int alk_connect4(struct bpf_sock_addr *ctx)
{
	__u32 addr6[4];

	alk_v4_mapped(addr6, ctx->user_ip4);
	return alk_sock_addr(ctx, addr6, AF_INET, AIRLOCK_HOOK_CONNECT4, 0);
}

SEC("cgroup/connect6")
int alk_connect6(struct bpf_sock_addr *ctx)
{
	__u32 addr6[4];

	alk_read_ip6(ctx, addr6);
	return alk_sock_addr(ctx, addr6, AF_INET6, AIRLOCK_HOOK_CONNECT6, 0);
}

SEC("cgroup/sendmsg4")
int alk_sendmsg4(struct bpf_sock_addr *ctx)
{
	__u32 addr6[4];

	alk_v4_mapped(addr6, ctx->user_ip4);
	return alk_sock_addr(ctx, addr6, AF_INET, AIRLOCK_HOOK_SENDMSG4, 1);
}

SEC("cgroup/sendmsg6")
int alk_sendmsg6(struct bpf_sock_addr *ctx)
{
	__u32 addr6[4];

	alk_read_ip6(ctx, addr6);
	return alk_sock_addr(ctx, addr6, AF_INET6, AIRLOCK_HOOK_SENDMSG6, 1);
}

/*
 * Raw sockets would forge any packet past the socket hooks; tenants may not
 * open them.  Everything else proceeds untouched: socket() is the hottest
 * hook on a node and does no lookup unless the socket is raw.
 */
SEC("cgroup/sock_create")
int alk_sock_create(struct bpf_sock *sk)
{
	struct alk_tenant t = {};
	__u8 zero_addr[16] = {};
	__u64 cgid;

	if (sk->type != SOCK_RAW)
		return SYS_PROCEED;

	alk_sock_tenant(sk, alk_config_get(), NULL, &cgid, &t);
	if (t.id == 0 && alk_unmatched_allowed(alk_config_get()))
		return SYS_PROCEED;

	alk_count(t.slot, sock_denied, 1);
	struct alk_event_in ev = {
		.cgroup_id = cgid,
		.cookie = bpf_get_socket_cookie(sk),
		.tenant = t.id,
		.family = sk->family,
		.proto = sk->protocol,
		.hook = AIRLOCK_HOOK_SOCK_CREATE,
		.reason = AIRLOCK_REASON_RAW_SOCKET,
		.task = 1,
		.addr = zero_addr,
	};
	alk_emit(&ev);
	return SYS_REJECT;
}

/* What the backstop needs to know of an egress packet. */
struct alk_pkt {
	__u32 addr6[4];
	__u16 port;
	__u8 family;
	__u8 proto;
	__u8 tcp_flags;
	__u8 l4_known; /* ports parsed; 0 for non-first fragments and others */
};

/*
 * len header bytes at off: read in place when they are in the linear data
 * (locally built packets: always), else copied into buf.  Direct packet
 * access saves a helper call and a copy per header on every packet.
 */
static __always_inline void *alk_hdr(struct __sk_buff *skb, __u32 off, void *buf, __u32 len)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;

	if (data + off + len <= end)
		return data + off;
	if (bpf_skb_load_bytes(skb, off, buf, len))
		return NULL;
	return buf;
}

static __always_inline int alk_parse_l4(struct __sk_buff *skb, __u32 off, struct alk_pkt *p)
{
	__u8 buf[14], *hdr;

	if (p->proto == IPPROTO_TCP) {
		hdr = alk_hdr(skb, off, buf, 14);
		if (!hdr)
			return -1;
		p->port = ((__u16)hdr[2] << 8) | hdr[3];
		p->tcp_flags = hdr[13];
		p->l4_known = 1;
	} else if (p->proto == IPPROTO_UDP) {
		hdr = alk_hdr(skb, off, buf, 4);
		if (!hdr)
			return -1;
		p->port = ((__u16)hdr[2] << 8) | hdr[3];
		p->l4_known = 1;
	} else {
		p->l4_known = 1; /* no ports: judged as port 0 */
	}
	return 0;
}

/* cgroup_skb data starts at the network header. */
static __always_inline int alk_parse(struct __sk_buff *skb, struct alk_pkt *p)
{
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr buf, *ip = alk_hdr(skb, 0, &buf, sizeof(buf));

		if (!ip)
			return -1;
		p->family = AF_INET;
		p->proto = ip->protocol;
		alk_v4_mapped(p->addr6, ip->daddr);
		if (bpf_ntohs(ip->frag_off) & IP_OFFSET)
			return 0; /* non-first fragment: no L4 header */
		return alk_parse_l4(skb, ip->ihl * 4, p);
	}
	if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr buf, *ip6 = alk_hdr(skb, 0, &buf, sizeof(buf));

		if (!ip6)
			return -1;
		p->family = AF_INET6;
		p->proto = ip6->nexthdr;
		__builtin_memcpy(p->addr6, &ip6->daddr, 16);
		/* Extension headers are judged by their own type, port 0:
		 * a tenant rule for tcp/udp does not admit them. */
		return alk_parse_l4(skb, sizeof(*ip6), p);
	}
	return 1; /* not IP: nothing for an IP policy to judge */
}

/*
 * Replies of accepted TCP connections are not egress policy's business.
 * A SYN-ACK answers an inbound SYN: it marks its listener, whose storage
 * every connection accepted afterwards inherits (BPF_F_CLONE).
 */
static __always_inline int alk_is_synack(struct __sk_buff *skb, const struct alk_pkt *p)
{
	struct bpf_sock *sk = skb->sk, *lsk;
	struct airlock_sk *s;

	if (p->proto != IPPROTO_TCP || !sk ||
	    (p->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) != (TCP_FLAG_SYN | TCP_FLAG_ACK))
		return 0;
	lsk = bpf_get_listener_sock(sk);
	if (lsk) {
		s = bpf_sk_storage_get(&alk_sk, lsk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (s)
			s->flags |= AIRLOCK_SK_PASSIVE;
	}
	return 1;
}

/* A segment of an accepted connection (inherited listener mark). */
static __always_inline int alk_is_passive(struct __sk_buff *skb, const struct alk_pkt *p)
{
	struct bpf_sock *sk = skb->sk;
	struct airlock_sk *s;

	if (p->proto != IPPROTO_TCP || !sk)
		return 0;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 0;
	s = bpf_sk_storage_get(&alk_sk, sk, 0, 0);
	return s && (s->flags & AIRLOCK_SK_PASSIVE);
}

static __always_inline int alk_egress_judge(struct __sk_buff *skb, struct airlock_memo *m)
{
	struct airlock_config *cfg = alk_config_get();
	__u64 cgid = bpf_skb_cgroup_id(skb);
	struct airlock_policy_key key;
	struct alk_tenant t = {};
	struct alk_pkt p = {};
	__u8 reason, verdict;
	int ret;

	alk_skb_tenant(skb, cfg, m, cgid, &t);
	alk_count2(t.slot, egress_packets, 1, egress_bytes, skb->len);
	/* Workloads of no tenant on a permissive node: nothing to parse. */
	if (t.id == 0 && alk_unmatched_allowed(cfg))
		return SYS_PROCEED;

	ret = alk_parse(skb, &p);
	if (ret > 0)
		return SYS_PROCEED;
	if (ret == 0 && alk_is_synack(skb, &p))
		return SYS_PROCEED;

	airlock_key_v6(&key, t.id, p.addr6);
	if (ret == 0 && p.l4_known) {
		verdict = alk_verdict(cfg, m, t.id, &key, p.proto, p.port, &reason);
	} else {
		verdict = alk_verdict(cfg, m, t.id, &key, p.proto, 0, &reason);
		if (ret < 0 && verdict == AIRLOCK_ALLOW && t.id) {
			/* Headers too short to read ports: a tenant's rules name
			 * ports, so nothing admits it; a workload of no tenant
			 * follows defaults.unmatchedWorkloads. */
			verdict = AIRLOCK_DENY;
			reason = AIRLOCK_REASON_PORT;
		} else if (ret == 0 && verdict == AIRLOCK_DENY && reason == AIRLOCK_REASON_PORT) {
			/* Non-first fragment: the first fragment carried the
			 * port and was judged; the address must be routed. */
			verdict = AIRLOCK_ALLOW;
		}
	}
	if (verdict == AIRLOCK_ALLOW)
		return SYS_PROCEED;
	/* Only what would be dropped pays for the storage lookup. */
	if (ret == 0 && alk_is_passive(skb, &p))
		return SYS_PROCEED;

	alk_count(t.slot, egress_dropped, 1);
	struct alk_event_in ev = {
		.cgroup_id = cgid,
		.cookie = bpf_get_socket_cookie(skb),
		.tenant = t.id,
		.port = p.port,
		.family = p.family,
		.proto = p.proto,
		.hook = AIRLOCK_HOOK_SKB_EGRESS,
		.reason = reason,
		.task = 0,
		.addr = key.addr,
	};
	alk_emit(&ev);
	return SYS_REJECT;
}

SEC("cgroup_skb/egress")
int alk_skb_egress(struct __sk_buff *skb)
{
	struct airlock_memo *m = alk_memo_take();
	int ret = alk_egress_judge(skb, m);

	alk_memo_give(m);
	return ret;
}

SEC("cgroup_skb/ingress")
int alk_skb_ingress(struct __sk_buff *skb)
{
	struct airlock_memo *m = alk_memo_take();
	__u64 cgid = bpf_skb_cgroup_id(skb);
	struct alk_tenant t = {};

	alk_skb_tenant(skb, alk_config_get(), m, cgid, &t);
	alk_count2(t.slot, ingress_packets, 1, ingress_bytes, skb->len);
	alk_memo_give(m);
	return SYS_PROCEED;
}
