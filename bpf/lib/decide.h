/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The egress decision as pure C: key construction and the verdict given the
 * entries the caller looked up.  Compiled into the BPF programs and into the
 * host unit tests (tests/unit/test_decide.c), so precedence and default-deny
 * are proven without a kernel.  No helpers, no maps, no libc in here.
 *
 * The includer provides __u8/__u16/__u32/__u64 (vmlinux.h or linux/types.h).
 */
#ifndef AIRLOCK_DECIDE_H
#define AIRLOCK_DECIDE_H

#include "../../include/airlock/abi.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Bits of the trie key before the address: the tenant id. */
#define AIRLOCK_KEY_TENANT_BITS 32
/* IPv4 lives at ::ffff:0:0/96 in the trie. */
#define AIRLOCK_KEY_V4_BASE (AIRLOCK_KEY_TENANT_BITS + 96)

/* Is an IPv6 address (four big-endian words) of the ::ffff:0:0/96 form? */
static __always_inline int airlock_ip6_is_v4mapped(const __u32 addr_be[4])
{
	const __u8 *b = (const __u8 *)addr_be;

	return addr_be[0] == 0 && addr_be[1] == 0 && b[8] == 0 && b[9] == 0 &&
	       b[10] == 0xff && b[11] == 0xff;
}

/* Full-length lookup key for an IPv4 destination (big-endian address). */
static __always_inline void airlock_key_v4(struct airlock_policy_key *k, __u32 tenant,
					   __u32 addr_be)
{
	const __u8 *a = (const __u8 *)&addr_be;
	int i;

	k->prefixlen = AIRLOCK_KEY_V4_BASE + 32;
	k->tenant = tenant;
	for (i = 0; i < 10; i++)
		k->addr[i] = 0;
	k->addr[10] = 0xff;
	k->addr[11] = 0xff;
	k->addr[12] = a[0];
	k->addr[13] = a[1];
	k->addr[14] = a[2];
	k->addr[15] = a[3];
}

/* Full-length lookup key for an IPv6 destination (four big-endian words).
 * An IPv4-mapped address produces the same key as the IPv4 address. */
static __always_inline void airlock_key_v6(struct airlock_policy_key *k, __u32 tenant,
					   const __u32 addr_be[4])
{
	const __u8 *a = (const __u8 *)addr_be;
	int i;

	k->prefixlen = AIRLOCK_KEY_TENANT_BITS + 128;
	k->tenant = tenant;
	for (i = 0; i < 16; i++)
		k->addr[i] = a[i];
}

/*
 * First rule of a trie value that admits (proto, port), or -1.
 * A rule with proto AIRLOCK_PROTO_ANY admits every protocol; ports are an
 * inclusive range in host order.  Protocols without ports (ICMP) use port 0.
 */
static __always_inline int airlock_match_rules(const struct airlock_policy_value *v, __u8 proto,
					       __u16 port)
{
	int i;

	for (i = 0; i < AIRLOCK_MAX_RULES; i++) {
		const struct airlock_port_rule *r = &v->rules[i];

		if ((__u32)i >= v->nrules)
			break;
		if (r->proto != AIRLOCK_PROTO_ANY && r->proto != proto)
			continue;
		if (port < r->port_lo || port > r->port_hi)
			continue;
		return i;
	}
	return -1;
}

/*
 * The verdict, in order of precedence:
 *   1. no configuration                 -> deny (NO_CONFIG)
 *   2. no tenant                        -> defaults.unmatchedWorkloads
 *   3. tenant, no policy generation     -> deny (NO_POLICY)
 *   4. tenant, address in no entry      -> deny (NO_ROUTE)
 *   5. tenant, no rule admits the port  -> deny (PORT)
 *   6. otherwise                        -> allow
 *
 * cfg: alk_config[0] or NULL; tenant: 0 for none; have_policy: the active
 * trie exists; hit: the longest-prefix match in it, or NULL.
 * ret_reason: set to the deny reason, AIRLOCK_REASON_NONE on allow.
 */
static __always_inline __u8 airlock_decide(const struct airlock_config *cfg, __u32 tenant,
					   int have_policy, const struct airlock_policy_value *hit,
					   __u8 proto, __u16 port, __u8 *ret_reason)
{
	*ret_reason = AIRLOCK_REASON_NONE;
	if (!cfg || !(cfg->flags & AIRLOCK_CFG_READY)) {
		*ret_reason = AIRLOCK_REASON_NO_CONFIG;
		return AIRLOCK_DENY;
	}
	if (tenant == 0) {
		if (cfg->unmatched == AIRLOCK_ALLOW)
			return AIRLOCK_ALLOW;
		*ret_reason = AIRLOCK_REASON_UNMATCHED;
		return AIRLOCK_DENY;
	}
	if (!have_policy) {
		*ret_reason = AIRLOCK_REASON_NO_POLICY;
		return AIRLOCK_DENY;
	}
	if (!hit) {
		*ret_reason = AIRLOCK_REASON_NO_ROUTE;
		return AIRLOCK_DENY;
	}
	if (airlock_match_rules(hit, proto, port) < 0) {
		*ret_reason = AIRLOCK_REASON_PORT;
		return AIRLOCK_DENY;
	}
	return AIRLOCK_ALLOW;
}

#endif /* AIRLOCK_DECIDE_H */
