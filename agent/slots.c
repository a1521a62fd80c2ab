// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "slots.h"

#define SLOTS_BATCH 256   /* slots per lookup syscall */

static int slot_of(const __u32 *owner, size_t nslots, __u32 id)
{
	size_t s;

	for (s = 1; s < nslots; s++)
		if (owner[s] == id)
			return (int)s;
	return -1;
}

static int wanted(const __u32 *ids, size_t n, __u32 id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

int slots_plan(__u32 *owner, size_t nslots, const __u32 *ids, size_t n, __u16 *ret_slot,
	       unsigned char *fresh)
{
	__u32 *next;
	size_t i, s, free_at = 1, steal_at = 1;

	if (nslots > 0xffff + 1u)
		return -EINVAL;
	next = malloc(nslots * sizeof(*next));
	if (!next)
		return -ENOMEM;
	memcpy(next, owner, nslots * sizeof(*next));
	/* Owners keep their slots first, so a newcomer never takes one of them. */
	for (i = 0; i < n; i++) {
		int k = slot_of(next, nslots, ids[i]);

		fresh[i] = k < 0;
		ret_slot[i] = k < 0 ? 0 : (__u16)k;
	}
	for (i = 0; i < n; i++) {
		if (!fresh[i])
			continue;
		for (s = free_at; s < nslots && next[s]; s++)
			;
		free_at = s;
		if (s == nslots) {
			/* Reclaim the slot of a tenant no longer in the policy. */
			for (s = steal_at; s < nslots && wanted(ids, n, next[s]); s++)
				;
			steal_at = s;
		}
		if (s == nslots) {
			free(next);
			return -ENOSPC;
		}
		next[s] = ids[i];
		ret_slot[i] = (__u16)s;
	}
	memcpy(owner, next, nslots * sizeof(*next));
	free(next);
	return 0;
}

void slots_stats_add(struct airlock_stats *sum, const struct airlock_stats *v)
{
	sum->connect_allowed += v->connect_allowed;
	sum->connect_denied += v->connect_denied;
	sum->dgram_allowed += v->dgram_allowed;
	sum->dgram_denied += v->dgram_denied;
	sum->sock_denied += v->sock_denied;
	sum->egress_packets += v->egress_packets;
	sum->egress_bytes += v->egress_bytes;
	sum->egress_dropped += v->egress_dropped;
	sum->ingress_packets += v->ingress_packets;
	sum->ingress_bytes += v->ingress_bytes;
}

/*
 * Every slot, in batches: one syscall per SLOTS_BATCH slots instead of one
 * per slot.  The owner is read from CPU 0's copy; the agent writes it into
 * every CPU's copy and BPF never writes it.
 */
int slots_foreach(int fd, int (*fn)(void *ctx, __u32 slot, const struct airlock_stats *st),
		  void *ctx)
{
	int ncpu = libbpf_num_possible_cpus();
	__u32 keys[SLOTS_BATCH], in = 0, out, count, i;
	struct airlock_stats *vals, sum;
	void *inp = NULL;
	int err = 0, c, done = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc((size_t)SLOTS_BATCH * ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	while (!done && !err) {
		count = SLOTS_BATCH;
		if (bpf_map_lookup_batch(fd, inp, &out, keys, vals, &count, NULL)) {
			if (errno != ENOENT) {
				err = -errno;
				break;
			}
			done = 1; /* last batch, count says how many it holds */
		}
		for (i = 0; i < count && !err; i++) {
			const struct airlock_stats *per = &vals[(size_t)i * ncpu];

			if (keys[i] != 0 && per[0].tenant == 0)
				continue;
			memset(&sum, 0, sizeof(sum));
			sum.tenant = per[0].tenant;
			for (c = 0; c < ncpu; c++)
				slots_stats_add(&sum, &per[c]);
			err = fn(ctx, keys[i], &sum);
		}
		in = out;
		inp = &in;
	}
	free(vals);
	return err;
}

struct owners_ctx {
	__u32 *owner;
};

static int owners_fn(void *ctx, __u32 slot, const struct airlock_stats *st)
{
	struct owners_ctx *o = ctx;

	if (slot < AIRLOCK_STATS_SLOTS)
		o->owner[slot] = st->tenant;
	return 0;
}

int slots_owners(int fd, __u32 *ret_owner)
{
	struct owners_ctx o = { .owner = ret_owner };

	memset(ret_owner, 0, AIRLOCK_STATS_SLOTS * sizeof(*ret_owner));
	return slots_foreach(fd, owners_fn, &o);
}

struct read_ctx {
	__u32 tenant;
	struct airlock_stats *ret;
};

static int read_fn(void *ctx, __u32 slot, const struct airlock_stats *st)
{
	struct read_ctx *r = ctx;

	if (r->tenant ? st->tenant != r->tenant : slot != 0)
		return 0;
	*r->ret = *st;
	return 1;
}

int slots_stats_read(int fd, __u32 tenant, struct airlock_stats *ret)
{
	struct read_ctx r = { .tenant = tenant, .ret = ret };
	int err;

	memset(ret, 0, sizeof(*ret));
	ret->tenant = tenant;
	err = slots_foreach(fd, read_fn, &r);
	return err < 0 ? err : 0;
}

int slots_reset(int fd, __u32 slot, __u32 tenant)
{
	int ncpu = libbpf_num_possible_cpus(), c, err = 0;
	struct airlock_stats *per;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	for (c = 0; c < ncpu; c++)
		per[c].tenant = tenant;
	if (bpf_map_update_elem(fd, &slot, per, BPF_ANY))
		err = -errno;
	free(per);
	return err;
}
