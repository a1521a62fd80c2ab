/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Tenant ids are a hash of the name rather than an index, so that a tenant
 * keeps its id when others are added or removed: counters in alk_stats and
 * verdicts cached in sockets keep meaning the same tenant across reloads,
 * restarts and nodes.  Two names that hash alike are refused by validation.
 */
#include "policy.h"

#define FNV32_OFFSET 2166136261u
#define FNV32_PRIME  16777619u

__u32 policy_tenant_id(const char *name)
{
	__u32 h = FNV32_OFFSET;

	while (*name) {
		h ^= (unsigned char)*name++;
		h *= FNV32_PRIME;
	}
	/* 0 means "no tenant" in alk_cgroup and alk_stats. */
	return h ? h : 1;
}
