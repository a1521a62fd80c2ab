/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-tenant per-CPU counters.  Per-CPU values need no atomics. */
#ifndef AIRLOCK_BPF_STATS_H
#define AIRLOCK_BPF_STATS_H

#include "maps.h"

/* The counters of a tenant's slot (abi.h: the agent assigns slots).  NULL
 * only for a slot out of range, which the agent never writes. */
static __always_inline struct airlock_stats *alk_stats_get(__u32 slot)
{
	return bpf_map_lookup_elem(&alk_stats, &slot);
}

/* Add to two counters with one lookup (packets and bytes). */
#define alk_count2(slot, f1, n1, f2, n2)                           \
	do {                                                         \
		struct airlock_stats *__st = alk_stats_get(slot);  \
		if (__st) {                                          \
			__st->f1 += (n1);                            \
			__st->f2 += (n2);                            \
		}                                                    \
	} while (0)

#define alk_count(slot, field, n)                                  \
	do {                                                         \
		struct airlock_stats *__st = alk_stats_get(slot);  \
		if (__st)                                            \
			__st->field += (n);                          \
	} while (0)

#endif /* AIRLOCK_BPF_STATS_H */
