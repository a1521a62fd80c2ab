/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Policy lookup: fetch the configuration and the active trie, look the key
 * up, and let decide.h rule.  A missing trie or configuration denies.
 */
#ifndef AIRLOCK_BPF_VERDICT_H
#define AIRLOCK_BPF_VERDICT_H

#include "decide.h"
#include "maps.h"

static __always_inline struct airlock_config *alk_config_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&alk_config, &zero);
}

static __always_inline __u8 alk_verdict(const struct airlock_config *cfg, __u32 tenant,
					struct airlock_policy_key *key, __u8 proto, __u16 port,
					__u8 *ret_reason)
{
	struct airlock_policy_value *hit = NULL;
	__u32 zero = 0;
	void *trie;

	trie = bpf_map_lookup_elem(&alk_policy, &zero);
	if (trie && tenant)
		hit = bpf_map_lookup_elem(trie, key);
	return airlock_decide(cfg, tenant, trie != NULL, hit, proto, port, ret_reason);
}

#endif /* AIRLOCK_BPF_VERDICT_H */
