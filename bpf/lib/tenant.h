/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Tenant resolution: tenant = the cgroup a socket belongs to (the cgroup it
 * was created in, whatever task later uses it), or the nearest ancestor of
 * it that the agent mapped.  The agent maps workload cgroups and their
 * descendants, so the first lookup normally hits; the ancestor walk covers a
 * child cgroup created a moment ago, before the agent's inotify watch has
 * seen it, so it can never slip out as "no tenant".
 *
 * Socket hooks read the socket's cgroup straight from struct sock through
 * bpf_rdonly_cast() (a kfunc, kernel >= 6.2): no per-socket storage, so no
 * allocation on every socket() of the node.
 */
#ifndef AIRLOCK_BPF_TENANT_H
#define AIRLOCK_BPF_TENANT_H

#include <bpf/bpf_core_read.h>

#include "maps.h"
#include "memo.h"

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/* Who a socket or packet belongs to: the tenant id and its counters' slot.
 * Zero for both when no tenant claims it. */
struct alk_tenant {
	__u32 id;
	__u32 slot;
};

static __always_inline int alk_cgroup_tenant(__u64 cgid, struct alk_tenant *t)
{
	struct airlock_cgroup_value *v = bpf_map_lookup_elem(&alk_cgroup, &cgid);

	if (!v)
		return 0;
	t->id = v->tenant;
	t->slot = v->slot;
	return 1;
}

/* The kernel cgroup of a socket; reads are fault-safe (untrusted pointer). */
static __always_inline struct cgroup *alk_sock_cgrp(const struct bpf_sock *bs)
{
	struct sock *sk = bpf_rdonly_cast(bs, bpf_core_type_id_kernel(struct sock));

	return sk->sk_cgrp_data.cgroup;
}

/*
 * Tenant of a socket and its cgroup id.  On a miss, ancestors are walked
 * upwards through cgroup->self.parent, so the nearest mapped one wins; the
 * hierarchy root (no parent) is never a workload.  m: this CPU's memo or
 * NULL; the result is memoised under the epoch read before the lookups.
 */
static __always_inline void alk_sock_tenant(const struct bpf_sock *bs,
					    const struct airlock_config *cfg,
					    struct airlock_memo *m, __u64 *ret_cgid,
					    struct alk_tenant *t)
{
	__u64 epoch = alk_cfg_epoch(cfg);
	struct cgroup *cg = alk_sock_cgrp(bs);
	int i, found;
	__u64 id;

	id = cg->kn->id;
	if (!id) /* no cgroup read: fall back to the caller's, same in all but fd passing */
		id = bpf_get_current_cgroup_id();
	*ret_cgid = id;
	if (alk_memo_cg_get(m, epoch, id, &t->id, &t->slot))
		return;
	found = alk_cgroup_tenant(id, t);

	for (i = 1; i < AIRLOCK_MAX_DEPTH && !found; i++) {
		struct cgroup_subsys_state *parent = cg->self.parent;

		if (!parent)
			break;
		/* self is the first member: the css is its cgroup. */
		cg = bpf_rdonly_cast(parent, bpf_core_type_id_kernel(struct cgroup));
		if (!cg->self.parent)
			break; /* the root */
		found = alk_cgroup_tenant(cg->kn->id, t);
	}
	alk_memo_cg_put(m, epoch, id, t->id, t->slot);
}

/* Deepest mapped ancestor of the cgroup of the socket that sends skb;
 * memoised as alk_sock_tenant. */
static __always_inline void alk_skb_tenant(struct __sk_buff *skb, const struct airlock_config *cfg,
					   struct airlock_memo *m, __u64 cgid,
					   struct alk_tenant *t)
{
	__u64 epoch = alk_cfg_epoch(cfg);
	int level;

	if (alk_memo_cg_get(m, epoch, cgid, &t->id, &t->slot))
		return;
	if (!alk_cgroup_tenant(cgid, t)) {
		/* Root downwards: the last mapped level is the deepest. */
		for (level = 1; level < AIRLOCK_MAX_DEPTH; level++) {
			__u64 id = bpf_skb_ancestor_cgroup_id(skb, level);

			if (!id || id == cgid)
				break;
			alk_cgroup_tenant(id, t);
		}
	}
	alk_memo_cg_put(m, epoch, cgid, t->id, t->slot);
}

#endif /* AIRLOCK_BPF_TENANT_H */
