/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-tenant per-CPU counters.  Per-CPU values need no atomics. */
#ifndef AIRLOCK_BPF_STATS_H
#define AIRLOCK_BPF_STATS_H

#include "maps.h"

/* The tenant's counters, created on first use.  NULL only when the map is
 * full; counting is then lost but the verdict is not affected. */
static __always_inline struct airlock_stats *alk_stats_get(__u32 tenant)
{
	struct airlock_stats *st, zero = {};

	st = bpf_map_lookup_elem(&alk_stats, &tenant);
	if (st)
		return st;
	bpf_map_update_elem(&alk_stats, &tenant, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&alk_stats, &tenant);
}

/* Add to two counters with one lookup (packets and bytes). */
#define alk_count2(tenant, f1, n1, f2, n2)                           \
	do {                                                         \
		struct airlock_stats *__st = alk_stats_get(tenant);  \
		if (__st) {                                          \
			__st->f1 += (n1);                            \
			__st->f2 += (n2);                            \
		}                                                    \
	} while (0)

#define alk_count(tenant, field, n)                                  \
	do {                                                         \
		struct airlock_stats *__st = alk_stats_get(tenant);  \
		if (__st)                                            \
			__st->field += (n);                          \
	} while (0)

#endif /* AIRLOCK_BPF_STATS_H */
