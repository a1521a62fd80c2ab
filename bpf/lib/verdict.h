/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Policy lookup: fetch the configuration and the active trie, look the key
 * up, and let decide.h rule.  A missing trie or configuration denies.
 */
#ifndef AIRLOCK_BPF_VERDICT_H
#define AIRLOCK_BPF_VERDICT_H

#include "decide.h"
#include "maps.h"
#include "memo.h"

static __always_inline struct airlock_config *alk_config_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&alk_config, &zero);
}

/* Workloads of no tenant may do anything (defaults.unmatchedWorkloads). */
static __always_inline int alk_unmatched_allowed(const struct airlock_config *cfg)
{
	return cfg && (cfg->flags & AIRLOCK_CFG_READY) && cfg->unmatched == AIRLOCK_ALLOW;
}

/* The trie lookup and the decision, uncached. */
static __always_inline __u8 alk_verdict_slow(const struct airlock_config *cfg, __u32 tenant,
					     struct airlock_policy_key *key, __u8 proto,
					     __u16 port, __u8 *ret_reason)
{
	struct airlock_policy_value *hit = NULL;
	__u32 zero = 0;
	void *trie;

	trie = bpf_map_lookup_elem(&alk_policy, &zero);
	if (trie && tenant)
		hit = bpf_map_lookup_elem(trie, key);
	return airlock_decide(cfg, tenant, trie != NULL, hit, proto, port, ret_reason);
}

/*
 * Verdict for (tenant, key's address, proto, port): this CPU's memo first,
 * then alk_vcache, then the trie.  Only tenants' verdicts are cached: those
 * of no tenant are a config read.  The generation is read once, before the
 * trie: a verdict computed in a trie the agent swapped out meanwhile is
 * stored under the old generation and never matches again.
 */
static __always_inline __u8 alk_verdict(const struct airlock_config *cfg, struct airlock_memo *m,
					__u32 tenant, struct airlock_policy_key *key, __u8 proto,
					__u16 port, __u8 *ret_reason)
{
	struct airlock_vcache_value *c, nv = {};
	struct airlock_vcache_key ck = {};
	__u8 verdict;
	__u64 gen;

	if (!cfg || !tenant || !(cfg->flags & AIRLOCK_CFG_READY))
		return alk_verdict_slow(cfg, tenant, key, proto, port, ret_reason);

	gen = ALK_READ_ONCE(cfg->generation);
	ck.tenant = tenant;
	ck.port = port;
	ck.proto = proto;
	__builtin_memcpy(ck.addr, key->addr, sizeof(ck.addr));
	if (alk_memo_v_get(m, gen, &ck, &verdict, ret_reason))
		return verdict;
	c = bpf_map_lookup_elem(&alk_vcache, &ck);
	if (c && c->generation == gen) {
		verdict = c->verdict;
		*ret_reason = c->reason;
	} else {
		verdict = alk_verdict_slow(cfg, tenant, key, proto, port, ret_reason);
		nv.generation = gen;
		nv.verdict = verdict;
		nv.reason = *ret_reason;
		bpf_map_update_elem(&alk_vcache, &ck, &nv, BPF_ANY);
	}
	alk_memo_v_put(m, gen, &ck, verdict, *ret_reason);
	return verdict;
}

#endif /* AIRLOCK_BPF_VERDICT_H */
