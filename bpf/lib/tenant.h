/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Tenant resolution: tenant = the cgroup a socket was created in, or the
 * nearest ancestor of it that the agent mapped.  The agent maps workload
 * cgroups and their descendants, so the first lookup normally hits; the
 * ancestor walk covers a child cgroup created a moment ago, before the
 * agent's inotify watch has seen it, so it can never slip out as "no tenant".
 */
#ifndef AIRLOCK_BPF_TENANT_H
#define AIRLOCK_BPF_TENANT_H

#include "maps.h"

static __always_inline __u32 alk_cgroup_tenant(__u64 cgid)
{
	struct airlock_cgroup_value *v = bpf_map_lookup_elem(&alk_cgroup, &cgid);

	return v ? v->tenant : 0;
}

/* Deepest mapped ancestor of the current task's cgroup. */
static __always_inline __u32 alk_walk_current(void)
{
	__u32 tenant = 0, t;
	int level;

	for (level = 1; level < AIRLOCK_MAX_DEPTH; level++) {
		__u64 id = bpf_get_current_ancestor_cgroup_id(level);

		if (!id)
			break;
		t = alk_cgroup_tenant(id);
		if (t)
			tenant = t;
	}
	return tenant;
}

/* Deepest mapped ancestor of the cgroup of the socket that sends skb. */
static __always_inline __u32 alk_walk_skb(struct __sk_buff *skb)
{
	__u32 tenant = 0, t;
	int level;

	for (level = 1; level < AIRLOCK_MAX_DEPTH; level++) {
		__u64 id = bpf_skb_ancestor_cgroup_id(skb, level);

		if (!id)
			break;
		t = alk_cgroup_tenant(id);
		if (t)
			tenant = t;
	}
	return tenant;
}

/*
 * Cgroup of a socket as recorded at socket creation (sock_create).  A socket
 * that predates the attach has no record; it was created by the task that now
 * uses it in all but fd-passing cases, so the current cgroup stands in.
 */
static __always_inline __u64 alk_sock_cgroup(struct bpf_sock *sk)
{
	struct airlock_sk *s = NULL;

	if (sk)
		s = bpf_sk_storage_get(&alk_sk, sk, 0, 0);
	if (s && s->cgroup_id)
		return s->cgroup_id;
	return bpf_get_current_cgroup_id();
}

/* Tenant of a socket in task context (sock_create, connect, sendmsg). */
static __always_inline __u32 alk_sock_tenant(__u64 cgid)
{
	__u32 tenant = alk_cgroup_tenant(cgid);

	if (!tenant && cgid == bpf_get_current_cgroup_id())
		tenant = alk_walk_current();
	return tenant;
}

/* Tenant of the socket an skb belongs to (cgroup_skb). */
static __always_inline __u32 alk_skb_tenant(struct __sk_buff *skb, __u64 cgid)
{
	__u32 tenant = alk_cgroup_tenant(cgid);

	return tenant ? tenant : alk_walk_skb(skb);
}

#endif /* AIRLOCK_BPF_TENANT_H */
