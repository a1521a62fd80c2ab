/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Writes policy into the datapath maps.  The order of writes is the
 * contract with the BPF programs: a complete new trie is built aside and
 * swapped in with one map update, cgroup mappings are added before stale
 * ones are removed, and the configuration generation is bumped last.
 */
#ifndef AIRLOCK_DATAPATH_H
#define AIRLOCK_DATAPATH_H

#include <linux/types.h>

#include "airlock/abi.h"

struct loader;
struct policy;
struct policy_compiled;

int datapath_read_config(struct loader *l, struct airlock_config *ret_cfg);
int datapath_write_config(struct loader *l, const struct airlock_config *cfg);
/* Build the trie of generation gen from c, swap it in, pin it as
 * <pin_dir>/policy_active.  On error the previous trie stays active. */
int datapath_swap_policy(struct loader *l, const char *pin_dir, const struct policy_compiled *c,
			 __u64 gen);
/* Entries in the active trie, or a negative errno (-ENOENT: none). */
long datapath_policy_entries(struct loader *l);

/* cgwatch sink callbacks; ctx is the struct loader. */
int datapath_cgroup_update(void *ctx, __u64 cgid, const struct airlock_cgroup_value *v);
int datapath_cgroup_remove(void *ctx, __u64 cgid);
/* Delete mapped cgroups for which keep() is false (left by an earlier run). */
int datapath_cgroup_prune(struct loader *l, int (*keep)(const void *ctx, __u64 cgid),
			  const void *ctx, unsigned *ret_pruned);

/* Give each tenant of p its counter slot in alk_stats (p->tenants[].slot),
 * resetting slots that change hands; before the cgroups are mapped. */
int datapath_assign_slots(struct loader *l, struct policy *p);
/* Visit slot 0 (no tenant) and every owned slot; st->tenant names the owner. */
int datapath_stats_foreach(struct loader *l, int (*fn)(void *ctx, __u32 slot,
						  const struct airlock_stats *st), void *ctx);

#endif /* AIRLOCK_DATAPATH_H */
