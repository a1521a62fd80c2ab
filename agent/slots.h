/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Counter slots: which index of the alk_stats per-CPU array counts which
 * tenant (include/airlock/abi.h).  The map itself is the record: each
 * slot's value names its owner, so a restarted agent, airlockctl, the tests
 * and bpftool all read ownership from the same place.
 */
#ifndef AIRLOCK_SLOTS_H
#define AIRLOCK_SLOTS_H

#include <stddef.h>
#include <linux/types.h>

#include "airlock/abi.h"

/*
 * Pure planning.  owner[0..nslots) holds each slot's tenant id (0: free;
 * slot 0 is reserved for workloads of no tenant and never given).  For each
 * ids[i] choose, in order: the slot it already owns, a free slot, a slot of
 * a tenant not in ids (its counters are then lost).  owner[] is updated;
 * ret_slot[i] gets the slot and fresh[i] is set when the slot changes hands
 * and must be reset.  -ENOSPC when the tenants do not fit; nothing is
 * changed then.  ids must be distinct and non-zero.
 */
int slots_plan(__u32 *owner, size_t nslots, const __u32 *ids, size_t n, __u16 *ret_slot,
	       unsigned char *fresh);

/* Add the counters of one CPU's copy into sum (the tenant field is kept). */
void slots_stats_add(struct airlock_stats *sum, const struct airlock_stats *v);

/*
 * Visit every slot of the alk_stats map fd that has an owner, and slot 0,
 * with the per-CPU sums.  fn returning non-zero stops the walk and is
 * returned.
 */
int slots_foreach(int fd, int (*fn)(void *ctx, __u32 slot, const struct airlock_stats *st),
		  void *ctx);

/* Owners of every slot (AIRLOCK_STATS_SLOTS entries). */
int slots_owners(int fd, __u32 *ret_owner);

/* The summed counters of one tenant (0: workloads of no tenant); zeros if
 * it owns no slot. */
int slots_stats_read(int fd, __u32 tenant, struct airlock_stats *ret);

/* Hand slot to tenant: its value becomes {tenant, zero counters} on every CPU. */
int slots_reset(int fd, __u32 slot, __u32 tenant);

#endif /* AIRLOCK_SLOTS_H */
