/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Per-CPU memo of the last cgroup resolution and the last verdict (abi.h,
 * struct airlock_memo).  A program run takes the memo at its start and gives
 * it back at its end; a run that finds it taken (it interrupted or preempted
 * the owner on this CPU) goes to the maps directly.  The take is an atomic
 * exchange because cgroup programs run preemptible (migrate_disable only):
 * a plain test-then-set could let two runs in at once.
 *
 * Every memo entry carries the configuration value it was computed under,
 * read before the maps it summarises (see alk_cfg_epoch), so an entry
 * computed against a mapping the agent has since replaced never matches.
 */
#ifndef AIRLOCK_BPF_MEMO_H
#define AIRLOCK_BPF_MEMO_H

#include "../../include/airlock/abi.h"
#include "maps.h"

#define alk_barrier() asm volatile("" ::: "memory")
#define ALK_READ_ONCE(x) (*(volatile typeof(x) *)&(x))

/* This CPU's memo for the whole run, or NULL when an outer run holds it. */
static __always_inline struct airlock_memo *alk_memo_take(void)
{
	__u32 zero = 0;
	struct airlock_memo *m = bpf_map_lookup_elem(&alk_memo, &zero);

	if (!m || __sync_lock_test_and_set(&m->busy, 1))
		return NULL;
	alk_barrier();
	return m;
}

static __always_inline void alk_memo_give(struct airlock_memo *m)
{
	if (!m)
		return;
	alk_barrier();
	m->busy = 0;
}

/*
 * The cgroup mapping's epoch, read before the alk_cgroup lookups it tags
 * (volatile: the compiler may not sink it below them; x86 does not reorder
 * loads).  0 when the agent never configured the datapath: no memo then.
 */
static __always_inline __u64 alk_cfg_epoch(const struct airlock_config *cfg)
{
	if (!cfg || !(cfg->flags & AIRLOCK_CFG_READY))
		return 0;
	return ALK_READ_ONCE(cfg->cgroup_epoch);
}

static __always_inline int alk_memo_cg_get(const struct airlock_memo *m, __u64 epoch, __u64 cgid,
					   __u32 *ret_tenant, __u32 *ret_slot)
{
	if (!m || !epoch || m->cg_epoch != epoch || m->cg_id != cgid)
		return 0;
	*ret_tenant = m->cg_tenant;
	*ret_slot = m->cg_slot;
	return 1;
}

static __always_inline void alk_memo_cg_put(struct airlock_memo *m, __u64 epoch, __u64 cgid,
					    __u32 tenant, __u32 slot)
{
	if (!m || !epoch)
		return;
	m->cg_id = cgid;
	m->cg_tenant = tenant;
	m->cg_slot = slot;
	m->cg_epoch = epoch;
}

static __always_inline int alk_vkey_eq(const struct airlock_vcache_key *a,
				       const struct airlock_vcache_key *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3] &&
	       x[4] == y[4] && x[5] == y[5];
}

static __always_inline int alk_memo_v_get(const struct airlock_memo *m, __u64 gen,
					  const struct airlock_vcache_key *k, __u8 *ret_verdict,
					  __u8 *ret_reason)
{
	if (!m || !gen || m->v_generation != gen || !alk_vkey_eq(&m->v_key, k))
		return 0;
	*ret_verdict = m->v_verdict;
	*ret_reason = m->v_reason;
	return 1;
}

static __always_inline void alk_memo_v_put(struct airlock_memo *m, __u64 gen,
					   const struct airlock_vcache_key *k, __u8 verdict,
					   __u8 reason)
{
	if (!m || !gen)
		return;
	m->v_key = *k;
	m->v_verdict = verdict;
	m->v_reason = reason;
	m->v_generation = gen;
}

#endif /* AIRLOCK_BPF_MEMO_H */
